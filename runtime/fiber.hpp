// Fibers: stackful coroutines that take turns on one thread. Kernels use them to run the work
// items of a work-group on the CPU: a work item that reaches a barrier (@synchronize) switches
// to the next, and the group moves past the barrier once every item has reached it. This is
// the "equivalent" of loop fission at barriers: it keeps every local variable of a work item
// without rewriting the kernel, and barriers may sit inside loops and branches.
//
// A switch saves and restores only the callee-saved registers (x86-64: a few nanoseconds);
// elsewhere it falls back to ucontext.
#pragma once

#include <cstddef>
#include <memory>

namespace tsr {

struct FiberContextImpl;

// Where a suspended fiber (or the thread that runs fibers) resumes.
class FiberContext {
 public:
  FiberContext();
  ~FiberContext();
  FiberContext(const FiberContext&) = delete;
  FiberContext& operator=(const FiberContext&) = delete;
  FiberContext(FiberContext&&) noexcept;
  FiberContext& operator=(FiberContext&&) noexcept;

  // Prepares a fiber that, at its first resume, runs entry(arg) on `stack`. entry must never
  // return: it ends by switching away for good.
  void prepare(void* stack_low, size_t stack_size, void (*entry)(void*), void* arg);
  // Saves the running context into `from` and resumes `to`.
  friend void fiber_switch(FiberContext& from, FiberContext& to);

 private:
  std::unique_ptr<FiberContextImpl> impl_;
};

void fiber_switch(FiberContext& from, FiberContext& to);

// A fiber's stack: mapped lazily (pages are committed as they are touched), with a guard page
// below it so that running off its end faults instead of overwriting memory.
class FiberStack {
 public:
  explicit FiberStack(size_t size);
  ~FiberStack();
  FiberStack(const FiberStack&) = delete;
  FiberStack& operator=(const FiberStack&) = delete;
  void* low() const { return low_; }
  size_t size() const { return size_; }

 private:
  void* map_ = nullptr;
  size_t map_size_ = 0;
  void* low_ = nullptr;
  size_t size_ = 0;
};

}  // namespace tsr
