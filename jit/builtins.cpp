#include "jit/builtins.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "jit/abi.hpp"
#include "jit/builtin_registrar.hpp"
#include "jit/intrinsics.hpp"
#include "runtime/construct.hpp"
#include "runtime/dict.hpp"
#include "runtime/errors.hpp"
#include "runtime/number_types.hpp"
#include "runtime/tensor.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

namespace tsr::jit {

namespace {

std::unordered_map<const Method*, Intrinsic>& intrinsic_methods() {
  static std::unordered_map<const Method*, Intrinsic> m;
  return m;
}
std::unordered_set<const Method*>& pure_methods() {
  static std::unordered_set<const Method*> m;
  return m;
}
std::unordered_map<const Method*, ResultRule>& result_rules() {
  static std::unordered_map<const Method*, ResultRule> m;
  return m;
}



// print's text for a value: strings as they are, everything else as show writes it.
std::string print_text(const Value& v) { return show_value(v, false); }

}  // namespace

// Elements of a collection, for splatting and collect: vectors, tuples and ranges directly,
// anything else by the iterate protocol.
std::vector<Value> iterate_all(Globals& g, const Value& v) {
  const TypeName* n = v.type()->name;
  if (v.payload() == Payload::Object && (is_vector_name(n) || n->is_tuple)) return v.as_struct().fields;
  if (is_range_name(n)) {
    const auto& f = v.as_struct().fields;
    bool unit = is_unit_range_name(n);
    int64_t start = f[0].as_int(), step = unit ? 1 : f[1].as_int(), stop = f[unit ? 1 : 2].as_int();
    std::vector<Value> out;
    if (step == 0) throw ArgumentError("step cannot be zero");
    for (int64_t i = start; step > 0 ? i <= stop : i >= stop; i += step) out.push_back(Value::from_int(f[0].type(), i));
    return out;
  }
  GenericFunction& iterate = g.function("iterate");
  std::vector<Value> out;
  Value next = iterate.call(&v, 1);
  while (next.type() != g.types().Nothing) {
    if (next.payload() != Payload::Object || !next.type()->name->is_tuple || next.as_struct().fields.size() != 2)
      throw TypeError("iterate must return nothing or a (value, state) tuple, got " + show_value(next));
    Value st = next.as_struct().fields[1];
    out.push_back(next.as_struct().fields[0]);
    Value args[] = {v, st};
    next = iterate.call(args, 2);
  }
  return out;
}

namespace {

std::vector<Value> elements(Registrar& r, const Value& v) { return iterate_all(r.g_, v); }

int64_t range_length(const Value& v) {
  const auto& f = v.as_struct().fields;
  bool unit = is_unit_range_name(v.type()->name);
  int64_t start = f[0].as_int(), step = unit ? 1 : f[1].as_int(), stop = f[unit ? 1 : 2].as_int();
  if (step > 0) return stop < start ? 0 : (stop - start) / step + 1;
  return stop > start ? 0 : (start - stop) / (-step) + 1;
}


// round(x; digits = d, base = b) as Julia's: x * b^d rounded (ties to even) and divided back;
// a negative d rounds to a multiple of b^-d. Integers with d >= 0 are themselves.
// round(x; sigdigits = s): d = s minus the number of x's digits before the point.
Value round_digits(TypeRegistry& t, const Value& x, const Value& kw) {
  int64_t digits = 0, base = 10, sigdigits = 0;
  bool by_digits = false, by_sigdigits = false;
  const auto& f = kw.as_struct().fields;
  for (size_t i = 0; i + 1 < f.size(); i += 2) {
    if (f[i + 1].type()->name->payload != Payload::Int)
      throw TypeError("in keyword argument " + f[i].as_string() + ", expected Integer, got a value of type " +
                      show_type(f[i + 1].type()));
    const std::string& name = f[i].as_string();
    by_digits = by_digits || name == "digits";
    by_sigdigits = by_sigdigits || name == "sigdigits";
    (name == "digits" ? digits : name == "sigdigits" ? sigdigits : base) = f[i + 1].as_int();
  }
  if (by_digits && by_sigdigits) throw ArgumentError("`round` cannot use both `digits` and `sigdigits` arguments.");
  if (by_sigdigits && sigdigits < 1) throw domain_error_with(std::to_string(sigdigits), "`sigdigits` must be at least 1");
  const DataType* xt = x.type();
  bool f32 = xt == t.Float32;
  bool is_int = xt->name->payload == Payload::Int || xt->name->payload == Payload::Bool;
  double v = f32 ? x.as_f32() : convert_number(t, t.Float64, x).as_f64();
  if (by_sigdigits) {
    if (v == 0 || !std::isfinite(v)) return x;
    double lg = base == 10 ? std::log10(std::fabs(v)) : std::log(std::fabs(v)) / std::log(double(base));
    digits = sigdigits - (int64_t(std::floor(lg)) + 1);
  }
  if (is_int && digits >= 0) return x;
  if (!std::isfinite(v)) return x;
  double y;
  if (digits >= 0) {
    double inv = std::pow(double(base), double(digits));
    if (f32) inv = float(inv);
    y = std::isfinite(inv) ? (f32 ? double(std::nearbyint(float(v) * float(inv)) / float(inv)) : std::nearbyint(v * inv) / inv) : v;
  } else {
    double step = std::pow(double(base), double(-digits));
    y = f32 ? double(std::nearbyint(float(v) / float(step)) * float(step)) : std::nearbyint(v / step) * step;
  }
  if (is_int) return convert_number(t, xt, Value::from_f64(t.Float64, y));
  return f32 ? Value::from_f32(t.Float32, float(y)) : Value::from_f64(t.Float64, std::isfinite(y) ? y : v);
}

bool egal(const Value& a, const Value& b) { return egal_values(a, b); }

Value type_value(TypeRegistry& t, const Type* ty) {
  const DataType* kind = ty->kind == TypeKind::UnionAll ? t.UnionAllT : ty->kind == TypeKind::Union ? t.UnionTypeT : t.DataTypeT;
  return Value::from_type(kind, ty);
}

// T{params...} of a type's value and the parameters' values (types, or integers as N).
const Type* apply_type_value(TypeRegistry& t, const Value& head, std::span<const Value> params) {
  if (head.payload() != Payload::Type) throw TypeError("in a type application, expected a type, got " + show_value(head));
  auto body = as_datatype(unwrap_unionall(head.as_type()));
  if (!body || body->name->wrapper != head.as_type())
    throw TypeError("in a type application, " + show_value(head) + " takes no parameters here");
  std::vector<const Type*> ps;
  for (const Value& p : params) {
    if (p.payload() == Payload::Type) ps.push_back(p.as_type());
    else if (p.payload() == Payload::Int) ps.push_back(t.const_param(p.as_int()));
    else throw TypeError("in a type application of " + show_value(head) + ", a parameter must be a type or an integer, got " + show_value(p));
  }
  return t.apply(body->name, ps);
}

void register_types(TypeRegistry& t) {
  TypeDecl ex;
  ex.kind = TypeDecl::Kind::Abstract;
  ex.name = "Exception";
  t.declare(ex);
  const Type* exc = t.lookup("Exception");
  for (const char* name : {"ErrorException", "MethodError", "TypeError", "UndefVarError", "ArgumentError", "BoundsError",
                           "DomainError", "AssertionError", "InexactError", "InternalError", "OverflowError", "KeyError",
                           "FieldError", "StackOverflowError", "DimensionMismatch", "OutOfMemoryError", "StringIndexError", "SystemError", "IOError",
                           "UndefKeywordError"})
    declare_struct(t, name, exc, {"msg"}, {t.String});
  declare_struct(t, "DivideError", exc, {}, {});
  {
    TypeVar* T = t.new_typevar("T");
    t.VectorName = declare_struct(t, "Vector", nullptr, {}, {}, true, {T})->name;
  }
  {
    TypeVar* T = t.new_typevar("T", nullptr, t.Integer);
    t.UnitRangeName = declare_struct(t, "UnitRange", nullptr, {"start", "stop"}, {T, T}, false, {T})->name;
  }
  {
    TypeVar* T = t.new_typevar("T", nullptr, t.Integer);
    TypeVar* S = t.new_typevar("S", nullptr, t.Integer);
    t.StepRangeName = declare_struct(t, "StepRange", nullptr, {"start", "step", "stop"}, {T, S, T}, false, {T, S})->name;
  }
  // Internal types: names a script cannot write, so they never clash with user types.
  declare_struct(t, "#Box", nullptr, {"contents"}, {t.Any}, true);
  declare_struct(t, "#KwArgs", nullptr, {}, {});
  t.ColonName = declare_struct(t, "Colon", nullptr, {}, {})->name;  // the `:` of t[2:3, :]
  register_collection_types(t);
}

void register_intrinsics(Registrar& r) {
  TypeRegistry& t = r.t_;
  for (int i = 0; i < static_cast<int>(Intrinsic::Count); ++i) {
    auto op = static_cast<Intrinsic>(i);
    IntrinsicInfo info = intrinsic_info(op);
    const Type* arg = t.Real;
    if (op == Intrinsic::BitAnd || op == Intrinsic::BitOr || op == Intrinsic::BitXor || op == Intrinsic::Shl ||
        op == Intrinsic::Shr || op == Intrinsic::LShr)
      arg = t.Integer;
    if (op == Intrinsic::Not) arg = t.Bool;
    std::vector<const Type*> sig(info.arity, arg);
    std::vector<std::string> names = info.arity == 1   ? std::vector<std::string>{"x"}
                                     : info.arity == 2 ? std::vector<std::string>{"x", "y"}
                                                       : std::vector<std::string>{"x", "y", "z"};
    Fn fn = [&t, op](std::span<const Value> a) { return eval_intrinsic(t, op, a); };
    std::vector<std::string> keywords;
    if (op == Intrinsic::Round) {
      // round(x; digits = 2, base = 10) comes here with its keywords (only through a dynamic
      // call: a call without keywords stays the inline intrinsic).
      keywords = {"digits", "base", "sigdigits"};
      fn = [&t](std::span<const Value> a) {
        if (!has_kwargs(a.data(), a.size())) return eval_intrinsic(t, Intrinsic::Round, a);
        return round_digits(t, a[0], a[1]);
      };
    }
    const Method* m = r.add(info.name, sig, names, nullptr, fn, keywords);
    intrinsic_methods()[m] = op;
    // Julia's other spellings.
    if (op == Intrinsic::Rem) intrinsic_methods()[r.add("%", sig, names, nullptr, fn)] = op;
    if (op == Intrinsic::IntDiv) intrinsic_methods()[r.add("÷", sig, names, nullptr, fn)] = op;
  }
}

void register_io_and_reflection(Registrar& r) {
  TypeRegistry& t = r.t_;
  const Type* any = t.Any;
  const Type* va_any = t.vararg(t.Any);
  r.add("println", {va_any}, {"xs"}, t.Nothing, [&r](std::span<const Value> a) {
    std::string s;
    for (const Value& v : a) s += print_text(v);
    s += "\n";
    std::fwrite(s.data(), 1, s.size(), stdout);
    return r.nothing();
  });
  r.add("print", {va_any}, {"xs"}, t.Nothing, [&r](std::span<const Value> a) {
    std::string s;
    for (const Value& v : a) s += print_text(v);
    std::fwrite(s.data(), 1, s.size(), stdout);
    return r.nothing();
  });
  r.add("show", {any}, {"x"}, t.Nothing, [&r](std::span<const Value> a) {
    std::string s = show_value(a[0]);
    std::fwrite(s.data(), 1, s.size(), stdout);
    return r.nothing();
  });
  r.add("string", {va_any}, {"xs"}, t.String, [&r](std::span<const Value> a) {
    std::string s;
    for (const Value& v : a) s += print_text(v);
    return r.str(s);
  });
  r.add("repr", {any}, {"x"}, t.String, [&r](std::span<const Value> a) { return r.str(show_value(a[0])); });
  const Method* type_of = r.add("typeof", {any}, {"x"}, nullptr, [&t](std::span<const Value> a) { return type_value(t, a[0].type()); });
  set_result_rule(type_of, ResultRule::TypeOfFirst);
  set_pure(type_of);
  // __apply_type(T, params...): T{params...} where a body names its method's `where` variables
  // (dsl/lower.cpp); inference computes it for each specialization (jit/infer.cpp).
  set_pure(r.add("__apply_type", {any, va_any}, {"T", "params"}, nullptr, [&t](std::span<const Value> a) {
    return type_value(t, apply_type_value(t, a[0], a.subspan(1)));
  }));
  r.add("isa", {any, any}, {"x", "T"}, t.Bool, [&r, &t](std::span<const Value> a) {
    if (a[1].payload() != Payload::Type) throw TypeError("isa: the second argument must be a type, got " + show_value(a[1]));
    // A type is an instance of Type{itself}: isa(Int, Type{Int}), isa(Int, Type).
    const Type* at = a[0].payload() == Payload::Type ? t.type_of_type(a[0].as_type()) : a[0].type();
    return r.boolean(t.issub(at, a[1].as_type()) || t.issub(a[0].type(), a[1].as_type()));
  });
  // As Julia's: whether the value's contents can change in place (a mutable struct's fields,
  // a Vector's, Dict's or Set's elements, a tensor's storage). Numbers, strings, symbols,
  // tuples and immutable structs cannot. (update! walks a model only where they can.)
  r.add("ismutable", {any}, {"v"}, t.Bool, [&r](std::span<const Value> a) {
    const Value& v = a[0];
    if (v.payload() != Payload::Object) return r.boolean(false);
    const TypeName* n = v.type()->name;
    return r.boolean(n->is_mutable || is_vector_name(n) || is_dict(v) || is_set(v) || is_tensor(v));
  });
  r.add("supertype", {any}, {"T"}, nullptr, [&t](std::span<const Value> a) {
    auto dt = a[0].payload() == Payload::Type ? as_datatype(unwrap_unionall(a[0].as_type())) : nullptr;
    if (!dt) no_method("supertype", a);
    const Type* super = dt->super;
    if (a[0].as_type()->kind == TypeKind::UnionAll && as_datatype(super)) {
      // supertype(Point) is the supertype of its wrapper, with the parameters free again.
      super = t.unionall(std::vector<const TypeVar*>(dt->name->params.begin(), dt->name->params.end()), super);
    }
    return type_value(t, super);
  });
  r.add("<:", {any, any}, {"A", "B"}, t.Bool, [&r, &t](std::span<const Value> a) {
    if (a[0].payload() != Payload::Type || a[1].payload() != Payload::Type)
      no_method("<:", a);
    return r.boolean(t.issub(a[0].as_type(), a[1].as_type()));
  });
  r.add("===", {any, any}, {"a", "b"}, t.Bool, [&r](std::span<const Value> a) { return r.boolean(egal(a[0], a[1])); });
  r.add("!==", {any, any}, {"a", "b"}, t.Bool, [&r](std::span<const Value> a) { return r.boolean(!egal(a[0], a[1])); });
  r.add("==", {any, any}, {"a", "b"}, t.Bool, [&r](std::span<const Value> a) { return r.boolean(egal(a[0], a[1])); });
  r.add("!=", {any, any}, {"a", "b"}, t.Bool, [&r](std::span<const Value> a) { return r.boolean(!egal(a[0], a[1])); });
  r.add("error", {va_any}, {"msg"}, t.bottom(), [&r](std::span<const Value> a) -> Value {
    std::string s;
    for (const Value& v : a) s += print_text(v);
    throw ErrorException(s);
  });
  r.add("throw", {any}, {"e"}, t.bottom(), [&r](std::span<const Value> a) -> Value {
    throw TesseraError("Error", describe_exception(a[0]), a[0], {});
  });
  r.add("__assert_failed", {any}, {"msg"}, t.bottom(), [](std::span<const Value> a) -> Value {
    throw Error("AssertionError", print_text(a[0]));
  });
  r.add("methods", {any}, {"f"}, nullptr, [&r, &t](std::span<const Value> a) {
    if (a[0].payload() != Payload::Function) no_method("methods", a);
    GenericFunction* f = a[0].as_function();
    std::vector<Value> out;
    for (const Method* m : f->methods()) out.push_back(r.str(f->show_method(*m)));
    const Type* ps[] = {t.String};
    auto* obj = new StructObject();
    obj->fields = std::move(out);
    return Value::from_object(as_datatype(t.instantiate(t.lookup("Vector"), ps)), obj);
  });
  r.add("time_ns", {}, {}, t.UInt64, [&t](std::span<const Value>) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch());
    return Value::from_int(t.UInt64, ns.count());
  });
  for (const DataType* nt : {t.Int64, t.Int32, t.Int16, t.Int8, t.UInt8, t.UInt16, t.UInt32, t.UInt64}) {
    const Type* tt = t.type_of_type(nt);
    bool un = is_unsigned_integer(nt);
    int bits = integer_bits(nt);
    int64_t max = un ? (bits == 64 ? -1 : (int64_t(1) << bits) - 1) : (bits == 64 ? INT64_MAX : (int64_t(1) << (bits - 1)) - 1);
    int64_t min = un ? 0 : (bits == 64 ? INT64_MIN : -(int64_t(1) << (bits - 1)));
    set_pure(r.add("typemax", {tt}, {""}, nt, [nt, max](std::span<const Value>) { return Value::from_int(nt, max); }));
    set_pure(r.add("typemin", {tt}, {""}, nt, [nt, min](std::span<const Value>) { return Value::from_int(nt, min); }));
  }
  // Bool: false and true, as Julia's (a UInt8 image's code clamps with them for a Bool mask too).
  const DataType* bt = t.Bool;
  set_pure(r.add("typemax", {t.type_of_type(bt)}, {""}, bt, [bt](std::span<const Value>) { return Value::from_bool(bt, true); }));
  set_pure(r.add("typemin", {t.type_of_type(bt)}, {""}, bt, [bt](std::span<const Value>) { return Value::from_bool(bt, false); }));
  // Floats: typemax is Inf, typemin -Inf (Julia's); floatmax/floatmin/eps the finite limits.
  auto float_const = [&](const char* name, const DataType* ft, double v) {
    set_pure(r.add(name, {t.type_of_type(ft)}, {""}, ft, [ft, v](std::span<const Value>) {
      return ft->name->payload == Payload::Float64 ? Value::from_f64(ft, v) : Value::from_f32(ft, static_cast<float>(v));
    }));
  };
  for (const DataType* ft : {t.Float64, t.Float32}) {
    bool single = ft == t.Float32;
    float_const("typemax", ft, std::numeric_limits<double>::infinity());
    float_const("typemin", ft, -std::numeric_limits<double>::infinity());
    float_const("floatmax", ft, single ? double(std::numeric_limits<float>::max()) : std::numeric_limits<double>::max());
    float_const("floatmin", ft, single ? double(std::numeric_limits<float>::min()) : std::numeric_limits<double>::min());
    float_const("eps", ft, single ? double(std::numeric_limits<float>::epsilon()) : std::numeric_limits<double>::epsilon());
  }
  r.add("float", {t.Real}, {"x"}, nullptr, [&t](std::span<const Value> a) {
    if (a[0].type() == t.Float32 || a[0].type() == t.Float64) return a[0];
    return convert_number(t, t.Float64, a[0]);
  });
}

