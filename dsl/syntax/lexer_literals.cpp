// Literal tokens: integers (`1`, `1_000`, `0xff`), floats (`2.5`, `1e-3`, `2.5f0`), strings
// with escapes and `$` interpolation, and characters.
#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <limits>
#include <optional>

#include "lexer.hpp"

namespace tsr::syntax {

namespace {

bool is_digit(char c, int base) {
  if (base == 2) return c == '0' || c == '1';
  if (base == 8) return c >= '0' && c <= '7';
  if (base == 16) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  return c >= '0' && c <= '9';
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool is_operator_char(char c) {
  return std::string_view("+-*/\\^%&|!~<>=.:?'$").find(c) != std::string_view::npos;
}

}  // namespace

Token Lexer::lex_number() {
  uint32_t begin = pos_;
  int base = 10;
  if (peek_char() == '0' && (peek_char(1) == 'x' || peek_char(1) == 'b' || peek_char(1) == 'o')) {
    base = peek_char(1) == 'x' ? 16 : peek_char(1) == 'b' ? 2 : 8;
    pos_ += 2;
  }

  // Digits with `_` separators between them; `digits` keeps only the digits.
  std::string digits;
  auto read_digits = [&](int digit_base) {
    while (!at_end()) {
      if (is_digit(text_[pos_], digit_base)) {
        digits += text_[pos_++];
      } else if (text_[pos_] == '_' && !digits.empty() && is_digit(peek_char(1), digit_base)) {
        ++pos_;
      } else {
        break;
      }
    }
  };

  if (base != 10) {
    read_digits(base);
    Token token = make_token(TokenKind::Integer, begin);
    if (digits.empty()) {
      error(token.span,
            fmt::format("expected digits after '{}', found {}", file_.slice(token.span),
                        at_end() ? std::string("end of file") : fmt::format("'{}'", text_[pos_])));
      return token;
    }
    uint64_t value = 0;
    bool overflow = false;
    for (char c : digits) {
      uint64_t next = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(digit_value(c));
      if (next / static_cast<uint64_t>(base) != value) overflow = true;
      value = next;
    }
    // Hexadecimal, octal and binary literals are unsigned (UInt8 ... UInt64 by their digits,
    // as Julia's): all 64 bits are theirs (0xffffffffffffffff), kept in int_value's bits.
    if (overflow) {
      error(token.span, fmt::format("integer literal {} does not fit in UInt64 (largest is 0xffffffffffffffff)",
                                    file_.slice(token.span)));
    } else {
      token.int_value = static_cast<int64_t>(value);
    }
    return token;
  }

  read_digits(10);
  bool is_float = false;
  if (peek_char() == '.' && peek_char(1) != '.') {
    char after = peek_char(1);
    std::size_t length = 1;
    char32_t after_code_point = utf8::decode(text_, pos_ + 1, &length);
    if (is_digit(after, 10)) {
      is_float = true;
      digits += text_[pos_++];
      read_digits(10);
    } else if (!is_operator_char(after) && !lexer_detail::is_identifier_start(after_code_point)) {
      // `1.` is 1.0 (but `1.+x` is `1 .+ x` and `1.e5` is not written in practice).
      is_float = true;
      digits += text_[pos_++];
    }
  }
  TokenKind kind = is_float ? TokenKind::Float64 : TokenKind::Integer;
  char marker = peek_char();
  char sign = peek_char(1);
  bool signed_exponent = (sign == '+' || sign == '-') && is_digit(peek_char(2), 10);
  if ((marker == 'e' || marker == 'E' || marker == 'f') &&
      (is_digit(sign, 10) || signed_exponent)) {
    kind = marker == 'f' ? TokenKind::Float32 : TokenKind::Float64;
    digits += 'e';
    ++pos_;
    if (signed_exponent) digits += text_[pos_++];
    read_digits(10);
  }

  Token token = make_token(kind, begin);
  const char* first = digits.data();
  const char* last = digits.data() + digits.size();
  if (kind == TokenKind::Integer) {
    auto [end, ec] = std::from_chars(first, last, token.int_value);
    if (ec != std::errc() || end != last) {
      error(token.span, fmt::format("integer literal {} does not fit in Int64 (largest is {})",
                                    file_.slice(token.span), std::numeric_limits<int64_t>::max()));
      token.int_value = 0;
    }
    return token;
  }

  // A result out of range is an overflow unless the exponent is negative (then it underflows
  // to zero, as in Julia).
  bool negative_exponent = digits.find("e-") != std::string::npos;
  std::string_view type_name = kind == TokenKind::Float32 ? "Float32" : "Float64";
  std::errc ec;
  if (kind == TokenKind::Float32) {
    float value = 0;
    ec = std::from_chars(first, last, value).ec;
    token.float_value = value;
  } else {
    ec = std::from_chars(first, last, token.float_value).ec;
  }
  if (ec == std::errc::result_out_of_range && negative_exponent) {
    token.float_value = 0;
  } else if (ec != std::errc()) {
    error(token.span,
          fmt::format("number {} is out of range for {}", file_.slice(token.span), type_name));
    token.float_value = 0;
  }
  return token;
}

bool Lexer::read_escape(std::string& out) {
  uint32_t begin = pos_;
  char c = peek_char(1);
  pos_ += 2;
  switch (c) {
    case 'n': out += '\n'; return true;
    case 't': out += '\t'; return true;
    case 'r': out += '\r'; return true;
    case '0': out += '\0'; return true;
    case 'a': out += '\a'; return true;
    case 'b': out += '\b'; return true;
    case 'f': out += '\f'; return true;
    case 'v': out += '\v'; return true;
    case 'e': out += '\x1b'; return true;
    case '\\':
    case '"':
    case '\'':
    case '$': out += c; return true;
    case '\n':
      // A backslash at the end of a line joins it to the next, dropping the indentation.
      while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
      return true;
    case 'x':
    case 'u':
    case 'U': {
      int max_digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
      uint32_t value = 0;
      int count = 0;
      while (count < max_digits && is_digit(peek_char(), 16)) {
        value = value * 16 + static_cast<uint32_t>(digit_value(text_[pos_++]));
        ++count;
      }
      if (count == 0 || (c != 'x' && (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)))) {
        error({begin, pos_}, fmt::format("invalid escape sequence '{}' in string: expected "
                                         "hexadecimal digits for a valid code point",
                                         text_.substr(begin, pos_ - begin)));
        return false;
      }
      if (c == 'x') {
        out += static_cast<char>(value);  // a raw byte, as in Julia
      } else {
        utf8::append(out, value);
      }
      return true;
    }
    default: {
      if (begin + 1 >= text_.size()) {
        pos_ = begin + 1;
        return false;
      }
      std::size_t length = 1;
      utf8::decode(text_, begin + 1, &length);
      pos_ = begin + 1 + static_cast<uint32_t>(length);
      error({begin, pos_},
            fmt::format("invalid escape sequence '{}' in string: expected one of \\n \\t \\r "
                        "\\\\ \\\" \\$ \\xHH \\uHHHH",
                        text_.substr(begin, pos_ - begin)));
      out.append(text_.substr(begin + 1, length));
      return false;
    }
  }
}

namespace {

// A line of a triple-quoted string after the first: where it starts in the decoded parts and
// the spaces and tabs that begin it in the source.
struct TripleLine {
  std::size_t part = 0;    // index in token.parts of the text part holding the line's start
  std::size_t offset = 0;  // where the line starts in that part's text
  std::string indent;      // the raw spaces and tabs at its start
  bool blank = false;      // nothing but spaces and tabs before the line break
  bool joined = false;     // follows a `\`-newline, which already dropped the indentation
};

// Julia's dedent of """...""": the longest common run of spaces and tabs at the start of every
// line after the first, not counting lines of only spaces and tabs (but counting the line of
// the closing quotes), is removed from each of those lines that starts with it; then a line
// break right after the opening quotes is dropped (so it is not part of the dedent).
void dedent_triple_quoted(Token& token, std::vector<TripleLine>& lines, bool opens_with_newline) {
  std::optional<std::string> common;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const TripleLine& line = lines[i];
    if (line.blank && i + 1 != lines.size()) continue;
    if (!common) {
      common = line.indent;
      continue;
    }
    std::size_t n = 0;
    while (n < common->size() && n < line.indent.size() && (*common)[n] == line.indent[n]) ++n;
    common->resize(n);
  }
  std::size_t cut = common ? common->size() : 0;
  for (std::size_t i = lines.size(); i-- > 0;) {
    const TripleLine& line = lines[i];
    if (cut == 0 || line.joined || line.indent.compare(0, cut, *common) != 0) continue;
    token.parts[line.part].text.erase(line.offset, cut);
  }
  if (opens_with_newline && !token.parts.empty() && token.parts[0].kind == StringPart::Kind::Text)
    token.parts[0].text.erase(0, 1);
  token.text.clear();
  for (const StringPart& part : token.parts)
    if (part.kind == StringPart::Kind::Text) token.text += part.text;
}

}  // namespace

