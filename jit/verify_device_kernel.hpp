// verify_device_kernel: what in a kernel's typed IR a GPU cannot run.
//
// Invariant: a kernel specialization that passes runs on a GPU as it does on the CPU: every
// value it holds is a number, a Bool, an immutable struct or tuple of those, a tensor (device
// memory and its shape) or a constant (a type, a function); every call is inline or to a
// Tessera function that passes too. What fails it: dynamic dispatch, calls into the C++
// runtime, boxed values, allocation (vectors, closures, cells, mutable structs), strings,
// try/catch, non-constant globals.
//
// It runs for every kernel specialization. On the CPU, where such a kernel still runs (through
// the runtime, under its lock), it is a warning; for a GPU target it is an error.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "jit/compiler.hpp"

namespace tsr::jit {

enum class DeviceTarget : uint8_t {
  Cpu,  // the host: problems are a warning (the kernel runs, slowly)
  Gpu,  // PTX or CUDA C++: problems are an error (the kernel cannot be built)
};

// One thing a GPU cannot run, at a place in the kernel or in a function it calls.
struct DeviceProblem {
  SrcLoc loc;
  std::string function;  // the function it is in, when not the kernel itself
  std::string what;      // "a dynamic call: twice(::Any)"
};

// The problems of a kernel specialization and of the specializations it calls statically, in
// line order per function (on one line, in the order they run), each reported once.
std::vector<DeviceProblem> device_kernel_problems(const Spec& kernel);

// "kernel name(::T1, ::T2) at file:line" (without the hidden index arguments).
std::string describe_kernel(const Spec& kernel);

// Cpu: prints "WARNING: kernel ... cannot run on a GPU:" and one line per problem to `out`
// when there are problems; with `name_fit` it names a kernel without problems too ("kernel
// ... can run on a GPU", what TSR_CHECK_KERNELS=1 asks for). Gpu: throws an ErrorException
// with the same text when there are problems.
void verify_device_kernel(const Spec& kernel, DeviceTarget target, std::FILE* out = stderr, bool name_fit = false);

// TSR_CHECK_KERNELS=1: name every kernel specialization checked, fit or not.
bool name_fit_kernels();

}  // namespace tsr::jit
