// The machine code is generated for: the host CPU, its features, and the LLVM version. These
// key the on-disk compile cache (DESIGN.md) and are shown by `tsr --version`.
#pragma once

#include <string>

namespace tsr::jit {

struct HostTarget {
  std::string triple;        // e.g. x86_64-pc-linux-gnu
  std::string cpu;           // e.g. znver5
  std::string features;      // "+avx2,+avx512f,..." sorted, enabled features only
  std::string llvm_version;  // e.g. 19.1.7
};

const HostTarget& host_target();

}  // namespace tsr::jit
