#include "jit/autodiff/exits.hpp"

#include "jit/autodiff/ir_build.hpp"

namespace tsr::jit {

namespace {

enum : unsigned { kRet = 1, kBreak = 2, kCont = 4 };

// The exits a subtree may take: its own returns, and the breaks and continues that leave the
// loop enclosing it (those inside a nested loop are that loop's).
unsigned exits_of(const Node* n) {
  switch (n->op) {
    case Op::Return: return kRet | exits_of(n->kids[0]);
    case Op::Break: return kBreak;
    case Op::Continue: return kCont;
    case Op::While: {
      unsigned e = 0;
      for (const Node* k : n->kids) e |= exits_of(k);
      return e & kRet;
    }
    default: {
      unsigned e = 0;
      for (const Node* k : n->kids) e |= exits_of(k);
      return e;
    }
  }
}

// A return that is the last statement of the body (through nested blocks) is its value.
Node* strip_tail_return(Node* n) {
  if (n->op == Op::Return) return n->kids[0];
  if (n->op == Op::Block && !n->kids.empty()) n->kids.back() = strip_tail_return(n->kids.back());
  return n;
}

class ExitRewriter {
 public:
  ExitRewriter(Body& b, Globals& g) : b_(b), ir_{b, g, b.loc} {}

  void run() {
    b_.root = strip_tail_return(b_.root);
    unsigned e = exits_of(b_.root);
    if (e & kRet) {
      done_ = ir_.new_slot("#done", ir_.g.types().Bool);
      retval_ = ir_.new_slot("#retval");
    }
    Node* root = rewrite(b_.root);
    if (done_ >= 0) {
      ir_.loc = b_.root->loc;
      int v = ir_.new_slot("#value");
      Node* init = flag(done_, false);
      Node* keep = ir_.set(v, root);
      Node* out = ir_.if_(bool_hint(ir_.slot(done_)), ir_.slot(retval_), ir_.slot(v));
      root = ir_.block({init, keep, out});
    }
    b_.root = root;
  }

 private:
  struct Loop {
    int brk = -1, cont = -1;
  };

  Node* bool_hint(Node* n) {
    n->type = ir_.g.types().Bool;
    return n;
  }
  Node* flag(int slot, bool v) { return bool_hint(ir_.set(slot, bool_hint(ir_.boolean(v)))); }
  // !(flags set by exits e): what guards the statements after one that may exit.
  Node* go_on(unsigned e) {
    std::vector<Node*> fs;
    if ((e & kRet) && done_ >= 0) fs.push_back(bool_hint(ir_.slot(done_)));
    if ((e & kBreak) && !loops_.empty() && loops_.back().brk >= 0) fs.push_back(bool_hint(ir_.slot(loops_.back().brk)));
    if ((e & kCont) && !loops_.empty() && loops_.back().cont >= 0) fs.push_back(bool_hint(ir_.slot(loops_.back().cont)));
    Node* any = fs[0];
    for (size_t i = 1; i < fs.size(); ++i) any = bool_hint(ir_.node(Op::Or, {any, fs[i]}));
    return bool_hint(ir_.call("!", {any}));
  }

  Node* rewrite(Node* n) {
    ir_.loc = n->loc;
    switch (n->op) {
      case Op::Return: {
        Node* v = rewrite(n->kids[0]);
        ir_.loc = n->loc;
        return ir_.block({ir_.set(retval_, v), flag(done_, true), ir_.nothing()});
      }
      case Op::Break: return ir_.block({flag(loops_.back().brk, true), ir_.nothing()});
      case Op::Continue: return ir_.block({flag(loops_.back().cont, true), ir_.nothing()});
      case Op::Block: return block(n);
      case Op::While: return loop(n);
      default:
        for (Node*& k : n->kids) k = rewrite(k);
        return n;
    }
  }

  Node* block(Node* n) {
    std::vector<Node*> out;
    for (size_t i = 0; i < n->kids.size(); ++i) {
      Node* k = n->kids[i];
      unsigned e = exits_of(k);
      out.push_back(rewrite(k));
      if (e && i + 1 < n->kids.size()) {
        ir_.loc = n->kids[i + 1]->loc;
        Node* rest = ir_.block(std::vector<Node*>(n->kids.begin() + static_cast<long>(i) + 1, n->kids.end()));
        Node* guard = go_on(e);
        out.push_back(ir_.if_(guard, rewrite(rest), ir_.nothing()));
        break;
      }
    }
    n->kids = std::move(out);
    return n;
  }

  Node* loop(Node* n) {
    // The exits of its parts (exits_of(n) itself would drop the loop's own breaks).
    unsigned own = 0;
    for (const Node* k : n->kids) own |= exits_of(k);
    Loop l;
    if (own & kBreak) l.brk = ir_.new_slot("#break", ir_.g.types().Bool);
    if (own & kCont) l.cont = ir_.new_slot("#continue", ir_.g.types().Bool);
    loops_.push_back(l);
    Node* cond = rewrite(n->kids[0]);
    Node* body = rewrite(n->kids[1]);
    Node* step = n->kids.size() > 2 ? rewrite(n->kids[2]) : nullptr;  // a `while` has none
    loops_.pop_back();
    ir_.loc = n->loc;
    unsigned stop = (own & kRet) | (l.brk >= 0 ? unsigned(kBreak) : 0u);
    if (l.cont >= 0) body = ir_.block({flag(l.cont, false), body});
    std::vector<Node*> pre;
    if (l.brk >= 0) pre.push_back(flag(l.brk, false));
    if (stop) {
      loops_.push_back(l);
      cond = bool_hint(ir_.node(Op::And, {go_on(stop), cond}));
      if (step) step = ir_.if_(go_on(stop), step, ir_.nothing());
      loops_.pop_back();
    }
    n->kids = {cond, body};
    if (step) n->kids.push_back(step);
    if (pre.empty()) return n;
    pre.push_back(n);
    return ir_.block(pre);
  }

  Body& b_;
  IRBuild ir_;
  int done_ = -1, retval_ = -1;
  std::vector<Loop> loops_;
};

}  // namespace

void remove_early_exits(Body& b, Globals& g) { ExitRewriter(b, g).run(); }

}  // namespace tsr::jit
