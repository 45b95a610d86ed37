// The lexer's main loop: trivia, names, macro names and operators. Literals are in
// lexer_literals.cpp.
#include "lexer.hpp"

#include <fmt/format.h>

namespace tsr::syntax {

namespace {

struct OperatorSpelling {
  std::string_view source;      // as written
  std::string_view normalized;  // as the parser sees it
};

// Longest spellings first so that the first match is the longest (maximal munch).
constexpr OperatorSpelling kOperators[] = {
    {"\xC3\xB7=", "÷="},
    {"===", "==="},
    {"!==", "!=="},
    {"...", "..."},
    {">>>", ">>>"},
    {"\xE2\x89\xA4", "<="},
    {"\xE2\x89\xA5", ">="},
    {"\xE2\x89\xA0", "!="},
    {"\xE2\x88\x9A", "√"},
    {"\xE2\x8A\xBB", "⊻"},
    {"\xE2\x88\x89", "∉"},
    {"\xE2\x89\x88", "≈"},
    {"\xE2\x89\x89", "≉"},
    {"\xE2\x88\x98", "∘"},
    {"==", "=="},
    {"!=", "!="},
    {"<=", "<="},
    {">=", ">="},
    {"&&", "&&"},
    {"||", "||"},
    {"::", "::"},
    {"<:", "<:"},
    {">:", ">:"},
    {"->", "->"},
    {"=>", "=>"},
    {"++", "++"},  // its own operator, as in Julia (no method in Base: `1 ++ 2` is an UndefVarError)
    {"+=", "+="},
    {"-=", "-="},
    {"*=", "*="},
    {"/=", "/="},
    {"^=", "^="},
    {"%=", "%="},
    {"|=", "|="},
    {"&=", "&="},
    {"\\=", "\\="},
    {"<<", "<<"},
    {">>", ">>"},
    {"|>", "|>"},
    {"<|", "<|"},
    {"//", "//"},
    {"\xC3\xB7", "÷"},
    {"+", "+"},
    {"-", "-"},
    {"*", "*"},
    {"/", "/"},
    {"\\", "\\"},
    {"^", "^"},
    {"%", "%"},
    {"&", "&"},
    {"|", "|"},
    {"!", "!"},
    {"~", "~"},
    {"<", "<"},
    {">", ">"},
    {"=", "="},
    {".", "."},
    {":", ":"},
    {"?", "?"},
    {",", ","},
    {";", ";"},
    {"(", "("},
    {")", ")"},
    {"[", "["},
    {"]", "]"},
    {"{", "{"},
    {"}", "}"},
    {"$", "$"},
};

// Operators that take a leading dot to broadcast: `.+`, `.==`, `.=`, `.+=`, `.!`, ...
bool is_dottable(std::string_view op) {
  static constexpr std::string_view kDottable[] = {
      "+",   "-",  "*", "/",  "\\", "^",  "%",  "÷",  "==", "!=", "===",
      "!==", "<",  ">", "<=", ">=", "&&", "||", "!",  "~",  "&",  "|",
      "<<",  ">>", "=", "+=", "-=", "*=", "/=", "^=", "%=", "÷=", "⊻"};
  for (std::string_view candidate : kDottable) {
    if (candidate == op) return true;
  }
  return false;
}

const OperatorSpelling* match_operator(std::string_view rest) {
  for (const OperatorSpelling& spelling : kOperators) {
    if (rest.substr(0, spelling.source.size()) == spelling.source) return &spelling;
  }
  return nullptr;
}

constexpr char32_t kElementOf = 0x2208;  // ∈, a spelling of the keyword `in`

}  // namespace

namespace lexer_detail {

bool is_identifier_start(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  // Beyond ASCII be generous (Greek letters, subscripts, math letters), but leave out the
  // Latin-1 symbols, general punctuation, our Unicode operators and decoding errors.
  if (c >= 0xA0 && c <= 0xBF) return false;
  if (c == 0xD7 || c == 0xF7) return false;
  if (c >= 0x2000 && c <= 0x206F) return false;
  if (c == kElementOf || c == 0x2264 || c == 0x2265 || c == 0x2260 || c == 0x221A || c == 0x22BB ||
      c == 0x2209 || c == 0x2248 || c == 0x2249 || c == 0x2218 || c == 0xFFFD) {
    return false;
  }
  return true;
}

bool is_identifier_continue(char32_t c) { return is_identifier_start(c) || (c >= '0' && c <= '9'); }

}  // namespace lexer_detail

using lexer_detail::is_identifier_continue;
using lexer_detail::is_identifier_start;

std::vector<Token> lex(const SourceFile& file, DiagnosticSink& sink) {
  return Lexer(file, sink).tokenize();
}

Lexer::Lexer(const SourceFile& file, DiagnosticSink& sink)
    : file_(file), text_(file.text()), sink_(sink) {}

std::vector<Token> Lexer::tokenize() {
  std::vector<Token> tokens;
  while (true) {
    Token token = next_token();
    // r"..." and raw"...", Julia's string macros: a Regex and a string without escapes.
    if (token.kind == TokenKind::Identifier && (token.text == "r" || token.text == "raw") && token.span.end == pos_ &&
        peek_char() == '"') {
      lex_raw_literal(token, tokens);
      continue;
    }
    // Fold runs of line breaks; a file never starts with one.
    if (token.kind == TokenKind::Newline &&
        (tokens.empty() || tokens.back().kind == TokenKind::Newline)) {
      continue;
    }
    bool done = token.kind == TokenKind::EndOfFile;
    tokens.push_back(std::move(token));
    if (done) break;
  }
  return tokens;
}

void Lexer::error(Span span, std::string message) { sink_.error(file_, span, std::move(message)); }

char Lexer::peek_char(uint32_t ahead) const {
  return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
}

Token Lexer::make_token(TokenKind kind, uint32_t begin) {
  Token token;
  token.kind = kind;
  token.span = {begin, pos_};
  return token;
}

bool Lexer::skip_trivia() {
  uint32_t start = pos_;
  while (!at_end()) {
    char c = text_[pos_];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      ++pos_;
    } else if (c == '#' && peek_char(1) == '=') {
      skip_block_comment();
    } else if (c == '#') {
      while (!at_end() && text_[pos_] != '\n') ++pos_;
    } else {
      break;
    }
  }
  return pos_ != start;
}