void register_collections(Registrar& r) {
  TypeRegistry& t = r.t_;
  const Type* any = t.Any;
  auto colon = [&r, &t](std::span<const Value> a) {
    for (const Value& v : a)
      if (v.type()->name->payload != Payload::Int)
        throw MethodError("ranges of non-integers are not supported yet: " + show_type(v.type()));
    auto* obj = new StructObject();
    obj->fields.assign(a.begin(), a.end());
    // start and stop share one type (promoted, as Julia's ranges do); a step keeps its own.
    const DataType* elem = promote_type(t, a.front().type(), a.back().type());
    obj->fields.front() = convert_number(t, elem, a.front());
    obj->fields.back() = convert_number(t, elem, a.back());
    if (a.size() == 3) {
      // Julia keeps a step range's stop on its last element: 1:2:10 is 1:2:9.
      int64_t start = a[0].as_int(), step = a[1].as_int(), stop = a[2].as_int();
      if (step == 0) throw ArgumentError("step cannot be zero");
      if ((step > 0 && stop >= start) || (step < 0 && stop <= start))
        obj->fields[2] = Value::from_int(a[2].type(), start + (stop - start) / step * step);
    }
    if (a.size() == 2) {
      const Type* ps[] = {elem};
      return Value::from_object(as_datatype(t.instantiate(t.lookup("UnitRange"), ps)), obj);
    }
    const Type* ps[] = {elem, a[1].type()};
    return Value::from_object(as_datatype(t.instantiate(t.lookup("StepRange"), ps)), obj);
  };
  set_result_rule(r.add(":", {t.Integer, t.Integer}, {"start", "stop"}, nullptr, colon), ResultRule::IntRange);
  set_result_rule(r.add(":", {t.Integer, t.Integer, t.Integer}, {"start", "step", "stop"}, nullptr, colon), ResultRule::IntRange);
  // Float ranges (0:0.1:1, 0.5:3) are Julia's StepRangeLen, made in stdlib/Ranges.tsr.
  Globals& globals = r.g_;
  auto float_colon = [&globals](std::span<const Value> a) { return globals.function("__float_colon").call(a); };
  r.add(":", {t.Real, t.Real}, {"start", "stop"}, nullptr, float_colon);
  r.add(":", {t.Real, t.Real, t.Real}, {"start", "step", "stop"}, nullptr, float_colon);
  r.add("length", {any}, {"x"}, t.Int64, [&r](std::span<const Value> a) {
    const Value& v = a[0];
    if (v.type() == r.t_.String) {  // characters, not bytes (ncodeunits counts those)
      int64_t chars = 0;
      for (unsigned char c : v.as_string()) chars += (c & 0xC0) != 0x80;
      return r.integer(chars);
    }
    if (is_vector_name(v.type()->name) || v.type()->name->is_tuple) return r.integer(static_cast<int64_t>(v.as_struct().fields.size()));
    if (is_range_name(v.type()->name)) return r.integer(range_length(v));
    if (is_tensor(v)) return r.integer(tensor_of(v).numel());
    no_method("length", a);
  });
  set_result_rule(r.add("getindex", {any, t.Integer}, {"x", "i"}, nullptr, [&r](std::span<const Value> a) {
    const Value& v = a[0];
    int64_t i = a[1].type()->name->payload == Payload::Bool ? a[1].as_bool() : a[1].as_int();
    const TypeName* n = v.type()->name;
    if (is_vector_name(n) || n->is_tuple) {
      const auto& f = v.as_struct().fields;
      if (i < 1 || i > static_cast<int64_t>(f.size())) bounds_error(v, i);
      return f[i - 1];
    }
    if (is_range_name(n)) {
      if (i < 1 || i > range_length(v)) bounds_error(v, i);
      const auto& f = v.as_struct().fields;
      int64_t step = is_unit_range_name(n) ? 1 : f[1].as_int();
      return Value::from_int(f[0].type(), f[0].as_int() + (i - 1) * step);
    }
    no_method("getindex", a);
  }), ResultRule::ElementOfFirst);
  r.add("setindex!", {any, any, t.Integer}, {"x", "v", "i"}, nullptr, [&t](std::span<const Value> a) {
    const Value& v = a[0];
    if (!is_vector_name(v.type()->name)) no_method("setindex!", a);
    auto& f = v.as_struct().fields;
    int64_t i = a[2].as_int();
    if (i < 1 || i > static_cast<int64_t>(f.size())) bounds_error(v, i);
    Value x = convert_to(t, v.type()->params[0], a[1]);
    f[i - 1] = x;
    return a[1];
  });
  r.add("push!", {any, any}, {"v", "x"}, nullptr, [&t](std::span<const Value> a) {
    const Value& v = a[0];
    if (!is_vector_name(v.type()->name)) no_method("push!", a);
    Value x = convert_to(t, v.type()->params[0], a[1]);
    v.as_struct().fields.push_back(x);
    return v;
  });
  // f(a, xs...): the pieces are collections whose elements, in order, are f's arguments.
  r.add("__apply", {any, t.vararg(any)}, {"f", "pieces"}, nullptr, [&r](std::span<const Value> a) {
    std::vector<Value> args;
    for (size_t i = 1; i < a.size(); ++i) {
      std::vector<Value> els = elements(r, a[i]);
      args.insert(args.end(), els.begin(), els.end());
    }
    Value out;
    tsr_call_value(&out, &a[0], args.data(), static_cast<int64_t>(args.size()), nullptr, 0);
    if (tsr_pending) rethrow_pending();
    return out;
  });
  r.add("collect", {any}, {"xs"}, nullptr, [&r, &t](std::span<const Value> a) {
    std::vector<Value> els = elements(r, a[0]);
    const Type* elem = is_vector_name(a[0].type()->name) ? a[0].type()->params[0]
                       : els.empty() ? static_cast<const Type*>(t.Any) : els[0].type();
    for (const Value& e : els)
      if (e.type() != elem && !t.issub(e.type(), elem)) elem = t.Any;
    const Type* ps[] = {elem};
    auto* obj = new StructObject();
    obj->fields = std::move(els);
    return Value::from_object(as_datatype(t.instantiate(t.lookup("Vector"), ps)), obj);
  });
  r.add("Vector", {}, {}, nullptr, [&t](std::span<const Value>) {
    const Type* ps[] = {t.Any};
    return Value::from_object(as_datatype(t.instantiate(t.lookup("Vector"), ps)), new StructObject());
  });
}

}  // namespace

