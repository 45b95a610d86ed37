// The parser's machinery: the token cursor, contexts, error reporting and recovery, and the
// public entry points.
#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "lexer.hpp"
#include "parser_impl.hpp"

namespace tsr::syntax {

bool ParseResult::ok() const {
  for (const Diagnostic& diagnostic : diagnostics) {
    if (diagnostic.severity == Severity::Error) return false;
  }
  return true;
}

NodePtr parse(const SourceFile& file, DiagnosticSink& sink, const ParseOptions& options) {
  // Lexing finishes before parsing starts; merge both stages' messages in file order.
  DiagnosticSink lexer_sink;
  DiagnosticSink parser_sink;
  std::vector<Token> tokens = lex(file, lexer_sink);
  detail::Parser parser(file, tokens, parser_sink, options, 0);
  NodePtr root = parser.parse_file();

  std::vector<Diagnostic> diagnostics = lexer_sink.take();
  for (Diagnostic& diagnostic : parser_sink.take()) diagnostics.push_back(std::move(diagnostic));
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::pair(a.location.line, a.location.column) <
                            std::pair(b.location.line, b.location.column);
                   });
  // Past the first errors, the rest are mostly echoes of them (6,400 unclosed `begin`s gave
  // 6,274 errors): stop at kMaxErrorsPerFile, with one more error that says so.
  std::size_t errors = 0;
  for (Diagnostic& diagnostic : diagnostics) {
    if (diagnostic.severity == Severity::Error && errors++ == kMaxErrorsPerFile) {
      diagnostic.message = fmt::format("too many errors: stopping after the first {} in this file", kMaxErrorsPerFile);
      diagnostic.underline_width = 1;
      sink.report(std::move(diagnostic));
      break;
    }
    sink.report(std::move(diagnostic));
  }
  return root;
}

ParseResult parse(const SourceFile& file, const ParseOptions& options) {
  DiagnosticSink sink;
  ParseResult result;
  result.root = parse(file, sink, options);
  result.diagnostics = sink.take();
  return result;
}

