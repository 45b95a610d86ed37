// The exact text of syntax errors: file:line:col, the message (what was expected, what was
// found), the source line and a caret under the offending token.
#include "syntax_test_support.hpp"

using tsr::syntax::test::errors;

TEST_CASE("error: an unclosed call before 'end'", "[parser][errors]") {
  CHECK(errors("function f(x)\n    y = f(a, b end\n") ==
        "test.tsr:2:16: error: expected ')' to close '(' at 2:10, found 'end'\n"
        "    y = f(a, b end\n"
        "               ^~~\n");
}

TEST_CASE("error: a function without 'end'", "[parser][errors]") {
  CHECK(errors("function f(x)\n    return x\n") ==
        "test.tsr:1:1: error: expected 'end' to close 'function' at 1:1, found end of file\n"
        "function f(x)\n"
        "^~~~~~~~\n");
}

TEST_CASE("error: an if without 'end'", "[parser][errors]") {
  CHECK(errors("if x > 0\n    y = 1\n") ==
        "test.tsr:1:1: error: expected 'end' to close 'if' at 1:1, found end of file\n"
        "if x > 0\n"
        "^~\n");
}

TEST_CASE("error: a for loop without 'end'", "[parser][errors]") {
  CHECK(errors("for i in 1:10\n    s += i\n") ==
        "test.tsr:1:1: error: expected 'end' to close 'for' at 1:1, found end of file\n"
        "for i in 1:10\n"
        "^~~\n");
}

TEST_CASE("error: a while loop without 'end'", "[parser][errors]") {
  CHECK(errors("while true\n") ==
        "test.tsr:1:1: error: expected 'end' to close 'while' at 1:1, found end of file\n"
        "while true\n"
        "^~~~~\n");
}

TEST_CASE("error: a struct without 'end'", "[parser][errors]") {
  CHECK(errors("struct Point\n    x::Float64\n") ==
        "test.tsr:1:1: error: expected 'end' to close 'struct' at 1:1, found end of file\n"
        "struct Point\n"
        "^~~~~~\n");
}

TEST_CASE("error: a begin block without 'end'", "[parser][errors]") {
  CHECK(errors("begin\n  x\n") ==
        "test.tsr:1:1: error: expected 'end' to close 'begin' at 1:1, found end of file\n"
        "begin\n"
        "^~~~~\n");
}

TEST_CASE("error: a try block without 'end'", "[parser][errors]") {
  CHECK(errors("try\n  f()\ncatch e\n") ==
        "test.tsr:1:1: error: expected 'end' to close 'try' at 1:1, found end of file\n"
        "try\n"
        "^~~\n");
}

TEST_CASE("error: a let block without 'end'", "[parser][errors]") {
  CHECK(errors("let x = 1\n") ==
        "test.tsr:1:1: error: expected 'end' to close 'let' at 1:1, found end of file\n"
        "let x = 1\n"
        "^~~\n");
}

TEST_CASE("error: a do block without 'end'", "[parser][errors]") {
  CHECK(errors("map(xs) do x\n  x\n") ==
        "test.tsr:1:9: error: expected 'end' to close 'do' at 1:9, found end of file\n"
        "map(xs) do x\n"
        "        ^~\n");
}

TEST_CASE("error: a stray 'end'", "[parser][errors]") {
  CHECK(errors("x = 1\nend\n") ==
        "test.tsr:2:1: error: expected a statement, found 'end' (there is no open block to close)\n"
        "end\n"
        "^~~\n");
}

TEST_CASE("error: a stray 'else'", "[parser][errors]") {
  CHECK(errors("x = 1\nelse\n") ==
        "test.tsr:2:1: error: expected a statement, found 'else' (there is no open 'if')\n"
        "else\n"
        "^~~~\n");
}

TEST_CASE("error: a stray 'catch'", "[parser][errors]") {
  CHECK(errors("catch e\n") ==
        "test.tsr:1:1: error: expected a statement, found 'catch' (there is no open 'try')\n"
        "catch e\n"
        "^~~~~\n");
}

TEST_CASE("error: a second 'else'", "[parser][errors]") {
  CHECK(errors("if x\nelse\nelse\nend\n") ==
        "test.tsr:3:1: error: expected 'end' to close 'if' at 1:1, found 'else'\n"
        "else\n"
        "^~~~\n");
}

TEST_CASE("error: an unclosed vector", "[parser][errors]") {
  CHECK(errors("x = [1, 2\n") ==
        "test.tsr:1:5: error: expected ']' to close '[' at 1:5, found end of file\n"
        "x = [1, 2\n"
        "    ^\n");
}

