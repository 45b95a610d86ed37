// Method specificity (LANGUAGE.md "Types" and "Functions and multiple dispatch"): the cases of
// Julia's test/specificity.jl that fit Tessera, and dispatch picking the most specific method.
//
// Tessera's rule is strict: A is more specific than B exactly when A's signature is a strict
// subtype of B's (A <: B and not B <: A). Julia's type_morespecific also orders many pairs that
// are not strict subtypes (different lengths, "fewer varargs", disjoint types, its Ptr/Type
// heuristics). Where Julia's answer differs from the strict rule, the test follows Tessera and
// says so in a comment ("Julia: ...").
//
// Stand-ins for Julia's types, declared per test: Vector{T} -> Vec{T} <: AbstractVec{T},
// Array{T,N} -> Arr{T,N} <: AbstractArr{T,N}, Ref, Ptr, Pair.
//
// Every dispatch outcome must not depend on the order methods were defined in, so dispatch
// tests define the methods in every permutation and check the same answers each time.
#include <catch2/catch.hpp>

#include "tests/runtime/known_gaps.hpp"

#include <algorithm>
#include <functional>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "dsl/embed/tessera.hpp"
#include "tests/runtime/dispatch_order.hpp"

namespace {

using namespace dispatch_order;


void declare_standins(tsr::Runtime& rt) {
  rt.abstract_type("AbstractVec{T}");
  rt.struct_type("Vec{T} <: AbstractVec{T}", {{"x", "T"}});
  rt.abstract_type("AbstractMat{T}");
  rt.struct_type("Mat{T} <: AbstractMat{T}", {{"x", "T"}});
  rt.abstract_type("AbstractArr{T,N}");
  rt.struct_type("Arr{T,N} <: AbstractArr{T,N}", {{"x", "T"}});
  rt.struct_type("Ref{T}", {{"x", "T"}});
  rt.struct_type("Ptr{T}", {});
  rt.struct_type("Pair{A,B}", {{"first", "A"}, {"second", "B"}});
}

struct Spec {
  tsr::Runtime rt;
  Spec() { declare_standins(rt); }
  bool sub(std::string_view a, std::string_view b) { return rt.issub(a, b); }
  // Julia's args_morespecific, with Tessera's meaning.
  bool ms(std::string_view a, std::string_view b) { return rt.types().more_specific(rt.type(a), rt.type(b)); }
  // Neither is more specific than the other.
  bool unordered(std::string_view a, std::string_view b) { return !ms(a, b) && !ms(b, a); }
};


}  // namespace

using Catch::Matchers::Contains;

