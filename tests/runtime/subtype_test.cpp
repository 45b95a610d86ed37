// The subtype relation a <: b (LANGUAGE.md "Types"): the cases of Julia's test/subtype.jl that
// fit Tessera, translated to Tessera's type syntax.
//
// Tessera has no Array/Vector/Ref/Pair built in, so each test declares stand-ins:
//   Vector{T}         -> Vec{T} <: AbstractVec{T}
//   Array{T,N}        -> Arr{T,N} <: AbstractArr{T,N}  (Array{T} -> Arr{T}, Vector{T} -> Arr{T,1})
//   Ref{T}, Ptr{T}, Pair{A,B}, Val{N}: structs of the same name.
// Julia's `@UnionAll T @UnionAll S<:T X` is written `X where S<:T where T` (T outermost) or
// `X where {T, S<:T}`.
#include <catch2/catch.hpp>

#include "tests/runtime/known_gaps.hpp"

#include <string>
#include <vector>

#include "dsl/embed/tessera.hpp"

namespace {

// A runtime with the stand-ins for Julia's Array, Vector, Ref, Ptr, Pair and Val declared.
struct Lattice {
  tsr::Runtime rt;
  Lattice() {
    rt.abstract_type("AbstractVec{T}");
    rt.struct_type("Vec{T} <: AbstractVec{T}", {{"x", "T"}});
    rt.abstract_type("AbstractArr{T,N}");
    rt.struct_type("Arr{T,N} <: AbstractArr{T,N}", {{"x", "T"}});
    rt.struct_type("Ref{T}", {{"x", "T"}});
    rt.struct_type("Ptr{T}", {});
    rt.struct_type("Pair{A,B}", {{"first", "A"}, {"second", "B"}});
    rt.struct_type("Val{N}", {});
  }
  bool sub(std::string_view a, std::string_view b) { return rt.issub(a, b); }
  // issub_strict of subtype.jl: a <: b and not b <: a.
  bool strict(std::string_view a, std::string_view b) { return sub(a, b) && !sub(b, a); }
  // isequal_type of subtype.jl: both ways.
  bool eq(std::string_view a, std::string_view b) { return sub(a, b) && sub(b, a); }
  // The interned type of the spelling (identity, Julia's ===).
  const tsr::Type* t(std::string_view a) { return rt.type(a); }
};

}  // namespace

TEST_CASE("the built-in number tower", "[subtype]") {
  Lattice L;
  CHECK(L.strict("Int", "Integer"));
  CHECK(L.strict("Int64", "Signed"));
  CHECK(L.strict("Int8", "Integer"));
  CHECK(L.strict("Int32", "Integer"));
  CHECK(L.strict("Int16", "Signed"));
  CHECK(L.strict("Signed", "Integer"));
  CHECK(L.strict("Integer", "Real"));
  CHECK(L.strict("Real", "Number"));
  CHECK(L.strict("Number", "Any"));
  CHECK(L.strict("Float64", "AbstractFloat"));
  CHECK(L.strict("Float32", "AbstractFloat"));
  CHECK(L.strict("Float16", "AbstractFloat"));
  CHECK(L.strict("BFloat16", "AbstractFloat"));
  CHECK(L.strict("AbstractFloat", "Real"));
  CHECK(L.strict("UInt8", "Unsigned"));
  CHECK(L.strict("UInt64", "Unsigned"));
  CHECK(L.strict("Unsigned", "Integer"));
  CHECK_FALSE(L.sub("UInt8", "Signed"));
  CHECK_FALSE(L.sub("Int8", "Unsigned"));
  CHECK_FALSE(L.sub("Float64", "Integer"));
  CHECK_FALSE(L.sub("Integer", "AbstractFloat"));
  CHECK_FALSE(L.sub("Float32", "Float64"));
  CHECK_FALSE(L.sub("Int32", "Int64"));
  CHECK_FALSE(L.sub("Real", "Integer"));  // supertype operator: !(Int >: Integer)
  CHECK(L.strict("String", "AbstractString"));
  CHECK_FALSE(L.sub("String", "Number"));
  CHECK_FALSE(L.sub("Nothing", "Number"));
  // Aliases are the same type.
  CHECK(L.t("Int") == L.t("Int64"));
  CHECK(L.t("UInt") == L.t("UInt64"));
  CHECK(L.eq("Int", "Int64"));
}

TEST_CASE("Bool is an Integer but neither Signed nor Unsigned", "[subtype]") {
  Lattice L;
  CHECK(L.strict("Bool", "Integer"));
  CHECK(L.strict("Bool", "Real"));
  CHECK(L.strict("Bool", "Number"));
  CHECK_FALSE(L.sub("Bool", "Signed"));
  CHECK_FALSE(L.sub("Bool", "Unsigned"));
  CHECK_FALSE(L.sub("Bool", "Int8"));
  CHECK_FALSE(L.sub("Integer", "Bool"));
  CHECK(L.sub("Tuple{Bool,Int}", "Tuple{Integer,Integer}"));
}

TEST_CASE("Any is the top and Union{} the bottom", "[subtype]") {
  Lattice L;
  for (const char* t : {"Any", "Union{}", "Int", "Real", "Tuple{}", "Tuple{Int,Vararg{Real}}", "Vec{Int}",
                        "Vec{T} where T", "Union{Int,String}", "Tuple{T,T} where T", "TensorImage{Float32,2}",
                        "Type{Int}", "Ref{Union{}}"}) {
    INFO(t);
    CHECK(L.sub("Union{}", t));
    CHECK(L.sub(t, "Any"));
  }
  CHECK(L.strict("Union{}", "Int"));
  CHECK(L.eq("Union{}", "Union{}"));
  CHECK(L.eq("Union{Union{},Union{}}", "Union{}"));  // test_4
  CHECK_FALSE(L.sub("Int", "Union{}"));
  CHECK_FALSE(L.sub("Any", "Union{}"));
  CHECK_FALSE(L.sub("Any", "Int"));
  CHECK_FALSE(L.sub("Any", "Real"));
  CHECK(L.eq("Union{Any,Int}", "Any"));
  CHECK(L.eq("Union{Int,Union{}}", "Int"));
  // A parameter Union{} is a type like any other: Vec{Union{}} is not empty and invariant.
  CHECK_FALSE(L.sub("Vec{Union{}}", "Union{}"));
  CHECK_FALSE(L.sub("Vec{Union{}}", "Vec{Int}"));
  CHECK(L.sub("Vec{Union{}}", "Vec{T} where T"));
  CHECK(L.sub("Tuple{Union{}}", "Tuple{Int}"));  // covariant: Tuple{Union{}} is empty
  CHECK_FALSE(L.sub("Type{Union{}}", "Type{Int32}"));  // test_old
}

TEST_CASE("level 1: no varargs, Unions or UnionAlls", "[subtype]") {
  Lattice L;
  CHECK(L.strict("Arr{Int,1}", "AbstractArr{Int,1}"));
  CHECK(L.strict("Vec{Int}", "AbstractVec{Int}"));
  CHECK(L.eq("Int", "Int"));
  CHECK(L.eq("Integer", "Integer"));
  CHECK(L.eq("Arr{Int,1}", "Arr{Int,1}"));
  CHECK(L.eq("AbstractArr{Int,1}", "AbstractArr{Int,1}"));
  CHECK(L.strict("Tuple{Int,Int}", "Tuple{Integer,Integer}"));
  CHECK(L.strict("Tuple{Arr{Int,1}}", "Tuple{AbstractArr{Int,1}}"));
  CHECK(L.eq("Tuple{Integer,Integer}", "Tuple{Integer,Integer}"));
  CHECK_FALSE(L.sub("Tuple{Int,Int}", "Tuple{Int}"));
  CHECK_FALSE(L.sub("Tuple{Int}", "Tuple{Integer,Integer}"));
  CHECK_FALSE(L.sub("Tuple{Int,Int}", "Tuple{}"));
  CHECK_FALSE(L.sub("Tuple{}", "Tuple{Int}"));
  // test_old
  CHECK(L.sub("Tuple{Int8,Int8}", "Tuple{Integer,Integer}"));
  CHECK(L.sub("Arr{Int8,1}", "Arr{Int8,1}"));
  // A tuple type is not a tuple of types.
  CHECK_FALSE(L.sub("Type{Tuple{Nothing}}", "Tuple{Type{Nothing}}"));
  CHECK_FALSE(L.sub("Tuple{Int}", "Int"));
  CHECK_FALSE(L.sub("Int", "Tuple{Int}"));
}

