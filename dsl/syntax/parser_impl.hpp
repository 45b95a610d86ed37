// The parser's internals, shared by its source files (not part of the public API):
//   parser_core.cpp         token cursor, contexts, errors, recovery, entry points
//   parse_statements.cpp    blocks and control flow
//   parse_definitions.cpp   functions, parameters, lambdas, structs and other type definitions
//   parse_expressions.cpp   operators by precedence, postfix forms
//   parse_primary.cpp       literals, names, brackets, strings, macro calls
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "ast.hpp"
#include "parser.hpp"
#include "source.hpp"
#include "token.hpp"

namespace tsr::syntax::detail {

// What the enclosing construct makes of line breaks, spaces and `:`.
struct ParseContext {
  bool skip_newlines = false;    // inside ( [ {: a line break is only whitespace
  bool space_sensitive = false;  // macro arguments: `@localmem T (16, 16)` is two arguments
  bool colon_is_range = true;    // false in the middle of `c ? a : b`
  bool end_is_index = false;     // inside a[...]: `end` is the last index
  bool matrix_row = false;       // a row of [1 2; 3 4]: `1 -2` is two elements, `1 - 2` one
};

// The construct whose body a block belongs to, for "expected 'end' to close 'function' at 3:1".
struct BlockOwner {
  std::string_view construct;  // empty at the top level of a file
  Span opener;                 // its first keyword
};

// Binary operator levels, lowest first (see parser.hpp).
enum Precedence : int {
  kNoPrecedence = 0,
  kOr,
  kAnd,
  kComparison,
  kPipe,
  kRange,
  kPlus,
  kTimes,
  kShift,
};

class Parser {
 public:
  Parser(const SourceFile& file, const std::vector<Token>& tokens, DiagnosticSink& sink,
         const ParseOptions& options, int depth);

  NodePtr parse_file();
  // The tokens of one `$( ... )` in a string; `where` is the `$(...)` span.
  NodePtr parse_interpolation(Span where);

 private:
  friend class ContextScope;
  friend class Nesting;

  // ---- parser_core.cpp -------------------------------------------------------------------
  const Token& peek();  // skips newlines where the context says so
  const Token& peek_raw(std::size_t ahead) const;
  const Token& take();
  bool at_op(std::string_view op) { return peek().is_op(op); }
  bool at_keyword(std::string_view keyword) { return peek().is_keyword(keyword); }
  bool accept_op(std::string_view op);
  void skip_newlines();
  bool at_line_start();       // the current token is the first of its line
  bool at_statement_end();    // line break, `;`, end of file or a block-closing keyword
  uint32_t last_end() const;  // end of the last token taken
  std::string found();        // "found ..." text for the current token

  // A syntax error: reported unless one is already being recovered from, then recovery.
  void error_at(Span span, std::string message);
  void start_recovery();
  void error_expected(std::string_view expected);
  void error_unclosed(std::string_view closer, std::string_view opener_text, Span opener);
  // An error in an already parsed construct (a bad parameter): needs no recovery.
  void note_error(Span span, std::string message);
  // After a failed statement: skip to where the next statement can start.
  void synchronize(std::size_t statement_start);
  bool follows_value(std::size_t index) const;  // tokens_[index - 1] ends a value
  uint32_t expect_closer(std::string_view closer, std::string_view opener_text, Span opener);
  NodePtr error_node();
  bool enter_nesting();
  bool enter_chain_link();  // one more link of a chain; false (and an error) past the limit
  bool report_too_deep(const std::string& message);  // the error of both, once per file; false  // one level deeper; false (and an error) past the limit

  ParseContext block_context() const;
  ParseContext bracket_context(bool index) const;
  ParseContext row_context(bool index) const;

  // ---- parse_statements.cpp --------------------------------------------------------------
  NodePtr parse_block(BlockOwner owner, std::initializer_list<std::string_view> terminators);
  void report_stray_keyword(const BlockOwner& owner);
  static bool is_doc_literal(const Node& statement);
  bool documents_next(const Node& statement);
  NodePtr make_doc(NodePtr text, const Node& target);
  NodePtr parse_statement();
  void recover_header(std::size_t header_start);
  uint32_t expect_end(const BlockOwner& owner);
  NodePtr parse_keyword_expression();  // a construct that starts with a keyword
  NodePtr parse_if();
  NodePtr parse_while();
  NodePtr parse_for();
  NodePtr parse_iteration();
  NodePtr parse_let();
  NodePtr parse_begin();
  NodePtr parse_try();
  NodePtr parse_return();
  NodePtr parse_using();
  NodePtr parse_export();
  NodePtr parse_declaration(NodeKind kind);  // const, local, global
  NodePtr parse_module();