TEST_CASE("specificity is strict subtyping", "[specificity]") {
  Spec S;
  CHECK(S.ms("Tuple{Int}", "Tuple{Integer}"));
  CHECK_FALSE(S.ms("Tuple{Integer}", "Tuple{Int}"));
  CHECK(S.ms("Tuple{Int}", "Tuple{Any}"));
  CHECK(S.ms("Tuple{Bool}", "Tuple{Integer}"));
  CHECK(S.ms("Tuple{Int,Int}", "Tuple{Integer,Any}"));
  // irreflexive, and equal types are never more specific than each other
  CHECK_FALSE(S.ms("Tuple{Int}", "Tuple{Int}"));
  CHECK(S.unordered("Tuple{T} where T", "Tuple{Any}"));
  CHECK(S.unordered("Tuple{T} where T<:Real", "Tuple{Real}"));
  CHECK(S.unordered("Tuple{Int,Vararg{Int,2}}", "Tuple{Int,Int,Int}"));
  CHECK(S.unordered("Tuple{Union{Int,Int8}}", "Tuple{Union{Int8,Int}}"));
  // Unions
  CHECK(S.ms("Tuple{Int}", "Tuple{Union{Int,String}}"));
  CHECK(S.ms("Tuple{Union{Int,Int8}}", "Tuple{Integer}"));
  CHECK(S.unordered("Tuple{Union{Int,String}}", "Tuple{Integer}"));
  // Varargs
  CHECK(S.ms("Tuple{Int,Vararg{Int}}", "Tuple{Vararg{Int}}"));
  CHECK(S.ms("Tuple{Vararg{Int}}", "Tuple{Vararg{Integer}}"));
  CHECK(S.ms("Tuple{}", "Tuple{Vararg{Any}}"));
  CHECK(S.ms("Tuple{Int,Int}", "Tuple{Int,Vararg{Int}}"));
  // "fewer varargs" is no tie-breaker: Tuple{Int,Int,Vararg{Int}} is the strict subtype here.
  CHECK(S.ms("Tuple{Int,Int,Vararg{Int}}", "Tuple{Int,Vararg{Int}}"));
  CHECK_FALSE(S.ms("Tuple{Int,Vararg{Int}}", "Tuple{Int,Int,Vararg{Int}}"));
  // The diagonal signature is the more specific one.
  CHECK(S.ms("Tuple{T,T} where T<:Real", "Tuple{Real,Real}"));
  CHECK(S.ms("Tuple{T,T} where T", "Tuple{Any,Any}"));
  // Neither a strict subtype of the other: no order, whatever Julia's heuristics say.
  CHECK(S.unordered("Tuple{Int,Any}", "Tuple{Any,Int}"));
  CHECK(S.unordered("Tuple{Int,Vararg{Any}}", "Tuple{Any,Any}"));
  CHECK(S.unordered("Tuple{Int}", "Tuple{String}"));
  CHECK(S.unordered("Tuple{Int}", "Tuple{Int,Int}"));
  // Parametric types
  CHECK(S.ms("Tuple{Vec{Int}}", "Tuple{Vec{T}} where T"));
  CHECK(S.ms("Tuple{Vec{T}} where T", "Tuple{AbstractVec{T}} where T"));
  CHECK(S.ms("Tuple{Vec{T}} where T<:Integer", "Tuple{Vec{T}} where T"));
  CHECK(S.unordered("Tuple{Vec{Int}}", "Tuple{Vec{Integer}}"));
  // Semantic tensor types
  CHECK(S.ms("Tuple{TensorImage{Float32,2}}", "Tuple{Tensor{Float32,2}}"));
  CHECK(S.ms("Tuple{TensorImageBW}", "Tuple{TensorImage}"));
  CHECK(S.ms("Tuple{TensorBBox}", "Tuple{TensorPoint}"));
  CHECK(S.unordered("Tuple{TensorBBox}", "Tuple{TensorImage}"));
  CHECK(S.unordered("Tuple{TensorMask}", "Tuple{TensorImageBW}"));
}

