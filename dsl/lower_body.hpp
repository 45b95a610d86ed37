// BodyLowerer: lowers one body (a function, a lambda, a kernel or top-level statements) from
// the syntax tree to the JIT's IR. Internal to dsl/ (lower*.cpp).
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "dsl/lower.hpp"
#include "dsl/lower_support.hpp"

namespace tsr {

using syntax::NodeKind;
using SNode = syntax::Node;
using jit::Body;
using jit::Node;
using jit::Op;



// One local scope of a body (Julia's): a function's or lambda's own, or one opened inside it by
// `for`, `while`, `try`, `let` or a comprehension. At the top level the outermost scope is the
// global one and holds no user variables.
struct Scope {
  std::map<std::string, int> vars;  // the locals of this scope: name -> slot
  std::set<std::string> globals;    // `global x` declared here
  bool soft = false;                // for / while / try: at the top level, existing globals are assigned
};

// What a scope's own code (not that of scopes nested in it) assigns and declares.
struct ScopeScan {
  std::vector<std::string> assigned;  // in order of appearance
  std::set<std::string> locals, globals;
  std::set<std::string> in_closures;  // names mentioned by the lambdas and local functions inside
};

// Lowers one body (a function, a lambda or top-level statements).
// A deep copy of a syntax subtree, flags included (lower.cpp).
std::unique_ptr<SNode> clone_syntax(const SNode& n);

class BodyLowerer {
 public:
  BodyLowerer(Lowering& l, Body& body, bool toplevel, BodyLowerer* parent = nullptr)
      : l_(l), b_(body), toplevel_(toplevel), parent_(parent), scopes_(1) {}

  // Nodes and slots (lower_nodes.cpp).
  jit::SrcLoc loc(const SNode& n);
  // A new slot, a local of the innermost scope.
  int add_slot(const std::string& name, bool is_arg = false);
  int new_slot(const std::string& name, bool is_arg = false);
  Node* mk(Op op, const SNode& at);
  Node* literal(const SNode& at, Value v);
  Node* global(const SNode& at, const std::string& name);
  Node* call(const SNode& at, const std::string& fname, std::vector<Node*> args);
  Node* slot_get(const SNode& at, int slot);
  Node* slot_set(const SNode& at, int slot, Node* value);
  Node* nothing(const SNode& at);

  // Scopes (lower_scope.cpp). Before lowering a function or lambda body: the locals of its own
  // scope.
  void declare_locals(const SNode& body);
  // Opens a scope for `bodies`: `declared` (loop variables) and what the bodies assign that is
  // not already a variable outside become its locals. Returns the code that gives its captured
  // locals fresh cells (run each time the scope is entered: each iteration of a loop), or null.
  Node* open_scope(const SNode& at, bool soft, const std::vector<const SNode*>& bodies,
                   const std::vector<std::string>& declared);
  void close_scope() { scopes_.pop_back(); }
  // Classifies what the innermost scope's code assigns (`declared` first): new locals of it, or
  // names of an enclosing scope or globals.
  void add_scope_locals(const ScopeScan& scan, const std::vector<std::string>& declared);
  void scan_scope(const SNode& n, ScopeScan& out);
  // The names a binding (x, (a, b), x::T) assigns.
  static void scope_names(const SNode& lhs, std::vector<std::string>& out);
  // Cells for the captured locals of the innermost scope, made when it is entered.
  // (Those made from slot `first` on.)
  Node* fresh_cells(const SNode& at, int first = 0);
  Node* lower_let(const SNode& n);
  Node* lower_try(const SNode& n);
  Node* lower_local_function(const SNode& def);

  // Names (lower_variables.cpp). Where a name refers to from here: a local of this body (its
  // slot), a global, or neither (then an enclosing function's variable, or a global).
  enum class Found { Local, Global, Unknown };
  Found lookup(const std::string& name, int* slot = nullptr) const;
  // At the top level in for/while/try bodies only (Julia's soft scope), where assignments to
  // existing globals assign them.
  bool in_toplevel_soft_scope() const;
  // A captured variable of a closure: its slot holds the cell. Captures are locals of the
  // closure's own scope.
  int capture(const std::string& name);
  // A `where` variable of this body's method (not shadowed by a local or global).
  bool is_sparam(const std::string& name) const;
  // A local of this body or of an enclosing function (without capturing it).
  bool visible(const std::string& name) const;
  // Declared `global` here or in an enclosing scope (of this body or an enclosing function's).
  bool declared_global(const std::string& name) const;
  // The slot of a local (capturing it from an enclosing function if need be), or -1.
  int resolve(const std::string& name);
  // A read of the variable `name` (through its cell if it has one), and an assignment to it.
  Node* read(const SNode& at, const std::string& name);
  Node* write(const SNode& at, const std::string& name, Node* value);
  // The function's own slots before the body runs: cells get their Box at entry.
  Node* prologue(const SNode& at, Node* body);