void Lexer::lex_raw_literal(const Token& prefix, std::vector<Token>& out) {
  uint32_t begin = prefix.span.begin;
  bool triple = text_.substr(pos_, 3) == "\"\"\"";
  pos_ += triple ? 3 : 1;
  uint32_t text_begin = pos_;
  std::string text;
  bool terminated = false;
  while (!at_end()) {
    char c = text_[pos_];
    if (c == '"' && (!triple || text_.substr(pos_, 3) == "\"\"\"")) {
      terminated = true;
      break;
    }
    if (c == '\\' && peek_char(1) == '"') {
      text += '"';
      pos_ += 2;
      continue;
    }
    if (!triple && c == '\n') break;
    text += c;
    ++pos_;
  }
  uint32_t text_end = pos_;
  if (!terminated) {
    error({begin, pos_}, std::string("unterminated ") + (prefix.text == "r" ? "regular expression r\"...\"" : "raw string"));
  } else {
    pos_ += triple ? 3 : 1;
  }
  std::string flags;
  if (prefix.text == "r")
    while (!at_end() && std::isalpha(static_cast<unsigned char>(text_[pos_]))) flags += text_[pos_++];
  Span all{begin, pos_};
  auto string_token = [&](std::string value, Span span) {
    Token t;
    t.kind = TokenKind::String;
    t.span = span;
    t.text = value;
    if (!value.empty()) t.parts.push_back({StringPart::Kind::Text, std::move(value), span, nullptr});
    return t;
  };
  auto op = [&](const char* spelling) {
    Token t;
    t.kind = TokenKind::Operator;
    t.span = all;
    t.text = spelling;
    return t;
  };
  if (prefix.text == "raw") {
    Token t = string_token(std::move(text), all);
    t.space_before = prefix.space_before;
    out.push_back(std::move(t));
  } else {
    Token callee = prefix;
    callee.text = "Regex";
    callee.span = all;
    out.push_back(std::move(callee));
    out.push_back(op("("));
    out.push_back(string_token(std::move(text), {text_begin, text_end}));
    out.push_back(op(","));
    out.push_back(string_token(std::move(flags), all));
    out.push_back(op(")"));
  }
  previous_kind_ = prefix.text == "raw" ? TokenKind::String : TokenKind::Operator;
  previous_text_ = prefix.text == "raw" ? std::string() : std::string(")");
  previous_end_ = pos_;
}