TEST_CASE("specificity.jl: cases where Julia also orders by strict subtyping", "[specificity]") {
  Spec S;
  // issue #8652
  {
    const char* a = "Tuple{Type{T1},T1} where T1<:Integer";
    const char* b2 = "Tuple{Type{T2},Integer} where T2<:Integer";
    CHECK(S.ms(a, b2));
    CHECK_FALSE(S.ms(b2, a));
  }
  // issue #11534 (RangeIndex -> Int)
  {
    const char* t1 = "Tuple{AbstractArr, Tuple{Vararg{Int}}}";
    const char* t2 = "Tuple{Arr, T} where T<:Tuple{Vararg{Int}}";
    CHECK_FALSE(S.ms(t1, t2));
    CHECK(S.ms(t2, t1));
  }
  {
    const char* a = "Tuple{Arr, Vararg{Int,N}} where N";
    const char* b = "Tuple{Arr,Int}";
    CHECK_FALSE(S.ms(a, b));
    CHECK(S.ms(b, a));
  }
  CHECK(S.ms("Tuple{Arr{T} where T<:Union{Float32,Float64}, Any}", "Tuple{Arr{T} where T<:Real, Any}"));
  CHECK_FALSE(S.ms("Type{T} where T<:Integer", "Type{Any}"));
  CHECK_FALSE(S.ms("Type{Any}", "Type{T} where T<:Integer"));
  // PR #21750: C is a strict subtype of A
  CHECK(S.ms("Tuple{Any, Tuple{}}", "Tuple{Any, Tuple{Vararg{Integer,N}} where N}"));
  // T3 is a strict subtype of the Real tuples
  CHECK_FALSE(S.ms("Tuple{Real,Real,Real}", "Tuple{T,T,T} where T<:Real"));
  CHECK(S.ms("Tuple{T,T,T} where T<:Real", "Tuple{Real,Real,Real}"));
  CHECK_FALSE(S.ms("Tuple{Real,Real,Vararg{Real}}", "Tuple{T,T,T} where T<:Real"));
  CHECK(S.ms("Tuple{T,T,T} where T<:Real", "Tuple{Real,Real,Vararg{Real}}"));
  // issue #22164
  {
    const char* A = "Tuple{Type{D},D} where D<:Pair";
    const char* B = "Tuple{Type{Any}, Any}";
    const char* C = "Tuple{Type{Pair}, Pair}";
    CHECK(S.ms(C, A));
    CHECK_FALSE(S.ms(A, B));
    CHECK_FALSE(S.ms(C, B));
  }
  // issue #22338
  {
    const char* A = "Tuple{Ref, Tuple{T}} where T";
    const char* B = "Tuple{Ref{T}, Tuple{Vararg{T}}} where T";
    const char* C = "Tuple{Ref{T}, Tuple{T}} where T";
    CHECK(S.ms(C, A));
    CHECK(S.ms(C, B));
    CHECK_FALSE(S.ms(A, B));
    CHECK_FALSE(S.ms(B, A));
  }
  // issue #22339: C is a strict subtype of B
  CHECK(S.ms("Tuple{T} where T<:AbstractFloat", "Tuple{T} where T"));
  // issue #22592: AbstractGray{T} = Color{T,1}, MathTypes{T} = Union{AbstractRGB{T}, AbstractGray{T}}
  S.rt.abstract_type("Colorant{T,N}");
  S.rt.abstract_type("Color{T,N} <: Colorant{T,N}");
  S.rt.abstract_type("AbstractRGB{T} <: Color{T,3}");
  {
    const char* MathTypes = "Tuple{Union{AbstractRGB{T}, Color{T,1}} where T}";
    const char* AbstractGray = "Tuple{Color{T,1} where T}";
    CHECK_FALSE(S.ms(MathTypes, AbstractGray));
    CHECK(S.ms(AbstractGray, MathTypes));
  }
  // Type{Tuple} is Type{Tuple{Vararg{E,N}} where N} for E = Any
  CHECK(S.ms("Tuple{Type{Tuple}, Any, Any}", "Tuple{Type{Tuple{Vararg{E,N}} where N}, Any, Any} where E"));
}

