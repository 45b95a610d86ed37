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
      // x' is adjoint(x), as in Julia
      return call(n, l_.global_name(n.text == "'" ? "adjoint" : n.text), {expr(n.child(0))});
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
      if (splatted_index(n)) return splatted_index_call(n, views_ > 0 ? "__view" : "getindex", nullptr);
      std::vector<Node*> args{expr(n.child(0))};
      for (Node* i : indices(n)) args.push_back(i);
      Node* get = call(n, views_ > 0 ? "__view" : "getindex", args);
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
      // Tensor{T, N} naming the method's `where` variables: applied when run, which inference
      // does at compile time for each specialization (jit/infer.cpp, __apply_type).
      if (mentions_sparam(n)) {
        std::vector<Node*> parts{expr(n.child(0))};
        for (size_t i = 1; i < n.size(); ++i) {
          const SNode& p = n.child(i);
          if (p.kind == NodeKind::UnaryOp && (p.text == "<:" || p.text == ">:"))
            l_.fail(p, "a type with `" + p.text + "` inside a function body cannot name the method's `where` variables yet");
          parts.push_back(expr(p));
        }
        return call(n, "__apply_type", parts);
      }
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
      // x::Tensor{T, N} may name the method's `where` variables: inference puts in their values
      // for the arguments at hand.
      std::vector<std::pair<std::string, const TypeVar*>> scope;
      for (const TypeVar* v : b_.sparams)
        if (is_sparam(v->name)) scope.emplace_back(v->name, v);
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
      if (splatted_index(lhs)) return splatted_index_call(lhs, "setindex!", value);
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
        // a, b... = t: b is the rest of t from there (__rest, stdlib/Base.tsr)
        const SNode& k = lhs.child(i);
        bool rest = k.kind == NodeKind::Splat;
        Node* item = call(k, rest ? "__rest" : "getindex", {slot_get(n, tmp), literal(k, Value::from_int(l_.compiler_.types().Int64, int64_t(i + 1)))});
        b->kids.push_back(lower_assign(n, rest ? k.child(0) : k, item));
      }
      b->kids.push_back(slot_get(n, tmp));
      return b;
    }
    default:
      if (auto why = bad_target(lhs)) l_.fail(*why->at, why->message);
      throw InternalError("lowering: an assignment target bad_target accepts");
  }
}

Node* BodyLowerer::block(const SNode& n) {
  Node* b = mk(Op::Block, n);
  for (size_t i = 0; i < n.children.size(); ++i) {
    const SNode& k = *n.children[i];
    bool value_unused = i + 1 < n.children.size();
    b->kids.push_back(value_unused && is_index_destructure(k) ? destructure_index(k) : expr(k));
  }
  if (b->kids.empty()) b->kids.push_back(nothing(n));
  return b;
}

Node* BodyLowerer::returned(const SNode& at, Node* value) {
  if (!return_type_) return value;
  TypeRegistry& t = l_.compiler_.types();
  const Type* rt = return_type_;
  const DataType* kind = rt->kind == TypeKind::UnionAll ? t.UnionAllT : rt->kind == TypeKind::Union ? t.UnionTypeT : t.DataTypeT;
  Node* conv = call(at, "convert", {literal(at, Value::from_type(kind, rt)), value});
  Node* ta = mk(Op::TypeAssert, at);
  ta->kids.push_back(conv);
  ta->type_arg = rt;
  return ta;
}

int BodyLowerer::hold(Node* block, const SNode& at, const std::string& tag, Node* value) {
  int s = add_slot(tag + std::to_string(b_.slots.size()));
  block->kids.push_back(slot_set(at, s, value));
  return s;
}

