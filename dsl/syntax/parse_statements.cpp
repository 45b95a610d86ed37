// Statements and blocks: the statement loop with its recovery, and the control-flow and
// declaration constructs that start with a keyword.
#include <fmt/format.h>

#include "parser_impl.hpp"

namespace tsr::syntax::detail {

NodePtr Parser::parse_block(BlockOwner owner, std::initializer_list<std::string_view> terminators) {
  ContextScope scope(*this, block_context());
  NodePtr block;
  auto is_terminator = [&](const Token& token) {
    if (token.kind != TokenKind::Keyword) return false;
    for (std::string_view terminator : terminators) {
      if (token.text == terminator) return true;
    }
    return false;
  };

  // Docstrings document what follows them at the top level of a file or a module (Julia's
  // parse_docstring); elsewhere a string statement is only a value.
  bool docstrings = owner.construct.empty() || owner.construct == "module";
  bool doc_pending = false;  // the last statement documents the next one
  while (true) {
    while (peek().kind == TokenKind::Newline || at_op(";")) take();
    const Token& token = peek();
    if (token.kind == TokenKind::EndOfFile || is_terminator(token)) break;
    if (is_closing_keyword(token)) {
      report_stray_keyword(owner);
      take();
      panicking_ = false;
      continue;
    }
    std::size_t start = pos_;
    NodePtr statement = parse_statement();
    if (doc_pending) block->children.back() = make_doc(std::move(block->children.back()), *statement);
    if (!block) block = make_node(NodeKind::Block, statement->span);
    block->add(std::move(statement));
    if (docstrings && !doc_pending && !panicking_ && is_doc_literal(*block->children.back()) && !at_statement_end()) {
      doc_pending = true;  // "doc" f(x) = 1: documents what follows on the same line
      continue;
    }
    bool ok = !panicking_;
    if (!panicking_ && !at_statement_end()) {
      error_expected("end of line or ';' after the statement");
      ok = false;
    }
    synchronize(start);
    doc_pending = docstrings && ok && !doc_pending && documents_next(*block->children.back());
    if (pos_ == start) take();  // whatever happened, move on
  }
  if (!block) block = make_node(NodeKind::Block, {peek().span.begin, peek().span.begin});
  return block;
}

// Julia: a string statement followed by exactly one line break (no blank or comment line) and
// a statement, or by a statement on the same line, documents that statement.
bool Parser::is_doc_literal(const Node& statement) {
  return (statement.kind == NodeKind::String || statement.kind == NodeKind::InterpolatedString) &&
         !statement.is_parenthesized;
}

bool Parser::documents_next(const Node& statement) {
  if (!is_doc_literal(statement)) return false;
  if (tokens_[pos_].kind != TokenKind::Newline) return false;
  const Token& next = peek_raw(1);
  if (next.kind == TokenKind::EndOfFile || is_closing_keyword(next) || next.is_op(";")) return false;
  std::string_view between = file_.slice({statement.span.end, next.span.begin});
  std::size_t breaks = 0;
  for (char c : between) {
    if (c == '\n') ++breaks;
    else if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return breaks == 1;
}

// The docstring `text` of `target` as a Doc node (layout in ast.hpp): what it documents is
// decided here, where the target's shape is known, as Julia's Docs.docm decides it.
NodePtr Parser::make_doc(NodePtr text, const Node& target) {
  NodePtr doc = make_node(NodeKind::Doc, text->span);
  doc->add(std::move(text));
  auto documents = [&](const Node& name) {
    doc->text = "binding";
    doc->children.push_back(make_node(NodeKind::Identifier, name.span, name.text));
  };
  auto name_of_function = [&](const Node& def) {
    const Node& name = def.child(function_slot::name);
    if (name.kind == NodeKind::Identifier) documents(name);
    else if (name.kind == NodeKind::FieldAccess) documents(name.child(1));  // Base.show
    else doc->text = "binding";  // an anonymous function or a callable object: kept nowhere
  };
  switch (target.kind) {
    case NodeKind::FunctionDef: name_of_function(target); break;
    case NodeKind::StructDef:
    case NodeKind::AbstractTypeDef:
    case NodeKind::SemanticDef:
    case NodeKind::Module: documents(target.child(0)); break;
    case NodeKind::Identifier: documents(target); break;
    case NodeKind::Const:
    case NodeKind::Assign: {
      const Node& assign = target.kind == NodeKind::Const ? target.child(0) : target;
      const Node* lhs = assign.kind == NodeKind::Assign ? &assign.child(0) : nullptr;
      if (lhs && lhs->kind == NodeKind::TypeAssert) lhs = &lhs->child(0);
      if (lhs && lhs->kind == NodeKind::Identifier) documents(*lhs);
      break;
    }
    case NodeKind::MacroCall:
      if (target.text == "@kernel" && target.size() == 1 && target.child(0).kind == NodeKind::FunctionDef)
        name_of_function(target.child(0));
      break;
    case NodeKind::Call: {
      // `"doc"\nf(x::Int)` documents a method without defining it (not supported yet).
      bool signature = true;
      for (std::size_t i = 1; i < target.size(); ++i) {
        NodeKind k = target.child(i).kind;
        signature = signature && (k == NodeKind::Identifier || k == NodeKind::TypeAssert ||
                                  k == NodeKind::Splat || k == NodeKind::Kwarg);
      }
      if (signature) doc->text = "signature";
      break;
    }
    default: break;
  }
  if (doc->text.empty()) {
    // Julia raises "cannot document the following expression" when it reaches it.
    doc->text = "undocumentable";
    doc->children.push_back(make_node(NodeKind::String, target.span, std::string(file_.slice(target.span))));
  } else if (doc->size() == 1) {
    doc->children.push_back(make_empty(target.span.begin));
    doc->children.back()->span = target.span;
  }
  return doc;
}

void Parser::report_stray_keyword(const BlockOwner& owner) {
  const Token& token = peek();
  if (!owner.construct.empty()) {
    error_unclosed("end", owner.construct, owner.opener);
    return;
  }
  std::string_view reason = token.text == "end" ? "there is no open block to close"
                            : token.text == "else" || token.text == "elseif"
                                ? "there is no open 'if'"
                                : "there is no open 'try'";
  error_at(token.span, fmt::format("expected a statement, found '{}' ({})", token.text, reason));
}

NodePtr Parser::parse_statement() {
  Nesting nesting(*this);
  if (!nesting.enter()) return error_node();
  const Token& token = peek();
  if (token.kind == TokenKind::Identifier) {
    // Contextual keywords: elsewhere these words are ordinary names.
    const Token& next = peek_raw(1);
    if (token.text == "abstract" && next.is(TokenKind::Identifier, "type")) {
      return parse_abstract_type();
    }
    if (token.text == "mutable" && next.is_keyword("struct")) return parse_struct();
    if (token.text == "semantic" && next.kind == TokenKind::Identifier && next.space_before) {
      return parse_semantic();
    }
    if (token.text == "export" && next.space_before &&
        (next.kind == TokenKind::Identifier || (next.kind == TokenKind::Operator && next.text != "=" &&
                                                 next.text != "(" && next.text != "[" && next.text != "."))) {
      return parse_export();
    }
  }
  return parse_expr_list();
}

void Parser::recover_header(std::size_t header_start) {
  // A broken header (say `for i 1:n`): skip the rest of its line and parse the body anyway,
  // so that errors inside it are found too.
  if (panicking_) synchronize(header_start);
}

uint32_t Parser::expect_end(const BlockOwner& owner) {
  if (at_keyword("end")) return take().span.end;
  error_unclosed("end", owner.construct, owner.opener);
  return last_end();
}

NodePtr Parser::parse_keyword_expression() {
  const std::string& word = peek().text;
  if (word == "function") return parse_function();
  if (word == "if") return parse_if();
  if (word == "while") return parse_while();
  if (word == "for") return parse_for();
  if (word == "let") return parse_let();
  if (word == "begin") return parse_begin();
  if (word == "try") return parse_try();
  if (word == "return") return parse_return();
  if (word == "struct") return parse_struct();
  if (word == "using" || word == "import") return parse_using();
  if (word == "const") return parse_declaration(NodeKind::Const);
  if (word == "local") return parse_declaration(NodeKind::Local);
  if (word == "global") return parse_declaration(NodeKind::Global);
  if (word == "module") return parse_module();
  if (word == "break" || word == "continue") {
    return make_node(word == "break" ? NodeKind::Break : NodeKind::Continue, take().span);
  }
  return nullptr;
}

NodePtr Parser::parse_if() {
  Span opener = take().span;
  std::size_t header = pos_;
  BlockOwner owner{"if", opener};
  ContextScope scope(*this, block_context());
  NodePtr root = make_node(NodeKind::If, opener);
  root->add(parse_expr());
  recover_header(header);
  root->add(parse_block(owner, {"elseif", "else", "end"}));

  // Each elseif nests in the else slot of the branch before it.
  Node* tail = root.get();
  Nesting chain(*this, true);
  while (at_keyword("elseif")) {
    if (!chain.enter()) break;
    Span keyword = take().span;
    header = pos_;
    NodePtr branch = make_node(NodeKind::If, keyword);
    branch->is_elseif = true;
    branch->add(parse_expr());
    recover_header(header);
    branch->add(parse_block(owner, {"elseif", "else", "end"}));
    tail = &tail->add(std::move(branch));
  }
  if (at_keyword("else")) {
    take();
    tail->add(parse_block(owner, {"end"}));
  }
  root->span.end = expect_end(owner);
  return root;
}

NodePtr Parser::parse_while() {
  Span opener = take().span;
  std::size_t header = pos_;
  ContextScope scope(*this, block_context());
  NodePtr loop = make_node(NodeKind::While, opener);
  loop->add(parse_expr());
  recover_header(header);
  loop->add(parse_block({"while", opener}, {"end"}));
  loop->span.end = expect_end({"while", opener});
  return loop;
}

NodePtr Parser::parse_for() {
  Span opener = take().span;
  std::size_t header = pos_;
  ContextScope scope(*this, block_context());
  NodePtr loop = make_node(NodeKind::For, opener);
  do {
    loop->add(parse_iteration());
  } while (!panicking_ && accept_op(","));
  recover_header(header);
  loop->add(parse_block({"for", opener}, {"end"}));
  loop->span.end = expect_end({"for", opener});
  return loop;
}

NodePtr Parser::parse_iteration() {
  // `for outer i in ...` assigns an existing local `i` of the enclosing scope.
  bool outer = false;
  if (peek().is(TokenKind::Identifier, "outer") && peek_raw(1).kind == TokenKind::Identifier) {
    take();
    outer = true;
  }
  // The variable is a name, a typed name or a tuple: parse above `in` and `=`.
  NodePtr variable = parse_binary(kPlus);
  NodePtr iteration = make_node(NodeKind::Iteration, variable->span);
  iteration->is_outer = outer;
  iteration->add(std::move(variable));
  if (!panicking_ && (at_keyword("in") || at_op("="))) {
    take();
    skip_newlines();
    iteration->add(parse_ternary());
  } else {
    error_expected("'in' or '=' after the loop variable");
    iteration->add(error_node());
  }
  return iteration;
}

NodePtr Parser::parse_let() {
  Span opener = take().span;
  std::size_t header = pos_;
  ContextScope scope(*this, block_context());
  NodePtr let = make_node(NodeKind::Let, opener);
  NodePtr bindings = make_node(NodeKind::Block, {opener.end, opener.end});
  if (!at_statement_end()) {
    do {
      bindings->add(parse_expr());
    } while (!panicking_ && accept_op(","));
  }
  let->add(std::move(bindings));
  recover_header(header);
  let->add(parse_block({"let", opener}, {"end"}));
  let->span.end = expect_end({"let", opener});
  return let;
}

NodePtr Parser::parse_begin() {
  Span opener = take().span;
  NodePtr body = parse_block({"begin", opener}, {"end"});
  body->span = {opener.begin, expect_end({"begin", opener})};
  return body;
}

NodePtr Parser::parse_try() {
  Span opener = take().span;
  BlockOwner owner{"try", opener};
  ContextScope scope(*this, block_context());
  NodePtr node = make_node(NodeKind::Try, opener);
  node->add(parse_block(owner, {"catch", "finally", "end"}));
  NodePtr variable = make_empty(last_end());
  NodePtr handler = make_empty(last_end());
  NodePtr cleanup = make_empty(last_end());
  if (at_keyword("catch")) {
    take();
    // `catch e` names the exception; it must be on the catch line.
    if (peek().kind == TokenKind::Identifier) {
      const Token& name = take();
      variable = make_node(NodeKind::Identifier, name.span, name.text);
    }
    handler = parse_block(owner, {"finally", "end"});
  }
  if (at_keyword("finally")) {
    take();
    cleanup = parse_block(owner, {"end"});
  }
  node->add(std::move(variable));
  node->add(std::move(handler));
  node->add(std::move(cleanup));
  node->span.end = expect_end(owner);
  return node;
}

NodePtr Parser::parse_return() {
  NodePtr node = make_node(NodeKind::Return, take().span);
  const Token& next = peek();
  bool has_value = !at_statement_end() && !next.is_op(")") && !next.is_op("]") &&
                   !next.is_op("}") && !next.is_op(",");
  if (has_value) node->add(parse_expr_list());
  return node;
}

NodePtr Parser::parse_using() {
  // using A, .B, ..C.D  |  using A: f, g  |  import A.f  |  import Base: +, show
  // Each path is an Identifier or FieldAccess chain; its first Identifier's int_value counts
  // the leading dots (relative paths). With `: names` the node's text is ":" and the
  // children are the one path followed by the names (Identifiers; operators too).
  const Token& keyword = take();
  NodeKind kind = keyword.text == "using" ? NodeKind::Using : NodeKind::Import;
  NodePtr node = make_node(kind, keyword.span);
  do {
    int64_t dots = 0;
    while (at_op(".") || at_op("...")) dots += take().text.size();
    if (peek().kind != TokenKind::Identifier) {
      error_expected(fmt::format("a module name after '{}'", keyword.text));
      break;
    }
    const Token& first = take();
    NodePtr path = make_node(NodeKind::Identifier, first.span, first.text);
    path->int_value = dots;
    while (at_op(".") && (peek_raw(1).kind == TokenKind::Identifier || peek_raw(1).kind == TokenKind::Operator)) {
      if (peek_raw(1).kind == TokenKind::Operator && peek_raw(1).text == ",") break;
      take();
      const Token& name = take();
      NodePtr access = make_node(NodeKind::FieldAccess, path->span);
      access->add(std::move(path));
      access->add(make_node(NodeKind::Identifier, name.span, name.text));
      path = std::move(access);
    }
    node->add(std::move(path));
    if (node->size() == 1 && accept_op(":")) {
      node->text = ":";
      do {
        const Token& name = peek();
        if (name.kind != TokenKind::Identifier && name.kind != TokenKind::Operator) {
          error_expected(fmt::format("a name after '{}' ... ':'", keyword.text));
          break;
        }
        take();
        node->add(make_node(NodeKind::Identifier, name.span, name.text));
      } while (accept_op(","));
      break;
    }
  } while (accept_op(","));
  return node;
}

NodePtr Parser::parse_export() {
  // export f, g, +  (a contextual keyword: `export` elsewhere is an ordinary name)
  NodePtr node = make_node(NodeKind::Export, take().span);
  do {
    const Token& name = peek();
    if (name.kind != TokenKind::Identifier && name.kind != TokenKind::Operator) {
      error_expected("a name after 'export'");
      break;
    }
    take();
    node->add(make_node(NodeKind::Identifier, name.span, name.text));
  } while (accept_op(","));
  return node;
}

NodePtr Parser::parse_declaration(NodeKind kind) {
  const Token& keyword = take();
  NodePtr node = make_node(kind, keyword.span);
  NodePtr declared = parse_expr_list();
  if (declared->kind == NodeKind::Tuple && !declared->is_parenthesized && kind != NodeKind::Const) {
    for (NodePtr& element : declared->children) node->add(std::move(element));
  } else {
    node->add(std::move(declared));
  }
  for (const NodePtr& child : node->children) {
    NodeKind declared_kind = child->kind;
    // `global total += i` updates a global in place, as Julia allows.
    bool ok = declared_kind == NodeKind::Assign || declared_kind == NodeKind::Error ||
              (kind != NodeKind::Const &&
               (declared_kind == NodeKind::Identifier || declared_kind == NodeKind::TypeAssert ||
                declared_kind == NodeKind::UpdateAssign));
    if (!ok) {
      note_error(child->span,
                 fmt::format("expected {} after '{}', found {}",
                             kind == NodeKind::Const ? "an assignment" : "a name or an assignment",
                             keyword.text, describe_node_kind(declared_kind)));
    }
  }
  return node;
}

NodePtr Parser::parse_module() {
  Span opener = take().span;
  std::size_t header = pos_;
  ContextScope scope(*this, block_context());
  NodePtr module = make_node(NodeKind::Module, opener);
  if (peek().kind == TokenKind::Identifier) {
    const Token& name = take();
    module->add(make_node(NodeKind::Identifier, name.span, name.text));
  } else {
    error_expected("a module name after 'module'");
    module->add(error_node());
  }
  recover_header(header);
  module->add(parse_block({"module", opener}, {"end"}));
  module->span.end = expect_end({"module", opener});
  return module;
}

}  // namespace tsr::syntax::detail