TEST_CASE("specificity.jl: cases where Julia's heuristics order what Tessera leaves unordered",
          "[specificity]") {
  Spec S;
  // Julia: Tuple{Type{T1}, Ptr{T1}} where T1<:Integer is less specific than
  // Tuple{Type{T2}, Ptr{Integer}} where T2<:Integer (#8652). Neither is a subtype of the other.
  CHECK(S.unordered("Tuple{Type{T1}, Ptr{T1}} where T1<:Integer", "Tuple{Type{T2}, Ptr{Integer}} where T2<:Integer"));
  // Julia: a vararg count tied to the array's rank beats a plain Arr.
  CHECK(S.unordered("Tuple{Arr{T,N}, Vararg{Int,N}} where {T,N}", "Tuple{Arr,Int}"));
  CHECK(S.unordered("Tuple{Arr{T,N}, Vararg{Int,N}} where {T,N}", "Tuple{AbstractArr,Int,Arr}"));
  // Julia: the diagonal vararg beats the longer Number tuple.
  CHECK(S.unordered("Tuple{T,Vararg{T}} where T<:Number", "Tuple{Number,Number,Vararg{Number}}"));
  // Julia orders tuples of different lengths.
  CHECK(S.unordered("Tuple{T} where T", "Tuple{T,T} where T"));
  CHECK(S.unordered("Tuple{Any, Tuple{}, Tuple{}}", "Tuple{Any, Tuple{Any}}"));
  CHECK(S.unordered("Tuple{Any, Tuple{Any}, Tuple{Any}}", "Tuple{Any, Tuple{Any, Any}}"));
  CHECK(S.unordered("Tuple{T,T} where T<:AbstractFloat", "Tuple{T,T,T} where T<:AbstractFloat"));
  CHECK(S.unordered("Tuple{T,Real,T} where T<:AbstractFloat", "Tuple{T,T} where T<:Real"));
  CHECK(S.unordered("Tuple{Real,Real}", "Tuple{T,T,T} where T<:Real"));
  CHECK(S.unordered("Tuple{T,Vec{T}} where T", "Tuple{T} where T"));
  // PR #21750: Julia: Tuple{Vararg{Integer}} beats Tuple{Any}, and Tuple{} beats Tuple{Any}.
  CHECK(S.unordered("Tuple{Any, Tuple{Vararg{Integer,N}} where N}", "Tuple{Any, Tuple{Any}}"));
  CHECK(S.unordered("Tuple{Any, Tuple{}}", "Tuple{Any, Tuple{Any}}"));
  // Julia: a shorter fixed part with Int varargs beats the diagonal triple.
  CHECK(S.unordered("Tuple{Real,Real,Vararg{Int}}", "Tuple{T,T,T} where T<:Real"));
  // issue #21710 (AbstractVector -> AbstractArr{T,1} where T): Julia: Tuple{Arr} is more specific.
  CHECK(S.unordered("Tuple{Arr}", "Tuple{AbstractArr{T,1} where T}"));
  // issue #26915 (AbstractVecOrMat{T} -> Union{AbstractVec{T}, AbstractMat{T}}): Julia: A > B > C;
  // only B > C is a strict subtype.
  {
    const char* A = "Tuple{Vec, AbstractVec}";
    const char* B = "Tuple{Union{AbstractVec{T},AbstractMat{T}}, AbstractVec{T}} where T";
    const char* C = "Tuple{Union{AbstractVec{T},AbstractMat{T}}, Union{AbstractVec{T},AbstractMat{T}}} where T";
    CHECK(S.unordered(A, B));
    CHECK(S.ms(B, C));
    CHECK_FALSE(S.ms(C, B));
    CHECK(S.unordered(A, C));
  }
  // Julia: Tuple{Type{Any}, Type} is more specific than Tuple{Type{T}, Type{T}} where T.
  CHECK(S.unordered("Tuple{Type{Any}, Type}", "Tuple{Type{T}, Type{T}} where T"));
  // Julia: Union{Set,Dict,Vector} is more specific than Union{Vector,AbstractSet}.
  S.rt.abstract_type("AbstractSet");
  S.rt.struct_type("Set <: AbstractSet", {});
  S.rt.struct_type("Dict", {});
  CHECK(S.unordered("Union{Set,Dict,Vec}", "Union{Vec,AbstractSet}"));
  // Julia (current): Tuple{Type{Any}, Any} beats Tuple{Type{T}, Any} where T<:VecElement.
  S.rt.struct_type("VecElement{T}", {{"value", "T"}});
  CHECK(S.unordered("Tuple{Type{Any}, Any}", "Tuple{Type{T}, Any} where T<:VecElement{Int}"));
}

TEST_CASE("dispatch follows the number tower in any definition order", "[specificity]") {
  std::vector<Def> defs = {
      {"(x)", 0}, {"(x::Number)", 1}, {"(x::Real)", 2}, {"(x::Integer)", 3}, {"(x::Int)", 4}};
  in_every_order("f", defs, nullptr, [](tsr::Runtime& rt) {
    CHECK(which_id(rt, "f", {"Int"}) == 4);
    CHECK(which_id(rt, "f", {"Int8"}) == 3);
    CHECK(which_id(rt, "f", {"Bool"}) == 3);
    CHECK(which_id(rt, "f", {"UInt8"}) == 3);
    CHECK(which_id(rt, "f", {"Float64"}) == 2);
    CHECK(which_id(rt, "f", {"String"}) == 0);
    CHECK(rt.call<int64_t>("f", 1) == 4);
    CHECK(rt.call<int64_t>("f", 2.5) == 2);
    CHECK(rt.call<int64_t>("f", 2.5f) == 2);
    CHECK(rt.call<int64_t>("f", true) == 3);
    CHECK(rt.call<int64_t>("f", std::string("s")) == 0);
  });
}