TEST_CASE("parameters of non-Tuple types are invariant", "[subtype]") {
  Lattice L;
  CHECK_FALSE(L.sub("Arr{Int,1}", "Arr{Integer,1}"));
  CHECK_FALSE(L.sub("Arr{Int8,1}", "Arr{Any,1}"));
  CHECK_FALSE(L.sub("Arr{Any,1}", "Arr{Int8,1}"));
  CHECK_FALSE(L.sub("AbstractArr{Float64,2}", "AbstractArr{Number,2}"));
  CHECK_FALSE(L.sub("AbstractArr{Float64,1}", "AbstractArr{Float64,2}"));
  CHECK_FALSE(L.sub("Vec{Float64}", "Vec{Union{Float64,Float32}}"));
  CHECK_FALSE(L.sub("Vec{Union{Float64,Float32}}", "Vec{Float64}"));
  CHECK_FALSE(L.sub("Vec{Int}", "AbstractVec{Integer}"));
  CHECK_FALSE(L.sub("Ref{Int}", "Ref{Any}"));
  CHECK_FALSE(L.sub("Ref{Ref{Int}}", "Ref{Ref{Integer}}"));
  CHECK(L.sub("Ref{Ref{Int}}", "Ref{Ref{Int}}"));
  CHECK(L.sub("Pair{Int,Int8}", "Pair"));
  CHECK_FALSE(L.sub("Pair{Int,Int8}", "Pair{Integer,Integer}"));
  // A user's parametric struct with a bound (LANGUAGE.md's Point).
  L.rt.abstract_type("Shape");
  L.rt.abstract_type("Polygon <: Shape");
  L.rt.struct_type("Square <: Polygon", {{"side", "Float64"}});
  L.rt.struct_type("Point{T<:Real}", {{"x", "T"}, {"y", "T"}});
  CHECK(L.strict("Square", "Polygon"));
  CHECK(L.strict("Square", "Shape"));
  CHECK_FALSE(L.sub("Shape", "Polygon"));
  CHECK_FALSE(L.sub("Point{Float64}", "Point{Real}"));
  CHECK(L.strict("Point{Float64}", "Point"));
  CHECK(L.eq("Point", "Point{T} where T<:Real"));
  CHECK(L.sub("Point{Float64}", "Point{T} where T<:AbstractFloat"));
  CHECK_FALSE(L.sub("Point{Int}", "Point{T} where T<:AbstractFloat"));
  CHECK_THROWS_AS(L.t("Point{String}"), tsr::Error);  // String is not <: Real
}

TEST_CASE("level 2: Vararg, Vararg{T,N} and NTuple", "[subtype]") {
  Lattice L;
  CHECK(L.strict("Tuple{Int,Int}", "Tuple{Vararg{Int}}"));
  CHECK(L.strict("Tuple{Int,Int}", "Tuple{Int,Vararg{Int}}"));
  CHECK(L.strict("Tuple{Int,Int}", "Tuple{Int,Vararg{Integer}}"));
  CHECK(L.strict("Tuple{Int,Int}", "Tuple{Int,Int,Vararg{Integer}}"));
  CHECK(L.strict("Tuple{Int,Vararg{Int}}", "Tuple{Vararg{Int}}"));
  CHECK(L.strict("Tuple{Int,Int,Int}", "Tuple{Vararg{Int}}"));
  CHECK(L.strict("Tuple{Int,Int,Int}", "Tuple{Integer,Vararg{Int}}"));
  CHECK(L.strict("Tuple{Int}", "Tuple{Any}"));
  CHECK(L.strict("Tuple{}", "Tuple{Vararg{Any}}"));
  CHECK(L.eq("Tuple{Int}", "Tuple{Int}"));
  CHECK(L.eq("Tuple{Vararg{Integer}}", "Tuple{Vararg{Integer}}"));
  CHECK_FALSE(L.sub("Tuple{}", "Tuple{Int,Vararg{Int}}"));
  CHECK_FALSE(L.sub("Tuple{Int}", "Tuple{Int,Int,Vararg{Int}}"));
  CHECK_FALSE(L.sub("Tuple{Int,Tuple{Real,Integer}}", "Tuple{Vararg{Int}}"));

  // Vararg{T,N} with a number N is N copies: one spelling, one interned type.
  CHECK(L.eq("Tuple{Int,Int}", "Tuple{Vararg{Int,2}}"));
  CHECK(L.eq("Tuple{Int,Vararg{Int,2}}", "Tuple{Int,Int,Int}"));
  CHECK(L.t("Tuple{Int,Vararg{Int,2}}") == L.t("Tuple{Int,Int,Int}"));
  CHECK(L.t("Tuple{Any,Any}") == L.t("Tuple{Vararg{Any,2}}"));
  CHECK(L.eq("Tuple{Int,Vararg{Int,2}}", "Tuple{Int,Int,Vararg{Int,1}}"));
  CHECK(L.eq("Tuple{Int,Vararg{Int,2}}", "Tuple{Int,Int,Int,Vararg{Int,0}}"));
  CHECK_FALSE(L.sub("Tuple{Int,Vararg{Int,2}}", "Tuple{Int,Int,Int,Vararg{Int,1}}"));
  CHECK(L.eq("Tuple{Int,Vararg{Int}}", "Tuple{Int,Vararg{Int}}"));
  CHECK(L.eq("Tuple{Int,Vararg{Int,N}} where N", "Tuple{Int,Vararg{Int,N}} where N"));
  CHECK(L.eq("Tuple{Int,Vararg{Int,N}} where N", "Tuple{Int,Vararg{Int}}"));

  CHECK(L.strict("Tuple{Tuple{Int,Int},Tuple{Int,Int}}", "Tuple{NTuple{N,Int},NTuple{N,Int}} where N"));
  CHECK_FALSE(L.sub("Tuple{Tuple{Int,Int},Tuple{Int}}", "Tuple{NTuple{N,Int},NTuple{N,Int}} where N"));
  CHECK(L.eq("NTuple{0,Int}", "Tuple{}"));
  CHECK(L.eq("NTuple{3,Int}", "Tuple{Int,Int,Int}"));
  CHECK(L.eq("NTuple{0}", "Tuple{}"));
  CHECK_FALSE(L.sub("Tuple{Val{3},Vararg{Val{3}}}", "Tuple{Vararg{Val{N},N}} where N"));
  CHECK(L.sub("Tuple{Val{2},Val{2}}", "Tuple{Vararg{Val{N},N}} where N"));
  CHECK_FALSE(L.sub("Tuple{Val{2},Val{2},Val{2}}", "Tuple{Vararg{Val{N},N}} where N"));
  CHECK(L.strict("Tuple{Int,Int}", "Tuple{Int,Int,Vararg{Int,N}} where N"));
  CHECK(L.strict("Tuple{Int,Int}", "Tuple{E,E,Vararg{E,N}} where E where N"));

  // test_old
  CHECK(L.sub("Tuple{Integer,Vararg{Integer}}", "Tuple{Integer,Vararg{Real}}"));
  CHECK(L.sub("Tuple{Integer,Float64,Vararg{Integer}}", "Tuple{Integer,Vararg{Number}}"));
  CHECK(L.sub("Tuple{Integer,Float64}", "Tuple{Integer,Vararg{Number}}"));
  CHECK(L.sub("Tuple{Int32}", "Tuple{Vararg{Number}}"));
  CHECK(L.sub("Tuple{}", "Tuple{Vararg{Number}}"));
  CHECK_FALSE(L.sub("Tuple{Vararg{Int32}}", "Tuple{Int32}"));
  CHECK_FALSE(L.sub("Tuple{Vararg{Int32}}", "Tuple{Number,Integer}"));
  CHECK_FALSE(L.sub("Tuple{Vararg{Integer}}", "Tuple{Integer,Integer,Vararg{Integer}}"));
  CHECK(L.sub("Tuple{}", "Tuple{Vararg}"));
  CHECK(L.sub("Tuple{Int,Int}", "Tuple{Vararg}"));
  CHECK(L.sub("Tuple{}", "NTuple{N} where N"));
  CHECK(L.strict("NTuple", "Tuple"));
  CHECK(L.strict("NTuple", "Tuple{Vararg}"));
  CHECK(L.eq("Tuple", "Tuple{Vararg}"));
  CHECK(L.eq("Tuple", "Tuple{Vararg{Any}}"));
  KNOWN_GAP(CHECK(L.sub("Type{Tuple{}}", "Type{NTuple{N}} where N")));
  CHECK_FALSE(L.sub("Type{Tuple{}}", "Type{Tuple{Vararg}}"));

  // issue #27632: a Vararg count tied to an array's rank.
  CHECK_FALSE(L.sub("Tuple{Arr{Int,0},Int,Vararg{Int}}", "Tuple{AbstractArr{T,N},Vararg{Int,N}} where {T,N}"));
  CHECK_FALSE(L.sub("Tuple{Arr{Int,0},Int,Vararg{Int}}", "Tuple{AbstractArr{T,N},Vararg{Any,N}} where {T,N}"));
  CHECK_FALSE(L.sub("Tuple{Arr{Int,0},Vararg{Any}}", "Tuple{AbstractArr{T,N},Vararg{Any,N}} where {T,N}"));
  CHECK(L.sub("Tuple{Arr{Int,0}}", "Tuple{AbstractArr{T,N},Vararg{Any,N}} where {T,N}"));
  CHECK_FALSE(L.sub("Tuple{Arr{Int,0},Any}", "Tuple{AbstractArr{T,N},Vararg{Any,N}} where {T,N}"));
  CHECK(L.sub("Tuple{Arr{Int,2},Int,Int}", "Tuple{AbstractArr{T,N},Vararg{Int,N}} where {T,N}"));
  CHECK_FALSE(L.sub("Tuple{Arr{Int,2},Int}", "Tuple{AbstractArr{T,N},Vararg{Int,N}} where {T,N}"));
}

