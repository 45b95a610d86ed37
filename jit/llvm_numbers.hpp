// Julia's number semantics on LLVM scalars, shared by every LLVM backend (the CPU's today, the
// NVPTX one next): the LLVM type of a bits type, casts with promotion, wrapping integer
// arithmetic, Julia's shifts and comparisons, integer division checks, math functions.
// What happens on a number error (DivideError, DomainError) is the backend's own business: it
// implements NumberErrors.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <llvm/IR/IRBuilder.h>

#include "jit/intrinsics.hpp"

namespace tsr {
struct Type;
class TypeRegistry;
}  // namespace tsr

namespace tsr::jit {

struct Node;

// The LLVM type that holds a bits value: i1 for Bool and Nothing, iN for integers, float,
// double, and an LLVM struct of its fields' types for an inline struct.
llvm::Type* bits_type(llvm::LLVMContext& ctx, const Type* t);
bool is_float_number(const Type* t);
bool is_unsigned_number(const Type* t);
bool is_bool_number(const Type* t);

// Scalar v of number type `from` as number type `to` (Julia's convert for the cases that
// cannot fail: widening, to float, float to float, to Bool by != 0).
llvm::Value* cast_number(llvm::IRBuilderBase& b, llvm::Value* v, const Type* from, const Type* to);

// Julia's T(x) for an integer or Bool type T and a number x: *result is the conversion, and
// the returned i1 is whether x is representable in T (an integral float in range, an integer
// that survives the round trip with its sign, 0 or 1 for Bool); else T(x) is an InexactError.
llvm::Value* int_conversion(llvm::IRBuilderBase& b, llvm::Value* x, const Type* from, const Type* to, llvm::Value** result);

// The rare failing cases of number operations, as a backend handles them.
class NumberErrors {
 public:
  virtual ~NumberErrors() = default;
  // When cond holds: raise kind(message) for call `at`; code continues after the check.
  virtual void raise_when(llvm::Value* cond, const char* kind, const char* message, Node* at) = 0;
  // When cond holds: run the intrinsic's runtime method on these scalars, which raises the
  // error with Julia's exact message (DomainError for log2(-1.0), say).
  virtual void call_method_when(llvm::Value* cond, Node* call, const std::vector<std::pair<llvm::Value*, const Type*>>& args) = 0;
  // The name of a math function for this target ("tanf", or libdevice's "__nv_tanf").
  virtual std::string math_function(const std::string& libm) { return libm; }
};

// The result of intrinsic `op` (call `n`) on scalars x of types ts, computed in `compute` and
// of type `result` (intrinsic_typing's answer). Not for Pow of integers by an integer, which
// the runtime computes exactly.
llvm::Value* emit_number_op(llvm::IRBuilderBase& b, NumberErrors& errors, TypeRegistry& types, Node* n, Intrinsic op,
                            std::vector<llvm::Value*> x, const std::vector<const Type*>& ts, const Type* compute,
                            const Type* result);

}  // namespace tsr::jit