TEST_CASE("the diagonal method of LANGUAGE.md wins when both arguments share a type", "[specificity]") {
  std::vector<Def> defs = {{"(a::T, b::T) where {T<:Real}", 1}, {"(a::Real, b::Real)", 2}};
  in_every_order("combine", defs, nullptr, [](tsr::Runtime& rt) {
    CHECK(which_id(rt, "combine", {"Int", "Int"}) == 1);
    CHECK(which_id(rt, "combine", {"Float64", "Float64"}) == 1);
    CHECK(which_id(rt, "combine", {"Int", "Float64"}) == 2);
    CHECK(which_id(rt, "combine", {"Bool", "Int"}) == 2);
    CHECK(rt.call<int64_t>("combine", 1, 2) == 1);
    CHECK(rt.call<int64_t>("combine", 1, 2.0) == 2);
    CHECK_THROWS_WITH(rt.call<int64_t>("combine", std::string("a"), std::string("b")),
                      Contains("no method matching combine(::String, ::String)"));
  });
}

TEST_CASE("Vararg methods", "[specificity]") {
  std::vector<Def> defs = {{"(xs::Vararg{Int})", 1}, {"(xs...)", 2}, {"(x::Int, y::Int)", 3}};
  in_every_order("describe", defs, nullptr, [](tsr::Runtime& rt) {
    CHECK(which_id(rt, "describe", {}) == 1);
    CHECK(which_id(rt, "describe", {"Int"}) == 1);
    CHECK(which_id(rt, "describe", {"Int", "Int"}) == 3);
    CHECK(which_id(rt, "describe", {"Int", "Int", "Int"}) == 1);
    CHECK(which_id(rt, "describe", {"Int", "String"}) == 2);
    CHECK(which_id(rt, "describe", {"Float64"}) == 2);
  });
  // specificity.jl "another specificity issue" (_z_z_z_)
  std::vector<Def> z = {{"(x, y)", 1}, {"(a::Int, b::Int, c::Vec)", 2}, {"(a::Int, c...)", 3}};
  in_every_order("_z_z_z_", z, declare_standins, [](tsr::Runtime& rt) {
    CHECK(which_id(rt, "_z_z_z_", {"Int", "Int", "Vec{Any}"}) == 2);
    CHECK(which_id(rt, "_z_z_z_", {"Int", "Int", "Int"}) == 3);
    CHECK(which_id(rt, "_z_z_z_", {"String", "Int"}) == 1);
    CHECK(which_id(rt, "_z_z_z_", {"Int"}) == 3);
  });
  // issue #17016: T_17016 = Tuple{Any,Any,Vararg{Any,N}} where N
  std::vector<Def> t = {{"(f, t::(Tuple{Any,Any,Vararg{Any,N}} where N))", 0}, {"(f, t1::Tuple)", 1}};
  in_every_order("f17016", t, nullptr, [](tsr::Runtime& rt) {
    CHECK(which_id(rt, "f17016", {"Int", "Tuple{Int,Int,Int}"}) == 0);
    CHECK(which_id(rt, "f17016", {"Int", "Tuple{Int}"}) == 1);
  });
}

