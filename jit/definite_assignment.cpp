// Definite assignment: which local variables may be read before they hold a value.
//
// Invariant: a slot is reported unless every read of it is preceded, on every path through
// the body, by an assignment since the start of the body or since the last `unset` of it (the
// start of its scope on each loop iteration). Code generation keeps a "defined" flag only for
// the reported slots and raises UndefVarError when a read finds it clear, as Julia does; the
// others need no check. The analysis is conservative: it may report a slot that is in fact
// always assigned (a check that never fires), never the reverse.
#include "jit/definite_assignment.hpp"

#include <functional>

namespace tsr::jit {

namespace {

// The slots definitely assigned at a point of the body; `dead` for a point no path reaches
// (after return, break, continue or a call that never returns), which joins as "everything".
struct State {
  bool dead = false;
  std::vector<bool> assigned;
};

State join(const State& a, const State& b) {
  if (a.dead) return b;
  if (b.dead) return a;
  State r = a;
  for (size_t i = 0; i < r.assigned.size(); ++i) r.assigned[i] = a.assigned[i] && b.assigned[i];
  return r;
}

bool same(const State& a, const State& b) { return a.dead == b.dead && (a.dead || a.assigned == b.assigned); }

class Walker {
 public:
  explicit Walker(const Body& body) : body_(body), reported_(body.slots.size(), false) {}

  std::vector<bool> run() {
    State entry;
    entry.assigned.assign(body_.slots.size(), false);
    // Arguments, keyword arguments and a closure's captures hold values on entry.
    for (size_t i = 0; i < body_.nargs + body_.kwargs.size() && i < body_.slots.size(); ++i) entry.assigned[i] = true;
    for (int s : body_.capture_slots) entry.assigned[s] = true;
    // Keyword defaults run first (and may read the positional arguments).
    for (const Node* d : body_.kwdefaults)
      if (d) entry = walk(d, entry);
    walk(body_.root, entry);
    return reported_;
  }

 private:
  struct Loop {
    State breaks{true, {}};
    State continues{true, {}};
  };

  static State dead_state() { return State{true, {}}; }

  State walk(const Node* n, State in) {
    if (in.dead) return in;  // code no path reaches never runs, so it reads nothing
    switch (n->op) {
      case Op::Slot:
        if (!in.assigned[n->slot]) reported_[n->slot] = true;
        return in;
      case Op::SetSlot: {
        State s = walk_kids(n, in);
        if (!s.dead) s.assigned[n->slot] = true;
        return s;
      }
      case Op::Unset:
        in.assigned[n->slot] = false;
        return in;
      case Op::If: {
        State c = walk(n->kids[0], in);
        State t = n->kids.size() > 1 ? walk(n->kids[1], c) : c;
        State e = n->kids.size() > 2 ? walk(n->kids[2], c) : c;
        return join(t, e);
      }
      case Op::And:
      case Op::Or: {
        State l = walk(n->kids[0], in);
        return join(l, walk(n->kids[1], l));
      }
      case Op::While: return walk_while(n, in);
      case Op::Break:
        if (!loops_.empty()) loops_.back().breaks = join(loops_.back().breaks, in);
        return dead_state();
      case Op::Continue:
        if (!loops_.empty()) loops_.back().continues = join(loops_.back().continues, in);
        return dead_state();
      case Op::Return:
        walk_kids(n, in);
        return dead_state();
      case Op::Try: {
        State b = walk(n->kids[0], in);
        // The handler may start from any point of the body: only what held before it.
        State h = in;
        if (n->slot >= 0) h.assigned[n->slot] = true;
        h = walk(n->kids[1], h);
        State out = join(b, h);
        if (n->kids.size() > 2) {
          // `finally` runs after either, or after an error anywhere: what held before the try.
          State f = walk(n->kids[2], in);
          if (f.dead) return f;
        }
        return out;
      }
      default: {
        State s = walk_kids(n, in);
        // A call inference knows never returns (throw, error) ends its path.
        if (n->op == Op::Call && n->type && n->type->kind == TypeKind::Bottom) return dead_state();
        return s;
      }
    }
  }

  State walk_kids(const Node* n, State s) {
    for (const Node* k : n->kids)
      if (k) s = walk(k, s);
    return s;
  }

  // while cond; body; step end: the head is reached from before the loop and from the end of
  // each iteration; iterate to a fixed point (the sets only shrink, so this ends).
  State walk_while(const Node* n, const State& in) {
    State head = in;
    State after_cond;
    Loop frame;
    for (int round = 0; round < 64; ++round) {
      after_cond = walk(n->kids[0], head);
      loops_.emplace_back();
      State end = n->kids.size() > 1 ? walk(n->kids[1], after_cond) : after_cond;
      end = join(end, loops_.back().continues);
      if (n->kids.size() > 2) end = walk(n->kids[2], end);
      frame = loops_.back();
      loops_.pop_back();
      State next = join(in, end);
      if (same(next, head)) break;
      head = next;
    }
    return join(after_cond, frame.breaks);
  }

  const Body& body_;
  std::vector<bool> reported_;
  std::vector<Loop> loops_;
};

}  // namespace

std::vector<bool> slots_maybe_unassigned(const Body& body) { return Walker(body).run(); }

std::vector<bool> slots_assigned(const Body& body) {
  std::vector<bool> assigned(body.slots.size(), false);
  for (const auto& n : body.pool)
    if (n->op == Op::SetSlot) assigned[n->slot] = true;
  return assigned;
}

}  // namespace tsr::jit
