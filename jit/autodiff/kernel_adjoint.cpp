// A @kernel's adjoint kernel, and the reverse of a launch inside a differentiated function
// (jit/autodiff/reverse.hpp says what they do).
#include "jit/autodiff/reverse.hpp"

#include "jit/autodiff/reverser.hpp"
#include <functional>
#include <set>

#include "jit/compiler.hpp"
#include "runtime/errors.hpp"

namespace tsr::jit {

std::unique_ptr<Body> Reverser::run_kernel(KernelAccess& access, std::string& why) {
  kernel_ = true;
  nk_ = r_.kernel_args;
  if (r_.primal->uses_barrier || r_.primal->uses_localmem)
    return refuse(why, "it uses @localmem or @synchronize, which adjoint kernels do not handle yet (write an rrule for "
                       "the function that launches it)");
  access_.read.assign(nk_, false);
  access_.written.assign(nk_, false);
  auto body = run(why);
  if (!body) return nullptr;
  access = access_;
  return body;
}

bool Reverser::is_tensor_arg(int s) const {
  if (s < 0 || s >= static_cast<int>(nk_) || static_cast<size_t>(s) >= r_.typed->argtypes.size()) return false;
  auto dt = as_datatype(r_.typed->argtypes[s]);
  return dt && (dt->name->is_tensor || dt->name->is_semantic);
}

Reverser::Access Reverser::access_of(const Node* n) const {
  if (!kernel_ || n->op != Op::Call || n->kids.size() < 3 || n->kids[0]->op != Op::Global) return Access::None;
  const Node* t = n->kids[1];
  if (t->op != Op::Slot || !is_tensor_arg(t->slot)) return Access::None;
  const std::string& f = n->kids[0]->name;
  if (f == "getindex") return Access::Read;
  if (f == "setindex!" && n->kids.size() >= 4) return Access::Write;
  if (f == "atomic_add!" && n->kids.size() >= 4) return Access::Atomic;
  return Access::None;
}

bool Reverser::check_kernel_accesses(const Node* n, std::string& why) {
  auto at = [&](const Node* x) { return x->loc.file ? " (" + *x->loc.file + ":" + std::to_string(x->loc.line) + ")" : std::string(); };
  if (n->op == Op::SetSlot && n->slot >= 0) {
    ++assignments_[n->slot];
    single_value_[n->slot] = n->kids[0];
  }
  if (n->op == Op::SetSlot && n->kids[0]->op == Op::Slot && is_tensor_arg(n->kids[0]->slot)) {
    why = "a local variable holds the kernel's tensor `" + p_->slots[n->kids[0]->slot].name + "`" + at(n);
    return false;
  }
  Access a = access_of(n);
  if (a != Access::None) {
    int t = n->kids[1]->slot;
    (a == Access::Read ? access_.read : access_.written)[t] = true;
    if (access_.read[t] && access_.written[t]) {
      why = "it reads and writes its tensor `" + p_->slots[t].name +
            "`: a work item may read what the launch overwrites, so the values the gradient needs are gone" + at(n);
      return false;
    }
  }
  for (size_t i = 0; i < n->kids.size(); ++i) {
    const Node* k = n->kids[i];
    if (k->op == Op::Slot && is_tensor_arg(k->slot) && !(i == 1 && a != Access::None) &&
        !(n->op == Op::Call && !carries_gradient(type_of(n), 0))) {
      why = "its tensor `" + p_->slots[k->slot].name + "` is used other than by indexing it" + at(n);
      return false;
    }
    if (!check_kernel_accesses(k, why)) return false;
  }
  return true;
}

bool Reverser::own_index(const Node* n) const {
  if (n->op == Op::WorkItem) return n->item == WorkItem::GlobalLinear;
  if (n->op != Op::Slot) return false;
  auto c = assignments_.find(n->slot);
  if (c == assignments_.end() || c->second != 1) return false;
  const Node* v = single_value_.at(n->slot);
  return v->op == Op::WorkItem && v->item == WorkItem::GlobalLinear;
}

Node* Reverser::fwd_access(const Node* n, Access a) {
  IRBuild ir{*d_, g_, n->loc};
  // The value written (a write's, an atomic add's); a read needs none (an unused, untyped local
  // would be boxed, and released per work item).
  int v = a == Access::Read ? -1 : ir.new_slot("#v" + std::to_string(next_++));
  size_t last = a == Access::Atomic ? n->kids.size() - 1 : n->kids.size();
  size_t first = a == Access::Write ? 3 : 2;
  std::vector<Node*> stmts;
  if (a == Access::Write) stmts.push_back(ir.set(v, fwd(n->kids[2])));
  // Each index in a local of its own (a tuple of them would be a heap object on the CPU).
  std::vector<int> idx;
  std::vector<Site>& kept = access_sites_[n];
  kept.clear();
  for (size_t i = first; i < last; ++i) {
    int k = next_++;
    idx.push_back(ir.new_slot("#ix" + std::to_string(k)));
    stmts.push_back(ir.set(idx.back(), fwd(n->kids[i])));
    ir.loc = n->loc;
    kept.emplace_back();
    stmts.push_back(keep(kept.back(), ir, ir.slot(idx.back()), k));
  }
  if (a == Access::Atomic) stmts.push_back(ir.set(v, fwd(n->kids.back())));
  if (a == Access::Read) {
    std::vector<Node*> args{ir.slot(dslot(n->kids[1]->slot))};
    for (int i : idx) args.push_back(ir.slot(i));
    stmts.push_back(ir.call("getindex", args));
  } else {
    stmts.push_back(ir.nothing());
  }
  return ir.block(stmts);
}

namespace {

// The calls rev_scalar_call differentiates, with their arities (stdlib/Autodiff.tsr has a
// _kd1 (and for two arguments a _kd2) method for each).
bool scalar_rule(const std::string& f, size_t nargs) {
  static const std::set<std::string> unary{"exp", "log", "sqrt", "sin", "cos", "tanh", "abs"};
  static const std::set<std::string> binary{"*", "/", "^", "max", "min"};
  if (f == "+" || f == "-") return nargs == 1 || nargs == 2;
  return (nargs == 1 && unary.count(f)) || (nargs == 2 && binary.count(f));
}

bool is_float(const Type* t, TypeRegistry& r) { return t == r.Float64 || t == r.Float32; }
bool is_int(const Type* t, TypeRegistry& r) { return t == r.Int64 || t == r.Int32; }

}  // namespace

Node* Reverser::fwd_scalar_call(const Node* n) {
  if (n->op != Op::Call || n->kids.empty() || n->kids[0]->op != Op::Global || !n->kwnames.empty() || n->vararg_at >= 0) return nullptr;
  const std::string& f = n->kids[0]->name;
  size_t nargs = n->kids.size() - 1;
  if (!scalar_rule(f, nargs)) return nullptr;
  TypeRegistry& types = g_.types();
  if (!is_float(type_of(n), types)) return nullptr;
  std::vector<const Type*> argtypes{type_of(n->kids[0])};
  for (size_t i = 1; i <= nargs; ++i) {
    const Type* t = type_of(n->kids[i]);
    bool exponent = f == "^" && i == 2;
    if (!(exponent ? is_int(t, types) : is_float(t, types) || (!active(n->kids[i]) && is_int(t, types)))) return nullptr;
    argtypes.push_back(t);
  }
  if (!argtypes[0]) return nullptr;
  // Only where the rule that applies is the stdlib's (a user's own rule is called as such).
  GenericFunction* rrule = g_.find_function("rrule");
  if (!rrule) return nullptr;
  try {
    const Method* m = rrule->which(argtypes);
    if (!m || m->location.find("stdlib/Autodiff.tsr:") == std::string::npos) return nullptr;
  } catch (const Error&) {
    return nullptr;
  }
  IRBuild ir{*d_, g_, n->loc};
  std::vector<Node*> stmts;
  std::vector<Node*> args;
  ScalarSite site;
  for (size_t i = 1; i <= nargs; ++i) {
    int k = next_++;
    int x = ir.new_slot("#x" + std::to_string(k));
    stmts.push_back(ir.set(x, fwd(n->kids[i])));
    ir.loc = n->loc;
    Site s;
    stmts.push_back(keep(s, ir, ir.slot(x), k));
    site.args.push_back(s);
    args.push_back(ir.slot(x));
  }
  int k = next_++;
  int z = ir.new_slot("#z" + std::to_string(k));
  Node* call = clone_node(n);
  call->kids.push_back(copy(n->kids[0]));
  for (Node* x : args) call->kids.push_back(x);
  stmts.push_back(ir.set(z, call));
  stmts.push_back(keep(site.result, ir, ir.slot(z), k));
  stmts.push_back(ir.slot(z));
  scalar_sites_[n] = std::move(site);
  return ir.block(stmts);
}

void Reverser::rev_scalar_call(const Node* n, int a, std::vector<Node*>& out) {
  IRBuild ir{rb(), g_, n->loc};
  const ScalarSite& site = scalar_sites_.at(n);
  // Every kept value is taken, whether or not a gradient flows (a tape's pops must match).
  std::vector<int> kept;
  int z = temp(ir);
  out.push_back(ir.set(z, take(site.result, ir)));
  for (const Site& s : site.args) {
    kept.push_back(temp(ir));
    out.push_back(ir.set(kept.back(), take(s, ir)));
  }
  size_t nargs = n->kids.size() - 1;
  for (size_t i = nargs; i >= 1; --i) {
    const Node* k = n->kids[i];
    if (!active(k)) continue;
    int gi = -1;
    if (a >= 0) {
      gi = temp(ir);
      std::vector<Node*> call_args{ir.fn(n->kids[0]->name), ir.slot(a), ir.slot(z)};
      for (int v : kept) call_args.push_back(ir.slot(v));
      out.push_back(ir.set(gi, ir.call(i == 1 ? "_kpart1" : "_kpart2", call_args)));
    }
    rev(k, gi, out);
  }
}

void Reverser::make_kernel_reverse() {
  Body& d = *d_;
  IRBuild ir{d, g_, p_->loc};
  std::vector<Node*> out;
  find_shared_adjoints(p_->root, 0);
  rev(p_->root, -1, out);
  for (size_t s = 0; s < nk_; ++s)
    if (diff_slot(static_cast<int>(s)) && !is_tensor_arg(static_cast<int>(s)))
      out.push_back(ir.call("_kacc!", {ir.slot(dbuffer(static_cast<int>(s))), adj_get(static_cast<int>(s), ir)}));
  std::vector<Node*> root = stack_inits_;
  root.push_back(body_);
  for (auto& [s, a] : adj_) root.push_back(ir.set(a, no_adjoint(s, ir)));  // every shared adjoint made above
  root.insert(root.end(), out.begin(), out.end());
  root.push_back(ir.nothing());
  d.root = ir.block(root);
  d.adjoint_kernel = true;
}

void Reverser::rev_access(const Node* n, Access acc, int a, std::vector<Node*>& out) {
  IRBuild ir{rb(), g_, n->loc};
  std::vector<int> idx;
  for (const Site& s : access_sites_.at(n)) {
    idx.push_back(temp(ir));
    out.push_back(ir.set(idx.back(), take(s, ir)));
  }
  auto with_indices = [&](std::vector<Node*> args) {
    for (int i : idx) args.push_back(ir.slot(i));
    return args;
  };
  int t = n->kids[1]->slot;
  if (acc == Access::Read) {
    bool own = n->kids.size() == 3 && own_index(n->kids[2]);
    if (a >= 0) out.push_back(ir.call(own ? "_kadd_own!" : "_kadd!", with_indices({ir.slot(dbuffer(t)), ir.slot(a)})));
    return;
  }
  int g = temp(ir);
  out.push_back(ir.set(g, ir.call("getindex", with_indices({ir.slot(dbuffer(t))}))));
  if (acc == Access::Write) {
    out.push_back(ir.call("_kzero!", with_indices({ir.slot(dbuffer(t))})));
    rev(n->kids[2], g, out);
  } else {
    rev(n->kids.back(), g, out);
  }
}

void Reverser::rev_launch(const Node* n, std::vector<Node*>& out) {
  IRBuild ir{rb(), g_, n->loc};
  int pb = temp(ir);
  out.push_back(ir.set(pb, take(sites_.at(n), ir)));
  size_t positional = n->kids.size() - n->kwnames.size();
  std::vector<Node*> douts;
  for (size_t i = 3; i < positional; ++i) {
    const Node* k = n->kids[i];
    douts.push_back(k->op == Op::Slot && diff_slot(k->slot) ? adj_get(k->slot, ir) : ir.nothing());
  }
  int g = temp(ir);
  out.push_back(ir.set(g, ir.call("_pb_call", {ir.slot(pb), ir.tuple(douts)})));
  for (size_t i = n->kids.size(); i-- > positional;) rev(n->kids[i], -1, out);
  for (size_t i = positional; i-- > 3;) {
    const Node* k = n->kids[i];
    if (!active(k)) continue;
    int gi = temp(ir);
    out.push_back(ir.set(gi, ir.grad_at(ir.slot(g), i + 1)));
    if (k->op == Op::Slot && diff_slot(k->slot))
      adj_set(k->slot, ir.slot(gi), ir, out);
    else
      rev(k, gi, out);
  }
}

bool Reverser::check_launch_aliases(std::string& why) {
  std::set<int> given;
  std::function<void(const Node*)> launches = [&](const Node* n) {
    for (const Node* k : n->kids) launches(k);
    if (n->op == Op::Call && n->kids.size() > 3 && n->kids[0]->op == Op::Global && n->kids[0]->name == "launch")
      for (size_t i = 3; i < n->kids.size(); ++i)
        if (n->kids[i]->op == Op::Slot && diff_slot(n->kids[i]->slot)) given.insert(n->kids[i]->slot);
  };
  launches(p_->root);
  if (given.empty()) return true;
  const Node* bad = nullptr;
  int slot = -1;
  std::function<void(const Node*)> aliases = [&](const Node* n) {
    if (bad) return;
    auto holds = [&](const Node* k) { return k->op == Op::Slot && given.count(k->slot); };
    bool constructs = false;
    if (n->op == Op::Call) {
      auto ct = as_datatype(type_of(n->kids[0]));
      constructs = ct && ct->name->is_type_of_type;
    }
    if (n->op == Op::SetSlot && holds(n->kids[0]) && n->slot != n->kids[0]->slot) {
      bad = n;
      slot = n->kids[0]->slot;
    } else if (n->op == Op::Tuple || n->op == Op::Vect || n->op == Op::Lambda || constructs) {
      for (size_t i = n->op == Op::Call ? 1 : 0; i < n->kids.size() && !bad; ++i)
        if (holds(n->kids[i])) {
          bad = n;
          slot = n->kids[i]->slot;
        }
    }
    for (const Node* k : n->kids) aliases(k);
  };
  aliases(p_->root);
  if (!bad) return true;
  why = "the tensor `" + p_->slots[slot].name + "` given to a kernel's launch is also held by another variable or value" +
        (bad->loc.file ? " (" + *bad->loc.file + ":" + std::to_string(bad->loc.line) + ")" : std::string()) +
        ": what the kernel writes would be missed through it. Give the kernel a tensor of its own";
  return false;
}

bool Reverser::find_loop_carries(std::string& why) {
  // Slots each subtree assigns.
  std::unordered_map<const Node*, std::set<int>> assigns;
  std::function<const std::set<int>&(const Node*)> assigned = [&](const Node* n) -> const std::set<int>& {
    std::set<int> out;
    if (n->op == Op::SetSlot && n->slot >= 0) out.insert(n->slot);
    for (const Node* k : n->kids)
      for (int s : assigned(k)) out.insert(s);
    return assigns[n] = std::move(out);
  };
  assigned(p_->root);
  // Slots read inside a subtree.
  std::function<bool(const Node*, int)> reads = [&](const Node* n, int s) {
    if (n->op == Op::Slot && n->slot == s) return true;
    for (const Node* k : n->kids)
      if (reads(k, s)) return true;
    return false;
  };
  // Walk in the order the code runs, with the slots assigned on every path so far.
  std::set<int> args;
  for (size_t i = 0; i < p_->nargs; ++i) args.insert(static_cast<int>(i));
  std::string bad;
  std::function<void(const Node*, std::set<int>&)> walk = [&](const Node* n, std::set<int>& sure) {
    switch (n->op) {
      case Op::If: {
        walk(n->kids[0], sure);
        for (size_t i = 1; i < n->kids.size(); ++i) {
          std::set<int> branch = sure;
          walk(n->kids[i], branch);
        }
        return;
      }
      case Op::And:
      case Op::Or: {
        walk(n->kids[0], sure);
        std::set<int> rhs = sure;
        walk(n->kids[1], rhs);
        return;
      }
      case Op::While: {
        std::vector<int>& carried = carries_[n];
        for (int s : assigns.at(n)) {
          if (sure.count(s)) {
            carried.push_back(s);
            continue;
          }
          // Assigned outside the loop too, though not on every path before it: its value at the
          // start may come from before the loop, which could not be restored.
          std::function<bool(const Node*)> elsewhere = [&](const Node* m) {
            if (m == n) return false;
            if (m->op == Op::SetSlot && m->slot == s) return true;
            for (const Node* k : m->kids)
              if (elsewhere(k)) return true;
            return false;
          };
          if (elsewhere(p_->root) && reads(n, s) && bad.empty())
            bad = "the loop at " + (n->loc.file ? *n->loc.file : std::string("?")) + ":" + std::to_string(n->loc.line) +
                  " carries `" + p_->slots[s].name + "`, which is assigned before it on some paths only (assign it before the loop)";
        }
        if (iteration_local(n, assigns.at(n), carried)) checkpointable_.insert(n);
        std::set<int> inside = sure;
        walk(n->kids[0], inside);
        for (size_t i = 1; i < n->kids.size(); ++i) walk(n->kids[i], inside);
        return;
      }
      case Op::SetSlot:
        walk(n->kids[0], sure);
        sure.insert(n->slot);
        return;
      default:
        for (const Node* k : n->kids) walk(k, sure);
        return;
    }
  };
  walk(p_->root, args);
  if (!bad.empty()) why = bad;
  return bad.empty();
}

bool Reverser::iteration_local(const Node* loop, const std::set<int>& assigned, const std::vector<int>& carried) const {
  // Walk one iteration (condition, body, step) in order with the slots assigned so far in it;
  // a read of a slot the loop assigns, before this iteration assigned it, takes the previous
  // iteration's value: fine for a carried slot (copied at each checkpoint), else not.
  std::set<int> kept(carried.begin(), carried.end());
  bool ok = true;
  std::function<void(const Node*, std::set<int>&)> walk = [&](const Node* n, std::set<int>& sure) {
    if (!ok) return;
    switch (n->op) {
      case Op::Slot:
        if (assigned.count(n->slot) && !sure.count(n->slot) && !kept.count(n->slot)) ok = false;
        return;
      case Op::SetSlot:
        walk(n->kids[0], sure);
        sure.insert(n->slot);
        return;
      case Op::If:
      case Op::And:
      case Op::Or:
      case Op::While: {
        // What a branch or an inner loop assigns may not have run: it does not count after it.
        walk(n->kids[0], sure);
        std::set<int> inner = sure;
        for (size_t i = 1; i < n->kids.size(); ++i) {
          if (n->op == Op::If) inner = sure;
          walk(n->kids[i], inner);
        }
        return;
      }
      default:
        for (const Node* k : n->kids) walk(k, sure);
        return;
    }
  };
  std::set<int> sure;
  for (const Node* k : loop->kids) walk(k, sure);
  return ok;
}

void Reverser::rev_replayed_loop(const Node* n, std::vector<Node*>& out) {
  if (checkpointable_.count(n) && !carries_.at(n).empty()) return rev_checkpointed_loop(n, out);
  IRBuild ir{rb(), g_, n->loc};
  int k = temp(ir);
  out.push_back(ir.set(k, ir.slot(loops_.at(n))));
  std::vector<int> saved = saved_.at(n);
  const std::vector<int>& carried = carries_.at(n);
  std::vector<Node*> body;
  for (size_t i = 0; i < carried.size(); ++i) body.push_back(ir.set(dslot(carried[i]), ir.slot(saved[i])));
  // The first k iterations again: the forward sweep's code, made anew, so that what it keeps
  // (sites_, the branches' and inner loops' locals) is what the reverse below reads.
  int m = temp(ir);
  body.push_back(ir.set(m, ir.integer(0)));
  Node* again = fwd(n->kids[1]);
  Node* step = n->kids.size() > 2 ? fwd(n->kids[2]) : ir.nothing();
  ir.loc = n->loc;
  body.push_back(ir.node(Op::While, {ir.call("<", {ir.slot(m), ir.slot(k)}),
                                      ir.block({ir.set(m, ir.call("+", {ir.slot(m), ir.integer(1)})), again}), step}));
  if (n->kids.size() > 2) rev(n->kids[2], -1, body);
  rev(n->kids[1], -1, body);
  body.push_back(ir.set(k, ir.call("-", {ir.slot(k), ir.integer(1)})));
  body.push_back(ir.nothing());
  out.push_back(ir.node(Op::While, {ir.call(">", {ir.slot(k), ir.integer(0)}), ir.block(body), ir.nothing()}));
}

void Reverser::rev_checkpointed_loop(const Node* n, std::vector<Node*>& out) {
  IRBuild ir{rb(), g_, n->loc};
  const std::vector<int>& carried = carries_.at(n);
  std::vector<int> saved = saved_.at(n);
  constexpr int64_t kCheckpoints = 8;
  int k = temp(ir);
  out.push_back(ir.set(k, ir.slot(loops_.at(n))));
  // stride = cld(trips, 8), at least 1: checkpoint c holds the state after c * stride iterations.
  int stride = temp(ir);
  out.push_back(ir.set(stride, ir.call("max", {ir.integer(1), ir.call("div", {ir.call("+", {ir.slot(k), ir.integer(kCheckpoints - 1)}),
                                                                              ir.integer(kCheckpoints)})})));
  std::vector<std::vector<int>> ck(kCheckpoints);
  for (auto& c : ck)
    for (size_t i = 0; i < carried.size(); ++i) c.push_back(temp(ir));
  // A chain of ifs on checkpoint c's number: copying into (or out of) its locals.
  auto by_checkpoint = [&](int c, bool store) {
    Node* chain = ir.nothing();
    for (int64_t j = kCheckpoints; j-- > 0;) {
      std::vector<Node*> copies;
      for (size_t i = 0; i < carried.size(); ++i)
        copies.push_back(store ? ir.set(ck[static_cast<size_t>(j)][i], ir.slot(dslot(carried[i])))
                               : ir.set(dslot(carried[i]), ir.slot(ck[static_cast<size_t>(j)][i])));
      copies.push_back(ir.nothing());
      chain = ir.if_(ir.call("==", {ir.slot(c), ir.integer(j)}), ir.block(copies), chain);
    }
    return chain;
  };
  // Iterations from+1 .. to of the loop again (the forward sweep's code, made anew), each
  // starting with `at_start` (m: the iterations done).
  auto replay = [&](Node* from, int to, const std::function<Node*(int m)>& at_start) {
    std::vector<Node*> stmts;
    int m = temp(ir);
    stmts.push_back(ir.set(m, from));
    Node* again = fwd(n->kids[1]);
    Node* step = n->kids.size() > 2 ? fwd(n->kids[2]) : ir.nothing();
    ir.loc = n->loc;
    Node* start = at_start ? at_start(m) : ir.nothing();
    stmts.push_back(ir.node(Op::While, {ir.call("<", {ir.slot(m), ir.slot(to)}),
                                        ir.block({start, ir.set(m, ir.call("+", {ir.slot(m), ir.integer(1)})), again}), step}));
    return stmts;
  };
  // One pass from the loop's start, keeping the state every `stride` iterations.
  for (size_t i = 0; i < carried.size(); ++i) out.push_back(ir.set(dslot(carried[i]), ir.slot(saved[i])));
  int c = temp(ir);
  for (Node* s : replay(ir.integer(0), k, [&](int m) {
         return ir.if_(ir.call("==", {ir.call("rem", {ir.slot(m), ir.slot(stride)}), ir.integer(0)}),
                       ir.block({ir.set(c, ir.call("div", {ir.slot(m), ir.slot(stride)})), by_checkpoint(c, true), ir.nothing()}),
                       ir.nothing());
       }))
    out.push_back(s);
  // Then for k = trips .. 1: from the checkpoint before iteration k, run up to it, reverse it.
  std::vector<Node*> body;
  body.push_back(ir.set(c, ir.call("div", {ir.call("-", {ir.slot(k), ir.integer(1)}), ir.slot(stride)})));
  body.push_back(by_checkpoint(c, false));
  for (Node* s : replay(ir.call("*", {ir.slot(c), ir.slot(stride)}), k, nullptr)) body.push_back(s);
  if (n->kids.size() > 2) rev(n->kids[2], -1, body);
  rev(n->kids[1], -1, body);
  body.push_back(ir.set(k, ir.call("-", {ir.slot(k), ir.integer(1)})));
  body.push_back(ir.nothing());
  out.push_back(ir.node(Op::While, {ir.call(">", {ir.slot(k), ir.integer(0)}), ir.block(body), ir.nothing()}));
}

std::unique_ptr<Body> derive_adjoint_kernel_body(Compiler& c, const DeriveRequest& r, KernelAccess& access, std::string& why) {
  return Reverser(c, r).run_kernel(access, why);
}

}  // namespace tsr::jit
