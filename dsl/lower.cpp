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



Lowering::Lowering(jit::Compiler& compiler, const syntax::SourceFile& file, const std::string* path,
                   ModuleTable* modules, Module* module)
    : compiler_(compiler), modules_(modules), module_(module), file_(file), path_(path) {}

void Lowering::fail(const SNode& at, const std::string& message) const {
  throw LoweringError(syntax::make_diagnostic(file_, at.span, syntax::Severity::Error, message));
}

const Type* Lowering::eval_type(const SNode& n, std::vector<std::pair<std::string, const TypeVar*>>& scope) {
  TypeRegistry& t = compiler_.types();
  switch (n.kind) {
    case NodeKind::Identifier: {
      for (size_t i = scope.size(); i-- > 0;)
        if (scope[i].first == n.text) return scope[i].second;
      if (const Type* ty = t.lookup(global_name(n.text))) return ty;
      if (n.text == "Vararg") return t.vararg(t.Any);
      fail(n, "UndefVarError: `" + n.text + "` not defined (expected a type)");
    }
    case NodeKind::Int:
      return t.const_param(n.int_value);
    case NodeKind::Curly: {
      const SNode& head = n.child(0);
      WildcardParams wildcards(t);
      std::vector<const Type*> ps;
      for (size_t i = 1; i < n.size(); ++i) {
        const SNode& p = n.child(i);
        bool wildcard = p.kind == NodeKind::UnaryOp && (p.text == "<:" || p.text == ">:");
        ps.push_back(wildcard ? wildcards.add(p.text, eval_type(p.child(0), scope)) : eval_type(p, scope));
      }
      try {
        if (head.kind == NodeKind::Identifier) {
          if (head.text == "Union") return wildcards.close(t.union_of(ps));
          if (head.text == "Tuple") return wildcards.close(t.tuple(ps));
          if (head.text == "Vararg") {
            if (ps.empty() || ps.size() > 2) fail(n, "Vararg takes one or two parameters");
            if (wildcards.any()) fail(n, kVarargWildcard);
            return t.vararg(ps[0], ps.size() == 2 ? ps[1] : nullptr);
          }
        }
        return wildcards.close(t.instantiate(eval_type(head, scope), ps));
      } catch (const TypeError& e) {
        fail(n, e.what());
      }
    }
    case NodeKind::Where: {
      size_t depth = scope.size();
      std::vector<const TypeVar*> vars;
      for (size_t i = 1; i < n.size(); ++i) {
        const SNode& tp = n.child(i);
        const Type* ub = tp.child(0).kind == NodeKind::Empty ? nullptr : eval_type(tp.child(0), scope);
        const Type* lb = tp.child(1).kind == NodeKind::Empty ? nullptr : eval_type(tp.child(1), scope);
        TypeVar* v = t.new_typevar(tp.text, lb, ub);
        vars.push_back(v);
        scope.emplace_back(tp.text, v);
      }
      const Type* body = eval_type(n.child(0), scope);
      scope.resize(depth);
      return t.unionall(vars, body);
    }
    case NodeKind::Call:
      if (n.child(0).kind == NodeKind::Identifier && n.child(0).text == "typeof" && n.size() == 2 &&
          n.child(1).kind == NodeKind::Identifier)
        return compiler_.globals().function(global_name(n.child(1).text)).type();
      break;
    case NodeKind::FieldAccess:
      // M.Point: a type of another module.
      if (Module* m = module_path(n.child(0))) {
        if (const Type* ty = t.lookup(modules_->resolve(*m, n.child(1).text))) return ty;
        fail(n, "UndefVarError: `" + n.child(1).text + "` not defined in " + m->full_name() + " (expected a type)");
      }
      break;
    default:
      break;
  }
  fail(n, std::string("expected a type, found ") + std::string(syntax::describe_node_kind(n.kind)));
}


void BodyLowerer::require_supported(const SNode& n) {
  SupportContext cx;
  cx.global_scope = toplevel_ && scopes_.size() == 1;
  cx.function_body = !toplevel_;
  cx.loop_depth = loop_depth_;
  cx.kernel = kernel_;
  cx.constructor = l_.new_type_ != nullptr;
  cx.index = end_of_ != nullptr;
  if (auto why = unsupported(n, cx)) l_.fail(*why->at, why->message);
}

