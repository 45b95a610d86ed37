// Number built-ins that need the runtime's types: zero/one, promote_type, convert, the float
// steps (eps, nextfloat, prevfloat), and the constants NaN, Inf, pi, NaN32, Inf32.
#include <cmath>
#include <limits>

#include "jit/builtin_registrar.hpp"
#include "runtime/construct.hpp"

namespace tsr::jit {

void register_number_builtins(Registrar& r) {
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
  // sizeof(T) of the bits types: their size in bytes (NN's summary sizes a model's tensors).
  for (const DataType* nt : {t.Int64, t.Int32, t.Int16, t.Int8, t.UInt8, t.UInt16, t.UInt32, t.UInt64, t.Bool, t.Float64,
                             t.Float32, t.Float16, t.BFloat16, t.Char}) {
    int64_t bytes = nt == t.Bool ? 1 : nt == t.Char ? 4 : nt->name->payload == Payload::Float64 ? 8
                  : nt->name->payload == Payload::Float32 ? 4 : nt->name->payload == Payload::Half ? 2
                  : integer_bits(nt) / 8;
    set_pure(r.add("sizeof", {t.type_of_type(nt)}, {"T"}, t.Int64, [&r, bytes](std::span<const Value>) { return r.integer(bytes); }));
  }
  set_result_rule(r.add("zero", {t.Number}, {"x"}, nullptr, zero_like(0)), ResultRule::SameAsFirst);
  set_result_rule(r.add("one", {t.Number}, {"x"}, nullptr, zero_like(1)), ResultRule::SameAsFirst);
  for (const char* name : {"zero", "one"}) {
    const Method* m = r.add_where(name, t.unionall(T, t.tuple(typeT)), {""}, nullptr, zero_like(name[0] == 'o'));
    set_result_rule(m, ResultRule::TypeArgument);
    set_pure(m);  // zero(Float32) is a constant
  }
  // promote_type(S, T) as Julia's for numbers (runtime/number_types.hpp: promote_numbers); for
  // other types the one containing the other, else Any (Julia's typejoin,
  // without its finer joins such as Real for Int64 and a user subtype of Real).
  auto promote_number = [&t](const DataType* a, const DataType* b) { return promote_numbers(t, a, b); };
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

}  // namespace tsr::jit
