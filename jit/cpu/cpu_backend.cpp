#include "jit/cpu/cpu_backend.hpp"

#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>

#include "jit/cpu/engine.hpp"
#include "jit/cpu/generate.hpp"
#include "jit/host_target.hpp"
#include "jit/spec.hpp"

namespace tsr::jit {

namespace {

struct LlvmUnit final : CodeUnit {
  std::unique_ptr<llvm::Module> module;
};

LlvmUnit& llvm_unit(CodeUnit& u) { return static_cast<LlvmUnit&>(u); }

}  // namespace

CpuBackend::CpuBackend(std::function<void*(const std::string&)> resolve_constant)
    : engine_(std::make_unique<Engine>(std::move(resolve_constant))) {}

CpuBackend::~CpuBackend() = default;

std::string CpuBackend::target_identity() const {
  const HostTarget& t = host_target();
  // LLVM options given by hand may change the code: another entry.
  return name() + "\nllvm " + t.llvm_version + "\n" + t.triple + "\n" + t.cpu + "\n" + t.features + "\n" + t.tuning +
         (llvm_args() ? std::string("\nllvm options ") + llvm_args() : std::string());
}

std::unique_ptr<CodeUnit> CpuBackend::generate(Compiler& c, const std::vector<Spec*>& specs, const std::string& unit_name) {
  auto u = std::make_unique<LlvmUnit>();
  u->module = engine_->new_module(unit_name);
  u->cacheable = jit::generate(c, *u->module, specs);
  return u;
}

std::unique_ptr<CodeUnit> CpuBackend::generate_broadcast(Compiler& c, const BroadcastLoop& loop) {
  auto u = std::make_unique<LlvmUnit>();
  u->module = engine_->new_module(loop.name);
  u->cacheable = jit::generate_broadcast(c, *u->module, loop);
  return u;
}

void CpuBackend::optimize(CodeUnit& unit, bool full, bool light) { engine_->optimize(*llvm_unit(unit).module, full, light); }

std::string CpuBackend::show(const CodeUnit& unit, const std::set<std::string>* only) const {
  std::string text;
  llvm::raw_string_ostream os(text);
  const llvm::Module& m = *static_cast<const LlvmUnit&>(unit).module;
  if (!only) {
    m.print(os, nullptr);
  } else {
    for (const llvm::Function& f : m)
      if (!f.isDeclaration() && only->count(f.getName().str())) f.print(os);
  }
  return text;
}

void CpuBackend::link(std::unique_ptr<CodeUnit> unit, const std::string& cache_path) {
  engine_->add(std::move(llvm_unit(*unit).module), cache_path);
}

bool CpuBackend::link_cached(const std::string& bytes, const std::string& name, const std::vector<std::string>& symbols) {
  return engine_->try_object(bytes, name, symbols);
}

std::vector<std::string> CpuBackend::symbols(const std::vector<Spec*>& specs) const {
  std::vector<std::string> names;
  for (const Spec* s : specs) {
    names.push_back(s->symbol);
    names.push_back(s->symbol + ".entry");
    if (s->kernel) names.push_back(s->symbol + ".kernel");
  }
  return names;
}

void CpuBackend::bind(Spec& s) {
  s.cpu.fn = engine_->lookup(s.symbol);
  s.cpu.entry = reinterpret_cast<decltype(s.cpu.entry)>(engine_->lookup(s.symbol + ".entry"));
  if (s.kernel) s.cpu.kernel_range = reinterpret_cast<decltype(s.cpu.kernel_range)>(engine_->lookup(s.symbol + ".kernel"));
}

void* CpuBackend::lookup(const std::string& symbol) { return engine_->lookup(symbol); }

}  // namespace tsr::jit
