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
  // Tuning flags added to the CPU's own (LLVM subtarget feature syntax). "-prefer-256-bit": on
  // Intel server cores LLVM's default tuning keeps vectors at 256 bits, which splits the
  // kernels' 16-lane Float32 blocks in two and halves their FMA throughput (matmul ran at 0.56x
  // OpenBLAS's AVX-512 kernels on such a machine); ML kernels want the full 512-bit registers.
  std::string tuning;
};

const HostTarget& host_target();

}  // namespace tsr::jit
