// Robustness: thousands of random and mutated inputs (deterministic seeds) must never crash
// the front end, and the parser must terminate with a well-formed tree whatever it is fed.
// A hang shows up as the CTest timeout set in CMakeLists.txt.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "dsl/syntax/ast_printer.hpp"
#include "dsl/syntax/lexer.hpp"
#include "dsl/syntax/parser.hpp"

using namespace tsr::syntax;

namespace {

// splitmix64: the same sequence on every platform, unlike std::uniform_int_distribution.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }

 private:
  uint64_t state_;
};

const std::vector<std::string> kVocabulary = {
    "function",    "end",
    "if",          "elseif",
    "else",        "while",
    "for",         "in",
    "break",       "continue",
    "return",      "struct",
    "mutable",     "abstract",
    "type",        "semantic",
    "where",       "let",
    "begin",       "try",
    "catch",       "finally",
    "true",        "false",
    "nothing",     "using",
    "import",      "local",
    "global",      "const",
    "do",          "module",
    "x",           "y",
    "f",           "saxpy!",
    "θ",           "T",
    "Int",         "Float32",
    "1",           "2.5",
    "2f0",         "1_000",
    "0xff",        "1e-3",
    "\"s\"",       "\"a $x b\"",
    "\"$(f(x))\"", "\"$(",
    "'c'",         "'",
    "@kernel",     "@index",
    "@assert",     "@time",
    "@localmem",   "@synchronize",
    "@",           "(",
    ")",           "[",
    "]",           "{",
    "}",           ",",
    ";",           "\n",
    "\n",          "\n",
    " ",           "  ",
    "+",           "-",
    "*",           "/",
    "^",           "%",
    "÷",           "=",
    "==",          "!=",
    "===",         "<",
    "<=",          ">",
    ">=",          "&&",
    "||",          "!",
    "::",          "<:",
    ">:",          "->",
    "=>",          "...",
    ":",           "?",
    ".",           ".+",
    ".*",          ".=",
    ".==",         "+=",
    "-=",          "|>",
    "#c\n",        "#=",
    "=#",          "\"",
    "`",           "\\",
    "$",           "\xff",
    "\xce",
};

const std::vector<std::string> kValidPrograms = {
    "abstract type Shape end\nabstract type Polygon <: Shape end\nstruct Square <: Polygon\n"
    "    side::Float64\nend\nmutable struct Counter\n    n::Int\nend\n"
    "struct Point{T <: Real}\n    x::T\n    y::T\nend\n",
    "semantic TensorImage <: Tensor\nsemantic TensorMask <: TensorImage\n",
    "area(s::Square) = s.side^2\nfunction area(c::Circle)\n    return pi * c.r^2\nend\n"
    "combine(a::T, b::T) where {T <: Real} = a + b      # diagonal\n"
    "describe(xs::Vararg{Int}) = length(xs)\n",
    "@kernel function saxpy!(y, a, x)\n    i = @index(Global)\n    y[i] = a * x[i] + y[i]\nend\n"
    "launch(saxpy!, length(y), y, 2f0, x)\n",
    "function rrule(::typeof(mysquare), x)\n    y = mysquare(x)\n"
    "    return y, dy -> (dy .* 2f0 .* x,)\nend\n",
    "for i in 1:n\n  if i > 3 && i < 5 || done\n    break\n  elseif i == 2\n    continue\n"
    "  else\n    println(\"i = $i, $(i^2)\")\n  end\nend\n"
    "try\n  error(\"msg\")\ncatch e\n  throw(e)\nfinally\n  close(f)\nend\n",
    "y .= a .* x .+ b\nt[2:3, :] = zeros(Float64, 2, 4)\n@assert x > 0 \"positive\"\n"
    "g = (a, b) -> a * b\nv = [x^2 for x in xs if x > 0]\nlet k = 1\n  k += 1\nend\n"
    "map(xs) do x\n  x * 2\nend\n#= block\ncomment =#\nusing NN\ninclude(\"other.tsr\")\n",
};

void check_tree(const Node& node, const SourceFile& file, int depth) {
  REQUIRE(depth < 5000);
  REQUIRE(node.span.begin <= node.span.end);
  REQUIRE(node.span.end <= file.size());
  std::size_t slots = node.children.size();
  switch (node.kind) {
    case NodeKind::FunctionDef: REQUIRE(slots == 6); break;
    case NodeKind::StructDef:
    case NodeKind::Try: REQUIRE(slots == 4); break;
    case NodeKind::AbstractTypeDef:
    case NodeKind::SemanticDef:
    case NodeKind::Ternary: REQUIRE(slots == 3); break;
    case NodeKind::Param:
    case NodeKind::TypeParam:
    case NodeKind::Lambda:
    case NodeKind::Let:
    case NodeKind::Module:
    case NodeKind::Do:
    case NodeKind::While:
    case NodeKind::Iteration:
    case NodeKind::BinaryOp:
    case NodeKind::Assign:
    case NodeKind::TypeAssert:
    case NodeKind::FieldAccess: REQUIRE(slots == 2); break;
    case NodeKind::UnaryOp:
    case NodeKind::Splat:
    case NodeKind::Kwarg:
    case NodeKind::Field: REQUIRE(slots == 1); break;
    default: break;
  }
  for (const NodePtr& child : node.children) {
    REQUIRE(child != nullptr);
    check_tree(*child, file, depth + 1);
  }
}