Node* BodyLowerer::expr(const SNode& n) {
  TypeRegistry& t = l_.compiler_.types();
  // What cannot be lowered here (lower_support.cpp; the driver checked the whole file already).
  require_supported(n);
  switch (n.kind) {
    case NodeKind::Int: {
      // 0xff is a UInt8, 0x100 a UInt16...: unsigned, sized by the digits written (Julia).
      std::string_view text = l_.file_.slice(n.span);
      if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'b' || text[1] == 'o')) {
        size_t digits = 0;
        for (char ch : text.substr(2)) digits += ch != '_';
        size_t bits = text[1] == 'x' ? digits * 4 : text[1] == 'b' ? digits : digits * 3;
        const DataType* ut = bits <= 8 ? t.UInt8 : bits <= 16 ? t.UInt16 : bits <= 32 ? t.UInt32 : t.UInt64;
        return literal(n, Value::from_int(ut, n.int_value));
      }
      return literal(n, Value::from_int(t.Int64, n.int_value));
    }
    case NodeKind::Float64: return literal(n, Value::from_f64(t.Float64, n.float_value));
    case NodeKind::Float32: return literal(n, Value::from_f32(t.Float32, static_cast<float>(n.float_value)));
    case NodeKind::Bool: return literal(n, Value::from_bool(t.Bool, n.bool_value));
    case NodeKind::Nothing: return nothing(n);
    case NodeKind::String: return literal(n, Value::from_object(t.String, new StringObject(n.text)));
    case NodeKind::Char: {
      std::size_t length = 1;
      return literal(n, Value::from_int(t.Char, static_cast<int64_t>(syntax::utf8::decode(n.text, 0, &length))));
    }
    case NodeKind::InterpolatedString: {
      std::vector<Node*> parts;
      for (const auto& k : n.children) parts.push_back(expr(*k));
      return call(n, "string", parts);
    }
    case NodeKind::Identifier: return read(n, n.text);
    case NodeKind::Symbol: return literal(n, Value::from_object(t.Symbol, new StringObject(n.text)));
    case NodeKind::Tuple:
      if (is_named_tuple(n)) return lower_named_tuple(n);
      [[fallthrough]];
    case NodeKind::Vector: {
      Node* r = mk(n.kind == NodeKind::Tuple ? Op::Tuple : Op::Vect, n);
      for (const auto& k : n.children) r->kids.push_back(expr(*k));
      return r;
    }
    case NodeKind::Comprehension: return lower_comprehension(n, nullptr);
    case NodeKind::Hcat:
    case NodeKind::Vcat: return lower_concat(n);
    case NodeKind::Generator: return lower_generator(n);
    case NodeKind::Range: {
      std::vector<Node*> parts;
      for (const auto& k : n.children) parts.push_back(expr(*k));
      return call(n, ":", parts);
    }
    case NodeKind::Call: return lower_call(n);
    case NodeKind::Do: {
      Node* c = lower_call(n.child(0));
      c->kids.insert(c->kids.begin() + 1, lower_lambda(n.child(1)));
      return c;
    }
    case NodeKind::BinaryOp: {
      if (syntax::is_dotted_operator(n.text)) return lower_broadcast(n, &n, nullptr);
      if (n.text == "=>") return call(n, "Pair", {expr(n.child(0)), expr(n.child(1))});
      return call(n, l_.global_name(n.text), {expr(n.child(0)), expr(n.child(1))});
    }
    case NodeKind::UnaryOp:
      if (syntax::is_dotted_operator(n.text)) return lower_broadcast(n, &n, nullptr);
      return call(n, l_.global_name(n.text), {expr(n.child(0))});
    case NodeKind::Comparison: {
      // a < b <= c: (a < b) && (b <= c)
      Node* result = nullptr;
      for (size_t i = 1; i + 1 < n.size(); i += 2) {
        Node* cmp = call(n.child(i), l_.global_name(n.child(i).text), {expr(n.child(i - 1)), expr(n.child(i + 1))});
        if (!result) {
          result = cmp;
        } else {
          Node* a = mk(Op::And, n);
          a->kids = {result, cmp};
          result = a;
        }
      }
      return result;
    }
    case NodeKind::And:
    case NodeKind::Or: {
      Node* r = mk(n.kind == NodeKind::And ? Op::And : Op::Or, n);
      r->kids = {expr(n.child(0)), expr(n.child(1))};
      return r;
    }
    case NodeKind::Ternary: {
      Node* r = mk(Op::If, n);
      r->kids = {expr(n.child(0)), expr(n.child(1)), expr(n.child(2))};
      return r;
    }
    case NodeKind::FieldAccess: {
      // M.f: a name of module M (unless M is a local variable).
      if (const SNode* root = &n.child(0); true) {
        while (root->kind == NodeKind::FieldAccess) root = &root->child(0);
        if (root->kind == NodeKind::Identifier && resolve(root->text) < 0 && !is_sparam(root->text))
          if (Module* m = l_.module_path(n.child(0))) return global(n, l_.modules_->resolve(*m, n.child(1).text));
      }
      Node* r = mk(Op::GetField, n);
      r->kids.push_back(expr(n.child(0)));
      r->name = n.child(1).text;
      return r;
    }
    case NodeKind::Index: {
      // T[f(x) for x in xs]: a comprehension with the element type T.
      if (n.size() == 2 && n.child(1).kind == NodeKind::Generator) return lower_comprehension(n.child(1), expr(n.child(0)));
      std::vector<Node*> args{expr(n.child(0))};
      for (Node* i : indices(n)) args.push_back(i);
      Node* get = call(n, "getindex", args);
      get->inbounds = inbounds_ > 0;
      return get;
    }
    case NodeKind::Colon: {
      // The bare `:` of t[2:3, :]: every index of that dimension.
      const DataType* colon = as_datatype(t.lookup("Colon"));
      return literal(n, Value::from_object(colon, new StructObject()));
    }
    case NodeKind::IndexEnd: {
      // `end` inside a[...] is the last index: length(a), or size(a, k) in the k-th of
      // several indices (a evaluated again).
      if (end_dim_ > 0)
        return call(n, "size", {expr(*end_of_), literal(n, Value::from_int(l_.compiler_.types().Int64, end_dim_))});
      return call(n, "length", {expr(*end_of_)});
    }
    case NodeKind::Curly: {
      std::vector<std::pair<std::string, const TypeVar*>> scope;
      const Type* ty = l_.eval_type(n, scope);
      const DataType* kind = ty->kind == TypeKind::UnionAll ? t.UnionAllT : ty->kind == TypeKind::Union ? t.UnionTypeT : t.DataTypeT;
      return literal(n, Value::from_type(kind, ty));
    }
    case NodeKind::Assign: return lower_assign(n, n.child(0), expr(n.child(1)));
    case NodeKind::UpdateAssign: {
      std::string op = n.text.substr(0, n.text.size() - 1);
      if (syntax::is_dotted_operator(op)) {
        // y .+= x is y .= y .+ x: fused, in place.
        syntax::Node sum(NodeKind::BinaryOp, n.span);
        sum.text = op;
        sum.children.push_back(std::make_unique<syntax::Node>(NodeKind::Empty, n.span));
        sum.children.push_back(std::make_unique<syntax::Node>(NodeKind::Empty, n.span));
        // The operands are the assignment's own nodes, borrowed (and given back even when
        // lowering fails), not copied.
        sum.children[0].reset(const_cast<SNode*>(&n.child(0)));
        sum.children[1].reset(const_cast<SNode*>(&n.child(1)));
        struct GiveBack {
          syntax::Node& node;
          ~GiveBack() {
            (void)node.children[0].release();
            (void)node.children[1].release();
          }
        } give_back{sum};
        if (n.child(0).kind == NodeKind::Index) return lower_dot_index_assign(n, sum, true);
        return lower_broadcast(n, &sum, expr(n.child(0)));
      }
      if (n.child(0).kind == NodeKind::Index) return lower_update_index(n, l_.global_name(op));
      Node* value = call(n, l_.global_name(op), {expr(n.child(0)), expr(n.child(1))});
      return lower_assign(n, n.child(0), value);
    }
    case NodeKind::DotAssign:
      // y .= expr: the fused loop writes into y (a plain `y .= x` copies x in).
      if (n.child(0).kind == NodeKind::Index) return lower_dot_index_assign(n, n.child(1), false);
      return lower_broadcast(n, &n.child(1), expr(n.child(0)));
    case NodeKind::DotCall: return lower_broadcast(n, &n, nullptr);
    case NodeKind::TypeAssert: {
      std::vector<std::pair<std::string, const TypeVar*>> scope;
      Node* r = mk(Op::TypeAssert, n);
      r->kids.push_back(expr(n.child(0)));
      r->type_arg = l_.eval_type(n.child(1), scope);
      return r;
    }
    case NodeKind::Lambda: return lower_lambda(n);
    case NodeKind::Block: return block(n);
    case NodeKind::Let: return lower_let(n);
    case NodeKind::If: {
      Node* r = mk(Op::If, n);
      r->kids = {expr(n.child(0)), expr(n.child(1))};
      if (n.size() > 2) r->kids.push_back(expr(n.child(2)));
      return r;
    }
    case NodeKind::While: {
      Node* r = mk(Op::While, n);
      Node* cond = expr(n.child(0));
      // The body is a scope entered on each iteration.
      ++loop_depth_;
      Node* body = mk(Op::Block, n);
      if (Node* fresh = open_scope(n, true, {&n.child(1)}, {})) body->kids.push_back(fresh);
      body->kids.push_back(expr(n.child(1)));
      close_scope();
      --loop_depth_;
      r->kids = {cond, body};
      return r;
    }
    case NodeKind::For: return lower_for(n, 0);
    case NodeKind::Break:
    case NodeKind::Continue:
      return mk(n.kind == NodeKind::Break ? Op::Break : Op::Continue, n);
    case NodeKind::Return: {
      Node* r = mk(Op::Return, n);
      r->kids.push_back(returned(n, n.size() > 0 && n.child(0).kind != NodeKind::Empty ? expr(n.child(0)) : nothing(n)));
      return r;
    }
    case NodeKind::Try: return lower_try(n);
    case NodeKind::MacroCall: return lower_macro(n);
    case NodeKind::Const: {
      const SNode& a = n.child(0);
      std::string flat = l_.definition_name(a.child(0), a.child(0).text);
      return call(n, "__setconst", {literal(a.child(0), Value::from_object(t.String, new StringObject(flat))),
                                    expr(a.child(1))});
    }
    case NodeKind::Local: {
      Node* b = mk(Op::Block, n);
      for (const auto& k : n.children)
        if (k->kind != NodeKind::Identifier) b->kids.push_back(expr(*k));
      b->kids.push_back(nothing(n));
      return b;
    }
    case NodeKind::Global: {
      Node* b = mk(Op::Block, n);
      // The scope's scan declared the names (scan_scope).
      for (const auto& k : n.children)
        if (k->kind != NodeKind::Identifier) b->kids.push_back(expr(*k));
      b->kids.push_back(nothing(n));
      return b;
    }
    case NodeKind::FunctionDef: return lower_local_function(n);
    case NodeKind::Doc: return lower_doc(n);
    default:
      break;
  }
  // unsupported() rejected everything else (definitions only reach here nested).
  throw InternalError(std::string("lowering: no lowering for ") + std::string(syntax::describe_node_kind(n.kind)));
}

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

