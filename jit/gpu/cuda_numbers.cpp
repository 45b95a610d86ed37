// Julia's number semantics as CUDA C++ text (cuda_fn.hpp): the same cases as
// jit/llvm_numbers.cpp, written per type. Integer arithmetic goes through an unsigned type of
// at least 32 bits, which wraps without undefined behaviour; the C++ casts used are the
// conversions that cannot fail (widening, to float, float to float), as cast_number's.
#include <fmt/format.h>

#include "jit/gpu/cuda_fn.hpp"
#include "runtime/errors.hpp"
#include "runtime/number_types.hpp"
#include "runtime/type_printer.hpp"

namespace tsr::jit::gpu {

namespace {

bool is_float_t(const Type* t) { return is_bits_float(t); }
bool is_f32(const Type* t) { return as_datatype(t)->name->payload == Payload::Float32; }
bool is_bool_t(const Type* t) { return as_datatype(t)->name->payload == Payload::Bool; }

// The unsigned type integer arithmetic of t wraps in.
std::string wrap_type(const Type* t) { return integer_bits(t) == 64 ? "unsigned long long" : "unsigned int"; }

std::string math(const Type* t, const std::string& name) { return is_f32(t) ? name + "f" : name; }

}  // namespace

std::string cuda_number_type(const Type* t) {
  auto dt = as_datatype(t);
  switch (dt->name->payload) {
    case Payload::Float64: return "double";
    case Payload::Float32: return "float";
    case Payload::Bool:
    case Payload::None: return "bool";
    default: break;
  }
  if (dt->name->payload != Payload::Int) return "";
  bool un = is_unsigned_integer(t) || is_char_type(t);
  switch (integer_bits(t)) {
    case 8: return un ? "unsigned char" : "signed char";
    case 16: return un ? "unsigned short" : "short";
    case 32: return un ? "unsigned int" : "int";
    default: return un ? "unsigned long long" : "long long";
  }
}

const char* cuda_prelude() {
  return R"(// Printed by Tessera's CUDA C++ backend (jit/gpu/cuda_source.cpp) for NVRTC.
template <class T, int N> struct TsrTensor { T* data; long long shape[N]; long long strides[N]; };
struct TsrUnit {};
// The first error's site number plus one; the host reads it after the launch.
extern "C" __device__ unsigned long long tsr_error = 0;
// Where errors are written: tsr_error, or a flag in the host's mapped memory when it says so.
extern "C" __device__ unsigned long long* tsr_error_at = &tsr_error;
static __device__ __noinline__ void tsr_raise(unsigned long long site) {
  atomicCAS(tsr_error_at, 0ull, site + 1);
  asm volatile("exit;");
}
// Julia's shifts: a negative count shifts the other way; a count of the width or more gives 0,
// or -1 for >> of a negative number.
template <class T, class U> static __device__ __forceinline__ T tsr_shl(T x, long long s, bool count_unsigned);
template <class T, class U> static __device__ __forceinline__ T tsr_shr(T x, long long s, bool count_unsigned, bool arith) {
  const unsigned long long bits = sizeof(T) * 8;
  if (!count_unsigned && s < 0) return tsr_shl<T, U>(x, -s, false);
  if ((unsigned long long)s >= bits) return arith && x < (T)0 ? (T)-1 : (T)0;
  return arith ? (T)(x >> s) : (T)((U)x >> s);
}
template <class T, class U> static __device__ __forceinline__ T tsr_shl(T x, long long s, bool count_unsigned) {
  const unsigned long long bits = sizeof(T) * 8;
  if (!count_unsigned && s < 0) return tsr_shr<T, U>(x, -s, false, (T)-1 < (T)0);
  if ((unsigned long long)s >= bits) return (T)0;
  return (T)((U)x << s);
}
// Julia's max and min of floats: NaN wins, -0.0 < 0.0.
template <class T> static __device__ __forceinline__ T tsr_fmax(T a, T b) {
  if (a != a || b != b) return a + b;
  if (a == b) return signbit(a) ? b : a;
  return a > b ? a : b;
}
template <class T> static __device__ __forceinline__ T tsr_fmin(T a, T b) {
  if (a != a || b != b) return a + b;
  if (a == b) return signbit(a) ? a : b;
  return a < b ? a : b;
}
// An integer to a non-negative power, by squaring, wrapping as Julia's.
template <class T, class U> static __device__ __forceinline__ T tsr_ipow(T b, long long e) {
  U acc = 1, sq = (U)b;
  while (e > 0) {
    if (e & 1) acc *= sq;
    sq *= sq;
    e >>= 1;
  }
  return (T)acc;
}
)";
}