TEST_CASE("Union on either side", "[subtype]") {
  Lattice L;
  CHECK(L.strict("Int", "Union{Int,String}"));
  CHECK(L.strict("Union{Int,Int8}", "Integer"));
  CHECK(L.eq("Union{Int,Int8}", "Union{Int,Int8}"));
  CHECK(L.eq("Union{Int,Int8}", "Union{Int8,Int}"));
  CHECK(L.eq("Union{Int,Integer}", "Integer"));
  CHECK_FALSE(L.sub("Union{Int,String}", "Integer"));
  CHECK_FALSE(L.sub("Union{Int,String}", "Int"));
  CHECK(L.eq("Tuple{Union{Int,Int8},Int16}", "Union{Tuple{Int,Int16},Tuple{Int8,Int16}}"));
  CHECK(L.strict("Tuple{Int,Int8,Int}", "Tuple{Vararg{Union{Int,Int8}}}"));
  CHECK(L.strict("Tuple{Int,Int8,Int}", "Tuple{Vararg{Union{Int,Int8,Int16}}}"));
  // nested unions
  CHECK_FALSE(L.sub("Union{Int,Ref{Union{Int,Int8}}}", "Union{Int,Ref{Union{Int8,Int16}}}"));
  // A = Int64, B = Int8, C = Int16, D = Int32
  CHECK(L.sub("Union{Union{Int64,Union{Int64,Union{Int8,Int16}}}, Union{Int32,Union{}}}",
              "Union{Union{Int64,Int8},Union{Int16,Union{Int8,Int32}}}"));
  CHECK_FALSE(L.sub("Union{Union{Int64,Union{Int64,Union{Int8,Int16}}}, Union{Int32,Union{}}}",
                    "Union{Union{Int64,Int8},Union{Int16,Union{Int8,Int64}}}"));
  CHECK(L.eq("Union{Union{Int64,Int8,Int16}, Union{Int32}}", "Union{Int64,Int8,Int16,Int32}"));
  CHECK(L.eq("Union{Union{Int64,Int8,Int16}, Union{Int32}}", "Union{Int64,Union{Int8,Int16},Int32}"));
  CHECK(L.eq("Union{Union{Union{Union{Int64}},Int8,Int16}, Union{Int32}}", "Union{Int64,Union{Int8,Int16},Int32}"));
  CHECK(L.strict("Union{Union{Int64,Int16}, Union{Int32}}", "Union{Int64,Int8,Int16,Int32}"));
  CHECK_FALSE(L.sub("Union{Union{Int64,Int8,Int16}, Union{Int32}}", "Union{Int64,Int16,Int32}"));
  // Unions that are not simplified
  const char* X =
      "Union{Union{Int64,Int8,Int16},Union{Int64,Int8,Int16},Union{Int64,Int8,Int16},Union{Int64,Int8,Int16},"
      "Union{Int64,Int8,Int16},Union{Int64,Int8,Int16},Union{Int64,Int8,Int16},Union{Int64,Int8,Int16}}";
  const char* Y =
      "Union{Union{Int32,Int8,Int16},Union{Int32,Int8,Int16},Union{Int32,Int8,Int16},Union{Int32,Int8,Int16},"
      "Union{Int32,Int8,Int16},Union{Int32,Int8,Int16},Union{Int32,Int8,Int16},Union{Int64,Int8,Int16}}";
  CHECK(L.strict(X, Y));
  // Unions inside invariant parameters
  CHECK_FALSE(L.sub("Ref{Union{Ref{Int},Ref{Int8}}}", "Union{Ref{Ref{Int}},Ref{Ref{Int8}}}"));
  KNOWN_GAP(CHECK(L.eq("Ref{Tuple{Union{Int,Int8},Int16}}", "Ref{Union{Tuple{Int,Int16},Tuple{Int8,Int16}}}")));
  KNOWN_GAP(CHECK(L.eq("Ref{T} where T<:Tuple{Union{Int,Int8},Int16}",
             "Ref{T} where T<:Union{Tuple{Int,Int16},Tuple{Int8,Int16}}")));
  CHECK(L.eq("Vec{Union{Int,String}}", "Vec{Union{String,Int}}"));
}

