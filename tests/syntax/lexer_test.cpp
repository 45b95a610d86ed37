// The lexer: token kinds, spellings, literal values, trivia and newline handling.
#include "dsl/syntax/lexer.hpp"

#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "dsl/syntax/ast_printer.hpp"

using namespace tsr::syntax;

namespace {

std::vector<Token> tokens_of(std::string_view code, std::string* rendered_errors = nullptr) {
  SourceFile file("test.tsr", std::string(code));
  DiagnosticSink sink;
  std::vector<Token> tokens = lex(file, sink);
  if (rendered_errors) *rendered_errors = sink.render_all();
  return tokens;
}

// One word per token: x  kw:end  '+'  int:1  f64:2.5  f32:2.5  str:"s"  char:'c'  @time  NL
std::string show(std::string_view code) {
  std::string out;
  for (const Token& token : tokens_of(code)) {
    std::string word;
    switch (token.kind) {
      case TokenKind::EndOfFile: continue;
      case TokenKind::Newline: word = "NL"; break;
      case TokenKind::Identifier: word = token.text; break;
      case TokenKind::Keyword: word = "kw:" + token.text; break;
      case TokenKind::Operator: word = "'" + token.text + "'"; break;
      case TokenKind::Integer: word = fmt::format("int:{}", token.int_value); break;
      case TokenKind::Float64: word = fmt::format("f64:{}", token.float_value); break;
      case TokenKind::Float32:
        word = fmt::format("f32:{}", static_cast<float>(token.float_value));
        break;
      case TokenKind::String: word = "str:" + quote_string(token.text); break;
      case TokenKind::Char: word = "char:" + quote_string(token.text, '\''); break;
      case TokenKind::Macro: word = token.text; break;
      case TokenKind::Invalid: word = "invalid"; break;
    }
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

std::string lex_errors(std::string_view code) {
  std::string errors;
  tokens_of(code, &errors);
  return errors;
}

}  // namespace

TEST_CASE("names, keywords and contextual keywords", "[lexer]") {
  CHECK(show("saxpy! x_1 θ π2 Float32") == "saxpy! x_1 θ π2 Float32");
  CHECK(show("function end if elseif else while for in") ==
        "kw:function kw:end kw:if kw:elseif kw:else kw:while kw:for kw:in");
  CHECK(show("break continue return struct where let begin try catch finally") ==
        "kw:break kw:continue kw:return kw:struct kw:where kw:let kw:begin kw:try kw:catch "
        "kw:finally");
  CHECK(show("true false nothing using import local global const do module") ==
        "kw:true kw:false kw:nothing kw:using kw:import kw:local kw:global kw:const kw:do "
        "kw:module");
  // Contextual: ordinary names for the lexer; include and isa are plain names too.
  CHECK(show("abstract mutable type semantic include isa") ==
        "abstract mutable type semantic include isa");
  // `!` belongs to a name unless it starts `!=`.
  CHECK(show("a!=b") == "a '!=' b");
  CHECK(show("done! !x") == "done! '!' x");
}

TEST_CASE("integer literals", "[lexer]") {
  CHECK(show("0 1 42 1_000 0xff 0xFF_FF 0b101 0o17") ==
        "int:0 int:1 int:42 int:1000 int:255 int:65535 int:5 int:15");
  CHECK(show("9223372036854775807") == "int:9223372036854775807");
  CHECK(lex_errors("9223372036854775808") ==
        "test.tsr:1:1: error: integer literal 9223372036854775808 does not fit in Int64 (largest "
        "is 9223372036854775807)\n9223372036854775808\n^~~~~~~~~~~~~~~~~~~\n");
  // Hexadecimal literals take all 64 bits (UInt64), kept in int_value's bits.
  CHECK(show("0xffffffffffffffff 0x8000000000000000") == "int:-1 int:-9223372036854775808");
  CHECK(lex_errors("0x10000000000000000") ==
        "test.tsr:1:1: error: integer literal 0x10000000000000000 does not fit in UInt64 (largest is "
        "0xffffffffffffffff)\n0x10000000000000000\n^~~~~~~~~~~~~~~~~~~\n");
  CHECK(lex_errors("0x") ==
        "test.tsr:1:1: error: expected digits after '0x', found end of file\n0x\n^~\n");
}

TEST_CASE("float literals, Float32 with an f exponent", "[lexer]") {
  CHECK(show("2.5 1e-3 1E3 2.5e+2 .5 1.") == "f64:2.5 f64:0.001 f64:1000 f64:250 f64:0.5 f64:1");
  CHECK(show("2.5f0 2f0 1f-3 0.1f0") == "f32:2.5 f32:2 f32:0.001 f32:0.1");
  auto tokens = tokens_of("0.1f0");
  CHECK(tokens[0].kind == TokenKind::Float32);
  CHECK(tokens[0].float_value == static_cast<double>(0.1f));
  // `1.+x` is `1 .+ x`; `1:.5:2` has a float step; `x.5` is not a float.
  CHECK(show("1.+x") == "int:1 '.+' x");
  CHECK(show("1:.5:2") == "int:1 ':' f64:0.5 ':' int:2");
  CHECK(show("1e-400") == "f64:0");
  CHECK(lex_errors("1e999") ==
        "test.tsr:1:1: error: number 1e999 is out of range for Float64\n1e999\n^~~~~\n");
  // A letter after a number is a separate token (juxtaposition is the parser's business).
  CHECK(show("2x") == "int:2 x");
}

TEST_CASE("operators, dotted operators and Unicode spellings", "[lexer]") {
  CHECK(show("+ - * / ^ % ÷ \\ & | ~ !") == "'+' '-' '*' '/' '^' '%' '÷' '\\' '&' '|' '~' '!'");
  CHECK(show("== != === !== < <= > >= && ||") ==
        "'==' '!=' '===' '!==' '<' '<=' '>' '>=' '&&' '||'");
  CHECK(show(":: <: >: -> => ... : ? , ;") == "'::' '<:' '>:' '->' '=>' '...' ':' '?' ',' ';'");
  CHECK(show("= += -= *= /= ^= .=") == "'=' '+=' '-=' '*=' '/=' '^=' '.='");
  CHECK(show(".+ .- .* ./ .^ .== .< .&& .|| .! .+=") ==
        "'.+' '.-' '.*' './' '.^' '.==' '.<' '.&&' '.||' '.!' '.+='");
  CHECK(show("a.b f.(x) xs...") == "a '.' b f '.' '(' x ')' xs '...'");
  CHECK(show("≤ ≥ ≠ ∈ |> <<") == "'<=' '>=' '!=' kw:in '|>' '<<'");
}

TEST_CASE("adjoint versus character literals", "[lexer]") {
  CHECK(show("x' 'c' f(x)' [1]'") == "x ''' char:'c' f '(' x ')' ''' '[' int:1 ']' '''");
  CHECK(show("'\\n' 'θ' '\\''") == "char:'\\n' char:'θ' char:'\\''");
  auto tokens = tokens_of("'θ'");
  CHECK(tokens[0].int_value == 0x3B8);
  CHECK(lex_errors("''") ==
        "test.tsr:1:1: error: expected a character and ''' after ''', found ''' (a character "
        "literal holds exactly one character)\n''\n^~\n");
}

TEST_CASE("macro names", "[lexer]") {
  CHECK(
      show("@kernel @index(Global) @assert @time @localmem @synchronize @groupsize @inbounds @.") ==
      "@kernel @index '(' Global ')' @assert @time @localmem @synchronize @groupsize @inbounds @.");
  CHECK(lex_errors("@ x") ==
        "test.tsr:1:1: error: expected a macro name after '@', found a space\n@ x\n^\n");
}

TEST_CASE("comments, blank lines and newline folding", "[lexer]") {
  CHECK(show("a # comment\n\n  # another\nb") == "a NL b");
  CHECK(show("\n\na") == "a");
  CHECK(show("a #= block\ncomment =# b") == "a b");
  CHECK(show("a #= outer #= inner =# still outer =# b") == "a b");
  CHECK(show("a\r\nb") == "a NL b");
  CHECK(lex_errors("x #= never closed\n") ==
        "test.tsr:1:3: error: expected '=#' to close '#=' at 1:3, found end of file\n"
        "x #= never closed\n  ^~\n");
}

TEST_CASE("space_before marks tokens separated by space, comments or line breaks", "[lexer]") {
  auto tokens = tokens_of("f(x) f (x)\ny");
  CHECK(!tokens[1].space_before);  // (
  CHECK(tokens[4].space_before);   // f
  CHECK(tokens[5].space_before);   // (
  CHECK(tokens[9].kind == TokenKind::Identifier);
  CHECK(tokens[9].space_before);  // y after the line break
}

TEST_CASE("strings: escapes and interpolation pieces", "[lexer]") {
  CHECK(show(R"("a\tb\n\\ \" \$ \u03b8 \x41")") == "str:\"a\\tb\\n\\\\ \\\" \\$ θ A\"");
  CHECK(show("\"line one\nline two\"") == "str:\"line one\\nline two\"");
  CHECK(show("\"joined \\\n    here\"") == "str:\"joined here\"");

  auto tokens = tokens_of(R"--("x = $x, y = $(f(y, ")")) done")--");
  REQUIRE(tokens[0].kind == TokenKind::String);
  const auto& parts = tokens[0].parts;
  REQUIRE(parts.size() == 5);
  CHECK(parts[0].kind == StringPart::Kind::Text);
  CHECK(parts[0].text == "x = ");
  CHECK(parts[1].kind == StringPart::Kind::Name);
  CHECK(parts[1].text == "x");
  CHECK(parts[2].text == ", y = ");
  CHECK(parts[3].kind == StringPart::Kind::Expression);
  // f ( y , ")" ) and the end marker on the closing parenthesis.
  REQUIRE(parts[3].tokens->size() == 7);
  CHECK(parts[3].tokens->at(4).kind == TokenKind::String);
  CHECK(parts[3].tokens->back().kind == TokenKind::EndOfFile);
  CHECK(parts[4].text == " done");
  CHECK(tokens[1].kind == TokenKind::EndOfFile);
}

TEST_CASE("string errors", "[lexer]") {
  CHECK(lex_errors("x = \"abc") ==
        "test.tsr:1:5: error: expected '\"' to close the string at 1:5, found end of file\n"
        "x = \"abc\n    ^\n");
  CHECK(lex_errors(R"("a\qb")") ==
        "test.tsr:1:3: error: invalid escape sequence '\\q' in string: expected one of \\n \\t "
        "\\r \\\\ \\\" \\$ \\xHH \\uHHHH\n\"a\\qb\"\n  ^~\n");
  CHECK(lex_errors(R"("cost: $5")") ==
        "test.tsr:1:8: error: expected a name or '(' after '$' in a string (write \\$ for a dollar "
        "sign), found '5'\n\"cost: $5\"\n       ^\n");
  CHECK(lex_errors(R"("\ud800")") ==
        "test.tsr:1:2: error: invalid escape sequence '\\ud800' in string: expected hexadecimal "
        "digits for a valid code point\n\"\\ud800\"\n ^~~~~~\n");
  CHECK(lex_errors("\"$(x\"") ==
        "test.tsr:1:5: error: expected '\"' to close the string at 1:5, found end of file\n"
        "\"$(x\"\n    ^\n");
}

TEST_CASE("invalid characters become Invalid tokens after one message", "[lexer]") {
  CHECK(show("a ` b") == "a invalid b");
  CHECK(lex_errors("a ` b") ==
        "test.tsr:1:3: error: expected a name, a number, a string or an operator, found invalid "
        "character '`'\na ` b\n  ^\n");
}

TEST_CASE("the stream always ends with one EndOfFile token placed after the last token",
          "[lexer]") {
  auto tokens = tokens_of("x = 1   \n\n");
  CHECK(tokens.back().kind == TokenKind::EndOfFile);
  CHECK(tokens.back().span == Span{5, 5});
  CHECK(tokens_of("").size() == 1);
}
