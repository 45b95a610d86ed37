// The reverse-mode transform's internals (jit/autodiff/reverse.hpp is its interface): one
// Reverser per derivative made. reverse.cpp holds the analysis and the two sweeps of a
// function's pullback; kernel_adjoint.cpp what differs for a @kernel's adjoint kernel (tensor
// accesses through buffers, the reverse sweep in the same body) and for a launch inside a
// differentiated function.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "jit/autodiff/ir_build.hpp"
#include "jit/autodiff/reverse.hpp"
#include "jit/compiler.hpp"
#include "jit/spec.hpp"

namespace tsr::jit {

class Reverser {
 public:
  Reverser(Compiler& c, const DeriveRequest& r) : c_(c), r_(r), g_(c.globals()) {}

  // The adjoint of a @kernel body (derive_adjoint_kernel_body).
  std::unique_ptr<Body> run_kernel(KernelAccess& access, std::string& why);
  // The one-body gradient of a function called in an adjoint kernel (derive_local_gradient_body).
  std::unique_ptr<Body> run_local(std::string& why);

  std::unique_ptr<Body> run(std::string& why);

 private:
  std::unique_ptr<Body> refuse(std::string& why, const std::string& what);

  // What reverse mode cannot take, by the first node that shows it.
  std::string refusal(const Node* n, std::string& why);

  // A closure's captures are loaded from its fields at entry; here they are explicit reads
  // of the closure (argument 0), so their adjoints flow into its gradient.
  void explicit_captures();
  // A comprehension fills its own fresh vector (a local no one else sees) with push!: that
  // is `v = _comprehension_push!(v, x)`, whose rule gives x's gradient and the rest's.
  void comprehension_pushes(Node* n);

  // `a && b` that assigns a differentiated variable in b (`x > 5 && return x^2` after the
  // early exits are gone) is `if a; b; else false end`, so its branch is recorded like an if's.
  void short_circuits_as_branches(Node* n);

  // ---- a kernel's tensor accesses ----
  enum class Access { None, Read, Write, Atomic };
  bool is_tensor_arg(int s) const;
  // t[idx...], t[idx...] = v and atomic_add!(t, idx..., v) on one of the kernel's own tensors.
  Access access_of(const Node* n) const;
  // A kernel's tensors are used through accesses (or for their sizes) only, none is both read
  // and written (the adjoint recomputes each work item from the inputs, which must still hold
  // what the launch read), and no local holds one.
  bool check_kernel_accesses(const Node* n, std::string& why);
  // A tensor given to a launch inside a differentiated function is held by no other variable
  // or value (z = y, a tuple, a struct, a closure): the launch's pullback updates the adjoint
  // of the variable it was given, and another name for the same tensor would miss that.
  bool check_launch_aliases(std::string& why);
  // An index that is the work item's own global index (so no two work items share it).
  bool own_index(const Node* n) const;

  // ---- what is active ----
  const Type* type_of(const Node* n) const;
  bool diff_slot(int s) const;
  // Assigns a variable that carries a gradient, or changes such a value in place (a call of
  // a `!` function on one): code with such effects must be differentiated even when its
  // own value carries none (a loop that fills an array).
  bool assigns_active(const Node* n);
  // A call that may change its arguments in place: a `!` function, or a kernel's launch.
  static bool mutating(const Node* n);
  // Active: the node's value depends on the arguments' values through something that
  // carries a gradient, or it changes a variable that does. Passive nodes run as they are.
  bool active(const Node* n);
  bool default_active(const Node* n);
  bool never_returns(const Node* n) const;
  // Control flow whose conditions only test (no active assignment in a condition or in one
  // side of && and ||): then recording which way each went is enough.
  bool check_active_shapes(const Node* n, std::string& why);

  // t[k] of a tuple of known type with a literal k: its length, with k in range (else 0). Its
  // derivative is structural, as a field's (no rule: rrule(getindex, t, i) cannot type t[i]
  // for an i known only at run time, so a Chain's layers would be reached dynamically).
  size_t tuple_index_length(const Node* n) const;

  // ---- the forward sweep ----
  struct Site {
    bool once = false;  // runs exactly once: its pullback in a local, else on a stack
    int keep = -1;      // that local or stack (a slot of the forward body)
  };