TEST_CASE("bound varargs and NTuple dimensions (specificity.jl)", "[specificity]") {
  std::vector<Def> defs = {{"(a::Type{Arr{T,N}}, d::Vararg{Int,N}) where {T,N}", 0},
                           {"(a::Type{Arr{T,1}}, d::Int) where {T}", 1}};
  in_every_order("_bound_vararg_specificity_1", defs, declare_standins, [](tsr::Runtime& rt) {
    CHECK(which_id(rt, "_bound_vararg_specificity_1", {"Type{Arr{Int,1}}", "Int"}) == 1);
    CHECK(which_id(rt, "_bound_vararg_specificity_1", {"Type{Arr{Int,2}}", "Int", "Int"}) == 0);
    CHECK_THROWS_AS(which_id(rt, "_bound_vararg_specificity_1", {"Type{Arr{Int,2}}", "Int"}), tsr::MethodError);
  });

  std::vector<Def> f = {{"(dims::Tuple{}, A::AbstractArr{T,0}) where {T}", 1},
                        {"(dims::NTuple{N,Int}, A::AbstractArr{T,N}) where {T,N}", 2},
                        {"(dims::NTuple{M,Int}, A::AbstractArr{T,N}) where {T,M,N}", 3}};
  in_every_order("f", f, declare_standins, [](tsr::Runtime& rt) {
    CHECK(which_id(rt, "f", {"Tuple{Int,Int,Int}", "Arr{Float64,2}"}) == 3);
    CHECK(which_id(rt, "f", {"Tuple{Int,Int}", "Arr{Float64,2}"}) == 2);
    CHECK(which_id(rt, "f", {"Tuple{}", "Arr{Int,0}"}) == 1);
    // Redefining a method with an equal signature replaces it.
    define(rt, "f", {"(dims::NTuple{N,Int}, A::AbstractArr{T,N}) where {T,N}", 4});
    CHECK(which_id(rt, "f", {"Tuple{Int,Int}", "Arr{Float64,2}"}) == 4);
    CHECK(which_id(rt, "f", {"Tuple{Int,Int,Int}", "Arr{Float64,2}"}) == 3);
    CHECK(rt.function("f").methods().size() == 3);
  });
}

TEST_CASE("a method for equal parameters is a new method, more specific than the general one",
          "[specificity]") {
  // f(a::Vec, b::Vec) and f(a::Vec{T}, b::Vec{T}) where T are different signatures: defining one
  // must not replace the other (GenericFunction::add replaces only an equal signature).
  std::vector<Def> defs = {{"(a::Vec, b::Vec)", 1}, {"(a::Vec{T}, b::Vec{T}) where {T}", 2}};
  in_every_order("append", defs, declare_standins, [](tsr::Runtime& rt) {
    CHECK(rt.function("append").methods().size() == 2);
    CHECK(which_id(rt, "append", {"Vec{Int}", "Vec{Int}"}) == 2);
    CHECK(which_id(rt, "append", {"Vec{Int}", "Vec{Float64}"}) == 1);
  });
  std::vector<Def> tensors = {{"(a::TensorImage, b::TensorImage)", 1},
                              {"(a::TensorImage{T,N}, b::TensorImage{T,N}) where {T,N}", 2}};
  in_every_order("overlay", tensors, nullptr, [](tsr::Runtime& rt) {
    CHECK(rt.function("overlay").methods().size() == 2);
    CHECK(which_id(rt, "overlay", {"TensorImage{Float32,2}", "TensorImage{Float32,2}"}) == 2);
    KNOWN_GAP(CHECK(which_id(rt, "overlay", {"TensorImage{Float32,2}", "TensorMask{Float32,2}"}) == 1));
    CHECK(which_id(rt, "overlay", {"TensorImage{Float32,2}", "TensorImage{Float64,2}"}) == 1);
  });
}

TEST_CASE("ftwoparams: implicitly covariant parameters choose the method", "[specificity]") {
  auto setup = [](tsr::Runtime& rt) { rt.struct_type("TwoParams{S,T}", {{"x", "S"}, {"y", "T"}}); };
  std::vector<Def> defs = {{"(x::TwoParams)", 1},
                           {"(x::TwoParams{S}) where S<:Real", 2},
                           {"(x::TwoParams{S,T}) where {S<:Real, T<:Real}", 3}};
  in_every_order("ftwoparams", defs, setup, [](tsr::Runtime& rt) {
    CHECK(which_id(rt, "ftwoparams", {"TwoParams{String,Int}"}) == 1);
    CHECK(which_id(rt, "ftwoparams", {"TwoParams{Int,String}"}) == 2);
    CHECK(which_id(rt, "ftwoparams", {"TwoParams{Int,Int}"}) == 3);
    CHECK(which_id(rt, "ftwoparams", {"TwoParams{Float64,Bool}"}) == 3);
  });
}