std::string cuda_number_op(CudaFn& f, Node* n, Intrinsic op, std::vector<std::string> x, const std::vector<const Type*>& ts,
                           const Type* c, const Type* r) {
  TypeRegistry& types = f.types();
  bool fl = is_float_t(c), un = is_unsigned_integer(c) || is_bool_t(c);
  std::string C = cuda_number_type(c);
  if (C.empty() || cuda_number_type(r).empty())
    throw ErrorException("the CUDA C++ backend does not compute in " + show_type(c) + " yet");
  if (op == Intrinsic::Pow && !is_float_t(ts[1])) {
    std::string base = f.cast(x[0], ts[0], c), e = f.cast(x[1], ts[1], types.Int64);
    if (fl) return fmt::format("{}({}, ({})({}))", math(c, "pow"), base, C, e);
    std::string b = f.bind(c, base), k = f.bind(types.Int64, e);
    // x^-k is a DomainError unless x is 1 or -1 (Julia).
    f.raise_if(fmt::format("{} < 0 && {} != ({})1 && {} != ({})-1", k, b, C, b, C), "DomainError",
               "Cannot raise an integer x to a negative power (on the GPU: x and the power are not reported)", n);
    return fmt::format("({} < 0 ? ({} == ({})1 || ({} & 1) == 0 ? ({})1 : {}) : tsr_ipow<{}, {}>({}, {}))", k, b, C, k, C, b, C,
                       wrap_type(c), b, k);
  }
  // A signed operand's sign, before the cast to an unsigned compute type wraps it: the
  // comparison's result fixed up from it (mixed_sign_compare, jit/intrinsics.hpp).
  MixedSignCompare mixed = mixed_sign_compare(op, ts, c);
  std::string negative;
  if (mixed.signed_arg >= 0) {
    std::string& s = x[mixed.signed_arg];
    s = f.bind(ts[mixed.signed_arg], s);
    negative = fmt::format("({} < 0)", s);
  }
  auto fixed = [&](const std::string& compare) {
    if (negative.empty()) return compare;
    return mixed.negative_result ? fmt::format("({} || {})", negative, compare) : fmt::format("(!{} && {})", negative, compare);
  };
  if (op != Intrinsic::Shl && op != Intrinsic::Shr && op != Intrinsic::LShr)
    for (size_t i = 0; i < x.size(); ++i) x[i] = f.bind(c, f.cast(x[i], ts[i], c));
  const std::string a = x[0], b = x.size() > 1 ? x[1] : "", z = x.size() > 2 ? x[2] : "";
  std::string W = wrap_type(c);
  auto wrap = [&](const char* o) { return fmt::format("({})(({}){} {} ({}){})", C, W, a, o, W, b); };
  auto domain = [&](const std::string& cond, const char* fname) {
    f.raise_if(cond, "DomainError", std::string(fname) + " was called outside its real domain (on the GPU: the argument is not reported)", n);
  };
  switch (op) {
    case Intrinsic::Add: return fl ? fmt::format("({} + {})", a, b) : wrap("+");
    case Intrinsic::Sub: return fl ? fmt::format("({} - {})", a, b) : wrap("-");
    case Intrinsic::Mul: return fl ? fmt::format("({} * {})", a, b) : wrap("*");
    case Intrinsic::Div: return fmt::format("({} / {})", a, b);
    case Intrinsic::IntDiv:
    case Intrinsic::Rem: {
      if (fl) return op == Intrinsic::Rem ? fmt::format("{}({}, {})", math(c, "fmod"), a, b) : fmt::format("{}({} / {})", math(c, "trunc"), a, b);
      std::string bad = fmt::format("{} == ({})0", b, C);
      if (!un && op == Intrinsic::IntDiv) bad += fmt::format(" || ({} == ({})(({})1 << {}) && {} == ({})-1)", a, C, W, integer_bits(c) - 1, b, C);
      f.raise_if(bad, "DivideError", "integer division error", n);
      if (op == Intrinsic::IntDiv) return fmt::format("({})({} / {})", C, a, b);
      // rem(typemin, -1) is 0 (a % -1 would overflow).
      return un ? fmt::format("({})({} % {})", C, a, b) : fmt::format("({} == ({})-1 ? ({})0 : ({})({} % {}))", b, C, C, C, a, b);
    }
    case Intrinsic::Pow:
      f.raise_if(fmt::format("{} < 0 && {}({}) != {} && {}({}) < ({})__longlong_as_double(0x7ff0000000000000ll)", a, math(c, "trunc"), b, b, math(c, "fabs"), b, C),
                 "DomainError", "Exponentiation yielding a complex result requires a complex argument (on the GPU: the arguments are not reported)", n);
      return fmt::format("{}({}, {})", math(c, "pow"), a, b);
    case Intrinsic::BitAnd: return fmt::format("({})({} & {})", C, a, b);
    case Intrinsic::BitOr: return fmt::format("({})({} | {})", C, a, b);
    case Intrinsic::BitXor: return fmt::format("({})({} ^ {})", C, a, b);
    case Intrinsic::Shl:
    case Intrinsic::Shr:
    case Intrinsic::LShr: {
      std::string lhs = f.bind(c, f.cast(x[0], ts[0], c));
      std::string count = f.bind(types.Int64, f.cast(x[1], ts[1], types.Int64));
      bool cu = is_unsigned_integer(ts[1]);
      std::string U = "unsigned " + std::string(integer_bits(c) == 8 ? "char" : integer_bits(c) == 16 ? "short" : integer_bits(c) == 32 ? "int" : "long long");
      if (op == Intrinsic::Shl) return fmt::format("tsr_shl<{}, {}>({}, {}, {})", C, U, lhs, count, cu);
      return fmt::format("tsr_shr<{}, {}>({}, {}, {}, {})", C, U, lhs, count, cu, op == Intrinsic::Shr && !un);
    }
    case Intrinsic::Eq: return fixed(fmt::format("({} == {})", a, b));
    case Intrinsic::Ne: return fixed(fmt::format("({} != {})", a, b));
    case Intrinsic::Lt: return fixed(fmt::format("({} < {})", a, b));
    case Intrinsic::Le: return fixed(fmt::format("({} <= {})", a, b));
    case Intrinsic::Gt: return fixed(fmt::format("({} > {})", a, b));
    case Intrinsic::Ge: return fixed(fmt::format("({} >= {})", a, b));
    case Intrinsic::Neg: {
      if (fl) return fmt::format("(-{})", a);
      std::string R = cuda_number_type(r);
      return fmt::format("({})(({})0 - ({})({})({}))", R, wrap_type(r), wrap_type(r), R, a);
    }
    case Intrinsic::Pos: return a;
    case Intrinsic::Not: return is_bool_t(c) ? fmt::format("(!{})", a) : fmt::format("({})(~{})", C, a);
    case Intrinsic::Sqrt:
    case Intrinsic::Log: {
      bool is_sqrt = op == Intrinsic::Sqrt;
      f.raise_if(fmt::format("{} < 0", a), "DomainError",
                 is_sqrt ? "sqrt was called with a negative real argument" : "log was called with a negative real argument", n);
      return fmt::format("{}({})", math(c, is_sqrt ? "sqrt" : "log"), a);
    }
    case Intrinsic::SqrtFast: return fmt::format("{}({})", math(c, "sqrt"), a);
    case Intrinsic::Sin: return fmt::format("{}({})", math(c, "sin"), a);
    case Intrinsic::Cos: return fmt::format("{}({})", math(c, "cos"), a);
    case Intrinsic::Tan: return fmt::format("{}({})", math(c, "tan"), a);
    case Intrinsic::Tanh: return fmt::format("{}({})", math(c, "tanh"), a);
    case Intrinsic::Exp:
    case Intrinsic::ExpFast: return fmt::format("{}({})", math(c, "exp"), a);
    case Intrinsic::Abs:
      if (fl) return fmt::format("{}({})", math(c, "fabs"), a);
      if (un) return a;
      return fmt::format("({} < 0 ? ({})(({})0 - ({}){}) : {})", a, C, W, W, a, a);
    case Intrinsic::Floor: return fl ? fmt::format("{}({})", math(c, "floor"), a) : a;
    case Intrinsic::Ceil: return fl ? fmt::format("{}({})", math(c, "ceil"), a) : a;
    case Intrinsic::Round: return fl ? fmt::format("{}({})", math(c, "rint"), a) : a;
    case Intrinsic::Atan: case Intrinsic::Asin: case Intrinsic::Acos: case Intrinsic::Sinh: case Intrinsic::Cosh:
    case Intrinsic::Log2: case Intrinsic::Log10: case Intrinsic::Log1p: case Intrinsic::Expm1: case Intrinsic::Cbrt:
    case Intrinsic::Exp2: case Intrinsic::Atan2: case Intrinsic::Hypot: {
      const char* name = libm_name(op, is_f32(c));
      if (op == Intrinsic::Log2 || op == Intrinsic::Log10) domain(fmt::format("{} < 0", a), name);
      if (op == Intrinsic::Log1p) domain(fmt::format("{} < -1", a), name);
      if (op == Intrinsic::Asin || op == Intrinsic::Acos) domain(fmt::format("{}({}) > 1", math(c, "fabs"), a), name);
      return x.size() == 2 ? fmt::format("{}({}, {})", name, a, b) : fmt::format("{}({})", name, a);
    }
    case Intrinsic::Fma:
    case Intrinsic::MulAdd:
      if (fl) return fmt::format("{}({}, {}, {})", math(c, "fma"), a, b, z);
      return fmt::format("({})(({}){} * ({}){} + ({}){})", C, W, a, W, b, W, z);
    case Intrinsic::Max:
    case Intrinsic::Min: {
      bool mx = op == Intrinsic::Max;
      if (fl) return fmt::format("{}<{}>({}, {})", mx ? "tsr_fmax" : "tsr_fmin", C, a, b);
      return fmt::format("({} {} {} ? {} : {})", a, mx ? ">" : "<", b, a, b);
    }
    case Intrinsic::Count: break;
  }
  throw InternalError("CUDA C++: intrinsic not printed");
}

}  // namespace tsr::jit::gpu