TEST_CASE("error: an unclosed curly", "[parser][errors]") {
  CHECK(errors("T{A, B\n") ==
        "test.tsr:1:2: error: expected '}' to close '{' at 1:2, found end of file\n"
        "T{A, B\n"
        " ^\n");
}

TEST_CASE("error: an unclosed parenthesis cut by a line break", "[parser][errors]") {
  CHECK(errors("x = (1 + 2\ny = 3\n") ==
        "test.tsr:2:1: error: expected ')' to close '(' at 1:5, found identifier 'y'\n"
        "y = 3\n"
        "^\n");
}

TEST_CASE("error: two statements on one line", "[parser][errors]") {
  CHECK(
      errors("x = 1 y = 2\n") ==
      "test.tsr:1:7: error: expected end of line or ';' after the statement, found identifier 'y'\n"
      "x = 1 y = 2\n"
      "      ^\n");
}

TEST_CASE("error: a missing argument", "[parser][errors]") {
  CHECK(errors("z = g(,)\n") ==
        "test.tsr:1:7: error: expected an expression after '(', found ','\n"
        "z = g(,)\n"
        "      ^\n");
}

TEST_CASE("error: a missing operand at the end of the file", "[parser][errors]") {
  CHECK(errors("x = 3 +\n") ==
        "test.tsr:1:8: error: expected an expression after '+', found end of file\n"
        "x = 3 +\n"
        "       ^\n");
}

TEST_CASE("error: two binary operators in a row", "[parser][errors]") {
  CHECK(errors("x = 3 * / 4\n") ==
        "test.tsr:1:9: error: expected an expression after '*', found '/'\n"
        "x = 3 * / 4\n"
        "        ^\n");
}

TEST_CASE("error: a stray closing parenthesis", "[parser][errors]") {
  CHECK(errors("x = )\n") ==
        "test.tsr:1:5: error: expected an expression after '=', found ')'\n"
        "x = )\n"
        "    ^\n");
}

TEST_CASE("error: a loop without 'in'", "[parser][errors]") {
  CHECK(errors("for i 1:n\nend\n") ==
        "test.tsr:1:7: error: expected 'in' or '=' after the loop variable, found integer '1'\n"
        "for i 1:n\n"
        "      ^\n");
}

TEST_CASE("error: a literal as a parameter", "[parser][errors]") {
  CHECK(errors("function f(1)\nend\n") ==
        "test.tsr:1:12: error: expected a parameter such as 'x', 'x::T' or '::T', found an integer "
        "literal\n"
        "function f(1)\n"
        "           ^\n");
}

TEST_CASE("error: a function name without parameters", "[parser][errors]") {
  CHECK(errors("function f x\nend\n") ==
        "test.tsr:1:12: error: expected '(' and a parameter list after the function name 'f', "
        "found identifier 'x'\n"
        "function f x\n"
        "           ^\n");
}

TEST_CASE("error: a struct without a name", "[parser][errors]") {
  CHECK(errors("struct 1 end\n") ==
        "test.tsr:1:8: error: expected a type name after 'struct', found integer '1'\n"
        "struct 1 end\n"
        "       ^\n");
}

TEST_CASE("error: an expression in a struct body", "[parser][errors]") {
  CHECK(errors("struct A\n  1 + 2\nend\n") ==
        "test.tsr:2:3: error: expected a field such as 'x::Float64' in struct 'A', found an "
        "operation\n"
        "  1 + 2\n"
        "  ^~~~~\n");
}

TEST_CASE("error: a ternary without ':'", "[parser][errors]") {
  CHECK(errors("x = c ? a\n") ==
        "test.tsr:1:10: error: expected ':' in the conditional expression 'c ? a : b', found end "
        "of line\n"
        "x = c ? a\n"
        "         ^\n");
}

TEST_CASE("error: assignment to a literal", "[parser][errors]") {
  CHECK(errors("1 = x\n") ==
        "test.tsr:1:1: error: expected a name, a field, an index or a tuple on the left of '=', "
        "found an integer literal\n"
        "1 = x\n"
        "^\n");
}

TEST_CASE("error: assignment to an operation", "[parser][errors]") {
  CHECK(errors("f(x) + 1 = 2\n") ==
        "test.tsr:1:1: error: expected a name, a field, an index or a tuple on the left of '=', "
        "found an operation\n"
        "f(x) + 1 = 2\n"
        "^~~~~~~~\n");
}

