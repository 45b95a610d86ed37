// Definitions: functions and their parameters, lambdas, type definitions.
#include "syntax_test_support.hpp"

using tsr::syntax::test::statements;
using tsr::syntax::test::sx;

TEST_CASE("long and short function definitions", "[parser][definitions]") {
  CHECK(sx("function f(x)\n  x + 1\nend") ==
        "(function f (params (param x _ _)) (params) (typeparams) _ (block (+ x 1)))");
  CHECK(sx("f(x) = x + 1") ==
        "(function f (params (param x _ _)) (params) (typeparams) _ (block (+ x 1)))");
  CHECK(sx("function f() end") == "(function f (params) (params) (typeparams) _ (block))");
  CHECK(sx("function f(x) x end") ==
        "(function f (params (param x _ _)) (params) (typeparams) _ (block x))");
  CHECK(sx("function saxpy!(y, a, x)\nend") ==
        "(function saxpy! (params (param y _ _) (param a _ _) (param x _ _)) (params) (typeparams) "
        "_ (block))");
  CHECK(sx("function Base.show(io, x)\nend") ==
        "(function (. Base show) (params (param io _ _) (param x _ _)) (params) (typeparams) _ "
        "(block))");
  CHECK(
      sx("function (x, y)\n  x + y\nend") ==
      "(function _ (params (param x _ _) (param y _ _)) (params) (typeparams) _ (block (+ x y)))");
  CHECK(sx("g = function (x)\n  x\nend") ==
        "(= g (function _ (params (param x _ _)) (params) (typeparams) _ (block x)))");
}

TEST_CASE("typed, untyped, anonymous, default, keyword and vararg parameters",
          "[parser][definitions]") {
  CHECK(sx("area(s::Square) = s.side^2") ==
        "(function area (params (param s Square _)) (params) (typeparams) _ (block (^ (. s side) "
        "2)))");
  CHECK(sx("f(x, y::Int) = 0") ==
        "(function f (params (param x _ _) (param y Int _)) (params) (typeparams) _ (block 0))");
  CHECK(sx("f(x, y = 2) = 0") ==
        "(function f (params (param x _ _) (param y _ 2)) (params) (typeparams) _ (block 0))");
  CHECK(sx("f(x::Int = 2) = 0") ==
        "(function f (params (param x Int 2)) (params) (typeparams) _ (block 0))");
  CHECK(sx("f(x; lr = 0.1, momentum::Float64 = 0.9) = 0") ==
        "(function f (params (param x _ _)) (params (param lr _ 0.1) (param momentum Float64 0.9)) "
        "(typeparams) _ (block 0))");
  CHECK(
      sx("f(x; required) = 0") ==
      "(function f (params (param x _ _)) (params (param required _ _)) (typeparams) _ (block 0))");
  CHECK(sx("f(xs...) = 0") ==
        "(function f (params (param xs vararg _ _)) (params) (typeparams) _ (block 0))");
  CHECK(sx("f(xs::Int...) = 0") ==
        "(function f (params (param xs vararg Int _)) (params) (typeparams) _ (block 0))");
  CHECK(sx("f(; kws...) = 0") ==
        "(function f (params) (params (param kws vararg _ _)) (typeparams) _ (block 0))");
  CHECK(sx("describe(xs::Vararg{Int}) = length(xs)") ==
        "(function describe (params (param xs (curly Vararg Int) _)) (params) (typeparams) _ "
        "(block (call length xs)))");
  CHECK(sx("function rrule(::typeof(mysquare), x)\nend") ==
        "(function rrule (params (param (call typeof mysquare) _) (param x _ _)) (params) "
        "(typeparams) _ (block))");
  CHECK(sx("f(::Int) = 1") ==
        "(function f (params (param Int _)) (params) (typeparams) _ (block 1))");
}

