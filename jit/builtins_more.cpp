// Built-in methods on strings, number helpers that need the runtime's types, constants, and
// the helpers lowering and stdlib/Base.tsr call (__narrow, __empty_like, __setconst, ...).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "jit/builtin_registrar.hpp"
#include "runtime/allocator.hpp"
#include "runtime/construct.hpp"
#include "runtime/errors.hpp"
#include "runtime/tensor.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

namespace tsr::jit {

Value vector_of(TypeRegistry& t, const Type* elem, std::vector<Value> xs) {
  const Type* ps[] = {elem};
  auto* obj = new StructObject();
  obj->fields = std::move(xs);
  return Value::from_object(as_datatype(t.instantiate(t.lookup("Vector"), ps)), obj);
}

const Type* element_type_of(TypeRegistry& t, const DataType* dt) {
  const std::string& n = dt->name->name;
  if ((n == "Vector" || n == "UnitRange" || n == "StepRange") && !dt->params.empty()) return dt->params[0];
  // Tensor{T, N} and the semantic tensor kinds: T.
  if ((dt->name == t.TensorName || dt->name->is_semantic) && dt->params.size() == 2 && as_const(dt->params[1]))
    return dt->params[0];
  return t.Any;
}

namespace {

const std::string& str_arg(std::span<const Value> a, size_t i) { return a[i].as_string(); }


// The element type of a collection, as far as its type tells.
const Type* element_type(TypeRegistry& t, const Value& xs) {
  if (is_tensor(xs)) return tsr::element_type(t, tensor_of(xs).dtype);
  return element_type_of(t, xs.type());
}

void register_strings(Registrar& r) {
  TypeRegistry& t = r.t_;
  const Type* S = t.String;
  r.add("*", {S, S}, {"a", "b"}, S, [&r](std::span<const Value> a) { return r.str(str_arg(a, 0) + str_arg(a, 1)); });
  auto repeat = [&r](std::span<const Value> a) {
    int64_t n = a[1].as_int();
    if (n < 0) throw ArgumentError("can't repeat a string " + std::to_string(n) + " times");
    const std::string& s = str_arg(a, 0);
    // The size is known up front: refuse what memory cannot hold before copying anything.
    uint64_t bytes = 0;
    if (__builtin_mul_overflow(static_cast<uint64_t>(s.size()), static_cast<uint64_t>(n), &bytes) ||
        bytes > physical_memory_bytes())
      throw Error("OutOfMemoryError", "repeating a string of " + std::to_string(s.size()) + " bytes " + std::to_string(n) +
                                          " times needs more memory than this machine has");
    std::string out;
    out.reserve(bytes);
    for (int64_t i = 0; i < n; ++i) out += s;
    return r.str(out);
  };
  r.add("^", {S, t.Integer}, {"s", "n"}, S, repeat);
  r.add("repeat", {S, t.Integer}, {"s", "n"}, S, repeat);
  auto map_chars = [&r](int (*f)(int)) {
    return [&r, f](std::span<const Value> a) {
      std::string s = str_arg(a, 0);
      for (char& c : s) c = static_cast<char>(f(static_cast<unsigned char>(c)));
      return r.str(s);
    };
  };
  r.add("uppercase", {S}, {"s"}, S, map_chars(&::toupper));
  r.add("lowercase", {S}, {"s"}, S, map_chars(&::tolower));
  r.add("startswith", {S, S}, {"s", "prefix"}, t.Bool,
        [&r](std::span<const Value> a) { return r.boolean(str_arg(a, 0).rfind(str_arg(a, 1), 0) == 0); });
  r.add("endswith", {S, S}, {"s", "suffix"}, t.Bool, [&r](std::span<const Value> a) {
    const std::string &s = str_arg(a, 0), &x = str_arg(a, 1);
    return r.boolean(s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0);
  });
  r.add("occursin", {S, S}, {"needle", "haystack"}, t.Bool,
        [&r](std::span<const Value> a) { return r.boolean(str_arg(a, 1).find(str_arg(a, 0)) != std::string::npos); });
  auto join = [&r](std::span<const Value> a) {
    std::string sep = a.size() > 1 ? show_value(a[1], false) : "";
    std::string out;
    const auto& xs = a[0].as_struct().fields;
    for (size_t i = 0; i < xs.size(); ++i) out += (i ? sep : "") + show_value(xs[i], false);
    return r.str(out);
  };
  r.add("join", {t.Any}, {"xs"}, S, join);
  r.add("join", {t.Any, t.Any}, {"xs", "sep"}, S, join);
  auto cmp = [&r](int want) {
    return [&r, want](std::span<const Value> a) {
      int c = str_arg(a, 0).compare(str_arg(a, 1));
      c = c < 0 ? -1 : (c > 0 ? 1 : 0);
      // want: -1 <, -2 <=, 1 >, 2 >=
      bool ok = want == -1 ? c < 0 : want == -2 ? c <= 0 : want == 1 ? c > 0 : c >= 0;
      return r.boolean(ok);
    };
  };
  r.add("<", {S, S}, {"a", "b"}, t.Bool, cmp(-1));
  r.add("<=", {S, S}, {"a", "b"}, t.Bool, cmp(-2));
  r.add(">", {S, S}, {"a", "b"}, t.Bool, cmp(1));
  r.add(">=", {S, S}, {"a", "b"}, t.Bool, cmp(2));
}

void register_numbers(Registrar& r) {
  TypeRegistry& t = r.t_;
  auto zero_like = [&t](int64_t k) {
    return [&t, k](std::span<const Value> a) {
      const DataType* dt = a[0].payload() == Payload::Type ? as_datatype(a[0].as_type()) : a[0].type();
      if (!dt || !is_number_type(dt)) no_method(k == 0 ? "zero" : "one", a);
      return convert_number(t, dt, Value::from_int(t.Int64, k));
    };
  };
  TypeVar* T = t.new_typevar("T", nullptr, t.Number);
  const Type* typeT[] = {t.type_of_type(T)};
  set_result_rule(r.add("zero", {t.Number}, {"x"}, nullptr, zero_like(0)), ResultRule::SameAsFirst);
  set_result_rule(r.add("one", {t.Number}, {"x"}, nullptr, zero_like(1)), ResultRule::SameAsFirst);
  for (const char* name : {"zero", "one"}) {
    const Method* m = r.add_where(name, t.unionall(T, t.tuple(typeT)), {""}, nullptr, zero_like(name[0] == 'o'));
    set_result_rule(m, ResultRule::TypeArgument);
    set_pure(m);  // zero(Float32) is a constant
  }
  // promote_type(S, T) as Julia's for numbers (Bool < integers < floats; equal-sized
  // integers promote to the unsigned one, otherwise the wider; Float16 and BFloat16 meet at
  // Float32); for other types the one containing the other, else Any (Julia's typejoin,
  // without its finer joins such as Real for Int64 and a user subtype of Real).
  auto ranked_float = [&t](const DataType* x) {
    return x == t.Float64 ? 3 : x == t.Float32 ? 2 : (x == t.Float16 || x == t.BFloat16) ? 1 : 0;
  };
  auto promote_number = [&t, ranked_float](const DataType* a, const DataType* b) -> const DataType* {
    if (a == b) return a;
    if (a == t.Bool) return b;
    if (b == t.Bool) return a;
    int fa = ranked_float(a), fb = ranked_float(b);
    if (fa == 1 && fb == 1) return t.Float32;  // Float16 and BFloat16
    if (fa || fb) return fa >= fb ? a : b;
    int ba = integer_bits(a), bb = integer_bits(b);
    if (ba != bb) return ba > bb ? a : b;
    return is_unsigned_integer(a) ? a : b;
  };
  const TypeVar* ST[] = {t.new_typevar("S"), t.new_typevar("T")};
  const Type* two_types[] = {t.type_of_type(ST[0]), t.type_of_type(ST[1])};
  const Method* pt = r.add_where("promote_type", t.unionall(ST, t.tuple(two_types)), {"", ""}, nullptr, [&t, promote_number](std::span<const Value> a) {
    const Type* x = a[0].as_type();
    const Type* y = a[1].as_type();
    auto dx = as_datatype(x), dy = as_datatype(y);
    const Type* p = t.Any;
    if (dx && dy && dx->is_concrete && dy->is_concrete && is_number_type(dx) && is_number_type(dy)) p = promote_number(dx, dy);
    else if (t.issub(x, y)) p = y;
    else if (t.issub(y, x)) p = x;
    return Value::from_type(p->kind == TypeKind::UnionAll ? t.UnionAllT : t.DataTypeT, p);
  });
  set_pure(pt);
  TypeVar* C = t.new_typevar("T");
  const Type* conv[] = {t.type_of_type(C), t.Any};
  set_result_rule(r.add_where("convert", t.unionall(C, t.tuple(conv)), {"", "x"}, nullptr,
                              [&t](std::span<const Value> a) { return convert_to(t, a[0].as_type(), a[1]); }),
                  ResultRule::TypeArgument);
  // eps(x): the gap from |x| to the next larger float (nextfloat(0.0) below floatmin, as
  // Julia's); nextfloat and prevfloat step one float up or down.
  for (const DataType* ft : {t.Float64, t.Float32}) {
    bool f32 = ft == t.Float32;
    auto make = [ft, f32](double v) { return f32 ? Value::from_f32(ft, float(v)) : Value::from_f64(ft, v); };
    r.add("eps", {ft}, {"x"}, ft, [f32, make](std::span<const Value> a) {
      double x = f32 ? a[0].as_f32() : a[0].as_f64();
      if (!std::isfinite(x)) return make(NAN);
      x = std::fabs(x);
      if (f32) return make(std::nextafter(float(x), INFINITY) - float(x));
      return make(std::nextafter(x, INFINITY) - x);
    });
    r.add("nextfloat", {ft}, {"x"}, ft, [f32, make](std::span<const Value> a) {
      return f32 ? make(std::nextafter(a[0].as_f32(), INFINITY)) : make(std::nextafter(a[0].as_f64(), INFINITY));
    });
    r.add("prevfloat", {ft}, {"x"}, ft, [f32, make](std::span<const Value> a) {
      return f32 ? make(std::nextafter(a[0].as_f32(), -INFINITY)) : make(std::nextafter(a[0].as_f64(), -INFINITY));
    });
  }
  Globals& g = r.g_;
  g.set_global("NaN", Value::from_f64(t.Float64, std::numeric_limits<double>::quiet_NaN()), true);
  g.set_global("Inf", Value::from_f64(t.Float64, std::numeric_limits<double>::infinity()), true);
  g.set_global("pi", Value::from_f64(t.Float64, M_PI), true);
  g.set_global("NaN32", Value::from_f32(t.Float32, std::numeric_limits<float>::quiet_NaN()), true);
  g.set_global("Inf32", Value::from_f32(t.Float32, std::numeric_limits<float>::infinity()), true);
}

void register_helpers(Registrar& r) {
  TypeRegistry& t = r.t_;
  Globals& g = r.g_;
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
  // x in xs: by ==, as Julia's `in`.
  r.add("in", {t.Any, t.Any}, {"x", "xs"}, t.Bool, [&r, &g](std::span<const Value> a) {
    GenericFunction& eq = g.function("==");
    std::vector<Value> items = iterate_all(g, a[1]);
    for (const Value& y : items) {
      Value args[] = {y, a[0]};
      if (eq.call(args, 2).as_bool()) return r.boolean(true);
    }
    return r.boolean(false);
  });
  // blackbox(x) is x, through a call the optimizer cannot see into: benchmarks use it so
  // that the work being timed is neither hoisted out of the timed region nor removed.
  r.add("blackbox", {t.Any}, {"x"}, nullptr, [](std::span<const Value> a) { return a[0]; });
  r.add("__empty_like", {t.Any}, {"xs"}, nullptr,
        [&t](std::span<const Value> a) { return vector_of(t, element_type(t, a[0]), {}); });
  const Method* eltype = r.add("eltype", {t.Any}, {"xs"}, nullptr, [&t](std::span<const Value> a) {
    const Type* e = element_type(t, a[0]);
    return Value::from_type(e->kind == TypeKind::UnionAll ? t.UnionAllT : t.DataTypeT, e);
  });
  set_result_rule(eltype, ResultRule::ElementTypeOfFirst);
  set_pure(eltype);
  r.add("__setconst", {t.String, t.Any}, {"name", "v"}, nullptr, [&g](std::span<const Value> a) {
    g.set_global(a[0].as_string(), a[1], true);
    return a[1];
  });
  // Docstrings (dsl: a Doc statement before a definition; @doc name), by the name's global
  // (module-qualified) spelling; the docstrings of several methods in order, one per line.
  auto docs = std::make_shared<std::map<std::string, std::string>>();
  r.add("__setdoc", {t.String, t.String}, {"name", "text"}, t.Nothing, [&r, docs](std::span<const Value> a) {
    std::string& kept = (*docs)[a[0].as_string()];
    kept += (kept.empty() ? "" : "\n") + a[1].as_string();
    return r.nothing();
  });
  r.add("__getdoc", {t.String}, {"name"}, nullptr, [&r, docs](std::span<const Value> a) {
    auto it = docs->find(a[0].as_string());
    return it == docs->end() ? r.nothing() : r.str(it->second);
  });
  // @time: the elapsed time since t0 (from time_ns()), as Julia's @time prints it.
  r.add("__time_report", {t.Any}, {"t0"}, t.Nothing, [&r](std::span<const Value> a) {
    auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch());
    double seconds = double(now.count() - a[0].as_int()) * 1e-9;
    std::printf("  %.6f seconds\n", seconds);
    return r.nothing();
  });
}

}  // namespace

