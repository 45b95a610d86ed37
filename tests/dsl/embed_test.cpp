// The C++ embedding API: types declared from C++ structs, methods from lambdas whose parameter
// types become dispatch signatures, calls with C++ values, and methods(f) as text.
#include <catch2/catch.hpp>

#include <boost/hana.hpp>

#include "dsl/embed/tessera.hpp"

using tsr::Runtime;
using tsr::Value;

struct Vec2 {
  double x;
  double y;
};
BOOST_HANA_ADAPT_STRUCT(Vec2, x, y);

struct Particle {
  Vec2 pos;
  int64_t id;
  std::string name;
};
BOOST_HANA_ADAPT_STRUCT(Particle, pos, id, name);

struct PointF {
  float x;
  float y;
};
BOOST_HANA_ADAPT_STRUCT(PointF, x, y);

struct Unregistered {
  int a;
};
BOOST_HANA_ADAPT_STRUCT(Unregistered, a);

TEST_CASE("a struct declared from C++ has the C++ fields, in order, with their types", "[embed]") {
  Runtime rt;
  const tsr::TypeName* v = rt.struct_type<Vec2>("Vec2");
  CHECK(v->field_names == std::vector<std::string>{"x", "y"});
  CHECK(tsr::show_type(v->field_types[0]) == "Float64");
  const tsr::TypeName* p = rt.struct_type<Particle>("Particle");
  CHECK(p->field_names == std::vector<std::string>{"pos", "id", "name"});
  CHECK(tsr::show_type(p->field_types[0]) == "Vec2");
  CHECK(tsr::show_type(p->field_types[1]) == "Int64");
  CHECK(tsr::show_type(p->field_types[2]) == "String");
}

TEST_CASE("C++ values convert to Tessera values and back", "[embed]") {
  Runtime rt;
  rt.struct_type<Vec2>("Vec2");
  rt.struct_type<Particle>("Particle");
  Particle in{{1.5, -2.0}, 42, "electron"};
  Value v = rt.value(in);
  CHECK(tsr::show_type(v.type()) == "Particle");
  CHECK(rt.show(v) == "Particle(Vec2(1.5, -2.0), 42, \"electron\")");
  Particle out = rt.get<Particle>(v);
  CHECK(out.pos.x == 1.5);
  CHECK(out.pos.y == -2.0);
  CHECK(out.id == 42);
  CHECK(out.name == "electron");

  CHECK(tsr::show_type(rt.value(1).type()) == "Int64");
  CHECK(tsr::show_type(rt.value(int16_t(1)).type()) == "Int16");
  CHECK(tsr::show_type(rt.value(int8_t(1)).type()) == "Int8");
  CHECK(tsr::show_type(rt.value(uint8_t(1)).type()) == "UInt8");
  CHECK(tsr::show_type(rt.value(1u).type()) == "UInt32");
  CHECK(tsr::show_type(rt.value(uint64_t(1)).type()) == "UInt64");
  CHECK(tsr::show_type(rt.value(1.0f).type()) == "Float32");
  CHECK(tsr::show_type(rt.value(true).type()) == "Bool");
  CHECK(tsr::show_type(rt.value(std::string("s")).type()) == "String");
  CHECK(tsr::show_type(rt.value(tsr::Nothing{}).type()) == "Nothing");
  CHECK(rt.show(rt.value(2.5f)) == "2.5f0");
  CHECK(rt.show(rt.value(1e-7f)) == "1.0f-7");
  CHECK(rt.show(rt.value(3.0)) == "3.0");
  CHECK(rt.show(rt.value(1e-7)) == "1.0e-7");
  CHECK(rt.show(rt.value(1.5e300)) == "1.5e300");
  CHECK(rt.show(rt.value(0.1)) == "0.1");
  CHECK(rt.show(rt.value(uint8_t(255))) == "0xff");
  CHECK(rt.show(rt.nothing()) == "nothing");
  CHECK(rt.get<int64_t>(rt.value(-7)) == -7);
  CHECK(rt.get<float>(rt.value(0.25f)) == 0.25f);
  CHECK_THROWS_AS(rt.get<double>(rt.value(1)), tsr::TypeError);
  CHECK_THROWS_WITH(rt.value(Unregistered{1}),
                    Catch::Contains("is not declared to Tessera; call Runtime::struct_type<T>()"));
}