TEST_CASE("level 3: where on either side", "[subtype]") {
  Lattice L;
  CHECK(L.strict("Arr{Int,1}", "Arr{T,1} where T"));
  CHECK(L.strict("Vec{Int}", "Vec{T} where T"));
  CHECK(L.strict("Vec{Int}", "Vec"));
  CHECK(L.strict("Pair{T,T} where T", "Pair"));
  CHECK(L.sub("Pair{Int,Int8}", "Pair{Int,S} where S"));
  CHECK_FALSE(L.sub("T where T<:Real", "T where T<:Integer"));
  CHECK(L.sub("T where T<:Integer", "T where T<:Real"));
  CHECK(L.eq("Tuple{T,T} where T", "Tuple{R,R} where R"));
  CHECK_FALSE(L.sub("Tuple{T,S} where S<:Number where T<:Integer", "Tuple{S,T} where S<:Number where T<:Integer"));
  CHECK(L.strict("Tuple{Arr{T},Arr{T}} where T", "Tuple{Arr,Arr}"));
  // The same with bare names: both `Vec`s are `Vec{T} where T` with the same declared T, and
  // they still stand for independent element types.
  CHECK(L.strict("Tuple{Vec{T},Vec{T}} where T", "Tuple{Vec,Vec}"));
  CHECK_FALSE(L.sub("Tuple{Vec,Vec}", "Tuple{Vec{T},Vec{T}} where T"));
  CHECK(L.strict("Tuple{Type{T},Type{T}} where T", "Tuple{Type,Type}"));
  CHECK(L.strict("Tuple{TensorImage{T,N},TensorImage{T,N}} where {T,N}", "Tuple{TensorImage,TensorImage}"));

  // Vector{Vector{T} where T} and Vector{Vector{T}} where T are unrelated.
  const char* AUA = "Vec{Vec{T} where T}";
  const char* UAA = "Vec{Vec{T}} where T";
  CHECK_FALSE(L.sub(AUA, UAA));
  CHECK_FALSE(L.sub(UAA, AUA));

  CHECK(L.strict("Int where T", "Integer where T<:Integer"));
  CHECK(L.eq("Tuple{T,Tuple{S}} where S where T", "Tuple{T,Tuple{S} where S} where T"));
  CHECK_FALSE(L.sub("Pair{T,T} where T", "Pair{Int,Int8}"));
  CHECK_FALSE(L.sub("Pair{T,T} where T", "Pair{Int,Int}"));
  CHECK(L.eq("Tuple{T} where T", "Tuple{Any}"));
  CHECK(L.eq("Tuple{T} where T<:Real", "Tuple{Real}"));
  CHECK(L.sub("Tuple{Vec{Integer},Int}", "Tuple{Vec{T},S} where S<:T where T<:Integer"));
  CHECK_FALSE(L.sub("Tuple{Vec{Integer},Real}", "Tuple{Vec{T},T} where T<:Integer"));
  CHECK_FALSE(L.sub("Tuple{Int,String,Vec{Integer}}", "Tuple{T,T,Vec{T}} where T"));
  CHECK_FALSE(L.sub("Tuple{String,Int,Vec{Integer}}", "Tuple{T,T,Vec{T}} where T"));
  CHECK_FALSE(L.sub("Tuple{Int,String,Vec{Tuple{Integer}}}", "Tuple{T,T,Vec{Tuple{T}}} where T"));
  CHECK(L.sub("Tuple{Int,String,Vec{Any}}", "Tuple{T,T,Vec{T}} where T"));
  CHECK(L.eq("Vec{Int}", "Vec{T where T<:Int}"));
  CHECK(L.eq("Vec{Tuple{Any}}", "Vec{Tuple{T} where T}"));
  CHECK(L.eq("Vec{Tuple{Int,Int}}", "Vec{Tuple{T,T} where T<:Int}"));
  CHECK_FALSE(L.sub("Vec{Tuple{Int,Integer}}", "Vec{Tuple{T,T} where T<:Integer}"));
  CHECK_FALSE(L.sub("Pair{Int,Int8}", "Pair{T,T} where T"));
  CHECK(L.sub("Pair{Int,Int}", "Pair{T,T} where T"));
  CHECK_FALSE(L.sub("Tuple{Vec{Int},Integer}", "Tuple{Vec{T},T} where T<:Integer"));
  CHECK_FALSE(L.sub("Tuple{Integer,Vec{Int}}", "Tuple{T,Vec{T}} where T<:Integer"));
  CHECK_FALSE(L.sub("Pair{Vec{Int},Integer}", "Pair{Vec{T},T} where T"));
  CHECK(L.sub("Pair{Vec{Int},Int}", "Pair{Vec{T},T} where T"));
  KNOWN_GAP(CHECK(L.sub("Tuple{Integer,Int}", "Tuple{T,S} where S<:T where T<:Integer")));
  CHECK_FALSE(L.sub("Tuple{Integer,Int}", "Tuple{T,S} where S<:T where T<:Int"));
  CHECK_FALSE(L.sub("Tuple{Integer,Int}", "Tuple{T,S} where S<:T where T<:String"));
  CHECK(L.sub("Tuple{Float32,Vec{Float32}}", "Tuple{T,S} where S<:AbstractVec{T} where T<:Real"));
  CHECK_FALSE(L.sub("Tuple{Float32,Vec{Float64}}", "Tuple{T,S} where S<:AbstractVec{T} where T<:Real"));
  CHECK(L.sub("Tuple{Float32,Vec{Real}}", "Tuple{T,S} where S<:AbstractVec{T} where T<:Real"));
  CHECK_FALSE(L.sub("Tuple{Number,Vec{Real}}", "Tuple{T,S} where S<:AbstractVec{T} where T<:Real"));

  // lower bounds
  CHECK(L.sub("T where Int<:T<:Integer", "T where T<:Real"));
  CHECK(L.sub("Vec{T} where Int<:T<:Integer", "Vec{T} where T<:Real"));
  KNOWN_GAP(CHECK(L.sub("T where Int<:T<:Integer", "T where Integer<:T<:Real")));
  CHECK_FALSE(L.sub("Vec{T} where Int<:T<:Integer", "Vec{T} where Integer<:T<:Real"));

  // renaming
  const char* X = "Tuple{T,S} where S<:AbstractVec{T} where T<:Real";
  const char* Y = "Tuple{A,B} where B<:AbstractVec{A} where A<:Real";
  const char* Z = "Tuple{Real,B} where B<:AbstractVec{A} where A<:Real";
  CHECK(L.eq(X, Y));
  CHECK(L.strict(X, Z));

  CHECK(L.strict("Pair{T,S} where S<:T where T", "Pair{T,S} where S where T"));
  CHECK(L.strict("Pair{T,S} where S>:T where T", "Pair{T,S} where S where T"));
  KNOWN_GAP(CHECK(L.eq("Tuple{Ref{T},T} where T", "Tuple{Ref{T},S} where T<:S<:T where T")));
  CHECK(L.strict("Tuple{Ref{T},T} where T", "Tuple{Ref{T},S} where S>:T where T"));

  // issue #23327
  CHECK_FALSE(L.sub("Type{AbstractVec{Vec{T}} where T}", "Type{AbstractVec{S}} where S"));
  CHECK_FALSE(L.sub("Val{AbstractVec{Vec{T}} where T}", "Val{AbstractVec{T}} where T"));
  CHECK_FALSE(L.sub("Vec{Vec{Vec{T}} where T}", "Vec{Vec{T}} where T"));
  CHECK_FALSE(L.sub("Vec{Vec{T}} where T", "AbstractVec{Vec}"));
  CHECK_FALSE(L.sub("Ref{Pair{Pair{T,R},R} where R} where T", "Ref{Pair{A,B} where B} where A"));
  CHECK_FALSE(L.sub("Ref{Pair{Pair{A,B},B} where B} where A", "Ref{Pair{A,B2} where B2<:B} where A where B"));
  CHECK_FALSE(L.sub("Tuple{Type{Vec{T}} where T, Vec{Float64}}", "Tuple{Type{T},T} where T"));
  CHECK_FALSE(L.sub("Tuple{Vec{Float64}, Type{Vec{T}} where T}", "Tuple{T,Type{T}} where T"));
  CHECK_FALSE(L.sub("Tuple{Type{Ref{T}} where T, Vec{Float64}}", "Tuple{Ref{T},T} where T"));
  CHECK_FALSE(L.sub("Tuple{Type{Ref{T}} where T, Ref{Float64}}", "Tuple{Type{T},T} where T"));
}

TEST_CASE("the Ptr lower-bound cases of test_3", "[subtype]") {
  Lattice L;
  const char* A = "Tuple{T,Ptr{T}} where T";
  const char* B = "Tuple{Ptr{T},T} where T";
  const char* C = "Tuple{Ptr{T},Ptr{S}} where S>:Ptr where T>:Ptr";
  const char* D = "Tuple{Ptr{T},Ptr{S}} where S>:Ptr{T} where T>:Ptr";
  CHECK_FALSE(L.sub(A, B));
  CHECK_FALSE(L.sub(B, A));
  CHECK(L.strict(C, A));
  CHECK(L.strict(C, B));
  CHECK_FALSE(L.sub(D, C));
  // C <: D: see "subtype cases that crash the runtime" below.
  CHECK_FALSE(L.sub("Tuple{Ptr{T},Ptr{S}} where S>:Ptr where T>:Integer", B));
  CHECK(L.sub("Tuple{Ptr{T},Ptr{S}} where S>:Integer where T>:Ptr", B));
}

