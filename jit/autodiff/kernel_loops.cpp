// An adjoint kernel's loops, reversed without a tape: the variables a loop carries in, copied
// at its start; then each iteration run again, from the nearest of 8 checkpoints or from the
// loop's start, just before it is reversed (reverser.hpp, rev_replayed_loop).
#include "jit/autodiff/reverser.hpp"

#include <functional>
#include <set>

#include "jit/compiler.hpp"

namespace tsr::jit {

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
  IRBuild ir{rb(), g_, n->loc};
  const std::vector<int>& carried = carries_.at(n);
  std::vector<int> saved = saved_.at(n);
  int k = temp(ir);
  out.push_back(ir.set(k, ir.slot(loops_.at(n))));
  // Iterations from+1 .. to of the loop again: the forward sweep's code, made anew, so that what
  // it keeps (sites_, the branches' and inner loops' locals) is what the reverse below reads;
  // each starts with `at_start` (m: the iterations done).
  auto replay = [&](Node* from, int to, const std::function<Node*(int m)>& at_start, std::vector<Node*>& into) {
    int m = temp(ir);
    into.push_back(ir.set(m, from));
    Node* again = fwd(n->kids[1]);
    Node* step = n->kids.size() > 2 ? fwd(n->kids[2]) : ir.nothing();
    ir.loc = n->loc;
    Node* start = at_start ? at_start(m) : ir.nothing();
    into.push_back(ir.node(Op::While, {ir.call("<", {ir.slot(m), ir.slot(to)}),
                                       ir.block({start, ir.set(m, ir.call("+", {ir.slot(m), ir.integer(1)})), again}), step}));
  };
  auto restore_start = [&](std::vector<Node*>& into) {
    for (size_t i = 0; i < carried.size(); ++i) into.push_back(ir.set(dslot(carried[i]), ir.slot(saved[i])));
  };
  std::vector<Node*> body;  // the reverse of iteration k, after the iterations up to it again
  if (checkpointable_.count(n) && !carried.empty()) {
    constexpr int64_t kCheckpoints = 8;
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
    // One pass from the loop's start, keeping the state every `stride` iterations.
    restore_start(out);
    int c = temp(ir);
    replay(ir.integer(0), k, [&](int m) {
      return ir.if_(ir.call("==", {ir.call("rem", {ir.slot(m), ir.slot(stride)}), ir.integer(0)}),
                    ir.block({ir.set(c, ir.call("div", {ir.slot(m), ir.slot(stride)})), by_checkpoint(c, true), ir.nothing()}),
                    ir.nothing());
    }, out);
    // Iteration k runs from the checkpoint before it.
    body.push_back(ir.set(c, ir.call("div", {ir.call("-", {ir.slot(k), ir.integer(1)}), ir.slot(stride)})));
    body.push_back(by_checkpoint(c, false));
    replay(ir.call("*", {ir.slot(c), ir.slot(stride)}), k, nullptr, body);
  } else {
    restore_start(body);
    replay(ir.integer(0), k, nullptr, body);
  }
  if (n->kids.size() > 2) rev(n->kids[2], -1, body);
  rev(n->kids[1], -1, body);
  body.push_back(ir.set(k, ir.call("-", {ir.slot(k), ir.integer(1)})));
  body.push_back(ir.nothing());
  out.push_back(ir.node(Op::While, {ir.call(">", {ir.slot(k), ir.integer(0)}), ir.block(body), ir.nothing()}));
}

}  // namespace tsr::jit
