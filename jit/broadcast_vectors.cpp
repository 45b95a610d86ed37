// Broadcasting over Vectors of any elements, as Julia's broadcast over 1-d arrays: strings
// (`uppercase.(words)`), tensors (`size.(batch)`), structs, numbers of mixed types, and tuples
// beside them, when no leaf is a tensor; a Ref is a scalar, unwrapped (`in.(xs, Ref(set))`).
// f is called element by element and the result is a Vector of the narrowest element type
// (as map's); `.=` into a Vector stores each result converted to its element type. Vectors of numbers of one type whose results are numbers take
// the fused, compiled loop instead (jit/broadcast.cpp); this is the path for everything else.
#include "jit/broadcast_leaves.hpp"
#include "jit/builtin_registrar.hpp"
#include "jit/compiler.hpp"
#include "runtime/construct.hpp"
#include "runtime/errors.hpp"
#include "runtime/type_printer.hpp"

namespace tsr::jit {

bool is_vector_value(const Value& v) {
  return v.payload() == Payload::Object && !is_tensor(v) && is_vector_name(v.type()->name);
}

bool is_ref(const Value& v) {
  // Ref is stdlib Tessera (Base.tsr), known by its name, as StepRangeLen is.
  return v.payload() == Payload::Object && v.type()->name->name == "Ref" && v.as_struct().fields.size() == 1;
}

namespace {

// A leaf that runs along the broadcast's one dimension: a Vector or a tuple.
const std::vector<Value>* elements_of(const Value& v) {
  if (is_vector_value(v) || (v.payload() == Payload::Object && v.type()->name->is_tuple)) return &v.as_struct().fields;
  return nullptr;
}

}  // namespace

Value Compiler::broadcast_vectors(GenericFunction* f, std::span<const Value> leaves, const Value* dest) {
  TypeRegistry& t = types();
  // The length: every Vector's and tuple's, but those of length 1, which stretch (and the
  // destination's, which nothing stretches).
  size_t n = 1;
  bool sized = false;
  auto merge = [&](size_t len) {
    if (len == 1 && !sized) return;
    if (sized && len != n && len != 1)
      throw Error("DimensionMismatch", "arrays could not be broadcast to a common size; got a dimension with lengths " +
                                           std::to_string(n) + " and " + std::to_string(len));
    if (len != 1) n = len;
    sized = sized || len != 1;
  };
  if (dest) {
    n = dest->as_struct().fields.size();
    sized = true;
  }
  bool any_sequence = dest != nullptr;
  for (const Value& v : leaves)
    if (const auto* xs = elements_of(v)) {
      merge(xs->size());
      any_sequence = true;
    }
  std::vector<Value> results;
  results.reserve(n);
  std::vector<Value> args(leaves.size());
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < leaves.size(); ++j) {
      const auto* xs = elements_of(leaves[j]);
      args[j] = !xs ? (is_ref(leaves[j]) ? leaves[j].as_struct().fields[0] : leaves[j]) : xs->size() == 1 ? (*xs)[0] : (*xs)[i];
    }
    results.push_back(f->call(args.data(), args.size()));
  }
  if (!any_sequence) return results[0];  // scalars only (a Ref among them): f.(Ref(x)) is f(x)
  if (dest) {
    // Every result first, then the stores: a leaf that is the destination reads its old values.
    const Type* elem = dest->type()->params[0];
    for (Value& r : results) r = convert_to(t, elem, r);
    dest->as_struct().fields = std::move(results);
    return *dest;
  }
  const Type* elem = results.empty() ? static_cast<const Type*>(t.Any) : results[0].type();
  for (const Value& r : results)
    if (r.type() != elem) elem = t.Any;
  return vector_of(t, elem, std::move(results));
}

}  // namespace tsr::jit
