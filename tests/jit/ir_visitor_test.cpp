// IRVisitor and IRMutator (jit/ir.hpp): the walk order, skipping kids, and rewriting in place.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "jit/ir.hpp"
#include "runtime/globals.hpp"
#include "runtime/type_registry.hpp"

using namespace tsr;
using namespace tsr::jit;

namespace {

// f(x) = (x + 1) * 2, lowered by hand: call(*, call(+, slot x, 1), 2).
struct Sample {
  TypeRegistry types;
  Globals globals{types};
  Body body;
  Node* inner = nullptr;
  Sample() {
    body.name = "f";
    body.slots.push_back(SlotInfo{"x", true});
    body.nargs = 1;
    auto lit = [&](int64_t v) {
      Node* n = body.make(Op::Literal, {});
      n->literal = Value::from_int(globals.types().Int64, v);
      return n;
    };
    auto global = [&](const char* name) {
      Node* n = body.make(Op::Global, {});
      n->name = name;
      return n;
    };
    Node* x = body.make(Op::Slot, {});
    x->slot = 0;
    inner = body.make(Op::Call, {});
    inner->kids = {global("+"), x, lit(1)};
    Node* outer = body.make(Op::Call, {});
    outer->kids = {global("*"), inner, lit(2)};
    body.root = body.make(Op::Block, {});
    body.root->kids = {outer};
  }
};

struct OpRecorder : IRVisitor {
  std::vector<Op> seen;
  const Node* skip = nullptr;
  void visit(const Node* n) override {
    seen.push_back(n->op);
    if (n != skip) IRVisitor::visit(n);
  }
};

// Replaces every integer literal v by v + 10 (a new node), leaving the rest.
struct ShiftLiterals : IRMutator {
  using IRMutator::IRMutator;
  Globals* globals = nullptr;
  Node* mutate(Node* n) override {
    if (n->op != Op::Literal) return IRMutator::mutate(n);
    Node* m = body().make(Op::Literal, n->loc);
    m->literal = Value::from_int(globals->types().Int64, n->literal.as_int() + 10);
    return m;
  }
};

}  // namespace

TEST_CASE("IRVisitor visits parents before kids, in order, and a pass may skip kids") {
  Sample s;
  OpRecorder all;
  all.visit_body(s.body);
  CHECK(all.seen == std::vector<Op>{Op::Block, Op::Call, Op::Global, Op::Call, Op::Global, Op::Slot, Op::Literal,
                                    Op::Literal});
  OpRecorder pruned;
  pruned.skip = s.inner;
  pruned.visit_body(s.body);
  CHECK(pruned.seen == std::vector<Op>{Op::Block, Op::Call, Op::Global, Op::Call, Op::Literal});
}

TEST_CASE("IRMutator puts what mutate returns in place of each node") {
  Sample s;
  std::string before = print_body(s.body);
  ShiftLiterals shift(s.body);
  shift.globals = &s.globals;
  size_t nodes = s.body.pool.size();
  shift.mutate_body();
  CHECK(s.body.pool.size() == nodes + 2);  // the two new literals belong to the body
  std::string after = print_body(s.body);
  CHECK(before.find("literal 1 ") != std::string::npos);
  CHECK(after.find("literal 11 ") != std::string::npos);
  CHECK(after.find("literal 12 ") != std::string::npos);
  CHECK(after.find("literal 1 ") == std::string::npos);
  CHECK(s.inner->kids[2]->literal.as_int() == 11);
}