[[noreturn]] void bounds_error(const Value& v, int64_t i) {
  // As Julia prints them: a vector or range by its length and type, a tuple by its type.
  const TypeName* n = v.type()->name;
  std::string what = is_vector_name(n)  ? std::to_string(v.as_struct().fields.size()) + "-element " + show_type(v.type())
                     : is_range_name(n) ? std::to_string(range_length(v)) + "-element " + show_type(v.type())
                     : n->is_tuple      ? show_type(v.type())
                                        : show_value(v);
  throw Error("BoundsError", "attempt to access " + what + " at index [" + std::to_string(i) + "]");
}

const DataType* declare_struct(TypeRegistry& t, const char* name, const Type* super, std::vector<std::string> fields,
                               std::vector<const Type*> ftypes, bool is_mutable, std::vector<TypeVar*> params) {
  TypeDecl d;
  d.kind = is_mutable ? TypeDecl::Kind::MutableStruct : TypeDecl::Kind::Struct;
  d.name = name;
  d.super = super;
  d.params = std::move(params);
  d.field_names = std::move(fields);
  d.field_types = std::move(ftypes);
  return t.declare(d)->primary;
}

void register_builtins(Globals& g) {
  static std::unique_ptr<Registrar> keep;  // the lambdas hold a reference to it
  // One runtime at a time: forget the methods of the previous one.
  intrinsic_methods().clear();
  result_rules().clear();
  pure_methods().clear();
  register_types(g.types());
  auto r = std::make_unique<Registrar>(g);
  register_intrinsics(*r);
  register_io_and_reflection(*r);
  register_collections(*r);
  register_string_operators(*r);
  register_number_builtins(*r);
  register_element_type_builtins(*r);
  register_lowering_hooks(*r);
  register_vector_builtins(*r);
  register_collection_builtins(*r);
  register_string_builtins(*r);
  register_regex_builtins(*r);
  register_io_builtins(*r);
  register_tensor_builtins(*r);
  register_system_builtins(*r);
  register_gpu_builtins(*r);
  register_idx_reader(*r);
  register_safetensors_io(*r);
  register_png_writer(*r);
  register_batch_prefetch(*r);
  register_run_files(*r);
  keep = std::move(r);
}

