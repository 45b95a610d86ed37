// Ambiguous calls (LANGUAGE.md "Functions and multiple dispatch"): the cases of Julia's
// test/ambiguous.jl that fit Tessera.
//
// Two applicable methods with neither more specific (neither signature a strict subtype of the
// other) and no applicable method more specific than both make the call ambiguous: a
// MethodError "... is ambiguous." that lists the candidates. Defining a method for the
// intersection settles it. Tessera has no specificity heuristics, so some calls Julia resolves
// are ambiguous here; those tests say "Julia: ...".
//
// Every outcome must be the same whatever order the methods were defined in: the tests define
// them in every permutation. Stand-ins for Julia's types are declared per test.
#include <catch2/catch.hpp>

#include "tests/runtime/known_gaps.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "dsl/embed/tessera.hpp"
#include "tests/runtime/dispatch_order.hpp"

namespace {

using namespace dispatch_order;



// defs plus one more method.
std::vector<Def> with(std::vector<Def> defs, Def extra) {
  defs.push_back(std::move(extra));
  return defs;
}

}  // namespace

using Catch::Matchers::Contains;

TEST_CASE("ambig: five methods, one ambiguous call", "[ambiguity]") {
  std::vector<Def> defs = {{"(x, y)", 1}, {"(x::Integer, y)", 2}, {"(x, y::Integer)", 3},
                           {"(x::Int, y::Int)", 4}, {"(x::Number, y)", 5}};
  in_every_order("ambig", defs, nullptr, [](tsr::Runtime& rt) {
    CHECK(rt.function("ambig").methods().size() == 5);
    CHECK(rt.call<int64_t>("ambig", std::string("hi"), std::string("there")) == 1);
    CHECK(rt.call<int64_t>("ambig", 3.1, 3.2) == 5);
    CHECK(rt.call<int64_t>("ambig", 3, 4) == 4);
    CHECK(which_id(rt, "ambig", {"Int", "Int"}) == 4);
    CHECK(which_id(rt, "ambig", {"Int", "String"}) == 2);
    CHECK(which_id(rt, "ambig", {"String", "Int"}) == 3);
    std::string err = dispatch_error(rt, "ambig", {"UInt8", "Int"});
    CHECK_THAT(err, Contains("MethodError: ambig(::UInt8, ::Int64) is ambiguous."));
    CHECK_THAT(err, Contains("  ambig(x::Integer, y)"));
    CHECK_THAT(err, Contains("  ambig(x, y::Integer)"));
    CHECK_THAT(err, Contains("Possible fix, define\n  ambig(::Integer, ::Integer)"));
    // ambig(x::Number, y) is applicable but less specific than ambig(x::Integer, y)
    CHECK_THAT(err, !Contains("ambig(x::Number, y)"));
    // the ambiguity is not cached as an answer: the second call throws too
    CHECK_THROWS_WITH(rt.call<int64_t>("ambig", uint8_t(3), 4), Contains("is ambiguous"));
    CHECK_THROWS_WITH(rt.call<int64_t>("ambig", uint8_t(3), 4), Contains("is ambiguous"));
    CHECK_THROWS_AS(rt.call<int64_t>("ambig", int8_t(1), int16_t(2)), tsr::MethodError);
  });
}

TEST_CASE("ambig: overwriting a method keeps the ambiguity and the intersection resolves it",
          "[ambiguity]") {
  tsr::Runtime rt;
  for (const Def& d : std::vector<Def>{{"(x, y)", 1}, {"(x::Integer, y)", 2}, {"(x, y::Integer)", 3},
                                       {"(x::Int, y::Int)", 4}, {"(x::Number, y)", 5}})
    define(rt, "ambig", d);
  CHECK_THROWS_WITH(rt.call<int64_t>("ambig", 2, uint8_t(3)), Contains("is ambiguous"));
  define(rt, "ambig", {"(x, y::Integer)", 3});
  CHECK(rt.function("ambig").methods().size() == 5);
  CHECK_THROWS_WITH(rt.call<int64_t>("ambig", 2, uint8_t(3)), Contains("is ambiguous"));
  define(rt, "ambig", {"(x::Integer, y::Integer)", 6});
  CHECK(rt.call<int64_t>("ambig", 2, uint8_t(3)) == 6);
  CHECK(rt.call<int64_t>("ambig", uint8_t(3), 4) == 6);
  CHECK(rt.call<int64_t>("ambig", 3, 4) == 4);
}

