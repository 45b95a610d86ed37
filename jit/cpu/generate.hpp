// The CPU backend's code generation: typed specializations (after inference) to LLVM
// functions in the host's runtime model (calling convention: jit/cpu/fn_gen.hpp).
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
struct BroadcastLoop;

// Emits each spec's function and its boxed entry point into m. False when some runtime object
// it refers to has no name (jit/constants.hpp), so the module must not be cached.
bool generate(Compiler& c, llvm::Module& m, const std::vector<Spec*>& specs);
// A broadcast loop: loop.name runs outs = f(leaves...) over flat indices (jit/broadcast.cpp),
// with a private copy of f's code so that it is inlined.
// False likewise.
bool generate_broadcast(Compiler& c, llvm::Module& m, const BroadcastLoop& loop);

}  // namespace tsr::jit
