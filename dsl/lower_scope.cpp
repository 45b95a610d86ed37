// Scopes, as Julia's: a function, a lambda, `let` and a comprehension open a hard scope; `for`,
// `while` and `try` a soft one. A name assigned in a scope is a local of that scope unless it
// is already a variable of an enclosing scope (or declared `global`); at the top level, in soft
// scopes only, an assignment to an existing global assigns it (Julia's interactive rule, see
// docs/language.md). Loop variables are new locals of each iteration, as is what a loop body
// assigns first: a closure made in the loop keeps its iteration's variables (fresh cells).
#include "dsl/lower_body.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace tsr {

void BodyLowerer::scope_names(const SNode& lhs, std::vector<std::string>& out) {
  const SNode* l = &lhs;
  if (l->kind == NodeKind::TypeAssert) l = &l->child(0);
  if (l->kind == NodeKind::Identifier) out.push_back(l->text);
  if (l->kind == NodeKind::Tuple)
    for (const auto& k : l->children) scope_names(unsplat(*k), out);  // a, b... = xs
}

// What `n` assigns and declares in the scope it is in (nested scopes are their own).
void BodyLowerer::scan_scope(const SNode& n, ScopeScan& out) {
  switch (n.kind) {
    case NodeKind::Lambda:
    case NodeKind::Comprehension:
    case NodeKind::Generator:
    case NodeKind::Let:
    case NodeKind::Try:
      return;
    case NodeKind::FunctionDef:
      // A local function: its name is a variable of this scope.
      if (n.child(syntax::function_slot::name).kind == NodeKind::Identifier)
        out.assigned.push_back(n.child(syntax::function_slot::name).text);
      return;
    case NodeKind::For:
      // The collections are evaluated here; the body is a scope of its own.
      for (size_t i = 0; i + 1 < n.size(); ++i) scan_scope(n.child(i).child(1), out);
      return;
    case NodeKind::While:
      scan_scope(n.child(0), out);
      return;
    case NodeKind::Global:
    case NodeKind::Local:
      for (const auto& k : n.children) {
        std::vector<std::string> names;
        scope_names(k->kind == NodeKind::Assign || k->kind == NodeKind::UpdateAssign ? k->child(0) : *k, names);
        for (const std::string& name : names) (n.kind == NodeKind::Global ? out.globals : out.locals).insert(name);
        if (k->kind == NodeKind::Assign || k->kind == NodeKind::UpdateAssign) scan_scope(k->child(1), out);
      }
      return;
    case NodeKind::Assign:
    case NodeKind::UpdateAssign:
      scope_names(n.child(0), out.assigned);
      break;
    case NodeKind::MacroCall:
      // @info "msg" key = value: the key names a field of the message, not a variable.
      if (is_logging_macro(n.text)) {
        for (const auto& k : n.children) scan_scope(k->kind == NodeKind::Assign ? k->child(1) : *k, out);
        return;
      }
      break;
    case NodeKind::Tuple:
      // (a = 1, b = 2) names fields; it assigns no variable (only the values are scanned).
      if (is_named_tuple(n)) {
        for (const auto& k : n.children) scan_scope(k->kind == NodeKind::Assign ? k->child(1) : *k, out);
        return;
      }
      break;
    default:
      break;
  }
  for (const auto& k : n.children) scan_scope(*k, out);
}

void BodyLowerer::add_scope_locals(const ScopeScan& scan, const std::vector<std::string>& declared) {
  Scope& s = scopes_.back();
  s.globals.insert(scan.globals.begin(), scan.globals.end());
  auto add = [&](const std::string& name) {
    if (s.vars.count(name)) return;
    int slot = new_slot(name);
    s.vars[name] = slot;
    if (scan.in_closures.count(name)) b_.slots[slot].is_cell = true;
  };
  for (const std::string& name : declared) add(name);
  for (const std::string& name : scan.locals) add(name);
  bool global_scope = toplevel_ && scopes_.size() == 1;
  for (const std::string& name : scan.assigned) {
    if (global_scope || s.vars.count(name) || s.globals.count(name)) continue;
    // Already a variable of an enclosing scope (or declared global there): that one.
    if (visible(name) || declared_global(name)) continue;
    if (in_toplevel_soft_scope() && l_.is_existing_global(name)) continue;
    add(name);
  }
}