TEST_CASE("ambig: adding an overlapping Union method invalidates cached answers", "[ambiguity]") {
  tsr::Runtime rt;
  define(rt, "ambig", {"(x::Union{String,Int8})", 10});
  CHECK(rt.call<int64_t>("ambig", std::string("c")) == 10);
  CHECK(rt.call<int64_t>("ambig", int8_t(1)) == 10);
  CHECK_THROWS_WITH(rt.call<int64_t>("ambig", int16_t(1)), Contains("no method matching ambig(::Int16)"));
  define(rt, "ambig", {"(x::Union{String,Int16})", 11});
  CHECK_THROWS_WITH(rt.call<int64_t>("ambig", std::string("c")), Contains("is ambiguous"));
  CHECK(rt.call<int64_t>("ambig", int8_t(1)) == 10);
  CHECK(rt.call<int64_t>("ambig", int16_t(1)) == 11);
  define(rt, "ambig", {"(x::String)", 12});
  CHECK(rt.call<int64_t>("ambig", std::string("c")) == 12);
}

TEST_CASE("detect_ambiguities modules Ambig1 to Ambig5 and Ambig48312", "[ambiguity]") {
  SECTION("Ambig1: (x::Integer, y) and (x, y::Integer) meet at (Integer, Integer)") {
    std::vector<Def> defs = {{"(x, y)", 1}, {"(x::Integer, y)", 2}, {"(x, y::Integer)", 3}};
    in_every_order("ambig", defs, nullptr, [](tsr::Runtime& rt) {
      std::string err = dispatch_error(rt, "ambig", {"Int", "Int"});
      CHECK_THAT(err, Contains("is ambiguous") && Contains("ambig(x::Integer, y)") && Contains("ambig(x, y::Integer)"));
      CHECK(which_id(rt, "ambig", {"Int", "String"}) == 2);
      CHECK(which_id(rt, "ambig", {"String", "Bool"}) == 3);
      CHECK(which_id(rt, "ambig", {"String", "String"}) == 1);
    });
    in_every_order("ambig", with(defs, {"(x::Integer, y::Integer)", 4}), nullptr, [](tsr::Runtime& rt) {
      CHECK(which_id(rt, "ambig", {"Int", "Int"}) == 4);
      CHECK(which_id(rt, "ambig", {"Bool", "UInt8"}) == 4);
    });
  }
  SECTION("Ambig2: a less specific third method does not hide the ambiguity") {
    std::vector<Def> defs = {{"(x, y)", 1}, {"(x::Integer, y)", 2}, {"(x, y::Integer)", 3}, {"(x::Number, y)", 4}};
    in_every_order("ambig", defs, nullptr, [](tsr::Runtime& rt) {
      CHECK_THAT(dispatch_error(rt, "ambig", {"Int", "Int"}), Contains("is ambiguous"));
      // (x::Number, y) and (x, y::Integer) meet at (Number, Integer) too
      std::string err = dispatch_error(rt, "ambig", {"Float64", "Int"});
      CHECK_THAT(err, Contains("is ambiguous") && Contains("ambig(x::Number, y)") && Contains("ambig(x, y::Integer)"));
      CHECK(which_id(rt, "ambig", {"Float64", "String"}) == 4);
    });
  }
  SECTION("Ambig3: a method for (Int, Int) covers only part of the intersection") {
    std::vector<Def> defs = {{"(x, y)", 1}, {"(x::Integer, y)", 2}, {"(x, y::Integer)", 3}, {"(x::Int, y::Int)", 4}};
    in_every_order("ambig", defs, nullptr, [](tsr::Runtime& rt) {
      CHECK(which_id(rt, "ambig", {"Int", "Int"}) == 4);
      CHECK_THAT(dispatch_error(rt, "ambig", {"Int8", "Int16"}), Contains("is ambiguous"));
      CHECK_THAT(dispatch_error(rt, "ambig", {"Int", "Int8"}), Contains("is ambiguous"));
    });
  }
  SECTION("Ambig4: no ambiguity") {
    std::vector<Def> defs = {{"(x, y)", 1}, {"(x::Int, y)", 2}, {"(x, y::Int)", 3}, {"(x::Int, y::Int)", 4}};
    in_every_order("ambig", defs, nullptr, [](tsr::Runtime& rt) {
      CHECK(which_id(rt, "ambig", {"Int", "Int"}) == 4);
      CHECK(which_id(rt, "ambig", {"Int", "String"}) == 2);
      CHECK(which_id(rt, "ambig", {"String", "Int"}) == 3);
      CHECK(which_id(rt, "ambig", {"String", "Int8"}) == 1);
    });
  }
  SECTION("Ambig5: two ambiguities") {
    std::vector<Def> defs = {{"(x::Int8, y)", 1}, {"(x::Integer, y)", 2}, {"(x, y::Int)", 3}};
    in_every_order("ambig", defs, nullptr, [](tsr::Runtime& rt) {
      std::string e1 = dispatch_error(rt, "ambig", {"Int8", "Int"});
      CHECK_THAT(e1, Contains("is ambiguous") && Contains("ambig(x::Int8, y)") && Contains("ambig(x, y::Int64)"));
      CHECK_THAT(e1, !Contains("ambig(x::Integer, y)"));
      std::string e2 = dispatch_error(rt, "ambig", {"Int16", "Int"});
      CHECK_THAT(e2, Contains("is ambiguous") && Contains("ambig(x::Integer, y)") && Contains("ambig(x, y::Int64)"));
      CHECK(which_id(rt, "ambig", {"Int8", "String"}) == 1);
      CHECK(which_id(rt, "ambig", {"Int16", "String"}) == 2);
      CHECK(which_id(rt, "ambig", {"String", "Int"}) == 3);
    });
  }
  SECTION("Ambig48312: Signed/Integer crossed with Int") {
    std::vector<Def> defs = {{"(a::Integer, b::Int)", 1}, {"(a::Int, b::Integer)", 2},
                             {"(a::Signed, b::Int)", 3}, {"(a::Int, b::Signed)", 4}};
    in_every_order("ambig", defs, nullptr, [](tsr::Runtime& rt) {
      std::string err = dispatch_error(rt, "ambig", {"Int", "Int"});
      CHECK_THAT(err, Contains("is ambiguous") && Contains("ambig(a::Signed, b::Int64)") &&
                          Contains("ambig(a::Int64, b::Signed)"));
      CHECK(which_id(rt, "ambig", {"Int8", "Int"}) == 3);
      CHECK(which_id(rt, "ambig", {"Int", "Int8"}) == 4);
      CHECK(which_id(rt, "ambig", {"UInt8", "Int"}) == 1);
      CHECK(which_id(rt, "ambig", {"Int", "Bool"}) == 2);
    });
    in_every_order("ambig", with(defs, {"(a::Int, b::Int)", 5}), nullptr, [](tsr::Runtime& rt) {
      CHECK(which_id(rt, "ambig", {"Int", "Int"}) == 5);
    });
  }
}

