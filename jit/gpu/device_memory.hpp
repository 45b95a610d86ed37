// Device tensors: the caching device allocator behind a GPU storage, and moving values
// between the devices (gpu(x), cpu(x)).
#pragma once

#include "runtime/tensor.hpp"

namespace tsr::jit::gpu {

// Makes the GPU's memory available to the runtime (runtime/tensor.hpp's DeviceMemory), once;
// raises an error saying why when there is no GPU. `what` names the operation in that error.
void use_gpu(const std::string& what);

// x on device d: a tensor copied (contiguous), a tuple, named tuple, Vector or struct rebuilt
// with its fields moved (Flux's gpu/cpu over a model, recursively); anything else as it is.
// A value already there is returned itself. For the GPU, an error says why when there is none.
Value move_to(TypeRegistry& types, const Value& x, Device d);

// The device x lives on: a tensor's, or a struct's first tensor's (each object looked at once:
// a model may refer to itself); the CPU when it holds none.
Device device_of_value(const Value& x);

// The caching allocator's figures (gpu_memory()).
struct DeviceAllocatorStats {
  uint64_t allocations = 0, cache_hits = 0, bytes_in_use = 0, bytes_cached = 0;
};
DeviceAllocatorStats device_allocator_stats();

}  // namespace tsr::jit::gpu