  // Forward-body slots: a kernel's adjoint buffers come after its own arguments, before the
  // hidden index arguments and the locals.
  int dslot(int s) const {
    if (kernel_) return s < static_cast<int>(nk_) ? s : s + static_cast<int>(nk_);
    if (local_) return s < static_cast<int>(p_->nargs) ? s + shift_ : s + shift_ + 1;  // dy after the arguments
    return s + shift_;
  }
  int dbuffer(int s) const { return static_cast<int>(nk_) + s; }

  void make_forward_body();

  Node* clone_node(const Node* n);
  // A passive subtree, as it is.
  Node* copy(const Node* n);

  int new_stack(const char* what, const char* maker);

  // Keeps a value the reverse sweep needs: in a local when the site runs once, else on a stack.
  Node* keep(Site& s, IRBuild& ir, Node* value, int k);

  // A kernel's access, forward: the indices are kept; a read reads; a write is not done again.
  Node* fwd_access(const Node* n, Access a);

  // In place (kernel_scalars.cpp), a call of arithmetic or an elementary function on numbers
  // whose rule is the stdlib's: its arguments and result stay in locals, and the reverse sweep
  // computes each partial with _kpart1/_kpart2 (stdlib/Autodiff.tsr, the same formulas as the
  // rules) instead of calling a pullback closure, which the CPU allocates on the heap for every
  // work item. nullptr when the call is not such a call.
  struct ScalarSite {
    std::vector<int> args;  // the locals holding each argument's value
    int result = -1;        // ... and the result's
  };
  Node* fwd_scalar_call(const Node* n);
  void rev_scalar_call(const Node* n, int a, std::vector<Node*>& out);
  std::unordered_map<const Node*, ScalarSite> scalar_sites_;
  std::unordered_map<const Node*, std::vector<int>> access_sites_;  // a kernel access -> the locals of its indices

  Node* fwd(const Node* n);

  // ---- the reverse sweep: the body of `back(dy)` ----
  void make_reverse_body();

  // A kernel: the reverse sweep follows the forward one in the same body; the adjoints of its
  // float arguments go into their one-element buffers at the end.
  void make_kernel_reverse();

  // The body the reverse sweep goes into (back's, or for a kernel the adjoint kernel itself).
  Body& rb() { return in_place() ? *d_ : *r_body_; }
  // The reverse body's copy of a forward-body slot (a capture of the closure).
  int capture(int dslot_index);
  // pop!(stack) in the reverse sweep, from this call's own copy of the captured stack: the
  // pullback may be called again (Zygote's may), and popping the captured one would leave the
  // second call an empty tape. (An in-place body keeps no stacks: in_place.)
  Node* pop_stack(int dslot_index, IRBuild& ir);
  // A variable's adjoint. One used inside a reversed branch or loop lives in one local
  // (adjoint(), `nothing` at first: its type is a union); any other gets a new local at each
  // change (SSA), so its type stays concrete and the calls on it bind at compile time.
  int adjoint(int pslot);
  void find_shared_adjoints(const Node* n, int depth);
  Node* adj_get(int s, IRBuild& ir);
  // What a shared adjoint holds before anything flows into it: `nothing`, but in a kernel's
  // adjoint zero(T) for a variable of a float type T, so that its local keeps one concrete type
  // (a Union{Nothing, Float64} would be boxed, which a GPU cannot hold).
  Node* no_adjoint(int pslot, IRBuild& ir);
  void adj_set(int s, Node* value, IRBuild& ir, std::vector<Node*>& out);
  int temp(IRBuild& ir) { return ir.new_slot("#a" + std::to_string(next_++)); }

  // What a site kept, read back (the local, or popped from its stack).
  Node* take(const Site& s, IRBuild& ir);

  // A kernel's access, in reverse (see derive_adjoint_kernel_body).
  void rev_access(const Node* n, Access acc, int a, std::vector<Node*>& out);

  // launch(kernel, ndrange, args...) changes its tensors in place: its pullback takes their
  // adjoints after the launch and gives them before it (the adjoint kernel's buffers), which
  // replace a variable's adjoint rather than add to it.
  void rev_launch(const Node* n, std::vector<Node*>& out);