TEST_CASE("Union and where together (test_5, test_7)", "[subtype]") {
  Lattice L;
  CHECK(L.sub("Tuple{String,Vec{Int}}", "Union{Tuple{T,Vec{T}}, Tuple{T,Vec{Int}}} where T"));
  CHECK(L.sub("Tuple{Union{Vec{Int},Vec{Int8}}}", "Tuple{Vec{T}} where T"));
  CHECK_FALSE(L.sub("Tuple{Union{Vec{Int},Vec{Int8}},Vec{Int}}", "Tuple{Vec{T},Vec{T}} where T"));
  CHECK_FALSE(L.sub("Tuple{Union{Vec{Int},Vec{Int8}},Vec{Int8}}", "Tuple{Vec{T},Vec{T}} where T"));
  CHECK_FALSE(L.sub("Vec{Int}", "Vec{T} where T>:Union{Int8,Int}"));
  CHECK(L.sub("Vec{Integer}", "Vec{T} where T>:Union{Int8,Int}"));
  CHECK(L.sub("Vec{Union{Int,Int8}}", "Vec{T} where T>:Union{Int8,Int}"));
  CHECK(L.sub("Vec{T} where Int<:T<:Union{Int8,Int}", "Vec{T} where Int<:T<:Union{Int8,Int}"));
  // the `convert(Type{T}, T)` pattern, where T is a Union
  CHECK(L.sub("Tuple{Vec{Union{Int8,Int}},Int}", "Tuple{Vec{T},T} where T"));
  CHECK(L.sub("Tuple{Vec{Union{Int8,Int}},Int}", "Tuple{Vec{T},S} where S<:T where T"));
  CHECK_FALSE(L.sub("Ref{Union{Ref{Int},Ref{Int8}}}", "Ref{Ref{T}} where T"));
  CHECK(L.sub("Tuple{Union{Ref{Int},Ref{Int8}}}", "Tuple{Ref{T}} where T"));
  // issue #32726
  CHECK(L.sub("Tuple{Type{Any},Int,Float64,String}", "Tuple{Type{T},Vararg{T}} where T"));
  // test_7
  KNOWN_GAP(CHECK(L.eq("Ref{Union{Int16,T}} where T", "Ref{Union{Int16,S}} where S")));
  KNOWN_GAP(CHECK(L.eq("Pair{Union{Int16,T},T} where T", "Pair{Union{Int16,S},S} where S")));
  // issue #23764
  CHECK(L.sub("Tuple{Ref{Union{T,Int}} where T}", "Tuple{Ref{T}} where T"));
  CHECK(L.sub("Tuple{Ref{Union{T,Int}} where T}", "Tuple{Ref{T} where T}"));
  CHECK(L.sub("Tuple{Ref{Union{T,Int}}} where T", "Tuple{Ref{T}} where T"));
  CHECK(L.sub("Tuple{Tuple{Tuple{R}} where R}", "Tuple{Tuple{S}} where S"));
  // issue #26131
  CHECK_FALSE(L.sub("Vec{Vec{Number}}", "Vec{Union{Vec{Number}, Vec{S}}} where S<:Integer"));
  // issue #26654
  CHECK_FALSE(L.sub("Ref{Union{Int64, Ref{Number}}}", "Ref{Union{Ref{T}, T}} where T"));
  CHECK_FALSE(L.sub("Ref{Union{Ref{Number}, Int64}}", "Ref{Union{Ref{T}, T}} where T"));
  CHECK_FALSE(L.sub("Ref{Union{Int64, Val{Number}}}", "Ref{Union{Val{T}, T}} where T"));
  // issue #26180
  CHECK_FALSE(L.sub("Ref{Union{Ref{Int64}, Ref{Number}}}", "Ref{Ref{T}} where T"));
  CHECK_FALSE(L.sub("Ref{Union{Ref{Int64}, Ref{Number}}}", "Ref{Union{Ref{T}, Ref{T}}} where T"));
  // issue #23908 (Int128 -> Int64)
  CHECK(L.sub("Vec{Union{Int64, Int16, Int32, Int8}}", "Vec{Union{Int64, Int32, Int8, S}} where S"));
  // issue #21191
  L.rt.struct_type("V{T}", {});
  CHECK(L.sub("V{V{V{Union{Int8,Int16,Int32,Int64,UInt8,UInt16}}}}",
              "V{V{V{Union{Int8,Int16,Int32,Int64,UInt8,S}}}} where S"));
}

TEST_CASE("the diagonal rule", "[subtype]") {
  Lattice L;
  CHECK_FALSE(L.sub("Tuple{Integer,Integer}", "Tuple{T,T} where T"));
  CHECK(L.sub("Tuple{Int,Int}", "Tuple{T,T} where T"));
  CHECK(L.sub("Tuple{Int8,Int8}", "Tuple{T,T} where T"));
  CHECK_FALSE(L.sub("Tuple{Int8,Int16}", "Tuple{T,T} where T"));
  CHECK_FALSE(L.sub("Tuple{Int64,Float64}", "Tuple{T,T} where T"));
  CHECK(L.sub("Tuple{Int,Int}", "Tuple{T,T} where T<:Real"));
  CHECK_FALSE(L.sub("Tuple{Real,Real}", "Tuple{T,T} where T<:Real"));
  CHECK_FALSE(L.sub("Tuple{String,String}", "Tuple{T,T} where T<:Real"));
  // A variable that also occurs invariantly is not diagonal.
  CHECK(L.sub("Tuple{Integer,Integer,Ref{Integer}}", "Tuple{T,T,Ref{T}} where T"));
  CHECK(L.sub("Tuple{Int,Int8,Ref{Integer}}", "Tuple{T,T,Ref{T}} where T"));
  // Vararg occurrences count as covariant occurrences.
  CHECK(L.sub("Tuple{Int,Int,Int}", "Tuple{T,Vararg{T}} where T"));
  CHECK_FALSE(L.sub("Tuple{Int,Int8,Int}", "Tuple{T,Vararg{T}} where T"));
  CHECK_FALSE(L.sub("Tuple{Int,Int8,Int}", "Tuple{Vararg{T}} where T"));
  CHECK_FALSE(L.sub("Tuple{Int,Int8,Int}", "Tuple{Vararg{T}} where T<:Integer"));

  KNOWN_GAP(CHECK(L.sub("Tuple{Integer,Int}", "Tuple{T,S} where S<:T where T")));
  KNOWN_GAP(CHECK(L.sub("Tuple{Integer,Int}", "Tuple{T,S} where T<:S<:T where T")));
  KNOWN_GAP(CHECK(L.sub("Tuple{Integer,Int,Int}", "Tuple{T,S,S} where T<:S<:T where T")));
  CHECK(L.strict("Tuple{R,R} where R", "Tuple{T,S} where S where T"));
  CHECK(L.strict("Tuple{R,R} where R", "Tuple{T,S} where S<:T where T"));
  CHECK(L.strict("Tuple{R,R} where R", "Tuple{T,S} where T<:S<:T where T"));
  CHECK(L.strict("Tuple{R,R} where R", "Tuple{T,S} where S>:T where T"));
  CHECK(L.sub("Tuple{S,R,Vec{Any}} where R<:AbstractString where S<:Int", "Tuple{T,T,Vec{T}} where T"));
  CHECK(L.strict("Tuple{String,Real,Ref{Number}}", "Tuple{Union{T,String},T,Ref{T}} where T"));
  CHECK(L.strict("Tuple{String,Real}", "Tuple{Union{T,String},T} where T"));
  CHECK_FALSE(L.sub("Tuple{Real,Real}", "Tuple{Union{T,String},T} where T"));
  CHECK(L.strict("Tuple{Int,Int}", "Tuple{Union{T,String},T} where T"));
  // don't consider a diagonal variable concrete if it already has an abstract lower bound
  CHECK(L.eq("Tuple{Vararg{A}} where A>:Integer", "Tuple{Vararg{A}} where A>:Integer"));

  // issue #24166
  CHECK_FALSE(L.sub("Tuple{T,T,Ref{T}} where T", "Tuple{S,S,Ref{Q} where Q} where S"));
  CHECK_FALSE(L.sub("Tuple{T,T,Ref{T}} where T", "Tuple{S,S,Ref{Q} where Q} where S<:Integer"));
  CHECK_FALSE(L.sub("Tuple{T,T,Ref{T}} where T", "Tuple{S,S,Ref{Q} where Q} where S<:Int"));
  KNOWN_GAP(CHECK(L.sub("Tuple{T,T,Ref{T}} where T<:Int", "Tuple{S,S,Ref{Q} where Q} where S")));
  CHECK_FALSE(L.sub("Tuple{T,T,Ref{T}} where T>:Int", "Tuple{S,S,Ref{Q} where Q} where S"));
  CHECK_FALSE(L.sub("Tuple{T,T,Ref{T}} where T>:Integer", "Tuple{S,S,Ref{Q} where Q} where S"));
  CHECK_FALSE(L.sub("Tuple{T,T,Ref{T}} where T>:Any", "Tuple{S,S,Ref{Q} where Q} where S"));

  CHECK(L.sub("Tuple{T,T} where Int<:T<:Int", "Tuple{T,T} where Int<:T<:Int"));
  CHECK(L.sub("Tuple{T,T} where T>:Int", "Tuple{T,T} where T>:Int"));
  CHECK(L.sub("Tuple{Tuple{T,T} where T>:Int}", "Tuple{Tuple{T,T} where T>:Int}"));
  KNOWN_GAP(CHECK(L.sub("Tuple{Tuple{T,T} where T>:Int}", "Tuple{Tuple{T,T}} where T>:Int")));
  CHECK(L.sub("Tuple{Tuple{T,T}} where T>:Int", "Tuple{Tuple{T,T} where T>:Int}"));
  CHECK(L.sub("Vec{Tuple{T,T} where Number<:T<:Number}", "Vec{Tuple{Number,Number}}"));

  KNOWN_GAP(CHECK_FALSE(L.sub("Type{Tuple{T,Any,T} where T}", "Type{Tuple{T,T,T}} where T")));
  KNOWN_GAP(CHECK_FALSE(L.sub("Type{Tuple{T,T} where T}", "Type{Tuple{T,T}} where T")));
  KNOWN_GAP(CHECK_FALSE(L.sub("Type{Tuple{T,T,T} where T}", "Type{Tuple{T,T,T}} where T")));
  // Ref{Tuple{T,T} where Int<:T<:Int} == Ref{Tuple{S,S}} where Int<:S<:Int: see the crash cases below.

  {
    const char* A = "Tuple{Int,Int8,Vec{Integer}}";
    const char* B = "Tuple{T,T,Vec{T}} where T>:Integer";
    const char* C = "Tuple{T,T,Vec{Union{Integer,T}}} where T";
    CHECK(L.sub(A, B));
    KNOWN_GAP(CHECK(L.eq(B, C)));
    CHECK(L.sub(A, C));
    CHECK(L.sub("Tuple{Int,Int8,Vec{Any}}", C));
  }
  // issue #26108
  CHECK_FALSE(L.sub("Tuple{T,T,Arr{T,1}} where T", "Tuple{T,T,Any} where T"));
  // issue #26716
  CHECK_FALSE(L.sub("Union{Tuple{Int,Bool}, Tuple{P,Bool}} where P", "Tuple{Union{T,Int},T} where T"));
  CHECK(L.strict("Tuple{Ref{Tuple{N,N}}, Ref{N}} where N", "Tuple{Ref{Tuple{N1,N1}}, Ref{N2}} where {N1,N2}"));
  // issue #26453
  CHECK(L.sub("Tuple{A,A,Number} where A>:Number", "Tuple{T,T,S} where T>:S where S"));
  CHECK(L.eq("Tuple{T,T} where {S,T>:S}", "Tuple{T,T} where {S,T>:S}"));
  KNOWN_GAP(CHECK(L.strict("Tuple{T,T} where T", "Tuple{T,T} where {S,T>:S}")));
  // issue #24748
  L.rt.abstract_type("Foo24748{T1,T2,T3}");
  CHECK_FALSE(L.sub("Foo24748{Int,Float64,Ref{Integer}}", "Foo24748{A,B,Ref{T}} where {T, A<:T, B<:T}"));
  KNOWN_GAP(CHECK(L.sub("Foo24748{Int,Float64,Ref{Real}}", "Foo24748{A,B,Ref{T}} where {T, A<:T, B<:T}")));
  // issue #23430: a long alternating tuple is no Tuple{Vararg{T}} with a diagonal T<:Number
  std::string longtuple = "Tuple{";
  for (int i = 0; i < 64; ++i) longtuple += i % 2 ? "Float64," : "Int64,";
  longtuple.back() = '}';
  CHECK_FALSE(L.sub(longtuple, "Tuple{Vararg{T}} where T<:Number"));
  CHECK(L.sub(longtuple, "Tuple{Vararg{Number}}"));
}

