// Everything in the language reference (/work/shared/LANGUAGE.md, "the contract") parses:
// its code blocks verbatim, and its inline examples.
#include "syntax_test_support.hpp"

using tsr::syntax::test::parses_cleanly;
using tsr::syntax::test::statements;

namespace {

// The code blocks of LANGUAGE.md, verbatim.
constexpr const char* kTypesBlock = R"~(abstract type Shape end
abstract type Polygon <: Shape end
struct Square <: Polygon
    side::Float64
end
mutable struct Counter
    n::Int
end
struct Point{T <: Real}
    x::T
    y::T
end
)~";

constexpr const char* kSemanticBlock = R"~(  semantic TensorImage <: Tensor
  semantic TensorImageBW <: TensorImage
  semantic TensorMask <: TensorImage
  semantic TensorPoint <: Tensor
  semantic TensorBBox <: TensorPoint
  semantic TensorCategory <: Tensor
)~";

constexpr const char* kFunctionsBlock = R"~(area(s::Square) = s.side^2
function area(c::Circle)
    return pi * c.r^2
end
combine(a::T, b::T) where {T <: Real} = a + b      # diagonal: both the same T
combine(a::Real, b::Real) = a * b
describe(xs::Vararg{Int}) = length(xs)
)~";

constexpr const char* kKernelBlock = R"~(@kernel function saxpy!(y, a, x)
    i = @index(Global)
    y[i] = a * x[i] + y[i]
end
launch(saxpy!, length(y), y, 2f0, x)          # ndrange first; a tuple for 2-D/3-D
)~";

constexpr const char* kRruleBlock = R"~(function rrule(::typeof(mysquare), x)
    y = mysquare(x)
    return y, dy -> (dy .* 2f0 .* x,)
end
)~";

}  // namespace

TEST_CASE("LANGUAGE.md: types", "[parser][reference]") {
  CHECK(statements(kTypesBlock) ==
        "(abstract Shape (typeparams) _)\n"
        "(abstract Polygon (typeparams) Shape)\n"
        "(struct Square (typeparams) Polygon (block (field side Float64)))\n"
        "(struct mutable Counter (typeparams) _ (block (field n Int)))\n"
        "(struct Point (typeparams (typeparam T Real _)) _ (block (field x T) (field y T)))");
}

TEST_CASE("LANGUAGE.md: semantic tensor types", "[parser][reference]") {
  CHECK(statements(kSemanticBlock) ==
        "(semantic TensorImage (typeparams) Tensor)\n"
        "(semantic TensorImageBW (typeparams) TensorImage)\n"
        "(semantic TensorMask (typeparams) TensorImage)\n"
        "(semantic TensorPoint (typeparams) Tensor)\n"
        "(semantic TensorBBox (typeparams) TensorPoint)\n"
        "(semantic TensorCategory (typeparams) Tensor)");
}

TEST_CASE("LANGUAGE.md: functions and multiple dispatch", "[parser][reference]") {
  CHECK(statements(kFunctionsBlock) ==
        "(function area (params (param s Square _)) (params) (typeparams) _ (block (^ (. s side) "
        "2)))\n"
        "(function area (params (param c Circle _)) (params) (typeparams) _ "
        "(block (return (* pi (^ (. c r) 2)))))\n"
        "(function combine (params (param a T _) (param b T _)) (params) "
        "(typeparams (typeparam T Real _)) _ (block (+ a b)))\n"
        "(function combine (params (param a Real _) (param b Real _)) (params) (typeparams) _ "
        "(block (* a b)))\n"
        "(function describe (params (param xs (curly Vararg Int) _)) (params) (typeparams) _ "
        "(block (call length xs)))");
}

TEST_CASE("LANGUAGE.md: kernels", "[parser][reference]") {
  CHECK(statements(kKernelBlock) ==
        "(macrocall @kernel (function saxpy! (params (param y _ _) (param a _ _) (param x _ _)) "
        "(params) (typeparams) _ (block (= i (macrocall @index Global)) "
        "(= (ref y i) (+ (* a (ref x i)) (ref y i))))))\n"
        "(call launch saxpy! (call length y) y 2.0f0 x)");
}