TEST_CASE("a lambda's parameter types become the method's signature", "[embed]") {
  Runtime rt;
  rt.struct_type<Vec2>("Vec2");
  rt.method("norm2", [](const Vec2& v) { return v.x * v.x + v.y * v.y; });
  rt.method("scale", [](const Vec2& v, double k) { return Vec2{v.x * k, v.y * k}; });
  rt.method("scale", [](const Vec2& v, int64_t k) { return Vec2{v.x * double(k), v.y * double(k)}; });
  rt.method("log", [](const std::string&) {});
  CHECK(rt.call<double>("norm2", Vec2{3, 4}) == 25.0);
  Vec2 s = rt.call<Vec2>("scale", Vec2{1, 2}, 0.5);
  CHECK(s.x == 0.5);
  CHECK(s.y == 1.0);
  CHECK(rt.call<Vec2>("scale", Vec2{1, 2}, 3).y == 6.0);
  CHECK(tsr::show_type(rt.call("log", "x").type()) == "Nothing");
  CHECK(tsr::show_type(rt.function("scale").methods()[0]->sig) == "Tuple{Vec2, Float64}");
  CHECK(tsr::show_type(rt.function("scale").methods()[1]->sig) == "Tuple{Vec2, Int64}");
  CHECK_THROWS_AS(rt.call("scale", Vec2{1, 2}, 1.0f), tsr::MethodError);
}

TEST_CASE("a C++ struct bound to an instantiation of a parametric Tessera struct", "[embed]") {
  Runtime rt;
  rt.struct_type("Point{T<:Real}", {{"x", "T"}, {"y", "T"}});
  rt.bind_struct<PointF>("Point{Float32}");
  rt.method("norm1", "(p::Point)", [&rt](const Value& p) {
    const auto& f = p.as_struct().fields;
    return rt.show(f[0]) + "+" + rt.show(f[1]);
  });
  CHECK(rt.call<std::string>("norm1", PointF{1.5f, 2}) == "1.5f0+2.0f0");
  CHECK(tsr::show_type(rt.value(PointF{1, 2}).type()) == "Point{Float32}");
  CHECK_THROWS_WITH(rt.bind_struct<Vec2>("Point{Float32}"), Catch::Contains("do not match the fields of Point{Float32}"));
  rt.bind_struct<Vec2>("Point{Float64}");
  CHECK(tsr::show_type(rt.value(Vec2{1, 2}).type()) == "Point{Float64}");
}

TEST_CASE("methods(f) lists signatures with names, where-clauses and locations", "[embed]") {
  Runtime rt;
  rt.abstract_type("Shape");
  const int line = __LINE__ + 1;
  rt.method("combine", "(a::T, b::T) where {T<:Real}", [](const Value& a, const Value&) { return a; });
  rt.method("combine", "(a::Real, b::Real)", [](const Value& a, const Value&) { return a; });
  rt.method("combine", "(xs::Vararg{Int})", [](std::span<const Value>) { return 0; });
  rt.method("combine", "(::Shape, n)", [](const Value&, const Value& n) { return n; });
  rt.method("combine", "(t::Tensor{T, N}, n::Int) where {T, N}", [](const Value&, const Value& n) { return n; });
  auto at = [&](int k) { return " @ embed_test.cpp:" + std::to_string(line + k); };
  CHECK(rt.methods("combine") ==
        "# 5 methods for generic function \"combine\":\n"
        "[1] combine(a::T, b::T) where T<:Real" + at(0) + "\n"
        "[2] combine(a::Real, b::Real)" + at(1) + "\n"
        "[3] combine(xs::Vararg{Int64})" + at(2) + "\n"
        "[4] combine(::Shape, n)" + at(3) + "\n"
        "[5] combine(t::Tensor{T, N}, n::Int64) where {T, N}" + at(4));
  CHECK(rt.call<int64_t>("combine", 1, 2, 3) == 0);
}

TEST_CASE("values are reference counted and copies share their object", "[embed]") {
  Runtime rt;
  Value a = rt.string("shared");
  {
    Value b = a;
    Value c = b;
    CHECK(a.as_object()->refs.load() == 3);
    Value d = std::move(c);
    CHECK(a.as_object()->refs.load() == 3);
    CHECK(!c.defined());
  }
  CHECK(a.as_object()->refs.load() == 1);
  a = rt.value(1);
  CHECK(a.as_int() == 1);
}

TEST_CASE("isa, typeof and types as values", "[embed]") {
  Runtime rt;
  Value x = rt.value(1.5);
  CHECK(rt.isa(x, "Real"));
  CHECK(rt.isa(x, "Union{Float64, String}"));
  CHECK_FALSE(rt.isa(x, "Integer"));
  CHECK(rt.typeof_(x) == rt.type("Float64"));
  Value t = rt.type_value(rt.type("Tensor"));
  CHECK(rt.show(t) == "Tensor");
  CHECK(tsr::show_type(t.type()) == "UnionAll");
  CHECK(tsr::show_type(rt.type_value(rt.type("Int")).type()) == "DataType");
  CHECK(tsr::show_type(rt.type_value(rt.type("Union{Int, String}")).type()) == "Union");
}