TEST_CASE("error: a semantic type without a parent", "[parser][errors]") {
  CHECK(errors("semantic TensorX\n") ==
        "test.tsr:1:17: error: expected '<:' and a parent type after 'semantic TensorX', found end "
        "of line\n"
        "semantic TensorX\n"
        "                ^\n");
}

TEST_CASE("error: an abstract type without 'end'", "[parser][errors]") {
  CHECK(
      errors("abstract type Shape\nx = 1\n") ==
      "test.tsr:2:1: error: expected 'end' to close 'abstract type' at 1:1, found identifier 'x'\n"
      "x = 1\n"
      "^\n");
}

TEST_CASE("error: a number after '.'", "[parser][errors]") {
  CHECK(errors("y = a.1\n") ==
        "test.tsr:1:7: error: expected a field name after '.', found integer '1'\n"
        "y = a.1\n"
        "      ^\n");
}

TEST_CASE("error: a literal as a type parameter", "[parser][errors]") {
  CHECK(errors("f(x) where 1 = 2\n") ==
        "test.tsr:1:12: error: expected a type parameter such as 'T' or 'T <: Real', found an "
        "integer literal\n"
        "f(x) where 1 = 2\n"
        "           ^\n");
}

TEST_CASE("error: const without an assignment", "[parser][errors]") {
  CHECK(errors("const f(x)\n") ==
        "test.tsr:1:7: error: expected an assignment after 'const', found a call\n"
        "const f(x)\n"
        "      ^~~~\n");
}

TEST_CASE("error: local with a literal", "[parser][errors]") {
  CHECK(errors("local 1\n") ==
        "test.tsr:1:7: error: expected a name or an assignment after 'local', found an integer "
        "literal\n"
        "local 1\n"
        "      ^\n");
}

TEST_CASE("error: a module without a name", "[parser][errors]") {
  CHECK(errors("module\nend\n") ==
        "test.tsr:1:7: error: expected a module name after 'module', found end of line\n"
        "module\n"
        "      ^\n");
}

TEST_CASE("error: using without a module name", "[parser][errors]") {
  CHECK(errors("using 1\n") ==
        "test.tsr:1:7: error: expected a module name after 'using', found integer '1'\n"
        "using 1\n"
        "      ^\n");
}

TEST_CASE("error: a literal as a lambda parameter", "[parser][errors]") {
  CHECK(errors("g = (a, 1) -> a\n") ==
        "test.tsr:1:9: error: expected a parameter such as 'x', 'x::T' or '::T', found an integer "
        "literal\n"
        "g = (a, 1) -> a\n"
        "        ^\n");
}

TEST_CASE("error: an unterminated string", "[parser][errors]") {
  CHECK(errors("x = \"abc\n") ==
        "test.tsr:1:5: error: expected '\"' to close the string at 1:5, found end of file\n"
        "x = \"abc\n"
        "    ^\n");
}

TEST_CASE("error: an invalid character", "[parser][errors]") {
  CHECK(errors("x = 1 ` 2\n") ==
        "test.tsr:1:7: error: expected a name, a number, a string or an operator, found invalid "
        "character '`'\n"
        "x = 1 ` 2\n"
        "      ^\n");
}

TEST_CASE("error: an invalid escape", "[parser][errors]") {
  CHECK(errors("s = \"a\\qb\"\n") ==
        "test.tsr:1:7: error: invalid escape sequence '\\q' in string: expected one of \\n \\t \\r "
        "\\\\ \\\" \\$ \\xHH \\uHHHH\n"
        "s = \"a\\qb\"\n"
        "      ^~\n");
}

TEST_CASE("error: an integer that does not fit", "[parser][errors]") {
  CHECK(errors("n = 99999999999999999999\n") ==
        "test.tsr:1:5: error: integer literal 99999999999999999999 does not fit in Int64 (largest "
        "is 9223372036854775807)\n"
        "n = 99999999999999999999\n"
        "    ^~~~~~~~~~~~~~~~~~~~\n");
}

TEST_CASE("error: an operand missing at the end of a line", "[parser][errors]") {
  CHECK(errors("function f()\n\treturn 1 +\nend\n") ==
        "test.tsr:3:1: error: expected an expression after '+', found 'end'\n"
        "end\n"
        "^~~\n");
}

TEST_CASE("error: a tab-indented line keeps its tabs under the caret", "[parser][errors]") {
  CHECK(errors("function f()\n\treturn 1 + )\nend\n") ==
        "test.tsr:2:13: error: expected an expression after '+', found ')'\n"
        "\treturn 1 + )\n"
        "\t           ^\n");
}
