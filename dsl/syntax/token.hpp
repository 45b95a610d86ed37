// Tokens of the Tessera language, as produced by the lexer (lexer.hpp).
//
// Operators, punctuation and keywords are told apart by their text rather than by one enum
// value each: the parser reads `at_op("::")`, which is as fast as it needs to be and keeps the
// operator table in one place (lexer.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "source.hpp"

namespace tsr::syntax {

enum class TokenKind : uint8_t {
  EndOfFile,
  Newline,     // one or more line breaks (blank and comment-only lines fold into one)
  Identifier,  // also the contextual keywords `abstract`, `mutable`, `type`, `semantic`, `isa`
  Keyword,     // `function`, `end`, ... (see is_keyword)
  Operator,    // operators and punctuation, normalized: `≤` has text "<="
  Integer,
  Float64,
  Float32,  // `2.5f0`
  String,   // "..." with its pieces in `parts`
  Char,     // 'c'
  Macro,    // `@kernel`: text holds "@kernel"
  Invalid,  // a character that starts no token; the lexer has reported it
};

std::string_view token_kind_name(TokenKind kind);

struct Token;

// One piece of a string literal: plain text, `$name` or `$(expression)`.
struct StringPart {
  enum class Kind : uint8_t { Text, Name, Expression };
  Kind kind = Kind::Text;
  std::string text;  // Text: the decoded characters; Name: the identifier
  Span span;         // Text: the raw characters; Name: the identifier; Expression: `$( ... )`
  // Expression: the tokens between the parentheses, ending with an EndOfFile token that sits on
  // the closing ')' (its text is ")" so that messages say "found ')'").
  std::shared_ptr<const std::vector<Token>> tokens;
};

struct Token {
  TokenKind kind = TokenKind::EndOfFile;
  Span span;
  // Identifier/Keyword/Operator/Macro: the (normalized) spelling. String/Char: decoded value.
  std::string text;
  bool space_before = false;      // whitespace or a comment separates it from the previous token
  int64_t int_value = 0;          // Integer; Char: the code point
  double float_value = 0;         // Float64; Float32 (already rounded to float precision)
  std::vector<StringPart> parts;  // String only

  bool is(TokenKind k, std::string_view spelling) const { return kind == k && text == spelling; }
  bool is_op(std::string_view spelling) const { return is(TokenKind::Operator, spelling); }
  bool is_keyword(std::string_view spelling) const { return is(TokenKind::Keyword, spelling); }
};

// How messages name a token in "found ...": 'end', ')', identifier 'x', integer '10',
// end of line, end of file.
std::string describe_token(const Token& token, const SourceFile& file);

bool is_keyword(std::string_view word);

}  // namespace tsr::syntax