namespace {

// Every name that something in n (nested scopes and closures included) may assign or bind:
// assignment targets, loop variables, local functions, `let` bindings, caught exceptions,
// `local`/`global` declarations. It errs on the side of more names (a binding in a nested
// scope may be another variable of the same name).
void names_bound_anywhere(const SNode& n, std::map<std::string, int>& out) {
  auto add_target = [&out](const SNode& lhs) {
    std::vector<const SNode*> todo{&lhs};
    while (!todo.empty()) {
      const SNode* l = todo.back();
      todo.pop_back();
      if (l->kind == NodeKind::Identifier) ++out[l->text];
      for (const auto& k : l->children) todo.push_back(k.get());
    }
  };
  switch (n.kind) {
    case NodeKind::Assign:
    case NodeKind::UpdateAssign:
    case NodeKind::Iteration:
      add_target(n.child(0));
      break;
    case NodeKind::FunctionDef:
      add_target(n.child(syntax::function_slot::name));
      break;
    case NodeKind::Try:
      add_target(n.child(syntax::try_slot::catch_variable));
      break;
    case NodeKind::Local:
    case NodeKind::Global:
    case NodeKind::Let:
      add_target(n);
      break;
    default:
      break;
  }
  for (const auto& k : n.children) names_bound_anywhere(*k, out);
}

// Whether the local `name`, bound once in the whole function (`bound`), is bound by a
// statement of the function's own block that comes before every closure mentioning it: then
// each closure sees its one value, and may capture that value instead of a cell.
bool bound_once_before_its_closures(const SNode& body, const std::string& name, const std::map<std::string, int>& bound) {
  auto it = bound.find(name);
  if (it == bound.end() || it->second != 1 || body.kind != NodeKind::Block) return false;
  for (const auto& stmt : body.children) {
    std::set<std::string> in_closures;
    closure_names(*stmt, in_closures);
    if (in_closures.count(name)) return false;  // a closure made before, or by, the binding
    if (stmt->kind == NodeKind::Assign) {
      std::map<std::string, int> here;
      names_bound_anywhere(*stmt, here);
      if (here.count(name)) return true;
    }
  }
  return false;
}

}  // namespace

void BodyLowerer::declare_locals(const SNode& body) {
  body_syntax_ = &body;
  ScopeScan scan;
  scan_scope(body, scan);
  closure_names(body, scan.in_closures);
  add_scope_locals(scan, {});
  // A variable a closure captures lives in a cell (the prologue moves an argument in) so that
  // the closure sees later assignments, unless it has one value the closure can see: an
  // argument nothing assigns, or a local bound once, by a statement of the function's own
  // block before any closure that mentions it. Then the closure captures the value itself,
  // with its type (as Julia's closures do).
  std::map<std::string, int> bound;
  names_bound_anywhere(body, bound);
  for (Scope& scope : scopes_)  // the arguments' scope and the body's
    for (auto& [name, slot] : scope.vars) {
      if (!scan.in_closures.count(name)) continue;
      bool arg = static_cast<size_t>(slot) < b_.nargs + b_.kwargs.size();
      bool one_value = arg ? !bound.count(name) : bound_once_before_its_closures(body, name, bound);
      b_.slots[slot].is_cell = !one_value;
    }
}

Node* BodyLowerer::open_scope(const SNode& at, bool soft, const std::vector<const SNode*>& bodies,
                              const std::vector<std::string>& declared) {
  scopes_.emplace_back();
  scopes_.back().soft = soft;
  ScopeScan scan;
  for (const SNode* b : bodies) {
    scan_scope(*b, scan);
    closure_names(*b, scan.in_closures);
  }
  add_scope_locals(scan, declared);
  // Each entry (each iteration of a loop) starts the scope's locals afresh: captured ones get a
  // new cell, the others are unset, so a read before this iteration assigns them is an
  // UndefVarError as in Julia, not the previous iteration's value. (Code generation drops the
  // unset of a local that every read finds assigned.)
  Node* block = nullptr;
  for (auto& [name, slot] : scopes_.back().vars) {
    if (b_.slots[slot].is_cell || std::find(declared.begin(), declared.end(), name) != declared.end()) continue;
    if (!block) block = mk(Op::Block, at);
    Node* u = mk(Op::Unset, at);
    u->slot = slot;
    block->kids.push_back(u);
  }
  Node* cells = fresh_cells(at);
  if (!block) return cells;
  if (cells) block->kids.push_back(cells);
  return block;
}

Node* BodyLowerer::fresh_cells(const SNode& at, int first) {
  Node* block = nullptr;
  for (auto& [name, slot] : scopes_.back().vars) {
    if (!b_.slots[slot].is_cell || slot < first) continue;
    if (!block) block = mk(Op::Block, at);
    block->kids.push_back(slot_set(at, slot, mk(Op::NewCell, at)));
  }
  return block;
}


