// Type expressions as text: parsing, printing in Julia's spelling, and declarations.
#include <catch2/catch.hpp>

#include "dsl/embed/tessera.hpp"

using tsr::Runtime;

namespace {
std::string round_trip(Runtime& rt, const char* text) { return tsr::show_type(rt.type(text)); }
}  // namespace

TEST_CASE("types print as Julia prints them", "[typeexpr]") {
  Runtime rt;
  rt.struct_type("Point{T<:Real}", {{"x", "T"}, {"y", "T"}});
  CHECK(round_trip(rt, "Int") == "Int64");
  CHECK(round_trip(rt, "Point{Float64}") == "Point{Float64}");
  CHECK(round_trip(rt, "Point") == "Point");
  CHECK(round_trip(rt, "Point{T} where T<:Real") == "Point{T} where T<:Real");
  CHECK(round_trip(rt, "Point{T} where T<:AbstractFloat") == "Point{T} where T<:AbstractFloat");
  CHECK(round_trip(rt, "Tuple{Int, Vararg{Int}}") == "Tuple{Int64, Vararg{Int64}}");
  CHECK(round_trip(rt, "Tuple{}") == "Tuple{}");
  CHECK(round_trip(rt, "Tuple") == "Tuple{Vararg{Any}}");
  CHECK(round_trip(rt, "NTuple{3, Int}") == "Tuple{Int64, Int64, Int64}");
  CHECK(round_trip(rt, "Union{Int, Float64}") == "Union{Float64, Int64}");
  CHECK(round_trip(rt, "Union{Int, Real}") == "Real");
  CHECK(round_trip(rt, "Union{Int}") == "Int64");
  CHECK(round_trip(rt, "Union{}") == "Union{}");
  CHECK(round_trip(rt, "Type{Int}") == "Type{Int64}");
  CHECK(round_trip(rt, "Tensor{Float32, 3}") == "Tensor{Float32, 3}");
  CHECK(round_trip(rt, "Tensor{Float32}") == "Tensor{Float32, N} where N");
  CHECK(round_trip(rt, "Tensor") == "Tensor");
  CHECK(round_trip(rt, "TensorImage{Float32, 2}") == "TensorImage{Float32, 2}");
  CHECK(round_trip(rt, "Tuple{T, N} where {T<:Real, N>:Int}") == "Tuple{T, N} where {T<:Real, N>:Int64}");
  CHECK(round_trip(rt, "Tuple{T} where Int<:T<:Real") == "Tuple{T} where Int64<:T<:Real");
  CHECK(round_trip(rt, "Int where T") == "Int64");
  CHECK(round_trip(rt, "(Tuple{T, S} where T) where S") == "Tuple{T, S} where {S, T}");
}

TEST_CASE("the {<:T} shorthand is a where-variable, printed back as Julia does", "[typeexpr]") {
  Runtime rt;
  rt.struct_type("Point{T<:Real}", {{"x", "T"}, {"y", "T"}});
  rt.struct_type("Box{T}", {{"x", "T"}});
  rt.struct_type("Two{A, B}", {{"a", "A"}, {"b", "B"}});
  auto& reg = rt.types();
  CHECK(round_trip(rt, "Box{<:Real}") == "Box{<:Real}");
  CHECK(round_trip(rt, "Box{>:Int}") == "Box{>:Int64}");
  CHECK(round_trip(rt, "Point{<:Integer}") == "Point{<:Integer}");
  CHECK(round_trip(rt, "Two{<:Real, <:Integer}") == "Two{<:Real, <:Integer}");
  CHECK(round_trip(rt, "Two{Int, <:Integer}") == "Two{Int64, <:Integer}");
  CHECK(round_trip(rt, "Box{Box{<:Real}}") == "Box{Box{<:Real}}");
  // A named variable is not elided; a tuple keeps its variables (as Julia's printing).
  CHECK(round_trip(rt, "Box{T} where T<:Real") == "Box{T} where T<:Real");
  CHECK(round_trip(rt, "Tuple{<:Real}") == "Tuple{var\"#s1\"} where var\"#s1\"<:Real");
  CHECK(round_trip(rt, "Tuple{var\"#s1\"} where var\"#s1\"<:Real") == "Tuple{var\"#s1\"} where var\"#s1\"<:Real");
  CHECK(reg.equal(rt.type("Box{<:Real}"), rt.type("Box{T} where T<:Real")));
  CHECK(reg.issub(rt.type("Box{Int}"), rt.type("Box{<:Real}")));
  CHECK_FALSE(reg.issub(rt.type("Box{String}"), rt.type("Box{<:Real}")));
  CHECK(reg.issub(rt.type("Box{Any}"), rt.type("Box{>:Int}")));
  CHECK_FALSE(reg.issub(rt.type("Box{Float64}"), rt.type("Box{>:Int}")));
  auto s = tsr::parse_signature(reg, "(v::Box{<:Real}, p::Point{<:Integer})");
  CHECK(tsr::show_type(s.sig) == "Tuple{Box{<:Real}, Point{<:Integer}}");
  CHECK_THROWS_WITH(rt.type("Vararg{<:Real}"), Catch::Contains("`Vararg{<:T}` is not supported"));
}