// x[a, is..., b] read (getindex, __view) or written (setindex!, with the value): the call
// through __apply, as f(xs...) is, the collection (and value) first. `end` among such
// indices is length(x).
Node* BodyLowerer::splatted_index_call(const SNode& index, const std::string& fname, Node* value) {
  Node* c = call(index, "__apply", {global(index, fname)});
  Node* first = mk(Op::Tuple, index);
  first->kids.push_back(expr(index.child(0)));
  if (value) first->kids.push_back(value);
  c->kids.push_back(first);
  const SNode* saved = end_of_;
  int saved_dim = end_dim_;
  end_of_ = &index.child(0);
  end_dim_ = 0;
  for (size_t i = 1; i < index.size(); ++i) c->kids.push_back(apply_piece(index.child(i)));
  end_of_ = saved;
  end_dim_ = saved_dim;
  return c;
}

std::vector<Node*> BodyLowerer::indices(const SNode& index) {
  const SNode* saved = end_of_;
  int saved_dim = end_dim_;
  end_of_ = &index.child(0);
  std::vector<Node*> out;
  for (size_t i = 1; i < index.size(); ++i) {
    end_dim_ = index.size() == 2 ? 0 : static_cast<int>(i);
    out.push_back(expr(index.child(i)));
  }
  end_of_ = saved;
  end_dim_ = saved_dim;
  return out;
}

BodyLowerer::HeldIndex BodyLowerer::hold_index(Node* block, const SNode& assign, const std::string& tag) {
  const SNode& lhs = assign.child(0);
  HeldIndex h{&lhs, lhs.child(0).kind == NodeKind::Identifier, -1, {}};
  if (!h.plain) h.coll = hold(block, assign, tag, expr(lhs.child(0)));
  for (Node* i : indices(lhs)) h.idx.push_back(hold(block, assign, tag, i));
  return h;
}

std::vector<Node*> BodyLowerer::held_index_args(const HeldIndex& h, const SNode& at, Node* second) {
  std::vector<Node*> out{h.plain ? expr(h.lhs->child(0)) : slot_get(at, h.coll)};
  if (second) out.push_back(second);
  for (int s : h.idx) out.push_back(slot_get(at, s));
  return out;
}

// xs[f()] += v: the indices (and the collection, unless it is a variable) are evaluated once,
// as Julia does, then read with getindex and written back with setindex!.
Node* BodyLowerer::lower_update_index(const SNode& n, const std::string& op) {
  const SNode& lhs = n.child(0);
  Node* b = mk(Op::Block, n);
  HeldIndex h = hold_index(b, n, "#update");
  Node* old = call(lhs, "getindex", held_index_args(h, n, nullptr));
  old->inbounds = inbounds_ > 0;
  Node* value = call(n, op, {old, expr(n.child(1))});
  Node* set = call(n, "setindex!", held_index_args(h, n, value));
  set->inbounds = inbounds_ > 0;
  b->kids.push_back(set);
  return b;
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
  if (name == "@view" || name == "@views") {
    // @view x[i...] is __view(x, i...) (stdlib/Tensors.tsr: a tensor's slice, a view already;
    // other collections' an error rather than a silent copy); @views does so for every read
    // x[i...] in its expression.
    ++views_;
    Node* r = expr(n.child(0));
    --views_;
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
  if (name == "@cuda_kernel") {
    // __cuda_kernel(entry or "", source, file, the macro's line, the script's line of the
    // source's first line)
    const SNode& src = n.child(n.size() - 1);
    std::string raw(l_.file_.slice(src.span));
    int64_t first = static_cast<int64_t>(l_.file_.location(src.span.begin).line);
    if (raw.rfind("\"\"\"", 0) == 0 && raw.size() > 3 && (raw[3] == '\n' || raw[3] == '\r')) ++first;  // """ then a newline
    auto str = [&](const SNode& at, const std::string& s) { return literal(at, Value::from_object(t.String, new StringObject(s))); };
    return call(n, "__cuda_kernel",
                {str(n, n.size() == 2 ? n.child(0).text : ""), str(src, src.text), str(n, l_.file_.path()),
                 literal(n, Value::from_int(t.Int64, l_.file_.location(n.span.begin).line)), literal(n, Value::from_int(t.Int64, first))});
  }
  if (Node* k = lower_kernel_macro(n)) return k;
  if (Node* io = lower_io_macro(n)) return io;
  throw InternalError("lowering: a macro unsupported() accepts: " + name);
}

}  // namespace tsr
