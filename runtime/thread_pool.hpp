// A fixed pool of worker threads (one per core) for kernels: parallel_for hands out task
// numbers 0..n-1 dynamically to the workers and the calling thread, and returns when all are
// done. Tasks must not throw C++ exceptions (compiled kernels report errors through the
// runtime's error flag instead).
#pragma once

#include <cstdint>
#include <functional>

namespace tsr {

// Worker threads plus the caller (TSR_NUM_THREADS overrides the core count).
int num_threads();
void parallel_for(int64_t tasks, const std::function<void(int64_t)>& task);

}  // namespace tsr
