#include "jit/cpu/perf_map.hpp"

#include <llvm/ExecutionEngine/JITLink/JITLink.h>
#include <llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <unistd.h>

namespace tsr::jit {

namespace {

// Appends "start size name" for each named symbol JITLink placed (functions, private ones too)
// to /tmp/perf-PID.map, the file `perf report` reads for code that no ELF file on disk
// describes (perf's jit interface).
class PerfMapPlugin : public llvm::orc::ObjectLinkingLayer::Plugin {
 public:
  explicit PerfMapPlugin(std::FILE* f) : file_(f) {}
  ~PerfMapPlugin() override { std::fclose(file_); }

  void modifyPassConfig(llvm::orc::MaterializationResponsibility&, llvm::jitlink::LinkGraph&,
                        llvm::jitlink::PassConfiguration& config) override {
    config.PostFixupPasses.push_back([this](llvm::jitlink::LinkGraph& g) {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto* sym : g.defined_symbols()) {
        if (!sym->hasName() || sym->getSize() == 0) continue;
        std::fprintf(file_, "%llx %llx %s\n", static_cast<unsigned long long>(sym->getAddress().getValue()),
                     static_cast<unsigned long long>(sym->getSize()), sym->getName().str().c_str());
      }
      std::fflush(file_);
      return llvm::Error::success();
    });
  }
  llvm::Error notifyFailed(llvm::orc::MaterializationResponsibility&) override { return llvm::Error::success(); }
  llvm::Error notifyRemovingResources(llvm::orc::JITDylib&, llvm::orc::ResourceKey) override {
    return llvm::Error::success();
  }
  void notifyTransferringResources(llvm::orc::JITDylib&, llvm::orc::ResourceKey, llvm::orc::ResourceKey) override {}

 private:
  std::FILE* file_;
  std::mutex mutex_;
};

}  // namespace

void maybe_add_perf_map(llvm::orc::ObjectLayer& layer) {
  const char* on = std::getenv("TSR_PERF_MAP");
  if (!on || !*on || std::string(on) == "0") return;
  auto* linking = llvm::dyn_cast<llvm::orc::ObjectLinkingLayer>(&layer);
  if (!linking) {
    std::fprintf(stderr, "tsr: TSR_PERF_MAP: this JIT does not link with JITLink; no perf map written\n");
    return;
  }
  std::string path = "/tmp/perf-" + std::to_string(getpid()) + ".map";
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (!f) {
    std::fprintf(stderr, "tsr: TSR_PERF_MAP: cannot open %s\n", path.c_str());
    return;
  }
  linking->addPlugin(std::make_unique<PerfMapPlugin>(f));
}

}  // namespace tsr::jit
