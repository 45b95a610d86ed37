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
  Count
};

// (function name, arity) for each intrinsic: "+" has both Add (2) and Pos (1).
struct IntrinsicInfo {
  const char* name;
  int arity;
};
IntrinsicInfo intrinsic_info(Intrinsic op);

bool is_bits_number(const Type* t);  // Int*, UInt*, Float64, Float32, Bool
// Julia's promote_type for two number types (Bool and Bool promote to Bool).
const DataType* promote_type(TypeRegistry& types, const DataType* a, const DataType* b);
// The type the operation computes in (after promotion) and the type of its result, or nothing
// when the intrinsic does not apply to these types.
struct IntrinsicTyping {
  const DataType* compute;
  const DataType* result;
};
std::optional<IntrinsicTyping> intrinsic_typing(TypeRegistry& types, Intrinsic op, std::span<const Type* const> args);
// The dynamic path: evaluates the intrinsic on values (throws DivideError and friends).
Value eval_intrinsic(TypeRegistry& types, Intrinsic op, std::span<const Value> args);

}  // namespace tsr::jit
