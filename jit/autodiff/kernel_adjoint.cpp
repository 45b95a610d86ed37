// A @kernel's adjoint kernel, and the reverse of a launch inside a differentiated function
// (jit/autodiff/reverse.hpp says what they do).
#include "jit/autodiff/reverse.hpp"

#include "jit/autodiff/reverser.hpp"
#include <functional>
#include <set>

#include "jit/compiler.hpp"

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
  // Each index in a local of its own (a tuple of them would be a heap object on the CPU), which
  // the reverse sweep reads (rev_access).
  std::vector<int>& idx = access_sites_[n];
  idx.clear();
  for (size_t i = first; i < last; ++i) {
    idx.push_back(ir.new_slot("#ix" + std::to_string(next_++)));
    stmts.push_back(ir.set(idx.back(), fwd(n->kids[i])));
    ir.loc = n->loc;
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
  const std::vector<int>& idx = access_sites_.at(n);
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

std::unique_ptr<Body> derive_adjoint_kernel_body(Compiler& c, const DeriveRequest& r, KernelAccess& access, std::string& why) {
  return Reverser(c, r).run_kernel(access, why);
}

}  // namespace tsr::jit