void add_default_constructor(Globals& g, GenericFunction& f, const Type* type) {
  const DataType* body = as_datatype(unwrap_unionall(type));
  if (!body || body->name->is_abstract || body->name->payload != Payload::Object) return;
  const TypeName* n = body->name;
  TypeRegistry& t = g.types();
  // Julia's signatures: `P(x::Float64, y)` and, when some field is typed, `P(x, y)` (both
  // convert); for a parametric type only `D(v::T, d::T) where T<:Real`, and only when every
  // parameter occurs in a field type (D{T}(v, d) converts: that is calling the type itself).
  // So an outer `D(v::Real, d::Real) = D(promote(v, d)...)` does not call itself: the
  // default method is more specific once the arguments agree.
  std::vector<const Type*> sigs;
  const Type* fields = t.tuple(n->field_types);
  if (n->params.empty()) {
    sigs.push_back(fields);
    sigs.push_back(t.tuple(std::vector<const Type*>(n->field_types.size(), t.Any)));
  } else {
    for (const TypeVar* p : n->params)
      if (!t.occurs_free(fields, p)) return;
    std::vector<const TypeVar*> vars(n->params.begin(), n->params.end());
    sigs.push_back(t.unionall(vars, fields));
  }
  for (const Type* sig : sigs) {
    bool present = false;  // already there, or the script wrote its own
    for (const Method* m : f.methods()) present = present || t.equal(m->sig, sig);
    if (present) continue;
    Method m;
    m.sig = sig;
    m.arg_names.assign(n->field_names.size(), "");  // Julia shows them unnamed: P(::Float64)
    m.invoke = &call_builtin;
    m.ctx = std::make_shared<const Builtin>(Builtin{[&g, type](std::span<const Value> a) { return construct(g, type, a); }, f.name(), {}});
    // Julia lists a default constructor at its struct's line.
    m.location = n->location.empty() ? "default constructor" : n->location;
    f.add(std::move(m));
  }
}

void register_more_builtins(Registrar& r) {
  register_strings(r);
  register_numbers(r);
  register_helpers(r);
}

}  // namespace tsr::jit
