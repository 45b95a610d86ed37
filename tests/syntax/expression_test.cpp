// Expressions: precedence and associativity (Julia's), newline handling, and the postfix forms.
#include "syntax_test_support.hpp"

using tsr::syntax::test::statements;
using tsr::syntax::test::sx;

TEST_CASE("literals", "[parser][expressions]") {
  CHECK(sx("1") == "1");
  CHECK(sx("1_000") == "1000");
  CHECK(sx("0xff") == "255");
  CHECK(sx("2.5") == "2.5");
  CHECK(sx("2.0") == "2.0");
  CHECK(sx("1e-3") == "0.001");
  CHECK(sx("2.5f0") == "2.5f0");
  CHECK(sx("true") == "true");
  CHECK(sx("false") == "false");
  CHECK(sx("nothing") == "nothing");
  CHECK(sx("\"text\"") == "\"text\"");
  CHECK(sx("'c'") == "'c'");
  CHECK(sx(":name") == ":name");
}

TEST_CASE("matrix literals: spaces separate elements, ';' and line breaks rows", "[parser][expressions]") {
  CHECK(sx("[1 2 3]") == "(hcat _ 1 2 3)");
  CHECK(sx("[a; b]") == "(vcat _ a b)");
  CHECK(sx("[x;]") == "(vcat _ x)");
  CHECK(sx("[x]") == "(vect x)");
  CHECK(sx("[x\n]") == "(vect x)");
  CHECK(sx("[1 2; 3 4]") == "(vcat _ (row 1 2) (row 3 4))");
  CHECK(sx("[1 2\n 3 4]") == "(vcat _ (row 1 2) (row 3 4))");
  CHECK(sx("[\n 1 2\n 3 4\n]") == "(vcat _ (row 1 2) (row 3 4))");
  CHECK(sx("[a b; c]") == "(vcat _ (row a b) (row c))");
  CHECK(sx("[1 -2]") == "(hcat _ 1 (- 2))");
  CHECK(sx("[1 - 2]") == "(vect (- 1 2))");
  CHECK(sx("[1 -  2]") == "(vect (- 1 2))");
  CHECK(sx("[f (x)]") == "(hcat _ f x)");
  CHECK(sx("[f(x) y]") == "(hcat _ (call f x) y)");
  CHECK(sx("[(1 -2) 3]") == "(hcat _ (- 1 2) 3)");
  CHECK(sx("Float32[1 2; 3 4]") == "(vcat Float32 (row 1 2) (row 3 4))");
  CHECK(sx("T[a b]") == "(hcat T a b)");
  CHECK(sx("a[i, j]") == "(ref a i j)");
  CHECK(sx("a[i]") == "(ref a i)");
  CHECK(sx("[1,\n 2]") == "(vect 1 2)");
}

TEST_CASE("collections and ranges", "[parser][expressions]") {
  CHECK(sx("(1, 2.0)") == "(tuple 1 2.0)");
  CHECK(sx("(1,)") == "(tuple 1)");
  CHECK(sx("()") == "(tuple)");
  CHECK(sx("(a = 1, b = 2)") == "(tuple (= a 1) (= b 2))");
  CHECK(sx("[1, 2, 3]") == "(vect 1 2 3)");
  CHECK(sx("[]") == "(vect)");
  CHECK(sx("[1, 2,]") == "(vect 1 2)");
  CHECK(sx("1:n") == "(range 1 n)");
  CHECK(sx("1:2:n") == "(range 1 2 n)");
  CHECK(sx("a+1:b-1") == "(range (+ a 1) (- b 1))");
  CHECK(sx("[x^2 for x in xs]") == "(comprehension (^ x 2) (iteration x xs))");
  CHECK(sx("[x for x in xs if x > 0]") == "(comprehension x (iteration x xs) (filter (> x 0)))");
  CHECK(sx("[i + j for i in 1:n, j = 1:m]") ==
        "(comprehension (+ i j) (iteration i (range 1 n)) (iteration j (range 1 m)))");
  CHECK(sx("(x for x in xs)") == "(generator x (iteration x xs))");
  CHECK(sx("sum(x^2 for x in xs)") == "(call sum (generator (^ x 2) (iteration x xs)))");
  CHECK(sx("(a; b)") == "(block a b)");
}

