#include "jit/autodiff/reverse.hpp"

#include "jit/autodiff/exits.hpp"
#include "jit/autodiff/reverser.hpp"
#include "jit/compiler.hpp"
#include "jit/may_throw.hpp"

namespace tsr::jit {

std::unique_ptr<Body> Reverser::run(std::string& why) {
  p_ = r_.primal->clone();
  const Body& t = *r_.typed->body;
  for (size_t i = 0; i < p_->pool.size() && i < t.pool.size(); ++i) typed_[p_->pool[i].get()] = t.pool[i].get();
  if (r_.primal->vararg) return refuse(why, "it takes a variable number of arguments (write an rrule for it)");
  if (!refusal(p_->root, why).empty()) return nullptr;
  for (const Node* d : p_->kwdefaults)
    if (d && !refusal(d, why).empty()) return nullptr;
  explicit_captures();
  comprehension_pushes(p_->root);
  if (kernel_ && !check_kernel_accesses(p_->root, why)) return nullptr;
  remove_early_exits(*p_, g_);  // also makes a trailing `return y` the body's value
  short_circuits_as_branches(p_->root);
  if (!check_active_shapes(p_->root, why)) return nullptr;
  if (in_place() && !find_loop_carries(why)) return nullptr;
  if (!kernel_ && !check_launch_aliases(why)) return nullptr;
  shift_ = r_.self_in_args || kernel_ ? 0 : 1;
  make_forward_body();
  if (kernel_) {
    make_kernel_reverse();
    return std::move(d_);
  }
  if (local_) {
    make_local_reverse();
    return std::move(d_);
  }
  make_reverse_body();
  return std::move(d_);
}

std::unique_ptr<Body> Reverser::refuse(std::string& why, const std::string& what) {
  why = what;
  return nullptr;
}

std::string Reverser::refusal(const Node* n, std::string& why) {
  switch (n->op) {
    case Op::Try: why = "it uses try/catch, which cannot be differentiated yet (write an rrule for it)"; break;
    case Op::NewCell:
    case Op::CellSet:
      why = "a variable captured by a closure is assigned after the closure is made, which cannot be differentiated yet";
      break;
    case Op::SetGlobal: why = "it assigns the global `" + n->name + "`, which cannot be differentiated"; break;
    case Op::SetField:
      why = "it assigns the field `" + n->name + "` of a struct in place, which the rules cannot undo (write an rrule for it)";
      break;
    case Op::WorkItem:
    case Op::Barrier:
    case Op::LocalMem:
      if (!kernel_) why = "it is a @kernel body (differentiate the launch instead)";
      break;
    default: break;
  }
  if (!why.empty()) {
    if (n->loc.file) why += " (" + *n->loc.file + ":" + std::to_string(n->loc.line) + ")";
    return why;
  }
  for (const Node* k : n->kids)
    if (!refusal(k, why).empty()) return why;
  return why;
}

void Reverser::comprehension_pushes(Node* n) {
  for (Node* k : n->kids) comprehension_pushes(k);
  if (n->op != Op::Call || n->kids.size() != 3 || n->kids[0]->op != Op::Global || n->kids[0]->name != "push!") return;
  const Node* v = n->kids[1];
  if (v->op != Op::Slot || p_->slots[v->slot].name.rfind("#comprehension", 0) != 0) return;
  IRBuild ir{*p_, g_, n->loc};
  Node* push = ir.call("_comprehension_push!", {n->kids[1], n->kids[2]});
  push->type = type_of(n);
  n->op = Op::SetSlot;
  n->slot = v->slot;
  n->kids = {push};
}

void Reverser::explicit_captures() {
  if (r_.self_in_args && (r_.passive & 1)) {
    passive_slots_.insert(0);
    passive_slots_.insert(p_->capture_slots.begin(), p_->capture_slots.end());
  }
  // Arguments the caller holds constant (a batch of data): never differentiated, unless the
  // body assigns them (then the variable may hold a value that carries a gradient).
  std::set<int> assigned;
  for (const auto& n : p_->pool)
    if (n->op == Op::SetSlot) assigned.insert(n->slot);
  for (size_t i = 1; i < 64 && (r_.passive >> i) != 0; ++i) {
    if (!(r_.passive >> i & 1)) continue;
    int s = static_cast<int>(r_.self_in_args ? i : i - 1);
    if (static_cast<size_t>(s) < p_->nargs && !p_->slots[s].is_cell && !assigned.count(s)) passive_slots_.insert(s);
  }
  if (p_->capture_slots.empty()) return;
  const Body& t = *r_.typed->body;
  IRBuild ir{*p_, g_, p_->loc};
  std::vector<Node*> kids;
  for (int s : p_->capture_slots) {
    Node* get = ir.node(Op::GetField, {ir.slot(0)});
    get->name = p_->slots[s].name;
    const Type* ty = static_cast<size_t>(s) < t.slots.size() ? t.slots[s].type : nullptr;
    get->type = ty;
    get->kids[0]->type = r_.typed->argtypes.empty() ? nullptr : r_.typed->argtypes[0];
    Node* set = ir.set(s, get);
    set->type = ty;
    kids.push_back(set);
  }
  kids.push_back(p_->root);
  p_->root = ir.block(kids);
  p_->capture_slots.clear();
}

void Reverser::short_circuits_as_branches(Node* n) {
  for (Node* k : n->kids) short_circuits_as_branches(k);
  // An active right side runs only sometimes: as an `if`, its pullbacks are recorded only when
  // it ran (kept once, a pullback that never ran would be read unset).
  if ((n->op != Op::And && n->op != Op::Or) || !active(n->kids[1])) return;
  IRBuild ir{*p_, g_, n->loc};
  Node* c = n->kids[0];
  Node* b = n->kids[1];
  bool is_and = n->op == Op::And;
  n->op = Op::If;
  n->kids = is_and ? std::vector<Node*>{c, b, ir.boolean(false)} : std::vector<Node*>{c, ir.boolean(true), b};
  assigns_.clear();
  active_.clear();
}

int Reverser::constant_branch(const Node* n) const {
  if (n->op != Op::If || n->kids.empty()) return 0;
  auto it = typed_.find(n->kids[0]);
  return folded_branch(it == typed_.end() ? n->kids[0] : it->second);
}

size_t Reverser::tuple_index_length(const Node* n) const {
  if (n->op != Op::Call || n->kids.size() != 3 || !n->kwnames.empty() || n->kids[0]->op != Op::Global ||
      n->kids[0]->name != "getindex" || n->kids[2]->op != Op::Literal || !n->kids[2]->literal.defined() ||
      n->kids[2]->literal.payload() != Payload::Int)
    return 0;
  auto t = as_datatype(type_of(n->kids[1]));
  if (!t || !t->name->is_tuple || !t->is_concrete) return 0;
  int64_t k = n->kids[2]->literal.as_int();
  return k >= 1 && static_cast<size_t>(k) <= t->params.size() ? t->params.size() : 0;
}

const Type* Reverser::type_of(const Node* n) const {
  if (n->type) return n->type;
  auto it = typed_.find(n);
  return it == typed_.end() ? nullptr : it->second->type;
}

bool Reverser::diff_slot(int s) const {
  if (p_->slots[s].is_cell || passive_slots_.count(s)) return false;
  const Body& t = *r_.typed->body;
  const Type* ty = static_cast<size_t>(s) < t.slots.size() ? t.slots[s].type : p_->slots[s].type;
  if (static_cast<size_t>(s) >= t.slots.size() && p_->slots[s].type) ty = p_->slots[s].type;
  return carries_gradient(ty, 0);
}

Node* Reverser::no_adjoint(int s, IRBuild& ir) {
  if (in_place()) {
    const Body& t = *r_.typed->body;
    const Type* ty = static_cast<size_t>(s) < t.slots.size() ? t.slots[s].type : p_->slots[s].type;
    TypeRegistry& types = g_.types();
    if (ty && (ty == types.Float64 || ty == types.Float32 || ty == types.Float16 || ty == types.BFloat16))
      return ir.call("zero", {ir.type(ty)});
  }
  return ir.nothing();
}

bool Reverser::assigns_active(const Node* n) {
  auto it = assigns_.find(n);
  if (it != assigns_.end()) return it->second;
  bool a = n->op == Op::SetSlot && diff_slot(n->slot);
  if (n->op == Op::Call && mutating(n))
    for (size_t i = 1; i < n->kids.size(); ++i) a = a || active(n->kids[i]);
  for (const Node* k : n->kids) a = assigns_active(k) || a;
  return assigns_[n] = a;
}

bool Reverser::mutating(const Node* n) {
  const Node* f = n->kids[0];
  return f->op == Op::Global && !f->name.empty() && (f->name.back() == '!' || f->name == "launch");
}

bool Reverser::active(const Node* n) {
  auto it = active_.find(n);
  if (it != active_.end()) return it->second;
  bool a = false;
  switch (n->op) {
    case Op::Literal:
    case Op::Global:
    case Op::SParam:
    case Op::Unset:
    case Op::Break:
    case Op::Continue: a = false; break;
    case Op::Slot: a = diff_slot(n->slot); break;
    case Op::SetSlot: a = diff_slot(n->slot) || active(n->kids[0]); break;
    case Op::Call:
      // A call that never returns (`error`, `throw`, or typed Union{}) hands nothing back: its
      // arguments (an error message made of sizes) are computed as they are.
      if (never_returns(n)) break;
      a = default_active(n);
      break;
    case Op::Block:
      // By its kids, not its type: a block that ended in `return y` was typed Union{} (it never
      // fell through), but remove_early_exits made y its value.
      for (const Node* k : n->kids) a = active(k) || a;
      break;
    default: a = default_active(n);
  }
  return active_[n] = a;
}

bool Reverser::default_active(const Node* n) {
  bool any = false;
  for (const Node* k : n->kids) any = active(k) || any;
  if (!any) return false;
  if (n->op == Op::Call && mutating(n)) return true;
  return carries_gradient(type_of(n), 0) || assigns_active(n);
}

bool Reverser::never_returns(const Node* n) const {
  const Node* f = n->kids[0];
  if (f->op == Op::Global && (f->name == "error" || f->name == "throw")) return true;
  const Type* t = type_of(n);
  return t && t->kind == TypeKind::Bottom;
}

bool Reverser::check_active_shapes(const Node* n, std::string& why) {
  auto at = [&](const Node* x) { return x->loc.file ? " (" + *x->loc.file + ":" + std::to_string(x->loc.line) + ")" : std::string(); };
  if ((n->op == Op::And || n->op == Op::Or) && assigns_active(n)) {
    why = "it assigns a differentiated variable inside `&&` or `||`, which cannot be differentiated yet" + at(n);
    return false;
  }
  if (n->op == Op::While && assigns_active(n->kids[0])) {
    why = "it assigns a differentiated variable in a loop condition, which cannot be differentiated yet" + at(n);
    return false;
  }
  for (const Node* k : n->kids)
    if (!check_active_shapes(k, why)) return false;
  return true;
}

void Reverser::make_forward_body() {
  d_ = std::make_unique<Body>();
  Body& d = *d_;
  d.name = "∂" + p_->name;
  d.loc = p_->loc;
  if (shift_) {
    SlotInfo f;
    f.name = "#f";
    f.is_arg = true;
    d.slots.push_back(f);
  }
  auto add_dy = [&] {
    SlotInfo dy;
    dy.name = "dy";
    dy.is_arg = true;
    dy_ = static_cast<int>(d.slots.size());
    d.slots.push_back(dy);
  };
  for (size_t i = 0; i < p_->slots.size(); ++i) {
    if (local_ && i == p_->nargs) add_dy();
    if (kernel_ && i == nk_)
      for (size_t k = 0; k < nk_; ++k) {
        SlotInfo b;
        b.name = "#d" + p_->slots[k].name;
        b.is_arg = true;
        d.slots.push_back(b);
      }
    SlotInfo c = p_->slots[i];
    c.type = nullptr;
    c.stable = false;
    d.slots.push_back(c);
  }
  if (local_ && dy_ < 0) add_dy();  // the arguments are all the primal's slots
  d.nargs = p_->nargs + shift_ + (kernel_ ? nk_ : 0) + (local_ ? 1 : 0);
  d.kwargs = p_->kwargs;
  d.kwtypes = p_->kwtypes;
  for (Node* k : p_->kwdefaults) d.kwdefaults.push_back(k ? copy(k) : nullptr);
  IRBuild ir{d, g_, p_->loc};
  if (!in_place()) y_ = ir.new_slot("#y");  // an in-place body drops its value: an unused local would be boxed
  body_ = fwd(p_->root);
}

Node* Reverser::clone_node(const Node* n) {
  Node* m = d_->make(n->op, n->loc);
  *m = *n;
  m->kids.clear();
  m->type = nullptr;
  m->bind = Bind::Unresolved;
  m->method = nullptr;
  m->spec = nullptr;
  m->intrinsic = -1;
  if (n->op == Op::Slot || n->op == Op::SetSlot || n->op == Op::Unset) m->slot = dslot(n->slot);
  return m;
}

Node* Reverser::copy(const Node* n) {
  if (access_of(n) == Access::Write || access_of(n) == Access::Atomic) {
    IRBuild ir{*d_, g_, n->loc};
    return ir.nothing();  // the adjoint kernel never writes the launch's outputs again
  }
  if (n->op == Op::SParam) {
    const Type* v = n->slot < static_cast<int>(r_.typed->sparam_values.size()) ? r_.typed->sparam_values[n->slot] : nullptr;
    IRBuild ir{*d_, g_, n->loc};
    if (v) return ir.type(v);
  }
  Node* m = clone_node(n);
  for (const Node* k : n->kids) m->kids.push_back(copy(k));
  return m;
}

int Reverser::new_stack(const char* what, const char* maker) {
  IRBuild ir{*d_, g_, p_->loc};
  int s = ir.new_slot(std::string("#") + what + std::to_string(next_++));
  stack_inits_.push_back(ir.set(s, ir.call(maker, {})));
  return s;
}

Node* Reverser::keep(Site& s, IRBuild& ir, Node* value, int k) {
  s.once = straight_ || in_place();
  if (s.once) {
    s.keep = ir.new_slot("#pb" + std::to_string(k));
    return ir.set(s.keep, value);
  }
  s.keep = new_stack("tape", "_tape");
  return ir.call("push!", {ir.slot(s.keep), value});
}

Node* Reverser::fwd(const Node* n) {
  if (!active(n)) return copy(n);
  if (Access a = access_of(n); a != Access::None) return fwd_access(n, a);
  IRBuild ir{*d_, g_, n->loc};
  switch (n->op) {
    case Op::Call: {
      if (in_place())
        if (Node* s = fwd_scalar_call(n)) return s;
      if (tuple_index_length(n)) {  // t[k]: read as it is (rev makes its gradient)
        Node* m = clone_node(n);
        for (const Node* k : n->kids) m->kids.push_back(fwd(k));
        return m;
      }
      std::vector<Node*> kids;
      for (const Node* k : n->kids) kids.push_back(fwd(k));
      ir.loc = n->loc;
      // Arguments whose value carries no gradient here (a batch of data, a passive callee): the
      // derivative is asked not to compute theirs (a first layer's input gradient).
      uint64_t passive = 0;
      size_t positional = n->kids.size() - n->kwnames.size();
      for (size_t i = 0; i < positional && i < 63; ++i)  // bit 63: kLocalGradientBit
        if (!active(n->kids[i])) passive |= uint64_t{1} << i;
      // Inside an adjoint kernel, a derived derivative must not keep a tape either.
      Node* pb = ir.call(c_.pullback_masked(passive | (in_place() ? kLocalGradientBit : 0))->name(), kids);
      pb->kwnames = n->kwnames;
      int k = next_++;
      int t = ir.new_slot("#t" + std::to_string(k));
      Site s;
      Node* kept = keep(s, ir, ir.get(ir.slot(t), 2), k);
      sites_[n] = s;
      return ir.block({ir.set(t, pb), kept, ir.get(ir.slot(t), 1)});
    }
    case Op::If: {
      if (int taken = constant_branch(n)) {
        Node* c = fwd(n->kids[0]);
        Node* branch = taken == 1 ? fwd(n->kids[1]) : n->kids.size() > 2 ? fwd(n->kids[2]) : ir.nothing();
        return ir.block({c, branch});
      }
      straight_ = false;
      Node* c = fwd(n->kids[0]);
      int flag = ir.new_slot("#c" + std::to_string(next_++));
      Node* cond;
      if (in_place()) {
        // The reverse sweep follows in the same body (a loop's iteration replayed just before
        // it): the way the branch went stays in its local.
        branches_[n] = flag;
        cond = ir.set(flag, c);
      } else {
        int stack = new_stack("branches", "_flags");
        branches_[n] = stack;
        cond = ir.block({ir.set(flag, c), ir.call("push!", {ir.slot(stack), ir.slot(flag)}), ir.slot(flag)});
      }
      Node* a = fwd(n->kids[1]);
      Node* b = n->kids.size() > 2 ? fwd(n->kids[2]) : ir.nothing();
      return ir.if_(cond, a, b);
    }
    case Op::While: {
      straight_ = false;
      int count = ir.new_slot("#n" + std::to_string(next_++));
      if (in_place()) {
        // The trip count and what the loop carries in, in locals (rev_replayed_loop).
        loops_[n] = count;
        std::vector<Node*> stmts;
        std::vector<int>& saved = saved_[n];
        saved.clear();
        for (int c : carries_.at(n)) {
          saved.push_back(ir.new_slot("#start_" + p_->slots[c].name + std::to_string(next_++)));
          stmts.push_back(ir.set(saved.back(), ir.slot(dslot(c))));
        }
        Node* body = fwd(n->kids[1]);
        Node* step = n->kids.size() > 2 ? fwd(n->kids[2]) : ir.nothing();
        ir.loc = n->loc;
        Node* w = ir.node(Op::While, {copy(n->kids[0]), ir.block({ir.set(count, ir.call("+", {ir.slot(count), ir.integer(1)})), body}), step});
        stmts.push_back(ir.set(count, ir.integer(0)));
        stmts.push_back(w);
        stmts.push_back(ir.nothing());
        return ir.block(stmts);
      }
      int stack = new_stack("trips", "_counts");
      loops_[n] = stack;
      Node* cond = copy(n->kids[0]);
      Node* body = fwd(n->kids[1]);
      Node* step = n->kids.size() > 2 ? fwd(n->kids[2]) : ir.nothing();  // a `while` has no step
      ir.loc = n->loc;
      Node* w = ir.node(Op::While, {cond, ir.block({ir.set(count, ir.call("+", {ir.slot(count), ir.integer(1)})), body}), step});
      return ir.block({ir.set(count, ir.integer(0)), w, ir.call("push!", {ir.slot(stack), ir.slot(count)}), ir.nothing()});
    }
    default: {
      Node* m = clone_node(n);
      for (const Node* k : n->kids) m->kids.push_back(fwd(k));
      return m;
    }
  }
}

void Reverser::make_reverse_body() {
  r_body_ = std::make_unique<Body>();
  Body& r = *r_body_;
  r.name = "∂" + p_->name + "#back";
  r.loc = p_->loc;
  IRBuild ir{r, g_, p_->loc};
  int self = ir.new_slot("#self#");
  r.slots[self].is_arg = true;
  int dy = ir.new_slot("dy");
  r.slots[dy].is_arg = true;
  r.nargs = 2;
  std::vector<Node*> out;
  find_shared_adjoints(p_->root, 0);
  rev(p_->root, dy, out);
  std::vector<Node*> grads;
  if (shift_) grads.push_back(ir.nothing());
  for (size_t i = 0; i < p_->nargs; ++i) grads.push_back(adj_get(static_cast<int>(i), ir));
  // The shared adjoints start as nothing (after the reads above made every one of them).
  std::vector<Node*> kids = stack_copy_inits_;
  for (auto& [s, a] : adj_) kids.push_back(ir.set(a, ir.nothing()));
  kids.insert(kids.end(), out.begin(), out.end());
  kids.push_back(ir.tuple(grads));
  r.root = ir.block(kids);
  std::vector<std::string> names;
  for (int s : r.capture_slots) names.push_back(r.slots[s].name);
  const Type* closure = c_.add_closure_type(std::move(r_body_), names);

  Body& d = *d_;
  IRBuild dr{d, g_, p_->loc};
  Node* lambda = dr.node(Op::Lambda);
  lambda->type_arg = closure;
  for (int s : captured_) lambda->kids.push_back(dr.slot(s));
  std::vector<Node*> root = stack_inits_;
  root.push_back(dr.set(y_, body_));
  root.push_back(dr.tuple({dr.slot(y_), lambda}));
  d.root = dr.block(root);
}

int Reverser::capture(int dslot_index) {
  if (in_place()) return dslot_index;  // the reverse sweep is in the same body
  auto it = capture_of_.find(dslot_index);
  if (it != capture_of_.end()) return it->second;
  Body& r = *r_body_;
  IRBuild ir{r, g_, p_->loc};
  int s = ir.new_slot(d_->slots[dslot_index].name);
  r.capture_slots.push_back(s);
  captured_.push_back(dslot_index);
  return capture_of_[dslot_index] = s;
}

Node* Reverser::pop_stack(int dslot_index, IRBuild& ir) {
  int captured = capture(dslot_index);
  auto it = stack_copy_.find(dslot_index);
  if (it == stack_copy_.end()) {
    IRBuild rr{*r_body_, g_, p_->loc};
    int copy = rr.new_slot(r_body_->slots[captured].name + "#copy");
    stack_copy_inits_.push_back(rr.set(copy, rr.call("copy", {rr.slot(captured)})));
    it = stack_copy_.emplace(dslot_index, copy).first;
  }
  return ir.call("pop!", {ir.slot(it->second)});
}

int Reverser::adjoint(int pslot) {
  auto it = adj_.find(pslot);
  if (it != adj_.end()) return it->second;
  IRBuild ir{rb(), g_, p_->loc};
  return adj_[pslot] = ir.new_slot("#∂" + p_->slots[pslot].name);
}

void Reverser::find_shared_adjoints(const Node* n, int depth) {
  if (depth > 0 && (n->op == Op::Slot || n->op == Op::SetSlot) && n->slot >= 0) shared_.insert(n->slot);
  // An If whose condition folded is straight code: only its branch taken is differentiated.
  bool branches = active(n) && ((n->op == Op::If && !constant_branch(n)) || n->op == Op::While);
  for (size_t i = 0; i < n->kids.size(); ++i)
    find_shared_adjoints(n->kids[i], depth + (branches && (n->op == Op::While || i > 0) ? 1 : 0));
}

Node* Reverser::adj_get(int s, IRBuild& ir) {
  if (shared_.count(s)) return ir.slot(adjoint(s));
  auto it = version_.find(s);
  return it == version_.end() || it->second < 0 ? ir.nothing() : ir.slot(it->second);
}

void Reverser::adj_set(int s, Node* value, IRBuild& ir, std::vector<Node*>& out) {
  if (shared_.count(s)) {
    out.push_back(ir.set(adjoint(s), value));
    return;
  }
  int v = ir.new_slot("#∂" + p_->slots[s].name);
  out.push_back(ir.set(v, value));
  version_[s] = v;
}

Node* Reverser::take(const Site& s, IRBuild& ir) {
  return s.once ? ir.slot(capture(s.keep)) : pop_stack(s.keep, ir);
}

void Reverser::rev(const Node* n, int a, std::vector<Node*>& out) {
  if (!active(n)) return;
  if (Access acc = access_of(n); acc != Access::None) return rev_access(n, acc, a, out);
  IRBuild ir{rb(), g_, n->loc};
  switch (n->op) {
    case Op::Slot:
      if (a >= 0) adj_set(n->slot, ir.call("accum", {adj_get(n->slot, ir), ir.slot(a)}), ir, out);
      return;
    case Op::SetSlot: {
      if (!diff_slot(n->slot)) {
        rev(n->kids[0], a, out);
        return;
      }
      int t = temp(ir);
      out.push_back(ir.set(t, a >= 0 ? ir.call("accum", {adj_get(n->slot, ir), ir.slot(a)}) : adj_get(n->slot, ir)));
      if (shared_.count(n->slot))
        out.push_back(ir.set(adjoint(n->slot), no_adjoint(n->slot, ir)));
      else
        version_[n->slot] = -1;  // the variable's earlier value has no adjoint yet
      rev(n->kids[0], t, out);
      return;
    }
    case Op::Call: {
      if (n->kids[0]->op == Op::Global && n->kids[0]->name == "launch") return rev_launch(n, out);
      if (size_t len = tuple_index_length(n)) {
        // t[k]'s gradient is t's: (nothing, ..., dy, ..., nothing) with dy at k, typed.
        int gi = -1;
        if (a >= 0) {
          gi = temp(ir);
          std::vector<Node*> elems;
          for (size_t i = 0; i < len; ++i) elems.push_back(ir.nothing());
          elems[static_cast<size_t>(n->kids[2]->literal.as_int()) - 1] = ir.call("unthunk", {ir.slot(a)});
          out.push_back(ir.set(gi, ir.call("_tuple_grad", {ir.slot(a), ir.node(Op::Tuple, elems)})));
        }
        rev(n->kids[1], gi, out);
        return;
      }
      if (scalar_sites_.count(n)) return rev_scalar_call(n, a, out);
      const Site& s = sites_.at(n);
      int pb = temp(ir);
      out.push_back(ir.set(pb, take(s, ir)));
      int g = -1;
      if (a >= 0) {
        g = temp(ir);
        out.push_back(ir.set(g, ir.call("_pb_call", {ir.slot(pb), ir.slot(a)})));
      }
      size_t positional = n->kids.size() - n->kwnames.size();
      for (size_t i = n->kids.size(); i-- > positional;) rev(n->kids[i], -1, out);
      for (size_t i = positional; i-- > 0;) {
        if (!active(n->kids[i])) continue;
        int gi = -1;
        if (g >= 0) {
          gi = temp(ir);
          out.push_back(ir.set(gi, ir.grad_at(ir.slot(g), i + 1)));
        }
        rev(n->kids[i], gi, out);
      }
      return;
    }
    case Op::Block:
      for (size_t i = n->kids.size(); i-- > 0;) rev(n->kids[i], i + 1 == n->kids.size() ? a : -1, out);
      return;
    case Op::If: {
      if (int taken = constant_branch(n)) {
        if (taken == 1) rev(n->kids[1], a, out);
        else if (n->kids.size() > 2) rev(n->kids[2], a, out);
        rev(n->kids[0], -1, out);
        return;
      }
      int flag = branches_.at(n);  // in place: the local itself
      if (!in_place()) {
        flag = temp(ir);
        out.push_back(ir.set(flag, pop_stack(branches_.at(n), ir)));
      }
      std::vector<Node*> then_out, else_out;
      rev(n->kids[1], a, then_out);
      if (n->kids.size() > 2) rev(n->kids[2], a, else_out);
      then_out.push_back(ir.nothing());
      else_out.push_back(ir.nothing());
      out.push_back(ir.if_(ir.slot(flag), ir.block(then_out), ir.block(else_out)));
      rev(n->kids[0], -1, out);
      return;
    }
    case Op::While: {
      if (in_place()) return rev_replayed_loop(n, out);
      int count = temp(ir);
      out.push_back(ir.set(count, pop_stack(loops_.at(n), ir)));
      std::vector<Node*> body;
      if (n->kids.size() > 2) rev(n->kids[2], -1, body);
      rev(n->kids[1], -1, body);
      body.push_back(ir.set(count, ir.call("-", {ir.slot(count), ir.integer(1)})));
      out.push_back(ir.node(Op::While, {ir.call(">", {ir.slot(count), ir.integer(0)}), ir.block(body), ir.nothing()}));
      return;
    }
    case Op::Tuple:
    case Op::Vect:
      for (size_t i = n->kids.size(); i-- > 0;) {
        if (!active(n->kids[i])) continue;
        int gi = -1;
        if (a >= 0) {
          gi = temp(ir);
          out.push_back(ir.set(gi, ir.grad_at(ir.slot(a), i + 1)));
        }
        rev(n->kids[i], gi, out);
      }
      return;
    case Op::GetField: {
      int gi = -1;
      if (a >= 0) {
        gi = temp(ir);
        const Type* ot = type_of(n->kids[0]);
        auto odt = as_datatype(ot);
        const std::vector<std::string>* names = odt && odt->is_concrete ? &odt->name->field_names : nullptr;
        if (names && std::find(names->begin(), names->end(), n->name) != names->end()) {
          // (w = nothing, b = dy, ...) built here, typed, where _field_grad's result is not;
          // nothing when no gradient reached the field.
          const Type* wrapper = g_.types().named_tuple(*names)->wrapper;
          std::vector<Node*> fields{ir.type(wrapper)};
          for (const std::string& f : *names) fields.push_back(f == n->name ? ir.call("unthunk", {ir.slot(a)}) : ir.nothing());
          out.push_back(ir.set(gi, ir.call("_tuple_grad", {ir.slot(a), ir.node(Op::Call, fields)})));
        } else {
          Node* of = odt && odt->is_concrete ? ir.type(odt) : ir.nothing();
          out.push_back(ir.set(gi, ir.call("_field_grad", {of, ir.symbol(n->name), ir.call("unthunk", {ir.slot(a)})})));
        }
      }
      rev(n->kids[0], gi, out);
      return;
    }
    case Op::TypeAssert: rev(n->kids[0], a, out); return;
    case Op::Lambda: {
      auto dt = as_datatype(unwrap_unionall(n->type_arg));
      for (size_t i = n->kids.size(); i-- > 0;) {
        if (!active(n->kids[i])) continue;
        int gi = -1;
        if (a >= 0 && dt && i < dt->name->field_names.size()) {
          gi = temp(ir);
          out.push_back(ir.set(gi, ir.call("_grad_field", {ir.call("unthunk", {ir.slot(a)}), ir.symbol(dt->name->field_names[i])})));
        }
        rev(n->kids[i], gi, out);
      }
      return;
    }
    default:
      for (size_t i = n->kids.size(); i-- > 0;) rev(n->kids[i], -1, out);
      return;
  }
}

std::unique_ptr<Body> derive_pullback_body(Compiler& c, const DeriveRequest& r, std::string& why) {
  return Reverser(c, r).run(why);
}

}  // namespace tsr::jit
