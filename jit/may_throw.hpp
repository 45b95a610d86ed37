// The may-throw pass, and the rules it shares with the code generators: what can raise.
#pragma once

#include "jit/spec.hpp"

namespace tsr {
class TypeRegistry;
}

namespace tsr::jit {

// How a constructor call (Bind::Construct) is built without the runtime, which then cannot
// fail: Float32(2) and T(0.5) (a number to a float type) are a conversion; an inline struct
// whose arguments have their fields' types exactly, or widen from integers to floats, is
// built in registers. Anything else goes through the runtime's constructor (which may raise:
// InexactError, a field's TypeError, a constructor method's own error).
enum class InlineConstruct { No, FloatConversion, Struct };
InlineConstruct inline_construct(const Node* call);

// Whether an argument of a Folded call is a constant, so that code generation may skip it
// (arguments that are not still run, for their effects).
bool folded_constant(const Node* arg);
// The branch an `if` with this condition takes when the condition is a Bool constant known at
// compile time (1: then, 2: else), 0 otherwise. Inference types such an `if` as that branch,
// code generation emits it alone, and a derivative records no branch for it.
int folded_branch(const Node* condition);

// False when nothing in s's typed body can raise an error (numbers, branches, loops, inline
// accesses under @inbounds, and calls to other such functions): callers then skip testing
// the error flag after calling it.
bool body_may_throw(const Spec& s, TypeRegistry& types);

}  // namespace tsr::jit
