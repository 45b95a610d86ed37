// BodyLowerer: lowers one body (a function, a lambda, a kernel or top-level statements) from
// the syntax tree to the JIT's IR. Internal to dsl/ (lower.cpp, lower_broadcast.cpp).
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "dsl/lower.hpp"

namespace tsr {

using syntax::NodeKind;
using SNode = syntax::Node;
using jit::Body;
using jit::Node;
using jit::Op;

inline void collect_identifiers(const SNode& n, std::set<std::string>& out) {
  if (n.kind == NodeKind::Identifier) out.insert(n.text);
  for (const auto& k : n.children) collect_identifiers(*k, out);
}


// Lowers one body (a function, a lambda or top-level statements).
class BodyLowerer {
 public:
  BodyLowerer(Lowering& l, Body& body, bool toplevel, BodyLowerer* parent = nullptr)
      : l_(l), b_(body), toplevel_(toplevel), parent_(parent) {}

  jit::SrcLoc loc(const SNode& n) {
    syntax::Location p = l_.file_.location(n.span.begin);
    return jit::SrcLoc{l_.path_, p.line, p.column};
  }

  int add_slot(const std::string& name, bool is_arg = false) {
    b_.slots.push_back(jit::SlotInfo{name, is_arg});
    int s = static_cast<int>(b_.slots.size() - 1);
    locals_[name] = s;
    return s;
  }

  // Before lowering a function body: its locals (everything assigned), and which of them a
  // closure captures (those live in cells).
  void declare_locals(const SNode& body) {
    std::set<std::string> assigned, in_lambdas;
    scan(body, assigned, in_lambdas, false);
    for (const std::string& name : assigned) {
      // In a closure, assigning a variable of the enclosing function assigns that one.
      if (parent_ && parent_->visible(name)) continue;
      if (!globals_.count(name) && !locals_.count(name)) add_slot(name);
    }
    for (auto& [name, slot] : locals_)
      if (in_lambdas.count(name)) b_.slots[slot].is_cell = true;
  }

  void scan(const SNode& n, std::set<std::string>& assigned, std::set<std::string>& in_lambdas, bool in_lambda) {
    switch (n.kind) {
      case NodeKind::Lambda:
        collect_identifiers(n, in_lambdas);
        return;
      case NodeKind::Global:
        for (const auto& k : n.children) {
          const SNode* name = k.get();
          if (name->kind == NodeKind::Assign || name->kind == NodeKind::UpdateAssign) name = &name->child(0);
          if (name->kind == NodeKind::Identifier) globals_.insert(name->text);
        }
        return;
      case NodeKind::Assign:
      case NodeKind::UpdateAssign: {
        const SNode* lhs = &n.child(0);
        if (lhs->kind == NodeKind::TypeAssert) lhs = &lhs->child(0);
        if (lhs->kind == NodeKind::Identifier && !in_lambda) assigned.insert(lhs->text);
        if (lhs->kind == NodeKind::Tuple)
          for (const auto& k : lhs->children)
            if (k->kind == NodeKind::Identifier) assigned.insert(k->text);
        break;
      }
      case NodeKind::Iteration:
        if (n.child(0).kind == NodeKind::Identifier) assigned.insert(n.child(0).text);
        if (n.child(0).kind == NodeKind::Tuple)
          for (const auto& k : n.child(0).children)
            if (k->kind == NodeKind::Identifier) assigned.insert(k->text);
        break;
      case NodeKind::Try:
        if (n.child(1).kind == NodeKind::Identifier) assigned.insert(n.child(1).text);
        break;
      case NodeKind::Local:
        for (const auto& k : n.children)
          if (k->kind == NodeKind::Identifier) assigned.insert(k->text);
        break;
      default:
        break;
    }
    for (const auto& k : n.children) scan(*k, assigned, in_lambdas, in_lambda);
  }

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

