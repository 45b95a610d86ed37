// Reverse-mode autodiff of one specialization, source to source (docs/autodiff.md).
//
// From a method's lowered body and its typed specialization, make the body of its pullback
// function `∂f(f, args...) -> (y, back)`:
// - the forward sweep is the body with every active call `g(a, b)` replaced by
//   `_pullback(g, a, b)`, which returns the value and g's pullback; each pullback is kept
//   (in a local when the call runs exactly once, else on a stack), and so is the way each
//   branch went and each loop's trip count;
// - `back(dy)` is a closure over what was kept: the statements in reverse, each adding its
//   contribution to the adjoints of its inputs (one adjoint local per variable, `nothing`
//   until something flows into it), returning (df, dargs...).
// Types decide what is active: a value of a type that carries no gradient (integers, Bool,
// strings, ...) and the code that only computes such values run as they are.
#pragma once

#include <memory>
#include <string>

#include "jit/ir.hpp"

namespace tsr::jit {

class Compiler;
struct Spec;

struct DeriveRequest {
  const Body* primal = nullptr;  // the method's lowered body
  const Spec* typed = nullptr;   // its specialization for these argument types
  bool self_in_args = false;     // the callee is the primal's argument 0 (closures, callable structs)
  // Bit i: the gradient of argument i of the call (0: the callee, a closure or callable struct
  // when self_in_args) is not wanted: it is a constant here (and a callee's captures too).
  uint64_t passive = 0;
  // A @kernel's body: make its adjoint kernel instead (derive_adjoint_kernel_body).
  size_t kernel_args = 0;        // the kernel's own arguments (before the hidden index arguments)
  // A function called inside an adjoint kernel (derive_local_gradient_body).
  bool local_gradient = false;
};

// The bit of a _pullback function's passive mask that asks for a derivative fit to run inside
// an adjoint kernel (on a GPU): a derived one's pullback keeps the arguments and, called, runs
// the function's forward and reverse sweeps in one body with no tape (what an adjoint kernel
// does with its own code). Arguments past the 62nd are never passive.
constexpr uint64_t kLocalGradientBit = uint64_t{1} << 63;

// For f(args...) called inside an adjoint kernel: the body of `∂f#local(f, args..., dy)`
// (without f for a closure or callable struct, which is args[0]), the forward sweep with what
// it keeps in locals, then the reverse sweep from dy, returning (df, dargs...) as a pullback
// does. Branches keep their way in locals, loops are replayed (as an adjoint kernel's). nullptr
// with `why` when it cannot be made.
std::unique_ptr<Body> derive_local_gradient_body(Compiler& c, const DeriveRequest& r, std::string& why);

// Whether values of type t can carry a gradient (floats, tensors and vectors of them, and
// tuples, named tuples and structs holding any); true when t is not known.
bool carries_gradient(const Type* t, int depth = 0);

// The pullback function's body, or nullptr with `why` set when the body holds something
// reverse mode cannot handle (try/catch, a reassigned captured variable, assignment to a
// global or a field, kernel intrinsics): the caller raises that as the derivative's error.
std::unique_ptr<Body> derive_pullback_body(Compiler& c, const DeriveRequest& r, std::string& why);

// A @kernel's adjoint kernel, source to source: arguments (x1..xn, d1..dn, index arguments),
// where di is the adjoint buffer of xi (a tensor like it, a 1-element tensor for a float, or
// nothing). Each work item recomputes its forward part, then runs it in reverse: a read
// x[idx] adds its adjoint into dx[idx] (plainly when idx is the work item's own global index,
// else with atomic_add!), a write y[idx] = e takes dy[idx], zeroes it and sends it into e,
// atomic_add!(y, idx, v) sends dy[idx] into v. `written`/`read` say which arguments the kernel
// writes and reads (for the launch's pullback). nullptr with `why` when it cannot be done.
struct KernelAccess {
  std::vector<bool> read, written;
};
std::unique_ptr<Body> derive_adjoint_kernel_body(Compiler& c, const DeriveRequest& r, KernelAccess& access, std::string& why);

}  // namespace tsr::jit
