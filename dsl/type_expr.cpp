#include "dsl/type_expr.hpp"

#include <cctype>
#include <optional>

#include "dsl/type_syntax.hpp"
#include "runtime/errors.hpp"
#include "runtime/suggest.hpp"

namespace tsr {

namespace {

struct Token {
  enum Kind { Name, Int, Punct, End } kind;
  std::string text;
  size_t pos;
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
  TypeSyntax type() {
    TypeSyntax t = primary();
    while (at_name("where")) {
      next();
      TypeSyntax w;
      w.kind = TypeSyntax::Where;
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
  TypeSyntax::Var var_decl() {
    TypeSyntax::Var v;
    v.pos = peek().pos;
    TypeSyntax first = primary();
    if (at("<:")) {
      next();
      TypeSyntax second = primary();
      if (at("<:")) {  // lb <: T <: ub
        next();
        if (second.kind != TypeSyntax::Name) fail(second.pos, second.len, "expected a type variable name");
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
    if (first.kind != TypeSyntax::Name) fail(first.pos, first.len, "expected a type variable name");
    v.name = first.name;
    return v;
  }

  // primary := INT | NAME ('{' type, ... '}')? | '(' type ')'
  TypeSyntax primary() {
    // Deep nesting is a user error, not a stack overflow.
    struct Depth {
      int& d;
      explicit Depth(int& x) : d(++x) {}
      ~Depth() { --d; }
    } depth(depth_);
    if (depth_ > kMaxDepth)
      fail(peek().pos, 1, "type expression nested more than " + std::to_string(kMaxDepth) + " levels deep");
    TypeSyntax t;
    t.pos = peek().pos;
    if (peek().kind == Token::Int) {
      t.kind = TypeSyntax::Int;
      t.value = std::stoll(peek().text);
      t.len = peek().text.size();
      next();
      return t;
    }
    if (at("(")) {
      next();
      TypeSyntax inner = type();
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
      t.kind = TypeSyntax::Apply;
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
      // NamedTuple{} is the empty named tuple's type, as NamedTuple{()} is.
      t.named_tuple_names = t.name == "NamedTuple" && t.args.empty();
    }
    return t;
  }

  // A parameter inside { }: a type, or the shorthand `<:T` / `>:T`.
  TypeSyntax parameter() {
    if (!at("<:") && !at(">:")) return type();
    TypeSyntax w;
    w.kind = TypeSyntax::Wildcard;
    w.pos = peek().pos;
    w.name = next().text;
    w.args.push_back(type());
    w.len = w.args[0].pos + w.args[0].len - w.pos;
    return w;
  }

  // @NamedTuple{a::A, b::B}
  TypeSyntax named_tuple_macro() {
    TypeSyntax t;
    t.pos = peek().pos;
    next();
    if (!at_name("NamedTuple")) fail(peek().pos, std::max<size_t>(1, peek().text.size()), "expected NamedTuple after '@'");
    next();
    t.kind = TypeSyntax::Apply;
    t.name = "@NamedTuple";
    expect("{", "after @NamedTuple");
    while (!at("}")) {
      if (peek().kind != Token::Name) fail(peek().pos, std::max<size_t>(1, peek().text.size()), "expected a field name, found " + found());
      t.names.push_back(next().text);
      if (at("::")) {
        next();
        t.args.push_back(type());
      } else {
        TypeSyntax any;
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
  TypeSyntax named_tuple_names(TypeSyntax t) {
    t.kind = TypeSyntax::Apply;
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
    t.named_tuple_names = true;
    return t;
  }

  // Evaluates e (the one evaluator, type_syntax.cpp) with errors that quote the text.
  const Type* eval(const TypeSyntax& e, TypeVarScope& scope);
  TypeVar* declare(const TypeSyntax::Var& v, TypeVarScope& scope);

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
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80) {
        // Bytes of UTF-8 sequences belong to names (`σ`, `μ`), as in the language's identifiers.
        auto in_name = [](unsigned char b) { return std::isalnum(b) || b == '_' || b == '!' || b >= 0x80; };
        while (p < text_.size() && in_name(static_cast<unsigned char>(text_[p]))) ++p;
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

// The text front end: names are the registry's, errors quote the text with a caret.
class TextFront : public TypeFront {
 public:
  TextFront(TypeRegistry& reg, const TypeParser& parser) : reg_(reg), parser_(parser) {}
  const Type* lookup(const std::string& name) override { return reg_.lookup(name); }
  const Type* eval_other(const TypeSyntax& e, TypeVarScope&) override {
    parser_.fail(e.pos, e.len, "expected a type");  // the text parser makes no Other node
  }
  [[noreturn]] void unknown_name(const TypeSyntax& e) override {
    std::string hint = closest_name(e.name, reg_.names());
    parser_.fail(e.pos, e.len, "unknown type `" + e.name + "`" + (hint.empty() ? "" : "; did you mean `" + hint + "`?"));
  }
  [[noreturn]] void vararg_arity(const TypeSyntax& e) override {
    parser_.fail(e.pos, e.len, "Vararg takes one or two parameters: Vararg{T} or Vararg{T, N}");
  }
  [[noreturn]] void type_error(const TypeSyntax& e, const TypeError& err) override { parser_.fail(e.pos, e.len, err.message()); }
  [[noreturn]] void fail(const TypeSyntax& e, const std::string& message) override { parser_.fail(e.pos, e.len, message); }

 private:
  TypeRegistry& reg_;
  const TypeParser& parser_;
};

const Type* TypeParser::eval(const TypeSyntax& e, TypeVarScope& scope) {
  TextFront front(reg_, *this);
  return eval_type_syntax(reg_, front, e, scope);
}

TypeVar* TypeParser::declare(const TypeSyntax::Var& v, TypeVarScope& scope) {
  TextFront front(reg_, *this);
  return declare_type_var(reg_, front, v, scope);
}

}  // namespace

const Type* parse_type(TypeRegistry& reg, std::string_view text, TypeScope scope) {
  TypeParser p(reg, text);
  TypeSyntax e = p.type();
  p.expect_end();
  TypeVarScope s;
  for (TypeVar* v : scope) s.emplace_back(v->name, v);
  return p.eval(e, s);
}

ParsedSignature parse_signature(TypeRegistry& reg, std::string_view text) {
  TypeParser p(reg, text);
  p.expect("(", "to open the argument list");
  struct Arg {
    std::string name;
    std::optional<TypeSyntax> type;
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
  TypeSyntax tuple;
  tuple.kind = TypeSyntax::Apply;
  tuple.name = "Tuple";
  ParsedSignature out;
  for (size_t i = 0; i < args.size(); ++i) {
    Arg& a = args[i];
    TypeSyntax t;
    if (a.type) t = *a.type;
    else t.name = "Any";
    if (a.splat) {
      if (i + 1 != args.size()) p.fail(t.pos, t.len, "only the last argument may be a Vararg (`xs...`)");
      TypeSyntax va;
      va.kind = TypeSyntax::Apply;
      va.name = "Vararg";
      va.pos = t.pos;
      va.len = t.len;
      va.args.push_back(std::move(t));
      t = std::move(va);
    }
    tuple.args.push_back(std::move(t));
    out.arg_names.push_back(a.name);
  }
  TypeSyntax whole = std::move(tuple);
  while (p.at_name("where")) {
    p.next();
    TypeSyntax w;
    w.kind = TypeSyntax::Where;
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
  TypeVarScope s;
  out.sig = p.eval(whole, s);
  return out;
}

TypeHeader parse_type_header(TypeRegistry& reg, std::string_view text) {
  TypeParser p(reg, text);
  TypeHeader h;
  if (p.peek().kind != Token::Name)
    p.fail(p.peek().pos, std::max<size_t>(1, p.peek().text.size()), "expected a type name, found " + p.found());
  h.name = p.next().text;
  TypeVarScope s;
  if (p.at("{")) {
    p.next();
    do {
      if (p.at(",")) p.next();
      h.params.push_back(p.declare(p.var_decl(), s));
    } while (p.at(","));
    p.expect("}", ("to close the parameters of " + h.name).c_str());
  }
  if (p.at("<:")) {
    p.next();
    TypeSyntax super = p.type();
    h.super = p.eval(super, s);
  }
  p.expect_end();
  return h;
}

}  // namespace tsr