TEST_CASE("amb_1 to amb_4: ambiguities covered, or not, by more specific methods", "[ambiguity]") {
  SECTION("amb_1") {
    std::vector<Def> defs = {{"(a::Int8, b::Int)", 1}, {"(a::Integer, x)", 2}, {"(x, b::Int)", 3}};
    in_every_order("amb_1", defs, nullptr, [](tsr::Runtime& rt) {
      CHECK(which_id(rt, "amb_1", {"Int8", "Int"}) == 1);
      CHECK_THAT(dispatch_error(rt, "amb_1", {"Int16", "Int"}), Contains("is ambiguous"));
      CHECK(which_id(rt, "amb_1", {"Int8", "String"}) == 2);
      CHECK(which_id(rt, "amb_1", {"Float64", "Int"}) == 3);
    });
  }
  SECTION("amb_2") {
    std::vector<Def> defs = {{"(a::Int, y)", 1}, {"(x, b::Int)", 2}, {"(a::Int8, y)", 3}};
    in_every_order("amb_2", defs, nullptr, [](tsr::Runtime& rt) {
      CHECK(rt.function("amb_2").methods().size() == 3);
      CHECK_THAT(dispatch_error(rt, "amb_2", {"Int", "Int"}), Contains("is ambiguous"));
      std::string err = dispatch_error(rt, "amb_2", {"Int8", "Int"});
      CHECK_THAT(err, Contains("amb_2(a::Int8, y)") && Contains("amb_2(x, b::Int64)"));
      CHECK(which_id(rt, "amb_2", {"Int8", "String"}) == 3);
      CHECK(which_id(rt, "amb_2", {"Int", "String"}) == 1);
    });
  }
  SECTION("amb_3: (Integer, x) and (x, Integer) are covered by (Integer, Integer)") {
    std::vector<Def> defs = {{"(a::Int8, b::Int8)", 1}, {"(a::Int16, b::Int16)", 2}, {"(a::Integer, b::Integer)", 3},
                             {"(a::Integer, x)", 4}, {"(x, b::Integer)", 5}};
    in_every_order("amb_3", defs, nullptr, [](tsr::Runtime& rt) {
      CHECK(which_id(rt, "amb_3", {"Int8", "Int8"}) == 1);
      CHECK(which_id(rt, "amb_3", {"Int16", "Int16"}) == 2);
      CHECK(which_id(rt, "amb_3", {"Int8", "Int16"}) == 3);
      CHECK(which_id(rt, "amb_3", {"Int", "String"}) == 4);
      CHECK(which_id(rt, "amb_3", {"String", "Int"}) == 5);
    });
  }
  SECTION("amb_4: the same without (Integer, Integer)") {
    std::vector<Def> defs = {{"(a::Int8, b::Int8)", 1}, {"(a::Int16, b::Int16)", 2}, {"(a::Integer, x)", 4},
                             {"(x, b::Integer)", 5}};
    in_every_order("amb_4", defs, nullptr, [](tsr::Runtime& rt) {
      CHECK(which_id(rt, "amb_4", {"Int8", "Int8"}) == 1);
      std::string err = dispatch_error(rt, "amb_4", {"Int8", "Int16"});
      CHECK_THAT(err, Contains("is ambiguous") && Contains("amb_4(a::Integer, x)") && Contains("amb_4(x, b::Integer)"));
    });
  }
}

