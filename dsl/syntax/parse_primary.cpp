// Primary expressions: literals, names, parenthesized forms and tuples, vectors and
// comprehensions, argument lists, strings with interpolation, and macro calls.
#include <fmt/format.h>

#include "parser_impl.hpp"

namespace tsr::syntax::detail {

namespace {

// Operators that may stand alone as a value: `reduce(+, xs)`, `map(*, a, b)`.
bool is_operator_value(const Token& token) {
  if (token.kind != TokenKind::Operator) return false;
  std::string_view op = undotted_operator(token.text);
  for (std::string_view candidate :
       {"+",  "-",  "*", "/", "\\", "^", "%",  "÷",  "==", "!=", "===", "!==", "<", ">",
        "<=", ">=", "&", "|", "!",  "~", "<:", ">:", "|>", "<<", ">>",  "⊻",   "√", "//",
        ">>>", "∉", "≈", "≉", "∘", "++"}) {
    if (op == candidate) return true;
  }
  return false;
}

bool closes_list(const Token& token) {
  return token.is_op(",") || token.is_op(")") || token.is_op("]") || token.is_op("}") ||
         token.is_op(";");
}

}  // namespace

bool is_operator_call(const Token& token, const Token& next) {
  return is_operator_value(token) && token.text[0] != '.' && next.is_op("(") && !next.space_before;
}

NodePtr Parser::parse_primary() {
  const Token& token = peek();
  switch (token.kind) {
    case TokenKind::Integer:
    case TokenKind::Float64:
    case TokenKind::Float32:
    case TokenKind::Char: return parse_literal();
    case TokenKind::String: return parse_string(take());
    case TokenKind::Identifier: {
      const Token& name = take();
      return make_node(NodeKind::Identifier, name.span, name.text);
    }
    case TokenKind::Macro: return parse_macro_call();
    case TokenKind::Keyword: {
      if (token.text == "true" || token.text == "false") {
        const Token& literal = take();
        NodePtr node = make_node(NodeKind::Bool, literal.span, literal.text);
        node->bool_value = literal.text == "true";
        return node;
      }
      if (token.text == "nothing") return make_node(NodeKind::Nothing, take().span);
      // `in` as a function: in(x, xs), in.(xs, Ref(s)), filter(in(s), xs), map(in, ...): the
      // keyword of `for x in xs` only where it could not be a value.
      if (token.text == "in") {
        const Token& next = peek_raw(1);
        bool ends = closes_list(next) || next.kind == TokenKind::Newline || next.kind == TokenKind::EndOfFile;
        if (((next.is_op("(") || next.is_op(".")) && !next.space_before) || ends) {
          const Token& name = take();
          return make_node(NodeKind::Identifier, name.span, "in");
        }
      }
      if (token.text == "end" && context_.end_is_index) {
        return make_node(NodeKind::IndexEnd, take().span);
      }
      if (NodePtr construct = parse_keyword_expression()) return construct;
      break;
    }
    case TokenKind::Operator: {
      if (token.text == "(") return parse_parenthesized();
      if (token.text == "[") return parse_vector();
      const Token& next = peek_raw(1);
      if (token.text == ":") {
        if (next.kind == TokenKind::Identifier && !next.space_before) {
          Span span = take().span;
          const Token& name = take();
          return make_node(NodeKind::Symbol, Span::covering(span, name.span), name.text);
        }
        if (closes_list(next)) return make_node(NodeKind::Colon, take().span);
      }
      if ((is_operator_value(token) && closes_list(next)) || is_operator_call(token, next)) {
        const Token& op = take();
        return make_node(NodeKind::Identifier, op.span, op.text);
      }
      break;
    }
    default: break;
  }

  // Nothing here starts an expression. Say what came before when it explains the need.
  std::string expected = "an expression";
  if (taken_any_) {
    const Token& previous = tokens_[last_taken_];
    bool explains = (previous.kind == TokenKind::Operator || previous.kind == TokenKind::Keyword) &&
                    !previous.is_op(";") && !previous.is_op(")") && !previous.is_op("]") &&
                    !previous.is_op("}") && !previous.is_keyword("end");
    if (explains) {
      expected += fmt::format(" after '{}'", file_.slice(previous.span));
    }
  }
  error_expected(expected);
  return error_node();
}

NodePtr Parser::parse_literal() {
  const Token& token = take();
  NodeKind kind = token.kind == TokenKind::Integer   ? NodeKind::Int
                  : token.kind == TokenKind::Float64 ? NodeKind::Float64
                  : token.kind == TokenKind::Float32 ? NodeKind::Float32
                                                     : NodeKind::Char;
  // Numbers keep their spelling (`1_000`, `0xff`) for printing; characters their value.
  std::string text = kind == NodeKind::Char ? token.text : std::string(file_.slice(token.span));
  NodePtr node = make_node(kind, token.span, std::move(text));
  node->int_value = token.int_value;
  node->float_value = token.float_value;
  return node;
}

NodePtr Parser::parse_parenthesized() {
  Span open = take().span;
  ContextScope scope(*this, bracket_context(false), true);
  if (at_op(")")) {
    NodePtr empty = make_node(NodeKind::Tuple, {open.begin, take().span.end});
    empty->is_parenthesized = true;
    return empty;
  }
  if (at_op(";")) {
    // (; a, b = 2, p.c): a named tuple; a bare name or field access names itself.
    take();
    NodePtr named = make_node(NodeKind::Tuple, open, ";");
    while (!panicking_ && !at_op(")")) {
      NodePtr element = parse_list_element(true);
      element->is_keyword_section = true;
      named->add(std::move(element));
      if (!accept_op(",")) break;
    }
    uint32_t end = expect_closer(")", "(", open);
    named->is_parenthesized = true;
    if (!panicking_) named->span = {open.begin, end};
    return named;
  }

  NodePtr first = parse_list_element(true);
  NodePtr result;
  if (!panicking_ && at_keyword("for")) {
    result = parse_generator(NodeKind::Generator, std::move(first));
  } else if (!panicking_ && at_op(",")) {
    result = make_node(NodeKind::Tuple, first->span);
    result->add(std::move(first));
    while (!panicking_ && accept_op(",")) {
      if (at_op(")")) break;  // (a,) is a one-element tuple
      result->add(parse_list_element(true));
    }
  } else if (!panicking_ && at_op(";")) {
    // (a; b) evaluates both and gives b.
    result = make_node(NodeKind::Block, first->span);
    result->add(std::move(first));
    while (!panicking_ && accept_op(";")) {
      if (at_op(")")) break;
      result->add(parse_expr());
    }
  } else {
    result = std::move(first);
  }
  uint32_t end = expect_closer(")", "(", open);
  result->is_parenthesized = true;
  if (!panicking_) result->span = {open.begin, end};
  return result;
}

NodePtr Parser::parse_vector() {
  Span open = take().span;
  return parse_brackets(nullptr, open);
}

// `[ ... ]` after `open`, or `head[ ... ]` (indexing, typed comprehensions and typed
// concatenation): commas make a vector (or index a[i, j]); spaces, `;` and line breaks make
// Julia's concatenation forms (Hcat, Vcat with Rows: ast.hpp), as Julia's parser decides from
// what follows the first element.
NodePtr Parser::parse_brackets(NodePtr head, Span open) {
  bool index = head != nullptr;
  uint32_t begin = index ? head->span.begin : open.begin;
  ContextScope scope(*this, bracket_context(index), true);
  NodePtr list = index ? make_node(NodeKind::Index, head->span) : make_node(NodeKind::Vector, open);
  if (index) list->add(std::move(head));
  auto close = [&](NodePtr node) {
    uint32_t end = expect_closer("]", "[", open);
    if (!panicking_) node->span = {begin, end};
    return node;
  };
  if (at_op("]")) return close(std::move(list));
  NodePtr first;
  bool concatenation = false;
  std::vector<std::vector<NodePtr>> rows;
  bool semicolon = false;
  {
    ContextScope row(*this, row_context(index));
    first = parse_list_element(true);
    if (!panicking_) {
      // A line break followed by `]`, `,` or `for` is only white space.
      std::size_t next = pos_;
      while (tokens_[next].kind == TokenKind::Newline) ++next;
      const Token& after = tokens_[next];
      concatenation = !(after.is_op("]") || after.is_op(",") || after.is_keyword("for"));
    }
    if (concatenation) {
      rows.emplace_back();
      rows.back().push_back(std::move(first));
      semicolon = parse_concatenation(rows);
    }
  }
  if (!concatenation) {
    if (first && !panicking_ && at_keyword("for")) {
      NodePtr generator = parse_generator(index ? NodeKind::Generator : NodeKind::Comprehension, std::move(first));
      if (!index) return close(std::move(generator));
      list->add(std::move(generator));
      return close(std::move(list));
    }
    list->add(std::move(first));
    while (!panicking_ && accept_op(",")) {
      if (at_op("]")) break;
      list->add(parse_list_element(true));
    }
    return close(std::move(list));
  }
  // [x] stays a vector (a[i] an index); [x;] is vcat(x), [a b] hcat, [a; b] vcat, [a b; c d] hvcat.
  NodePtr type = index ? std::move(list->children[0]) : make_empty(open.begin);
  if (rows.size() == 1 && rows[0].size() == 1 && !semicolon) {
    list->children.resize(index ? 1 : 0);
    if (index) list->children[0] = std::move(type);
    list->add(std::move(rows[0][0]));
    return close(std::move(list));
  }
  bool blocks = false;
  for (const auto& r : rows) blocks = blocks || r.size() > 1;
  NodeKind kind = rows.size() == 1 && rows[0].size() > 1 ? NodeKind::Hcat : NodeKind::Vcat;
  NodePtr cat = make_node(kind, index ? type->span : open);
  cat->children.push_back(std::move(type));
  for (auto& r : rows) {
    if (kind == NodeKind::Hcat || !blocks) {
      for (auto& e : r) cat->add(std::move(e));
      continue;
    }
    NodePtr row = make_node(NodeKind::Row, r[0]->span);
    for (auto& e : r) row->add(std::move(e));
    cat->add(std::move(row));
  }
  return close(std::move(cat));
}

// The rest of a concatenation after its first element (in `rows`): elements separated by
// spaces, rows by `;` or line breaks. True when a `;` was written.
bool Parser::parse_concatenation(std::vector<std::vector<NodePtr>>& rows) {
  bool semicolon = false;
  while (!panicking_) {
    const Token& token = peek();
    if (token.is_op("]") || token.kind == TokenKind::EndOfFile) break;
    if (token.kind == TokenKind::Newline || token.is_op(";")) {
      while (peek().kind == TokenKind::Newline || at_op(";")) {
        const Token& separator = take();
        if (separator.is_op(";") && at_op(";") && !peek().space_before) {
          error_at({separator.span.begin, peek().span.end},
                   "`;;` (concatenation along a third dimension or beyond) is not supported yet");
          return semicolon;
        }
        semicolon = semicolon || separator.is_op(";");
      }
      if (at_op("]") || peek().kind == TokenKind::EndOfFile) break;
      rows.emplace_back();
    } else if (token.is_op(",")) {
      error_at(token.span, "unexpected ',' in a matrix expression: separate elements by spaces and rows by ';' or "
                           "line breaks (or elements by commas alone, for a vector)");
      return semicolon;
    } else if (token.is_keyword("for")) {
      error_at(token.span, "unexpected 'for' in a matrix expression");
      return semicolon;
    }
    std::size_t before = pos_;
    rows.back().push_back(parse_list_element(true));
    if (pos_ == before && !panicking_) {
      error_expected("an element, ';' or ']' in the matrix expression");
      return semicolon;
    }
  }
  return semicolon;
}

NodePtr Parser::parse_generator(NodeKind kind, NodePtr body) {
  NodePtr generator = make_node(kind, body->span);
  generator->add(std::move(body));
  while (!panicking_ && at_keyword("for")) {
    take();
    // `for i in a, j in b` iterates the product (a matrix); `for i in a for j in b` nests
    // (a vector): the iteration that opens a `for` says so.
    bool opens = true;
    do {
      generator->add(parse_iteration());
      if (opens) generator->children.back()->text = "for";
      opens = false;
    } while (!panicking_ && accept_op(","));
  }
  if (!panicking_ && at_keyword("if")) {
    Span keyword = take().span;
    NodePtr filter = make_node(NodeKind::Filter, keyword);
    filter->add(parse_expr());
    generator->add(std::move(filter));
  }
  return generator;
}

NodePtr Parser::parse_call(NodePtr callee, NodeKind kind, std::string_view closer) {
  std::string opener = kind == NodeKind::Index ? "[" : kind == NodeKind::Curly ? "{" : "(";
  NodePtr call = make_node(kind, callee->span);
  call->add(std::move(callee));
  Span open = take().span;
  ContextScope scope(*this, bracket_context(kind == NodeKind::Index), true);
  parse_arguments(*call, closer, kind == NodeKind::Call || kind == NodeKind::DotCall);
  call->span.end = expect_closer(closer, opener, open);
  return call;
}

void Parser::parse_arguments(Node& call, std::string_view closer, bool keywords) {
  bool keyword_section = false;
  while (!panicking_ && !at_op(closer)) {
    if (keywords && at_op(";")) {
      take();
      keyword_section = true;
      continue;
    }
    NodePtr argument = parse_list_element(true);
    if (panicking_) {
      call.add(std::move(argument));
      break;
    }
    if (at_keyword("for") && call.size() == 1 && !keyword_section) {
      argument = parse_generator(NodeKind::Generator, std::move(argument));
    }
    if (keywords && argument->kind == NodeKind::Assign && !argument->is_parenthesized &&
        argument->child(0).kind == NodeKind::Identifier) {
      // f(x, lr = 0.1): a keyword argument.
      NodePtr kwarg = make_node(NodeKind::Kwarg, argument->span, argument->child(0).text);
      kwarg->add(std::move(argument->children[1]));
      argument = std::move(kwarg);
    }
    argument->is_keyword_section = keyword_section;
    call.add(std::move(argument));
    if (accept_op(",")) continue;
    if (!(keywords && at_op(";"))) break;
  }
}

NodePtr Parser::parse_string(const Token& token) {
  bool interpolated = false;
  for (const StringPart& part : token.parts) {
    if (part.kind != StringPart::Kind::Text) interpolated = true;
  }
  if (!interpolated) return make_node(NodeKind::String, token.span, token.text);

  NodePtr string = make_node(NodeKind::InterpolatedString, token.span);
  for (const StringPart& part : token.parts) {
    switch (part.kind) {
      case StringPart::Kind::Text:
        string->add(make_node(NodeKind::String, part.span, part.text));
        break;
      case StringPart::Kind::Name:
        string->add(make_node(NodeKind::Identifier, part.span, part.text));
        break;
      case StringPart::Kind::Expression: {
        Parser inner(file_, *part.tokens, sink_, options_, depth_ + 1);
        string->add(inner.parse_interpolation(part.span));
        break;
      }
    }
  }
  string->span = token.span;
  return string;
}

bool Parser::can_start_macro_argument() {
  const Token& token = peek();
  switch (token.kind) {
    case TokenKind::EndOfFile:
    case TokenKind::Newline:
    case TokenKind::Invalid: return false;
    case TokenKind::Keyword:
      return !is_closing_keyword(token) && !token.is_keyword("in") && !token.is_keyword("where") &&
             !token.is_keyword("do");
    case TokenKind::Operator:
      for (std::string_view op : {"(", "[", ":", "-", "+", "!", "~", "::", ".-", ".!", "√", "<:"}) {
        if (token.text == op) return true;
      }
      return false;
    default: return true;
  }
}

NodePtr Parser::parse_macro_call() {
  const Token& name = take();
  NodePtr macro = make_node(NodeKind::MacroCall, name.span, name.text);
  const Token& next = peek_raw(0);
  if (next.is_op("(") && !next.space_before) {
    // @index(Global, NTuple): arguments in parentheses, like a call.
    Span open = take().span;
    ContextScope scope(*this, bracket_context(false), true);
    parse_arguments(*macro, ")", false);
    macro->span.end = expect_closer(")", "(", open);
    return macro;
  }
  // @assert cond "msg", @localmem Float32 (16, 16): arguments separated by spaces, up to
  // the end of the line.
  ParseContext context = context_;
  context.skip_newlines = false;
  context.space_sensitive = true;
  ContextScope scope(*this, context);
  while (!panicking_ && can_start_macro_argument()) macro->add(parse_expr_list());
  return macro;
}

}  // namespace tsr::syntax::detail
