#include "dsl/type_expr.hpp"

#include <cctype>
#include <optional>

#include "runtime/errors.hpp"
#include "runtime/suggest.hpp"

namespace tsr {

namespace {

struct Token {
  enum Kind { Name, Int, Punct, End } kind;
  std::string text;
  size_t pos;
};

// A parsed type expression, evaluated once the `where` variables are known.
struct TExpr {
  enum Kind { Name, Int, Apply, Where, Wildcard } kind = Name;
  std::string name;  // Name, the head of Apply, "<:" or ">:" of a Wildcard (args[0]: the bound)
  int64_t value = 0;
  std::vector<TExpr> args;  // Apply: parameters; Where: args[0] is the body
  struct Var {
    std::string name;
    std::vector<TExpr> lb, ub;  // zero or one each
    size_t pos;
  };
  std::vector<Var> vars;  // Where
  // Apply of "@NamedTuple": the field names (args are their types); of "NamedTuple": the
  // names of NamedTuple{(:a, :b)} and, in args, at most a Tuple of their types.
  std::vector<std::string> names;
  size_t pos = 0, len = 0;
};

class TypeParser {
 public:
  TypeParser(TypeRegistry& reg, std::string_view text) : reg_(reg), text_(text) { tokenize(); }

  [[noreturn]] void fail(size_t pos, size_t len, const std::string& what) const {
    std::string caret(pos, ' ');
    caret += '^';
    if (len > 1) caret += std::string(len - 1, '~');
    throw ArgumentError(what + "\n  " + std::string(text_) + "\n  " + caret);
  }

  const Token& peek() const { return toks_[i_]; }
  bool at(const char* punct) const { return peek().kind == Token::Punct && peek().text == punct; }
  bool at_name(const char* n) const { return peek().kind == Token::Name && peek().text == n; }
  Token next() { return toks_[i_ < toks_.size() - 1 ? i_++ : i_]; }
  std::string found() const {
    return peek().kind == Token::End ? "end of text" : "'" + peek().text + "'";
  }
  void expect(const char* punct, const char* context) {
    if (!at(punct)) fail(peek().pos, std::max<size_t>(1, peek().text.size()),
                         std::string("expected '") + punct + "' " + context + ", found " + found());
    next();
  }
  void expect_end() {
    if (peek().kind != Token::End)
      fail(peek().pos, peek().text.size(), "unexpected " + found() + " after the type expression");
  }

  // type := primary ('where' vars)*
  TExpr type() {
    TExpr t = primary();
    while (at_name("where")) {
      next();
      TExpr w;
      w.kind = TExpr::Where;
      w.pos = t.pos;
      w.args.push_back(std::move(t));
      if (at("{")) {
        next();
        w.vars.push_back(var_decl());
        while (at(",")) {
          next();
          w.vars.push_back(var_decl());
        }
        expect("}", "to close the where-list");
      } else {
        w.vars.push_back(var_decl());
      }
      w.len = peek().pos - w.pos;
      t = std::move(w);
    }
    return t;
  }

  // NAME, NAME<:ub, NAME>:lb, lb<:NAME<:ub
  TExpr::Var var_decl() {
    TExpr::Var v;
    v.pos = peek().pos;
    TExpr first = primary();
    if (at("<:")) {
      next();
      TExpr second = primary();
      if (at("<:")) {  // lb <: T <: ub
        next();
        if (second.kind != TExpr::Name) fail(second.pos, second.len, "expected a type variable name");
        v.name = second.name;
        v.lb.push_back(std::move(first));
        v.ub.push_back(primary());
        return v;
      }
      v.ub.push_back(std::move(second));
    } else if (at(">:")) {
      next();
      v.lb.push_back(primary());
    }
    if (first.kind != TExpr::Name) fail(first.pos, first.len, "expected a type variable name");
    v.name = first.name;
    return v;
  }

