// Small constructors for IR nodes, for the passes that build bodies (autodiff's forward and
// reverse sweeps, its synthetic rule and constructor bodies). Every node is owned by the body.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "jit/ir.hpp"
#include "runtime/globals.hpp"

namespace tsr::jit {

struct IRBuild {
  Body& b;
  Globals& g;
  SrcLoc loc;

  Node* node(Op op, std::vector<Node*> kids = {}) {
    Node* n = b.make(op, loc);
    n->kids = std::move(kids);
    return n;
  }
  Node* lit(const Value& v) {
    Node* n = node(Op::Literal);
    n->literal = v;
    return n;
  }
  Node* nothing() { return lit(Value::singleton(g.types().Nothing)); }
  // Gradient i (1-based) of a pullback's tuple g: _grad_at1(g) .. _grad_at8(g), whose g[i] of a
  // literal i is typed (stdlib/Autodiff.tsr), else _grad_at(g, i).
  Node* grad_at(Node* gradients, size_t i);
  Node* boolean(bool v) { return lit(Value::from_bool(g.types().Bool, v)); }
  Node* integer(int64_t v) { return lit(Value::from_int(g.types().Int64, v)); }
  Node* symbol(const std::string& s);
  Node* type(const Type* t);
  // A global function by name, resolved now (so a script's own global of the same name
  // cannot take its place).
  Node* fn(const std::string& name);
  Node* slot(int s) {
    Node* n = node(Op::Slot);
    n->slot = s;
    return n;
  }
  Node* set(int s, Node* v) {
    Node* n = node(Op::SetSlot, {v});
    n->slot = s;
    return n;
  }
  Node* call(Node* f, std::vector<Node*> args) {
    args.insert(args.begin(), f);
    return node(Op::Call, std::move(args));
  }
  Node* call(const std::string& f, std::vector<Node*> args) { return call(fn(f), std::move(args)); }
  Node* block(std::vector<Node*> kids) { return node(Op::Block, std::move(kids)); }
  Node* tuple(std::vector<Node*> kids) { return node(Op::Tuple, std::move(kids)); }
  Node* if_(Node* c, Node* t, Node* e) { return node(Op::If, {c, t, e}); }
  Node* get(Node* tup, int64_t k) { return call("getindex", {tup, integer(k)}); }
  int new_slot(const std::string& name, const Type* hint = nullptr) {
    SlotInfo s;
    s.name = name;
    s.type = hint;
    b.slots.push_back(s);
    return static_cast<int>(b.slots.size() - 1);
  }
};

}  // namespace tsr::jit