TEST_CASE("c99991: Type{T} with T vs UnitRange{T} with an AbstractRange", "[specificity]") {
  auto setup = [](tsr::Runtime& rt) {
    rt.abstract_type("AbstractRange{T}");
    rt.struct_type("UnitRange{T} <: AbstractRange{T}", {{"start", "T"}, {"stop", "T"}});
    rt.struct_type("StepRangeLen{T} <: AbstractRange{T}", {{"ref", "T"}});
  };
  std::vector<Def> defs = {{"(a::Type{T}, x::T) where {T}", 0},
                           {"(a::Type{UnitRange{T}}, x::StepRangeLen{T}) where {T}", 1},
                           {"(a::Type{UnitRange{T}}, x::AbstractRange{T}) where {T}", 2}};
  in_every_order("c99991", defs, setup, [](tsr::Runtime& rt) {
    CHECK(which_id(rt, "c99991", {"Type{UnitRange{Float64}}", "StepRangeLen{Float64}"}) == 1);
    CHECK(which_id(rt, "c99991", {"Type{Int}", "Int"}) == 0);
    // Julia: method 2. Neither signature of 0 and 2 is a subtype of the other, and both apply:
    // Tessera calls it ambiguous.
    std::string err = dispatch_error(rt, "c99991", {"Type{UnitRange{Int}}", "UnitRange{Int}"});
    CHECK_THAT(err, Contains("is ambiguous"));
    CHECK_THAT(err, Contains("c99991(a::Type{T}, x::T) where T"));
    CHECK_THAT(err, Contains("c99991(a::Type{UnitRange{T}}, x::AbstractRange{T}) where T"));
  });
}