Node* BodyLowerer::lower_assign(const SNode& n, const SNode& lhs, Node* value) {
  switch (lhs.kind) {
    case NodeKind::Identifier: return write(n, lhs.text, value);
    case NodeKind::TypeAssert: {
      std::vector<std::pair<std::string, const TypeVar*>> scope;
      Node* r = mk(Op::TypeAssert, n);
      r->kids.push_back(value);
      r->type_arg = l_.eval_type(lhs.child(1), scope);
      return lower_assign(n, lhs.child(0), r);
    }
    case NodeKind::FieldAccess: {
      Node* r = mk(Op::SetField, n);
      r->kids = {expr(lhs.child(0)), value};
      r->name = lhs.child(1).text;
      return r;
    }
    case NodeKind::Index: {
      std::vector<Node*> args{expr(lhs.child(0)), value};
      for (Node* i : indices(lhs)) args.push_back(i);
      Node* set = call(n, "setindex!", args);
      set->inbounds = inbounds_ > 0;
      return set;
    }
    case NodeKind::Tuple: {
      // (a, b) = t: t is evaluated once, then indexed.
      Node* b = mk(Op::Block, n);
      int tmp = add_slot("#destructure" + std::to_string(b_.slots.size()));
      b->kids.push_back(slot_set(n, tmp, value));
      for (size_t i = 0; i < lhs.size(); ++i) {
        Node* item = call(lhs.child(i), "getindex", {slot_get(n, tmp), literal(lhs.child(i), Value::from_int(l_.compiler_.types().Int64, int64_t(i + 1)))});
        b->kids.push_back(lower_assign(n, lhs.child(i), item));
      }
      b->kids.push_back(slot_get(n, tmp));
      return b;
    }
    default:
      if (auto why = bad_target(lhs)) l_.fail(*why->at, why->message);
      throw InternalError("lowering: an assignment target bad_target accepts");
  }
}