Token Lexer::lex_string() {
  uint32_t begin = pos_;
  // """...""": may span lines, holds lone quotes, and loses its common indentation.
  bool triple = text_.substr(pos_, 3) == "\"\"\"";
  pos_ += triple ? 3 : 1;
  bool opens_with_newline = triple && peek_char() == '\n';
  Token token;
  token.kind = TokenKind::String;
  std::string text;  // the text part being read
  uint32_t text_begin = pos_;
  std::string all_text;  // every text part, for token.text
  auto flush_text = [&](uint32_t end) {
    if (end > text_begin || !text.empty()) {
      all_text += text;
      token.parts.push_back({StringPart::Kind::Text, std::move(text), {text_begin, end}, nullptr});
      text.clear();
    }
  };
  std::vector<TripleLine> lines;
  // At the start of a line of a triple-quoted string (after its line break was read).
  auto start_line = [&](bool joined) {
    TripleLine line;
    line.part = token.parts.size();  // `text` becomes that part when flushed
    line.offset = text.size();
    line.joined = joined;
    uint32_t p = pos_;
    while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t')) line.indent += text_[p++];
    line.blank = p < text_.size() && text_[p] == '\n';
    lines.push_back(std::move(line));
  };

  bool terminated = false;
  bool gave_up = false;  // an interpolation ran to the end of the file and said so
  while (!at_end()) {
    char c = text_[pos_];
    if (c == '"' && (!triple || text_.substr(pos_, 3) == "\"\"\"")) {
      flush_text(pos_);
      pos_ += triple ? 3 : 1;
      terminated = true;
      break;
    }
    if (triple && c == '\n') {
      text += c;
      ++pos_;
      start_line(false);
    } else if (c == '\\') {
      if (triple && peek_char(1) == '\n') {
        pos_ += 2;
        start_line(true);
        pos_ -= 2;
      }
      read_escape(text);
    } else if (c == '$' && peek_char(1) == '(') {
      flush_text(pos_);
      std::size_t errors_before = sink_.error_count();
      lex_interpolation(token, pos_);
      text_begin = pos_;
      if (at_end()) {
        gave_up = sink_.error_count() > errors_before;
        break;
      }
    } else if (c == '$') {
      std::size_t length = 1;
      char32_t next = utf8::decode(text_, pos_ + 1, &length);
      if (lexer_detail::is_identifier_start(next)) {
        flush_text(pos_);
        uint32_t name_begin = ++pos_;
        while (!at_end()) {
          char32_t code_point = utf8::decode(text_, pos_, &length);
          bool bang = code_point == '!' && peek_char(1) != '=';
          if (!lexer_detail::is_identifier_continue(code_point) && !bang) break;
          pos_ += static_cast<uint32_t>(length);
        }
        std::string name(text_.substr(name_begin, pos_ - name_begin));
        token.parts.push_back({StringPart::Kind::Name, name, {name_begin, pos_}, nullptr});
        text_begin = pos_;
      } else {
        error({pos_, pos_ + 1},
              fmt::format("expected a name or '(' after '$' in a string (write \\$ for a dollar "
                          "sign), found {}",
                          next == '"' || next == 0
                              ? std::string("the end of the string")
                              : fmt::format("'{}'", text_.substr(pos_ + 1, length))));
        text += c;
        ++pos_;
      }
    } else {
      text += c;
      ++pos_;
    }
  }
  if (!terminated) {
    flush_text(pos_);
    if (!gave_up) {
      error({begin, begin + (triple ? 3u : 1u)},
            fmt::format("expected '{}' to close the string at {}, found end of file",
                        triple ? "\"\"\"" : "\"", format_location(file_.location(begin))));
    }
  }
  token.span = {begin, pos_};
  token.text = std::move(all_text);
  if (triple) dedent_triple_quoted(token, lines, opens_with_newline);
  return token;
}

