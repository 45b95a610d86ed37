// Vectors made with a given or the narrowest element type (Float32[1, 2], what map builds), and
// the element type of a collection as far as its type tells (eltype, __empty_like).
#include "jit/builtin_registrar.hpp"
#include "runtime/construct.hpp"
#include "runtime/tensor.hpp"

namespace tsr::jit {

Value vector_of(TypeRegistry& t, const Type* elem, std::vector<Value> xs) {
  const Type* ps[] = {elem};
  auto* obj = new StructObject();
  obj->fields = std::move(xs);
  return Value::from_object(as_datatype(t.instantiate(t.lookup("Vector"), ps)), obj);
}

const Type* element_type_of(TypeRegistry& t, const DataType* dt) {
  if ((is_vector_name(dt->name) || is_range_name(dt->name)) && !dt->params.empty()) return dt->params[0];
  // Tensor{T, N} and the semantic tensor kinds: T.
  if ((dt->name == t.TensorName || dt->name->is_semantic) && dt->params.size() == 2 && as_const(dt->params[1]))
    return dt->params[0];
  return t.Any;
}

namespace {

// The element type of a collection, as far as its type tells.
const Type* element_type(TypeRegistry& t, const Value& xs) {
  if (is_tensor(xs)) return tsr::element_type(t, tensor_of(xs).dtype);
  return element_type_of(t, xs.type());
}

}  // namespace

void register_element_type_builtins(Registrar& r) {
  TypeRegistry& t = r.t_;
  // Any[1, "a"], Float32[1, 2]: a vector with that element type.
  TypeVar* T = t.new_typevar("T");
  const Type* sig[] = {t.type_of_type(T), t.vararg(t.Any)};
  auto typed_vector = [&t](std::span<const Value> a) {
    const Type* elem = a[0].as_type();
    std::vector<Value> xs;
    for (size_t i = 1; i < a.size(); ++i) xs.push_back(convert_to(t, elem, a[i]));
    return vector_of(t, elem, std::move(xs));
  };
  r.add_where("getindex", t.unionall(T, t.tuple(sig)), {"T", "xs"}, nullptr, typed_vector);
  // Float32[1]: one element is a vector too (more specific than getindex(x, i::Integer),
  // which would tie with the above).
  const Type* sig1[] = {t.type_of_type(T), t.Integer};
  r.add_where("getindex", t.unionall(T, t.tuple(sig1)), {"T", "x"}, nullptr, typed_vector);
  // The tightest element type for a vector built element by element (map, enumerate).
  r.add("__narrow", {t.Any}, {"v"}, nullptr, [&t](std::span<const Value> a) {
    const auto& xs = a[0].as_struct().fields;
    const Type* elem = xs.empty() ? static_cast<const Type*>(t.Any) : xs[0].type();
    for (const Value& x : xs)
      if (x.type() != elem) elem = t.Any;
    return vector_of(t, elem, xs);
  });
  r.add("__empty_like", {t.Any}, {"xs"}, nullptr,
        [&t](std::span<const Value> a) { return vector_of(t, element_type(t, a[0]), {}); });
  const Method* eltype = r.add("eltype", {t.Any}, {"xs"}, nullptr, [&t](std::span<const Value> a) {
    const Type* e = element_type(t, a[0]);
    return Value::from_type(e->kind == TypeKind::UnionAll ? t.UnionAllT : t.DataTypeT, e);
  });
  set_result_rule(eltype, ResultRule::ElementTypeOfFirst);
  set_pure(eltype);
}

}  // namespace tsr::jit
