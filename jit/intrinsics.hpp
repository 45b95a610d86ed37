// Intrinsics: the operations on numbers that code generation emits inline (and that the
// dynamic path evaluates in C++ with the same meaning): Julia's arithmetic, with wrapping
// integer overflow, DivideError on integer division by zero, and Julia's promotion rules.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "runtime/type_registry.hpp"
#include "runtime/value.hpp"

namespace tsr::jit {

enum class Intrinsic : int {
  Add, Sub, Mul, Div /* / */, IntDiv /* div */, Rem, Pow, BitAnd, BitOr, BitXor, Shl, Shr, LShr /* >>> */,
  Eq, Ne, Lt, Le, Gt, Ge,
  Neg, Not, Pos,
  Sqrt, Sin, Cos, Tan, Exp, Log, Abs, Floor, Ceil, Round, Tanh,
  Max, Min,  // on floats as Julia: NaN wins, -0.0 < 0.0
  Fma,       // fma(x, y, z): x*y + z rounded once
  MulAdd,    // muladd(x, y, z): x*y + z, fused where the hardware can (Julia's muladd)
  ExpFast,   // exp_fast(x): exp within a few ulp, in Float32 lanes (exp_f32.hpp)
  SqrtFast,  // sqrt_fast(x): sqrt with NaN below zero (Julia's Base.FastMath.sqrt_fast): no DomainError
             // check, so loops over it vectorize (the optimizers' Adam step)
  // More of libm, as Julia's (a DomainError outside the real domain, never NaN):
  Atan, Asin, Acos, Sinh, Cosh, Log2, Log10, Log1p, Expm1, Cbrt, Exp2,
  Atan2,     // atan(y, x)
  Hypot,     // hypot(x, y)
  Count
};

// (function name, arity) for each intrinsic: "+" has both Add (2) and Pos (1).
struct IntrinsicInfo {
  const char* name;
  int arity;
};
IntrinsicInfo intrinsic_info(Intrinsic op);

bool is_bits_number(const Type* t);  // Int*, UInt*, Float64, Float32, Bool
bool is_bits_float(const Type* t);   // Float64 or Float32 (held in an LLVM double or float)
// Julia's promote_type for two number types (Bool and Bool promote to Bool).
const DataType* promote_type(TypeRegistry& types, const DataType* a, const DataType* b);
// The type the operation computes in (after promotion) and the type of its result, or nothing
// when the intrinsic does not apply to these types.
struct IntrinsicTyping {
  const DataType* compute;
  const DataType* result;
};
std::optional<IntrinsicTyping> intrinsic_typing(TypeRegistry& types, Intrinsic op, std::span<const Type* const> args);
// Whether compiled code for op may raise (DivideError, DomainError).
bool intrinsic_may_throw(Intrinsic op);
// A comparison of a signed and an unsigned integer that computes in the unsigned type (at the
// same size or larger the unsigned type wins Julia's promotion) would wrap a negative operand
// (-1 == typemax(UInt64)); Julia compares the values. The compiled backends compare in the
// unsigned type as before and then fix the result up from the sign of the signed operand,
// `signed_arg`: a negative one makes the result `negative_result`.
struct MixedSignCompare {
  int signed_arg = -1;  // -1: no fix-up needed
  bool negative_result = false;
};
MixedSignCompare mixed_sign_compare(Intrinsic op, std::span<const Type* const> ts, const Type* compute);
// The libm intrinsics (Atan ... Hypot): the C function's name (nullptr for others), the
// value in C++, and the DomainError message for an argument outside the real domain.
const char* libm_name(Intrinsic op, bool f32);
double libm_f64(Intrinsic op, double x, double y);
float libm_f32(Intrinsic op, float x, float y);
std::optional<std::string> libm_domain_error(Intrinsic op, double x);
// The cube root nearest the true one (libm's may be an ulp off).
double cbrt_nearest(double x);
float cbrt_nearest(float x);
// The dynamic path: evaluates the intrinsic on values (throws DivideError and friends).
Value eval_intrinsic(TypeRegistry& types, Intrinsic op, std::span<const Value> args);

}  // namespace tsr::jit
