// A fixed pool of worker threads (one per core) for kernels: parallel_for splits task numbers
// 0..n-1 into one block per thread (the calling thread's first), each thread runs its own block
// in order and then takes what is left of the others from their ends, and it returns when all
// are done. The same thread thus tends to touch the same part of the data launch after launch.
// Tasks must not throw C++ exceptions (compiled kernels report errors through the runtime's
// error flag instead).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

namespace tsr {

// Worker threads plus the caller (TSR_NUM_THREADS overrides the core count).
int num_threads();
// A parallel_for inside a task runs its tasks serially on that thread.
void parallel_for(int64_t tasks, const std::function<void(int64_t)>& task);

// Work for the pool's idle time: pieces 0..n-1 that the workers run while they wait between
// launches (a training step leaves them idle while its serial glue runs), and that finish()
// runs on the calling thread when they are needed before then. A piece must not throw and must
// not touch the runtime's shared state (it runs on a worker outside any parallel region): it
// copies bytes. With no workers (TSR_NUM_THREADS=1) everything runs in finish().
class BackgroundWork {
 public:
  BackgroundWork(int64_t pieces, std::function<void(int64_t)> piece);
  // Runs the pieces nobody has started and waits for those under way; then all are done.
  void finish();
  bool done() const { return done_.load(std::memory_order_acquire) == pieces_; }
  // Claims and runs one piece; false when none is left to claim.
  bool run_one();

 private:
  const int64_t pieces_;
  const std::function<void(int64_t)> piece_;
  std::atomic<int64_t> next_{0}, done_{0};
};

// Queues the work for the idle workers and returns at once.
std::shared_ptr<BackgroundWork> run_when_idle(int64_t pieces, std::function<void(int64_t)> piece);

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
