#include "token.hpp"

#include <fmt/format.h>

namespace tsr::syntax {

std::string_view token_kind_name(TokenKind kind) {
  switch (kind) {
    case TokenKind::EndOfFile: return "end of file";
    case TokenKind::Newline: return "newline";
    case TokenKind::Identifier: return "identifier";
    case TokenKind::Keyword: return "keyword";
    case TokenKind::Operator: return "operator";
    case TokenKind::Integer: return "integer";
    case TokenKind::Float64: return "float";
    case TokenKind::Float32: return "Float32";
    case TokenKind::String: return "string";
    case TokenKind::Char: return "character";
    case TokenKind::Macro: return "macro";
    case TokenKind::Invalid: return "invalid character";
  }
  return "token";
}

namespace {

// Long literals are cut so that a message stays on one line.
std::string abbreviate(std::string_view text) {
  constexpr std::size_t kMax = 24;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax)) + "...";
}

}  // namespace

std::string describe_token(const Token& token, const SourceFile& file) {
  std::string_view raw = file.slice(token.span);
  switch (token.kind) {
    case TokenKind::EndOfFile:
      // Inside `$( ... )` the stream ends at the closing parenthesis.
      return token.text == ")" ? "')'" : "end of file";
    case TokenKind::Newline: return "end of line";
    case TokenKind::Identifier: return fmt::format("identifier '{}'", token.text);
    case TokenKind::Keyword:
    case TokenKind::Operator: return fmt::format("'{}'", raw);
    case TokenKind::Integer: return fmt::format("integer '{}'", abbreviate(raw));
    case TokenKind::Float64:
    case TokenKind::Float32: return fmt::format("number '{}'", abbreviate(raw));
    case TokenKind::String: return fmt::format("string {}", abbreviate(raw));
    case TokenKind::Char: return fmt::format("character {}", abbreviate(raw));
    case TokenKind::Macro: return fmt::format("macro '{}'", token.text);
    case TokenKind::Invalid: return fmt::format("invalid character '{}'", raw);
  }
  return "token";
}

bool is_keyword(std::string_view word) {
  // `abstract`, `mutable`, `type` and `semantic` are contextual (as in Julia): they are
  // keywords only in `abstract type`, `mutable struct` and `semantic Name <: Parent`, so that
  // `type` and friends stay usable as ordinary names.
  static constexpr std::string_view kKeywords[] = {
      "function", "end",    "if",       "elseif",  "else",   "while", "for",
      "in",       "break",  "continue", "return",  "struct", "where", "let",
      "begin",    "try",    "catch",    "finally", "true",   "false", "nothing",
      "using",    "import", "local",    "global",  "const",  "do",    "module"};
  for (std::string_view keyword : kKeywords) {
    if (keyword == word) return true;
  }
  return false;
}

}  // namespace tsr::syntax
