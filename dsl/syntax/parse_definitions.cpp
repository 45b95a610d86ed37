// Definitions: functions (long and short form), their parameters and `where` clauses,
// lambdas and do blocks, and the type definitions (struct, abstract type, semantic).
//
// A signature is parsed as an ordinary expression (`f(x::T; k = 1) where T`) and then read
// as parameters, as Julia does: `f(x) = x` is only known to be a definition at the `=`.
#include <fmt/format.h>

#include "parser_impl.hpp"

namespace tsr::syntax::detail {

namespace {

NodePtr make_param(std::string name, Span span) {
  NodePtr param = make_node(NodeKind::Param, span, std::move(name));
  param->children.push_back(make_empty(span.begin));  // type
  param->children.push_back(make_empty(span.end));    // default
  return param;
}

NodePtr make_type_param(std::string name, Span span, NodePtr upper, NodePtr lower) {
  NodePtr param = make_node(NodeKind::TypeParam, span, std::move(name));
  param->add(upper ? std::move(upper) : make_empty(span.end));
  param->add(lower ? std::move(lower) : make_empty(span.end));
  return param;
}

}  // namespace

// ---- functions ------------------------------------------------------------------------------

NodePtr Parser::parse_function() {
  Span opener = take().span;
  std::size_t header = pos_;
  BlockOwner owner{"function", opener};
  ContextScope scope(*this, block_context());

  bool anonymous = at_op("(");  // function (x, y) ... end
  NodePtr signature = parse_decl();
  while (!panicking_ && at_keyword("where")) signature = parse_where_clause(std::move(signature));
  const Node* core = signature.get();
  while (core->kind == NodeKind::Where || core->kind == NodeKind::TypeAssert)
    core = &core->child(0);
  bool named_only = core->kind == NodeKind::Identifier || core->kind == NodeKind::FieldAccess;
  if (!panicking_ && named_only && !anonymous) {
    error_expected(fmt::format("'(' and a parameter list after the function name '{}'",
                               file_.slice(core->span)));
  } else if (!panicking_ && core->kind != NodeKind::Call && !anonymous) {
    note_error(core->span, fmt::format("expected a function name and parameters such as "
                                       "'f(x)' after 'function', found {}",
                                       describe_node_kind(core->kind)));
  }
  recover_header(header);

  NodePtr body = parse_block(owner, {"end"});
  uint32_t end = expect_end(owner);
  return make_function(std::move(signature), std::move(body), {opener.begin, end}, anonymous);
}

NodePtr Parser::make_function(NodePtr signature, NodePtr body, Span span, bool anonymous) {
  NodePtr function = make_node(NodeKind::FunctionDef, span);
  NodePtr core = std::move(signature);

  // `where` clauses, the last written outermost; keep them in written order.
  std::vector<NodePtr> clauses;
  while (core->kind == NodeKind::Where) {
    NodePtr subject = std::move(core->children[0]);
    clauses.push_back(std::move(core));
    core = std::move(subject);
  }
  NodePtr type_params = make_node(NodeKind::TypeParamList, {core->span.end, core->span.end});
  for (auto clause = clauses.rbegin(); clause != clauses.rend(); ++clause) {
    for (std::size_t i = 1; i < (*clause)->size(); ++i)
      type_params->add(std::move((*clause)->children[i]));
  }

  NodePtr return_type = make_empty(core->span.end);
  if (core->kind == NodeKind::TypeAssert && core->child(0).kind == NodeKind::Call) {
    return_type = std::move(core->children[1]);
    core = std::move(core->children[0]);
  }

  NodePtr name;
  std::vector<NodePtr> arguments;
  if (core->kind == NodeKind::Call) {
    name = std::move(core->children[0]);
    for (std::size_t i = 1; i < core->size(); ++i)
      arguments.push_back(std::move(core->children[i]));
  } else if (anonymous) {
    name = make_empty(span.begin);
    if (core->kind == NodeKind::Tuple && core->is_parenthesized) {
      arguments = std::move(core->children);
    } else {
      arguments.push_back(std::move(core));
    }
  } else {
    name = std::move(core);  // already reported by parse_function
  }

  Span list_span{name->span.end, name->span.end};
  NodePtr params = make_node(NodeKind::ParamList, list_span);
  NodePtr keyword_params = make_node(NodeKind::ParamList, list_span);
  for (NodePtr& argument : arguments) {
    bool keyword = argument->is_keyword_section;
    (keyword ? keyword_params : params)->add(param_from(std::move(argument)));
  }

  function->add(std::move(name));
  function->add(std::move(params));
  function->add(std::move(keyword_params));
  function->add(std::move(type_params));
  function->add(std::move(return_type));
  function->add(std::move(body));
  function->span = span;
  return function;
}

NodePtr Parser::param_from(NodePtr argument) {
  switch (argument->kind) {
    case NodeKind::Identifier: return make_param(argument->text, argument->span);
    case NodeKind::TypeAssert: {
      Node& target = argument->child(0);
      if (target.kind == NodeKind::Empty || target.kind == NodeKind::Identifier) {
        NodePtr param = make_param(target.text, argument->span);
        param->children[0] = std::move(argument->children[1]);
        return param;
      }
      break;
    }
    case NodeKind::Splat: {
      NodePtr param = param_from(std::move(argument->children[0]));
      param->is_vararg = true;
      param->span = argument->span;
      return param;
    }
    case NodeKind::Kwarg: {
      NodePtr param = make_param(argument->text, argument->span);
      param->children[1] = std::move(argument->children[0]);
      return param;
    }
    case NodeKind::Assign: {
      NodePtr param = param_from(std::move(argument->children[0]));
      param->children[1] = std::move(argument->children[1]);
      param->span = argument->span;
      return param;
    }
    case NodeKind::MacroCall:
      // @nospecialize(x), @nospecialize x::T: one specialization for every argument type
      // (jit/compiler.cpp, Compiler::specialize).
      if (argument->text == "@nospecialize" && argument->size() == 1) {
        NodePtr param = param_from(std::move(argument->children[0]));
        param->is_nospecialize = true;
        param->span = argument->span;
        return param;
      }
      if (argument->text == "@nospecialize") {
        note_error(argument->span, "@nospecialize marks one parameter: write @nospecialize(x) before each");
        return make_param("", argument->span);
      }
      break;
    case NodeKind::Error: return make_param("", argument->span);
    default: break;
  }
  note_error(argument->span, fmt::format("expected a parameter such as 'x', 'x::T' or '::T', "
                                         "found {}",
                                         describe_node_kind(argument->kind)));
  return make_param("", argument->span);
}

NodePtr Parser::make_lambda(NodePtr parameters, NodePtr body) {
  NodePtr lambda = make_node(NodeKind::Lambda, Span::covering(parameters->span, body->span));
  NodePtr params = make_node(NodeKind::ParamList, parameters->span);
  if (parameters->kind == NodeKind::Tuple && parameters->is_parenthesized) {
    for (NodePtr& element : parameters->children) params->add(param_from(std::move(element)));
  } else {
    params->add(param_from(std::move(parameters)));
  }
  lambda->add(std::move(params));
  lambda->add(std::move(body));
  return lambda;
}

NodePtr Parser::parse_do(NodePtr call) {
  Span opener = take().span;
  std::size_t header = pos_;
  ContextScope scope(*this, block_context());
  NodePtr params = make_node(NodeKind::ParamList, {opener.end, opener.end});
  if (!at_statement_end()) {
    do {
      params->add(param_from(parse_binary(kPlus)));
    } while (!panicking_ && accept_op(","));
  }
  recover_header(header);
  NodePtr body = parse_block({"do", opener}, {"end"});
  uint32_t end = expect_end({"do", opener});

  NodePtr lambda = make_node(NodeKind::Lambda, {opener.begin, end});
  lambda->add(std::move(params));
  lambda->add(std::move(body));
  lambda->span = {opener.begin, end};
  NodePtr node = make_node(NodeKind::Do, Span::covering(call->span, lambda->span));
  node->add(std::move(call));
  node->add(std::move(lambda));
  return node;
}

// ---- where clauses and type parameters ------------------------------------------------------

NodePtr Parser::parse_where_clause(NodePtr subject) {
  take();  // where
  skip_newlines();
  NodePtr clause = make_node(NodeKind::Where, subject->span);
  clause->add(std::move(subject));
  if (at_op("{")) {
    Span open = take().span;
    ContextScope scope(*this, bracket_context(false), true);
    while (!panicking_ && !at_op("}")) {
      clause->add(type_param_from(parse_expr()));
      if (!accept_op(",")) break;
    }
    clause->span.end = expect_closer("}", "{", open);
  } else {
    clause->add(type_param_from(parse_binary(kComparison)));
  }
  return clause;
}

NodePtr Parser::type_param_from(NodePtr expression) {
  Span span = expression->span;
  switch (expression->kind) {
    case NodeKind::Identifier: return make_type_param(expression->text, span, nullptr, nullptr);
    case NodeKind::BinaryOp: {
      bool upper = expression->text == "<:";
      if ((upper || expression->text == ">:") &&
          expression->child(0).kind == NodeKind::Identifier) {
        std::string name = expression->child(0).text;
        NodePtr bound = std::move(expression->children[1]);
        return upper ? make_type_param(name, span, std::move(bound), nullptr)
                     : make_type_param(name, span, nullptr, std::move(bound));
      }
      break;
    }
    case NodeKind::Comparison: {
      // Lower <: T <: Upper
      if (expression->size() == 5 && expression->child(1).text == "<:" &&
          expression->child(3).text == "<:" && expression->child(2).kind == NodeKind::Identifier) {
        std::string name = expression->child(2).text;
        return make_type_param(name, span, std::move(expression->children[4]),
                               std::move(expression->children[0]));
      }
      break;
    }
    case NodeKind::Error: return make_type_param("", span, nullptr, nullptr);
    default: break;
  }
  note_error(span, fmt::format("expected a type parameter such as 'T' or 'T <: Real', found {}",
                               describe_node_kind(expression->kind)));
  return make_type_param("", span, nullptr, nullptr);
}

// ---- type definitions -----------------------------------------------------------------------

bool Parser::parse_type_header(std::string_view construct, Node& definition) {
  if (peek().kind != TokenKind::Identifier) {
    error_expected(fmt::format("a type name after '{}'", construct));
    definition.add(error_node());
    definition.add(make_node(NodeKind::TypeParamList, {last_end(), last_end()}));
    return false;
  }
  const Token& name = take();
  definition.add(make_node(NodeKind::Identifier, name.span, name.text));
  NodePtr params = make_node(NodeKind::TypeParamList, {name.span.end, name.span.end});
  if (at_op("{") && !peek().space_before) {
    Span open = take().span;
    ContextScope scope(*this, bracket_context(false), true);
    while (!panicking_ && !at_op("}")) {
      params->add(type_param_from(parse_expr()));
      if (!accept_op(",")) break;
    }
    params->span = {open.begin, expect_closer("}", "{", open)};
  }
  definition.add(std::move(params));
  return true;
}

NodePtr Parser::parse_struct() {
  Span opener = peek().span;
  bool is_mutable = peek().kind == TokenKind::Identifier;  // `mutable`
  if (is_mutable) take();
  take();  // struct
  std::size_t header = pos_;
  std::string_view construct = is_mutable ? "mutable struct" : "struct";
  BlockOwner owner{construct, opener};
  ContextScope scope(*this, block_context());

  NodePtr node = make_node(NodeKind::StructDef, opener);
  node->is_mutable = is_mutable;
  bool named = parse_type_header(construct, *node);
  if (named && !panicking_ && accept_op("<:")) {
    node->add(parse_postfix());
  } else {
    node->add(make_empty(last_end()));
  }
  recover_header(header);

  NodePtr body = parse_block(owner, {"end"});
  NodePtr members = make_node(NodeKind::Block, body->span);
  std::string name = node->child(struct_slot::name).text;
  for (NodePtr& statement : body->children) {
    NodeKind kind = statement->kind;
    if (kind == NodeKind::TypeAssert && statement->child(0).kind == NodeKind::Identifier) {
      NodePtr field = make_node(NodeKind::Field, statement->span, statement->child(0).text);
      field->add(std::move(statement->children[1]));
      members->add(std::move(field));
    } else if (kind == NodeKind::Identifier) {
      NodePtr field = make_node(NodeKind::Field, statement->span, statement->text);
      field->add(make_empty(statement->span.end));
      members->add(std::move(field));
    } else if (kind == NodeKind::FunctionDef || kind == NodeKind::Error) {
      members->add(std::move(statement));  // inner constructors
    } else {
      note_error(statement->span,
                 fmt::format("expected a field such as 'x::Float64' in struct '{}', found {}", name,
                             describe_node_kind(kind)));
    }
  }
  node->add(std::move(members));
  node->span.end = expect_end(owner);
  return node;
}

NodePtr Parser::parse_abstract_type() {
  Span opener = take().span;  // abstract
  take();                     // type
  std::size_t header = pos_;
  BlockOwner owner{"abstract type", opener};
  ContextScope scope(*this, block_context());
  NodePtr node = make_node(NodeKind::AbstractTypeDef, opener);
  bool named = parse_type_header("abstract type", *node);
  if (named && !panicking_ && accept_op("<:")) {
    node->add(parse_postfix());
  } else {
    node->add(make_empty(last_end()));
  }
  recover_header(header);
  while (peek().kind == TokenKind::Newline || at_op(";")) take();
  node->span.end = expect_end(owner);
  return node;
}

NodePtr Parser::parse_semantic() {
  Span opener = take().span;
  ContextScope scope(*this, block_context());
  NodePtr node = make_node(NodeKind::SemanticDef, opener);
  bool named = parse_type_header("semantic", *node);
  if (named && !panicking_ && accept_op("<:")) {
    node->add(parse_postfix());
  } else {
    if (named) {
      error_expected(
          fmt::format("'<:' and a parent type after 'semantic {}'", node->child(0).text));
    }
    node->add(error_node());
  }
  return node;
}

}  // namespace tsr::syntax::detail