namespace detail {

bool is_closing_keyword(const Token& token) {
  if (token.kind != TokenKind::Keyword) return false;
  const std::string& word = token.text;
  return word == "end" || word == "else" || word == "elseif" || word == "catch" ||
         word == "finally";
}

bool is_assignment_operator(const Token& token) {
  if (token.kind != TokenKind::Operator) return false;
  std::string_view op = undotted_operator(token.text);
  if (op == "=" && token.text == ".=") return true;
  for (std::string_view candidate :
       {"=", "+=", "-=", "*=", "/=", "^=", "%=", "÷=", "|=", "&=", "\\="}) {
    if (op == candidate) return true;
  }
  return false;
}

bool is_number_literal(const Node& node) {
  return (node.kind == NodeKind::Int || node.kind == NodeKind::Float64 ||
          node.kind == NodeKind::Float32) &&
         !node.is_parenthesized;
}

Parser::Parser(const SourceFile& file, const std::vector<Token>& tokens, DiagnosticSink& sink,
               const ParseOptions& options, int depth)
    : file_(file), tokens_(tokens), sink_(sink), options_(options), depth_(depth) {
  context_ = block_context();
}

NodePtr Parser::parse_file() {
  NodePtr root = parse_block(BlockOwner{}, {});
  root->span = {0, file_.size()};
  return root;
}

NodePtr Parser::parse_interpolation(Span where) {
  ContextScope scope(*this, bracket_context(false), true);
  if (peek().kind == TokenKind::EndOfFile) {
    error_expected("an expression inside '$( )'");
    return error_node();
  }
  NodePtr expression = parse_expr();
  if (peek().kind != TokenKind::EndOfFile)
    error_unclosed(")", "$(", {where.begin, where.begin + 2});
  return expression;
}

// ---- cursor ---------------------------------------------------------------------------------

const Token& Parser::peek() {
  if (context_.skip_newlines) {
    while (tokens_[pos_].kind == TokenKind::Newline) ++pos_;
  }
  return tokens_[pos_];
}

const Token& Parser::peek_raw(std::size_t ahead) const {
  return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
}

const Token& Parser::take() {
  const Token& token = peek();
  if (token.kind != TokenKind::EndOfFile) {
    last_taken_ = pos_++;
    taken_any_ = true;
  }
  return token;
}

bool Parser::accept_op(std::string_view op) {
  if (!at_op(op)) return false;
  take();
  return true;
}

void Parser::skip_newlines() {
  while (tokens_[pos_].kind == TokenKind::Newline) ++pos_;
}

bool Parser::at_line_start() {
  peek();
  return pos_ > 0 && tokens_[pos_ - 1].kind == TokenKind::Newline;
}

bool Parser::at_statement_end() {
  const Token& token = peek();
  return token.kind == TokenKind::Newline || token.kind == TokenKind::EndOfFile ||
         token.is_op(";") || is_closing_keyword(token) || at_line_start();
}

uint32_t Parser::last_end() const {
  return taken_any_ ? tokens_[last_taken_].span.end : tokens_[0].span.begin;
}

std::string Parser::found() { return describe_token(peek(), file_); }

ParseContext Parser::block_context() const {
  ParseContext context;
  return context;
}

ParseContext Parser::bracket_context(bool index) const {
  ParseContext context;
  context.skip_newlines = true;
  context.end_is_index = index || context_.end_is_index;
  return context;
}

ParseContext Parser::row_context(bool index) const {
  ParseContext context = bracket_context(index);
  context.skip_newlines = false;  // a line break ends a row
  context.space_sensitive = true;  // [f (x)] is two elements
  context.matrix_row = true;       // [1 -2] too
  return context;
}

ContextScope::ContextScope(Parser& parser, ParseContext context, bool bracket)
    : parser_(parser), saved_(parser.context_), bracket_(bracket) {
  parser_.context_ = context;
  if (bracket_) ++parser_.bracket_depth_;
}

ContextScope::~ContextScope() {
  parser_.context_ = saved_;
  if (bracket_) --parser_.bracket_depth_;
}

// ---- nesting --------------------------------------------------------------------------------

bool Parser::enter_nesting() {
  return ++depth_ <= options_.max_nesting_depth ||
         report_too_deep(fmt::format("expression is nested too deeply (more than {} levels)", options_.max_nesting_depth));
}

bool Parser::enter_chain_link() {
  return ++chain_links_ <= options_.max_chain_links ||
         report_too_deep(fmt::format("expression is too long (a chain of more than {} operators or elseif branches)",
                                     options_.max_chain_links));
}

bool Parser::report_too_deep(const std::string& message) {
  // Said once per file: everything nested deeper fails the same way.
  if (nesting_reported_) {
    if (!panicking_) start_recovery();
    return false;
  }
  nesting_reported_ = true;
  error_at(peek().span, message);
  return false;
}

Nesting::~Nesting() { (chain_ ? parser_.chain_links_ : parser_.depth_) -= levels_; }

bool Nesting::enter() {
  ++levels_;
  return chain_ ? parser_.enter_chain_link() : parser_.enter_nesting();
}

// ---- errors and recovery --------------------------------------------------------------------

void Parser::start_recovery() {
  panicking_ = true;
  peek();
  error_pos_ = pos_;
  error_bracket_depth_ = bracket_depth_;
  error_at_line_start_ = at_line_start();
}

void Parser::error_at(Span span, std::string message) {
  if (panicking_) return;
  start_recovery();
  sink_.error(file_, span, std::move(message));
}

void Parser::error_expected(std::string_view expected) {
  if (panicking_) return;
  const Token& token = peek();
  if (token.kind == TokenKind::Invalid) {
    // The lexer has already reported this character: recover without a second message.
    start_recovery();
    return;
  }
  error_at(token.span, fmt::format("expected {}, found {}", expected, found()));
}

void Parser::error_unclosed(std::string_view closer, std::string_view opener_text, Span opener) {
  if (panicking_) return;
  const Token& token = peek();
  if (token.kind == TokenKind::Invalid) {
    start_recovery();
    return;
  }
  // At the end of the file the useful place to show is the opener.
  Span where = token.kind == TokenKind::EndOfFile ? opener : token.span;
  error_at(where, fmt::format("expected '{}' to close '{}' at {}, found {}", closer, opener_text,
                              format_location(file_.location(opener.begin)), found()));
}

void Parser::note_error(Span span, std::string message) {
  if (panicking_) return;
  sink_.error(file_, span, std::move(message));
}

uint32_t Parser::expect_closer(std::string_view closer, std::string_view opener_text, Span opener) {
  if (at_op(closer)) return take().span.end;
  error_unclosed(closer, opener_text, opener);
  return last_end();
}

NodePtr Parser::error_node() {
  const Token& token = peek();
  return make_node(NodeKind::Error, token.span);
}

namespace {

int bracket_delta(const Token& token) {
  if (token.kind != TokenKind::Operator) return 0;
  if (token.text == "(" || token.text == "[" || token.text == "{") return 1;
  if (token.text == ")" || token.text == "]" || token.text == "}") return -1;
  return 0;
}

// Keywords that, first on a line, surely start a new statement: recovery stops there even
// inside an unclosed bracket.
bool starts_statement(const Token& token) {
  if (token.kind != TokenKind::Keyword) return false;
  for (std::string_view keyword :
       {"function", "struct", "module", "using",  "import", "const",  "return",
        "for",      "while",  "if",     "let",    "try",    "begin",  "local",
        "global",   "end",    "else",   "elseif", "catch",  "finally"}) {
    if (token.text == keyword) return true;
  }
  return false;
}

}  // namespace

bool Parser::follows_value(std::size_t index) const {
  if (index == 0) return false;
  const Token& previous = tokens_[index - 1];
  if (previous.kind != TokenKind::Operator) return previous.kind != TokenKind::Newline;
  return previous.text == ")" || previous.text == "]" || previous.text == "}";
}

void Parser::synchronize(std::size_t statement_start) {
  if (!panicking_) return;
  panicking_ = false;

  // The statement was cut short by a line break (say, a missing ')'): the next line is a new
  // statement, so there is nothing to skip.
  if (error_at_line_start_ && pos_ == error_pos_ && pos_ > statement_start) return;

  // Brackets still open where the error was, plus those opened and closed since.
  int depth = error_bracket_depth_ - bracket_depth_;
  for (std::size_t i = std::min(error_pos_, pos_); i < pos_; ++i)
    depth += bracket_delta(tokens_[i]);
  depth = std::max(depth, 0);

  while (true) {
    const Token& token = tokens_[pos_];
    if (token.kind == TokenKind::EndOfFile) return;
    bool line_start = pos_ > 0 && tokens_[pos_ - 1].kind == TokenKind::Newline;
    if (line_start && pos_ > statement_start && starts_statement(token)) return;
    if (depth == 0) {
      if (token.kind == TokenKind::Newline || token.is_op(";")) {
        ++pos_;
        return;
      }
      if (is_closing_keyword(token)) return;
    } else if (is_closing_keyword(token) && (!token.is_keyword("end") || follows_value(pos_))) {
      // Inside a bracket `end` may be an index (a[end]); after a value it closes a block.
      return;
    }
    depth = std::max(depth + bracket_delta(token), 0);
    last_taken_ = pos_++;
    taken_any_ = true;
  }
}

}  // namespace detail
}  // namespace tsr::syntax