TEST_CASE("tricky type variable lower bounds (test_6)", "[subtype]") {
  Lattice L;
  CHECK(L.sub("Tuple{S,R,Vec{Any}} where R<:String where S<:Int", "Tuple{T,T,Vec{T}} where T"));
  CHECK_FALSE(L.sub("Tuple{S,R,Vec{Integer}} where R<:String where S<:Int", "Tuple{T,T,Vec{T}} where T"));
  CHECK(L.eq("Tuple{T,T,Ref{T}} where T", "Tuple{S,S,Ref{S}} where S"));
  CHECK_FALSE(L.sub("Tuple{T,String,Ref{T}} where T", "Tuple{T,T,Ref{T}} where T"));
  CHECK_FALSE(L.sub("Tuple{T,Ref{T},String} where T", "Tuple{T,Ref{T},T} where T"));
  CHECK(L.eq("Ref{T} where Int<:T<:Int", "Ref{Int}"));
  CHECK(L.eq("Ref{T} where Integer<:T<:Integer", "Ref{Integer}"));
  // Pair{T,S} <: Pair{T,T} can be true with certain bounds
  CHECK(L.strict("Pair{T,S} where Int<:S<:Int where Int<:T<:Int", "Pair{T,T} where T"));
  CHECK(L.strict("Tuple{Int,Ref{Int}}", "Tuple{S,Ref{T}} where S<:T where T"));
  CHECK_FALSE(L.sub("Tuple{Real,Ref{Int}}", "Tuple{S,Ref{T}} where S<:T where T"));
  // S >: T
  CHECK(L.strict("Tuple{Real,Ref{Int}}", "Tuple{S,Ref{T}} where S>:T where T"));
  CHECK_FALSE(L.sub("Tuple{Ref{Int},Ref{Integer}}", "Tuple{Ref{S},Ref{T}} where S>:T where T"));
  CHECK(L.strict("Tuple{Ref{Real},Ref{Integer}}", "Tuple{Ref{S},Ref{T}} where S>:T where T"));
  CHECK(L.strict("Tuple{Real,Ref{Tuple{Int}}}", "Tuple{S,Ref{Tuple{T}}} where S>:T where T"));
  CHECK_FALSE(L.sub("Tuple{Ref{Tuple{Int}},Ref{Tuple{Integer}}}", "Tuple{Ref{Tuple{S}},Ref{Tuple{T}}} where S>:T where T"));
  CHECK(L.strict("Tuple{Ref{Tuple{Real}},Ref{Tuple{Integer}}}", "Tuple{Ref{Tuple{S}},Ref{Tuple{T}}} where S>:T where T"));
  // (X where x<:T<:x) == X{x}
  CHECK(L.eq("Ref{Ref{Int}}", "Ref{Ref{T} where Int<:T<:Int}"));
  CHECK(L.eq("Ref{Ref{Int}}", "Ref{Ref{T}} where Int<:T<:Int"));
  CHECK(L.sub("Ref{Ref{T}} where Int<:T<:Int", "Ref{Ref{T} where Int<:T<:Int}"));
  // ... and the converse: see the crash cases below.
  CHECK_FALSE(L.sub("Ref{Ref{T}} where Int<:T<:Int", "Ref{Ref{T} where T<:Int}"));
}

