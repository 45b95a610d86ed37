// The exact texts of the errors a user sees: each names what was expected and what was found.
#include <catch2/catch.hpp>

#include "dsl/embed/tessera.hpp"

using tsr::Runtime;
using tsr::Value;

namespace {

auto label(const char* s) {
  return [s](std::span<const Value>) { return std::string(s); };
}

// " @ errors_test.cpp:N", the location a method defined on line N shows.
std::string at(int line) { return " @ errors_test.cpp:" + std::to_string(line); }

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const tsr::Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("no method: names the function, the argument types and the closest candidates", "[errors]") {
  Runtime rt;
  rt.abstract_type("Shape");
  rt.struct_type("Square <: Shape", {{"side", "Float64"}});
  rt.struct_type("Circle <: Shape", {{"r", "Float64"}});
  const int line = __LINE__ + 1;
  rt.method("area", "(s::Square)", label(""));
  rt.method("area", "(s::Square, scale::Float64)", label(""));
  rt.method("area", "(c::Circle, scale::Int)", label(""));
  Value c = rt.new_struct(tsr::as_datatype(rt.type("Circle")), {rt.value(1.0)});
  // Closest first: the same number of arguments, then the most arguments that fit; ties keep
  // the order of definition.
  CHECK(error_of([&] { rt.call("area", c, 2.0); }) ==
        "MethodError: no method matching area(::Circle, ::Float64)\n"
        "Closest candidates are:\n"
        "  area(s::Square, scale::Float64)" + at(line + 1) + "\n"
        "  area(c::Circle, scale::Int64)" + at(line + 2) + "\n"
        "  area(s::Square)" + at(line));
  CHECK(error_of([&] { rt.call("area", c, true); }) ==
        "MethodError: no method matching area(::Circle, ::Bool)\n"
        "Closest candidates are:\n"
        "  area(c::Circle, scale::Int64)" + at(line + 2) + "\n"
        "  area(s::Square, scale::Float64)" + at(line + 1) + "\n"
        "  area(s::Square)" + at(line));
}

TEST_CASE("no method on a function without methods", "[errors]") {
  Runtime rt;
  rt.function("empty");
  CHECK(error_of([&] { rt.call("empty", 1); }) ==
        "MethodError: no method matching empty(::Int64)\n`empty` has no methods yet");
}

TEST_CASE("ambiguity: lists both candidates and the method that would settle it", "[errors]") {
  Runtime rt;
  const int line = __LINE__ + 1;
  rt.method("g", "(a::Int, b::Real)", label(""));
  rt.method("g", "(a::Real, b::Int)", label(""));
  CHECK(error_of([&] { rt.call("g", 1, 2); }) ==
        "MethodError: g(::Int64, ::Int64) is ambiguous.\n"
        "Candidates:\n"
        "  g(a::Int64, b::Real)" + at(line) + "\n"
        "  g(a::Real, b::Int64)" + at(line + 1) + "\n"
        "Possible fix, define\n"
        "  g(::Int64, ::Int64)");
}

TEST_CASE("ambiguity with a where-clause suggests the argument types", "[errors]") {
  Runtime rt;
  const int line = __LINE__ + 1;
  rt.method("h", "(a::T, b::T) where {T<:Real}", label(""));
  rt.method("h", "(a::Int, b::Real)", label(""));
  CHECK(error_of([&] { rt.call("h", 1, 2); }) ==
        "MethodError: h(::Int64, ::Int64) is ambiguous.\n"
        "Candidates:\n"
        "  h(a::T, b::T) where T<:Real" + at(line) + "\n"
        "  h(a::Int64, b::Real)" + at(line + 1) + "\n"
        "Possible fix, define\n"
        "  h(::Int64, ::Int64)");
}

TEST_CASE("undefined function names suggest the closest", "[errors]") {
  Runtime rt;
  rt.method("area", "(x::Int)", label(""));
  CHECK(error_of([&] { rt.call("aera", 1); }) == "UndefVarError: `aera` not defined; did you mean `area`?");
  CHECK(error_of([&] { rt.call("volume", 1); }) == "UndefVarError: `volume` not defined");
}

TEST_CASE("type parameters outside their bounds", "[errors]") {
  Runtime rt;
  rt.struct_type("Point{T<:Real}", {{"x", "T"}, {"y", "T"}});
  CHECK(error_of([&] { rt.type("Point{String}"); }) ==
        "ArgumentError: in Point, in T, expected T<:Real, got String\n"
        "  Point{String}\n"
        "  ^~~~~~~~~~~~~");
  CHECK(error_of([&] { rt.type("Point{Int, Int}"); }) ==
        "ArgumentError: too many parameters for type Point: expected 1, got 2\n"
        "  Point{Int, Int}\n"
        "  ^~~~~~~~~~~~~~~");
  CHECK(error_of([&] { rt.type("Int{Float64}"); }) ==
        "ArgumentError: Int64 is not a parametric type; it takes no parameters\n"
        "  Int{Float64}\n"
        "  ^~~~~~~~~~~~");
}

TEST_CASE("type expressions: unknown names and bad syntax point at the place", "[errors]") {
  Runtime rt;
  CHECK(error_of([&] { rt.type("Tuple{Flot64, Int}"); }) ==
        "ArgumentError: unknown type `Flot64`; did you mean `Float64`?\n"
        "  Tuple{Flot64, Int}\n"
        "        ^~~~~~");
  CHECK(error_of([&] { rt.type("Tuple{Int"); }) ==
        "ArgumentError: expected '}' to close the parameters of Tuple, found end of text\n"
        "  Tuple{Int\n"
        "           ^");
  CHECK(error_of([&] { rt.type("Int Float64"); }) ==
        "ArgumentError: unexpected 'Float64' after the type expression\n"
        "  Int Float64\n"
        "      ^~~~~~~");
  CHECK(error_of([&] { rt.type("Union{Int, $}"); }) ==
        "ArgumentError: unexpected character '$' in type expression\n"
        "  Union{Int, $}\n"
        "             ^");
  CHECK(error_of([&] { rt.type("Tuple{Vararg{Int}, Int}"); }) ==
        "ArgumentError: Vararg can only be the last parameter of a Tuple\n"
        "  Tuple{Vararg{Int}, Int}\n"
        "  ^~~~~~~~~~~~~~~~~~~~~~~");
}

TEST_CASE("deeply nested type expressions are an error, not a crash", "[errors]") {
  Runtime rt;
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "Tuple{";
  deep += "Int";
  for (int i = 0; i < 5000; ++i) deep += "}";
  CHECK_THROWS_WITH(rt.type(deep), Catch::StartsWith("ArgumentError: type expression nested more than 200 levels deep"));
  std::string ok;
  for (int i = 0; i < 50; ++i) ok += "Tuple{";
  ok += "Int";
  for (int i = 0; i < 50; ++i) ok += "}";
  CHECK(rt.issub(ok, ok));
}

TEST_CASE("declarations that break the lattice's rules", "[errors]") {
  Runtime rt;
  rt.abstract_type("Shape");
  rt.struct_type("Square <: Shape", {{"side", "Float64"}});
  CHECK(error_of([&] { rt.struct_type("Cube <: Square", {}); }) ==
        "TypeError: in definition of Cube: cannot subtype Square: it is a concrete type, and concrete types are final");
  CHECK(error_of([&] { rt.abstract_type("Shape"); }) == "TypeError: invalid redefinition of type Shape");
  CHECK(error_of([&] { rt.struct_type("MyTensor <: Tensor{Float32, 2}", {}); }) ==
        "TypeError: in definition of MyTensor: only a semantic type may subtype Tensor; write `semantic MyTensor <: Tensor`");
  CHECK(error_of([&] { rt.semantic_type("Label <: Shape"); }) ==
        "TypeError: in definition of Label: a semantic type must subtype Tensor or another semantic type, got Shape");
  CHECK(error_of([&] { rt.abstract_type("AbstractP{T}"); rt.struct_type("P <: AbstractP", {}); }) ==
        "TypeError: in definition of P: can only subtype a data type; AbstractP needs its parameters (write AbstractP{T})");
  CHECK(error_of([&] { rt.struct_type("Twice", {{"a", "Int"}, {"a", "Int"}}); }) ==
        "ArgumentError: in definition of Twice: duplicate field name `a`");
}

TEST_CASE("values that do not fit a struct's field types", "[errors]") {
  Runtime rt;
  rt.struct_type("Point{T<:Real}", {{"x", "T"}, {"y", "T"}});
  auto pt = tsr::as_datatype(rt.type("Point{Float64}"));
  CHECK(error_of([&] { rt.new_struct(pt, {rt.value(1.0), rt.value(2)}); }) ==
        "TypeError: in Point{Float64}, field y expected Float64, got a value of type Int64");
  CHECK(error_of([&] { rt.new_struct(pt, {rt.value(1.0)}); }) ==
        "ArgumentError: Point{Float64} has 2 fields, got 1 values");
}

TEST_CASE("C++ methods whose parameters cannot hold the declared types", "[errors][embed]") {
  Runtime rt;
  rt.abstract_type("Shape");
  CHECK(error_of([&] { rt.method("area", "(s::Shape)", [](double) { return 1.0; }); }) ==
        "ArgumentError: method area(s::Shape): argument 1 is declared Shape but the C++ parameter holds only Float64; "
        "take a tsr::Value for it");
  CHECK(error_of([&] { rt.method("area", "(s::Shape, k::Int)", [](const Value&) { return 1.0; }); }) ==
        "ArgumentError: method area(s::Shape, k::Int): the signature has 2 arguments but the C++ callable takes 1");
}
