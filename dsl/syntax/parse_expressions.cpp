// Expressions by precedence, from assignment down to postfix forms (see parser.hpp for the
// table). Binary levels between `||` and `<<` use precedence climbing in parse_binary.
#include <fmt/format.h>

#include "parser_impl.hpp"

namespace tsr::syntax::detail {

namespace {

bool one_of(std::string_view text, std::initializer_list<std::string_view> options) {
  for (std::string_view option : options) {
    if (text == option) return true;
  }
  return false;
}

bool is_prefix_operator(const Token& token) {
  return token.kind == TokenKind::Operator &&
         one_of(token.text, {"-", "+", "!", "~", "√", ".-", ".+", ".!", ".~", "<:", ">:"});
}

// The name of a binary operator node: `in` and `isa` are words, the rest are symbols.
NodePtr make_binary(const Token& op, NodePtr lhs, NodePtr rhs) {
  NodeKind kind = op.is_op("&&")   ? NodeKind::And
                  : op.is_op("||") ? NodeKind::Or
                                   : NodeKind::BinaryOp;
  NodePtr node = make_node(kind, lhs->span, kind == NodeKind::BinaryOp ? op.text : "");
  node->add(std::move(lhs));
  node->add(std::move(rhs));
  return node;
}

}  // namespace

int Parser::binary_precedence(const Token& token) const {
  if (token.is_keyword("in")) return kComparison;
  if (token.is(TokenKind::Identifier, "isa")) return kComparison;
  if (token.kind != TokenKind::Operator) return kNoPrecedence;
  std::string_view op = undotted_operator(token.text);
  bool dotted = is_dotted_operator(token.text);
  if (op == "||") return kOr;
  if (op == "&&") return kAnd;
  if (one_of(op, {"<", ">", "<=", ">=", "==", "!=", "===", "!==", "∉", "≈", "≉"})) return kComparison;
  if (!dotted && one_of(op, {"<:", ">:"})) return kComparison;
  if (!dotted && one_of(op, {"|>", "<|"})) return kPipe;
  if (!dotted && op == ":") return context_.colon_is_range ? kRange : kNoPrecedence;
  if (one_of(op, {"+", "-", "|", "⊻", "++"})) return kPlus;
  if (one_of(op, {"*", "/", "%", "&", "\\", "÷", "//", "∘"})) return kTimes;
  if (one_of(op, {"<<", ">>", ">>>"})) return kShift;
  return kNoPrecedence;
}

// ---- assignment, tuples, where, pairs, ternaries, lambdas -----------------------------------

NodePtr Parser::parse_expr() {
  Nesting nesting(*this);
  if (!nesting.enter()) return error_node();
  NodePtr lhs = parse_where();
  if (panicking_ || !is_assignment_operator(peek())) return lhs;
  const Token& op = take();
  skip_newlines();
  NodePtr rhs = parse_expr();
  return make_assignment(op, std::move(lhs), std::move(rhs));
}

NodePtr Parser::parse_list_element(bool allow_assignment) {
  NodePtr element = allow_assignment ? parse_expr() : parse_where();
  if (!panicking_ && at_op("...")) {
    NodePtr splat = make_node(NodeKind::Splat, element->span);
    splat->add(std::move(element));
    splat->span.end = take().span.end;
    return splat;
  }
  return element;
}

NodePtr Parser::parse_expr_list() {
  Nesting nesting(*this);
  if (!nesting.enter()) return error_node();
  NodePtr first = parse_list_element(false);
  if (!panicking_ && at_op(",")) {
    NodePtr tuple = make_node(NodeKind::Tuple, first->span);
    tuple->add(std::move(first));
    while (!panicking_ && accept_op(",")) {
      skip_newlines();
      // `a, = t` takes the first element of t.
      const Token& next = peek();
      if (is_assignment_operator(next) || next.kind == TokenKind::EndOfFile || next.is_op(";") ||
          is_closing_keyword(next)) {
        break;
      }
      tuple->add(parse_list_element(false));
    }
    first = std::move(tuple);
  }
  if (panicking_ || !is_assignment_operator(peek())) return first;
  const Token& op = take();
  skip_newlines();
  NodePtr rhs = parse_expr_list();
  return make_assignment(op, std::move(first), std::move(rhs));
}

namespace {

bool is_signature(const Node& node) {
  if (node.kind == NodeKind::Call) return true;
  if (node.kind == NodeKind::Where) return is_signature(node.child(0));
  if (node.kind == NodeKind::TypeAssert) return node.child(0).kind == NodeKind::Call;
  return false;
}

}  // namespace

NodePtr Parser::make_assignment(const Token& op, NodePtr lhs, NodePtr rhs) {
  Span span = Span::covering(lhs->span, rhs->span);
  if (op.text == "=" && is_signature(*lhs)) {
    // Short function definition: `f(x) = body`.
    NodePtr body = make_node(NodeKind::Block, rhs->span);
    body->add(std::move(rhs));
    return make_function(std::move(lhs), std::move(body), span, false);
  }
  check_assignable(*lhs, op.text);
  NodeKind kind = op.text == "="    ? NodeKind::Assign
                  : op.text == ".=" ? NodeKind::DotAssign
                                    : NodeKind::UpdateAssign;
  NodePtr node = make_node(kind, span, kind == NodeKind::UpdateAssign ? op.text : "");
  node->add(std::move(lhs));
  node->add(std::move(rhs));
  return node;
}

void Parser::check_assignable(const Node& lhs, std::string_view op) {
  switch (lhs.kind) {
    case NodeKind::Identifier:
    case NodeKind::Index:
    case NodeKind::FieldAccess:
    case NodeKind::Error: return;
    case NodeKind::TypeAssert:
      if (lhs.child(0).kind == NodeKind::Identifier) return;
      break;
    case NodeKind::Tuple:
      for (const NodePtr& element : lhs.children) {
        const Node& target = element->kind == NodeKind::Splat ? element->child(0) : *element;
        check_assignable(target, op);
      }
      return;
    default: break;
  }
  note_error(lhs.span, fmt::format("expected a name, a field, an index or a tuple on the left of "
                                   "'{}', found {}",
                                   op, describe_node_kind(lhs.kind)));
}

NodePtr Parser::parse_where() {
  NodePtr subject = parse_pair();
  Nesting folds(*this);
  while (!panicking_ && at_keyword("where")) {
    if (!folds.enter()) break;
    subject = parse_where_clause(std::move(subject));
  }
  return subject;
}

NodePtr Parser::parse_pair() {
  NodePtr key = parse_ternary();
  if (panicking_ || !at_op("=>")) return key;
  const Token& op = take();
  skip_newlines();
  Nesting nesting(*this);
  if (!nesting.enter()) return key;
  NodePtr value = parse_pair();
  return make_binary(op, std::move(key), std::move(value));
}

NodePtr Parser::parse_ternary() {
  NodePtr condition = parse_arrow();
  if (panicking_ || !at_op("?")) return condition;
  take();
  skip_newlines();
  Nesting nesting(*this);
  if (!nesting.enter()) return condition;

  NodePtr node = make_node(NodeKind::Ternary, condition->span);
  node->add(std::move(condition));
  {
    // In `c ? a : b` the ':' separates the branches instead of making a range.
    ParseContext context = context_;
    context.colon_is_range = false;
    ContextScope scope(*this, context);
    node->add(parse_ternary());
  }
  if (panicking_ || !at_op(":")) {
    error_expected("':' in the conditional expression 'c ? a : b'");
    node->add(error_node());  // keep the three slots
    return node;
  }
  take();
  skip_newlines();
  node->add(parse_ternary());
  return node;
}

NodePtr Parser::parse_arrow() {
  NodePtr parameters = parse_binary(kOr);
  if (panicking_ || !at_op("->")) return parameters;
  take();
  skip_newlines();
  NodePtr body = parse_expr();
  return make_lambda(std::move(parameters), std::move(body));
}

// ---- binary operators -------------------------------------------------------------------------

NodePtr Parser::parse_binary(int min_precedence) {
  NodePtr lhs = parse_unary();
  Nesting folds(*this, true);  // a long chain (a + b + c ...) deepens the tree: counted as a chain
  while (!panicking_) {
    const Token& op = peek();
    int precedence = binary_precedence(op);
    if (precedence == kNoPrecedence || precedence < min_precedence) break;
    // In a matrix row `[1 -2]` is two elements: a sign after a space and before none.
    if (context_.matrix_row && op.space_before && !peek_raw(1).space_before &&
        (op.is_op("-") || op.is_op("+") || op.is_op(".-") || op.is_op(".+")))
      break;
    if (!folds.enter()) break;
    if (precedence == kComparison) {
      lhs = parse_comparison_chain(std::move(lhs));
    } else if (precedence == kRange) {
      lhs = parse_range(std::move(lhs));
    } else {
      const Token& taken = take();
      skip_newlines();
      NodePtr rhs = parse_binary(precedence + 1);
      lhs = make_binary(taken, std::move(lhs), std::move(rhs));
    }
  }
  return lhs;
}

NodePtr Parser::parse_comparison_chain(NodePtr first) {
  std::vector<NodePtr> operands;
  std::vector<const Token*> operators;
  operands.push_back(std::move(first));
  while (!panicking_ && binary_precedence(peek()) == kComparison) {
    operators.push_back(&take());
    skip_newlines();
    operands.push_back(parse_binary(kComparison + 1));
  }
  if (operators.size() == 1) {
    return make_binary(*operators[0], std::move(operands[0]), std::move(operands[1]));
  }
  // a < b <= c: one node, so that b is evaluated once.
  NodePtr chain = make_node(NodeKind::Comparison, operands[0]->span);
  for (std::size_t i = 0; i < operands.size(); ++i) {
    if (i > 0)
      chain->add(make_node(NodeKind::Operator, operators[i - 1]->span, operators[i - 1]->text));
    chain->add(std::move(operands[i]));
  }
  return chain;
}

NodePtr Parser::parse_range(NodePtr start) {
  take();  // ':'
  skip_newlines();
  NodePtr range = make_node(NodeKind::Range, start->span);
  range->add(std::move(start));
  range->add(parse_binary(kRange + 1));
  if (!panicking_ && at_op(":") && context_.colon_is_range) {
    // a:s:b, with the step in the middle.
    take();
    skip_newlines();
    range->add(parse_binary(kRange + 1));
  }
  return range;
}

// ---- unary, power, type annotations ---------------------------------------------------------

NodePtr Parser::parse_unary() {
  const Token& token = peek();
  if (is_prefix_operator(token)) {
    // `reduce(+, xs)`: an operator followed by ',' or ')' is a value, not a prefix; `-(x, y)`
    // is a call.
    const Token& next = peek_raw(1);
    if (next.is_op(",") || next.is_op(")") || next.is_op(";") || is_operator_call(token, next)) return parse_power();
    const Token& op = take();
    Nesting nesting(*this);
    if (!nesting.enter()) return error_node();
    NodePtr operand = parse_unary();
    NodePtr node = make_node(NodeKind::UnaryOp, op.span, op.text);
    node->add(std::move(operand));
    return node;
  }
  if (token.is_op("::")) {
    // `::T` without a name: only meaningful as a parameter, `rrule(::typeof(f), x)`.
    const Token& op = take();
    NodePtr node = make_node(NodeKind::TypeAssert, op.span);
    node->add(make_empty(op.span.begin));
    node->add(parse_postfix());
    return node;
  }
  return parse_power();
}

NodePtr Parser::parse_power() {
  NodePtr base = parse_decl();
  if (panicking_) return base;
  const Token& next = peek();
  if (is_number_literal(*base) && !next.space_before &&
      (next.kind == TokenKind::Identifier || next.is_op("("))) {
    // Juxtaposition: `2x` is `2 * x`, and `2x^2` is `2 * (x^2)`.
    Nesting nesting(*this);
    if (!nesting.enter()) return base;
    NodePtr factor = parse_power();
    NodePtr product = make_node(NodeKind::BinaryOp, base->span, "*");
    product->add(std::move(base));
    product->add(std::move(factor));
    return product;
  }
  if (!next.is_op("^") && !next.is_op(".^")) return base;
  const Token& op = take();
  skip_newlines();
  Nesting nesting(*this);
  if (!nesting.enter()) return base;
  // The exponent may carry a sign (2^-1) and is right associative (2^3^2 == 2^9).
  NodePtr exponent = parse_unary();
  return make_binary(op, std::move(base), std::move(exponent));
}

NodePtr Parser::parse_decl() {
  NodePtr expression = parse_postfix();
  Nesting folds(*this);
  while (!panicking_ && at_op("::")) {
    if (!folds.enter()) break;
    take();
    NodePtr node = make_node(NodeKind::TypeAssert, expression->span);
    node->add(std::move(expression));
    node->add(parse_postfix());
    expression = std::move(node);
  }
  return expression;
}

// ---- postfix: calls, indexing, fields, type applications ------------------------------------

NodePtr Parser::parse_postfix() {
  NodePtr expression = parse_primary();
  Nesting folds(*this);
  while (!panicking_) {
    const Token& token = peek();
    // In macro arguments `f (x)` is two arguments; elsewhere a space changes nothing.
    bool detached = context_.space_sensitive && token.space_before;
    bool literal = is_number_literal(*expression);
    if (token.is_op("(") || token.is_op("[") || token.is_op("{")) {
      if (detached || literal) break;
      if (!folds.enter()) break;
      if (token.is_op("(")) {
        expression = parse_call(std::move(expression), NodeKind::Call, ")");
      } else if (token.is_op("[")) {
        Span open = take().span;
        expression = parse_brackets(std::move(expression), open);
      } else {
        expression = parse_call(std::move(expression), NodeKind::Curly, "}");
      }
    } else if (token.is_op(".")) {
      if (!folds.enter()) break;
      take();
      const Token& next = peek();
      if (next.is_op("(") && !next.space_before) {
        expression = parse_call(std::move(expression), NodeKind::DotCall, ")");
      } else if (next.kind == TokenKind::Identifier) {
        const Token& name = take();
        NodePtr access = make_node(NodeKind::FieldAccess, expression->span);
        access->add(std::move(expression));
        access->add(make_node(NodeKind::Identifier, name.span, name.text));
        expression = std::move(access);
      } else if (next.is_op(":") && !next.space_before &&
                 ((peek_raw(1).kind == TokenKind::Operator && !peek_raw(1).is_op("(") && !peek_raw(1).space_before) ||
                  (peek_raw(1).is_op("(") && peek_raw(2).kind == TokenKind::Operator && peek_raw(3).is_op(")")))) {
        // Base.:+ and Base.:(==): an operator named through its module, as Julia writes it.
        Span begin = take().span;
        bool parenthesized = peek().is_op("(");
        if (parenthesized) take();
        const Token& op = take();
        std::string name = op.text;
        Span end = op.span;
        if (parenthesized) end = take().span;
        NodePtr access = make_node(NodeKind::FieldAccess, expression->span);
        access->add(std::move(expression));
        access->add(make_node(NodeKind::Identifier, {begin.begin, end.end}, name));
        expression = std::move(access);
      } else {
        error_expected("a field name after '.'");
      }
    } else if (token.is_op("'")) {
      if (!folds.enter()) break;
      const Token& op = take();
      NodePtr adjoint = make_node(NodeKind::UnaryOp, expression->span, "'");
      adjoint->add(std::move(expression));
      adjoint->span.end = op.span.end;
      expression = std::move(adjoint);
    } else if (token.is_keyword("do") &&
               (expression->kind == NodeKind::Call || expression->kind == NodeKind::MacroCall)) {
      expression = parse_do(std::move(expression));
    } else {
      break;
    }
  }
  return expression;
}

}  // namespace tsr::syntax::detail
