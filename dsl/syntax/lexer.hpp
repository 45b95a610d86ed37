// The Tessera lexer: source text to tokens (token.hpp).
//
// Decisions that shape the parser:
// - Line breaks are tokens (TokenKind::Newline). The lexer does not know whether it is inside
//   brackets; the parser skips newlines where they mean nothing (inside ( [ {, after a binary
//   operator or a comma). Runs of blank and comment-only lines fold into one Newline token.
// - `Token::space_before` is kept for the few places where Julia's syntax is space-sensitive:
//   `@localmem Float32 (16, 16)` passes two arguments while `f(16)` is a call.
// - A string literal is one token; a triple-quoted one is dedented here, as Julia's parser does
//   (lexer_literals.cpp), so the parser sees the final text pieces.
// - A string literal is one token. Its `$(expr)` pieces are lexed on the spot (so that a `)` or
//   `"` inside them does not end the string) and handed to the parser as token lists.
// - `'` is the adjoint operator right after a value (`x'`), otherwise it opens a character.
// - Errors (bad characters, unterminated strings, bad escapes, out-of-range numbers) go to the
//   sink; the lexer always produces a token stream that ends with EndOfFile.
#pragma once

#include <string_view>
#include <vector>

#include "source.hpp"
#include "token.hpp"

namespace tsr::syntax {

std::vector<Token> lex(const SourceFile& file, DiagnosticSink& sink);

class Lexer {
 public:
  // Interpolations nest (`"$("$(x)")"`); beyond this depth the lexer reports and gives up.
  static constexpr int kMaxInterpolationDepth = 256;

  Lexer(const SourceFile& file, DiagnosticSink& sink);
  std::vector<Token> tokenize();

 private:
  // lexer.cpp: trivia, dispatch, names and operators.
  Token next_token();
  bool skip_trivia();  // spaces, tabs, comments; true if anything was skipped
  void skip_block_comment();
  Token make_token(TokenKind kind, uint32_t begin);
  Token lex_name();
  Token lex_macro_name();
  Token lex_operator();
  bool previous_ends_value() const;  // decides `'` (adjoint vs char) and `.5`

  // lexer_literals.cpp: numbers, strings, characters.
  Token lex_number();
  Token lex_string();
  // r"pattern"flags (as the tokens of Regex("pattern", "flags")) and raw"text" (a string
  // token), after `prefix` (the r or raw): the text as written but for \" (a quote); flags are
  // the letters right after the closing quote.
  void lex_raw_literal(const Token& prefix, std::vector<Token>& out);
  Token lex_char();
  // Reads one escape sequence after a backslash and appends its value; false if invalid.
  bool read_escape(std::string& out);
  void lex_interpolation(Token& string, uint32_t dollar);

  void error(Span span, std::string message);
  char peek_char(uint32_t ahead = 0) const;
  bool at_end() const { return pos_ >= text_.size(); }

  const SourceFile& file_;
  std::string_view text_;
  DiagnosticSink& sink_;
  uint32_t pos_ = 0;
  TokenKind previous_kind_ = TokenKind::Newline;
  std::string previous_text_;
  uint32_t previous_end_ = 0;  // end of the last token that was not a newline
  int interpolation_depth_ = 0;
};

// Shared by the lexer's pieces.
namespace lexer_detail {
bool is_identifier_start(char32_t code_point);
bool is_identifier_continue(char32_t code_point);
}  // namespace lexer_detail

}  // namespace tsr::syntax
