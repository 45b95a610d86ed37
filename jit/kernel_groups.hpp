// Work-groups on the CPU: what @localmem, @synchronize and atomic_add! need at run time.
//
// A kernel without them runs its indices in any order (kernels.cpp). One with them runs one
// work-group at a time per thread: every work item of the group sees the same @localmem
// tensors, and with barriers the work items run as fibers (runtime/fiber.hpp) that take
// turns between @synchronize calls. A work item that returns while others wait at a barrier,
// or items that wait at different barriers, raise an error instead of hanging (a GPU would
// hang or give garbage).
#pragma once

#include <cstdint>
#include <string>

#include "jit/builtin_registrar.hpp"

namespace tsr::jit {

// A kernel's compiled range function: runs the body for linear indices [lo, hi).
using KernelRange = void (*)(const Value* args, int64_t lo, int64_t hi, int64_t n1, int64_t n2, int64_t n3,
                             int64_t workgroup, int64_t rank);

struct GroupLaunch {
  KernelRange range = nullptr;
  const Value* args = nullptr;
  int64_t n1 = 1, n2 = 1, n3 = 1, workgroup = 1, rank = 1, total = 0;
  bool barriers = false;  // the kernel calls @synchronize: run the items as fibers
  const std::string* frame = nullptr;  // "kernel at file:line", for a stack overflow's trace
};

// The most work items a group with barriers may have (as on GPUs): each is a fiber.
constexpr int64_t kMaxBarrierGroup = 1024;

// Runs the work-groups that start in [lo, hi) (lo a multiple of the group size) on this thread.
void run_work_groups(const GroupLaunch& launch, int64_t lo, int64_t hi);

// __localmem(T, dims, site) (what codegen makes of Op::LocalMem) and atomic_add!(t, idx..., v).
void register_kernel_builtins(Registrar& r);

}  // namespace tsr::jit

// Op::Barrier (@synchronize) in compiled code calls tsr_kernel_barrier (jit/abi.def), not the
// serialized built-in path: a barrier switches fibers, and must not hold the runtime's lock
// while it does.
