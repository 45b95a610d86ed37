// The edges pass: which functions' methods a specialization's static bindings relied on.
#pragma once

#include "jit/spec.hpp"

namespace tsr::jit {

// Fills s.edges: each function a call of the body was bound through at compile time (its
// callee, a function passed as an argument and bound by its type, and the edges of the
// specializations it calls), with its epoch now. Compiler::specialize remakes s when one of
// them has gained a method since.
void record_edges(Spec& s);

}  // namespace tsr::jit
