// Error recovery: one run reports every independent error of a file, in file order, and
// keeps parsing the statements around them.
#include "syntax_test_support.hpp"

using namespace tsr::syntax;
using tsr::syntax::test::errors;

namespace {

ParseResult parse_text(std::string_view code) {
  static std::vector<std::unique_ptr<SourceFile>> files;  // the trees point into them
  files.push_back(std::make_unique<SourceFile>("test.tsr", std::string(code)));
  return parse(*files.back());
}

// "line:col message" for each diagnostic.
std::vector<std::string> summary(const ParseResult& result) {
  std::vector<std::string> out;
  for (const Diagnostic& diagnostic : result.diagnostics) {
    out.push_back(format_location(diagnostic.location) + " " + diagnostic.message);
  }
  return out;
}

}  // namespace

TEST_CASE("several errors in one file are all reported, in order", "[parser][recovery]") {
  ParseResult result = parse_text(
      "function f(x)\n"       // 1
      "    y = f(a, b end\n"  // 2: missing ')', and this 'end' closes f
      "\n"
      "function g(x\n"  // 4: missing ')', cut by the line break
      "    return x + 1\n"
      "end\n"
      "\n"
      "struct P\n"  // 8
      "    x::Int\n"
      "    1 + 2\n"  // 10: not a field
      "end\n"
      "\n"
      "h(x) = x +* 2\n"  // 13: two operators
      "z = [1, 2\n"      // 14: missing ']'
      "w = 3\n"
      "for i 1:10\n"       // 16: missing 'in'
      "    println(i))\n"  // 17: stray ')'
      "end\n"
      "k = \"unterminated\n");  // 19
  CHECK(summary(result) ==
        std::vector<std::string>{
            "2:16 expected ')' to close '(' at 2:10, found 'end'",
            "5:5 expected ')' to close '(' at 4:11, found 'return'",
            "10:5 expected a field such as 'x::Float64' in struct 'P', found an operation",
            "13:11 expected an expression after '+', found '*'",
            "15:1 expected ']' to close '[' at 14:5, found identifier 'w'",
            "16:7 expected 'in' or '=' after the loop variable, found integer '1'",
            "17:15 expected end of line or ';' after the statement, found ')'",
            "19:5 expected '\"' to close the string at 19:5, found end of file",
        });
  // The good parts are all there.
  std::string tree = to_sexpr(*result.root);
  CHECK(tree.find("(function g (params (param x _ _))") != std::string::npos);
  CHECK(tree.find("(return (+ x 1))") != std::string::npos);
  CHECK(tree.find("(field x Int)") != std::string::npos);
  CHECK(tree.find("(= w 3)") != std::string::npos);
  CHECK(tree.find("(call println i)") != std::string::npos);
}

TEST_CASE("a broken statement does not hide the next line's error", "[parser][recovery]") {
  CHECK(summary(parse_text("a = 1 +* 2\nb = (3\nc = ]\nd = 4 5\n")) ==
        std::vector<std::string>{
            "1:8 expected an expression after '+', found '*'",
            "3:1 expected ')' to close '(' at 2:5, found identifier 'c'",
            "3:5 expected an expression after '=', found ']'",
            "4:7 expected end of line or ';' after the statement, found integer '5'",
        });
}

TEST_CASE("a bad loop header still lets the body be checked", "[parser][recovery]") {
  CHECK(summary(parse_text("for i 1:n\n  x = )\nend\nwhile\nend\n")) ==
        std::vector<std::string>{
            "1:7 expected 'in' or '=' after the loop variable, found integer '1'",
            "2:7 expected an expression after '=', found ')'",
            "4:6 expected an expression after 'while', found end of line",
        });
}

