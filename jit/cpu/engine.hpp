// Engine: LLVM's ORC LLJIT for the host CPU, with the runtime's ABI functions visible to
// generated code, and the O2 pipeline (vectorizers included) run on each module before it is
// compiled. The CPU backend's (jit/cpu/cpu_backend.hpp) way to run code.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
}  // namespace llvm

namespace tsr::jit {

// LLVM's own options given by hand (TSR_LLVM_ARGS, read once), or nullptr: for whoever works
// on the JIT (-time-passes); they may change the code, so the cache keys on them.
const char* llvm_args();

class Engine {
 public:
  // Finds the runtime object a "tsr.k:..." symbol names (jit/constants.hpp), or nullptr.
  using Resolver = std::function<void*(const std::string& symbol)>;
  explicit Engine(Resolver resolver);
  ~Engine();
  llvm::LLVMContext& context();
  // A fresh module with the JIT's data layout and triple.
  std::unique_ptr<llvm::Module> new_module(const std::string& name);
  // Verifies the module (throws InternalError with LLVM's message when it does not: a
  // compiler bug), then runs the O2 pipeline on it (`full`), or marks it for the fast code
  // generator (top-level code, which runs once).
  void optimize(llvm::Module& m, bool full, bool light = false);
  // Compiles and links the module (at the first lookup of one of its symbols). When
  // `cache_path` is not empty, the object code is also written there (see compile_cache).
  void add(std::unique_ptr<llvm::Module> m, const std::string& cache_path = "");
  // Object code read back from the cache, which must define `symbols`: links it and looks
  // them up. False, with nothing of it left in the JIT, when it does not load (a damaged ELF,
  // an entry made for other code, a missing symbol): the caller compiles the code afresh.
  bool try_object(const std::string& bytes, const std::string& name, const std::vector<std::string>& symbols);
  void* lookup(const std::string& symbol);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tsr::jit
