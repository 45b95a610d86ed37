// Generic functions: the dispatch cache, invalidation when methods are added, call-site
// caches, method replacement and the world counter.
#include <catch2/catch.hpp>

#include "dsl/embed/tessera.hpp"

using tsr::Runtime;
using tsr::Value;

namespace {

// A method that returns its own label, so a test can see which method ran.
auto label(const char* s) {
  return [s](std::span<const Value>) { return std::string(s); };
}

void shapes(Runtime& rt) {
  rt.abstract_type("Shape");
  rt.abstract_type("Polygon <: Shape");
  rt.struct_type("Square <: Polygon", {{"side", "Float64"}});
  rt.struct_type("Circle <: Shape", {{"r", "Float64"}});
}

Value make(Runtime& rt, const char* type, double field) {
  return rt.new_struct(tsr::as_datatype(rt.type(type)), {rt.value(field)});
}

}  // namespace

TEST_CASE("a repeated call is answered from the cache", "[dispatch]") {
  Runtime rt;
  shapes(rt);
  rt.method("name", "(s::Shape)", label("shape"));
  auto& f = rt.function("name");
  Value sq = make(rt, "Square", 1);
  CHECK(f.cache_size() == 0);
  CHECK(rt.call<std::string>("name", sq) == "shape");
  CHECK(f.cache_size() == 1);
  const tsr::Method* first = f.dispatch(&sq, 1);
  CHECK(f.dispatch(&sq, 1) == first);
  CHECK(f.cache_size() == 1);
  rt.call("name", make(rt, "Circle", 1));
  CHECK(f.cache_size() == 2);
}

TEST_CASE("a new method is seen by the next call, the cache notwithstanding", "[dispatch][invalidation]") {
  Runtime rt;
  shapes(rt);
  rt.method("name", "(s::Shape)", label("shape"));
  Value sq = make(rt, "Square", 1);
  Value ci = make(rt, "Circle", 1);
  CHECK(rt.call<std::string>("name", sq) == "shape");
  CHECK(rt.call<std::string>("name", ci) == "shape");
  auto& f = rt.function("name");
  CHECK(f.cache_size() == 2);
  rt.method("name", "(p::Polygon)", label("polygon"));
  // Only the entry the new method applies to is dropped: Circle's answer cannot change.
  CHECK(f.cache_size() == 1);
  CHECK(rt.call<std::string>("name", sq) == "polygon");
  CHECK(rt.call<std::string>("name", ci) == "shape");
  rt.method("name", "(s::Square)", label("square"));
  CHECK(rt.call<std::string>("name", sq) == "square");
}

TEST_CASE("a new method that makes a cached call ambiguous invalidates it", "[dispatch][invalidation]") {
  Runtime rt;
  rt.method("g", "(a::Int, b::Real)", label("int-real"));
  CHECK(rt.call<std::string>("g", 1, 2) == "int-real");
  rt.method("g", "(a::Real, b::Int)", label("real-int"));
  CHECK_THROWS_AS(rt.call("g", 1, 2), tsr::MethodError);
  CHECK(rt.call<std::string>("g", 1, 2.0) == "int-real");
  rt.method("g", "(a::Int, b::Int)", label("int-int"));
  CHECK(rt.call<std::string>("g", 1, 2) == "int-int");
}

TEST_CASE("redefining a method with an equal signature replaces it", "[dispatch]") {
  Runtime rt;
  rt.method("h", "(x::Int)", label("first"));
  CHECK(rt.call<std::string>("h", 1) == "first");
  rt.method("h", "(y::Int64)", label("second"));
  CHECK(rt.function("h").methods().size() == 1);
  CHECK(rt.call<std::string>("h", 1) == "second");
  // Equal up to renaming of the where-variable is equal too.
  rt.method("k", "(a::T, b::T) where T", label("first"));
  rt.method("k", "(x::S, y::S) where S", label("second"));
  CHECK(rt.function("k").methods().size() == 1);
  CHECK(rt.call<std::string>("k", 1, 2) == "second");
}

TEST_CASE("the world counter grows with every method added", "[dispatch][world]") {
  Runtime rt;
  uint64_t w0 = rt.world().age;
  rt.method("a", "(x::Int)", label("a"));
  uint64_t w1 = rt.world().age;
  rt.method("b", "(x::Int)", label("b"));
  uint64_t w2 = rt.world().age;
  CHECK(w1 > w0);
  CHECK(w2 > w1);
  CHECK(rt.function("a").methods()[0]->world == w1);
  // Declaring a type changes no answer, so it does not advance the world.
  rt.abstract_type("Fresh");
  CHECK(rt.world().age == w2);
}

