// The infer pass: types every node of a specialization's body and binds its calls.
#pragma once

namespace tsr::jit {

class Compiler;
struct Spec;

// Makes s.body a typed copy of its method's body for s.argtypes: each node's type, each
// call's binding (intrinsic, static call of a specialization it makes and infers in turn,
// inline tensor access, dynamic), s.ret, and s.state (Provisional when it relied on a
// recursive call's estimate, else Inferred).
void infer_types(Compiler& c, Spec& s);

}  // namespace tsr::jit
