// The CUDA C++ backend: the same typed IR that device_gen.hpp turns into LLVM IR, printed as
// CUDA C++ source (with fmt) for NVRTC. Values, the kernel's parameters and the error sites
// are as device_gen.hpp describes them, so one launch path serves both backends: the entry
// is `extern "C" __global__ void NAME(params...)` and the error flag the `__device__` global
// `tsr_error`. Number semantics are Julia's, written out per type (integer arithmetic wraps
// through the unsigned type, shifts follow Julia's rules, division checks raise).
#pragma once

#include "jit/gpu/nvptx.hpp"

namespace tsr::jit::gpu {

// The kernel as CUDA C++ (DeviceCode::text); throws an ErrorException when the kernel cannot
// run on a GPU or uses what this printer does not write yet.
DeviceCode kernel_cuda_source(Compiler& c, Spec& kernel);
// A fused broadcast loop as CUDA C++, with generate_broadcast's entry (device_gen.hpp).
DeviceCode broadcast_cuda_source(Compiler& c, const BroadcastLoop& loop);

}  // namespace tsr::jit::gpu