  // ---- parse_definitions.cpp -------------------------------------------------------------
  NodePtr parse_function();
  NodePtr make_function(NodePtr signature, NodePtr body, Span span, bool anonymous);
  NodePtr param_from(NodePtr argument);
  NodePtr make_lambda(NodePtr parameters, NodePtr body);
  NodePtr parse_do(NodePtr call);
  NodePtr parse_where_clause(NodePtr subject);
  NodePtr type_param_from(NodePtr expression);
  bool parse_type_header(std::string_view construct, Node& definition);
  NodePtr parse_struct();
  NodePtr parse_abstract_type();
  NodePtr parse_semantic();

  // ---- parse_expressions.cpp -------------------------------------------------------------
  NodePtr parse_expr();       // one expression, assignments included, no bare tuple
  NodePtr parse_expr_list();  // statement level: `a, b = 1, 2`, `return x, y`
  NodePtr parse_list_element(bool allow_assignment);  // an element, maybe `xs...`
  NodePtr parse_where();
  NodePtr parse_pair();
  NodePtr parse_ternary();
  NodePtr parse_arrow();
  NodePtr parse_binary(int min_precedence);
  NodePtr parse_comparison_chain(NodePtr first);
  NodePtr parse_range(NodePtr start);
  NodePtr parse_unary();
  NodePtr parse_power();
  NodePtr parse_decl();
  NodePtr parse_postfix();
  NodePtr make_assignment(const Token& op, NodePtr lhs, NodePtr rhs);
  void check_assignable(const Node& lhs, std::string_view op);
  int binary_precedence(const Token& token) const;

  // ---- parse_primary.cpp -----------------------------------------------------------------
  NodePtr parse_primary();
  NodePtr parse_literal();
  NodePtr parse_parenthesized();
  NodePtr parse_vector();
  NodePtr parse_brackets(NodePtr head, Span open);
  bool parse_concatenation(std::vector<std::vector<NodePtr>>& rows);
  NodePtr parse_call(NodePtr callee, NodeKind kind, std::string_view closer);
  void parse_arguments(Node& call, std::string_view closer, bool keywords);
  NodePtr parse_generator(NodeKind kind, NodePtr body);
  NodePtr parse_string(const Token& token);
  NodePtr parse_macro_call();
  bool can_start_macro_argument();

  const SourceFile& file_;
  const std::vector<Token>& tokens_;
  DiagnosticSink& sink_;
  ParseOptions options_;
  std::size_t pos_ = 0;
  std::size_t last_taken_ = 0;
  bool taken_any_ = false;
  ParseContext context_;
  int bracket_depth_ = 0;
  int depth_ = 0;
  int chain_links_ = 0;  // links of operator and elseif chains open along this path

  // Recovery state: set by error_at, cleared by synchronize.
  bool panicking_ = false;
  std::size_t error_pos_ = 0;
  int error_bracket_depth_ = 0;
  bool error_at_line_start_ = false;
  bool nesting_reported_ = false;
};

// Sets a context (and for brackets counts the nesting) for the lifetime of a scope.
class ContextScope {
 public:
  ContextScope(Parser& parser, ParseContext context, bool bracket = false);
  ~ContextScope();
  ContextScope(const ContextScope&) = delete;
  ContextScope& operator=(const ContextScope&) = delete;

 private:
  Parser& parser_;
  ParseContext saved_;
  bool bracket_;
};

// Counts nesting levels (recursion), or the links of a chain such as a+b+c or if/elseif
// (`chain`), and gives them back at the end of the scope.
class Nesting {
 public:
  explicit Nesting(Parser& parser, bool chain = false) : parser_(parser), chain_(chain) {}
  ~Nesting();
  Nesting(const Nesting&) = delete;
  Nesting& operator=(const Nesting&) = delete;
  bool enter();

 private:
  Parser& parser_;
  bool chain_;
  int levels_ = 0;
};

// Small helpers shared by the parser's files.
bool is_closing_keyword(const Token& token);  // end else elseif catch finally
bool is_assignment_operator(const Token& token);
bool is_number_literal(const Node& node);
// `+(a, b)`, `-(x)`: an undotted operator directly followed by '(' is called, as in Julia,
// which is also how a method of an operator is defined: `+(a::P, b::P) = ...`.
bool is_operator_call(const Token& token, const Token& next);

}  // namespace tsr::syntax::detail
