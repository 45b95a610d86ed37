// Statements and control flow.
#include "syntax_test_support.hpp"

using tsr::syntax::test::statements;
using tsr::syntax::test::sx;

TEST_CASE("if, elseif, else", "[parser][statements]") {
  CHECK(sx("if x > 0\n  y = 1\nend") == "(if (> x 0) (block (= y 1)))");
  CHECK(sx("if a\n  1\nelse\n  2\nend") == "(if a (block 1) (block 2))");
  CHECK(sx("if a\n  1\nelseif b\n  2\nelseif c\n  3\nelse\n  4\nend") ==
        "(if a (block 1) (elseif b (block 2) (elseif c (block 3) (block 4))))");
  CHECK(sx("if a 1 else 2 end") == "(if a (block 1) (block 2))");
  CHECK(sx("if a; b; end") == "(if a (block b))");
  CHECK(sx("if a\nend") == "(if a (block))");
  CHECK(sx("x = if a 1 else 2 end") == "(= x (if a (block 1) (block 2)))");
}

TEST_CASE("loops", "[parser][statements]") {
  CHECK(sx("while i < n\n  i += 1\nend") == "(while (< i n) (block (+= i 1)))");
  CHECK(sx("for i in 1:n\n  s += i\nend") == "(for (iteration i (range 1 n)) (block (+= s i)))");
  CHECK(sx("for i = 1:n\nend") == "(for (iteration i (range 1 n)) (block))");
  CHECK(sx("for x in xs\n  println(x)\nend") == "(for (iteration x xs) (block (call println x)))");
  CHECK(sx("for (a, b) in pairs\nend") == "(for (iteration (tuple a b) pairs) (block))");
  CHECK(sx("for i in 1:n, j in 1:m\nend") ==
        "(for (iteration i (range 1 n)) (iteration j (range 1 m)) (block))");
  CHECK(sx("for x ∈ xs\nend") == "(for (iteration x xs) (block))");
  CHECK(sx("for i in 1:2:n\n  if i > 5\n    break\n  end\n  continue\nend") ==
        "(for (iteration i (range 1 2 n)) (block (if (> i 5) (block (break))) (continue)))");
}

TEST_CASE("return", "[parser][statements]") {
  CHECK(statements("function f()\n  return\nend") ==
        "(function f (params) (params) (typeparams) _ (block (return)))");
  CHECK(sx("return x") == "(return x)");
  CHECK(sx("return a, b") == "(return (tuple a b))");
  CHECK(sx("return y, dy -> (dy,)") ==
        "(return (tuple y (-> (params (param dy _ _)) (tuple dy))))");
  CHECK(sx("x > 0 && return 1") == "(&& (> x 0) (return 1))");
  CHECK(sx("f(return)") == "(call f (return))");
}

TEST_CASE("try, catch, finally", "[parser][statements]") {
  CHECK(sx("try\n  f()\ncatch e\n  g(e)\nend") == "(try (block (call f)) e (block (call g e)) _)");
  CHECK(sx("try\n  f()\ncatch\n  g()\nend") == "(try (block (call f)) _ (block (call g)) _)");
  CHECK(sx("try\n  f()\nfinally\n  h()\nend") == "(try (block (call f)) _ _ (block (call h)))");
  CHECK(sx("try\n  f()\ncatch err\n  g()\nfinally\n  h()\nend") ==
        "(try (block (call f)) err (block (call g)) (block (call h)))");
  CHECK(sx("try f() catch e; g(e) end") == "(try (block (call f)) e (block (call g e)) _)");
  CHECK(sx("error(\"msg\")") == "(call error \"msg\")");
  CHECK(sx("throw(e)") == "(call throw e)");
}

TEST_CASE("let, begin, local, global, const", "[parser][statements]") {
  CHECK(sx("let x = 1, y = 2\n  x + y\nend") == "(let (block (= x 1) (= y 2)) (block (+ x y)))");
  CHECK(sx("let\n  z\nend") == "(let (block) (block z))");
  CHECK(sx("begin\n  a\n  b\nend") == "(block a b)");
  CHECK(sx("local x") == "(local x)");
  CHECK(sx("local x = 1") == "(local (= x 1))");
  CHECK(sx("local a, b") == "(local a b)");
  CHECK(sx("local x::Int = 0") == "(local (= (:: x Int) 0))");
  CHECK(sx("global counter") == "(global counter)");
  CHECK(sx("const K = 1") == "(const (= K 1))");
}

