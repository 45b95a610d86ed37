// The NVPTX backend: a kernel specialization to PTX through LLVM 19's NVPTX target (sm_80,
// sm_90), with libdevice from the CUDA toolkit linked for math; and where the toolkit is.
#pragma once

#include <string>
#include <vector>

#include "jit/gpu/device_gen.hpp"

namespace tsr::jit::gpu {

// A kernel's device code for one architecture.
struct DeviceCode {
  std::string entry;                      // the kernel's symbol
  std::string text;                       // PTX (or CUDA C++ for --emit=cuda)
  std::vector<DeviceErrorSite> sites;     // what tsr_error's values mean
  int sm = 80;
};

// The GPU architectures device code is made for (sm_80: A100, sm_90: H100/H200).
inline const std::vector<int>& device_architectures() {
  static const std::vector<int> archs{80, 90};
  return archs;
}

// The CUDA toolkit's folder: TSR_CUDA_HOME, CUDA_HOME, or the one found at build time
// (/usr/local/cuda). Empty when none has libdevice.
std::string cuda_toolkit_root();

// PTX for the kernel: device_gen, then LLVM's O3 pipeline for NVPTX, libdevice, the PTX printer.
// Throws an ErrorException (the kernel cannot run on a GPU, or the toolkit is missing).
DeviceCode kernel_ptx(Compiler& c, Spec& kernel, int sm);

// PTX for a fused broadcast loop: a kernel with one work item per element of the result
// (device_gen.hpp, generate_broadcast).
DeviceCode broadcast_ptx(Compiler& c, const BroadcastLoop& loop, int sm);

}  // namespace tsr::jit::gpu