// xs[f()] += v: the indices (and the collection, unless it is a variable) are evaluated once,
// as Julia does, then read with getindex and written back with setindex!.
Node* BodyLowerer::lower_update_index(const SNode& n, const std::string& op) {
  const SNode& lhs = n.child(0);
  Node* b = mk(Op::Block, n);
  auto once = [&](Node* v) {
    int s = add_slot("#update" + std::to_string(b_.slots.size()));
    b->kids.push_back(slot_set(n, s, v));
    return s;
  };
  // A variable is read twice, not copied: a copy of a tensor would cost a retain and release.
  bool plain = lhs.child(0).kind == NodeKind::Identifier;
  int coll = plain ? -1 : once(expr(lhs.child(0)));
  std::vector<int> idx;
  for (Node* i : indices(lhs)) idx.push_back(once(i));
  auto collection = [&] { return plain ? expr(lhs.child(0)) : slot_get(n, coll); };
  std::vector<Node*> get_args{collection()};
  for (int s : idx) get_args.push_back(slot_get(n, s));
  Node* old = call(lhs, "getindex", get_args);
  old->inbounds = inbounds_ > 0;
  Node* value = call(n, op, {old, expr(n.child(1))});
  std::vector<Node*> set_args{collection(), value};
  for (int s : idx) set_args.push_back(slot_get(n, s));
  Node* set = call(n, "setindex!", set_args);
  set->inbounds = inbounds_ > 0;
  b->kids.push_back(set);
  return b;
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
    for (size_t i = 1; i < n.size(); ++i) {
      const SNode& a = n.child(i);
      if (a.kind == NodeKind::Splat) {
        apply->kids.push_back(expr(a.child(0)));
      } else {
        Node* one = mk(Op::Tuple, a);
        one->kids.push_back(expr(a));
        apply->kids.push_back(one);
      }
    }
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
  const DataType* closure = l_.compiler_.add_closure_type(std::move(lb), captured);
  Node* r = mk(Op::Lambda, n);
  r->type_arg = closure;
  for (const std::string& c : captured) {
    int s = resolve(c);
    r->kids.push_back(s >= 0 ? slot_get(n, s) : read(n, c));  // a slot, or a `where` variable's value
  }
  return r;
}

// [a b], [a; b], [a b; c d] and the typed T[...] forms: Julia's calls hcat, vcat and
// hvcat((cells per row...), cells...), typed_* with the element type first (stdlib/Concat.tsr).
Node* BodyLowerer::lower_concat(const SNode& n) {
  TypeRegistry& t = l_.compiler_.types();
  bool typed = n.child(0).kind != NodeKind::Empty;
  std::vector<const SNode*> cells;
  Node* rows = mk(Op::Tuple, n);
  bool blocks = false;
  for (size_t i = 1; i < n.size(); ++i) {
    const SNode& k = n.child(i);
    blocks = blocks || k.kind == NodeKind::Row;
    std::vector<const SNode*> row;
    if (k.kind == NodeKind::Row) {
      for (const auto& e : k.children) row.push_back(e.get());
    } else {
      row.push_back(&k);
    }
    rows->kids.push_back(literal(k, Value::from_int(t.Int64, static_cast<int64_t>(row.size()))));
    cells.insert(cells.end(), row.begin(), row.end());
  }
  std::string name = std::string(typed ? "typed_" : "") + (n.kind == NodeKind::Hcat ? "hcat" : blocks ? "hvcat" : "vcat");
  std::vector<Node*> lead;
  if (typed) lead.push_back(expr(n.child(0)));
  if (blocks) lead.push_back(rows);
  bool splats = std::any_of(cells.begin(), cells.end(), [](const SNode* c) { return c->kind == NodeKind::Splat; });
  if (!splats) {
    for (const SNode* c : cells) lead.push_back(expr(*c));
    return call(n, name, lead);
  }
  // [xs...; ys...]: __apply(vcat, (lead...,), xs, ys) flattens the pieces, as for a call.
  Node* apply = mk(Op::Call, n);
  apply->kids = {global(n, "__apply"), global(n, name)};
  Node* first = mk(Op::Tuple, n);
  first->kids = lead;
  apply->kids.push_back(first);
  for (const SNode* c : cells) {
    if (c->kind == NodeKind::Splat) {
      apply->kids.push_back(expr(c->child(0)));
    } else {
      Node* one = mk(Op::Tuple, *c);
      one->kids.push_back(expr(*c));
      apply->kids.push_back(one);
    }
  }
  return apply;
}

