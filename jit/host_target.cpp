#include "jit/host_target.hpp"

#include <llvm/ADT/StringMap.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/TargetParser/Host.h>

#include <algorithm>
#include <vector>

namespace tsr::jit {

const HostTarget& host_target() {
  static const HostTarget target = [] {
    HostTarget t;
    t.triple = llvm::sys::getProcessTriple();
    t.cpu = llvm::sys::getHostCPUName().str();
    std::vector<std::string> enabled;
    for (const auto& f : llvm::sys::getHostCPUFeatures())
      if (f.getValue()) enabled.push_back("+" + f.getKey().str());
    std::sort(enabled.begin(), enabled.end());
    for (size_t i = 0; i < enabled.size(); ++i) t.features += (i ? "," : "") + enabled[i];
    t.llvm_version = LLVM_VERSION_STRING;
    if (std::find(enabled.begin(), enabled.end(), "+avx512f") != enabled.end()) t.tuning = "-prefer-256-bit";
    return t;
  }();
  return target;
}

}  // namespace tsr::jit
