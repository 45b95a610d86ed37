// Making the IR nodes and slots of a body: every part of the lowering builds through these,
// so each node carries its source location and the @simd flag of the code around it.
#include "dsl/lower_body.hpp"

namespace tsr {

jit::SrcLoc BodyLowerer::loc(const SNode& n) {
  syntax::Location p = l_.file_.location(n.span.begin);
  return jit::SrcLoc{l_.path_, p.line, p.column};
}

int BodyLowerer::add_slot(const std::string& name, bool is_arg) {
  int s = new_slot(name, is_arg);
  scopes_.back().vars[name] = s;
  return s;
}

int BodyLowerer::new_slot(const std::string& name, bool is_arg) {
  b_.slots.push_back(jit::SlotInfo{name, is_arg});
  return static_cast<int>(b_.slots.size() - 1);
}

Node* BodyLowerer::mk(Op op, const SNode& at) {
  Node* n = b_.make(op, loc(at));
  n->reassoc = simd_ > 0;
  return n;
}

Node* BodyLowerer::literal(const SNode& at, Value v) {
  Node* n = mk(Op::Literal, at);
  n->literal = std::move(v);
  return n;
}

Node* BodyLowerer::global(const SNode& at, const std::string& name) {
  Node* n = mk(Op::Global, at);
  n->name = name;
  return n;
}

Node* BodyLowerer::call(const SNode& at, const std::string& fname, std::vector<Node*> args) {
  Node* n = mk(Op::Call, at);
  n->kids.push_back(global(at, fname));
  for (Node* a : args) n->kids.push_back(a);
  return n;
}

Node* BodyLowerer::slot_get(const SNode& at, int slot) {
  Node* r = mk(Op::Slot, at);
  r->slot = slot;
  return r;
}

Node* BodyLowerer::slot_set(const SNode& at, int slot, Node* value) {
  Node* r = mk(Op::SetSlot, at);
  r->slot = slot;
  r->kids.push_back(value);
  return r;
}

Node* BodyLowerer::nothing(const SNode& at) {
  return literal(at, Value::singleton(l_.compiler_.types().Nothing));
}

}  // namespace tsr