void Lexer::skip_block_comment() {
  // `#= ... =#` nests, as in Julia, so that commenting out code that has comments works.
  uint32_t open = pos_;
  int depth = 0;
  while (!at_end()) {
    if (text_[pos_] == '#' && peek_char(1) == '=') {
      ++depth;
      pos_ += 2;
    } else if (text_[pos_] == '=' && peek_char(1) == '#') {
      pos_ += 2;
      if (--depth == 0) return;
    } else {
      ++pos_;
    }
  }
  error({open, open + 2}, fmt::format("expected '=#' to close '#=' at {}, found end of file",
                                      format_location(file_.location(open))));
}

bool Lexer::previous_ends_value() const {
  switch (previous_kind_) {
    case TokenKind::Identifier:
    case TokenKind::Integer:
    case TokenKind::Float64:
    case TokenKind::Float32:
    case TokenKind::String:
    case TokenKind::Char: return true;
    case TokenKind::Operator:
      return previous_text_ == ")" || previous_text_ == "]" || previous_text_ == "}" ||
             previous_text_ == "'";
    case TokenKind::Keyword:
      return previous_text_ == "end" || previous_text_ == "true" || previous_text_ == "false" ||
             previous_text_ == "nothing";
    default: return false;
  }
}

Token Lexer::next_token() {
  bool spaced = skip_trivia();
  Token token;
  if (at_end()) {
    token.kind = TokenKind::EndOfFile;
    token.span = {previous_end_, previous_end_};
    return token;
  }

  uint32_t begin = pos_;
  char c = text_[pos_];
  std::size_t length = 1;
  char32_t code_point = utf8::decode(text_, pos_, &length);
  if (c == '\n') {
    ++pos_;
    token = make_token(TokenKind::Newline, begin);
  } else if ((c >= '0' && c <= '9') || (c == '.' && peek_char(1) >= '0' && peek_char(1) <= '9' &&
                                        (spaced || !previous_ends_value()))) {
    token = lex_number();
  } else if (c == '"') {
    token = lex_string();
  } else if (c == '\'') {
    if (previous_ends_value() && !spaced) {
      ++pos_;
      token = make_token(TokenKind::Operator, begin);
      token.text.push_back('\'');
    } else {
      token = lex_char();
    }
  } else if (c == '@') {
    token = lex_macro_name();
  } else if (is_identifier_start(code_point)) {
    token = lex_name();
  } else if (code_point == kElementOf) {
    pos_ += static_cast<uint32_t>(length);
    token = make_token(TokenKind::Keyword, begin);
    token.text = "in";
  } else if (match_operator(text_.substr(pos_))) {
    token = lex_operator();
  } else {
    pos_ += static_cast<uint32_t>(length);
    token = make_token(TokenKind::Invalid, begin);
    error(token.span, fmt::format("expected a name, a number, a string or an operator, found "
                                  "invalid character '{}'",
                                  file_.slice(token.span)));
  }

  // A line break separates too: `2` at the end of a line and `x` on the next are not `2x`.
  token.space_before = spaced || previous_kind_ == TokenKind::Newline;
  if (token.kind != TokenKind::Newline) {
    previous_kind_ = token.kind;
    previous_text_ = token.kind == TokenKind::Operator || token.kind == TokenKind::Keyword
                         ? token.text
                         : std::string();
    previous_end_ = token.span.end;
  } else {
    previous_kind_ = TokenKind::Newline;
  }
  return token;
}

