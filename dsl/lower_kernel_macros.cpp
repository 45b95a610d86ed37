// The kernel macros, lowered to the kernel IR's own nodes (jit/ir.hpp): @index and
// @groupsize to Op::WorkItem, @synchronize to Op::Barrier, @localmem to Op::LocalMem with a
// shape fixed here, so that a backend (the CPU's, a GPU's) reads everything it needs from the
// IR and nothing from how one backend passes a work item's position.
#include <cstdint>
#include <optional>
#include <string>

#include "dsl/lower_body.hpp"
#include "runtime/value_printer.hpp"

namespace tsr {

using jit::WorkItem;

namespace {

// An integer an IR node is known to be while lowering: a literal, a `const` global holding an
// integer, or +, - and * of such. Empty when it is not known (or overflows).
std::optional<int64_t> constant_integer(Globals& g, const Node* n) {
  if (n->op == Op::Literal) {
    if (n->literal.defined() && n->literal.payload() == Payload::Int) return n->literal.as_int();
    return std::nullopt;
  }
  if (n->op == Op::Global) {
    const Value* v = g.is_const(n->name) ? g.global(n->name) : nullptr;
    if (v && v->payload() == Payload::Int) return v->as_int();
    return std::nullopt;
  }
  if (n->op != Op::Call || n->kids.size() != 3 || n->kids[0]->op != Op::Global || !n->kwnames.empty()) return std::nullopt;
  const std::string& op = n->kids[0]->name;
  auto a = constant_integer(g, n->kids[1]), b = constant_integer(g, n->kids[2]);
  if (!a || !b) return std::nullopt;
  int64_t r = 0;
  bool overflow = op == "+"   ? __builtin_add_overflow(*a, *b, &r)
                  : op == "-" ? __builtin_sub_overflow(*a, *b, &r)
                  : op == "*" ? __builtin_mul_overflow(*a, *b, &r)
                              : true;
  if (overflow) return std::nullopt;
  return r;
}

}  // namespace

Node* BodyLowerer::work_item(const SNode& at, WorkItem item, int dim) {
  Node* w = mk(Op::WorkItem, at);
  w->item = item;
  w->dim = static_cast<uint8_t>(dim);
  return w;
}

Node* BodyLowerer::lower_kernel_macro(const SNode& n) {
  const std::string& name = n.text;
  if (name != "@index" && name != "@groupsize" && name != "@localmem" && name != "@synchronize") return nullptr;
  if (name == "@synchronize") {
    b_.uses_barrier = true;
    return mk(Op::Barrier, n);
  }
  if (name == "@localmem") return lower_localmem(n);
  if (name == "@groupsize") return work_item(n, WorkItem::GroupSize);
  std::string which = n.size() > 0 && n.child(0).kind == NodeKind::Identifier ? n.child(0).text : "";
  std::string form = n.size() > 1 && n.child(1).kind == NodeKind::Identifier ? n.child(1).text : "Linear";
  if (which == "Global" && form == "NTuple") {
    // (i,), (i, j) or (i, j, k): as many as the launch's dimensions, so its type is known only
    // when it runs (a union); `i, j = @index(Global, NTuple)` avoids the tuple (destructure_index).
    TypeRegistry& t = l_.compiler_.types();
    auto rank_is = [&](int64_t k) {
      return call(n, "==", {work_item(n, WorkItem::NDims), literal(n, Value::from_int(t.Int64, k))});
    };
    auto tuple = [&](int k) {
      Node* tup = mk(Op::Tuple, n);
      for (int d = 1; d <= k; ++d) tup->kids.push_back(work_item(n, WorkItem::GlobalCartesian, d));
      return tup;
    };
    Node* inner = mk(Op::If, n);
    inner->kids = {rank_is(2), tuple(2), tuple(3)};
    Node* outer = mk(Op::If, n);
    outer->kids = {rank_is(1), tuple(1), inner};
    return outer;
  }
  if (which == "Global") return work_item(n, WorkItem::GlobalLinear);
  return work_item(n, which == "Local" ? WorkItem::Local : WorkItem::Group);
}

// @localmem T (dims...): one tensor per work-group, shared by its work items. Its shape is
// part of the kernel (a GPU sizes its shared memory when it compiles the kernel), so each
// dimension must be known here; the element type may be a `where` variable, known when the
// kernel is specialized. The site (the macro's place in the source) tells a kernel's
// @localmem tensors apart at run time on the CPU.
Node* BodyLowerer::lower_localmem(const SNode& n) {
  TypeRegistry& t = l_.compiler_.types();
  const SNode& dims = n.child(1);
  std::vector<const SNode*> extents;
  if (dims.kind == NodeKind::Tuple)
    for (const auto& d : dims.children) extents.push_back(d.get());
  else
    extents.push_back(&dims);
  Node* shape = mk(Op::Tuple, dims);
  for (const SNode* d : extents) {
    // Lowered only to be evaluated: its nodes do not stay in the body (the walkers over the
    // body's pool would see them).
    size_t mark = b_.pool.size();
    std::optional<int64_t> v = constant_integer(l_.compiler_.globals(), expr(*d));
    b_.pool.resize(mark);
    if (!v)
      l_.fail(*d, "@localmem needs a shape known when the kernel is defined: each dimension an integer literal, a `const` "
                  "integer or +, - and * of them, got `" + std::string(l_.file_.slice(d->span)) + "`");
    if (*v < 0) l_.fail(*d, "@localmem: a dimension is negative (" + std::to_string(*v) + ")");
    shape->kids.push_back(literal(*d, Value::from_int(t.Int64, *v)));
  }
  Node* m = mk(Op::LocalMem, n);
  m->kids = {expr(n.child(0)), shape};
  m->slot = static_cast<int>(n.span.begin);
  b_.uses_localmem = true;
  return m;
}

bool BodyLowerer::is_index_destructure(const SNode& n) const {
  if (!kernel_ || n.kind != NodeKind::Assign || n.child(0).kind != NodeKind::Tuple) return false;
  const SNode& m = n.child(1);
  return m.kind == NodeKind::MacroCall && m.text == "@index" && m.size() == 2 && m.child(0).kind == NodeKind::Identifier &&
         m.child(0).text == "Global" && m.child(1).kind == NodeKind::Identifier && m.child(1).text == "NTuple";
}

// i, j = @index(Global, NTuple): each name takes its Cartesian index (past the launch's
// dimensions, the BoundsError indexing the tuple would raise), with no tuple made.
Node* BodyLowerer::destructure_index(const SNode& n) {
  const SNode& lhs = n.child(0);
  Node* b = mk(Op::Block, n);
  for (size_t d = 0; d < lhs.size(); ++d) {
    const SNode& at = lhs.child(d);
    if (d + 1 > UINT8_MAX) l_.fail(at, "@index(Global, NTuple) has at most 3 dimensions: too many names to destructure it");
    b->kids.push_back(lower_assign(n, at, work_item(at, WorkItem::GlobalCartesian, static_cast<int>(d + 1))));
  }
  b->kids.push_back(nothing(n));
  return b;
}

}  // namespace tsr