TEST_CASE("g16493 and Ambig6: parametric methods", "[ambiguity]") {
  auto setup = [](tsr::Runtime& rt) {
    rt.struct_type("Complex{T<:Real} <: Number", {{"re", "T"}, {"im", "T"}});
    rt.struct_type("ScaleMinMax{To,From}", {});
  };
  SECTION("g16493") {
    std::vector<Def> defs = {{"(x::T, y::Integer) where {T<:Number}", 0}, {"(x::Complex{T}, y) where {T<:Real}", 1}};
    in_every_order("g16493", defs, setup, [](tsr::Runtime& rt) {
      std::string err = dispatch_error(rt, "g16493", {"Complex{Int}", "Int"});
      CHECK_THAT(err, Contains("is ambiguous") && Contains("g16493(x::T, y::Integer) where T<:Number") &&
                          Contains("g16493(x::Complex{T}, y) where T<:Real"));
      CHECK(which_id(rt, "g16493", {"Complex{Int}", "String"}) == 1);
      CHECK(which_id(rt, "g16493", {"Float64", "Int"}) == 0);
    });
    in_every_order("g16493", with(defs, {"(x::Complex{T}, y::Integer) where {T<:Real}", 2}), setup,
                   [](tsr::Runtime& rt) { CHECK(which_id(rt, "g16493", {"Complex{Int}", "Int"}) == 2); });
  }
  SECTION("Ambig6 (issue #17350): no ambiguity") {
    std::vector<Def> defs = {
        {"(mapi::ScaleMinMax{To,From}, val::From) where {To<:Union{Float32,Float64}, From<:Real}", 1},
        {"(mapi::ScaleMinMax{To,From}, val::Union{Real,Complex}) where {To<:Union{Float32,Float64}, From<:Real}", 2}};
    in_every_order("map1", defs, setup, [](tsr::Runtime& rt) {
      CHECK(which_id(rt, "map1", {"ScaleMinMax{Float32,Int}", "Int"}) == 1);
      CHECK(which_id(rt, "map1", {"ScaleMinMax{Float32,Int}", "Float64"}) == 2);
      CHECK(which_id(rt, "map1", {"ScaleMinMax{Float64,Float32}", "Complex{Int}"}) == 2);
      CHECK_THROWS_AS(which_id(rt, "map1", {"ScaleMinMax{Int,Int}", "Int"}), tsr::MethodError);
    });
  }
}

TEST_CASE("Ambig17648: four conversion methods without ambiguity", "[ambiguity]") {
  auto setup = [](tsr::Runtime& rt) {
    rt.abstract_type("AbstractArr{T,N}");
    rt.struct_type("Arr{T,N} <: AbstractArr{T,N}", {{"x", "T"}});
    rt.struct_type("MyArr{T,N} <: AbstractArr{T,N}", {{"data", "Arr{T,N}"}});
  };
  std::vector<Def> defs = {
      {"(a::Type{Arr{T,N}}, A::MyArr{T,N}) where {T,N}", 1},
      {"(a::Type{Arr{T,N}}, A::MyArr{T,N}) where {T<:AbstractFloat,N}", 2},
      {"(a::Type{Arr{S,N}}, A::MyArr{T,N}) where {S<:AbstractFloat,N,T<:AbstractFloat}", 3},
      {"(a::Type{Arr{S,N}}, A::AbstractArr{T,N}) where {S<:AbstractFloat,N,T<:AbstractFloat}", 4}};
  in_every_order("foo", defs, setup, [](tsr::Runtime& rt) {
    CHECK(which_id(rt, "foo", {"Type{Arr{Float32,2}}", "MyArr{Float32,2}"}) == 2);
    CHECK(which_id(rt, "foo", {"Type{Arr{Float64,1}}", "MyArr{Float32,1}"}) == 3);
    CHECK(which_id(rt, "foo", {"Type{Arr{Int,1}}", "MyArr{Int,1}"}) == 1);
    CHECK(which_id(rt, "foo", {"Type{Arr{Float32,1}}", "Arr{Float64,1}"}) == 4);
    CHECK_THROWS_AS(which_id(rt, "foo", {"Type{Arr{Float32,1}}", "MyArr{Float64,2}"}), tsr::MethodError);
  });
}