TEST_CASE("fastai semantic types: a supertype's method serves its subtypes", "[specificity]") {
  SECTION("a method on TensorImage serves TensorImageBW and TensorMask") {
    in_every_order("show_batch", {{"(x::TensorImage)", 1}}, nullptr, [](tsr::Runtime& rt) {
      CHECK(which_id(rt, "show_batch", {"TensorImage{Float32,3}"}) == 1);
      CHECK(which_id(rt, "show_batch", {"TensorImageBW{Float32,2}"}) == 1);
      CHECK(which_id(rt, "show_batch", {"TensorMask{Int64,2}"}) == 1);
      CHECK_THROWS_WITH(which_id(rt, "show_batch", {"Tensor{Float32,3}"}), Contains("no method matching"));
      CHECK_THROWS_AS(which_id(rt, "show_batch", {"TensorPoint{Float32,2}"}), tsr::MethodError);
    });
  }
  SECTION("a method on TensorPoint serves TensorBBox until TensorBBox has its own") {
    tsr::Runtime rt;
    define(rt, "encodes", {"(x::TensorPoint)", 1});
    CHECK(which_id(rt, "encodes", {"TensorBBox{Float32,2}"}) == 1);
    CHECK(which_id(rt, "encodes", {"TensorPoint{Float32,2}"}) == 1);
    define(rt, "encodes", {"(x::TensorBBox)", 2});
    CHECK(which_id(rt, "encodes", {"TensorBBox{Float32,2}"}) == 2);
    CHECK(which_id(rt, "encodes", {"TensorPoint{Float32,2}"}) == 1);
    CHECK_THROWS_AS(which_id(rt, "encodes", {"TensorImage{Float32,2}"}), tsr::MethodError);
  }
  SECTION("TensorBBox's own method wins in either definition order") {
    in_every_order("encodes", {{"(x::TensorPoint)", 1}, {"(x::TensorBBox)", 2}}, nullptr, [](tsr::Runtime& rt) {
      CHECK(which_id(rt, "encodes", {"TensorBBox{Float32,2}"}) == 2);
      CHECK(which_id(rt, "encodes", {"TensorPoint{Float32,2}"}) == 1);
    });
  }
  SECTION("the nearest semantic ancestor wins") {
    std::vector<Def> defs = {{"(x::AbstractTensor)", 4}, {"(x::Tensor)", 0}, {"(x::TensorImage)", 1},
                             {"(x::TensorImageBW)", 2}, {"(x::TensorPoint)", 3}};
    in_every_order("decodes", defs, nullptr, [](tsr::Runtime& rt) {
      CHECK(which_id(rt, "decodes", {"TensorImageBW{Float32,2}"}) == 2);
      CHECK(which_id(rt, "decodes", {"TensorMask{Float32,2}"}) == 1);
      CHECK(which_id(rt, "decodes", {"TensorImage{Float32,3}"}) == 1);
      CHECK(which_id(rt, "decodes", {"TensorBBox{Float32,2}"}) == 3);
      CHECK(which_id(rt, "decodes", {"TensorCategory{Int64,1}"}) == 0);
      CHECK(which_id(rt, "decodes", {"Tensor{Float32,2}"}) == 0);
    });
  }
  SECTION("element type and rank parameters") {
    std::vector<Def> defs = {{"(x::TensorImage{Float32,N}) where N", 1},
                             {"(x::Tensor{T,3}) where T", 2},
                             {"(x::TensorImage{T,N}) where {T<:AbstractFloat, N}", 3}};
    in_every_order("normalize", defs, nullptr, [](tsr::Runtime& rt) {
      CHECK(which_id(rt, "normalize", {"TensorImage{Float32,2}"}) == 1);
      CHECK(which_id(rt, "normalize", {"TensorImageBW{Float32,2}"}) == 1);
      CHECK(which_id(rt, "normalize", {"TensorImage{Float64,2}"}) == 3);
      CHECK(which_id(rt, "normalize", {"Tensor{Float64,3}"}) == 2);
      CHECK(which_id(rt, "normalize", {"TensorPoint{Int64,3}"}) == 2);
      CHECK_THROWS_AS(which_id(rt, "normalize", {"TensorImage{Int64,2}"}), tsr::MethodError);
    });
  }
  SECTION("a diagonal method over two tensors of the same type") {
    std::vector<Def> defs = {{"(a::T, b::T) where {T<:Tensor{Float32,2}}", 1}, {"(a::Tensor, b::Tensor)", 2}};
    in_every_order("blend", defs, nullptr, [](tsr::Runtime& rt) {
      CHECK(which_id(rt, "blend", {"TensorImage{Float32,2}", "TensorImage{Float32,2}"}) == 1);
      CHECK(which_id(rt, "blend", {"Tensor{Float32,2}", "Tensor{Float32,2}"}) == 1);
      CHECK(which_id(rt, "blend", {"TensorImage{Float32,2}", "TensorMask{Float32,2}"}) == 2);
      CHECK(which_id(rt, "blend", {"TensorImage{Float32,3}", "TensorImage{Float32,3}"}) == 2);
    });
  }
}

// Hidden ("[.]"): a type variable whose upper bound is a UnionAll (`T<:TensorImage`) makes
// Subtyper::sub recurse without end and the process dies (SIGSEGV). The expected answers are
// Tessera's. Run them with:  test_runtime_lattice "[crash]"
TEST_CASE("specificity cases that crash the runtime", "[specificity][.][crash]") {
  SECTION("a diagonal method bounded by a semantic type") {
    std::vector<Def> defs = {{"(a::T, b::T) where {T<:TensorImage}", 1}, {"(a::Tensor, b::Tensor)", 2}};
    in_every_order("blend", defs, nullptr, [](tsr::Runtime& rt) {
      CHECK(which_id(rt, "blend", {"TensorImage{Float32,2}", "TensorImage{Float32,2}"}) == 1);
      CHECK(which_id(rt, "blend", {"TensorMask{Float32,2}", "TensorMask{Float32,2}"}) == 1);
      CHECK(which_id(rt, "blend", {"TensorImage{Float32,2}", "TensorMask{Float32,2}"}) == 2);
      CHECK(which_id(rt, "blend", {"Tensor{Float32,2}", "Tensor{Float32,2}"}) == 2);
    });
  }
}