std::optional<Intrinsic> builtin_intrinsic(const Method* m) {
  auto& table = intrinsic_methods();
  auto it = table.find(m);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

void no_method(const char* fname, std::span<const Value> args) {
  std::string call = std::string("no method matching ") + fname + "(";
  for (size_t i = 0; i < args.size(); ++i) call += (i ? ", ::" : "::") + show_type(args[i].type());
  throw MethodError(call + ")");
}

void unsupported_keywords(const std::string& fname, std::span<const Value> positional, const Value& kwargs) {
  std::string call = "no method matching " + fname + "(";
  for (size_t i = 0; i < positional.size(); ++i) call += (i ? ", ::" : "::") + show_type(positional[i].type());
  const auto& kw = kwargs.as_struct().fields;
  for (size_t i = 0; i + 1 < kw.size(); i += 2)
    call += (i ? ", " : "; ") + kw[i].as_string() + "::" + show_type(kw[i + 1].type());
  throw MethodError(call + ")\nThis method does not support all of the given keyword arguments (and may not support any).");
}

void set_result_rule(const Method* m, ResultRule rule) { result_rules()[m] = rule; }

void set_pure(const Method* m) { pure_methods().insert(m); }
bool is_pure_builtin(const Method* m) { return pure_methods().count(m) > 0; }

namespace {

// The element type and rank of a concrete tensor type (Tensor or a semantic kind), if it is one.
struct TensorShapeType {
  DType dtype;
  int64_t rank;
};
std::optional<TensorShapeType> tensor_shape_of(TypeRegistry& types, const DataType* t) {
  if (!t->is_concrete || (t->name != types.TensorName && !t->name->is_semantic) || t->params.size() != 2)
    return std::nullopt;
  const ConstParam* rank = as_const(t->params[1]);
  auto d = dtype_of(t->params[0]);
  if (!rank || !d || rank->value < 0 || rank->value > kMaxRank) return std::nullopt;
  return TensorShapeType{*d, rank->value};
}

// The types of the dimensions a call gives, one by one or as one tuple (zeros(T, 2, 3),
// zeros(T, (2, 3)), reshape(t, (6, :))).
std::vector<const Type*> dimension_types(std::span<const Type* const> dims) {
  auto tuple = dims.size() == 1 ? as_datatype(dims[0]) : nullptr;
  if (tuple && tuple->name->is_tuple && tuple->is_concrete) return tuple->params;
  return std::vector<const Type*>(dims.begin(), dims.end());
}

}  // namespace

const Type* builtin_result_type(TypeRegistry& types, const Method* m, std::span<const Type* const> args) {
  if (m->result) return m->result;
  auto rule = result_rules().find(m);
  if (rule == result_rules().end() || args.empty()) return types.Any;
  auto first = as_datatype(args[0]);
  if (!first) return types.Any;
  if (rule->second == ResultRule::LocalMem) {
    auto dims = args.size() > 1 ? as_datatype(args[1]) : nullptr;
    if (!first->name->is_type_of_type || first->params.size() != 1 || !dims || !dims->name->is_tuple) return types.Any;
    auto d = dtype_of(first->params[0]);
    if (!d || dims->params.size() < 1 || dims->params.size() > kMaxRank) return types.Any;
    return tensor_type(types, types.TensorName, *d, static_cast<int>(dims->params.size()));
  }
  if (rule->second == ResultRule::NewTensor) {
    if (!first->name->is_type_of_type || first->params.size() != 1) return types.Any;
    auto d = dtype_of(first->params[0]);
    std::vector<const Type*> dims = dimension_types(args.subspan(1));
    if (!d || dims.empty() || dims.size() > kMaxRank) return types.Any;
    for (const Type* f : dims)
      if (f != types.Int64) return types.Any;
    return tensor_type(types, types.TensorName, *d, static_cast<int>(dims.size()));
  }
  if (rule->second == ResultRule::SimilarTensor) {
    auto shape = tensor_shape_of(types, first);
    auto ty = args.size() > 1 ? as_datatype(args[1]) : nullptr;
    if (!shape || !ty) return types.Any;
    bool typed = ty->name->is_type_of_type;  // similar(x, T, dims...), else similar(x, dims...)
    if (typed && ty->params.size() != 1) return types.Any;
    auto d = typed ? dtype_of(ty->params[0]) : std::optional<DType>(shape->dtype);
    std::vector<const Type*> dims = dimension_types(args.subspan(typed ? 2 : 1));
    if (!d || dims.size() > kMaxRank) return types.Any;
    for (const Type* f : dims)
      if (f != types.Int64) return types.Any;
    return tensor_type(types, types.TensorName, *d, dims.empty() ? shape->rank : static_cast<int>(dims.size()));
  }
  if (rule->second == ResultRule::ShapeOfTensor) {
    auto shape = tensor_shape_of(types, first);
    if (!shape) return types.Any;
    return types.tuple(std::vector<const Type*>(static_cast<size_t>(shape->rank), types.Int64));
  }
  if (rule->second == ResultRule::ViewOfFirst) {
    // The view's rank: the dimensions given (Int64s or Colons), the permutation's length, or
    // the matrix's own for permutedims(t).
    auto shape = tensor_shape_of(types, first);
    if (!shape) return types.Any;
    std::vector<const Type*> dims = dimension_types(args.subspan(1));
    if (dims.empty()) return shape->rank == 2 ? first : types.Any;  // permutedims(t) of a matrix
    if (dims.size() > kMaxRank) return types.Any;
    for (const Type* t : dims) {
      auto dt = as_datatype(t);
      if (t != types.Int64 && !(dt && is_colon_name(dt->name))) return types.Any;
    }
    return tensor_type(types, first->name, shape->dtype, static_cast<int>(dims.size()));
  }
  if (rule->second == ResultRule::TensorSlice) {
    // One index per dimension, each an Int64 (dropped), a colon or a range of Int64s (kept);
    // anything else (a vector, a mask, linear indexing) is left to the run time.
    auto shape = tensor_shape_of(types, first);
    if (!shape || args.size() - 1 != static_cast<size_t>(shape->rank)) return types.Any;
    int rank = 0;
    for (size_t i = 1; i < args.size(); ++i) {
      if (args[i] == types.Int64) continue;
      auto dt = as_datatype(args[i]);
      if (!dt || !dt->is_concrete) return types.Any;
      bool int_range = is_range_name(dt->name) &&
                       std::all_of(dt->params.begin(), dt->params.end(), [&](const Type* p) { return p == types.Int64; });
      if (!is_colon_name(dt->name) && !int_range) return types.Any;
      ++rank;
    }
    return rank == 0 ? types.Any : tensor_type(types, first->name, shape->dtype, rank);
  }
  if (rule->second == ResultRule::IntRange) {
    for (const Type* a : args)
      if (a != args[0] || !is_bits_number(a) || is_bits_float(a) || a == types.Bool) return types.Any;
    const Type* ps[] = {args[0], args[0]};
    return types.instantiate(types.lookup(args.size() == 2 ? "UnitRange" : "StepRange"), std::span<const Type* const>(ps, args.size() == 2 ? 1 : 2));
  }
  if (rule->second == ResultRule::AccumNamed) {
    // Two gradients of one struct, field by field: accum(nothing, x) is x and accum(x, nothing)
    // is x; a field both have (added by accum at run time) leaves the type unknown here.
    auto second = args.size() == 2 ? as_datatype(args[1]) : nullptr;
    if (!second || !first->is_concrete || !second->is_concrete || !first->name->is_named_tuple || !second->name->is_named_tuple)
      return types.Any;
    std::vector<std::string> names = first->name->field_names;
    std::vector<const Type*> fields = first->params;
    const auto& bn = second->name->field_names;
    for (size_t i = 0; i < bn.size(); ++i) {
      auto it = std::find(names.begin(), names.end(), bn[i]);
      if (it == names.end()) {
        names.push_back(bn[i]);
        fields.push_back(second->params[i]);
        continue;
      }
      const Type*& f = fields[static_cast<size_t>(it - names.begin())];
      if (second->params[i] == types.Nothing) continue;
      if (f != types.Nothing) return types.Any;
      f = second->params[i];
    }
    return types.named_tuple(names, fields);
  }
  if (rule->second == ResultRule::StorageOfFirst) {
    auto shape = tensor_shape_of(types, first);
    return shape ? tensor_type(types, types.TensorName, shape->dtype, 1) : types.Any;
  }
  if (!first->is_concrete && rule->second != ResultRule::TypeArgument) return types.Any;
  auto concrete = [&](const Type* t) { return types.is_concrete(t) ? t : types.Any; };
  switch (rule->second) {
    case ResultRule::ElementOfFirst: {
      if ((is_vector_name(first->name) || is_range_name(first->name)) && args.size() == 2 && !first->params.empty())
        return concrete(first->params[0]);
      return types.Any;
    }
    case ResultRule::SameAsFirst: return first;
    case ResultRule::TypeArgument:  // Type{T}, whose one parameter is T
      return first->name->is_type_of_type && first->params.size() == 1 ? concrete(first->params[0]) : types.Any;
    case ResultRule::TypeOfFirst: return types.type_of_type(first);
    case ResultRule::ElementTypeOfFirst: {  // eltype(xs): Type{T} when xs's type tells T
      const Type* e = element_type_of(types, first);
      return e == types.Any ? types.Any : types.type_of_type(e);
    }
    case ResultRule::LocalMem:
    case ResultRule::NewTensor:
    case ResultRule::ShapeOfTensor:
    case ResultRule::ViewOfFirst:
    case ResultRule::TensorSlice:
    case ResultRule::IntRange:
    case ResultRule::SimilarTensor:
    case ResultRule::AccumNamed:
    case ResultRule::StorageOfFirst: break;  // handled above
  }
  return types.Any;
}

}  // namespace tsr::jit