TEST_CASE("call-site caches refill after their function gains a method", "[dispatch][callsite]") {
  Runtime rt;
  shapes(rt);
  rt.method("name", "(s::Shape)", label("shape"));
  auto& f = rt.function("name");
  tsr::CallSiteCache site;
  Value sq = make(rt, "Square", 1);
  CHECK(f.call(site, &sq, 1).as_string() == "shape");
  CHECK(site.method != nullptr);
  uint64_t epoch = site.epoch;
  CHECK(f.call(site, &sq, 1).as_string() == "shape");
  CHECK(site.epoch == epoch);
  // A method on another function leaves this site valid.
  rt.method("other", "(s::Shape)", label("other"));
  CHECK(f.epoch() == epoch);
  rt.method("name", "(s::Square)", label("square"));
  CHECK(f.epoch() != epoch);
  CHECK(f.call(site, &sq, 1).as_string() == "square");
  CHECK(site.epoch == f.epoch());
}

TEST_CASE("types as values dispatch on Type{T}", "[dispatch]") {
  Runtime rt;
  rt.method("zeros_of", "(::Type{T}, n::Int) where {T<:AbstractFloat}", label("float"));
  rt.method("zeros_of", "(::Type{Int64}, n::Int)", label("int64"));
  Value f64 = rt.type_value(rt.type("Float64"));
  Value i64 = rt.type_value(rt.type("Int64"));
  Value b = rt.type_value(rt.type("Bool"));
  CHECK(rt.call<std::string>("zeros_of", f64, 3) == "float");
  CHECK(rt.call<std::string>("zeros_of", i64, 3) == "int64");
  CHECK_THROWS_AS(rt.call("zeros_of", b, 3), tsr::MethodError);
}

TEST_CASE("Vararg methods take any number of arguments", "[dispatch][vararg]") {
  Runtime rt;
  rt.method("describe", "(xs::Vararg{Int})", [](std::span<const Value> xs) { return static_cast<int64_t>(xs.size()); });
  rt.method("describe", "(x::Int, xs::Vararg{Int})", [](std::span<const Value> xs) { return static_cast<int64_t>(100 + xs.size()); });
  CHECK(rt.call<int64_t>("describe") == 0);
  CHECK(rt.call<int64_t>("describe", 1) == 101);
  CHECK(rt.call<int64_t>("describe", 1, 2, 3, 4, 5, 6) == 106);  // more than the inline cache keys
  CHECK(rt.call<int64_t>("describe", 1, 2, 3, 4, 5, 6) == 106);  // and again, from the long-key cache
  CHECK_THROWS_AS(rt.call("describe", 1, 2.0), tsr::MethodError);
}

TEST_CASE("the diagonal rule in dispatch", "[dispatch][diagonal]") {
  Runtime rt;
  rt.method("combine", "(a::T, b::T) where {T<:Real}", label("same"));
  rt.method("combine", "(a::Real, b::Real)", label("mixed"));
  CHECK(rt.call<std::string>("combine", 1, 2) == "same");
  CHECK(rt.call<std::string>("combine", 1.0, 2.0) == "same");
  CHECK(rt.call<std::string>("combine", 1, 2.0) == "mixed");
  CHECK(rt.call<std::string>("combine", true, 2) == "mixed");
  CHECK_THROWS_AS(rt.call("combine", std::string("a"), std::string("b")), tsr::MethodError);
}

TEST_CASE("semantic tensor types inherit Tensor's methods", "[dispatch][semantic]") {
  Runtime rt;
  rt.method("rotate", "(t::Tensor)", label("tensor"));
  rt.method("rotate", "(t::TensorImage)", label("image"));
  rt.method("rotate", "(t::TensorPoint)", label("point"));
  auto which = [&](const char* t) { return rt.function("rotate").show_method(rt.which("rotate", {t}), false); };
  CHECK(which("Tensor{Float32, 2}") == "rotate(t::Tensor)");
  CHECK(which("TensorImage{Float32, 3}") == "rotate(t::TensorImage)");
  CHECK(which("TensorImageBW{Float32, 2}") == "rotate(t::TensorImage)");
  CHECK(which("TensorMask{UInt8, 2}") == "rotate(t::TensorImage)");
  CHECK(which("TensorBBox{Float32, 2}") == "rotate(t::TensorPoint)");
  CHECK(which("TensorCategory{Int64, 1}") == "rotate(t::Tensor)");
  rt.method("rotate", "(t::TensorBBox)", label("bbox"));
  CHECK(which("TensorBBox{Float32, 2}") == "rotate(t::TensorBBox)");
  CHECK(which("TensorPoint{Float32, 2}") == "rotate(t::TensorPoint)");
  // A method on a concrete instantiation is more specific than one on the whole family.
  rt.method("rotate", "(t::TensorImage{Float32, 2})", label("image f32 2d"));
  // TensorImageBW{Float32, 2}'s supertype is TensorImage{Float32, 2}, so it takes that method.
  CHECK(which("TensorImageBW{Float32, 2}") == "rotate(t::TensorImage{Float32, 2})");
  CHECK(which("TensorImageBW{Float64, 2}") == "rotate(t::TensorImage)");
}