// A docstring, run just before the statement it documents (the next one of the block).
Node* BodyLowerer::lower_doc(const SNode& n) {
  TypeRegistry& t = l_.compiler_.types();
  const SNode& target = n.child(1);
  if (n.text == "undocumentable") {
    // Julia's Docs.docm: the statement does not run, the error says why.
    std::string why = "cannot document the following expression:\n\n" + target.text + "\n";
    return call(n, "error", {literal(n, Value::from_object(t.String, new StringObject(why)))});
  }
  Node* text = expr(n.child(0));
  if (target.kind != NodeKind::Identifier) {
    Node* b = mk(Op::Block, n);
    b->kids = {text, nothing(n)};
    return b;
  }
  Node* name = literal(target, Value::from_object(t.String, new StringObject(l_.global_name(target.text))));
  return call(n, "__setdoc", {name, text});
}

Node* BodyLowerer::lower_macro(const SNode& n) {
  TypeRegistry& t = l_.compiler_.types();
  const std::string& name = n.text;
  if (name == "@doc") {
    // @doc f: the docstrings of f as a String (Julia: a Markdown.MD), nothing when there is none.
    const SNode& what = n.child(0);
    std::string flat = what.kind == NodeKind::Identifier ? l_.global_name(what.text) : "";
    if (what.kind == NodeKind::FieldAccess) {
      Module* m = l_.module_path(what.child(0));
      if (!m) l_.fail(what.child(0), "expected a module name before `." + what.child(1).text + "`");
      flat = l_.modules_->resolve(*m, what.child(1).text);
    }
    return call(n, "__getdoc", {literal(what, Value::from_object(t.String, new StringObject(flat)))});
  }
  if (name == "@assert") {
    Node* r = mk(Op::If, n);
    Node* msg = n.size() > 1 ? expr(n.child(1))
                             : literal(n, Value::from_object(t.String, new StringObject(std::string(l_.file_.slice(n.child(0).span)))));
    r->kids = {expr(n.child(0)), nothing(n), call(n, "__assert_failed", {msg})};
    return r;
  }
  if (name == "@inbounds") {
    // Indexing inside is not bounds-checked (tensor loads and stores the JIT does inline).
    ++inbounds_;
    Node* r = n.size() ? expr(n.child(0)) : nothing(n);
    --inbounds_;
    return r;
  }
  if (name == "@simd") {
    // @simd for ...: as Julia's, the loop's floating-point additions and multiplications may
    // be reassociated, so reductions over it vectorize (the sum's rounding then depends on
    // the vector width, as any parallel sum's does).
    ++simd_;
    Node* r = expr(n.child(0));
    --simd_;
    return r;
  }
  if (name == "@time") {
    // t0 = time_ns(); v = expr; print the elapsed time; v
    Node* b = mk(Op::Block, n);
    int t0 = add_slot("#t0" + std::to_string(b_.slots.size()));
    int v = add_slot("#v" + std::to_string(b_.slots.size()));
    Node* s0 = slot_set(n, t0, call(n, "time_ns", {}));
    Node* sv = slot_set(n, v, n.size() ? expr(n.child(0)) : nothing(n));
    b->kids = {s0, sv, call(n, "__time_report", {slot_get(n, t0)}), slot_get(n, v)};
    return b;
  }
  if (name == "@index" || name == "@groupsize" || name == "@localmem" || name == "@synchronize") {
    TypeRegistry& types = l_.compiler_.types();
    if (name == "@synchronize") {
      // A barrier for the work items of a group; the line tells barriers apart in errors.
      b_.uses_barrier = true;
      return call(n, "__synchronize", {literal(n, Value::from_int(types.Int64, l_.file_.location(n.span.begin).line))});
    }
    if (name == "@localmem") {
      // @localmem T (dims...): one tensor per work-group, shared by its work items; the site
      // number tells the @localmem calls of a kernel apart.
      const SNode& dims = n.child(1);
      Node* shape = dims.kind == NodeKind::Tuple ? expr(dims) : [&] {
        Node* tup = mk(Op::Tuple, n);
        tup->kids.push_back(expr(dims));
        return tup;
      }();
      b_.uses_localmem = true;
      Node* site = literal(n, Value::from_int(types.Int64, static_cast<int64_t>(n.span.begin)));
      return call(n, "__localmem", {expr(n.child(0)), shape, site});
    }
    if (name == "@groupsize") return read(n, "#wg");
    std::string which = n.size() > 0 && n.child(0).kind == NodeKind::Identifier ? n.child(0).text : "";
    std::string form = n.size() > 1 && n.child(1).kind == NodeKind::Identifier ? n.child(1).text : "Linear";
    TypeRegistry& t = l_.compiler_.types();
    auto lit = [&](int64_t v) { return literal(n, Value::from_int(t.Int64, v)); };
    if (which == "Global" && form == "NTuple") {
      // (i,), (i, j) or (i, j, k): as many as the launch's dimensions.
      auto tuple = [&](int k) {
        Node* tup = mk(Op::Tuple, n);
        for (int d = 1; d <= k; ++d) tup->kids.push_back(read(n, "#g" + std::to_string(d)));
        return tup;
      };
      Node* inner = mk(Op::If, n);
      inner->kids = {call(n, "==", {read(n, "#rank"), lit(2)}), tuple(2), tuple(3)};
      Node* outer = mk(Op::If, n);
      outer->kids = {call(n, "==", {read(n, "#rank"), lit(1)}), tuple(1), inner};
      return outer;
    }
    if (which == "Global") return read(n, "#lin");
    Node* zero_based = call(n, "-", {read(n, "#lin"), lit(1)});
    if (which == "Local") return call(n, "+", {call(n, "rem", {zero_based, read(n, "#wg")}), lit(1)});
    return call(n, "+", {call(n, "div", {zero_based, read(n, "#wg")}), lit(1)});  // Group
  }
  if (Node* io = lower_io_macro(n)) return io;
  throw InternalError("lowering: a macro unsupported() accepts: " + name);
}

