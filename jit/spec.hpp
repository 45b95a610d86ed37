// A specialization: one Tessera method for one concrete signature. It holds the typed IR
// (what inference made of the method's body for these argument types), what the analyses
// found, and, apart from those, what each backend made of it: nothing in the typed part
// depends on a target.
#pragma once

#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "jit/ir.hpp"

namespace tsr::jit {

struct MethodDef;

// What a kernel's launch knows about its tensor arguments, and specializes the kernel on.
struct ArgLayout {
  // Bit i: tensor argument i is contiguous (strides follow from its shape, 1 for the last
  // dimension), so loops over it vectorize without run-time stride checks. Arguments past
  // the 64th are never marked.
  uint64_t contiguous = 0;
  // The tensor arguments have pairwise distinct storage: accesses through different
  // arguments never alias (scoped no-alias metadata lets LLVM keep values in registers).
  bool noalias = false;
  static constexpr size_t kMaxArgs = 64;
  bool is_contiguous(size_t arg) const { return arg < kMaxArgs && (contiguous >> arg & 1); }
  auto operator<=>(const ArgLayout&) const = default;
};

// What the CPU backend (jit/cpu/) made of a specialization: native code in this process.
struct CpuCode {
  // The specialized function: `R f(Value* out, A1 a1, ...)` (jit/cpu/fn_gen.hpp).
  void* fn = nullptr;
  // `void entry(Value* out, const Value* args, int64_t n)`: unboxes, calls fn, boxes the result.
  void (*entry)(Value*, const Value*, int64_t) = nullptr;
  // A kernel's `void range(const Value* args, lo, hi, n1, n2, n3, wg, rank)`: runs linear
  // indices [lo, hi) of the ndrange.
  void (*kernel_range)(const Value*, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t) = nullptr;
  std::string launch_frame;  // a kernel's "name at file:line", made at its first launch
};

struct Spec {
  // ---- what it is ----
  const Method* method = nullptr;  // nullptr for a top-level thunk
  const MethodDef* def = nullptr;
  std::vector<const Type*> argtypes;
  ArgLayout layout;                // kernels only: how the launch's tensors are laid out
  bool kernel = false;             // a @kernel's specialization (has a range function)
  int id = 0;
  std::string symbol;              // its name in generated code

  // ---- the typed IR (pass: infer) ----
  std::unique_ptr<Body> body;      // the typed copy of the method's body
  const Type* ret = nullptr;
  std::vector<const Type*> sparam_values;  // what each `where` variable is for these arguments
  enum class State { Fresh, Inferring, Provisional, Inferred } state = State::Fresh;

  // ---- what the analyses found (passes: edges, may-throw) ----
  // The functions whose methods the typed body relied on (calls bound at compile time,
  // directly or through the specializations it calls), with their epochs then. When one
  // gains a method, this specialization is stale and is made again on its next entry.
  std::vector<std::pair<const GenericFunction*, uint64_t>> edges;
  // False when nothing in the body can raise an error (numbers, branches, loops and calls
  // to other such functions): callers then skip testing the error flag after the call.
  bool may_throw = true;

  // ---- per backend ----
  bool compiled = false;  // the CPU backend has made and linked its code
  CpuCode cpu;
};

// Whether s holds code that runs many times over: a loop, a kernel, or a call to itself (fib).
// Such code gets the full optimizing pipeline; the rest is glue (Backend::optimize's light).
bool runs_many_times(const Spec& s);

}  // namespace tsr::jit