TEST_CASE("Ambig8: Union signatures that cannot be sorted", "[ambiguity]") {
  // typeof(pi) -> Irrational{1}, MathConstants.γ -> Irrational{2}
  auto setup = [](tsr::Runtime& rt) {
    rt.abstract_type("AbstractIrrational <: Real");
    rt.struct_type("Irrational{N} <: AbstractIrrational", {});
    rt.struct_type("Irrational2 <: AbstractIrrational", {});
  };
  // Julia defines f and g with these methods in two different orders; here: every order.
  std::vector<Def> defs = {{"(x::Union{Irrational{1}, Integer})", 1}, {"(x::Union{AbstractIrrational, Int})", 2},
                           {"(x::Irrational)", 3}, {"(x::Signed)", 4}};
  in_every_order("f", defs, setup, [](tsr::Runtime& rt) {
    CHECK(which_id(rt, "f", {"UInt8"}) == 1);
    CHECK(which_id(rt, "f", {"Irrational2"}) == 2);
    CHECK(which_id(rt, "f", {"Irrational{2}"}) == 3);
    CHECK(which_id(rt, "f", {"Int8"}) == 4);
    std::string e_int = dispatch_error(rt, "f", {"Int"});
    CHECK_THAT(e_int, Contains("is ambiguous") && Contains("f(x::Union{AbstractIrrational, Int64})") &&
                          Contains("f(x::Signed)"));
    std::string e_pi = dispatch_error(rt, "f", {"Irrational{1}"});
    CHECK_THAT(e_pi, Contains("is ambiguous") && Contains("f(x::Irrational)"));
  });
}

TEST_CASE("f11407: Dict{K,V} against Dict{Any,V} and Dict{K,Any}", "[ambiguity]") {
  auto setup = [](tsr::Runtime& rt) { rt.struct_type("Dict{K,V}", {{"k", "K"}, {"v", "V"}}); };
  std::vector<Def> defs = {{"(a::Dict{K,V}, b::Dict{Any,V}) where {K,V}", 1},
                           {"(a::Dict{K,V}, b::Dict{K,Any}) where {K,V}", 2}};
  in_every_order("f11407", defs, setup, [](tsr::Runtime& rt) {
    CHECK_THAT(dispatch_error(rt, "f11407", {"Dict{Any,Any}", "Dict{Any,Any}"}), Contains("is ambiguous"));
    CHECK(which_id(rt, "f11407", {"Dict{Any,Int}", "Dict{Any,Int}"}) == 1);
    CHECK(which_id(rt, "f11407", {"Dict{Int,Any}", "Dict{Int,Any}"}) == 2);
  });
  in_every_order("f11407", with(defs, {"(a::Dict{Any,Any}, b::Dict{Any,Any})", 3}), setup, [](tsr::Runtime& rt) {
    CHECK(which_id(rt, "f11407", {"Dict{Any,Any}", "Dict{Any,Any}"}) == 3);
    CHECK(which_id(rt, "f11407", {"Dict{Any,Int}", "Dict{Any,Int}"}) == 1);
  });
}

TEST_CASE("cc46601: methods on Type{T} with bounds", "[ambiguity]") {
  std::vector<Def> defs = {{"(a::Type{S}, x) where {S<:Nothing}", 3},
                           {"(a::Type{T}, x::T) where {T<:Number}", 4},
                           {"(a::Type{T}, x::Number) where {T<:Number}", 6},
                           {"(a::Type{T}, x::Number) where {T<:AbstractString}", 2},
                           {"(a::Type{T}, x::Int) where {T<:AbstractString}", 7}};
  in_every_order("cc46601", defs, nullptr, [](tsr::Runtime& rt) {
    CHECK(which_id(rt, "cc46601", {"Type{Int}", "Int"}) == 4);
    CHECK(which_id(rt, "cc46601", {"Type{Int}", "Float64"}) == 6);
    CHECK(which_id(rt, "cc46601", {"Type{Nothing}", "Int"}) == 3);
    CHECK(which_id(rt, "cc46601", {"Type{String}", "Int"}) == 7);
    CHECK(which_id(rt, "cc46601", {"Type{String}", "Float64"}) == 2);
  });
}