  // primary := INT | NAME ('{' type, ... '}')? | '(' type ')'
  TExpr primary() {
    // Deep nesting is a user error, not a stack overflow.
    struct Depth {
      int& d;
      explicit Depth(int& x) : d(++x) {}
      ~Depth() { --d; }
    } depth(depth_);
    if (depth_ > kMaxDepth)
      fail(peek().pos, 1, "type expression nested more than " + std::to_string(kMaxDepth) + " levels deep");
    TExpr t;
    t.pos = peek().pos;
    if (peek().kind == Token::Int) {
      t.kind = TExpr::Int;
      t.value = std::stoll(peek().text);
      t.len = peek().text.size();
      next();
      return t;
    }
    if (at("(")) {
      next();
      TExpr inner = type();
      expect(")", "to close '('");
      return inner;
    }
    if (at("@")) return named_tuple_macro();
    if (peek().kind != Token::Name || peek().text == "where")
      fail(peek().pos, std::max<size_t>(1, peek().text.size()), "expected a type, found " + found());
    t.name = next().text;
    if (t.name == "NamedTuple" && at("{") && toks_[i_ + 1].kind == Token::Punct && toks_[i_ + 1].text == "(")
      return named_tuple_names(std::move(t));
    t.len = t.name.size();
    if (at("{")) {
      t.kind = TExpr::Apply;
      next();
      if (!at("}")) {
        t.args.push_back(parameter());
        while (at(",")) {
          next();
          t.args.push_back(parameter());
        }
      }
      expect("}", ("to close the parameters of " + t.name).c_str());
      t.len = toks_[i_ - 1].pos + 1 - t.pos;
    }
    return t;
  }

  // A parameter inside { }: a type, or the shorthand `<:T` / `>:T`.
  TExpr parameter() {
    if (!at("<:") && !at(">:")) return type();
    TExpr w;
    w.kind = TExpr::Wildcard;
    w.pos = peek().pos;
    w.name = next().text;
    w.args.push_back(type());
    w.len = w.args[0].pos + w.args[0].len - w.pos;
    return w;
  }

  // @NamedTuple{a::A, b::B}
  TExpr named_tuple_macro() {
    TExpr t;
    t.pos = peek().pos;
    next();
    if (!at_name("NamedTuple")) fail(peek().pos, std::max<size_t>(1, peek().text.size()), "expected NamedTuple after '@'");
    next();
    t.kind = TExpr::Apply;
    t.name = "@NamedTuple";
    expect("{", "after @NamedTuple");
    while (!at("}")) {
      if (peek().kind != Token::Name) fail(peek().pos, std::max<size_t>(1, peek().text.size()), "expected a field name, found " + found());
      t.names.push_back(next().text);
      if (at("::")) {
        next();
        t.args.push_back(type());
      } else {
        TExpr any;
        any.name = "Any";
        t.args.push_back(any);
      }
      if (!at(",")) break;
      next();
    }
    expect("}", "to close @NamedTuple{...}");
    t.len = toks_[i_ - 1].pos + 1 - t.pos;
    return t;
  }

  // NamedTuple{(:a, :b)} and NamedTuple{(:a, :b), Tuple{A, B}}
  TExpr named_tuple_names(TExpr t) {
    t.kind = TExpr::Apply;
    next();  // {
    next();  // (
    while (at(":")) {
      next();
      if (peek().kind != Token::Name) fail(peek().pos, std::max<size_t>(1, peek().text.size()), "expected a field name, found " + found());
      t.names.push_back(next().text);
      if (!at(",")) break;
      next();
    }
    expect(")", "to close the names of a NamedTuple");
    if (at(",")) {
      next();
      t.args.push_back(type());
    }
    expect("}", "to close the parameters of NamedTuple");
    t.len = toks_[i_ - 1].pos + 1 - t.pos;
    return t;
  }

  // ---- evaluation ----
  struct Scope {
    std::vector<std::pair<std::string, const TypeVar*>> vars;
    const TypeVar* find(const std::string& n) const {
      for (size_t i = vars.size(); i-- > 0;)
        if (vars[i].first == n) return vars[i].second;
      return nullptr;
    }
  };

  const Type* eval(const TExpr& e, Scope& scope) {
    try {
      return eval_unchecked(e, scope);
    } catch (const TypeError& err) {
      fail(e.pos, e.len, err.message());
    }
  }

