// Strings: escapes and `$` interpolation, which hands `$(...)` to a nested parser.
#include "syntax_test_support.hpp"

using tsr::syntax::test::errors;
using tsr::syntax::test::sx;

TEST_CASE("plain strings keep their decoded text", "[parser][strings]") {
  CHECK(sx(R"~("")~") == R"~("")~");
  CHECK(sx(R"~("a\tb\n")~") == R"~("a\tb\n")~");
  CHECK(sx(R"~("price: \$5")~") == R"~("price: \$5")~");
  CHECK(sx(R"~("say \"hi\"")~") == R"~("say \"hi\"")~");
}

TEST_CASE("interpolation of names and expressions", "[parser][strings]") {
  CHECK(sx(R"~("hello $name")~") == R"~((interpolated "hello " name))~");
  CHECK(sx(R"~("$a$b")~") == "(interpolated a b)");
  CHECK(sx(R"~("loss = $(loss(x, y)) at step $step!")~") ==
        R"~((interpolated "loss = " (call loss x y) " at step " step!))~");
  CHECK(sx(R"~("$(x + 1) items")~") == R"~((interpolated (+ x 1) " items"))~");
  CHECK(sx(R"~("shape $(size(t, 1))x$(size(t, 2))")~") ==
        R"~((interpolated "shape " (call size t 1) "x" (call size t 2)))~");
  // A string inside an interpolation, with a parenthesis in it.
  CHECK(sx(R"--("a $(join(xs, ")")) b")--") ==
        R"--((interpolated "a " (call join xs ")") " b"))--");
  // Nested interpolation.
  CHECK(sx(R"~("outer $("inner $x")")~") ==
        R"~((interpolated "outer " (interpolated "inner " x)))~");
  // Line breaks inside $( ) are whitespace.
  CHECK(sx("\"$(f(a,\n  b))\"") == "(interpolated (call f a b))");
  CHECK(sx(R"~("$(c ? 1 : 2)")~") == "(interpolated (? c 1 2))");
}

TEST_CASE("interpolated pieces have spans in the file", "[parser][strings]") {
  tsr::syntax::SourceFile file("t.tsr", "s = \"ab $(x + y) $z\"");
  auto result = tsr::syntax::parse(file);
  REQUIRE(result.ok());
  const auto& string = result.root->child(0).child(1);
  REQUIRE(string.size() == 4);
  CHECK(file.slice(string.child(0).span) == "ab ");
  CHECK(file.slice(string.child(1).span) == "x + y");
  CHECK(file.slice(string.child(2).span) == " ");
  CHECK(file.slice(string.child(3).span) == "z");
}

TEST_CASE("errors inside interpolations point into the string", "[parser][strings]") {
  CHECK(errors(R"~(s = "$(x +)")~") ==
        "test.tsr:1:11: error: expected an expression after '+', found ')'\n"
        "s = \"$(x +)\"\n"
        "          ^\n");
  CHECK(errors(R"~(s = "$(a b)")~") ==
        "test.tsr:1:10: error: expected ')' to close '$(' at 1:6, found identifier 'b'\n"
        "s = \"$(a b)\"\n"
        "         ^\n");
  CHECK(errors(R"~(s = "$()")~") ==
        "test.tsr:1:8: error: expected an expression inside '$( )', found ')'\n"
        "s = \"$()\"\n"
        "       ^\n");
}