TEST_CASE("LANGUAGE.md: differentiation rules", "[parser][reference]") {
  CHECK(statements(kRruleBlock) ==
        "(function rrule (params (param (call typeof mysquare) _) (param x _ _)) (params) "
        "(typeparams) _ (block (= y (call mysquare x)) "
        "(return (tuple y (-> (params (param dy _ _)) (tuple (.* (.* dy 2.0f0) x)))))))");
}

TEST_CASE("LANGUAGE.md: inline examples", "[parser][reference]") {
  const char* examples[] = {
      // values and literals
      "1",
      "2.5",
      "2.5f0",
      "true",
      "false",
      "\"text\"",
      "\"$name and $(expr)\"",
      "nothing",
      "(1, 2.0)",
      "1:n",
      "1:2:n",
      "[1, 2, 3]",
      "# a comment",
      "a = 1; b = 2",
      // types
      "Union{}",
      "isa(x, T)",
      "typeof(x)",
      "supertype(T)",
      "A <: B",
      "x::T",
      "Point{Float64}",
      "Point{Real}",
      "Union{A,B}",
      // tensors
      "zeros(dims...)",
      "zeros(Float64, 3, 4)",
      "fill(v, dims...)",
      "tensor([1.0, 2.0])",
      "size(t)",
      "size(t, d)",
      "length(t)",
      "eltype(t)",
      "ndims(t)",
      "reshape(t, 2, 3)",
      "permutedims(t, (2, 1))",
      "t[i, j]",
      "t[i, j] = v",
      "t[2:3, :]",
      "TensorImage{Float32,3} <: Tensor{Float32,3}",
      "TensorImage(t)",
      "Tensor(img)",
      "img .* 2f0",
      "img .* mask_tensor",
      "TensorImageBW .+ TensorImage",
      "TensorMask .* TensorImageBW",
      "TensorImage .+ TensorPoint",
      "sum(x)",
      "mean(x)",
      "cross_entropy(logits, labels)",
      // functions
      "x -> x + 1",
      "(a, b) -> a * b",
      "f(x; lr = 0.1)",
      "methods(f)",
      // control flow
      "if c\n  a\nelseif d\n  b\nelse\n  e\nend",
      "while c\n  x\nend",
      "for i in 1:n\nend",
      "for x in xs\nend",
      "for i in 1:n\n  break\nend",
      "for i in 1:n\n  continue\nend",
      "function f()\n  return\nend",
      "a && b",
      "a || b",
      "c ? a : b",
      "try\n  f()\ncatch e\n  g()\nend",
      "error(\"msg\")",
      "throw(e)",
      "@assert cond \"msg\"",
      // broadcasting
      "a .+ b",
      "f.(x)",
      "y .= a .* x .+ b",
      // kernels
      "@index(Global)",
      "@index(Local)",
      "@index(Group)",
      "@index(Global, NTuple)",
      "@groupsize()",
      "@localmem T (dims...)",
      "@synchronize",
      "atomic_add!(t, idx..., v)",
      "launch(k, (n, m), t; workgroup = 256)",
      // differentiation, modules and files
      "gradient(f, args...)",
      "include(\"other.tsr\")",
      "using NN",
      "println(x)",
      "print(x)",
      "show(x)",
      "string(x)",
      "@time expr",
  };
  for (const char* example : examples) {
    INFO(example);
    CHECK(parses_cleanly(example));
  }
}

TEST_CASE("a realistic training script parses", "[parser][reference]") {
  const char* script = R"~(using NN
include("data.tsr")

struct MLP <: Module
    layers::Vector{Dense}
end

(m::MLP)(x) = foldl((h, layer) -> relu.(layer(h)), m.layers; init = x)

function train!(model, data; epochs::Int = 5, lr = 0.1f0)
    opt = SGD(lr)
    for epoch in 1:epochs
        total = 0.0
        for (x, y) in data
            loss, grads = gradient(model) do m
                cross_entropy(m(x), y)
            end
            update!(opt, model, grads)
            total += loss
        end
        println("epoch $epoch: loss = $(total / length(data))")
    end
    return model
end

@time model = train!(MLP([Dense(784, 256), Dense(256, 10)]), loader; epochs = 2)
accuracy = mean(argmax.(eachrow(model(xtest))) .== ytest)
@assert 0.0 <= accuracy <= 1.0 "accuracy out of range"
)~";
  std::string parsed = statements(script);
  CHECK(parsed.find("(error") == std::string::npos);
}