  const Type* eval_unchecked(const TExpr& e, Scope& scope) {
    switch (e.kind) {
      case TExpr::Int:
        return reg_.const_param(e.value);
      case TExpr::Name: {
        if (const TypeVar* v = scope.find(e.name)) return v;
        if (e.name == "Vararg") return reg_.vararg(reg_.Any);
        if (const Type* t = reg_.lookup(e.name)) return t;
        std::string hint = closest_name(e.name, reg_.names());
        fail(e.pos, e.len, "unknown type `" + e.name + "`" + (hint.empty() ? "" : "; did you mean `" + hint + "`?"));
      }
      case TExpr::Apply: {
        WildcardParams wildcards(reg_);
        std::vector<const Type*> ps;
        for (const TExpr& a : e.args)
          ps.push_back(a.kind == TExpr::Wildcard ? wildcards.add(a.name, eval(a.args[0], scope)) : eval(a, scope));
        return wildcards.close(apply(e, ps, scope));
      }
      case TExpr::Wildcard:
        fail(e.pos, e.len, "`" + e.name + "T` is only a type parameter: write it inside `{ }`, as in `Vector{<:Real}`");
      case TExpr::Where: {
        std::vector<const TypeVar*> vars;
        size_t depth = scope.vars.size();
        for (const TExpr::Var& v : e.vars) {
          const Type* lb = v.lb.empty() ? nullptr : eval(v.lb[0], scope);
          const Type* ub = v.ub.empty() ? nullptr : eval(v.ub[0], scope);
          TypeVar* tv = reg_.new_typevar(v.name, lb, ub);
          vars.push_back(tv);
          scope.vars.emplace_back(v.name, tv);
        }
        const Type* body = eval(e.args[0], scope);
        scope.vars.resize(depth);
        return reg_.unionall(vars, body);
      }
    }
    return nullptr;
  }

  // e's head applied to the evaluated parameters ps.
  const Type* apply(const TExpr& e, const std::vector<const Type*>& ps, Scope& scope) {
    if (e.name == "Union") return reg_.union_of(ps);
    if (e.name == "@NamedTuple") return reg_.named_tuple(e.names, ps);
    if (e.name == "NamedTuple" && (!e.names.empty() || ps.empty())) {
      const TypeName* n = reg_.named_tuple(e.names);
      if (ps.empty()) return n->wrapper;
      auto tup = as_datatype(ps[0]);
      if (!tup || !tup->name->is_tuple || tup->params.size() != e.names.size())
        fail(e.pos, e.len, "NamedTuple{names, T}: T must be a Tuple of one type per name");
      return reg_.apply(n, tup->params);
    }
    if (e.name == "Tuple") return reg_.tuple(ps);
    if (e.name == "Vararg") {
      if (ps.empty() || ps.size() > 2) fail(e.pos, e.len, "Vararg takes one or two parameters: Vararg{T} or Vararg{T, N}");
      for (const TExpr& a : e.args)
        if (a.kind == TExpr::Wildcard) fail(e.pos, e.len, kVarargWildcard);
      return reg_.vararg(ps[0], ps.size() == 2 ? ps[1] : nullptr);
    }
    const Type* head = scope.find(e.name) ? nullptr : reg_.lookup(e.name);
    if (!head) {
      TExpr name_only = e;
      name_only.kind = TExpr::Name;
      name_only.len = e.name.size();
      return eval(name_only, scope);  // reports the unknown name
    }
    return reg_.instantiate(head, ps);
  }

  static constexpr int kMaxDepth = 200;
  TypeRegistry& reg_;
  std::string_view text_;
  std::vector<Token> toks_;
  size_t i_ = 0;
  int depth_ = 0;

 private:
  void tokenize() {
    size_t p = 0;
    while (p < text_.size()) {
      char c = text_[p];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++p;
        continue;
      }
      size_t start = p;
      if (text_.substr(p, 4) == "var\"") {
        // var"#s1": a variable the printer shows so (the `{<:Real}` shorthand's), read back
        // when generated code names a type by its text.
        size_t close = text_.find('"', p + 4);
        if (close == std::string_view::npos) {
          toks_.push_back({Token::End, "", text_.size()});
          fail(start, 4, "unterminated var\"...\" name");
        }
        toks_.push_back({Token::Name, std::string(text_.substr(p + 4, close - p - 4)), start});
        p = close + 1;
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        while (p < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[p])) || text_[p] == '_' || text_[p] == '!')) ++p;
        toks_.push_back({Token::Name, std::string(text_.substr(start, p - start)), start});
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '-' && p + 1 < text_.size() && std::isdigit(static_cast<unsigned char>(text_[p + 1])))) {
        ++p;
        while (p < text_.size() && std::isdigit(static_cast<unsigned char>(text_[p]))) ++p;
        toks_.push_back({Token::Int, std::string(text_.substr(start, p - start)), start});
      } else {
        static const char* puncts[] = {"...", "::", "<:", ">:", "{", "}", "(", ")", ",", ";", ":", "@"};
        bool matched = false;
        for (const char* q : puncts) {
          std::string_view pv(q);
          if (text_.substr(p, pv.size()) == pv) {
            toks_.push_back({Token::Punct, std::string(pv), p});
            p += pv.size();
            matched = true;
            break;
          }
        }
        if (!matched) {
          toks_.push_back({Token::End, "", text_.size()});
          fail(start, 1, std::string("unexpected character '") + c + "' in type expression");
        }
      }
    }
    toks_.push_back({Token::End, "", text_.size()});
  }
};

}  // namespace

