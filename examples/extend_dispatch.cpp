// A C++ host program that extends Tessera's dispatch: it declares types from C++ structs, adds
// methods from C++ lambdas, and shows the most specific method winning as new types and methods
// arrive, including on the semantic tensor types.
#include <boost/hana.hpp>
#include <cmath>
#include <iostream>

#include "dsl/embed/tessera.hpp"

struct Square {
  double side;
};
BOOST_HANA_ADAPT_STRUCT(Square, side);

struct Circle {
  double r;
};
BOOST_HANA_ADAPT_STRUCT(Circle, r);

// Arrives later, from "another library".
struct Triangle {
  double base;
  double height;
};
BOOST_HANA_ADAPT_STRUCT(Triangle, base, height);

int main() {
  tsr::Runtime rt;
  auto say = [](const std::string& s) { std::cout << s << "\n"; };

  say("== Shapes declared from C++ ==");
  rt.abstract_type("Shape");
  rt.abstract_type("Polygon <: Shape");
  rt.struct_type<Square>("Square <: Polygon");
  rt.struct_type<Circle>("Circle <: Shape");
  say("Square <: Polygon <: Shape: " + std::string(rt.issub("Square", "Shape") ? "true" : "false"));

  rt.method("area", [](const Square& s) { return s.side * s.side; });
  rt.method("area", [](const Circle& c) { return M_PI * c.r * c.r; });
  // A fallback for any Shape, written with an explicit signature.
  rt.method("describe", "(s::Shape)", [&rt](const tsr::Value& s) {
    return "a shape of area " + rt.show(rt.call("area", s));
  });
  rt.method("describe", "(p::Polygon)", [&rt](const tsr::Value& p) {
    return "a polygon of area " + rt.show(rt.call("area", p));
  });
  say("area(Square(2.0))   = " + rt.show(rt.call("area", Square{2.0})));
  say("describe(Square)    = " + rt.call<std::string>("describe", Square{2.0}));
  say("describe(Circle)    = " + rt.call<std::string>("describe", Circle{1.0}));

  say("\n== A new type and a method added to the existing generic function ==");
  rt.struct_type<Triangle>("Triangle <: Polygon");
  try {
    rt.call("area", Triangle{3.0, 4.0});
  } catch (const tsr::MethodError& e) {
    say(e.what());
  }
  rt.method("area", [](const Triangle& t) { return 0.5 * t.base * t.height; });
  say("area(Triangle(3, 4)) = " + rt.show(rt.call("area", Triangle{3.0, 4.0})));
  say("describe(Triangle)   = " + rt.call<std::string>("describe", Triangle{3.0, 4.0}));
  // The more specific method wins as soon as it exists; the cached answer is dropped.
  rt.method("describe", "(t::Triangle)", [](const tsr::Value&) { return std::string("a triangle"); });
  say("describe(Triangle)   = " + rt.call<std::string>("describe", Triangle{3.0, 4.0}) + "   (after adding describe(t::Triangle))");
  say(rt.methods("describe"));

  say("\n== Multiple dispatch: both arguments choose ==");
  rt.method("collide", "(a::Shape, b::Shape)", [](const tsr::Value&, const tsr::Value&) { return std::string("generic collision"); });
  rt.method("collide", "(a::Square, b::Circle)", [](const tsr::Value&, const tsr::Value&) { return std::string("square hits circle"); });
  say("collide(Square, Circle) = " + rt.call<std::string>("collide", Square{1}, Circle{1}));
  say("collide(Circle, Square) = " + rt.call<std::string>("collide", Circle{1}, Square{1}));
  rt.method("collide", "(a::Polygon, b::Shape)", [](const tsr::Value&, const tsr::Value&) { return std::string("polygon hits shape"); });
  rt.method("collide", "(a::Shape, b::Circle)", [](const tsr::Value&, const tsr::Value&) { return std::string("shape hits circle"); });
  try {
    rt.call("collide", Triangle{1, 1}, Circle{1});
  } catch (const tsr::MethodError& e) {
    say(e.what());
  }

  say("\n== Diagonal dispatch: both arguments the same T ==");
  rt.method("combine", "(a::T, b::T) where {T<:Real}", [](const tsr::Value& a, const tsr::Value&) {
    return "same type " + tsr::show_type(a.type());
  });
  rt.method("combine", "(a::Real, b::Real)", [](const tsr::Value&, const tsr::Value&) { return std::string("mixed types"); });
  say("combine(1, 2)   = " + rt.call<std::string>("combine", 1, 2));
  say("combine(1, 2.5) = " + rt.call<std::string>("combine", 1, 2.5));

  say("\n== Semantic tensor types (fastai's TensorImage, TensorPoint, TensorBBox) ==");
  rt.method("rotate", "(t::Tensor, angle::Float64)", [](const tsr::Value&, double) { return 0; });
  rt.method("rotate", "(p::TensorPoint, angle::Float64)", [](const tsr::Value&, double) { return 0; });
  auto show_which = [&](const char* t) {
    say(std::string("rotate(::") + t + ", ::Float64) -> " +
        rt.function("rotate").show_method(rt.which("rotate", {t, "Float64"}), false));
  };
  show_which("TensorImageBW{Float32, 2}");
  show_which("TensorMask{Float32, 2}");
  show_which("TensorBBox{Float32, 2}");
  rt.method("rotate", "(b::TensorBBox, angle::Float64)", [](const tsr::Value&, double) { return 0; });
  say("after adding rotate(b::TensorBBox, angle::Float64):");
  show_which("TensorBBox{Float32, 2}");
  show_which("TensorPoint{Float32, 2}");
  return 0;
}
