// The printing, logging and timing macros: @show, @info/@warn/@error/@debug, @elapsed,
// @sprintf and @printf.
#include <fmt/format.h>

#include <algorithm>

#include "dsl/lower_body.hpp"
#include "dsl/lower_support.hpp"
#include "jit/printf_format.hpp"
#include "runtime/value_printer.hpp"

namespace tsr {

namespace {

bool is_operator_node(const SNode& n) {
  switch (n.kind) {
    case NodeKind::BinaryOp: case NodeKind::UnaryOp: case NodeKind::Comparison: case NodeKind::And:
    case NodeKind::Or: case NodeKind::Ternary: case NodeKind::Range: case NodeKind::Lambda:
      return true;
    default:
      return false;
  }
}

// An expression as Julia's @show spells it (show_unquoted): operators between spaces (but
// not `:`), calls and indexing as written, literals as their values show. Parentheses stay
// where the source had them around an operator; other forms print as written.
std::string unparse(const SNode& n, const syntax::SourceFile& file, TypeRegistry& t) {
  auto sub = [&](const SNode& k) {
    std::string s = unparse(k, file, t);
    return k.is_parenthesized && is_operator_node(k) ? "(" + s + ")" : s;
  };
  auto list = [&](size_t from, const SNode& parent) {
    std::string out;
    bool keywords = false;
    for (size_t i = from; i < parent.size(); ++i) {
      const SNode& a = parent.child(i);
      if (a.is_keyword_section && !keywords) {
        out += "; ";
        keywords = true;
      } else if (i > from) {
        out += ", ";
      }
      out += unparse(a, file, t);
    }
    return out;
  };
  switch (n.kind) {
    case NodeKind::Identifier: return n.text;
    case NodeKind::Int: return std::to_string(n.int_value);
    case NodeKind::Float64: return show_value(Value::from_f64(t.Float64, n.float_value));
    case NodeKind::Float32: return show_value(Value::from_f32(t.Float32, static_cast<float>(n.float_value)));
    case NodeKind::String: return show_value(Value::from_object(t.String, new StringObject(n.text)));
    case NodeKind::Bool: return n.bool_value ? "true" : "false";
    case NodeKind::Nothing: return "nothing";
    case NodeKind::Symbol: return ":" + n.text;
    case NodeKind::BinaryOp: return sub(n.child(0)) + " " + n.text + " " + sub(n.child(1));
    case NodeKind::Range: {
      std::string out;
      for (size_t i = 0; i < n.size(); ++i) out += (i ? ":" : "") + sub(n.child(i));
      return out;
    }
    case NodeKind::UnaryOp: return n.text == "'" ? sub(n.child(0)) + "'" : n.text + sub(n.child(0));
    case NodeKind::Comparison: {
      std::string out;
      for (size_t i = 0; i < n.size(); ++i) out += n.child(i).kind == NodeKind::Operator ? " " + n.child(i).text + " " : sub(n.child(i));
      return out;
    }
    case NodeKind::And: return sub(n.child(0)) + " && " + sub(n.child(1));
    case NodeKind::Or: return sub(n.child(0)) + " || " + sub(n.child(1));
    case NodeKind::Ternary: return sub(n.child(0)) + " ? " + sub(n.child(1)) + " : " + sub(n.child(2));
    case NodeKind::Call: return sub(n.child(0)) + "(" + list(1, n) + ")";
    case NodeKind::DotCall: return sub(n.child(0)) + ".(" + list(1, n) + ")";
    case NodeKind::Kwarg: return n.text + " = " + unparse(n.child(0), file, t);
    case NodeKind::Splat: return sub(n.child(0)) + "...";
    case NodeKind::FieldAccess: return sub(n.child(0)) + "." + n.child(1).text;
    case NodeKind::Index: return sub(n.child(0)) + "[" + list(1, n) + "]";
    case NodeKind::Curly: return sub(n.child(0)) + "{" + list(1, n) + "}";
    case NodeKind::Tuple: return "(" + list(0, n) + (n.size() == 1 ? ",)" : ")");
    case NodeKind::Vector: return "[" + list(0, n) + "]";
    default: return std::string(file.slice(n.span));
  }
}

// Where the format is among a @printf's or @sprintf's arguments: first, or after an IO.
size_t format_position(const SNode& n) {
  return n.text == "@printf" && n.size() >= 2 && n.child(0).kind != NodeKind::String && n.child(1).kind == NodeKind::String;
}

}  // namespace

std::optional<Unsupported> printf_problem(const SNode& n) {
  const std::string& name = n.text;
  size_t f = format_position(n);
  if (n.size() <= f || n.child(f).kind != NodeKind::String)
    return Unsupported{n.size() > f ? &n.child(f) : &n, name + " needs a literal format string first: " + name + "(\"%d\\n\", x)"};
  const SNode& format = n.child(f);
  std::string error;
  size_t bad_begin = 0, bad_end = 0;
  auto specs = jit::parse_format(format.text, &error, &bad_begin, &bad_end);
  if (!specs) {
    Unsupported u{&format, name + ": " + error};
    // The caret under the bad conversion when nothing before it in the literal needed an
    // escape (its text then sits at a fixed offset after the opening quote), else under the
    // whole literal.
    std::string before = format.text.substr(0, bad_begin);
    bool plain = std::none_of(before.begin(), before.end(), [](char c) {
      return c == '"' || c == '\\' || c == '$' || static_cast<unsigned char>(c) < 0x20;
    });
    if (plain)
      u.span = {static_cast<uint32_t>(format.span.begin + 1 + bad_begin), static_cast<uint32_t>(format.span.begin + 1 + bad_end)};
    return u;
  }
  size_t want = jit::format_arguments(*specs), given = n.size() - f - 1;
  if (want != given)
    return Unsupported{&n, fmt::format("{}: the format takes {} argument{} but {} {} given", name, want, want == 1 ? "" : "s",
                                       given, given == 1 ? "is" : "are")};
  return std::nullopt;
}

Node* BodyLowerer::lower_io_macro(const SNode& n) {
  TypeRegistry& t = l_.compiler_.types();
  const std::string& name = n.text;
  auto text = [&](const std::string& s) { return literal(n, Value::from_object(t.String, new StringObject(s))); };
  if (name == "@show") {
    // println("x + 1 = ", repr(v)) for each expression; the value of the last one.
    Node* b = mk(Op::Block, n);
    Node* last = nothing(n);
    for (const auto& arg : n.children) {
      int v = add_slot("#show" + std::to_string(b_.slots.size()));
      b->kids.push_back(slot_set(*arg, v, expr(*arg)));
      b->kids.push_back(call(*arg, "println", {text(unparse(*arg, l_.file_, t) + " = "), call(*arg, "repr", {slot_get(*arg, v)})}));
      last = slot_get(*arg, v);
    }
    b->kids.push_back(last);
    return b;
  }
  if (is_logging_macro(name)) {
    // __log_message(level, message, file, line, key1, value1, ...): `key = value`, a name
    // (its value under its name) or an expression (under its text), as Julia's macros.
    const std::string level = name == "@info" ? "Info" : name == "@warn" ? "Warning" : name == "@error" ? "Error" : "Debug";
    std::vector<Node*> args{text(level), expr(n.child(0)), text(l_.file_.path()),
                            literal(n, Value::from_int(t.Int64, int64_t(l_.file_.location(n.span.begin).line)))};
    for (size_t i = 1; i < n.size(); ++i) {
      const SNode& k = n.child(i);
      bool named = k.kind == NodeKind::Assign && k.child(0).kind == NodeKind::Identifier;
      args.push_back(text(named ? k.child(0).text : unparse(k, l_.file_, t)));
      args.push_back(expr(named ? k.child(1) : k));
    }
    return call(n, "__log_message", args);
  }
  if (name == "@elapsed") {
    // The seconds the expression took, as a Float64 (its value is dropped).
    Node* b = mk(Op::Block, n);
    int t0 = add_slot("#t0" + std::to_string(b_.slots.size()));
    b->kids = {slot_set(n, t0, call(n, "__elapsed_start", {})), expr(n.child(0)),
               call(n, "__elapsed_seconds", {slot_get(n, t0)})};
    return b;
  }
  if (name == "@sprintf" || name == "@printf") {
    // @printf([io,] "format", args...); printf_problem() has checked the format.
    size_t f = format_position(n);
    const SNode& format = n.child(f);
    std::vector<Node*> args{text(format.text)};
    for (size_t i = f + 1; i < n.size(); ++i) args.push_back(expr(n.child(i)));
    Node* formatted = call(n, "__sprintf", args);
    if (name == "@sprintf") return formatted;
    return f ? call(n, "print", {expr(n.child(0)), formatted}) : call(n, "print", {formatted});
  }
  return nullptr;
}

}  // namespace tsr
