// @cuda_kernel: the escape hatch to CUDA C++. A kernel whose body is CUDA C++ source given
// inline (CuPy's RawKernel, in the script):
//
//   const saxpy = @cuda_kernel """
//   extern "C" __global__ void saxpy(float* y, const float* x, float a, long long n) {
//     long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
//     if (i < n) y[i] += a * x[i];
//   }
//   """
//   launch(saxpy, length(y), y, x, 2f0, length(y))
//
// NVRTC compiles it where it is defined (when NVRTC is found), so a compile error names the
// script's file and line; launch runs it on the GPU with one thread per item of the ndrange in
// blocks of `workgroup`, passing a tensor as a pointer to its first element (it must be
// contiguous and on the GPU) and a number as its C type (Float32 float, Int64 long long, Bool
// bool, ...).
#pragma once

#include <span>
#include <vector>

#include "jit/compiler.hpp"

namespace tsr::jit::gpu {

// __cuda_kernel(entry, source, file, line, first_line): a CudaKernel value (entry "" when the
// source has one __global__ function, which is then the entry; line is the macro's, first_line
// the script's line of the source's first line).
Value define_cuda_kernel(Compiler& c, std::span<const Value> a);
bool is_cuda_kernel(const Value& v);
void launch_cuda_kernel(Compiler& c, const Value& k, std::span<const Value> args, const std::vector<int64_t>& dims, int64_t workgroup);

}  // namespace tsr::jit::gpu