void Lexer::lex_interpolation(Token& string, uint32_t dollar) {
  pos_ += 2;  // `$(`
  if (interpolation_depth_ >= kMaxInterpolationDepth) {
    error({dollar, dollar + 2},
          fmt::format("string interpolation is nested too deeply (the limit is {} levels)",
                      kMaxInterpolationDepth));
    pos_ = static_cast<uint32_t>(text_.size());
    return;
  }
  ++interpolation_depth_;
  TokenKind saved_kind = previous_kind_;
  std::string saved_text = previous_text_;
  previous_kind_ = TokenKind::Operator;
  previous_text_.assign(1, '(');

  auto tokens = std::make_shared<std::vector<Token>>();
  int depth = 0;
  std::size_t errors_before = sink_.error_count();
  while (true) {
    Token token = next_token();
    if (token.kind == TokenKind::EndOfFile) {
      // An unterminated string inside has already said what is wrong.
      if (sink_.error_count() == errors_before) {
        error({dollar, dollar + 2},
              fmt::format("expected ')' to close '$(' at {}, found end of file",
                          format_location(file_.location(dollar))));
      }
      tokens->push_back(std::move(token));
      break;
    }
    if (token.kind == TokenKind::Operator) {
      const std::string& op = token.text;
      if (op == "(" || op == "[" || op == "{") {
        ++depth;
      } else if (op == ")" && depth == 0) {
        token.kind = TokenKind::EndOfFile;
        tokens->push_back(std::move(token));
        break;
      } else if ((op == ")" || op == "]" || op == "}") && depth > 0) {
        --depth;
      }
    }
    tokens->push_back(std::move(token));
  }
  --interpolation_depth_;
  previous_kind_ = saved_kind;
  previous_text_ = std::move(saved_text);
  string.parts.push_back({StringPart::Kind::Expression, "", {dollar, pos_}, std::move(tokens)});
}

Token Lexer::lex_char() {
  uint32_t begin = pos_++;
  Token token;
  token.kind = TokenKind::Char;
  auto fail = [&](std::string found) {
    token.span = {begin, pos_};
    error(token.span, fmt::format("expected a character and ''' after ''', found {}", found));
    return token;
  };
  if (at_end()) return fail("end of file");
  if (peek_char() == '\n') return fail("end of line");
  if (peek_char() == '\'') {
    ++pos_;
    return fail("''' (a character literal holds exactly one character)");
  }

  std::string value;
  if (peek_char() == '\\') {
    read_escape(value);
  } else {
    std::size_t length = 1;
    utf8::decode(text_, pos_, &length);
    value = std::string(text_.substr(pos_, length));
    pos_ += static_cast<uint32_t>(length);
  }
  if (peek_char() != '\'') {
    std::string found = at_end()              ? "end of file"
                        : peek_char() == '\n' ? "end of line"
                                              : fmt::format("'{}'", peek_char());
    return fail(found);
  }
  ++pos_;
  std::size_t length = 1;
  token.int_value = static_cast<int64_t>(utf8::decode(value, 0, &length));
  token.text = std::move(value);
  token.span = {begin, pos_};
  return token;
}

}  // namespace tsr::syntax
