// The compiler's passes, in order, as data: what each one does, what holds after it, and how
// to show its result. Every specialization goes through them; Halide's Lower.cpp and Julia's
// named pass list are the models.
//
//   lower          (dsl/lower*.cpp) syntax to IR: names resolved to slots and globals, no sugar
//   infer          (jit/infer.cpp) every node typed, every call bound (intrinsic, static, dynamic)
//   edges          (jit/edges.cpp) the functions whose methods the bindings relied on
//   may-throw      (jit/may_throw.cpp) whether the code can raise: callers skip the error test
//   verify-kernel  (jit/verify_device_kernel.cpp) what in a kernel a GPU cannot run: a warning
//                  on the CPU, an error for a GPU target
//   codegen        (Backend::generate) the target's code for a unit of specializations
//   optimize       (Backend::optimize) the target's optimization pipeline
//   link           (Backend::link) code callable in this process; the compile cache
//
// The per-specialization passes run when a specialization is made (Compiler::specialize:
// inference of a caller makes its callees, so these nest); the unit passes when code is first
// needed (Compiler::compile), for every specialization that code reaches through static calls.
// Broadcast loops take the unit passes too (and the compile cache).
//
// Reverse-mode autodiff is a per-specialization pass after infer (it makes the pullback's
// typed body, which the analyses after it see like any other); a GPU target runs
// verify-kernel with DeviceTarget::Gpu and brings a Backend of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tsr::jit {

class Compiler;
struct Spec;

enum class Pass : uint8_t { Lower, Infer, Edges, MayThrow, VerifyKernel, Codegen, Optimize, Link };

struct PassInfo {
  Pass pass;
  const char* name;       // as tsr --emit=NAME and --stop-after=NAME spell it
  const char* invariant;  // what holds after it
  // A pass over one specialization (the unit passes are the Backend's: nullptr here).
  void (*run)(Compiler& c, Spec& s);
};

// All passes, in the order they run.
const PassInfo* passes_begin();
const PassInfo* passes_end();
const PassInfo& pass_info(Pass p);
std::optional<Pass> pass_named(std::string_view name);
// "lower, infer, ..." (for messages).
std::string pass_names();
inline bool is_spec_pass(Pass p) { return p >= Pass::Infer && p <= Pass::MayThrow; }

// The per-specialization passes after lowering, in order (Compiler::specialize runs them).
void run_spec_passes(Compiler& c, Spec& s);

// The time spent in each pass, exclusive of passes nested in it (inference of a caller makes
// its callees). Printed to stderr at exit when TSR_TIME_PASSES=1.
class PassTimer {
 public:
  // `counts`: this is a run of the pass (false for more time of a run already counted).
  explicit PassTimer(Pass p, bool counts = true);
  ~PassTimer();
  PassTimer(const PassTimer&) = delete;
  PassTimer& operator=(const PassTimer&) = delete;
  static bool enabled();

 private:
  Pass pass_;
  bool on_;
};

}  // namespace tsr::jit
