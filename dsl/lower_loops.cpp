// Lowering loops and what is made of them: for loops (counting or by the iterate protocol),
// comprehensions, generators, and closures (lambdas, local functions).
#include "dsl/lower.hpp"
#include "dsl/lower_body.hpp"
#include "dsl/lower_support.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "dsl/syntax/source.hpp"
#include "dsl/type_expr.hpp"
#include "jit/builtins.hpp"
#include "runtime/type_printer.hpp"

namespace tsr {

Node* BodyLowerer::lower_for(const SNode& n, size_t iteration) {
  std::vector<const SNode*> its;
  for (size_t i = 0; i + 1 < n.size(); ++i) its.push_back(&n.child(i));
  const SNode& last = n.child(n.size() - 1);
  return lower_loops(n, its, iteration, {&last}, true, [&] { return expr(last); });
}

namespace {

// a:s:b written with a float literal among its parts (0:0.1:1, -0.5:2): a float range.
bool has_float_literal(const SNode& range) {
  for (const auto& part : range.children) {
    const SNode* p = part.get();
    if (p->kind == NodeKind::UnaryOp && p->size() == 1) p = &p->child(0);
    if (p->kind == NodeKind::Float64 || p->kind == NodeKind::Float32) return true;
  }
  return false;
}

}  // namespace

// Nested loops over the iterations from `iteration` on, with `inner` the innermost body. Each
// iteration is a scope (soft for `for`, hard for a comprehension): its loop variables, and in
// the innermost what `bodies` assign, are new locals of each iteration.
Node* BodyLowerer::lower_loops(const SNode& n, const std::vector<const SNode*>& its, size_t iteration,
                               const std::vector<const SNode*>& bodies, bool soft,
                               const std::function<Node*()>& inner) {
  if (iteration == its.size()) return inner();
  const SNode& it = *its[iteration];
  const SNode& var = it.child(0);
  const SNode& coll = it.child(1);
  TypeRegistry& t = l_.compiler_.types();
  auto slot = [&](const std::string& name) {
    int s = resolve(name);
    return s >= 0 && !b_.slots[s].is_cell ? s : add_slot(name);
  };
  auto get = [&](int s) { return slot_get(it, s); };
  auto set = [&](int s, Node* v) { return slot_set(it, s, v); };
  std::string tag = "#" + std::to_string(b_.slots.size());
  int i = slot("#i" + tag), stop = slot("#stop" + tag);
  Node* outer = mk(Op::Block, n);
  Node* loop = mk(Op::While, n);
  Node* body = mk(Op::Block, n);
  Node* step;
  Node* value;  // what the loop variable is set to, each iteration
  if (coll.kind == NodeKind::Range && !has_float_literal(coll)) {
    // for i in a:b / a:s:b: a counting loop on integers. A step that is not an integer
    // literal is checked once (__loop_step: a float step would make a running sum, where
    // Julia's range computes each element); ranges written with a float literal
    // (0:0.1:1) take the branch below, over the range object.
    bool stepped = coll.size() == 3;
    int s = stepped ? slot("#step" + tag) : -1;
    outer->kids.push_back(set(i, expr(coll.child(0))));
    if (stepped) {
      Node* step_value = expr(coll.child(1));
      if (coll.child(1).kind != NodeKind::Int) step_value = call(it, "__loop_step", {step_value});
      outer->kids.push_back(set(s, step_value));
    }
    outer->kids.push_back(set(stop, expr(coll.child(stepped ? 2 : 1))));
    Node* cond;
    if (!stepped) {
      cond = call(it, "<=", {get(i), get(stop)});
    } else {
      Node* up = call(it, ">", {get(s), literal(it, Value::from_int(t.Int64, 0))});
      Node* c = mk(Op::If, it);
      c->kids = {up, call(it, "<=", {get(i), get(stop)}), call(it, ">=", {get(i), get(stop)})};
      cond = c;
    }
    loop->kids.push_back(cond);
    value = get(i);
    step = set(i, call(it, "+", {get(i), stepped ? get(s) : literal(it, Value::from_int(t.Int64, 1))}));
  } else {
    // Any other collection: Julia's iterate protocol, through Base's __iter_* functions
    // (stdlib/Base.tsr), which dispatch on the collection: vectors, tuples, named tuples,
    // tensors and ranges keep an indexed loop (the state is the index, `stop` the length);
    // everything else calls iterate(xs) / iterate(xs, state) until it returns nothing.
    int c = slot("#coll" + tag);
    b_.slots[c].stable = true;
    outer->kids.push_back(set(c, expr(coll)));
    outer->kids.push_back(set(i, call(it, "__iter_init", {get(c)})));
    outer->kids.push_back(set(stop, call(it, "__iter_stop", {get(c)})));
    loop->kids.push_back(call(it, "__iter_more", {get(c), get(i), get(stop)}));
    value = call(it, "__iter_value", {get(c), get(i)});
    step = set(i, call(it, "__iter_next", {get(c), get(i)}));
  }
  std::vector<std::string> names;
  scope_names(var, names);
  if (it.is_outer && !soft) l_.fail(var, "`outer` is allowed only in a `for` loop, not in a comprehension");
  if (it.is_outer) {
    // The loop assigns the enclosing scope's local (which keeps the last value after the loop).
    if (var.kind != NodeKind::Identifier || !visible(var.text))
      l_.fail(var, "no outer local variable declaration exists for `for outer " + std::string(l_.file_.slice(var.span)) + "`");
    names.clear();
  }
  bool innermost = iteration + 1 == its.size();
  if (Node* fresh = open_scope(it, soft, innermost ? bodies : std::vector<const SNode*>{}, names))
    body->kids.push_back(fresh);
  body->kids.push_back(lower_assign(it, var, value));
  ++loop_depth_;
  body->kids.push_back(lower_loops(n, its, iteration + 1, bodies, soft, inner));
  --loop_depth_;
  close_scope();
  loop->kids.push_back(body);
  loop->kids.push_back(step);
  outer->kids.push_back(loop);
  outer->kids.push_back(nothing(n));
  return outer;
}

// A copy of a syntax subtree (a loop variable the lowering binds once more, a call it builds).
std::unique_ptr<SNode> clone_syntax(const SNode& n) {
  auto c = std::make_unique<SNode>(n.kind, n.span);
  c->text = n.text;
  c->int_value = n.int_value;
  c->float_value = n.float_value;
  c->bool_value = n.bool_value;
  c->is_mutable = n.is_mutable;
  c->is_vararg = n.is_vararg;
  c->is_nospecialize = n.is_nospecialize;
  c->is_elseif = n.is_elseif;
  c->is_keyword_section = n.is_keyword_section;
  c->is_parenthesized = n.is_parenthesized;
  c->is_outer = n.is_outer;
  for (const auto& k : n.children) c->children.push_back(clone_syntax(*k));
  return c;
}

// [f(x) for x in xs if p(x)], a generator given to a call, and T[...]: a vector filled by the
// loops, its element type the tightest (or T). One `for` over several iterables iterates
// their product as Julia does: the iterables evaluated once, first, the first one varying
// fastest; unfiltered it makes a tensor of their lengths' shape (Julia makes an N-d array).
Node* BodyLowerer::lower_comprehension(const SNode& n, Node* eltype) {
  std::vector<const SNode*> its;
  const SNode* filter = nullptr;
  size_t clauses = 0;
  for (size_t i = 1; i < n.size(); ++i) {
    if (n.child(i).kind == NodeKind::Iteration) its.push_back(&n.child(i));
    else if (n.child(i).kind == NodeKind::Filter) filter = &n.child(i).child(0);
    clauses += n.child(i).kind == NodeKind::Iteration && n.child(i).text == "for";
  }
  bool product = clauses == 1 && its.size() > 1;
  std::string tag = std::to_string(b_.slots.size());
  int acc = add_slot("#comprehension" + tag);
  Node* block = mk(Op::Block, n);
  block->kids.push_back(slot_set(n, acc, eltype ? call(n, "getindex", {eltype}) : call(n, "Vector", {})));
  std::vector<std::unique_ptr<SNode>> over;  // for a product: `var in #iterK`, K an evaluated iterable
  Node* shape = mk(Op::Tuple, n);  // (length(c_1), ..., length(c_k))
  if (product) {
    for (size_t k = 0; k < its.size(); ++k) {
      std::string name = "#iter" + std::to_string(k) + "#" + tag;
      int s = add_slot(name);
      block->kids.push_back(slot_set(*its[k], s, expr(its[k]->child(1))));
      shape->kids.push_back(call(*its[k], "length", {slot_get(*its[k], s)}));
      auto it = std::make_unique<SNode>(NodeKind::Iteration, its[k]->span);
      it->children.push_back(clone_syntax(its[k]->child(0)));
      it->children.push_back(std::make_unique<SNode>(NodeKind::Identifier, its[k]->child(1).span));
      it->children.back()->text = name;
      its[k] = it.get();
      over.push_back(std::move(it));
    }
    std::reverse(its.begin(), its.end());  // the first iterable innermost
  }
  std::vector<const SNode*> bodies{&n.child(0)};
  if (filter) bodies.push_back(filter);
  block->kids.push_back(lower_loops(n, its, 0, bodies, false, [&]() -> Node* {
    Node* push = call(n, "push!", {slot_get(n, acc), expr(n.child(0))});
    if (!filter) return push;
    Node* r = mk(Op::If, n);
    r->kids = {expr(*filter), push, nothing(n)};
    return r;
  }));
  Node* values = eltype ? slot_get(n, acc) : call(n, "__narrow", {slot_get(n, acc)});
  block->kids.push_back(product && !filter ? call(n, "__comprehension_tensor", {values, shape}) : values);
  return block;
}

Node* BodyLowerer::lower_lambda(const SNode& n) { return lower_closure(n, n.child(0), n.child(1), "#lambda", nullptr); }

// (f(x) for x in xs if p(x)) kept as a value: Julia's lazy Generator, Base.Generator(x -> f(x),
// xs) (stdlib/DataTypes.tsr), with the filter a second closure. The iterable is evaluated now.
Node* BodyLowerer::lower_generator(const SNode& n) {
  const SNode* iteration = nullptr;
  const SNode* filter = nullptr;
  for (size_t i = 1; i < n.size(); ++i) {
    if (n.child(i).kind == NodeKind::Iteration) iteration = &n.child(i);
    else if (n.child(i).kind == NodeKind::Filter) filter = &n.child(i).child(0);
  }
  // One parameter, the iteration's variable, for both closures.
  SNode params(NodeKind::Block, iteration->span);
  auto p = std::make_unique<SNode>(NodeKind::Param, iteration->child(0).span);
  p->text = iteration->child(0).text;
  p->children.push_back(std::make_unique<SNode>(NodeKind::Empty, p->span));
  p->children.push_back(std::make_unique<SNode>(NodeKind::Empty, p->span));
  params.children.push_back(std::move(p));
  std::vector<Node*> args{lower_closure(n, params, n.child(0), "#generator", nullptr), expr(iteration->child(1))};
  if (filter) args.push_back(lower_closure(*filter, params, *filter, "#generator_filter", nullptr));
  return call(n, filter ? "__filtered_generator" : "__generator", args);
}

// A closure: a new type whose fields are the captured variables (their cells when assigned), and
// one method, the body. `name` names its type and stack frames.
Node* BodyLowerer::lower_closure(const SNode& n, const SNode& params, const SNode& body_node, const std::string& name,
                                 const SNode* return_type, const std::string* self_name) {
  auto lb = std::make_unique<Body>();
  lb->name = name;
  lb->loc = loc(n);
  BodyLowerer inner(l_, *lb, false, this);
  inner.add_slot("#self#", true);
  for (const auto& p : params.children) {
    int s = inner.add_slot(p->text.empty() ? "#unused" : p->text, true);
    if (p->child(0).kind != NodeKind::Empty) {
      std::vector<std::pair<std::string, const TypeVar*>> scope;
      lb->slots[s].declared = l_.eval_type(p->child(0), scope);
    }
    if (p->is_vararg) lb->vararg = true;
    if (p->is_nospecialize && s < 64) lb->nospecialize |= uint64_t{1} << s;
  }
  lb->nargs = lb->slots.size();
  if (self_name && inner.lookup(*self_name) == Found::Unknown) inner.scopes_.front().vars[*self_name] = 0;
  if (return_type && return_type->kind != NodeKind::Empty) {
    std::vector<std::pair<std::string, const TypeVar*>> scope;
    inner.return_type_ = l_.eval_type(*return_type, scope);
  }
  inner.declare_locals(body_node);
  Node* body = inner.returned(n, inner.expr(body_node));
  lb->root = inner.prologue(n, body);
  std::vector<std::string> captured = inner.captured_;
  const Type* closure = l_.compiler_.add_closure_type(std::move(lb), captured);
  Node* r = mk(Op::Lambda, n);
  r->type_arg = closure;
  for (const std::string& c : captured) {
    int s = resolve(c);
    r->kids.push_back(s >= 0 ? slot_get(n, s) : read(n, c));  // a slot, or a `where` variable's value
  }
  return r;
}

}  // namespace tsr