TEST_CASE("fnoambig and f35983", "[ambiguity]") {
  std::vector<Def> defs = {{"(a::Int, b::Int)", 1}, {"(a::Int, b)", 2}, {"(a, b::Int)", 3}, {"(a, b)", 4}};
  in_every_order("fnoambig", defs, nullptr, [](tsr::Runtime& rt) {
    CHECK(which_id(rt, "fnoambig", {"Int", "Int"}) == 1);
    CHECK(which_id(rt, "fnoambig", {"Int", "String"}) == 2);
    CHECK(which_id(rt, "fnoambig", {"String", "Int"}) == 3);
    CHECK(which_id(rt, "fnoambig", {"String", "String"}) == 4);
  });
  // f35983: Julia ranks (::Type, ::Type) above (::T, ::T) where T, although neither signature is
  // a subtype of the other. As in Julia, two type arguments match (::T, ::T) with T = DataType
  // (Tuple{Type{Int},Type{Int8}} <: Tuple{T,T} where T, subtype.jl test_Type), so both methods
  // apply and Tessera calls it ambiguous.
  std::vector<Def> f = {{"(a::T, b::T) where {T}", 1}, {"(a::Type, b::Type)", 2}};
  in_every_order("f35983", f, nullptr, [](tsr::Runtime& rt) {
    CHECK(rt.call<int64_t>("f35983", 10, 12) == 1);
    CHECK(which_id(rt, "f35983", {"Int", "Int"}) == 1);
    KNOWN_GAP(CHECK_THAT(dispatch_error(rt, "f35983", {"Type{Int32}", "Type{Int32}"}), Contains("is ambiguous")));
    KNOWN_GAP(CHECK_THAT(dispatch_error(rt, "f35983", {"Type{Int32}", "Type{Int64}"}), Contains("is ambiguous")));
  });
  in_every_order("f35983", with(f, {"(a::Type{T}, b::Type{T}) where {T}", 3}), nullptr, [](tsr::Runtime& rt) {
    CHECK(which_id(rt, "f35983", {"Type{Int32}", "Type{Int32}"}) == 3);
  });
}

TEST_CASE("an ambiguity error prints the where-clause of each candidate", "[ambiguity]") {
  std::vector<Def> defs = {{"(x, ::Int, ::T) where {T<:Integer}", 0}, {"(::Int, x, ::T) where {T<:Integer}", 1}};
  in_every_order("ambig_with_bounds", defs, nullptr, [](tsr::Runtime& rt) {
    std::string err = dispatch_error(rt, "ambig_with_bounds", {"Int", "Int", "Int"});
    CHECK_THAT(err, Contains("ambig_with_bounds(::Int64, ::Int64, ::Int64) is ambiguous."));
    CHECK_THAT(err, Contains("  ambig_with_bounds(::Int64, x, ::T) where T<:Integer"));
    CHECK_THAT(err, Contains("  ambig_with_bounds(x, ::Int64, ::T) where T<:Integer"));
    CHECK(which_id(rt, "ambig_with_bounds", {"String", "Int", "Int8"}) == 0);
  });
}

