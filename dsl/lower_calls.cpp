// Lowering calls: plain calls, splats, keywords (collected, splatted, in a named tuple), and
// named tuple literals.
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

// NamedTuple{(:a, :b)}(1, 2): the names make the type, the values its parameters.
Node* BodyLowerer::lower_named_tuple(const SNode& n) {
  std::vector<std::string> names;
  std::vector<Node*> values;
  for (const auto& k : n.children) {
    // bad_named_tuple (lower_support.cpp) has checked the elements before lowering.
    const SNode& e = *k;
    bool assign = e.kind == NodeKind::Assign;
    names.push_back(assign ? e.child(0).text : e.kind == NodeKind::FieldAccess ? e.child(1).text : e.text);
    values.push_back(expr(assign ? e.child(1) : e));
  }
  return named_tuple_node(n, names, values);
}

// (a = x, b = y) from its names and the values' code: a call of the NamedTuple type.
Node* BodyLowerer::named_tuple_node(const SNode& n, const std::vector<std::string>& names, const std::vector<Node*>& values) {
  TypeRegistry& t = l_.compiler_.types();
  const Type* wrapper = t.named_tuple(names)->wrapper;
  const DataType* kind = wrapper->kind == TypeKind::UnionAll ? t.UnionAllT : t.DataTypeT;
  Node* c = mk(Op::Call, n);
  c->kids.push_back(literal(n, Value::from_type(kind, wrapper)));
  for (Node* v : values) c->kids.push_back(v);
  return c;
}

// One piece of __apply's arguments: a splatted collection as it is, anything else a 1-tuple.
Node* BodyLowerer::apply_piece(const SNode& a) {
  if (a.kind == NodeKind::Splat) return expr(a.child(0));
  Node* one = mk(Op::Tuple, a);
  one->kids.push_back(expr(a));
  return one;
}

// f(a, xs...; k = 1, kws...): the positional arguments as one tuple and the keywords as one
// named tuple (merged left to right, later names winning, as Julia), given to __kwcall.
Node* BodyLowerer::lower_keyword_splat_call(const SNode& n, Node* callee) {
  bool splats = false;
  for (size_t i = 1; i < n.size(); ++i) splats = splats || (n.child(i).kind == NodeKind::Splat && !n.child(i).is_keyword_section);
  Node* positional;
  if (splats) {
    positional = call(n, "__apply", {global(n, "tuple")});
    for (size_t i = 1; i < n.size(); ++i) {
      const SNode& a = n.child(i);
      if (a.is_keyword_section || a.kind == NodeKind::Kwarg) continue;
      if (a.kind == NodeKind::Splat) {
        positional->kids.push_back(expr(a.child(0)));
      } else {
        Node* one = mk(Op::Tuple, a);
        one->kids.push_back(a.kind == NodeKind::Generator ? lower_comprehension(a, nullptr) : expr(a));
        positional->kids.push_back(one);
      }
    }
  } else {
    positional = mk(Op::Tuple, n);
    for (size_t i = 1; i < n.size(); ++i) {
      const SNode& a = n.child(i);
      if (a.is_keyword_section || a.kind == NodeKind::Kwarg) continue;
      positional->kids.push_back(a.kind == NodeKind::Generator ? lower_comprehension(a, nullptr) : expr(a));
    }
  }
  Node* keywords = nullptr;
  std::vector<std::string> names;
  std::vector<Node*> values;
  auto add = [&](Node* nt) { keywords = keywords ? call(n, "merge", {keywords, nt}) : nt; };
  auto flush = [&] {
    if (names.empty()) return;
    add(named_tuple_node(n, names, values));
    names.clear();
    values.clear();
  };
  for (size_t i = 1; i < n.size(); ++i) {
    const SNode& a = n.child(i);
    if (a.kind == NodeKind::Kwarg) {
      names.push_back(a.text);
      values.push_back(expr(a.child(0)));
    } else if (a.is_keyword_section && a.kind == NodeKind::Identifier) {
      names.push_back(a.text);
      values.push_back(expr(a));
    } else if (a.is_keyword_section && a.kind == NodeKind::Splat) {
      flush();
      add(expr(a.child(0)));
    }
  }
  flush();
  if (!keywords) keywords = named_tuple_node(n, {}, {});
  return call(n, "__kwcall", {callee, positional, keywords});
}

Node* BodyLowerer::lower_call(const SNode& n) {
  require_supported(n);  // also reached from `do` blocks
  Node* c = mk(Op::Call, n);
  const SNode& callee = n.child(0);
  if (callee.kind == NodeKind::Identifier && callee.text == "new") {
    TypeRegistry& t = l_.compiler_.types();
    c->kids.push_back(literal(callee, Value::from_type(t.DataTypeT, l_.new_type_)));
  } else {
    c->kids.push_back(expr(callee));
  }
  bool splats = false, keyword_splats = false, keywords = false;
  for (size_t i = 1; i < n.size(); ++i) {
    const SNode& a = n.child(i);
    if (a.kind == NodeKind::Splat) (a.is_keyword_section ? keyword_splats : splats) = true;
    else if (a.kind == NodeKind::Kwarg || a.is_keyword_section) keywords = true;
  }
  if (keyword_splats || (splats && keywords)) return lower_keyword_splat_call(n, c->kids[0]);
  if (splats) {
    // f(a, xs...): __apply(f, (a,), xs) flattens the pieces and calls f on them.
    Node* apply = mk(Op::Call, n);
    apply->kids.push_back(global(n, "__apply"));
    apply->kids.push_back(c->kids[0]);
    for (size_t i = 1; i < n.size(); ++i) apply->kids.push_back(apply_piece(n.child(i)));
    return apply;
  }
  std::vector<Node*> kw;
  for (size_t i = 1; i < n.size(); ++i) {
    const SNode& a = n.child(i);
    if (a.kind == NodeKind::Kwarg) {
      c->kwnames.push_back(a.text);
      kw.push_back(expr(a.child(0)));
    } else if (a.is_keyword_section && a.kind == NodeKind::Identifier) {
      c->kwnames.push_back(a.text);
      kw.push_back(expr(a));
    } else if (a.kind == NodeKind::Generator) {
      // sum(f(x) for x in xs): the generator's values are computed first, as a vector (or a
      // tensor for several iterables), and given to the call.
      c->kids.push_back(lower_comprehension(a, nullptr));
    } else {
      c->kids.push_back(expr(a));
    }
  }
  for (Node* k : kw) c->kids.push_back(k);
  return c;
}

}  // namespace tsr
