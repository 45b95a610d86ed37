// Code generation: a typed body (after inference) to an LLVM function.
//
// Calling convention of a specialization: `R f(Value* out, A1 a1, ...)`. Arguments and results
// of bits types (numbers, Bool, Nothing) are passed as LLVM scalars; anything else as a pointer
// to a tsr::Value, and a boxed result is written to *out. Each function keeps its boxed
// locals and temporaries in a frame of Values released on every way out. After each call that
// can fail, `tsr_pending` is tested: on error control goes to the innermost `catch` of the
// function, or the function records its frame (name, file, line) and returns.
#pragma once

#include <string>
#include <vector>

namespace llvm {
class Module;
}

namespace tsr {
struct Type;
}

namespace tsr::jit {

class Compiler;
struct Spec;

// Emits each spec's function and its boxed entry point into m. False when some runtime object
// it refers to has no name (jit/constants.hpp), so the module must not be cached.
bool generate(Compiler& c, llvm::Module& m, const std::vector<Spec*>& specs);
// A broadcast loop: `name` runs out = f(leaves...) over flat indices (jit/broadcast.cpp), with
// a private copy of f's code so that it is inlined.
void generate_broadcast(Compiler& c, llvm::Module& m, Spec& f, const std::vector<bool>& is_tensor, const Type* out_elem,
                        const std::string& name);

}  // namespace tsr::jit