TEST_CASE("semantic tensor types: crossed methods are ambiguous until the intersection exists",
          "[ambiguity]") {
  std::vector<Def> defs = {{"(a::TensorImage, b::Tensor)", 1}, {"(a::Tensor, b::TensorMask)", 2}};
  in_every_order("augment", defs, nullptr, [](tsr::Runtime& rt) {
    std::string err = dispatch_error(rt, "augment", {"TensorImage{Float32,3}", "TensorMask{Float32,3}"});
    CHECK_THAT(err, Contains("is ambiguous") && Contains("augment(a::TensorImage, b::Tensor)") &&
                        Contains("augment(a::Tensor, b::TensorMask)"));
    CHECK_THAT(dispatch_error(rt, "augment", {"TensorImageBW{Float32,2}", "TensorMask{Float32,2}"}),
               Contains("is ambiguous"));
    CHECK(which_id(rt, "augment", {"TensorImageBW{Float32,2}", "Tensor{Float32,2}"}) == 1);
    CHECK(which_id(rt, "augment", {"Tensor{Float32,2}", "TensorMask{Float32,2}"}) == 2);
    CHECK(which_id(rt, "augment", {"TensorMask{Float32,2}", "TensorPoint{Float32,2}"}) == 1);
    CHECK_THROWS_WITH(which_id(rt, "augment", {"Tensor{Float32,2}", "TensorImage{Float32,2}"}),
                      Contains("no method matching augment(::Tensor{Float32, 2}, ::TensorImage{Float32, 2})"));
  });
  in_every_order("augment", with(defs, {"(a::TensorImage, b::TensorMask)", 3}), nullptr, [](tsr::Runtime& rt) {
    CHECK(which_id(rt, "augment", {"TensorImage{Float32,3}", "TensorMask{Float32,3}"}) == 3);
    CHECK(which_id(rt, "augment", {"TensorImageBW{Float32,2}", "TensorMask{Float32,2}"}) == 3);
    CHECK(which_id(rt, "augment", {"TensorImageBW{Float32,2}", "Tensor{Float32,2}"}) == 1);
  });
  // A method on a more specific pair of semantic types wins over both.
  std::vector<Def> more = {{"(a::TensorImage, b::Tensor)", 1}, {"(a::Tensor, b::TensorMask)", 2},
                           {"(a::TensorImageBW, b::TensorMask)", 4}};
  in_every_order("augment", more, nullptr, [](tsr::Runtime& rt) {
    CHECK(which_id(rt, "augment", {"TensorImageBW{Float32,2}", "TensorMask{Float32,2}"}) == 4);
    CHECK_THAT(dispatch_error(rt, "augment", {"TensorImage{Float32,2}", "TensorMask{Float32,2}"}),
               Contains("is ambiguous"));
  });
}