  // Appends to `out` the reverse of n, given the slot holding the adjoint of its value (-1:
  // none flows into it).
  void rev(const Node* n, int a, std::vector<Node*>& out);

  Compiler& c_;
  const DeriveRequest& r_;
  Globals& g_;
  std::unique_ptr<Body> p_;       // the primal body (a copy, with explicit captures and no early exits)
  std::unique_ptr<Body> d_;       // the forward body
  std::unique_ptr<Body> r_body_;  // the reverse body (back's)
  std::unordered_map<const Node*, const Node*> typed_;
  std::unordered_map<const Node*, bool> active_, assigns_;
  std::unordered_map<const Node*, Site> sites_;
  std::unordered_map<const Node*, int> branches_, loops_;
  // An `if` whose condition inference folded to a constant (`d.bias === nothing` for a tensor
  // bias): 1 when the then-branch always runs, 2 when the else-branch does, else 0. Such an if
  // is differentiated as its one branch: no recorded choice, and its calls still run once.
  int constant_branch(const Node* n) const;
  std::set<int> passive_slots_;        // primal slots taken as constants (a passive callee and its captures)
  std::map<int, int> adj_;             // primal slot -> its adjoint's slot in the reverse body (shared ones)
  std::map<int, int> version_;         // primal slot -> its adjoint's current local (-1: none yet)
  std::set<int> shared_;               // primal slots whose adjoints live in one local
  std::map<int, int> capture_of_;      // forward slot -> the reverse body's capture of it
  std::vector<int> captured_;          // forward slots, in the closure's field order
  std::vector<Node*> stack_inits_;
  std::map<int, int> stack_copy_;          // a captured stack's copy in the reverse body
  std::vector<Node*> stack_copy_inits_;    // the copies, made when the reverse sweep starts
  Node* body_ = nullptr;
  int y_ = -1;
  int shift_ = 0;
  int next_ = 0;
  bool straight_ = true;  // no active branch or loop seen yet: a call runs exactly once
  // The reverse sweep follows the forward one in the same body (a kernel's adjoint, or a local
  // gradient: run_local) and runs a loop's iteration again just before reversing it
  // (rev_replayed_loop), so each site holds one value at a time and what it keeps (a pullback,
  // an index, a number, the way a branch went) stays in a typed local. No tape: a GPU has no
  // heap for one (Any[]), and on the CPU its boxing cost far more than replaying.
  bool in_place() const { return kernel_ || local_; }
  bool local_ = false;
  int dy_ = -1;  // run_local: the slot of dy, the result's adjoint
  // run_local: the body's end, after the forward sweep: the reverse from dy, then the gradients.
  void make_local_reverse();
  // The variables each loop carries into its first iteration (assigned in it and
  // before it), restored before each replay; false with `why` when one is assigned before the
  // loop on some paths only (its value at the start could not be restored).
  bool find_loop_carries(std::string& why);
  std::unordered_map<const Node*, std::vector<int>> carries_;  // a While -> primal slots
  std::unordered_map<const Node*, std::vector<int>> saved_;    // ... -> their copies at its start (forward slots)
  // A loop's reverse (kernel_loops.cpp): for k = trips .. 1, run the iterations up to the k-th
  // again (the forward sweep's code, keeping into locals), then reverse the k-th. They run from
  // the loop's start, restoring what it carries (trips^2 / 2 iterations in all), or, for a loop
  // none of whose iterations reads what an earlier one left in a variable it does not carry in
  // (iteration_local), from the checkpoint before the k-th: one pass from the start keeps what
  // it carries every cld(trips, 8) iterations in 8 checkpoints (locals): trips + trips^2 / 16.
  void rev_replayed_loop(const Node* n, std::vector<Node*>& out);
  bool iteration_local(const Node* loop, const std::set<int>& assigned, const std::vector<int>& carried) const;
  std::set<const Node*> checkpointable_;

  bool kernel_ = false;   // making a kernel's adjoint kernel
  size_t nk_ = 0;         // ... whose own arguments are the first nk_ slots
  KernelAccess access_;
  std::map<int, int> assignments_;              // kernel: how many times each slot is assigned
  std::map<int, const Node*> single_value_;     // ... and the value of its (last) assignment
};

}  // namespace tsr::jit
