#include "runtime/construct.hpp"

#include <cmath>

#include "runtime/dict.hpp"
#include "runtime/errors.hpp"
#include "runtime/half.hpp"
#include "runtime/tensor.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

namespace tsr {

namespace {


[[noreturn]] void inexact(const DataType* to, const Value& v) {
  throw Error("InexactError", show_type(to) + "(" + show_value(v) + ")");
}

// Dict{K,V}(pairs...) and Set{T}(collection): converted to the declared key, value and
// element types.
Value construct_dict(TypeRegistry& types, const DataType* target, std::span<const Value> args) {
  Value d = make_dict(target);
  DictObject& obj = as_dict(d);
  if (obj.is_set) {
    if (args.size() > 1) throw MethodError("no method matching " + show_type(target) + " with " + std::to_string(args.size()) + " arguments");
    if (args.empty()) return d;
    const Value& src = args[0];
    std::vector<Value> items;
    if (src.payload() == Payload::Object && (src.type()->name->is_tuple || is_vector_name(src.type()->name))) items = src.as_struct().fields;
    else if (is_set(src)) {
      const DictObject& so = as_dict(src);
      for (size_t i = so.next_live(0); i < so.keys.size(); i = so.next_live(i + 1)) items.push_back(so.keys[i]);
    } else
      throw MethodError("no method matching " + show_type(target) + "(::" + show_type(src.type()) + ")");
    for (const Value& x : items) obj.set(convert_to(types, target->params[0], x, "an element of " + show_type(target)), Value());
    return d;
  }
  for (const Value& p : args) {
    if (p.payload() != Payload::Object || !is_pair_name(p.type()->name))
      throw MethodError("no method matching " + show_type(target) + "(::" + show_type(p.type()) + "): a Dict is made of pairs k => v");
    const auto& kv = p.as_struct().fields;
    obj.set(convert_to(types, target->params[0], kv[0], "a key of " + show_type(target)),
            convert_to(types, target->params[1], kv[1], "a value of " + show_type(target)));
  }
  return d;
}

}  // namespace

Value convert_number(TypeRegistry& types, const DataType* to, const Value& v) {
  const DataType* from = v.type();
  if (from == to) return v;
  if (!is_number_type(from) || !is_number_type(to))
    throw MethodError("Cannot `convert` an object of type " + show_type(from) + " to an object of type " + show_type(to));
  // Read the value exactly: as a double for floats, as an integer otherwise.
  Payload fp = from->name->payload;
  bool from_float = fp == Payload::Float64 || fp == Payload::Float32 || fp == Payload::Half;
  double d = fp == Payload::Float64   ? v.as_f64()
             : fp == Payload::Float32 ? double(v.as_f32())
             : fp == Payload::Half    ? double(from == types.BFloat16 ? bfloat_to_float(v.as_half_bits()) : half_to_float(v.as_half_bits()))
             : fp == Payload::Bool    ? double(v.as_bool())
                                      : double(v.as_int());
  int64_t i = from_float ? 0 : (from->name->payload == Payload::Bool ? int64_t(v.as_bool()) : v.as_int());
  // A UInt64 above typemax(Int64) reads as a negative Int64: its value is i + 2^64.
  bool big_u64 = !from_float && is_unsigned_integer(from) && integer_bits(from) == 64 && i < 0;
  switch (to->name->payload) {
    case Payload::Float64: return Value::from_f64(to, from_float ? d : big_u64 ? double(uint64_t(i)) : double(i));
    case Payload::Float32: return Value::from_f32(to, from_float ? float(d) : big_u64 ? float(uint64_t(i)) : float(i));
    case Payload::Half: {
      // Through Float32 (a Float64 is rounded twice; the half formats need no more precision
      // than that for what they are used for).
      float f = from_float ? float(d) : float(i);
      return Value::from_half_bits(to, to == types.BFloat16 ? float_to_bfloat(f) : float_to_half(f));
    }
    case Payload::Bool: {
      int64_t x = from_float ? int64_t(d) : i;
      if ((from_float && d != double(x)) || (x != 0 && x != 1)) inexact(to, v);
      return Value::from_bool(to, x != 0);
    }
    case Payload::Int: {
      int b = integer_bits(to);
      bool u64 = is_unsigned_integer(to) && b == 64;
      if (from_float) {
        // In range exactly: [-2^63, 2^63) for the signed, [0, 2^64) for UInt64.
        if (!std::isfinite(d) || d != std::trunc(d) || d < (u64 ? 0.0 : -0x1p63) || d >= (u64 ? 0x1p64 : 0x1p63)) inexact(to, v);
        if (u64) return Value::from_int(to, int64_t(uint64_t(d)));
        i = int64_t(d);
      } else if (big_u64) {
        if (!u64) inexact(to, v);
        return Value::from_int(to, i);
      }
      bool ok = is_unsigned_integer(to) ? (i >= 0 && (b == 64 || i < (int64_t(1) << b)))
                                : (b == 64 || (i >= -(int64_t(1) << (b - 1)) && i < (int64_t(1) << (b - 1))));
      if (!ok) inexact(to, v);
      return Value::from_int(to, i);
    }
    default: break;
  }
  inexact(to, v);
}

// Char(97) is 'a', Int('a') is 97, UInt8('a') is 0x61 (an InexactError where it does not fit).
Value char_conversion(TypeRegistry& types, const DataType* to, const Value& v) {
  const DataType* from = v.type();
  if (is_char_type(to) && is_char_type(from)) return v;
  if (is_char_type(to)) {
    if (from->name->payload != Payload::Int && from->name->payload != Payload::Bool)
      throw MethodError("no method matching Char(::" + show_type(from) + ")");
    int64_t i = from->name->payload == Payload::Bool ? v.as_bool() : v.as_int();
    bool big = is_unsigned_integer(from) && integer_bits(from) == 64 && i < 0;
    if (i < 0 || i > 0x10FFFF || big) inexact(to, v);
    return Value::from_int(to, i);
  }
  if (to->name->payload != Payload::Int || !is_number_type(to))
    throw MethodError("no method matching " + show_type(to) + "(::Char)");
  return convert_number(types, to, Value::from_int(types.Int64, v.as_int()));
}

Value convert_to(TypeRegistry& types, const Type* to, const Value& x, const std::string& context) {
  if (types.issub(x.type(), to)) return x;
  if (auto dt = as_datatype(to); dt && is_number_type(dt) && is_number_type(x.type())) return convert_number(types, dt, x);
  throw MethodError("Cannot `convert` an object of type " + show_type(x.type()) + " to an object of type " +
                    show_type(to) + (context.empty() ? "" : " (" + context + ")"));
}

namespace {

// Matches a field's declared type against an argument's type, binding the type's parameters
// where they occur (`T` in `v::T` or in `xs::Vector{T}`), as Julia's default outer
// constructor `D(v::T, xs::Vector{T}) where T` does. False when the two disagree.
bool bind_params(const TypeName* n, const Type* field, const Type* arg, std::vector<const Type*>& params) {
  for (size_t k = 0; k < n->params.size(); ++k)
    if (field == n->params[k]) {
      if (params[k] && params[k] != arg) return false;
      params[k] = arg;
      return true;
    }
  auto f = as_datatype(field);
  auto a = as_datatype(arg);
  if (!f || !a || f->name != a->name || f->params.size() != a->params.size()) return true;
  for (size_t i = 0; i < f->params.size(); ++i)
    if (!bind_params(n, f->params[i], a->params[i], params)) return false;
  return true;
}

}  // namespace

const DataType* constructed_type(TypeRegistry& types, const Type* t, std::span<const Type* const> argtypes) {
  if (auto dt = as_datatype(t)) return dt->is_concrete ? dt : nullptr;
  // Point(1.0, 2.0): bind each parameter that is some field's whole type from the arguments.
  const DataType* body = as_datatype(unwrap_unionall(t));
  if (!body || body->name->wrapper != t) return nullptr;
  const TypeName* n = body->name;
  // Tensor(img), TensorImage(t): the same element type and rank under the other kind (construct
  // re-tags the object), so code that drops a tag before a kernel launch stays typed.
  if ((n->is_tensor || n->is_semantic) && argtypes.size() == 1) {
    auto a = as_datatype(argtypes[0]);
    if (!a || !(a->name->is_tensor || a->name->is_semantic) || a->params.size() != 2 || n->params.size() != 2) return nullptr;
    try {
      const DataType* r = types.apply(n, a->params);
      return types.issub(r, t) ? r : nullptr;
    } catch (const TypeError&) {
      return nullptr;
    }
  }
  if (n->field_types.size() != argtypes.size()) return nullptr;
  std::vector<const Type*> params(n->params.size(), nullptr);
  for (size_t i = 0; i < argtypes.size(); ++i)
    if (!bind_params(n, n->field_types[i], argtypes[i], params)) return nullptr;
  for (const Type* p : params)
    if (!p || !types.is_concrete(p)) return nullptr;
  try {
    return types.apply(n, params);
  } catch (const TypeError&) {
    return nullptr;
  }
}

Value construct(Globals& g, const Type* t, std::span<const Value> args) {
  TypeRegistry& types = g.types();
  const DataType* dt = as_datatype(t);
  if (dt && args.size() == 1 && (is_char_type(dt) || (is_char_type(args[0].type()) && is_number_type(dt))))
    return char_conversion(types, dt, args[0]);
  if (dt && is_number_type(dt) && args.size() == 1) return convert_number(types, dt, args[0]);
  // Vector{T}(undef, n), as Julia's. Tessera has no unset elements, so a number type's n are
  // zeros (Julia leaves them as the memory was); another element type has no such value.
  if (dt && is_vector_name(dt->name) && args.size() == 2 && args[0].type() && args[0].type()->name->name == "UndefInitializer") {
    const Type* elem = dt->params.empty() ? nullptr : dt->params[0];
    auto et = as_datatype(elem);
    if (args[1].payload() != Payload::Int || args[1].as_int() < 0)
      throw ArgumentError(show_type(dt) + "(undef, n): n is a non-negative integer, got " + show_value(args[1]));
    if (!et || !is_number_type(et))
      throw ArgumentError(show_type(dt) + "(undef, n): Tessera has no unset elements, and " + show_type(elem ? elem : types.Any) +
                          " has no zero to fill with; make an empty " + show_type(dt) + "() and push! to it, or [x for _ in 1:n]");
    Value zero = convert_number(types, et, Value::from_int(types.Int64, 0));
    auto* obj = new StructObject();
    obj->fields.assign(static_cast<size_t>(args[1].as_int()), zero);
    return Value::from_object(dt, obj);
  }
  // TensorImage(t) re-tags a tensor and Tensor(img) drops the tag: no copy.
  if (const DataType* body = as_datatype(unwrap_unionall(t));
      body && (body->name == types.TensorName || body->name->is_semantic) && args.size() == 1 && is_tensor(args[0])) {
    Value r = retag(types, args[0], body->name);
    if (!types.issub(r.type(), t))
      throw MethodError("no method matching " + show_type(t) + "(::" + show_type(args[0].type()) + ")");
    return r;
  }
  std::vector<const Type*> argtypes;
  for (const Value& a : args) argtypes.push_back(a.type());
  const DataType* target = constructed_type(types, t, argtypes);
  auto no_method = [&] {
    std::string call = show_type(t) + "(";
    for (size_t i = 0; i < argtypes.size(); ++i) call += (i ? ", ::" : "::") + show_type(argtypes[i]);
    return MethodError("no method matching " + call + ")");
  };
  if (target && is_dict_type(target->name))
    return construct_dict(types, target, args);
  if (!target || target->name->payload != Payload::Object || target->name->is_tuple || target->name->is_semantic ||
      target->name == types.TensorName || target->name->callable)
    throw no_method();
  const TypeName* n = target->name;
  if (n->field_names.size() != args.size()) throw no_method();
  std::vector<const TypeVar*> vars(n->params.begin(), n->params.end());
  std::vector<Value> fields;
  for (size_t i = 0; i < args.size(); ++i) {
    const Type* ft = types.subst(n->field_types[i], vars, target->params);
    // The context is only spelled out for an error (show_type of a deep type is not cheap).
    if (types.issub(args[i].type(), ft)) fields.push_back(args[i]);
    else fields.push_back(convert_to(types, ft, args[i], "field " + n->field_names[i] + " of " + show_type(target)));
  }
  auto* obj = new StructObject();
  obj->fields = std::move(fields);
  return Value::from_object(target, obj);
}

}  // namespace tsr
