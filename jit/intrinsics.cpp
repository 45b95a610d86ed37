#include "jit/intrinsics.hpp"

#include <cmath>
#include <cstring>

#include "jit/exp_f32.hpp"
#include "runtime/construct.hpp"
#include "runtime/errors.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

namespace tsr::jit {

IntrinsicInfo intrinsic_info(Intrinsic op) {
  static const IntrinsicInfo table[] = {
      {"+", 2},     {"-", 2},    {"*", 2},     {"/", 2},     {"div", 2},   {"rem", 2},   {"^", 2},
      {"&", 2},     {"|", 2},    {"xor", 2},   {"<<", 2},    {">>", 2},    {">>>", 2},   {"==", 2},    {"!=", 2},
      {"<", 2},     {"<=", 2},   {">", 2},     {">=", 2},    {"-", 1},     {"!", 1},     {"+", 1},
      {"sqrt", 1},  {"sin", 1},  {"cos", 1},   {"tan", 1},   {"exp", 1},   {"log", 1},   {"abs", 1},
      {"floor", 1}, {"ceil", 1}, {"round", 1}, {"tanh", 1}, {"max", 2},   {"min", 2},
      {"fma", 3},   {"muladd", 3}, {"exp_fast", 1}, {"sqrt_fast", 1},
      {"atan", 1},  {"asin", 1}, {"acos", 1},  {"sinh", 1},  {"cosh", 1},  {"log2", 1},  {"log10", 1},
      {"log1p", 1}, {"expm1", 1}, {"cbrt", 1}, {"exp2", 1},  {"atan", 2},  {"hypot", 2},
  };
  return table[static_cast<int>(op)];
}

namespace {

bool is_float(const DataType* t) {
  return t->name->payload == Payload::Float64 || t->name->payload == Payload::Float32;
}
bool is_bool(const DataType* t) { return t->name->payload == Payload::Bool; }

}  // namespace

bool is_bits_float(const Type* t) {
  auto dt = as_datatype(t);
  return dt && is_float(dt);
}

bool is_bits_number(const Type* t) {
  auto dt = as_datatype(t);
  if (!dt) return false;
  Payload p = dt->name->payload;
  return (p == Payload::Int && !is_char_type(dt)) || p == Payload::Float64 || p == Payload::Float32 || p == Payload::Bool;
}

const DataType* promote_type(TypeRegistry& types, const DataType* a, const DataType* b) {
  return promote_numbers(types, a, b);
}

std::optional<IntrinsicTyping> intrinsic_typing(TypeRegistry& types, Intrinsic op, std::span<const Type* const> args) {
  IntrinsicInfo info = intrinsic_info(op);
  if (static_cast<int>(args.size()) != info.arity) return std::nullopt;
  for (const Type* a : args)
    if (!is_bits_number(a)) return std::nullopt;
  const DataType* a = as_datatype(args[0]);
  const DataType* c = a;
  for (size_t i = 1; i < args.size(); ++i) c = promote_type(types, c, as_datatype(args[i]));
  switch (op) {
    case Intrinsic::Add: case Intrinsic::Sub: case Intrinsic::Mul:
      if (is_bool(c)) c = types.Int64;  // true + true == 2
      return IntrinsicTyping{c, c};
    case Intrinsic::Div:
      if (!is_float(c)) c = types.Float64;
      return IntrinsicTyping{c, c};
    case Intrinsic::IntDiv: case Intrinsic::Rem:
      if (is_bool(c)) c = types.Int64;
      return IntrinsicTyping{c, c};
    case Intrinsic::Pow: {
      // Int^Int is Int; a float base keeps its type with an integer exponent.
      const DataType* b = as_datatype(args[1]);
      if (!is_float(a) && !is_float(b)) return IntrinsicTyping{is_bool(a) ? a : a, is_bool(a) ? a : a};
      if (is_float(a) && !is_float(b)) return IntrinsicTyping{a, a};
      return IntrinsicTyping{c, c};
    }
    case Intrinsic::BitAnd: case Intrinsic::BitOr: case Intrinsic::BitXor:
      if (is_float(c)) return std::nullopt;
      return IntrinsicTyping{c, c};
    case Intrinsic::Shl: case Intrinsic::Shr: case Intrinsic::LShr:
      if (is_float(a) || is_float(as_datatype(args[1]))) return std::nullopt;
      return IntrinsicTyping{a, a};
    case Intrinsic::Eq: case Intrinsic::Ne: case Intrinsic::Lt: case Intrinsic::Le: case Intrinsic::Gt: case Intrinsic::Ge:
      return IntrinsicTyping{c, types.Bool};
    case Intrinsic::Neg:
      if (is_bool(a)) return IntrinsicTyping{types.Int64, types.Int64};
      return IntrinsicTyping{a, a};
    case Intrinsic::Pos: return IntrinsicTyping{a, a};
    case Intrinsic::Not:
      if (!is_bool(a)) return std::nullopt;
      return IntrinsicTyping{a, a};
    case Intrinsic::Abs: return IntrinsicTyping{a, a};
    case Intrinsic::Floor: case Intrinsic::Ceil: case Intrinsic::Round:
      return IntrinsicTyping{a, a};
    case Intrinsic::Max: case Intrinsic::Min:
      return IntrinsicTyping{c, c};
    case Intrinsic::Fma: case Intrinsic::MulAdd:
      if (is_bool(c)) c = types.Int64;
      return IntrinsicTyping{c, c};
    case Intrinsic::Atan2: case Intrinsic::Hypot: {
      const DataType* f = is_float(c) ? c : types.Float64;
      return IntrinsicTyping{f, f};
    }
    default: {  // sqrt, sin, ...: floats; integers become Float64
      const DataType* f = is_float(a) ? a : types.Float64;
      return IntrinsicTyping{f, f};
    }
  }
}

namespace {

// Integers are computed in 64 bits and then wrapped to their width, as the hardware does.
int64_t wrap(const DataType* t, uint64_t x) {
  int b = integer_bits(t);
  if (b == 64) return static_cast<int64_t>(x);
  uint64_t mask = (uint64_t(1) << b) - 1;
  x &= mask;
  if (!is_unsigned_integer(t) && (x >> (b - 1)) & 1) x |= ~mask;
  return static_cast<int64_t>(x);
}

double as_double(const Value& v) {
  switch (v.type()->name->payload) {
    case Payload::Float64: return v.as_f64();
    case Payload::Float32: return v.as_f32();
    case Payload::Bool: return v.as_bool();
    default: return is_unsigned_integer(v.type()) && integer_bits(v.type()) == 64 ? double(uint64_t(v.as_int())) : double(v.as_int());
  }
}
int64_t as_int(const Value& v) { return v.type()->name->payload == Payload::Bool ? v.as_bool() : v.as_int(); }

Value make_num(TypeRegistry& types, const DataType* t, double d, int64_t i) {
  switch (t->name->payload) {
    case Payload::Float64: return Value::from_f64(t, d);
    case Payload::Float32: return Value::from_f32(t, float(d));
    case Payload::Bool: return Value::from_bool(t, i != 0);
    default: return Value::from_int(t, wrap(t, uint64_t(i)));
  }
}

[[noreturn]] void divide_error() { throw Error("DivideError", "integer division error"); }

int64_t ipow(int64_t base, int64_t e) {
  if (e < 0) {
    if (base == 1) return 1;
    if (base == -1) return (e & 1) ? -1 : 1;
    throw Error("DomainError", "Cannot raise an integer x to a negative power " + std::to_string(e) +
                                   ". Convert input to float.");
  }
  uint64_t result = 1, b = static_cast<uint64_t>(base);
  while (e) {
    if (e & 1) result *= b;
    b *= b;
    e >>= 1;
  }
  return static_cast<int64_t>(result);
}

}  // namespace

// glibc's cbrt is off by an ulp on exact cubes (cbrt(27.0) is 3.0000000000000004); Julia's
// gives 3.0. Of libm's answer and its two neighbours, take the one whose cube is nearest.
namespace {
// W is wide enough to judge the cubes of F's candidates.
template <class F, class W>
F cbrt_nearest_in(F x) {
  F y = std::cbrt(x);
  if (!std::isfinite(y) || y == 0) return y;
  F best = y;
  W err = std::fabs(static_cast<W>(y) * y * y - x);
  for (F c : {std::nextafter(y, F(-INFINITY)), std::nextafter(y, F(INFINITY))}) {
    W e = std::fabs(static_cast<W>(c) * c * c - x);
    if (e < err) best = c, err = e;
  }
  return best;
}
}  // namespace

double cbrt_nearest(double x) { return cbrt_nearest_in<double, long double>(x); }
float cbrt_nearest(float x) { return cbrt_nearest_in<float, double>(x); }

MixedSignCompare mixed_sign_compare(Intrinsic op, std::span<const Type* const> ts, const Type* compute) {
  MixedSignCompare m;
  bool compares = op == Intrinsic::Eq || op == Intrinsic::Ne || op == Intrinsic::Lt || op == Intrinsic::Le ||
                  op == Intrinsic::Gt || op == Intrinsic::Ge;
  if (!compares || ts.size() != 2 || !is_unsigned_integer(compute)) return m;
  auto is_signed = [](const Type* t) {
    return is_bits_number(t) && !is_bits_float(t) && !is_unsigned_integer(t) && as_datatype(t)->name->payload != Payload::Bool;
  };
  if (is_signed(ts[0]) == is_signed(ts[1])) return m;
  m.signed_arg = is_signed(ts[0]) ? 0 : 1;
  bool first = m.signed_arg == 0;
  // A negative s: s < u and s <= u hold, u < s and u <= s do not; != holds, == does not.
  switch (op) {
    case Intrinsic::Ne: m.negative_result = true; break;
    case Intrinsic::Lt: case Intrinsic::Le: m.negative_result = first; break;
    case Intrinsic::Gt: case Intrinsic::Ge: m.negative_result = !first; break;
    default: m.negative_result = false; break;
  }
  return m;
}

bool intrinsic_may_throw(Intrinsic op) {
  switch (op) {
    case Intrinsic::IntDiv: case Intrinsic::Rem: case Intrinsic::Sqrt: case Intrinsic::Log: case Intrinsic::Pow:
    case Intrinsic::Log2: case Intrinsic::Log10: case Intrinsic::Log1p: case Intrinsic::Asin: case Intrinsic::Acos:
      return true;
    default: return false;
  }
}

std::optional<std::string> libm_domain_error(Intrinsic op, double x) {
  auto complex_only = [](const char* f, const char* what) {
    return std::string(f) + " was called with a " + what +
           " but will only return a complex result if called with a complex argument. Try " + f + "(Complex(x)).";
  };
  switch (op) {
    case Intrinsic::Log2: if (x < 0) return complex_only("log2", "negative real argument"); break;
    case Intrinsic::Log10: if (x < 0) return complex_only("log10", "negative real argument"); break;
    case Intrinsic::Log1p: if (x < -1) return complex_only("log1p", "real argument < -1"); break;
    case Intrinsic::Asin: if (std::fabs(x) > 1) return std::string("asin(x) is not defined for |x| > 1."); break;
    case Intrinsic::Acos: if (std::fabs(x) > 1) return std::string("acos(x) is not defined for |x| > 1."); break;
    default: break;
  }
  return std::nullopt;
}

namespace {
// std:: has float and double overloads of each: F picks the precision.
template <class F>
F libm_eval(Intrinsic op, F x, F y) {
  switch (op) {
    case Intrinsic::Atan: return std::atan(x);
    case Intrinsic::Asin: return std::asin(x);
    case Intrinsic::Acos: return std::acos(x);
    case Intrinsic::Sinh: return std::sinh(x);
    case Intrinsic::Cosh: return std::cosh(x);
    case Intrinsic::Log2: return std::log2(x);
    case Intrinsic::Log10: return std::log10(x);
    case Intrinsic::Log1p: return std::log1p(x);
    case Intrinsic::Expm1: return std::expm1(x);
    case Intrinsic::Cbrt: return cbrt_nearest(x);
    case Intrinsic::Exp2: return std::exp2(x);
    case Intrinsic::Atan2: return std::atan2(x, y);
    case Intrinsic::Hypot: return std::hypot(x, y);
    default: throw InternalError("not a libm intrinsic");
  }
}
}  // namespace

double libm_f64(Intrinsic op, double x, double y) { return libm_eval(op, x, y); }
float libm_f32(Intrinsic op, float x, float y) { return libm_eval(op, x, y); }

const char* libm_name(Intrinsic op, bool f32) {
  switch (op) {
    case Intrinsic::Atan: return f32 ? "atanf" : "atan";
    case Intrinsic::Asin: return f32 ? "asinf" : "asin";
    case Intrinsic::Acos: return f32 ? "acosf" : "acos";
    case Intrinsic::Sinh: return f32 ? "sinhf" : "sinh";
    case Intrinsic::Cosh: return f32 ? "coshf" : "cosh";
    case Intrinsic::Log2: return f32 ? "log2f" : "log2";
    case Intrinsic::Log10: return f32 ? "log10f" : "log10";
    case Intrinsic::Log1p: return f32 ? "log1pf" : "log1p";
    case Intrinsic::Expm1: return f32 ? "expm1f" : "expm1";
    case Intrinsic::Cbrt: return f32 ? "tsr_cbrtf" : "tsr_cbrt";  // cbrt_nearest
    case Intrinsic::Exp2: return f32 ? "exp2f" : "exp2";
    case Intrinsic::Atan2: return f32 ? "atan2f" : "atan2";
    case Intrinsic::Hypot: return f32 ? "hypotf" : "hypot";
    default: return nullptr;
  }
}

Value eval_intrinsic(TypeRegistry& types, Intrinsic op, std::span<const Value> args) {
  // Float16 and BFloat16 compute in Float32 and round back, as Julia's Float16 does: the
  // result is the half type when every float among the arguments has that type (integers
  // join in), else Float32 or Float64 by the usual promotion.
  const DataType* half = nullptr;
  bool has_half = false, other_float = false;
  for (const Value& a : args) {
    Payload p = a.type()->name->payload;
    if (p == Payload::Half) {
      has_half = true;
      if (half && half != a.type()) other_float = true;  // Float16 with BFloat16: Float32
      half = a.type();
    } else if (p == Payload::Float32 || p == Payload::Float64) {
      other_float = true;
    }
  }
  if (has_half) {
    std::vector<Value> wide;
    for (const Value& a : args)
      wide.push_back(a.type()->name->payload == Payload::Half ? convert_number(types, types.Float32, a) : a);
    Value r = eval_intrinsic(types, op, wide);
    if (!other_float && r.type() == types.Float32) return convert_number(types, half, r);
    return r;
  }
  std::vector<const Type*> ts;
  for (const Value& a : args) ts.push_back(a.type());
  auto typing = intrinsic_typing(types, op, ts);
  if (!typing) throw MethodError("no intrinsic " + std::string(intrinsic_info(op).name) + " for these types");
  const DataType* c = typing->compute;
  const DataType* r = typing->result;
  bool fl = is_float(c);
  double x = as_double(args[0]), y = args.size() > 1 ? as_double(args[1]) : 0;
  int64_t a = fl ? 0 : as_int(args[0]), b = (fl || args.size() < 2) ? 0 : as_int(args[1]);
  if (!fl && args.size() > 1 && is_float(args[1].type())) b = 0;
  bool u = !fl && is_unsigned_integer(c);
  auto cmp = [&](bool fr, bool ir) { return Value::from_bool(types.Bool, fl ? fr : ir); };
  if (MixedSignCompare m = mixed_sign_compare(op, ts, c); m.signed_arg >= 0 && as_int(args[m.signed_arg]) < 0)
    return Value::from_bool(types.Bool, m.negative_result);  // the unsigned compare below is right otherwise
  switch (op) {
    case Intrinsic::Add: return make_num(types, r, x + y, int64_t(uint64_t(a) + uint64_t(b)));
    case Intrinsic::Sub: return make_num(types, r, x - y, int64_t(uint64_t(a) - uint64_t(b)));
    case Intrinsic::Mul: return make_num(types, r, x * y, int64_t(uint64_t(a) * uint64_t(b)));
    case Intrinsic::Div: return make_num(types, r, x / y, 0);
    case Intrinsic::IntDiv:
      if (fl) return make_num(types, r, std::trunc(x / y), 0);
      if (b == 0 || (!u && b == -1 && wrap(c, uint64_t(a)) == wrap(c, uint64_t(1) << (integer_bits(c) - 1))))
        divide_error();
      return make_num(types, r, 0, u ? int64_t(uint64_t(a) / uint64_t(b)) : a / b);
    case Intrinsic::Rem:
      if (fl) return make_num(types, r, std::fmod(x, y), 0);
      if (b == 0) divide_error();
      if (!u && b == -1) return make_num(types, r, 0, 0);
      return make_num(types, r, 0, u ? int64_t(uint64_t(a) % uint64_t(b)) : a % b);
    case Intrinsic::Pow:
      if (is_float(r) && !is_float(args[1].type())) return make_num(types, r, std::pow(x, double(as_int(args[1]))), 0);
      if (is_float(r)) {
        // A negative base to a finite non-integer power has no real result (Julia's error).
        if (x < 0 && std::trunc(y) != y && std::isfinite(y))
          throw domain_error_with(show_value(make_num(types, r, x, 0)),
                                  "Exponentiation yielding a complex result requires a complex argument.\n"
                                  "Replace x^y with (x+0im)^y, Complex(x)^y, or similar.");
        return make_num(types, r, std::pow(x, y), 0);
      }
      return make_num(types, r, 0, ipow(as_int(args[0]), as_int(args[1])));
    case Intrinsic::BitAnd: return make_num(types, r, 0, a & b);
    case Intrinsic::BitOr: return make_num(types, r, 0, a | b);
    case Intrinsic::BitXor: return make_num(types, r, 0, a ^ b);
    case Intrinsic::Shl:
    case Intrinsic::Shr:
    case Intrinsic::LShr: {
      // Julia's shifts: a negative count shifts the other way (8 << -1 == 4, 8 >> -1 == 16),
      // a count of the width or more shifts everything out (>> of a negative number leaves -1).
      uint64_t n = uint64_t(as_int(args[1]));
      bool unsigned_count = is_unsigned_integer(args[1].type());
      bool neg = !unsigned_count && int64_t(n) < 0;
      uint64_t mag = neg ? 0 - n : n;
      int bits = integer_bits(c);
      bool left = (op == Intrinsic::Shl) != neg;
      uint64_t x = uint64_t(wrap(c, uint64_t(a)));
      if (left) return make_num(types, r, 0, mag >= uint64_t(bits) ? 0 : int64_t(x << mag));
      bool arith = op != Intrinsic::LShr && !u;  // << by a negative count is >> too
      if (mag >= uint64_t(bits)) return make_num(types, r, 0, arith && int64_t(x) < 0 ? -1 : 0);
      if (arith) return make_num(types, r, 0, int64_t(x) >> mag);
      uint64_t mask = bits == 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
      return make_num(types, r, 0, int64_t((x & mask) >> mag));
    }
    case Intrinsic::Eq: return cmp(x == y, a == b);
    case Intrinsic::Ne: return cmp(x != y, a != b);
    case Intrinsic::Lt: return cmp(x < y, u ? uint64_t(a) < uint64_t(b) : a < b);
    case Intrinsic::Le: return cmp(x <= y, u ? uint64_t(a) <= uint64_t(b) : a <= b);
    case Intrinsic::Gt: return cmp(x > y, u ? uint64_t(a) > uint64_t(b) : a > b);
    case Intrinsic::Ge: return cmp(x >= y, u ? uint64_t(a) >= uint64_t(b) : a >= b);
    case Intrinsic::Neg: return make_num(types, r, -x, int64_t(0 - uint64_t(a)));
    case Intrinsic::Pos: return args[0];
    case Intrinsic::Not: return Value::from_bool(types.Bool, !args[0].as_bool());
    case Intrinsic::Abs: return make_num(types, r, std::fabs(x), a < 0 && !u ? int64_t(0 - uint64_t(a)) : a);
    case Intrinsic::Floor: return fl ? make_num(types, r, std::floor(x), 0) : args[0];
    case Intrinsic::Ceil: return fl ? make_num(types, r, std::ceil(x), 0) : args[0];
    case Intrinsic::Round: return fl ? make_num(types, r, std::nearbyint(x), 0) : args[0];
    case Intrinsic::Sqrt:
      if (x < 0) throw Error("DomainError", "sqrt was called with a negative real argument");
      return make_num(types, r, std::sqrt(x), 0);
    case Intrinsic::Sin: return make_num(types, r, std::sin(x), 0);
    case Intrinsic::Cos: return make_num(types, r, std::cos(x), 0);
    case Intrinsic::Tan: return make_num(types, r, std::tan(x), 0);
    case Intrinsic::SqrtFast: return make_num(types, r, std::sqrt(x), 0);
    case Intrinsic::ExpFast:
      if (r == types.Float32) return make_num(types, r, exp_fast_f32(static_cast<float>(x)), 0);
      return make_num(types, r, std::exp(x), 0);
    case Intrinsic::Exp:
      if (r == types.Float32) return make_num(types, r, exp_f32(static_cast<float>(x)), 0);
      return make_num(types, r, std::exp(x), 0);
    case Intrinsic::Log:
      if (x < 0) throw Error("DomainError", "log was called with a negative real argument");
      return make_num(types, r, std::log(x), 0);
    case Intrinsic::Tanh: return make_num(types, r, std::tanh(x), 0);
    case Intrinsic::Atan: case Intrinsic::Asin: case Intrinsic::Acos: case Intrinsic::Sinh: case Intrinsic::Cosh:
    case Intrinsic::Log2: case Intrinsic::Log10: case Intrinsic::Log1p: case Intrinsic::Expm1: case Intrinsic::Cbrt:
    case Intrinsic::Exp2: case Intrinsic::Atan2: case Intrinsic::Hypot: {
      if (auto why = libm_domain_error(op, x)) throw domain_error_with(show_value(make_num(types, r, x, 0)), *why);
      bool f32 = r == types.Float32;
      return make_num(types, r, f32 ? libm_f32(op, float(x), float(y)) : libm_f64(op, x, y), 0);
    }
    case Intrinsic::Fma:
    case Intrinsic::MulAdd: {
      // muladd fuses wherever compiled code does (FMA hardware), so the dynamic path fuses too.
      double z = as_double(args[2]);
      if (fl) {
        if (r == types.Float32)
          return make_num(types, r, std::fmaf(static_cast<float>(x), static_cast<float>(y), static_cast<float>(z)), 0);
        return make_num(types, r, std::fma(x, y, z), 0);
      }
      int64_t cz = as_int(args[2]);
      return make_num(types, r, 0, int64_t(uint64_t(a) * uint64_t(b) + uint64_t(cz)));
    }
    case Intrinsic::Max:
    case Intrinsic::Min: {
      bool mx = op == Intrinsic::Max;
      if (fl) {
        if (std::isnan(x) || std::isnan(y)) return make_num(types, r, std::isnan(x) ? x : y, 0);
        if (x == y) return make_num(types, r, (std::signbit(x) == mx) ? y : x, 0);  // -0.0 < 0.0
        return make_num(types, r, (mx ? y > x : y < x) ? y : x, 0);
      }
      bool pick_b = u ? (mx ? uint64_t(b) > uint64_t(a) : uint64_t(b) < uint64_t(a)) : (mx ? b > a : b < a);
      return make_num(types, r, 0, pick_b ? b : a);
    }
    case Intrinsic::Count: break;
  }
  throw InternalError("unknown intrinsic");
}

}  // namespace tsr::jit
