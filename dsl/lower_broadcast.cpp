// Broadcasting: a whole dotted expression becomes one fused loop.
//
// y .= a .* x .+ b    ->  __broadcast!(y, #bcast#N, a, x, b)
// sigmoid.(x .* w)    ->  __broadcast(#bcast#M, x, w)
// where #bcast#N is a function made here from the expression with its dots removed
// (#bcast#N(p1, p2, p3) = p1 * p2 + p3), and its arguments are the expression's leaves: the
// undotted subexpressions, each evaluated once, in order. Number literals stay in the fused
// function (x .* 2: one leaf), and when every leaf is a variable, a variable read twice is one
// leaf (x .* w .+ tanh.(x): two). The runtime (jit/broadcast.cpp)
// works out the shape, compiles the loop around that function and runs it: no temporaries.
#include "dsl/lower_body.hpp"

namespace tsr {

namespace {

bool dotted(const SNode& n) {
  switch (n.kind) {
    case NodeKind::DotCall: return true;
    case NodeKind::BinaryOp:
    case NodeKind::UnaryOp: return syntax::is_dotted_operator(n.text);
    default: return false;
  }
}

bool keyword_arg(const SNode& a) { return a.kind == NodeKind::Kwarg || a.is_keyword_section; }

// A number literal inside a dotted expression is part of the fused function, not a leaf: it
// folds into the loop's code, and a gradient never flows to it (stdlib/AutodiffBroadcast.tsr).
bool number_literal(const SNode& n) {
  return n.kind == NodeKind::Int || n.kind == NodeKind::Float64 || n.kind == NodeKind::Float32 || n.kind == NodeKind::Bool;
}

// When every leaf is a variable, nothing between their reads can change one, so a variable
// read twice (x .* w .+ tanh.(x)) is one leaf: the loop reads it once, and the gradient has
// one output for it.
bool variables_only(const std::vector<const SNode*>& leaves) {
  for (const SNode* l : leaves)
    if (l->kind != NodeKind::Identifier) return false;
  return true;
}

size_t distinct_leaves(const std::vector<const SNode*>& leaves, bool merge_variables) {
  if (!merge_variables) return leaves.size();
  std::set<std::string> names;
  for (const SNode* l : leaves) names.insert(l->text);
  return names.size();
}

bool has_keywords(const SNode& dotcall) {
  for (size_t i = 1; i < dotcall.size(); ++i)
    if (keyword_arg(dotcall.child(i))) return true;
  return false;
}

}  // namespace

// f.(x; digits = 2) broadcasts over x only, the keywords passed whole to every call, as
// Julia: the callee becomes the leaf __kwfn(f; digits = 2), a callable that calls f with
// them (stdlib/Base.tsr), evaluated once and broadcast as a scalar.
const SNode& BodyLowerer::keyword_callee(const SNode& dotcall) {
  auto& made = keyword_callees_[&dotcall];
  if (!made) {
    made = std::make_unique<SNode>(NodeKind::Call, dotcall.span);
    made->children.push_back(std::make_unique<SNode>(NodeKind::Identifier, dotcall.child(0).span));
    made->children.back()->text = "__kwfn";
    made->children.push_back(clone_syntax(dotcall.child(0)));
    for (size_t i = 1; i < dotcall.size(); ++i)
      if (keyword_arg(dotcall.child(i))) {
        made->children.push_back(clone_syntax(dotcall.child(i)));
        made->children.back()->is_keyword_section = true;
      }
  }
  return *made;
}

bool BodyLowerer::is_broadcast(const SNode& n) { return dotted(n); }

// The scalar body for a dotted node: leaves become parameters of the fused function.
Node* BodyLowerer::broadcast_body(const SNode& n, BodyLowerer& inner, std::vector<const SNode*>& leaves) {
  auto leaf = [&](const SNode& x) {
    if (merge_variable_leaves_)
      for (size_t i = 0; i < leaves.size(); ++i)
        if (leaves[i]->text == x.text) return inner.read(x, "#p" + std::to_string(i + 1));
    leaves.push_back(&x);
    return inner.read(x, "#p" + std::to_string(leaves.size()));
  };
  auto sub = [&](const SNode& x) {
    return dotted(x) ? broadcast_body(x, inner, leaves) : number_literal(x) ? inner.expr(x) : leaf(x);
  };
  if (!dotted(n)) return leaf(n);  // y .= x: the whole right side is one leaf
  if (n.kind == NodeKind::DotCall) {
    require_supported(n);  // splats are not (nested dotted calls come here, not through expr)
    Node* c = inner.mk(Op::Call, n);
    const SNode& f = n.child(0);
    bool keywords = has_keywords(n);
    // A global function is called by name; any other callee (a closure) is itself a leaf.
    bool global_callee = !keywords && f.kind == NodeKind::Identifier && resolve(f.text) < 0;
    c->kids.push_back(global_callee ? inner.global(f, f.text) : leaf(keywords ? keyword_callee(n) : f));
    for (size_t i = 1; i < n.size(); ++i) {
      if (keyword_arg(n.child(i))) continue;
      c->kids.push_back(sub(n.child(i)));
    }
    return c;
  }
  std::string op(syntax::undotted_operator(n.text));
  if (n.kind == NodeKind::UnaryOp) return inner.call(n, op, {sub(n.child(0))});
  if (op == "&&" || op == "||") {
    Node* r = inner.mk(op == "&&" ? Op::And : Op::Or, n);
    r->kids = {sub(n.child(0)), sub(n.child(1))};
    return r;
  }
  return inner.call(n, op, {sub(n.child(0)), sub(n.child(1))});
}

// Makes the fused function for `expr` and returns (its value, the leaves' values).
Node* BodyLowerer::lower_broadcast(const SNode& at, const SNode* expr, Node* dest) {
  auto body = std::make_unique<Body>();
  body->name = "#bcast";
  body->loc = loc(at);
  BodyLowerer inner(l_, *body, false);
  std::vector<const SNode*> leaves;
  Node* root;
  if (expr) {
    // Parameters are made as leaves are found: count them first with a dry walk.
    std::vector<const SNode*> probe;
    count_leaves(*expr, probe, true);
    bool merge = variables_only(probe);
    for (size_t i = 0; i < distinct_leaves(probe, merge); ++i) inner.add_slot("#p" + std::to_string(i + 1), true);
    body->nargs = body->slots.size();
    bool saved = merge_variable_leaves_;
    merge_variable_leaves_ = merge;
    root = broadcast_body(*expr, inner, leaves);
    merge_variable_leaves_ = saved;
  } else {
    body->nargs = 0;
    root = nullptr;
  }
  body->root = root;
  jit::Compiler& c = l_.compiler_;
  TypeRegistry& t = c.types();
  std::string name = "#bcast#" + std::to_string(broadcast_counter()++);
  GenericFunction& f = c.globals().function(name);
  std::vector<const Type*> sig(body->nargs, t.Any);
  std::vector<std::string> names;
  for (size_t i = 0; i < body->nargs; ++i) names.push_back(body->slots[i].name);
  body->sig = t.tuple(sig);
  std::string location = *l_.path_ + ":" + std::to_string(loc(at).line);
  c.add_method(f, t.tuple(sig), names, std::move(body), location);
  Node* call = mk(Op::Call, at);
  call->kids.push_back(global(at, dest ? "__broadcast!" : "__broadcast"));
  if (dest) call->kids.push_back(dest);
  call->kids.push_back(literal(at, Value::from_function(f.type(), &f)));
  for (const SNode* leaf : leaves)
    call->kids.push_back(leaf == dotview_leaf_ ? slot_get(*leaf, dotview_slot_) : this->expr(*leaf));
  return call;
}

// x[I...] .= expr writes into getindex(x, I...) (x and the indices evaluated once): a view
// for a tensor indexed by integers, ranges and `:`; a copy for a Vector's slice, a list of
// positions or a mask, which __dotview_store! then writes back into x. So every form does
// what Julia's dotview does. In x[I...] .+= y, the x[I...] read is that same value.
Node* BodyLowerer::lower_dot_index_assign(const SNode& n, const SNode& expr, bool update) {
  const SNode& lhs = n.child(0);
  Node* b = mk(Op::Block, n);
  HeldIndex h = hold_index(b, n, "#dotview");
  Node* get = call(lhs, "getindex", held_index_args(h, n, nullptr));
  get->inbounds = inbounds_ > 0;
  int view = hold(b, n, "#dotview", get);
  const SNode* saved_leaf = dotview_leaf_;
  int saved_slot = dotview_slot_;
  if (update) {
    dotview_leaf_ = &lhs;
    dotview_slot_ = view;
  }
  b->kids.push_back(lower_broadcast(n, &expr, slot_get(n, view)));
  dotview_leaf_ = saved_leaf;
  dotview_slot_ = saved_slot;
  b->kids.push_back(call(n, "__dotview_store!", held_index_args(h, n, slot_get(n, view))));
  return b;
}

void BodyLowerer::count_leaves(const SNode& n, std::vector<const SNode*>& out, bool whole) {
  if (!dotted(n)) {
    if (whole || !number_literal(n)) out.push_back(&n);  // y .= 0: the whole right side is a leaf
    return;
  }
  if (n.kind == NodeKind::DotCall) {
    const SNode& f = n.child(0);
    bool keywords = has_keywords(n);
    if (keywords || !(f.kind == NodeKind::Identifier && resolve(f.text) < 0)) out.push_back(&f);
    for (size_t i = 1; i < n.size(); ++i)
      if (!keyword_arg(n.child(i))) count_leaves(n.child(i), out, false);
    return;
  }
  for (const auto& k : n.children) count_leaves(*k, out, false);
}

// Numbers the fused functions (#bcast#N) of all bodies.
int& BodyLowerer::broadcast_counter() {
  static int n = 0;
  return n;
}

}  // namespace tsr
