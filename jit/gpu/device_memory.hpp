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
// A value already there is returned itself.
Value move_to(TypeRegistry& types, const Value& x, Device d);

// The caching allocator's figures (for tests and benchmarks).
struct DeviceAllocatorStats {
  uint64_t allocations = 0, cache_hits = 0, bytes_in_use = 0, bytes_cached = 0;
};
DeviceAllocatorStats device_allocator_stats();

}  // namespace tsr::jit::gpu