bool BodyLowerer::is_index_destructure(const SNode& n) const {
  if (!kernel_ || n.kind != NodeKind::Assign || n.child(0).kind != NodeKind::Tuple) return false;
  const SNode& m = n.child(1);
  return m.kind == NodeKind::MacroCall && m.text == "@index" && m.size() == 2 && m.child(0).kind == NodeKind::Identifier &&
         m.child(0).text == "Global" && m.child(1).kind == NodeKind::Identifier && m.child(1).text == "NTuple";
}

Node* BodyLowerer::destructure_index(const SNode& n) {
  TypeRegistry& t = l_.compiler_.types();
  const SNode& lhs = n.child(0);
  Node* b = mk(Op::Block, n);
  for (size_t d = 0; d < lhs.size(); ++d) {
    const SNode& at = lhs.child(d);
    auto lit = [&](int64_t v) { return literal(at, Value::from_int(t.Int64, v)); };
    // Past the launch's rank: what indexing the tuple raises (a BoundsError), as an Int64.
    Node* past = mk(Op::TypeAssert, at);
    past->kids.push_back(call(at, "getindex", {expr(n.child(1)), lit(static_cast<int64_t>(d + 1))}));
    past->type_arg = t.Int64;
    Node* item = past;
    if (d == 0) {
      item = read(at, "#g1");
    } else if (d < 3) {
      item = mk(Op::If, at);
      item->kids = {call(at, ">=", {read(at, "#rank"), lit(static_cast<int64_t>(d + 1))}), read(at, "#g" + std::to_string(d + 1)),
                    past};
    }
    b->kids.push_back(lower_assign(n, at, item));
  }
  b->kids.push_back(nothing(n));
  return b;
}

std::unique_ptr<Body> Lowering::lower_toplevel(const std::vector<const SNode*>& statements) {
  auto body = std::make_unique<Body>();
  body->name = "top-level";
  if (!statements.empty()) {
    syntax::Location p = file_.location(statements[0]->span.begin);
    body->loc = jit::SrcLoc{path_, p.line, p.column};
  }
  BodyLowerer bl(*this, *body, true);
  Node* block = body->make(Op::Block, body->loc);
  for (const SNode* s : statements) block->kids.push_back(bl.expr(*s));
  body->root = block;
  // Names these statements assign are read when they run, not bound when compiled: `one =
  // (5,)` then `println(one)` reads the new global, not Base's function.
  std::set<std::string> assigned;
  for (auto& n : body->pool)
    if (n->op == Op::SetGlobal) assigned.insert(n->name);
  for (auto& n : body->pool)
    if (n->op == Op::Global && assigned.count(n->name)) n->late = true;
  return body;
}

std::vector<TypeVar*> Lowering::type_params(const SNode& list, std::vector<std::pair<std::string, const TypeVar*>>& scope) {
  // {T <: Real, S >: Int}: each bound may name the parameters before it.
  std::vector<TypeVar*> vars;
  for (const auto& tp : list.children) {
    const Type* ub = tp->child(0).kind == NodeKind::Empty ? nullptr : eval_type(tp->child(0), scope);
    const Type* lb = tp->child(1).kind == NodeKind::Empty ? nullptr : eval_type(tp->child(1), scope);
    TypeVar* v = compiler_.types().new_typevar(tp->text, lb, ub);
    vars.push_back(v);
    scope.emplace_back(tp->text, v);
  }
  return vars;
}

const SNode& defined_name(const SNode& def) {
  const SNode& name = def.child(syntax::function_slot::name);
  return name.kind == NodeKind::FieldAccess ? name.child(1) : name;
}

void Lowering::define_function(const SNode& def) {
  namespace fs = syntax::function_slot;
  const SNode& name = def.child(fs::name);
  SupportContext cx;
  cx.statement = true;
  cx.constructor = new_type_ != nullptr;
  if (auto why = unsupported(def, cx)) fail(*why->at, why->message);
  std::string short_name;
  std::string flat = defined_function_name(name, &short_name);
  TypeRegistry& t = compiler_.types();
  std::vector<std::pair<std::string, const TypeVar*>> scope;
  std::vector<TypeVar*> declared = type_params(def.child(fs::type_params), scope);
  std::vector<const TypeVar*> vars(declared.begin(), declared.end());
  // f(x, y = 2) is two methods, as in Julia: f(x, y) and f(x) = f(x, 2).
  const auto& params = def.child(fs::params).children;
  size_t first_default = params.size();
  for (size_t i = 0; i < params.size(); ++i) {
    bool has_default = params[i]->child(1).kind != NodeKind::Empty;
    if (has_default && first_default == params.size()) first_default = i;
  }
  if (const Type* type = t.lookup(flat); type && !compiler_.globals().find_function(flat))
    jit::add_default_constructor(compiler_.globals(), compiler_.globals().function(flat), type);
  for (size_t count = first_default; count < params.size(); ++count) define_method(def, count, scope, vars, false, flat);
  define_method(def, params.size(), scope, vars, false, flat);
}

