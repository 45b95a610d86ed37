// A C++ host adds methods to the standard library's generic tensor functions (relu, sum,
// softmax) for a semantic tensor type, and Tessera code run afterwards dispatches to them;
// the stdlib's own methods keep serving every other tensor.
#include <catch2/catch.hpp>

#include "dsl/driver/driver.hpp"
#include "runtime/tensor.hpp"

using tsr::Value;

TEST_CASE("a C++ method on a stdlib tensor function serves a semantic type", "[embed][tensor]") {
  tsr::Driver d;
  REQUIRE(d.load_base() == 0);
  tsr::Runtime& rt = d.runtime();
  rt.semantic_type("TensorHeatmap <: TensorImage");
  // relu of a heatmap: clamp to [0, 1] instead, in C++ over the tensor's elements.
  rt.method("relu", "(t::TensorHeatmap)", [&rt](const Value& t) {
    Value out = rt.call("copy", t);
    const tsr::TensorObject& o = tsr::tensor_of(out);
    auto* p = reinterpret_cast<float*>(o.data());
    for (int64_t k = 0; k < o.numel(); ++k) p[k] = p[k] < 0 ? 0.0f : p[k] > 1 ? 1.0f : p[k];
    return out;
  });
  rt.method("sum", "(t::TensorHeatmap)", [](const Value&) { return std::string("a heatmap's sum"); });
  Value last;
  REQUIRE(d.run_source("host.tsr", R"(
    h = TensorHeatmap(reshape(tensor([-1f0, 0.5f0, 2f0, 0.25f0]), 2, 2))
    r = relu(h)
    plain = relu(reshape(tensor([-1f0, 0.5f0, 2f0, 0.25f0]), 2, 2))
    (typeof(r), r[1, 1], r[2, 1], sum(h), plain[2, 1], sum(plain), softmax(h)[1, 1] < 1)
  )", &last) == 0);
  const auto& f = last.as_struct().fields;
  CHECK(tsr::show_type(f[0].as_type()) == "TensorHeatmap{Float32, 2}");
  CHECK(f[1].as_f32() == 0.0f);
  CHECK(f[2].as_f32() == 1.0f);               // clamped by the C++ method
  CHECK(f[3].as_string() == "a heatmap's sum");
  CHECK(f[4].as_f32() == 2.0f);               // the stdlib's relu for a plain tensor
  CHECK(f[5].as_f32() == 2.75f);
  CHECK(f[6].as_bool());                      // stdlib methods still apply to the new type
}