TEST_CASE("arithmetic precedence and associativity", "[parser][expressions]") {
  CHECK(sx("a + b * c") == "(+ a (* b c))");
  CHECK(sx("a * b + c") == "(+ (* a b) c)");
  CHECK(sx("a - b - c") == "(- (- a b) c)");
  CHECK(sx("a / b * c") == "(* (/ a b) c)");
  CHECK(sx("a % b ÷ c") == "(÷ (% a b) c)");
  CHECK(sx("a | b & c") == "(| a (& b c))");
  CHECK(sx("a << 1 * 2") == "(* (<< a 1) 2)");
  CHECK(sx("a ^ b ^ c") == "(^ a (^ b c))");
  CHECK(sx("-a ^ 2") == "(- (^ a 2))");
  CHECK(sx("2 ^ -a") == "(^ 2 (- a))");
  CHECK(sx("-a * b") == "(* (- a) b)");
  CHECK(sx("!a && b") == "(&& (! a) b)");
  CHECK(sx("- -a") == "(- (- a))");
  CHECK(sx("(a + b) * c") == "(* (+ a b) c)");
  CHECK(sx("2x + 1") == "(+ (* 2 x) 1)");
  CHECK(sx("2x^2") == "(* 2 (^ x 2))");
  CHECK(sx("2(a + b)") == "(* 2 (+ a b))");
  CHECK(sx("x::Int ^ 2") == "(^ (:: x Int) 2)");
}

TEST_CASE("dotted operators broadcast at the level of their plain form", "[parser][expressions]") {
  CHECK(sx("a .+ b .* c") == "(.+ a (.* b c))");
  CHECK(sx("a .^ 2 ./ b") == "(./ (.^ a 2) b)");
  CHECK(sx("a .== b .&& c .< d") == "(.&& (.== a b) (.< c d))");
  CHECK(sx(".-a") == "(.- a)");
  CHECK(sx(".!m") == "(.! m)");
  CHECK(sx("y .= a .* x .+ b") == "(.= y (.+ (.* a x) b))");
  CHECK(sx("y .+= 1") == "(.+= y 1)");
  CHECK(sx("f.(x, y)") == "(dotcall f x y)");
  CHECK(sx("img .* 2f0") == "(.* img 2.0f0)");
}

TEST_CASE("comparisons, ranges and logic", "[parser][expressions]") {
  CHECK(sx("a + 1 < b * 2") == "(< (+ a 1) (* b 2))");
  CHECK(sx("a < b <= c") == "(comparison a < b <= c)");
  CHECK(sx("a == b != c === d") == "(comparison a == b != c === d)");
  CHECK(sx("a < b && c > d || e") == "(|| (&& (< a b) (> c d)) e)");
  CHECK(sx("a || b && c") == "(|| a (&& b c))");
  CHECK(sx("A <: B") == "(<: A B)");
  CHECK(sx("A >: B") == "(>: A B)");
  CHECK(sx("x isa Int") == "(isa x Int)");
  CHECK(sx("isa(x, Int)") == "(call isa x Int)");
  CHECK(sx("x in xs") == "(in x xs)");
  CHECK(sx("x ∈ xs") == "(in x xs)");
  CHECK(sx("a ≤ b") == "(<= a b)");
  CHECK(sx("1:n == r") == "(== (range 1 n) r)");
  CHECK(sx("1:n |> collect") == "(|> (range 1 n) collect)");
  CHECK(sx("x |> f |> g") == "(|> (|> x f) g)");
  CHECK(sx("TensorImage{Float32,3} <: Tensor{Float32,3}") ==
        "(<: (curly TensorImage Float32 3) (curly Tensor Float32 3))");
}

TEST_CASE("ternary, pairs, arrows and assignment", "[parser][expressions]") {
  CHECK(sx("c ? a : b") == "(? c a b)");
  CHECK(sx("c ? a : d ? e : f") == "(? c a (? d e f))");
  CHECK(sx("c ? 1 : 1:3") == "(? c 1 (range 1 3))");
  CHECK(sx("c ? (1:2) : b") == "(? c (range 1 2) b)");
  CHECK(sx("x = c ? a : b") == "(= x (? c a b))");
  CHECK(sx("a || b ? c : d") == "(? (|| a b) c d)");
  CHECK(sx("k => v") == "(=> k v)");
  CHECK(sx("a => b => c") == "(=> a (=> b c))");
  CHECK(sx("x -> x + 1") == "(-> (params (param x _ _)) (+ x 1))");
  CHECK(sx("x -> y -> x * y") == "(-> (params (param x _ _)) (-> (params (param y _ _)) (* x y)))");
  CHECK(sx("(a, b) -> a * b") == "(-> (params (param a _ _) (param b _ _)) (* a b))");
  CHECK(sx("() -> 0") == "(-> (params) 0)");
  CHECK(sx("(x::Int, y = 2) -> x") == "(-> (params (param x Int _) (param y _ 2)) x)");
  CHECK(sx("f = x -> x || y") == "(= f (-> (params (param x _ _)) (|| x y)))");
  CHECK(sx("a = b = c") == "(= a (= b c))");
  CHECK(sx("a, b = b, a") == "(= (tuple a b) (tuple b a))");
  CHECK(sx("x = 1, 2") == "(= x (tuple 1 2))");
  CHECK(sx("x += 1") == "(+= x 1)");
  CHECK(sx("x -= 1") == "(-= x 1)");
  CHECK(sx("x *= 2") == "(*= x 2)");
  CHECK(sx("x /= 2") == "(/= x 2)");
  CHECK(sx("x::Float64 = 1.0") == "(= (:: x Float64) 1.0)");
  CHECK(sx("a.b.c = 1") == "(= (. (. a b) c) 1)");
  CHECK(sx("t[i, j] = v") == "(= (ref t i j) v)");
}