void Lowering::define_kernel(const SNode& macro) {
  namespace fs = syntax::function_slot;
  SupportContext cx;
  cx.statement = true;
  if (auto why = unsupported(macro, cx)) fail(*why->at, why->message);
  const SNode& def = macro.child(0);
  cx.kernel = true;
  if (auto why = unsupported(def, cx)) fail(*why->at, why->message);
  const SNode& name = def.child(fs::name);
  std::string flat = definition_name(name, name.text);
  std::vector<std::pair<std::string, const TypeVar*>> scope;
  std::vector<TypeVar*> declared = type_params(def.child(fs::type_params), scope);
  std::vector<const TypeVar*> vars(declared.begin(), declared.end());
  GenericFunction& f = compiler_.globals().function(flat);
  if (!f.methods().empty() && !compiler_.is_kernel(&f))
    fail(name, "`" + name.text + "` is already an ordinary function; a kernel needs a name of its own");
  compiler_.mark_kernel(&f);
  f.set_no_method_hint("`" + name.text + "` is a @kernel function: run it with launch(" + name.text +
                       ", ndrange, args...); its methods take hidden index arguments after yours (#lin, ...)");
  define_method(def, def.child(fs::params).size(), scope, vars, true, flat);
}

void Lowering::define_method(const SNode& def, size_t count, std::vector<std::pair<std::string, const TypeVar*>>& scope,
                             const std::vector<const TypeVar*>& vars, bool kernel, const std::string& flat) {
  namespace fs = syntax::function_slot;
  TypeRegistry& t = compiler_.types();
  const SNode& name = def.child(fs::name);
  const auto& params = def.child(fs::params).children;
  bool full = count == params.size();
  auto body = std::make_unique<Body>();
  bool callable = name.kind == NodeKind::TypeAssert;  // (m::T)(x) = ...: m is a hidden first argument
  body->name = name.kind == NodeKind::FieldAccess ? name.child(1).text
               : callable                          ? "(::" + std::string(file_.slice(name.child(1).span)) + ")"
                                                   : name.text;
  body->sparams = vars;
  syntax::Location p = file_.location(def.span.begin);
  body->loc = jit::SrcLoc{path_, p.line, p.column};
  BodyLowerer bl(*this, *body, false);
  std::vector<const Type*> sig;
  std::vector<std::string> names;
  if (callable) {
    const SNode& self = name.child(0);
    sig.push_back(eval_type(name.child(1), scope));
    names.push_back(self.kind == NodeKind::Identifier ? self.text : "");
    bl.add_slot(self.kind == NodeKind::Identifier ? self.text : "#self#", true);
  }
  for (size_t i = 0; i < count; ++i) {
    const SNode& prm = *params[i];
    const Type* ty = prm.child(0).kind == NodeKind::Empty ? t.Any : eval_type(prm.child(0), scope);
    bool is_vararg_type = as_vararg(ty) != nullptr;
    if (prm.is_vararg || is_vararg_type) {
      if (i + 1 != params.size()) fail(prm, "only the last argument may be a Vararg");
      body->vararg = true;
      if (!is_vararg_type) ty = t.vararg(ty);
    }
    sig.push_back(ty);
    names.push_back(prm.text);
    bl.add_slot(prm.text.empty() ? "#unused" + std::to_string(i) : prm.text, true);
  }
  if (kernel) {
    // What @index and @groupsize read: the linear index, the Cartesian indices (row-major,
    // up to three dimensions), the work-group size and the number of dimensions.
    for (const char* hidden : {"#lin", "#g1", "#g2", "#g3", "#wg", "#rank"}) {
      bl.add_slot(hidden, true);
      sig.push_back(t.Int64);
      names.push_back(hidden);
    }
    bl.kernel_ = true;
  }
  body->nargs = body->slots.size();
  if (!full) {
    // The shorter method calls the full one with the defaults of the missing arguments.
    Node* c = body->make(Op::Call, body->loc);
    c->kids.push_back(bl.global(name, flat));
    size_t first = callable ? 1 : 0;
    if (callable) c->kids.push_back(bl.read(name, body->slots[0].name));
    for (size_t i = 0; i < count; ++i) c->kids.push_back(bl.read(*params[i], body->slots[first + i].name));
    for (size_t i = count; i < params.size(); ++i) c->kids.push_back(bl.expr(params[i]->child(1)));
    body->root = c;
    if (!def.child(fs::keyword_params).children.empty()) {
      // f(x, y = 2; z = 3): the shorter method takes whatever keywords it is given and passes
      // them on, __kwcall(f, (x, 2), kw), for the full method to check.
      body->kwargs.push_back("#kw");
      int kw = bl.add_slot("#kw", true);
      body->kwrest = true;
      body->kwdefaults.push_back(bl.named_tuple_node(def, {}, {}));
      body->kwtypes.push_back(t.Any);
      Node* args = body->make(Op::Tuple, body->loc);
      args->kids.assign(c->kids.begin() + 1, c->kids.end());
      body->root = bl.call(def, "__kwcall", {c->kids[0], args, bl.slot_get(def, kw)});
    }
  } else {
    for (const auto& kp : def.child(fs::keyword_params).children) {
      body->kwargs.push_back(kp->text);
      bl.add_slot(kp->text, true);
    }
    if (def.child(fs::return_type).kind != NodeKind::Empty)
      bl.return_type_ = eval_type(def.child(fs::return_type), scope);
    bl.declare_locals(def.child(fs::body));
    for (const auto& kp : def.child(fs::keyword_params).children) {
      if (kp->is_vararg) {
        // kw...: the keywords no other one takes, a named tuple made by the call (Compiler::invoke).
        body->kwrest = true;
        body->kwdefaults.push_back(bl.named_tuple_node(*kp, {}, {}));  // when called with no keywords
        body->kwtypes.push_back(t.Any);
        continue;
      }
      // A keyword without a default is required: leaving it out throws, as Julia's does.
      jit::Node* d = kp->child(1).kind != NodeKind::Empty
                         ? bl.expr(kp->child(1))
                         : bl.call(*kp, "throw",
                                   {bl.call(*kp, "UndefKeywordError",
                                            {bl.literal(*kp, Value::from_object(t.String, new StringObject("keyword argument `" + kp->text +
                                                                                                        "` not assigned")))})});
      const Type* declared = t.Any;
      if (kp->child(0).kind != NodeKind::Empty) {
        declared = eval_type(kp->child(0), scope);
        jit::Node* ta = body->make(Op::TypeAssert, d->loc);
        ta->kids.push_back(d);
        ta->type_arg = declared;
        d = ta;
      }
      body->kwdefaults.push_back(d);
      body->kwtypes.push_back(declared);
    }
    Node* root = bl.returned(def, bl.expr(def.child(fs::body)));
    body->root = bl.prologue(def, root);
  }
  const Type* sigtype = t.unionall(vars, t.tuple(sig));
  body->sig = sigtype;
  std::string location = *path_ + ":" + std::to_string(p.line);
  compiler_.add_method(compiler_.globals().function(flat), sigtype, names, std::move(body), location);
}