Token Lexer::lex_name() {
  uint32_t begin = pos_;
  while (!at_end()) {
    std::size_t length = 1;
    char32_t c = utf8::decode(text_, pos_, &length);
    // `!` belongs to the name (`saxpy!`) unless it starts `!=`.
    bool bang = c == '!' && peek_char(1) != '=';
    if (!is_identifier_continue(c) && !bang) break;
    pos_ += static_cast<uint32_t>(length);
  }
  Token token = make_token(TokenKind::Identifier, begin);
  token.text = std::string(text_.substr(begin, pos_ - begin));
  if (is_keyword(token.text)) token.kind = TokenKind::Keyword;
  return token;
}

Token Lexer::lex_macro_name() {
  uint32_t begin = pos_++;
  std::size_t length = 1;
  char32_t c = utf8::decode(text_, pos_, &length);
  if (c == '.' && !at_end()) {
    // `@.` broadcasts a whole expression.
    ++pos_;
    Token token = make_token(TokenKind::Macro, begin);
    token.text = "@.";
    return token;
  }
  if (at_end() || !is_identifier_start(c)) {
    Token token = make_token(TokenKind::Invalid, begin);
    std::string found = at_end()                                     ? std::string("end of file")
                        : text_[pos_] == '\n' || text_[pos_] == '\r' ? std::string("end of line")
                        : text_[pos_] == ' ' || text_[pos_] == '\t'
                            ? std::string("a space")
                            : fmt::format("'{}'", text_.substr(pos_, length));
    error(token.span, fmt::format("expected a macro name after '@', found {}", found));
    return token;
  }
  Token name = lex_name();
  Token token = make_token(TokenKind::Macro, begin);
  token.text = "@" + name.text;
  return token;
}

Token Lexer::lex_operator() {
  uint32_t begin = pos_;
  std::string_view rest = text_.substr(pos_);
  const OperatorSpelling* spelling = match_operator(rest);
  std::string text(spelling->normalized);
  pos_ += static_cast<uint32_t>(spelling->source.size());

  // A dot followed by a dottable operator is the broadcasting form of that operator; `...`
  // was matched whole above and `a.b`, `f.(x)` keep the bare dot.
  if (text == ".") {
    const OperatorSpelling* next = match_operator(text_.substr(pos_));
    if (next && is_dottable(next->normalized)) {
      text += next->normalized;
      pos_ += static_cast<uint32_t>(next->source.size());
    }
  }
  Token token = make_token(TokenKind::Operator, begin);
  token.text = std::move(text);
  return token;
}

}  // namespace tsr::syntax