const Type* WildcardParams::add(std::string_view op, const Type* bound) {
  std::string name = "#s" + std::to_string(vars_.size() + 1);
  const TypeVar* v = op == ">:" ? reg_.new_typevar(name, bound, nullptr) : reg_.new_typevar(name, nullptr, bound);
  vars_.push_back(v);
  return v;
}

const Type* WildcardParams::close(const Type* applied) const {
  return vars_.empty() ? applied : reg_.unionall(vars_, applied);
}

const Type* parse_type(TypeRegistry& reg, std::string_view text, TypeScope scope) {
  TypeParser p(reg, text);
  TExpr e = p.type();
  p.expect_end();
  TypeParser::Scope s;
  for (TypeVar* v : scope) s.vars.emplace_back(v->name, v);
  return p.eval(e, s);
}

ParsedSignature parse_signature(TypeRegistry& reg, std::string_view text) {
  TypeParser p(reg, text);
  p.expect("(", "to open the argument list");
  struct Arg {
    std::string name;
    std::optional<TExpr> type;
    bool splat = false;
  };
  std::vector<Arg> args;
  while (!p.at(")")) {
    Arg a;
    if (p.peek().kind == Token::Name && !p.at("::")) a.name = p.next().text;
    if (p.at("::")) {
      p.next();
      a.type = p.primary();
    } else if (a.name.empty()) {
      p.fail(p.peek().pos, std::max<size_t>(1, p.peek().text.size()), "expected an argument name or '::', found " + p.found());
    }
    if (p.at("...")) {
      p.next();
      a.splat = true;
    }
    args.push_back(std::move(a));
    if (!p.at(",")) break;
    p.next();
  }
  p.expect(")", "to close the argument list");
  // Wrap the argument types in the where-clause so its variables are in scope.
  TExpr tuple;
  tuple.kind = TExpr::Apply;
  tuple.name = "Tuple";
  ParsedSignature out;
  for (size_t i = 0; i < args.size(); ++i) {
    Arg& a = args[i];
    TExpr t;
    if (a.type) t = *a.type;
    else t.name = "Any";
    if (a.splat) {
      if (i + 1 != args.size()) p.fail(t.pos, t.len, "only the last argument may be a Vararg (`xs...`)");
      TExpr va;
      va.kind = TExpr::Apply;
      va.name = "Vararg";
      va.pos = t.pos;
      va.len = t.len;
      va.args.push_back(std::move(t));
      t = std::move(va);
    }
    tuple.args.push_back(std::move(t));
    out.arg_names.push_back(a.name);
  }
  TExpr whole = std::move(tuple);
  while (p.at_name("where")) {
    p.next();
    TExpr w;
    w.kind = TExpr::Where;
    w.args.push_back(std::move(whole));
    if (p.at("{")) {
      p.next();
      w.vars.push_back(p.var_decl());
      while (p.at(",")) {
        p.next();
        w.vars.push_back(p.var_decl());
      }
      p.expect("}", "to close the where-list");
    } else {
      w.vars.push_back(p.var_decl());
    }
    whole = std::move(w);
  }
  p.expect_end();
  TypeParser::Scope s;
  out.sig = p.eval(whole, s);
  return out;
}

TypeHeader parse_type_header(TypeRegistry& reg, std::string_view text) {
  TypeParser p(reg, text);
  TypeHeader h;
  if (p.peek().kind != Token::Name)
    p.fail(p.peek().pos, std::max<size_t>(1, p.peek().text.size()), "expected a type name, found " + p.found());
  h.name = p.next().text;
  TypeParser::Scope s;
  if (p.at("{")) {
    p.next();
    do {
      if (p.at(",")) p.next();
      TExpr::Var v = p.var_decl();
      const Type* lb = v.lb.empty() ? nullptr : p.eval(v.lb[0], s);
      const Type* ub = v.ub.empty() ? nullptr : p.eval(v.ub[0], s);
      TypeVar* tv = reg.new_typevar(v.name, lb, ub);
      h.params.push_back(tv);
      s.vars.emplace_back(v.name, tv);
    } while (p.at(","));
    p.expect("}", ("to close the parameters of " + h.name).c_str());
  }
  if (p.at("<:")) {
    p.next();
    TExpr super = p.type();
    h.super = p.eval(super, s);
  }
  p.expect_end();
  return h;
}

}  // namespace tsr