TEST_CASE("modules, using and include", "[parser][statements]") {
  CHECK(sx("using NN") == "(using NN)");
  CHECK(sx("using NN, Optim") == "(using NN Optim)");
  CHECK(sx("using Base.Math") == "(using (. Base Math))");
  CHECK(sx("import NN") == "(import NN)");
  CHECK(sx("include(\"other.tsr\")") == "(call include \"other.tsr\")");
  CHECK(sx("module M\n  x = 1\nend") == "(module M (block (= x 1)))");
}

TEST_CASE("do blocks", "[parser][statements]") {
  CHECK(sx("map(xs) do x\n  x * 2\nend") ==
        "(do (call map xs) (-> (params (param x _ _)) (block (* x 2))))");
  CHECK(sx("open(f) do\n  g()\nend") == "(do (call open f) (-> (params) (block (call g))))");
  CHECK(sx("foreach(xs, ys) do a, b\nend") ==
        "(do (call foreach xs ys) (-> (params (param a _ _) (param b _ _)) (block)))");
}

TEST_CASE("macro calls", "[parser][statements]") {
  CHECK(sx("@assert x > 0 \"x must be positive\"") ==
        "(macrocall @assert (> x 0) \"x must be positive\")");
  CHECK(sx("@assert cond") == "(macrocall @assert cond)");
  CHECK(sx("@time train!(model, data)") == "(macrocall @time (call train! model data))");
  CHECK(sx("@time x = f(y)") == "(macrocall @time (= x (call f y)))");
  CHECK(sx("i = @index(Global)") == "(= i (macrocall @index Global))");
  CHECK(sx("I = @index(Global, NTuple)") == "(= I (macrocall @index Global NTuple))");
  CHECK(sx("tile = @localmem Float32 (16, 16)") ==
        "(= tile (macrocall @localmem Float32 (tuple 16 16)))");
  CHECK(sx("@synchronize") == "(macrocall @synchronize)");
  CHECK(sx("@synchronize()") == "(macrocall @synchronize)");
  CHECK(sx("n = @groupsize()[1]") == "(= n (ref (macrocall @groupsize) 1))");
  CHECK(sx("@inbounds y[i] = x[i]") == "(macrocall @inbounds (= (ref y i) (ref x i)))");
  CHECK(sx("@inbounds for i in 1:n\n  s += x[i]\nend") ==
        "(macrocall @inbounds (for (iteration i (range 1 n)) (block (+= s (ref x i)))))");
  CHECK(sx("@inbounds function f(x)\n  x[1]\nend") ==
        "(macrocall @inbounds (function f (params (param x _ _)) (params) (typeparams) _ (block "
        "(ref x 1))))");
  CHECK(sx("@. y = a * x + b") == "(macrocall @. (= y (+ (* a x) b)))");
  CHECK(sx("f(@index(Local), 2)") == "(call f (macrocall @index Local) 2)");
  CHECK(statements("@synchronize\nx = 1") == "(macrocall @synchronize)\n(= x 1)");
}

TEST_CASE("docstrings: a string before a statement at the top level", "[parser][statements]") {
  const std::string f = "(function f (params) (params) (typeparams) _ (block 1))";
  CHECK(statements("\"doc\"\nf() = 1") == "(doc \"doc\" f)\n" + f);
  CHECK(statements("\"doc\" f() = 1") == "(doc \"doc\" f)\n" + f);
  CHECK(statements("\"not doc\"\n\nf() = 1") == "\"not doc\"\n" + f);
  CHECK(statements("\"not doc\"\n# a comment\nx = 1") == "\"not doc\"\n(= x 1)");
  CHECK(statements("\"doc\"\nconst X = 1") == "(doc \"doc\" X)\n(const (= X 1))");
  CHECK(statements("\"doc\"\nprintln(1)") == "(doc \"doc\" \"println(1)\")\n(call println 1)");
  CHECK(statements("function g()\n  \"value\"\n  f() = 1\nend") ==
        "(function g (params) (params) (typeparams) _ (block \"value\" " + f + "))");
}