TEST_CASE("postfix forms: calls, keywords, splats, fields, indexing, curly",
          "[parser][expressions]") {
  CHECK(sx("f()") == "(call f)");
  CHECK(sx("f(x, y)") == "(call f x y)");
  CHECK(sx("f(x; lr = 0.1)") == "(call f x (; (kw lr 0.1)))");
  CHECK(sx("f(x, lr = 0.1)") == "(call f x (kw lr 0.1))");
  CHECK(sx("f((a = 1))") == "(call f (= a 1))");
  CHECK(sx("f(x; k)") == "(call f x (; k))");
  CHECK(sx("f(xs...)") == "(call f (... xs))");
  CHECK(sx("f(a, xs...; kws...)") == "(call f a (... xs) (; (... kws)))");
  CHECK(sx("launch(k, n, y; workgroup = 256)") == "(call launch k n y (; (kw workgroup 256)))");
  CHECK(sx("a.b") == "(. a b)");
  CHECK(sx("a.b.c(x)") == "(call (. (. a b) c) x)");
  CHECK(sx("s.side^2") == "(^ (. s side) 2)");
  CHECK(sx("a[i]") == "(ref a i)");
  CHECK(sx("a[i, j]") == "(ref a i j)");
  CHECK(sx("t[2:3, :]") == "(ref t (range 2 3) :)");
  CHECK(sx("t[:, 1]") == "(ref t : 1)");
  CHECK(sx("a[end]") == "(ref a end)");
  CHECK(sx("a[end - 1, 2:end]") == "(ref a (- end 1) (range 2 end))");
  CHECK(sx("a[f(end)]") == "(ref a (call f end))");
  CHECK(sx("f(x)[1].y") == "(. (ref (call f x) 1) y)");
  CHECK(sx("Point{Float64}") == "(curly Point Float64)");
  CHECK(sx("Point{Float64}(1.0, 2.0)") == "(call (curly Point Float64) 1.0 2.0)");
  CHECK(sx("Union{A,B}") == "(curly Union A B)");
  CHECK(sx("Union{}") == "(curly Union)");
  CHECK(sx("Tuple{Int, Vararg{Int}}") == "(curly Tuple Int (curly Vararg Int))");
  CHECK(sx("Type{T}") == "(curly Type T)");
  CHECK(sx("Vector{<:Real}") == "(curly Vector (<: Real))");
  CHECK(sx("x'") == "(' x)");
  CHECK(sx("A' * B") == "(* (' A) B)");
  CHECK(sx("reduce(+, xs)") == "(call reduce + xs)");
  CHECK(sx("map(-, xs)") == "(call map - xs)");
  // An operator directly followed by '(' is called (Julia); with a space it is a prefix.
  CHECK(sx("+(1, 2)") == "(call + 1 2)");
  CHECK(sx("-(x)^2") == "(^ (call - x) 2)");
  CHECK(sx("- (x)") == "(- x)");
  CHECK(sx("-x^2") == "(- (^ x 2))");
  CHECK(sx(".-(x)") == "(.- x)");
  CHECK(sx("x::Int") == "(:: x Int)");
  CHECK(sx("Vector{T} where T") == "(where (curly Vector T) (typeparam T _ _))");
}

TEST_CASE("newlines end statements except inside brackets and after operators",
          "[parser][newlines]") {
  CHECK(statements("a = 1\nb = 2") == "(= a 1)\n(= b 2)");
  CHECK(statements("a = 1; b = 2;") == "(= a 1)\n(= b 2)");
  CHECK(statements("x = a +\n    b") == "(= x (+ a b))");
  CHECK(statements("x = a\n+ b") == "(= x a)\n(+ b)");
  CHECK(statements("x =\n  5") == "(= x 5)");
  CHECK(statements("f(a,\n  b)") == "(call f a b)");
  CHECK(statements("f(\n  a\n  ,\n  b\n)") == "(call f a b)");
  CHECK(statements("[1,\n 2,\n 3]") == "(vect 1 2 3)");
  CHECK(statements("(a\n + b)") == "(+ a b)");
  CHECK(statements("c ?\n a :\n b") == "(? c a b)");
  CHECK(statements("x = a &&\n  b ||\n  c") == "(= x (|| (&& a b) c))");
  CHECK(statements("f = x ->\n  x + 1") == "(= f (-> (params (param x _ _)) (+ x 1)))");
  CHECK(statements("a, \n b = 1, 2") == "(= (tuple a b) (tuple 1 2))");
  CHECK(statements("1\n2x") == "1\n(* 2 x)");
  CHECK(statements("  \n# only a comment\n\n x  # trailing\n") == "x");
  CHECK(statements("").empty());
}
