// BodyLowerer: lowers one body (a function, a lambda, a kernel or top-level statements) from
// the syntax tree to the JIT's IR. Internal to dsl/ (lower.cpp, lower_broadcast.cpp).
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

  jit::SrcLoc loc(const SNode& n) {
    syntax::Location p = l_.file_.location(n.span.begin);
    return jit::SrcLoc{l_.path_, p.line, p.column};
  }

  // A new slot, a local of the innermost scope.
  int add_slot(const std::string& name, bool is_arg = false) {
    int s = new_slot(name, is_arg);
    scopes_.back().vars[name] = s;
    return s;
  }
  int new_slot(const std::string& name, bool is_arg = false) {
    b_.slots.push_back(jit::SlotInfo{name, is_arg});
    return static_cast<int>(b_.slots.size() - 1);
  }

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
  // Where a name refers to from here: a local of this body (its slot), a global, or neither
  // (then an enclosing function's variable, or a global).
  enum class Found { Local, Global, Unknown };
  Found lookup(const std::string& name, int* slot = nullptr) const {
    for (size_t i = scopes_.size(); i-- > 0;) {
      const Scope& s = scopes_[i];
      if (auto it = s.vars.find(name); it != s.vars.end()) {
        if (slot) *slot = it->second;
        return Found::Local;
      }
      if (s.globals.count(name)) return Found::Global;
    }
    return Found::Unknown;
  }
  // At the top level in for/while/try bodies only (Julia's soft scope), where assignments to
  // existing globals assign them.
  bool in_toplevel_soft_scope() const {
    if (!toplevel_ || scopes_.size() < 2) return false;
    for (size_t i = 1; i < scopes_.size(); ++i)
      if (!scopes_[i].soft) return false;
    return true;
  }
  Node* lower_let(const SNode& n);
  Node* lower_try(const SNode& n);
  Node* lower_local_function(const SNode& def);

  Node* mk(Op op, const SNode& at) {
    Node* n = b_.make(op, loc(at));
    n->reassoc = simd_ > 0;
    return n;
  }
  Node* literal(const SNode& at, Value v) {
    Node* n = mk(Op::Literal, at);
    n->literal = std::move(v);
    return n;
  }
  Node* global(const SNode& at, const std::string& name) {
    Node* n = mk(Op::Global, at);
    n->name = name;
    return n;
  }
  Node* call(const SNode& at, const std::string& fname, std::vector<Node*> args) {
    Node* n = mk(Op::Call, at);
    n->kids.push_back(global(at, fname));
    for (Node* a : args) n->kids.push_back(a);
    return n;
  }
  Node* slot_get(const SNode& at, int slot) {
    Node* r = mk(Op::Slot, at);
    r->slot = slot;
    return r;
  }
  Node* slot_set(const SNode& at, int slot, Node* value) {
    Node* r = mk(Op::SetSlot, at);
    r->slot = slot;
    r->kids.push_back(value);
    return r;
  }
  Node* nothing(const SNode& at) { return literal(at, Value::singleton(l_.compiler_.types().Nothing)); }

  // A captured variable of a closure: its slot holds the cell. Captures are locals of the
  // closure's own scope.
  int capture(const std::string& name) {
    if (!parent_) return -1;
    int ps = parent_->resolve(name);
    if (ps < 0 && !parent_->is_sparam(name)) return -1;
    // A `where` variable of the enclosing method is captured as its value.
    int s = new_slot(name);
    scopes_.front().vars[name] = s;
    if (ps >= 0) b_.slots[s].is_cell = parent_->b_.slots[ps].is_cell;
    b_.capture_slots.push_back(s);
    captured_.push_back(name);
    return s;
  }
  // A `where` variable of this body's method (not shadowed by a local or global).
  bool is_sparam(const std::string& name) const {
    if (lookup(name) != Found::Unknown) return false;
    for (const TypeVar* v : b_.sparams)
      if (v->name == name) return true;
    return false;
  }
  // A local of this body or of an enclosing function (without capturing it).
  bool visible(const std::string& name) const {
    Found f = lookup(name);
    if (f != Found::Unknown) return f == Found::Local;
    return parent_ && parent_->visible(name);
  }
  // Declared `global` here or in an enclosing scope (of this body or an enclosing function's).
  bool declared_global(const std::string& name) const {
    Found f = lookup(name);
    if (f != Found::Unknown) return f == Found::Global;
    return parent_ && parent_->declared_global(name);
  }
  int resolve(const std::string& name) {
    int s = -1;
    switch (lookup(name, &s)) {
      case Found::Local: return s;
      case Found::Global: return -1;
      case Found::Unknown: break;
    }
    return capture(name);
  }

  Node* read(const SNode& at, const std::string& name) {
    int s = resolve(name);
    if (s < 0) {
      // A `where` variable of the method: its value for the arguments at hand.
      for (size_t i = 0; i < b_.sparams.size(); ++i)
        if (b_.sparams[i]->name == name && is_sparam(name)) {
          Node* p = mk(Op::SParam, at);
          p->slot = static_cast<int>(i);
          return p;
        }
      return global(at, l_.global_name(name));
    }
    Node* n = slot_get(at, s);
    if (!b_.slots[s].is_cell) return n;
    Node* g = mk(Op::CellGet, at);
    g->name = name;
    g->kids.push_back(n);
    return g;
  }

  Node* write(const SNode& at, const std::string& name, Node* value) {
    int s = resolve(name);
    // Scopes classify every assignment when they open; one they did not see (made by lowering
    // itself) is a local in a function.
    if (s < 0 && !toplevel_ && !declared_global(name)) s = add_slot(name);
    if (s < 0) {
      if (toplevel_) l_.toplevel_assigned_.insert(name);
      Node* n = mk(Op::SetGlobal, at);
      n->name = l_.definition_name(at, name);
      n->kids.push_back(value);
      return n;
    }
    if (b_.slots[s].is_cell) {
      Node* n = mk(Op::CellSet, at);
      n->kids = {slot_get(at, s), value};
      return n;
    }
    return slot_set(at, s, value);
  }

  // The function's own slots before the body runs: cells get their Box at entry.
  Node* prologue(const SNode& at, Node* body) {
    Node* block = mk(Op::Block, at);
    std::set<int> own;
    for (auto& [name, slot] : scopes_.front().vars) own.insert(slot);
    for (size_t i = 0; i < b_.slots.size(); ++i) {
      if (!b_.slots[i].is_cell || !own.count(int(i)) ||
          std::find(b_.capture_slots.begin(), b_.capture_slots.end(), int(i)) != b_.capture_slots.end())
        continue;
      int slot = static_cast<int>(i);
      Node* cell = mk(Op::NewCell, at);
      if (i < b_.nargs + b_.kwargs.size()) {
        // An argument (or keyword argument) captured by a closure: move its value into the cell.
        int tmp = add_slot("#arg" + std::to_string(i));
        block->kids.push_back(slot_set(at, tmp, slot_get(at, slot)));
        block->kids.push_back(slot_set(at, slot, cell));
        Node* put = mk(Op::CellSet, at);
        put->kids = {slot_get(at, slot), slot_get(at, tmp)};
        block->kids.push_back(put);
        b_.slots[i].is_cell = true;
      } else {
        block->kids.push_back(slot_set(at, slot, cell));
      }
    }
    block->kids.push_back(body);
    return block;
  }

  Node* block(const SNode& n) {
    Node* b = mk(Op::Block, n);
    for (size_t i = 0; i < n.children.size(); ++i) {
      const SNode& k = *n.children[i];
      bool value_unused = i + 1 < n.children.size();
      b->kids.push_back(value_unused && is_index_destructure(k) ? destructure_index(k) : expr(k));
    }
    if (b->kids.empty()) b->kids.push_back(nothing(n));
    return b;
  }

  Node* expr(const SNode& n);
  // Fails (file:line:col) on what unsupported() rejects in this node's context.
  void require_supported(const SNode& n);
  // A value the function returns: converted to the declared return type, if there is one.
  Node* returned(const SNode& at, Node* value) {
    if (!return_type_) return value;
    TypeRegistry& t = l_.compiler_.types();
    const Type* rt = return_type_;
    const DataType* kind = rt->kind == TypeKind::UnionAll ? t.UnionAllT : rt->kind == TypeKind::Union ? t.UnionTypeT : t.DataTypeT;
    Node* conv = call(at, "convert", {literal(at, Value::from_type(kind, rt)), value});
    Node* ta = mk(Op::TypeAssert, at);
    ta->kids.push_back(conv);
    ta->type_arg = rt;
    return ta;
  }
  // x[I...] on the left of `+=` or `.=`: the collection (unless it is a variable, read again
  // rather than copied: a copy of a tensor would cost a retain and release) and the indices
  // evaluated once, in order, into hidden slots named `tag` set in `block`.
  struct HeldIndex {
    const SNode* lhs;
    bool plain;
    int coll;
    std::vector<int> idx;
  };
  int hold(Node* block, const SNode& at, const std::string& tag, Node* value) {
    int s = add_slot(tag + std::to_string(b_.slots.size()));
    block->kids.push_back(slot_set(at, s, value));
    return s;
  }
  HeldIndex hold_index(Node* block, const SNode& assign, const std::string& tag);  // x[I...] is assign's lhs
  // (x, [second,] I...) for getindex / setindex! and the like.
  std::vector<Node*> held_index_args(const HeldIndex& h, const SNode& at, Node* second);
  // The indices of a[i, j], with `end` meaning the last index of a: length(a) for one index,
  // size(a, k) in the k-th of several.
  std::vector<Node*> indices(const SNode& index) {
    const SNode* saved = end_of_;
    int saved_dim = end_dim_;
    end_of_ = &index.child(0);
    std::vector<Node*> out;
    for (size_t i = 1; i < index.size(); ++i) {
      end_dim_ = index.size() == 2 ? 0 : static_cast<int>(i);
      out.push_back(expr(index.child(i)));
    }
    end_of_ = saved;
    end_dim_ = saved_dim;
    return out;
  }
  Node* lower_call(const SNode& n);
  Node* lower_named_tuple(const SNode& n);
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
  void count_leaves(const SNode& n, std::vector<const SNode*>& out);
  static int& broadcast_counter() {
    static int n = 0;
    return n;
  }

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
  const SNode* dotview_leaf_ = nullptr;  // x[I...] in x[I...] .+= y: read from dotview_slot_
  int dotview_slot_ = -1;
  int simd_ = 0;                       // inside an @simd loop: float + and * may reassociate
  int loop_depth_ = 0;                 // loops around the code being lowered (break needs one)
  bool kernel_ = false;                // a @kernel body: @index and @groupsize are available
};

}  // namespace tsr
