// A fixed pool of worker threads (one per core) for kernels: parallel_for hands out task
// numbers 0..n-1 dynamically to the workers and the calling thread, and returns when all are
// done. Tasks must not throw C++ exceptions (compiled kernels report errors through the
// runtime's error flag instead).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>

namespace tsr {

// Worker threads plus the caller (TSR_NUM_THREADS overrides the core count).
int num_threads();
// A parallel_for inside a task runs its tasks serially on that thread.
void parallel_for(int64_t tasks, const std::function<void(int64_t)>& task);

// True on a thread while it runs parallel_for tasks (a worker, or the caller helping).
bool in_parallel();

// The runtime's shared state (dispatch caches, interned types, the JIT) is single-threaded.
// Entry points that compiled code calls to reach it open a SerialSection: inside a parallel
// region it holds one process-wide lock, so kernels that fall back to dynamic calls stay
// correct (if slow); outside one it costs a thread-local test.
class SerialSection {
 public:
  SerialSection();
  ~SerialSection();
  SerialSection(const SerialSection&) = delete;
  SerialSection& operator=(const SerialSection&) = delete;

 private:
  bool held_;
};

}  // namespace tsr