TEST_CASE("signatures carry argument names and where-variables", "[typeexpr]") {
  Runtime rt;
  auto s = tsr::parse_signature(rt.types(), "(a::T, b::T) where {T<:Real}");
  CHECK(s.arg_names == std::vector<std::string>{"a", "b"});
  CHECK(tsr::show_type(s.sig) == "Tuple{T, T} where T<:Real");
  auto v = tsr::parse_signature(rt.types(), "(x, xs...)");
  CHECK(v.arg_names == std::vector<std::string>{"x", "xs"});
  CHECK(tsr::show_type(v.sig) == "Tuple{Any, Vararg{Any}}");
  auto w = tsr::parse_signature(rt.types(), "(::Type{T}, dims::Int...) where T");
  CHECK(w.arg_names == std::vector<std::string>{"", "dims"});
  CHECK(tsr::show_type(w.sig) == "Tuple{Type{T}, Vararg{Int64}} where T");
  CHECK(tsr::show_type(tsr::parse_signature(rt.types(), "()").sig) == "Tuple{}");
  CHECK_THROWS_WITH(tsr::parse_signature(rt.types(), "(xs..., y)"),
                    Catch::Contains("only the last argument may be a Vararg"));
  CHECK_THROWS_WITH(tsr::parse_signature(rt.types(), "(a::Int b)"),
                    Catch::Contains("expected ')' to close the argument list, found 'b'"));
}

TEST_CASE("declaration headers with parameters and supertypes", "[typeexpr]") {
  Runtime rt;
  rt.abstract_type("AbstractPoint{T<:Real}");
  const tsr::TypeName* p = rt.struct_type("Point{T<:Real} <: AbstractPoint{T}", {{"x", "T"}});
  CHECK(p->params.size() == 1);
  CHECK(tsr::show_type(p->primary->super) == "AbstractPoint{T}");
  CHECK(tsr::show_type(tsr::as_datatype(rt.type("Point{Int}"))->super) == "AbstractPoint{Int64}");
  CHECK(rt.issub("Point{Int}", "AbstractPoint{Int}"));
  CHECK_FALSE(rt.issub("Point{Int}", "AbstractPoint{Real}"));
  CHECK(rt.issub("Point{Int}", "AbstractPoint"));
  rt.struct_type("Grid{T, N}", {{"cells", "Tensor{T, N}"}});
  CHECK(tsr::show_type(rt.type("Grid{Float32, 2}")) == "Grid{Float32, 2}");
}

TEST_CASE("semantic joins: the nearest common semantic ancestor", "[typeexpr][semantic]") {
  Runtime rt;
  auto& reg = rt.types();
  auto name = [&](const char* t) { return tsr::as_datatype(tsr::unwrap_unionall(rt.type(t)))->name; };
  auto join = [&](const char* a, const char* b) {
    const tsr::TypeName* j = reg.semantic_join(name(a), name(b));
    return j ? j->name : std::string("none");
  };
  CHECK(join("TensorImageBW", "TensorImage") == "TensorImage");
  CHECK(join("TensorMask", "TensorImageBW") == "TensorImage");
  CHECK(join("TensorImage", "TensorPoint") == "Tensor");
  CHECK(join("TensorBBox", "TensorPoint") == "TensorPoint");
  CHECK(join("TensorImage", "Tensor") == "Tensor");
  CHECK(join("TensorMask", "TensorMask") == "TensorMask");
  CHECK(join("TensorImage", "Int") == "none");
}

// The text front end of the one type evaluator (dsl/type_syntax.cpp): the forms only text
// writes, and its errors, which quote the text.
TEST_CASE("named tuple types and the text evaluator's errors", "[typeexpr]") {
  Runtime rt;
  CHECK(round_trip(rt, "@NamedTuple{a::Int, b::Float64}") == "@NamedTuple{a::Int64, b::Float64}");
  CHECK(round_trip(rt, "NamedTuple{(:a,), Tuple{Int}}") == "@NamedTuple{a::Int64}");
  CHECK(round_trip(rt, "NamedTuple{(:a, :b)}") == "NamedTuple{(:a, :b)}");
  CHECK_THROWS_WITH(rt.type("Vector{Flaot64}"), Catch::Contains("unknown type `Flaot64`; did you mean `Float64`?"));
  CHECK_THROWS_WITH(rt.type("Vararg{Int, 2, 3}"), Catch::Contains("Vararg takes one or two parameters: Vararg{T} or Vararg{T, N}"));
  CHECK_THROWS_WITH(rt.type("NamedTuple{(:a, :b), Tuple{Int}}"), Catch::Contains("T must be a Tuple of one type per name"));
  CHECK_THROWS_WITH(rt.type("Tuple{Int{Float64}}"), Catch::Contains("Int64 is not a parametric type"));
}