// Calls Julia's specificity heuristics resolve, though neither signature is a strict subtype of
// the other: ambiguous in Tessera until the intersection has a method.
TEST_CASE("ties Julia breaks by heuristics are ambiguities in Tessera", "[ambiguity]") {
  auto setup = [](tsr::Runtime& rt) {
    rt.abstract_type("AbstractVec{T}");
    rt.struct_type("Vec{T} <: AbstractVec{T}", {{"x", "T"}});
    rt.abstract_type("AbstractMat{T}");
    rt.abstract_type("AbstractArr{T,N}");
    rt.struct_type("Arr{T,N} <: AbstractArr{T,N}", {{"x", "T"}});
    rt.struct_type("Ptr{T}", {});
  };
  SECTION("Tuple{Int, Any} and Tuple{Any, Int} (Julia agrees)") {
    std::vector<Def> defs = {{"(x::Int, y)", 1}, {"(x, y::Int)", 2}};
    in_every_order("h", defs, setup, [](tsr::Runtime& rt) {
      CHECK_THAT(dispatch_error(rt, "h", {"Int", "Int"}), Contains("is ambiguous"));
    });
    in_every_order("h", with(defs, {"(x::Int, y::Int)", 3}), setup,
                   [](tsr::Runtime& rt) { CHECK(which_id(rt, "h", {"Int", "Int"}) == 3); });
  }
  SECTION("f(x::Int, ys...) against f(x, y)") {
    std::vector<Def> defs = {{"(x::Int, ys...)", 1}, {"(x, y)", 2}};
    in_every_order("v", defs, setup, [](tsr::Runtime& rt) {
      CHECK_THAT(dispatch_error(rt, "v", {"Int", "Int"}), Contains("is ambiguous"));
      CHECK(which_id(rt, "v", {"Int"}) == 1);
      CHECK(which_id(rt, "v", {"Int", "Int", "Int"}) == 1);
      CHECK(which_id(rt, "v", {"String", "Int"}) == 2);
    });
    in_every_order("v", with(defs, {"(x::Int, y)", 3}), setup,
                   [](tsr::Runtime& rt) { CHECK(which_id(rt, "v", {"Int", "Int"}) == 3); });
  }
  SECTION("issue #8652: Ptr{T} against Ptr{Integer} (Julia: the Ptr{Integer} method)") {
    std::vector<Def> defs = {{"(a::Type{T1}, p::Ptr{T1}) where {T1<:Integer}", 1},
                             {"(a::Type{T2}, p::Ptr{Integer}) where {T2<:Integer}", 2}};
    in_every_order("p", defs, setup, [](tsr::Runtime& rt) {
      CHECK_THAT(dispatch_error(rt, "p", {"Type{Integer}", "Ptr{Integer}"}), Contains("is ambiguous"));
      CHECK(which_id(rt, "p", {"Type{Int}", "Ptr{Int}"}) == 1);
      CHECK(which_id(rt, "p", {"Type{Int}", "Ptr{Integer}"}) == 2);
    });
    in_every_order("p", with(defs, {"(a::Type{Integer}, p::Ptr{Integer})", 3}), setup,
                   [](tsr::Runtime& rt) { CHECK(which_id(rt, "p", {"Type{Integer}", "Ptr{Integer}"}) == 3); });
  }
  SECTION("a Vararg count tied to the rank (Julia: the Arr{T,N} method)") {
    std::vector<Def> defs = {{"(A::Arr{T,N}, I::Vararg{Int,N}) where {T,N}", 1}, {"(A::Arr, i::Int)", 2}};
    in_every_order("getindex", defs, setup, [](tsr::Runtime& rt) {
      CHECK_THAT(dispatch_error(rt, "getindex", {"Arr{Float32,1}", "Int"}), Contains("is ambiguous"));
      CHECK(which_id(rt, "getindex", {"Arr{Float32,2}", "Int"}) == 2);
      CHECK(which_id(rt, "getindex", {"Arr{Float32,2}", "Int", "Int"}) == 1);
    });
    in_every_order("getindex", with(defs, {"(A::Arr{T,1}, i::Int) where {T}", 3}), setup, [](tsr::Runtime& rt) {
      CHECK(which_id(rt, "getindex", {"Arr{Float32,1}", "Int"}) == 3);
    });
  }
  SECTION("a diagonal vararg against a longer Number tuple (Julia: the diagonal one)") {
    std::vector<Def> defs = {{"(x::T, xs::Vararg{T}) where {T<:Number}", 1},
                             {"(a::Number, b::Number, cs::Vararg{Number})", 2}};
    in_every_order("vcat", defs, setup, [](tsr::Runtime& rt) {
      CHECK_THAT(dispatch_error(rt, "vcat", {"Int", "Int"}), Contains("is ambiguous"));
      CHECK(which_id(rt, "vcat", {"Int"}) == 1);
      CHECK(which_id(rt, "vcat", {"Int", "Float64"}) == 2);
    });
  }
  SECTION("Tuple{Real,Real,Vararg{Int}} against Tuple{T,T,T} where T<:Real (Julia: the first)") {
    std::vector<Def> defs = {{"(a::Real, b::Real, cs::Vararg{Int})", 1}, {"(a::T, b::T, c::T) where {T<:Real}", 2}};
    in_every_order("g3", defs, setup, [](tsr::Runtime& rt) {
      CHECK_THAT(dispatch_error(rt, "g3", {"Int", "Int", "Int"}), Contains("is ambiguous"));
      CHECK(which_id(rt, "g3", {"Float64", "Float64", "Float64"}) == 2);
      CHECK(which_id(rt, "g3", {"Float64", "Int"}) == 1);
    });
  }
  SECTION("issue #26915: Vec against AbstractVecOrMat{T} (Julia: the Vec method)") {
    std::vector<Def> defs = {{"(a::Vec, b::AbstractVec)", 1},
                             {"(a::Union{AbstractVec{T},AbstractMat{T}}, b::AbstractVec{T}) where {T}", 2}};
    in_every_order("mul", defs, setup, [](tsr::Runtime& rt) {
      CHECK_THAT(dispatch_error(rt, "mul", {"Vec{Int}", "Vec{Int}"}), Contains("is ambiguous"));
      CHECK(which_id(rt, "mul", {"Vec{Int}", "Vec{Float64}"}) == 1);
    });
  }
  SECTION("Tuple{Type{Any}, Type} against Tuple{Type{T}, Type{T}} (Julia: the first)") {
    std::vector<Def> defs = {{"(a::Type{Any}, b::Type)", 1}, {"(a::Type{T}, b::Type{T}) where {T}", 2}};
    in_every_order("promote_rule", defs, setup, [](tsr::Runtime& rt) {
      CHECK_THAT(dispatch_error(rt, "promote_rule", {"Type{Any}", "Type{Any}"}), Contains("is ambiguous"));
      CHECK(which_id(rt, "promote_rule", {"Type{Any}", "Type{Int}"}) == 1);
      CHECK(which_id(rt, "promote_rule", {"Type{Int}", "Type{Int}"}) == 2);
    });
  }
}

TEST_CASE("no applicable method is a MethodError naming the closest candidates", "[ambiguity]") {
  std::vector<Def> defs = {{"(x::Int, y::Int)", 1}, {"(x::String)", 2}};
  in_every_order("area", defs, nullptr, [](tsr::Runtime& rt) {
    std::string err = dispatch_error(rt, "area", {"Float64", "Int"});
    CHECK_THAT(err, Contains("MethodError: no method matching area(::Float64, ::Int64)"));
    CHECK_THAT(err, Contains("Closest candidates are:") && Contains("area(x::Int64, y::Int64)"));
    CHECK_THAT(err, !Contains("is ambiguous"));
  });
}
