// The AST printer (`tsr --emit=ast`) and the compact form used by the other tests.
#include "syntax_test_support.hpp"

using namespace tsr::syntax;

namespace {

std::string tree(std::string_view code, AstPrintOptions options = {}) {
  SourceFile file("t.tsr", std::string(code));
  ParseResult result = parse(file);
  CHECK(result.ok());
  return print_ast(*result.root, file, options);
}

}  // namespace

TEST_CASE("print_ast: one node per line, payload, flags and line:col", "[printer]") {
  CHECK(tree("y = f(x; k = 1)\n") ==
        "(block 1:1\n"
        "  (= 1:1\n"
        "    (id y 1:1)\n"
        "    (call 1:5\n"
        "      (id f 1:5)\n"
        "      (id x 1:7)\n"
        "      (kw k ; 1:10\n"
        "        (int 1 1:14)))))\n");

  CHECK(tree("mutable struct C{T}\n  n::T\nend\n"
             "g(xs...) = \"a\\n$xs\"\n"
             "x = [1.0, 2.5f0, true, nothing, :s, 'c']\n"
             "if a\nelseif b\nend\n") ==
        "(block 1:1\n"
        "  (struct mutable 1:1\n"
        "    (id C 1:16)\n"
        "    (typeparams 1:17\n"
        "      (typeparam T 1:18\n"
        "        _\n"
        "        _))\n"
        "    _\n"
        "    (block 2:3\n"
        "      (field n 2:3\n"
        "        (id T 2:6))))\n"
        "  (function 4:1\n"
        "    (id g 4:1)\n"
        "    (params 4:2\n"
        "      (param xs vararg 4:3\n"
        "        _\n"
        "        _))\n"
        "    (params 4:2)\n"
        "    (typeparams 4:9)\n"
        "    _\n"
        "    (block 4:12\n"
        "      (interpolated 4:12\n"
        "        (string \"a\\n\" 4:13)\n"
        "        (id xs 4:17))))\n"
        "  (= 5:1\n"
        "    (id x 5:1)\n"
        "    (vect 5:5\n"
        "      (float64 1.0 5:6)\n"
        "      (float32 2.5 5:11)\n"
        "      (bool true 5:18)\n"
        "      (nothing 5:24)\n"
        "      (symbol s 5:33)\n"
        "      (char 'c' 5:37)))\n"
        "  (if 6:1\n"
        "    (id a 6:4)\n"
        "    (block 7:1)\n"
        "    (elseif 7:1\n"
        "      (id b 7:8)\n"
        "      (block 8:1))))\n");
}

TEST_CASE("print_ast can show where each node ends", "[printer]") {
  AstPrintOptions options;
  options.show_end = true;
  CHECK(tree("θ = a.b + 1\n", options) ==
        "(block 1:1-2:1\n"
        "  (= 1:1-1:12\n"
        "    (id θ 1:1-1:2)\n"
        "    (binop + 1:5-1:12\n"
        "      (. 1:5-1:8\n"
        "        (id a 1:5-1:6)\n"
        "        (id b 1:7-1:8))\n"
        "      (int 1 1:11-1:12))))\n");
}

TEST_CASE("every node has a span that covers its source", "[printer]") {
  SourceFile file("t.tsr", "function f(x::Int; k = 2)\n    return [x, k] .+ g.(x)'\nend\n");
  ParseResult result = parse(file);
  REQUIRE(result.ok());
  const Node& function = result.root->child(0);
  CHECK(file.slice(function.span) == file.text().substr(0, file.text().size() - 1));
  CHECK(file.slice(function.child(function_slot::name).span) == "f");
  CHECK(file.slice(function.child(function_slot::params).child(0).span) == "x::Int");
  CHECK(file.slice(function.child(function_slot::keyword_params).child(0).span) == "k = 2");
  const Node& ret = function.child(function_slot::body).child(0);
  CHECK(file.slice(ret.span) == "return [x, k] .+ g.(x)'");
  CHECK(file.slice(ret.child(0).span) == "[x, k] .+ g.(x)'");
  CHECK(file.slice(ret.child(0).child(1).span) == "g.(x)'");
}

TEST_CASE("compact form", "[printer]") {
  SourceFile file("t.tsr", "f(x; a = 1, b...) = x .+ 2.0 * 3f0");
  ParseResult result = parse(file);
  REQUIRE(result.ok());
  CHECK(to_sexpr(*result.root) ==
        "(block (function f (params (param x _ _)) (params (param a _ 1) (param b vararg _ _)) "
        "(typeparams) _ (block (.+ x (* 2.0 3.0f0)))))");
}

TEST_CASE("quote_string writes Tessera escapes", "[printer]") {
  CHECK(quote_string("plain") == "\"plain\"");
  CHECK(quote_string("a\"b\\c$d\n\t\r") == "\"a\\\"b\\\\c\\$d\\n\\t\\r\"");
  CHECK(quote_string(std::string("\x01", 1)) == "\"\\x01\"");
  CHECK(quote_string("'", '\'') == "'\\''");
  CHECK(quote_string("θ") == "\"θ\"");
}

TEST_CASE("node kinds have stable names and descriptions", "[printer]") {
  CHECK(node_kind_name(NodeKind::Call) == "call");
  CHECK(node_kind_name(NodeKind::FunctionDef) == "function");
  CHECK(node_kind_name(NodeKind::SemanticDef) == "semantic");
  CHECK(describe_node_kind(NodeKind::Int) == "an integer literal");
  CHECK(is_dotted_operator(".+"));
  CHECK(!is_dotted_operator("..."));
  CHECK(!is_dotted_operator("+"));
  CHECK(undotted_operator(".*=") == "*=");
}