TEST_CASE("Type{T}", "[subtype]") {
  Lattice L;
  CHECK_FALSE(L.sub("Type{Int}", "Type{Integer}"));
  CHECK_FALSE(L.sub("Type{Integer}", "Type{Int}"));
  CHECK(L.sub("Type{T} where T<:Integer", "Type{T} where T<:Number"));
  CHECK_FALSE(L.sub("Type{T} where T<:Number", "Type{T} where T<:Integer"));
  CHECK(L.strict("Type{Int}", "Type{T} where T<:Integer"));
  CHECK(L.strict("Type{Int}", "Type"));
  CHECK(L.eq("Type{AbstractVec}", "Type{AbstractVec}"));
  CHECK(L.eq("Type{Vec}", "Type{Vec{T} where T}"));
  CHECK_FALSE(L.sub("Type{Vec{Int}}", "Type{Vec}"));
  CHECK_FALSE(L.sub("Type{Ptr{Union{}}}", "Type{Ptr}"));
  CHECK_FALSE(L.sub("Type{Arr{Integer}}", "Type{AbstractArr{Integer}}"));
  CHECK_FALSE(L.sub("Type{Arr{Integer}}", "Type{Arr{T} where T<:Integer}"));
  CHECK(L.sub("Type{Tuple{Int}}", "Type{T} where T<:Tuple"));
  CHECK(L.sub("Tuple{Type{Int},Int}", "Tuple{Type{T},T} where T"));
  CHECK_FALSE(L.sub("Tuple{Type{Int},Int8}", "Tuple{Type{T},T} where T"));
  CHECK(L.sub("Tuple{Type{Integer},Int8}", "Tuple{Type{T},T} where T"));  // T invariant in Type{T}: not diagonal
  // Julia: Type{Int} is an instance of the concrete kind DataType, so it is a DataType, and two
  // type arguments match Tuple{T,T} with T = DataType ("this matches with T==DataType, since
  // DataType is concrete"); Type{Union{}} is not a DataType.
  KNOWN_GAP(CHECK(L.strict("Type{Int}", "DataType")));
  KNOWN_GAP(CHECK(L.sub("Tuple{Type{Int},Type{Int8}}", "Tuple{T,T} where T")));
  CHECK_FALSE(L.sub("Tuple{Type{Int},Type{Union{}}}", "Tuple{T,T} where T"));
}

TEST_CASE("semantic tensor types", "[subtype]") {
  Lattice L;
  CHECK(L.strict("Tensor{Float32,2}", "AbstractTensor{Float32,2}"));
  CHECK(L.strict("Tensor{Float32,2}", "Tensor"));
  CHECK(L.strict("TensorImage{Float32,2}", "Tensor{Float32,2}"));
  CHECK(L.strict("TensorImage{Float32,3}", "Tensor{Float32,3}"));
  CHECK(L.strict("TensorImage{Float32,2}", "AbstractTensor{Float32,2}"));
  CHECK(L.strict("TensorImage{Float32,2}", "TensorImage"));
  CHECK(L.strict("TensorImage", "Tensor"));
  CHECK(L.strict("TensorImageBW", "TensorImage"));
  CHECK(L.strict("TensorMask", "TensorImage"));
  CHECK(L.strict("TensorImageBW{Float32,2}", "TensorImage{Float32,2}"));
  CHECK(L.strict("TensorImageBW{Float32,2}", "Tensor{Float32,2}"));
  CHECK(L.strict("TensorBBox", "TensorPoint"));
  CHECK(L.strict("TensorBBox{Float32,2}", "TensorPoint{Float32,2}"));
  CHECK(L.strict("TensorPoint", "Tensor"));
  CHECK(L.strict("TensorCategory", "Tensor"));
  CHECK(L.strict("TensorCategory{Int64,1}", "AbstractTensor"));
  // siblings and cousins are unrelated
  CHECK_FALSE(L.sub("TensorBBox", "TensorImage"));
  CHECK_FALSE(L.sub("TensorBBox{Float32,2}", "TensorImage{Float32,2}"));
  CHECK_FALSE(L.sub("TensorImage", "TensorPoint"));
  CHECK_FALSE(L.sub("TensorCategory", "TensorImage"));
  CHECK_FALSE(L.sub("TensorMask", "TensorImageBW"));
  CHECK_FALSE(L.sub("TensorImageBW", "TensorMask"));
  CHECK_FALSE(L.sub("TensorImage", "TensorImageBW"));
  // a supertype is not a subtype
  CHECK_FALSE(L.sub("Tensor{Float32,2}", "TensorImage{Float32,2}"));
  CHECK_FALSE(L.sub("AbstractTensor{Float32,2}", "Tensor{Float32,2}"));
  // the parameters stay invariant
  CHECK_FALSE(L.sub("TensorImage{Float32,2}", "TensorImage{Real,2}"));
  CHECK_FALSE(L.sub("TensorImage{Float32,2}", "Tensor{Float64,2}"));
  CHECK_FALSE(L.sub("TensorImage{Float32,2}", "TensorImage{Float32,3}"));
  CHECK_FALSE(L.sub("TensorImage{Float32,2}", "AbstractTensor{Float32,3}"));
  CHECK(L.sub("TensorImage{Float32,2}", "TensorImage{T,2} where T<:AbstractFloat"));
  CHECK_FALSE(L.sub("TensorImage{Int64,2}", "TensorImage{T,2} where T<:AbstractFloat"));
  CHECK(L.sub("TensorImageBW{Float16,4}", "AbstractTensor{T,N} where {T<:AbstractFloat, N}"));
  CHECK(L.eq("TensorImage{Float32}", "TensorImage{Float32,N} where N"));
  CHECK(L.sub("TensorMask{Float32,2}", "TensorImage{Float32}"));
  // Tuples and the diagonal rule
  CHECK(L.sub("Tuple{TensorImage{Float32,2},TensorImage{Float32,2}}", "Tuple{T,T} where T"));
  CHECK_FALSE(L.sub("Tuple{TensorImage{Float32,2},TensorMask{Float32,2}}", "Tuple{T,T} where T<:Tensor{Float32,2}"));
  CHECK_FALSE(L.sub("Tuple{TensorImage{Float32,2},TensorMask{Float32,2}}", "Tuple{T,T} where T"));
  // ... where T<:Tensor (a bound that is itself a UnionAll): see the crash cases below.
  CHECK(L.sub("Tuple{TensorImage{Float32,2},TensorMask{Float32,2}}", "Tuple{Tensor{T,N},Tensor{T,N}} where {T,N}"));
  CHECK_FALSE(L.sub("Tuple{TensorImage{Float32,2},TensorMask{Float32,3}}", "Tuple{Tensor{T,N},Tensor{T,N}} where {T,N}"));
  CHECK(L.sub("Tuple{TensorImageBW{Float32,2},TensorMask{Float32,2}}", "Tuple{TensorImage,TensorImage}"));
  CHECK(L.sub("Union{TensorImageBW{Float32,2},TensorMask{Float32,2}}", "TensorImage{Float32,2}"));
  CHECK_FALSE(L.sub("Union{TensorImage{Float32,2},TensorBBox{Float32,2}}", "TensorImage"));
}

TEST_CASE("implicitly covariant parameters (TwoParams)", "[subtype]") {
  Lattice L;
  L.rt.struct_type("TwoParams{S,T}", {{"x", "S"}, {"y", "T"}});
  // TwoParams{<:Real,<:Number} in Julia's syntax
  CHECK(L.eq("TwoParams{S,T} where S<:Real where T<:Number", "TwoParams{S,T} where T<:Number where S<:Real"));
  CHECK(L.eq("TwoParams{S,T} where S<:Real where T<:Number", "(TwoParams{S,T} where T<:Number) where S<:Real"));
  CHECK(L.sub("TwoParams{Int,Float64}", "TwoParams{S,T} where {S<:Real, T<:Number}"));
  CHECK(L.sub("TwoParams{Int,String}", "TwoParams{S} where S<:Real"));
  CHECK_FALSE(L.sub("TwoParams{String,Int}", "TwoParams{S,T} where {S<:Real, T<:Number}"));
  CHECK_FALSE(L.sub("TwoParams{Int,String}", "TwoParams{S,T} where {S<:Real, T<:Number}"));
  CHECK_FALSE(L.sub("Vec{TwoParams{Int,Int}}", "Vec{TwoParams{S,T} where {S<:Real, T<:Real}}"));
  // Vec{TwoParams{Int,Int}} <: Vec{<:TwoParams{<:Real,<:Real}}: see the crash cases below.
  CHECK(L.sub("Vec{TwoParams{Int,Int}}", "Vec{TwoParams{T,T}} where T<:Real"));
  // implicitly contravariant parameters: TwoParams{>:Int,<:Number}
  CHECK(L.sub("TwoParams{Int,Float64}", "TwoParams{S,T} where {S>:Int, T<:Number}"));
  CHECK(L.sub("TwoParams{Real,Float64}", "TwoParams{S,T} where {S>:Int, T<:Number}"));
  CHECK_FALSE(L.sub("TwoParams{Float64,Float64}", "TwoParams{S,T} where {S>:Int, T<:Number}"));
  CHECK_FALSE(L.sub("TwoParams{Int,String}", "TwoParams{S,T} where {S>:Int, T<:Number}"));
}