TEST_CASE("where clauses and return types", "[parser][definitions]") {
  CHECK(sx("combine(a::T, b::T) where {T <: Real} = a + b") ==
        "(function combine (params (param a T _) (param b T _)) (params) "
        "(typeparams (typeparam T Real _)) _ (block (+ a b)))");
  CHECK(sx("f(x::T) where T = x") ==
        "(function f (params (param x T _)) (params) (typeparams (typeparam T _ _)) _ (block x))");
  CHECK(sx("f(x::T) where T <: Number = x") ==
        "(function f (params (param x T _)) (params) (typeparams (typeparam T Number _)) _ (block "
        "x))");
  CHECK(sx("f(x::Array{T, N}) where {T, N} = N") ==
        "(function f (params (param x (curly Array T N) _)) (params) "
        "(typeparams (typeparam T _ _) (typeparam N _ _)) _ (block N))");
  CHECK(sx("f(x::T, y::S) where T where S = 0") ==
        "(function f (params (param x T _) (param y S _)) (params) "
        "(typeparams (typeparam T _ _) (typeparam S _ _)) _ (block 0))");
  CHECK(sx("f(x) where {Int <: T <: Real} = 0") ==
        "(function f (params (param x _ _)) (params) (typeparams (typeparam T Real Int)) _ (block "
        "0))");
  CHECK(
      sx("f(x) where {T >: Int} = 0") ==
      "(function f (params (param x _ _)) (params) (typeparams (typeparam T _ Int)) _ (block 0))");
  CHECK(
      sx("function f(x::T)::T where {T <: Real}\n  x\nend") ==
      "(function f (params (param x T _)) (params) (typeparams (typeparam T Real _)) T (block x))");
  CHECK(sx("f(x)::Int = 1") ==
        "(function f (params (param x _ _)) (params) (typeparams) Int (block 1))");
}

TEST_CASE("abstract types, structs and semantic types", "[parser][definitions]") {
  CHECK(sx("abstract type Shape end") == "(abstract Shape (typeparams) _)");
  CHECK(sx("abstract type Polygon <: Shape end") == "(abstract Polygon (typeparams) Shape)");
  CHECK(sx("abstract type AbstractTensor{T, N}\nend") ==
        "(abstract AbstractTensor (typeparams (typeparam T _ _) (typeparam N _ _)) _)");
  CHECK(sx("struct Square <: Polygon\n    side::Float64\nend") ==
        "(struct Square (typeparams) Polygon (block (field side Float64)))");
  CHECK(sx("mutable struct Counter\n    n::Int\nend") ==
        "(struct mutable Counter (typeparams) _ (block (field n Int)))");
  CHECK(sx("struct Point{T <: Real}\n    x::T\n    y::T\nend") ==
        "(struct Point (typeparams (typeparam T Real _)) _ (block (field x T) (field y T)))");
  CHECK(sx("struct Point{T <: Real} x::T; y::T end") ==
        "(struct Point (typeparams (typeparam T Real _)) _ (block (field x T) (field y T)))");
  CHECK(sx("struct Empty end") == "(struct Empty (typeparams) _ (block))");
  CHECK(sx("struct Pair2{A, B} <: AbstractPair{A, B}\n  first::A\n  second\nend") ==
        "(struct Pair2 (typeparams (typeparam A _ _) (typeparam B _ _)) (curly AbstractPair A B) "
        "(block (field first A) (field second _)))");
  CHECK(sx("struct Wrapper\n  x::Int\n  Wrapper(x) = new(x)\nend") ==
        "(struct Wrapper (typeparams) _ (block (field x Int) (function Wrapper (params (param x _ "
        "_)) "
        "(params) (typeparams) _ (block (call new x)))))");
  CHECK(sx("semantic TensorImage <: Tensor") == "(semantic TensorImage (typeparams) Tensor)");
  CHECK(sx("semantic TensorBBox <: TensorPoint") ==
        "(semantic TensorBBox (typeparams) TensorPoint)");
  // Contextual keywords stay usable as names.
  CHECK(sx("type = 1") == "(= type 1)");
  CHECK(sx("abstract(x)") == "(call abstract x)");
  CHECK(sx("semantic = mutable + 1") == "(= semantic (+ mutable 1))");
  CHECK(sx("x.type") == "(. x type)");
}

TEST_CASE("kernels", "[parser][definitions]") {
  CHECK(statements("@kernel function saxpy!(y, a, x)\n"
                   "    i = @index(Global)\n"
                   "    y[i] = a * x[i] + y[i]\n"
                   "end") ==
        "(macrocall @kernel (function saxpy! (params (param y _ _) (param a _ _) (param x _ _)) "
        "(params) (typeparams) _ (block (= i (macrocall @index Global)) "
        "(= (ref y i) (+ (* a (ref x i)) (ref y i))))))");
  CHECK(statements("@kernel function tile!(out, a)\n"
                   "    tile = @localmem Float32 (16, 16)\n"
                   "    i, j = @index(Local, NTuple)\n"
                   "    n = @groupsize()[1]\n"
                   "    @synchronize\n"
                   "    atomic_add!(out, i, j, a[i, j])\n"
                   "end") ==
        "(macrocall @kernel (function tile! (params (param out _ _) (param a _ _)) (params) "
        "(typeparams) _ (block (= tile (macrocall @localmem Float32 (tuple 16 16))) "
        "(= (tuple i j) (macrocall @index Local NTuple)) (= n (ref (macrocall @groupsize) 1)) "
        "(macrocall @synchronize) (call atomic_add! out i j (ref a i j)))))");
}