  // Expressions (lower.cpp and the lower_*.cpp files named below).
  Node* block(const SNode& n);
  Node* expr(const SNode& n);
  // Fails (file:line:col) on what unsupported() rejects in this node's context.
  void require_supported(const SNode& n);
  // A value the function returns: converted to the declared return type, if there is one.
  Node* returned(const SNode& at, Node* value);
  // x[I...] on the left of `+=` or `.=`: the collection (unless it is a variable, read again
  // rather than copied: a copy of a tensor would cost a retain and release) and the indices
  // evaluated once, in order, into hidden slots named `tag` set in `block`.
  struct HeldIndex {
    const SNode* lhs;
    bool plain;
    int coll;
    std::vector<int> idx;
  };
  int hold(Node* block, const SNode& at, const std::string& tag, Node* value);
  HeldIndex hold_index(Node* block, const SNode& assign, const std::string& tag);  // x[I...] is assign's lhs
  // (x, [second,] I...) for getindex / setindex! and the like.
  std::vector<Node*> held_index_args(const HeldIndex& h, const SNode& at, Node* second);
  // The indices of a[i, j], with `end` meaning the last index of a: length(a) for one index,
  // size(a, k) in the k-th of several.
  std::vector<Node*> indices(const SNode& index);
  Node* splatted_index_call(const SNode& index, const std::string& fname, Node* value);
  Node* apply_piece(const SNode& a);  // xs of xs... as it is, anything else a 1-tuple (for __apply)
  Node* lower_call(const SNode& n);
  Node* lower_named_tuple(const SNode& n);
  // Whether a type application's parameters name one of the method's `where` variables.
  bool mentions_sparam(const SNode& n) const;
  Node* lower_for(const SNode& n, size_t iteration);
  Node* lower_loops(const SNode& n, const std::vector<const SNode*>& its, size_t iteration,
                    const std::vector<const SNode*>& bodies, bool soft, const std::function<Node*()>& inner);
  Node* lower_comprehension(const SNode& n, Node* eltype);
  Node* lower_assign(const SNode& n, const SNode& lhs, Node* value);
  Node* lower_lambda(const SNode& n);
  Node* lower_generator(const SNode& n);
  Node* named_tuple_node(const SNode& n, const std::vector<std::string>& names, const std::vector<Node*>& values);
  Node* lower_keyword_splat_call(const SNode& n, Node* callee);
  // self_name: the local function's own name, bound to its closure object (argument 0).
  Node* lower_closure(const SNode& n, const SNode& params, const SNode& body, const std::string& name,
                      const SNode* return_type, const std::string* self_name = nullptr);
  static int assignments_of(const SNode& n, const std::string& name);
  Node* lower_concat(const SNode& n);
  Node* lower_doc(const SNode& n);
  Node* lower_macro(const SNode& n);
  // xs[i] op= v with the indices evaluated once.
  Node* lower_update_index(const SNode& n, const std::string& op);
  // The kernel macros (lower_kernel_macros.cpp): @index, @groupsize, @synchronize and
  // @localmem as kernel IR nodes; null for other macros.
  Node* lower_kernel_macro(const SNode& n);
  Node* lower_localmem(const SNode& n);
  Node* work_item(const SNode& at, jit::WorkItem item, int dim = 0);
  // `i, j = @index(Global, NTuple)` as a statement in a kernel: the names take the Cartesian
  // indices directly, with no tuple made (its type depends on the launch's rank).
  bool is_index_destructure(const SNode& n) const;
  Node* destructure_index(const SNode& n);
  // @show, @elapsed, @sprintf, @printf (lower_io_macros.cpp); null for other macros.
  Node* lower_io_macro(const SNode& n);
  // Broadcasting (lower_broadcast.cpp): a dotted expression, fused into one loop.
  static bool is_broadcast(const SNode& n);
  Node* lower_broadcast(const SNode& at, const SNode* expr, Node* dest);
  // x[I...] .= expr (update: x[I...] .+= expr, whose expr reads the same x[I...]).
  Node* lower_dot_index_assign(const SNode& n, const SNode& expr, bool update);
  Node* broadcast_body(const SNode& n, BodyLowerer& inner, std::vector<const SNode*>& leaves);
  // The leaves of a dotted expression (whole: n is the expression itself, not a part of it).
  void count_leaves(const SNode& n, std::vector<const SNode*>& out, bool whole);
  static int& broadcast_counter();

  Lowering& l_;
  Body& b_;
  bool toplevel_;
  BodyLowerer* parent_;
  std::vector<Scope> scopes_;  // innermost last; the first is the body's own (or the global scope)
  std::vector<std::string> captured_;
  std::set<int> local_functions_;  // slots holding a local function (one method each, for now)
  // f.(x; k = v): the callee leaf __kwfn(f; k = v) made for each such dotted call, kept here.
  std::map<const SNode*, std::unique_ptr<SNode>> keyword_callees_;
  const SNode& keyword_callee(const SNode& dotcall);
  const SNode* body_syntax_ = nullptr;  // the function body declare_locals scanned (null at the top level)
  const SNode* end_of_ = nullptr;  // the object being indexed, for `end`
  int end_dim_ = 0;                // which of several indices `end` is in (0: the only one)
  const Type* return_type_ = nullptr;  // function f(x)::T: results are converted to T
  int inbounds_ = 0;                   // inside @inbounds
  int views_ = 0;                      // inside @views: x[i...] reads are __view(x, i...)
  const SNode* dotview_leaf_ = nullptr;  // x[I...] in x[I...] .+= y: read from dotview_slot_
  int dotview_slot_ = -1;
  bool merge_variable_leaves_ = false;  // broadcast_body: a variable read again is its first leaf
  int simd_ = 0;                       // inside an @simd loop: float + and * may reassociate
  int loop_depth_ = 0;                 // loops around the code being lowered (break needs one)
  bool kernel_ = false;                // a @kernel body: @index and @groupsize are available
};

}  // namespace tsr