// subtype.jl's test_properties over (most of) its menagerie: algebraic laws every subtype
// relation must satisfy. Laws that need a type variable whose upper bound is a menagerie member
// with a `where` in it (`S where S<:T` with T = `Arr{T,1} where T` or `Arr{Arr{T,1} where T,1}`)
// are left out: such queries crash the runtime (see "subtype cases that crash the runtime").
TEST_CASE("lattice properties over the menagerie", "[subtype]") {
  Lattice L;
  std::vector<std::string> base = {
      "Union{}", "Any", "Int", "Int8", "Integer", "Real",
      "Arr{Int,1}", "AbstractArr{Int,1}",
      "Tuple{Int,Vararg{Integer}}", "Tuple{Integer,Vararg{Int}}", "Tuple{}",
      "Union{Int,Int8}",
      "Arr{T,1} where T",
      "Pair{T,T} where T",
      "Pair{T,S} where S where T",
      "Pair{Int,Int8}",
      "Pair{Int,S} where S",
      "Tuple{T,T} where T",
      "Tuple{T,T} where T<:Integer",
      "Tuple{T,S} where S where T",
      "Tuple{T,S} where S<:Number where T<:Integer",
      "Tuple{S,T} where S<:Number where T<:Integer",
      "Arr{Arr{T,1} where T,1}",
      "Arr{Arr{T,1},1} where T",
      "Arr{T where T<:Int,1}",
      "Tuple{T,S} where S<:AbstractArr{T,1} where T<:Real",
      "Union{Int,Ref{Union{Int,Int8}}}",
      "Union{Tuple{T,Arr{T,1}}, Tuple{T,Arr{Int,1}}} where T",
  };
  auto& reg = L.rt.types();
  auto ty = [&](const std::string& s) { return L.rt.type(s); };
  // A `where` anywhere in the type (`Arr{Arr{T,1} where T,1}` as well as `Arr{T,1} where T`).
  auto has_where = [](const std::string& s) { return s.find("where") != std::string::npos; };
  std::vector<std::string> all = base;
  for (const std::string& T : base) {
    all.push_back("Ref{" + T + "}");
    all.push_back("Tuple{" + T + "}");
    all.push_back("Tuple{" + T + "," + T + "}");
    all.push_back("Tuple{Vararg{" + T + "}}");
    if (!has_where(T)) {
      all.push_back("X_ where X_<:(" + T + ")");
      all.push_back("Ref{X_} where X_<:(" + T + ")");
    }
  }
  auto sub = [&](const std::string& a, const std::string& b) { return reg.issub(ty(a), ty(b)); };
  auto eq = [&](const std::string& a, const std::string& b) { return sub(a, b) && sub(b, a); };

  for (const std::string& T : all) {
    INFO("T = " << T);
    // top and bottom identities
    CHECK(sub("Union{}", T));
    CHECK(sub(T, "Any"));
    if (sub(T, "Union{}")) CHECK(eq(T, "Union{}"));
    if (sub("Any", T)) CHECK(eq(T, "Any"));
    // unionall identity
    if (!has_where(T)) {
      CHECK(eq(T, "S_ where S_<:(" + T + ")"));
      CHECK(eq("Ref{" + T + "}", "Ref{U_} where (" + T + ")<:U_<:(" + T + ")"));
    }
    // inequality under wrapping
    CHECK_FALSE(eq(T, "Ref{" + T + "}"));
  }
  for (const std::string& T : base) {
    for (const std::string& S : base) {
      INFO("T = " << T << "\nS = " << S);
      bool TS = sub(T, S);
      // transitivity
      if (TS)
        for (const std::string& R : base)
          if (sub(S, R)) {
            INFO("R = " << R);
            CHECK(sub(T, R));
            if (!has_where(T) && !has_where(S) && !has_where(R))
              CHECK(sub("Ref{" + S + "}", "Ref{U_} where (" + T + ")<:U_<:(" + R + ")"));
          }
      // union subsumption
      if (eq(T, "Union{" + T + "," + S + "}")) CHECK(sub(S, T));
      // invariance
      KNOWN_GAP(CHECK(eq(T, S) == eq("Ref{" + T + "}", "Ref{" + S + "}")));
      // covariance
      CHECK(TS == sub("Tuple{" + T + "}", "Tuple{" + S + "}"));
      CHECK(TS == sub("Tuple{Vararg{" + T + "}}", "Tuple{Vararg{" + S + "}}"));
      CHECK(TS == sub("Tuple{" + T + "}", "Tuple{Vararg{" + S + "}}"));
      // pseudo-contravariance: ¬T = Ref{X} where X>:T
      CHECK(TS == sub("Ref{X_} where X_>:(" + S + ")", "Ref{X_} where X_>:(" + T + ")"));
    }
  }
}

// Hidden ("[.]"): each of these makes Subtyper::sub recurse without end and the process dies of
// a stack overflow (SIGSEGV), which would stop every later test. The expected answers are
// Julia's. Run them with:  test_runtime_lattice "[crash]"
TEST_CASE("subtype cases that crash the runtime", "[subtype][.][crash]") {
  Lattice L;
  SECTION("test_3: Ptr with lower bounds") {
    const char* C = "Tuple{Ptr{T},Ptr{S}} where S>:Ptr where T>:Ptr";
    const char* D = "Tuple{Ptr{T},Ptr{S}} where S>:Ptr{T} where T>:Ptr";
    CHECK(L.sub(C, D));
  }
  SECTION("test_diagonal: a Tuple{T,T} with T pinned to Int inside Ref") {
    CHECK(L.eq("Ref{Tuple{T,T} where Int<:T<:Int}", "Ref{Tuple{S,S}} where Int<:S<:Int"));
  }
  SECTION("a variable whose upper bound is a UnionAll") {
    // Every query of the form `a <: (X where X<:B)` with B a UnionAll (Vec, Tensor, ...)
    // recurses without end, so `f(x::T) where T<:Tensor` cannot dispatch.
    CHECK(L.strict("Vec{Int}", "X where X<:Vec"));
    CHECK(L.sub("Vec{Int}", "X where X<:AbstractVec"));
    CHECK(L.sub("Tensor{Float32,2}", "X where X<:Tensor"));
    CHECK(L.sub("Tuple{Vec{Int}}", "Tuple{T} where T<:Vec"));
    CHECK(L.sub("Tuple{Vec{Int},Vec{Int}}", "Tuple{T,T} where T<:Vec"));
    CHECK(L.sub("Tuple{TensorImage{Float32,2},TensorImage{Float32,2}}", "Tuple{T,T} where T<:Tensor"));
    CHECK_FALSE(L.sub("Tuple{TensorImage{Float32,2},TensorMask{Float32,2}}", "Tuple{T,T} where T<:Tensor"));
    // [TwoParams(3,4)] isa Vector{<:TwoParams{<:Real,<:Real}}
    L.rt.struct_type("TwoParams{S,T}", {{"x", "S"}, {"y", "T"}});
    CHECK(L.sub("Vec{TwoParams{Int,Int}}", "Vec{S} where S<:(TwoParams{A,B} where {A<:Real, B<:Real})"));
    // subtype.jl test_properties: the unionall identity T == (S where S<:T), for a UnionAll T
    CHECK(L.eq("Arr{T,1} where T", "S where S<:(Arr{T,1} where T)"));
    CHECK(L.eq("Arr{Arr{T,1} where T,1}", "S where S<:(Arr{Arr{T,1} where T,1})"));
  }
  SECTION("test_6: (X where x<:T<:x) == X{x}, inside an invariant parameter") {
    CHECK(L.sub("Ref{Ref{T} where Int<:T<:Int}", "Ref{Ref{T}} where Int<:T<:Int"));
  }
}

