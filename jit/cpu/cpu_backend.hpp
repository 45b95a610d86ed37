// The CPU backend: LLVM IR in the host's runtime model (jit/cpu/fn_gen.hpp), LLVM's O2
// pipeline for the host CPU, and ORC's LLJIT to link it into this process (jit/cpu/engine.hpp).
#pragma once

#include <functional>
#include <memory>

#include "jit/backend.hpp"

namespace tsr::jit {

class Engine;

class CpuBackend final : public Backend {
 public:
  // Finds the runtime object a "tsr.k:..." symbol names (jit/constants.hpp), or nullptr.
  explicit CpuBackend(std::function<void*(const std::string&)> resolve_constant);
  ~CpuBackend() override;

  std::string name() const override { return "llvm-cpu"; }
  std::string target_identity() const override;
  std::unique_ptr<CodeUnit> generate(Compiler& c, const std::vector<Spec*>& specs, const std::string& unit_name) override;
  std::unique_ptr<CodeUnit> generate_broadcast(Compiler& c, const BroadcastLoop& loop) override;
  void optimize(CodeUnit& unit, bool full, bool light = false) override;
  std::string show(const CodeUnit& unit, const std::set<std::string>* only) const override;
  void link(std::unique_ptr<CodeUnit> unit, const std::string& cache_path) override;
  bool link_cached(const std::string& bytes, const std::string& name, const std::vector<std::string>& symbols) override;
  std::vector<std::string> symbols(const std::vector<Spec*>& specs) const override;
  void bind(Spec& s) override;
  void* lookup(const std::string& symbol) override;

 private:
  std::unique_ptr<Engine> engine_;
};

}  // namespace tsr::jit
