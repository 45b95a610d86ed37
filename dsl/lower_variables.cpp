// Where a name refers to from a body: a local slot (or its cell, for a variable a closure
// captures), a variable of an enclosing function captured on first use, a `where` variable of
// the method, or a global; reads and writes of it; and the cells a function makes at entry.
// The scopes themselves (what each one declares) are classified in lower_scope.cpp.
#include <algorithm>

#include "dsl/lower_body.hpp"

namespace tsr {

BodyLowerer::Found BodyLowerer::lookup(const std::string& name, int* slot) const {
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

bool BodyLowerer::in_toplevel_soft_scope() const {
  if (!toplevel_ || scopes_.size() < 2) return false;
  for (size_t i = 1; i < scopes_.size(); ++i)
    if (!scopes_[i].soft) return false;
  return true;
}

int BodyLowerer::capture(const std::string& name) {
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

bool BodyLowerer::is_sparam(const std::string& name) const {
  if (lookup(name) != Found::Unknown) return false;
  for (const TypeVar* v : b_.sparams)
    if (v->name == name) return true;
  return false;
}

bool BodyLowerer::mentions_sparam(const SNode& n) const {
  if (n.kind == NodeKind::Identifier) return is_sparam(n.text);
  if (n.kind != NodeKind::Curly && n.kind != NodeKind::UnaryOp) return false;
  for (const auto& k : n.children)
    if (mentions_sparam(*k)) return true;
  return false;
}

bool BodyLowerer::visible(const std::string& name) const {
  Found f = lookup(name);
  if (f != Found::Unknown) return f == Found::Local;
  return parent_ && parent_->visible(name);
}

bool BodyLowerer::declared_global(const std::string& name) const {
  Found f = lookup(name);
  if (f != Found::Unknown) return f == Found::Global;
  return parent_ && parent_->declared_global(name);
}

int BodyLowerer::resolve(const std::string& name) {
  int s = -1;
  switch (lookup(name, &s)) {
    case Found::Local: return s;
    case Found::Global: return -1;
    case Found::Unknown: break;
  }
  return capture(name);
}

Node* BodyLowerer::read(const SNode& at, const std::string& name) {
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

Node* BodyLowerer::write(const SNode& at, const std::string& name, Node* value) {
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

Node* BodyLowerer::prologue(const SNode& at, Node* body) {
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

}  // namespace tsr
