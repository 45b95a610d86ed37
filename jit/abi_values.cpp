// The entry points through which generated code makes and takes apart values: boxing,
// frames of boxed values, tuples, structs, fields, closures, cells, vector literals, and the
// checks (typeassert, truthiness, bounds) that raise errors on them.
#include "jit/abi.hpp"
#include "jit/builtin_registrar.hpp"
#include "jit/intrinsics.hpp"
#include "runtime/construct.hpp"
#include "runtime/tensor.hpp"
#include "runtime/thread_pool.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/type_registry.hpp"

namespace tsr::jit {

const Type* vect_element_type(TypeRegistry& types, std::span<const Value> elems) {
  std::vector<const Type*> ts;
  for (const Value& v : elems) ts.push_back(v.type());
  return vect_element_type(types, ts);
}

const Type* vect_element_type(TypeRegistry& types, std::span<const Type* const> elems) {
  if (elems.empty()) return types.Any;
  const Type* elem = elems[0];
  bool numbers = true;
  for (const Type* t : elems) numbers = numbers && as_datatype(t) && is_number_type(as_datatype(t));
  if (numbers) {
    // [1, 2.5] is a Vector{Float64}: numbers promote, as Julia's vect does.
    const DataType* p = as_datatype(elems[0]);
    for (const Type* t : elems) p = promote_type(types, p, as_datatype(t));
    return p;
  }
  for (const Type* t : elems)
    if (t != elem) return types.Any;
  return elem;
}

}  // namespace tsr::jit

using namespace tsr;
using tsr::jit::abi_globals;

extern "C" {

void tsr_assign(Value* dst, const Value* src) { *dst = *src; }

void tsr_frame_release(Value* frame, int64_t n) {
  for (int64_t i = 0; i < n; ++i) frame[i] = Value();
}

void tsr_box_int(Value* dst, const DataType* t, int64_t v) { *dst = Value::from_int(t, v); }
void tsr_box_f64(Value* dst, double v) { *dst = Value::from_f64(abi_globals().types().Float64, v); }
void tsr_box_f32(Value* dst, float v) { *dst = Value::from_f32(abi_globals().types().Float32, v); }
void tsr_box_bool(Value* dst, bool v) { *dst = Value::from_bool(abi_globals().types().Bool, v); }
void tsr_box_nothing(Value* dst) { *dst = Value::singleton(abi_globals().types().Nothing); }

void tsr_getfield(Value* out, const Value* obj, const std::string* name) {
  const DataType* t = obj->type();
  const TypeName* n = t->name;
  if (n->payload == Payload::Object && !n->is_tuple && t != n->registry->String)
    for (size_t i = 0; i < n->field_names.size(); ++i)
      if (n->field_names[i] == *name) {
        *out = obj->as_struct().fields[i];
        return;
      }
  jit::raise(jit::exception_value(abi_globals(), "ErrorException",
                                  "type " + n->name + " has no field " + *name));
}

void tsr_setfield(const Value* obj, const std::string* name, const Value* v) {
  SerialSection serial;
  Globals& g = abi_globals();
  const DataType* t = obj->type();
  const TypeName* n = t->name;
  if (!n->is_mutable) {
    jit::raise(jit::exception_value(g, "ErrorException",
                                    "setfield!: immutable struct of type " + n->name + " cannot be changed"));
    return;
  }
  for (size_t i = 0; i < n->field_names.size(); ++i)
    if (n->field_names[i] == *name) {
      std::vector<const TypeVar*> vars(n->params.begin(), n->params.end());
      const Type* ft = g.types().subst(n->field_types[i], vars, t->params);
      Value x;
      try {
        x = convert_to(g.types(), ft, *v);
      } catch (...) {
        jit::raise_current_exception(g);
        return;
      }
      obj->as_struct().fields[i] = std::move(x);
      return;
    }
  jit::raise(jit::exception_value(g, "ErrorException", "type " + n->name + " has no field " + *name));
}

void tsr_make_tuple(Value* out, const Value* elems, int64_t n) {
  SerialSection serial;
  TypeRegistry& types = abi_globals().types();
  std::vector<const Type*> ts;
  auto* obj = new StructObject();
  for (int64_t i = 0; i < n; ++i) {
    ts.push_back(elems[i].type());
    obj->fields.push_back(elems[i]);
  }
  *out = Value::from_object(types.tuple(ts), obj);
}

void tsr_make_struct(Value* out, const DataType* t, const Value* fields, int64_t n) {
  auto* obj = new StructObject();
  obj->fields.assign(fields, fields + n);
  *out = Value::from_object(t, obj);
}

const Value* tsr_struct_fields(const Value* v) { return v->as_struct().fields.data(); }

void tsr_tensor_bounds_error(const Value* t, const int64_t* idx, int64_t n) {
  try {
    element_offset(*t, std::span<const int64_t>(idx, static_cast<size_t>(n)));  // raises the BoundsError
    throw InternalError("a tensor index reported out of bounds is in bounds");
  } catch (...) {
    jit::raise_current_exception(abi_globals());
  }
}

void tsr_vector_bounds_error(const Value* v, int64_t i) {
  try {
    jit::bounds_error(*v, i);
  } catch (...) {
    jit::raise_current_exception(abi_globals());
  }
}

void tsr_make_closure(Value* out, const DataType* t, const Value* captures, int64_t n) {
  auto* obj = new StructObject();
  for (int64_t i = 0; i < n; ++i) obj->fields.push_back(captures[i]);
  *out = Value::from_object(t, obj);
}

void tsr_new_cell(Value* out) {
  TypeRegistry& types = abi_globals().types();
  auto* obj = new StructObject();
  obj->fields.emplace_back();  // undefined until assigned
  *out = Value::from_object(as_datatype(types.lookup("#Box")), obj);
}

void tsr_cell_get(Value* out, const Value* cell, const std::string* name) {
  const Value& v = cell->as_struct().fields[0];
  if (!v.defined()) {
    tsr_raise_undef(name);
    return;
  }
  *out = v;
}

void tsr_cell_set(const Value* cell, const Value* v) { cell->as_struct().fields[0] = *v; }

void tsr_typeassert(const Value* v, const Type* t) {
  SerialSection serial;
  Globals& g = abi_globals();
  if (!g.types().issub(v->type(), t))
    jit::raise(jit::exception_value(g, "TypeError", "in typeassert, expected " + show_type(t) + ", got a value of type " +
                                                         show_type(v->type())));
}

bool tsr_truthy(const Value* v) {
  Globals& g = abi_globals();
  if (v->type() == g.types().Bool) return v->as_bool();
  jit::raise(jit::exception_value(g, "TypeError", "non-boolean (" + show_type(v->type()) + ") used in boolean context"));
  return false;
}

double tsr_cbrt(double x) { return jit::cbrt_nearest(x); }
float tsr_cbrtf(float x) { return jit::cbrt_nearest(x); }

void tsr_make_vect(Value* out, const Value* elems, int64_t n) {
  SerialSection serial;
  TypeRegistry& types = abi_globals().types();
  const Type* elem = jit::vect_element_type(types, std::span<const Value>(elems, static_cast<size_t>(n)));
  const Type* ps[] = {elem};
  auto* obj = new StructObject();
  for (int64_t i = 0; i < n; ++i) obj->fields.push_back(convert_to(types, elem, elems[i]));
  *out = Value::from_object(as_datatype(types.instantiate(types.lookup("Vector"), ps)), obj);
}

}  // extern "C"