void Lowering::define_type(const SNode& def) {
  TypeRegistry& t = compiler_.types();
  namespace ss = syntax::struct_slot;
  const SNode& name = def.child(0);
  std::vector<std::pair<std::string, const TypeVar*>> scope;
  TypeDecl d;
  d.name = definition_name(name, name.text);
  d.params = type_params(def.child(1), scope);
  d.location = *path_ + ":" + std::to_string(file_.location(def.span.begin).line);
  const SNode& super = def.child(2);
  if (super.kind != NodeKind::Empty) d.super = eval_type(super, scope);
  if (def.kind == NodeKind::AbstractTypeDef) {
    d.kind = TypeDecl::Kind::Abstract;
  } else if (def.kind == NodeKind::SemanticDef) {
    d.kind = TypeDecl::Kind::Semantic;
  } else {
    d.kind = def.is_mutable ? TypeDecl::Kind::MutableStruct : TypeDecl::Kind::Struct;
    for (const auto& m : def.child(ss::body).children) {
      if (m->kind != NodeKind::Field) continue;  // inner constructors: below, once the type exists
      // Julia places the default constructors at the first field's line.
      if (d.field_names.empty()) d.location = *path_ + ":" + std::to_string(file_.location(m->span.begin).line);
      d.field_names.push_back(m->text);
      d.field_types.push_back(m->child(0).kind == NodeKind::Empty ? t.Any : eval_type(m->child(0), scope));
    }
  }
  // Redeclaring an existing semantic type with the same parent is a no-op, as Julia accepts
  // an identical redefinition (LANGUAGE.md declares the six standard ones, which the runtime
  // already has, so its lines run as written).
  if (d.kind == TypeDecl::Kind::Semantic && d.params.empty()) {
    const Type* found = t.lookup(d.name);
    auto existing = found ? as_datatype(unwrap_unionall(found)) : nullptr;
    const Type* new_parent = d.super ? d.super : t.lookup("Tensor");
    auto np = as_datatype(unwrap_unionall(new_parent));
    if (existing && existing->name->is_semantic && np) {
      auto ep = as_datatype(existing->name->super);
      if (ep && ep->name == np->name) return;
    }
  }
  const TypeName* declared = nullptr;
  try {
    declared = t.declare(d);
  } catch (const TypeError& e) {
    fail(def, e.what());
  }
  if (def.kind != NodeKind::StructDef) return;
  // Inner constructors replace the default one; `new(...)` in them builds the value.
  for (const auto& m : def.child(ss::body).children) {
    if (m->kind != NodeKind::FunctionDef) continue;
    SupportContext cx;
    cx.statement = true;
    cx.constructor = true;
    cx.in_struct = &def;
    if (auto why = unsupported(*m, cx)) fail(*why->at, why->message);
    compiler_.globals().function(d.name);  // exists now: no default constructor is added
    new_type_ = declared->wrapper;
    try {
      define_function(*m);
    } catch (...) {
      new_type_ = nullptr;
      throw;
    }
    new_type_ = nullptr;
  }
}

}  // namespace tsr