// let a = 1, b = a; body end: a hard scope. Each binding is a new local, visible to the bindings
// after it and to the body; its value is computed before it exists (`let x = x` reads the
// enclosing x). The body's own assignments make locals of the let as well.
Node* BodyLowerer::lower_let(const SNode& n) {
  Node* b = mk(Op::Block, n);
  std::set<std::string> in_closures;
  closure_names(n, in_closures);
  scopes_.emplace_back();
  for (const auto& k : n.child(0).children) {
    const SNode* lhs = k->kind == NodeKind::Assign ? &k->child(0) : k.get();
    Node* value = k->kind == NodeKind::Assign ? expr(k->child(1)) : nullptr;
    std::vector<std::string> names;
    scope_names(*lhs, names);
    for (const std::string& name : names) {
      int slot = new_slot(name);
      scopes_.back().vars[name] = slot;
      if (!in_closures.count(name)) continue;
      b_.slots[slot].is_cell = true;
      b->kids.push_back(slot_set(*k, slot, mk(Op::NewCell, *k)));
    }
    if (value) b->kids.push_back(lower_assign(*k, *lhs, value));
  }
  ScopeScan scan;
  scan_scope(n.child(1), scan);
  closure_names(n.child(1), scan.in_closures);
  int first_new = static_cast<int>(b_.slots.size());
  add_scope_locals(scan, {});
  if (Node* fresh = fresh_cells(n, first_new)) b->kids.push_back(fresh);
  b->kids.push_back(expr(n.child(1)));
  close_scope();
  return b;
}

// try / catch e / finally: each part is a soft scope; `e` is a local of the catch part.
Node* BodyLowerer::lower_try(const SNode& n) {
  namespace ts = syntax::try_slot;
  Node* r = mk(Op::Try, n);
  const SNode& var = n.child(ts::catch_variable);
  auto part = [&](const SNode& code, bool with_var) {
    Node* b = mk(Op::Block, code);
    std::vector<std::string> declared;
    if (with_var) declared.push_back(var.text);
    std::vector<const SNode*> bodies;
    if (code.kind != NodeKind::Empty) bodies.push_back(&code);
    if (Node* fresh = open_scope(code, true, bodies, declared)) b->kids.push_back(fresh);
    if (with_var) lookup(var.text, &r->slot);
    b->kids.push_back(code.kind == NodeKind::Empty ? nothing(n) : expr(code));
    close_scope();
    return b;
  };
  r->kids.push_back(part(n.child(ts::body), false));
  bool has_var = var.kind == NodeKind::Identifier;
  r->kids.push_back(n.child(ts::catch_body).kind == NodeKind::Empty && !has_var ? nothing(n)
                                                                                 : part(n.child(ts::catch_body), has_var));
  if (n.child(ts::finally_body).kind != NodeKind::Empty) r->kids.push_back(part(n.child(ts::finally_body), false));
  // try ... finally without catch: the error goes on after `finally`.
  if (n.child(ts::catch_body).kind == NodeKind::Empty && !has_var && r->kids.size() > 2) r->name = "nocatch";
  return r;
}

// function g(x) ... end (or g(x) = ...) inside a function or a local scope: a closure assigned
// to the local variable g, as in Julia; it sees itself through that variable, so it may recurse.
Node* BodyLowerer::lower_local_function(const SNode& def) {
  namespace fs = syntax::function_slot;
  const SNode& name = def.child(fs::name);  // a plain name, a single method (unsupported() checked)
  int slot = resolve(name.text);
  if (slot >= 0 && !local_functions_.insert(slot).second) {
    Unsupported why = second_local_method(def);
    l_.fail(*why.at, why.message);
  }
  // A local function that calls itself reaches itself through its own closure object (its
  // argument 0), not through the variable holding it: capturing that variable's cell would
  // make a reference cycle (closure -> cell -> closure) that reference counting never frees.
  // Only when nothing else assigns the variable, so the two are always the same function.
  bool self = body_syntax_ && assignments_of(*body_syntax_, name.text) == 1;
  Node* closure = lower_closure(def, def.child(fs::params), def.child(fs::body), name.text, &def.child(fs::return_type),
                                self ? &name.text : nullptr);
  return write(def, name.text, closure);
}

// How many times `n` assigns `name`: assignments (plain, updating, tuple targets) and local
// function definitions, counted through every nested scope and closure.
int BodyLowerer::assignments_of(const SNode& n, const std::string& name) {
  int count = 0;
  if (n.kind == NodeKind::Assign || n.kind == NodeKind::UpdateAssign) {
    std::vector<std::string> names;
    scope_names(n.child(0), names);
    count += static_cast<int>(std::count(names.begin(), names.end(), name));
  } else if (n.kind == NodeKind::FunctionDef && n.child(syntax::function_slot::name).kind == NodeKind::Identifier &&
             n.child(syntax::function_slot::name).text == name) {
    ++count;
  }
  for (const auto& k : n.children) count += assignments_of(*k, name);
  return count;
}

}  // namespace tsr
