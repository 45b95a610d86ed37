// Device code shown or kept as kernels are first launched: `tsr --emit=ptx|cuda` prints each
// kernel specialization's PTX (LLVM NVPTX) or CUDA C++ (for NVRTC) to standard error, and
// TSR_DEVICE_CODE_DIR=DIR writes both, for every architecture, into DIR (what the tests hand
// to ptxas and NVRTC). The kernels still run on the CPU.
#pragma once

#include "jit/compiler.hpp"

namespace tsr::jit::gpu {

// Called by launch when a kernel specialization has just been compiled for the CPU.
void on_kernel_compiled(Compiler& c, Spec& kernel);
// Called when a fused broadcast loop has just been compiled for the CPU.
void on_broadcast_compiled(Compiler& c, const BroadcastLoop& loop);
// Called when a @cuda_kernel is defined: its source is the CUDA C++, NVRTC's output the PTX.
void on_cuda_kernel_defined(Compiler& c, const std::string& entry, const std::string& source, const std::string& description);

}  // namespace tsr::jit::gpu