TEST_CASE("errors inside nested blocks recover inside those blocks", "[parser][recovery]") {
  ParseResult result = parse_text(
      "function train(m)\n"
      "    for x in data\n"
      "        if x > \n"  // the operand comes from the next line: `x > loss = ...`
      "        end\n"
      "        y = m(x\n"
      "    end\n"
      "    return m\n"
      "end\n"
      "ok = 1\n");
  CHECK(summary(result) == std::vector<std::string>{
                               "4:9 expected an expression after '>', found 'end'",
                               "6:5 expected ')' to close '(' at 5:14, found 'end'",
                           });
  std::string tree = to_sexpr(*result.root);
  CHECK(tree.find("(return m)") != std::string::npos);
  CHECK(tree.find("(= ok 1)") != std::string::npos);
}

TEST_CASE("each block left open at the end of the file is reported at its keyword",
          "[parser][recovery]") {
  CHECK(
      summary(parse_text("function f(x)\n  if x\n    y\n  end\n")) ==
      std::vector<std::string>{"1:1 expected 'end' to close 'function' at 1:1, found end of file"});
  CHECK(summary(parse_text("function f(x)\n  if x\n    while y\n")) ==
        std::vector<std::string>{
            "1:1 expected 'end' to close 'function' at 1:1, found end of file",
            "2:3 expected 'end' to close 'if' at 2:3, found end of file",
            "3:5 expected 'end' to close 'while' at 3:5, found end of file",
        });
}

TEST_CASE("stray block keywords are reported and skipped", "[parser][recovery]") {
  CHECK(summary(parse_text("end\nx = 1\nelse\ncatch\nfinally\nelseif\ny = 2\n")) ==
        std::vector<std::string>{
            "1:1 expected a statement, found 'end' (there is no open block to close)",
            "3:1 expected a statement, found 'else' (there is no open 'if')",
            "4:1 expected a statement, found 'catch' (there is no open 'try')",
            "5:1 expected a statement, found 'finally' (there is no open 'try')",
            "6:1 expected a statement, found 'elseif' (there is no open 'if')",
        });
  CHECK(summary(parse_text("function f()\n  catch\n  1\nend\n")) ==
        std::vector<std::string>{"2:3 expected 'end' to close 'function' at 1:1, found 'catch'"});
}

TEST_CASE("lexer and parser errors come out in file order", "[parser][recovery]") {
  CHECK(
      summary(parse_text("x = (1\ny = `\nz = \"a\\q\"\n")) ==
      std::vector<std::string>{
          "2:1 expected ')' to close '(' at 1:5, found identifier 'y'",
          "2:5 expected a name, a number, a string or an operator, found invalid character '`'",
          "3:7 invalid escape sequence '\\q' in string: expected one of \\n \\t \\r \\\\ \\\" \\$ "
          "\\xHH \\uHHHH",
      });
}

TEST_CASE("nesting deeper than the limit is one clear error, not a crash", "[parser][recovery]") {
  std::string deep = "x = " + std::string(10000, '(') + "1" + std::string(10000, ')') + "\ny = 2\n";
  ParseResult result = parse_text(deep);
  REQUIRE(result.diagnostics.size() == 1);
  CHECK(result.diagnostics[0].message == "expression is nested too deeply (more than 256 levels)");
  CHECK(to_sexpr(result.root->child(1)) == "(= y 2)");

  std::string blocks;
  for (int i = 0; i < 2000; ++i) blocks += "begin\n";
  for (int i = 0; i < 2000; ++i) blocks += "end\n";
  CHECK(!parse_text(blocks).ok());

  CHECK(!parse_text("x = " + std::string(5000, '-') + "1").ok());
  CHECK(!parse_text("x = " + std::string(3000, '[') + "\n").ok());

  // Within the limit all is well, and the limit can be changed.
  std::string nested = std::string(100, '(') + "1" + std::string(100, ')');
  CHECK(parse_text(nested).ok());
  SourceFile file("t.tsr", nested);
  ParseOptions strict;
  strict.max_nesting_depth = 50;
  CHECK(!parse(file, strict).ok());
}

TEST_CASE("the rendered errors of a file read top to bottom", "[parser][recovery]") {
  CHECK(errors("x = f(1,\ny = 2 3\n") ==
        "test.tsr:2:7: error: expected ')' to close '(' at 1:6, found integer '3'\n"
        "y = 2 3\n"
        "      ^\n");
}