  // A captured variable of a closure: its slot holds the cell.
  int capture(const std::string& name) {
    if (auto it = locals_.find(name); it != locals_.end()) return it->second;
    if (!parent_) return -1;
    if (parent_->resolve(name) < 0) {
      // A `where` variable of the enclosing method: captured as its value.
      if (!parent_->is_sparam(name)) return -1;
      int s = add_slot(name);
      b_.capture_slots.push_back(s);
      captured_.push_back(name);
      return s;
    }
    int s = add_slot(name);
    b_.slots[s].is_cell = parent_->b_.slots[parent_->resolve(name)].is_cell;
    b_.capture_slots.push_back(s);
    captured_.push_back(name);
    return s;
  }
  // A `where` variable of this body's method (not shadowed by a global definition).
  bool is_sparam(const std::string& name) const {
    if (globals_.count(name)) return false;
    for (const TypeVar* v : b_.sparams)
      if (v->name == name) return true;
    return false;
  }
  // A local of this body or of an enclosing function (without capturing it).
  bool visible(const std::string& name) const {
    if (globals_.count(name)) return false;
    return locals_.count(name) || (parent_ && parent_->visible(name));
  }
  int resolve(const std::string& name) {
    if (globals_.count(name)) return -1;
    if (auto it = locals_.find(name); it != locals_.end()) return it->second;
    return capture(name);
  }

  Node* read(const SNode& at, const std::string& name) {
    int s = resolve(name);
    if (s < 0) {
      // A `where` variable of the method: its value for the arguments at hand.
      for (size_t i = 0; i < b_.sparams.size(); ++i)
        if (b_.sparams[i]->name == name && !globals_.count(name)) {
          Node* p = mk(Op::SParam, at);
          p->slot = static_cast<int>(i);
          return p;
        }
      return global(at, name);
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
    if (s < 0 && !toplevel_ && !globals_.count(name)) s = add_slot(name);
    if (s < 0) {
      Node* n = mk(Op::SetGlobal, at);
      n->name = name;
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

  // Slots created before the body runs: cells get their Box at entry.
  Node* prologue(const SNode& at, Node* body) {
    Node* block = mk(Op::Block, at);
    for (size_t i = 0; i < b_.slots.size(); ++i) {
      if (!b_.slots[i].is_cell || std::find(b_.capture_slots.begin(), b_.capture_slots.end(), int(i)) != b_.capture_slots.end())
        continue;
      int slot = static_cast<int>(i);
      Node* cell = mk(Op::NewCell, at);
      if (i < b_.nargs) {
        // An argument captured by a closure: move its value into the cell.
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
    for (const auto& k : n.children) b->kids.push_back(expr(*k));
    if (b->kids.empty()) b->kids.push_back(nothing(n));
    return b;
  }

  Node* expr(const SNode& n);
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
  Node* lower_for(const SNode& n, size_t iteration);
  Node* lower_loops(const SNode& n, const std::vector<const SNode*>& its, size_t iteration,
                    const std::function<Node*()>& inner);
  Node* lower_comprehension(const SNode& n);
  Node* lower_assign(const SNode& n, const SNode& lhs, Node* value);
  Node* lower_lambda(const SNode& n);
  Node* lower_macro(const SNode& n);
  // Broadcasting (lower_broadcast.cpp): a dotted expression, fused into one loop.
  static bool is_broadcast(const SNode& n);
  Node* lower_broadcast(const SNode& at, const SNode* expr, Node* dest);
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
  std::map<std::string, int> locals_;
  std::set<std::string> globals_;
  std::vector<std::string> captured_;
  const SNode* end_of_ = nullptr;  // the object being indexed, for `end`
  int end_dim_ = 0;                // which of several indices `end` is in (0: the only one)
  const Type* return_type_ = nullptr;  // function f(x)::T: results are converted to T
  int inbounds_ = 0;                   // inside @inbounds
  int simd_ = 0;                       // inside an @simd loop: float + and * may reassociate
  int loop_depth_ = 0;                 // loops around the code being lowered (break needs one)
  bool kernel_ = false;                // a @kernel body: @index and @groupsize are available
};

}  // namespace tsr
