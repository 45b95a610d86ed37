// Running compiled code on the GPU: a kernel specialization launched over an ndrange, and a
// fused broadcast loop over the elements of its result. The device code comes from the
// backend TSR_GPU_BACKEND names (nvptx: LLVM's NVPTX target, the default; nvrtc: CUDA C++
// through NVRTC), for the device's architecture, and is kept in the compile cache under a
// key of the typed IR, the backend, the architecture and the LLVM and NVRTC versions. The
// driver loads it once per process.
//
// Launches are synchronous: after each one the stream is waited for and the module's error
// flag read, so a kernel's BoundsError is raised at its launch with the kernel's file and
// line, as on the CPU.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "jit/compiler.hpp"

namespace tsr::jit::gpu {

// "nvptx" or "nvrtc" (TSR_GPU_BACKEND); an error names the choices for anything else.
const std::string& gpu_backend();
// The architecture device code is made for: the device's, at most sm_90 (the newest both
// LLVM 19 and the toolkit know; the driver compiles that PTX for a newer GPU); sm_80 where
// there is no GPU (what @cuda_kernel's source is checked against at its definition).
int device_arch();
// A number as a kernel parameter takes it: its bits in the low bytes of 8 (0 for what is not a
// number).
uint64_t number_bits(const Value& v);

// The device of a call's tensors: the GPU when one is there, and then every tensor must be
// (an ArgumentError naming the first two that differ, `what` being the call). Non-tensors
// are ignored.
Device call_device(std::span<const Value> values, const std::string& what, const std::vector<std::string>* names = nullptr);
// Whether any of the values is a tensor on the GPU (what every launch asks first, cheaply).
bool any_on_gpu(std::span<const Value> values);

// Runs kernel (a specialization whose last six arguments are the index arguments) on the
// GPU with these user arguments. False when no device code can be made for it (a warning says
// why, once): the caller runs it on the CPU, which reads and writes the unified memory.
bool launch_on_gpu(Compiler& c, Spec& kernel, std::span<const Value> args, const std::vector<int64_t>& dims, int64_t workgroup);

// Runs a broadcast loop on the GPU: vals are its outputs, then its leaves; meta as the CPU's
// loop takes it (rank, shape, then each value's strides). False as for launch_on_gpu.
bool broadcast_on_gpu(Compiler& c, const BroadcastLoop& loop, const Value* vals, size_t nvals, std::span<const int64_t> meta,
                      int64_t total);

// The number of parameters launch passes to the entry of a kernel specialization or of a
// broadcast loop, each in an 8-byte slot: what the tests compare with the entry's parameters
// in its PTX (tests/gpu/device_code.sh), since a mismatch would pass garbage.
size_t kernel_param_slots(const Spec& kernel);
size_t broadcast_param_slots(const BroadcastLoop& loop);

}  // namespace tsr::jit::gpu