std::size_t count_tokens(const std::vector<Token>& tokens) {
  std::size_t count = tokens.size();
  for (const Token& token : tokens) {
    for (const StringPart& part : token.parts) {
      if (part.tokens) count += count_tokens(*part.tokens);
    }
  }
  return count;
}

// Parses, prints and checks one input; returns its number of diagnostics.
std::size_t exercise(const std::string& text) {
  SourceFile file("fuzz.tsr", text);
  ParseResult result = parse(file);
  REQUIRE(result.root != nullptr);
  REQUIRE(result.root->kind == NodeKind::Block);
  check_tree(*result.root, file, 0);
  CHECK(!print_ast(*result.root, file).empty());
  CHECK(!to_sexpr(*result.root).empty());
  for (const Diagnostic& diagnostic : result.diagnostics) {
    REQUIRE(diagnostic.location.line >= 1);
    REQUIRE(diagnostic.location.line <= file.line_count());
    REQUIRE(!diagnostic.render().empty());
  }
  // Recovery never reports more than about one error per token (counting those inside
  // string interpolations).
  DiagnosticSink sink;
  REQUIRE(result.diagnostics.size() <= count_tokens(lex(file, sink)) + 2);
  return result.diagnostics.size();
}

std::string token_soup(Random& random) {
  std::string text;
  std::size_t count = random.below(60);
  for (std::size_t i = 0; i < count; ++i) {
    text += kVocabulary[random.below(kVocabulary.size())];
    if (random.below(3) == 0) text += ' ';
  }
  return text;
}

std::string mutate(const std::string& program, Random& random) {
  std::string text = program;
  std::size_t edits = 1 + random.below(4);
  for (std::size_t i = 0; i < edits && !text.empty(); ++i) {
    std::size_t at = random.below(text.size());
    switch (random.below(5)) {
      case 0: text.erase(at, 1 + random.below(8)); break;
      case 1: text.insert(at, kVocabulary[random.below(kVocabulary.size())]); break;
      case 2: text.insert(at, text.substr(random.below(text.size()), random.below(20))); break;
      case 3: std::swap(text[at], text[random.below(text.size())]); break;
      case 4: text.resize(at); break;
    }
  }
  return text;
}

}  // namespace

TEST_CASE("the valid corpus parses cleanly", "[robustness]") {
  for (const std::string& program : kValidPrograms) {
    SourceFile file("corpus.tsr", program);
    ParseResult result = parse(file);
    std::string rendered;
    for (const Diagnostic& diagnostic : result.diagnostics) rendered += diagnostic.render();
    INFO(rendered);
    CHECK(result.ok());
  }
}

TEST_CASE("random token soup never crashes the parser", "[robustness]") {
  Random random(0x5EED0001);
  std::size_t with_errors = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = token_soup(random);
    INFO("input: " << text);
    if (exercise(text) > 0) ++with_errors;
  }
  CHECK(with_errors > 1000);  // the soup is mostly wrong, so recovery was exercised
}

TEST_CASE("mutated programs never crash the parser", "[robustness]") {
  Random random(0x5EED0002);
  for (int i = 0; i < 3000; ++i) {
    std::string text = mutate(kValidPrograms[random.below(kValidPrograms.size())], random);
    INFO("input: " << text);
    exercise(text);
  }
}

TEST_CASE("random bytes never crash the lexer or the parser", "[robustness]") {
  Random random(0x5EED0003);
  for (int i = 0; i < 1000; ++i) {
    std::string text(random.below(200), '\0');
    for (char& c : text) c = static_cast<char>(random.next() & 0xFF);
    exercise(text);
  }
}

TEST_CASE("pathological nesting and lengths terminate", "[robustness]") {
  exercise(std::string(20000, '('));
  exercise(std::string(20000, '['));
  exercise(std::string(20000, ')'));
  exercise(std::string(5000, '-') + "x");
  exercise("x = " + std::string(3000, '"'));
  std::string interpolations;
  for (int i = 0; i < 400; ++i) interpolations += "\"$(";
  exercise(interpolations);
  std::string blocks;
  for (int i = 0; i < 3000; ++i) blocks += "if x\n";
  exercise(blocks);
  std::string chain = "x = a";
  for (int i = 0; i < 3000; ++i) chain += " + a";
  exercise(chain);
  std::string ends;
  for (int i = 0; i < 3000; ++i) ends += "end ";
  exercise(ends);
  exercise("function f(" + std::string(5000, ',') + ")");
  exercise("@a @b @c @d " + std::string(3000, '@'));
  std::string elseifs = "if a\n";
  for (int i = 0; i < 3000; ++i) elseifs += "elseif b\n";
  exercise(elseifs + "end\n");
}
