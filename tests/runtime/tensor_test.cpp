// Tensors in the runtime: storage and the caching allocator, views, reshape and permutedims,
// indexing and its errors, element types, random numbers, printing.
#include <catch2/catch.hpp>

#include <cmath>

#include "dsl/embed/tessera.hpp"
#include "runtime/allocator.hpp"
#include "runtime/half.hpp"
#include "runtime/tensor.hpp"

using namespace tsr;

namespace {
TensorIndex at(int64_t i) { return TensorIndex::of(TensorIndex::Int, i, i); }
TensorIndex all() { return {}; }
TensorIndex range(int64_t a, int64_t b) { return TensorIndex::of(TensorIndex::Range, a, b); }
double num(const Value& v) {
  switch (v.payload()) {
    case Payload::Float32: return v.as_f32();
    case Payload::Float64: return v.as_f64();
    default: return double(v.as_int());
  }
}
}  // namespace

TEST_CASE("storage comes from the caching allocator and goes back to it", "[tensor]") {
  Runtime rt;
  auto& a = CachingAllocator::instance();
  int64_t shape[] = {256, 256};
  { Value t = new_tensor(rt.types(), DType::Float32, shape); }  // freed into the cache
  AllocatorStats before = a.stats();
  Value t = new_tensor(rt.types(), DType::Float32, shape);
  AllocatorStats after = a.stats();
  CHECK(after.cache_hits == before.cache_hits + 1);
  CHECK(reinterpret_cast<uintptr_t>(tensor_of(t).storage->data) % 64 == 0);
  CHECK(tensor_of(t).contiguous());
  CHECK(num(load_element(rt.types(), tensor_of(t), 1000)) == 0.0);  // reused blocks are zeroed
}

TEST_CASE("views share storage; reshape and permutedims move no data", "[tensor]") {
  Runtime rt;
  auto& T = rt.types();
  int64_t shape[] = {2, 3};
  Value t = new_tensor(T, DType::Float64, shape);
  for (int64_t k = 0; k < 6; ++k) store_element(T, tensor_of(t), k, rt.value(double(k + 1)));
  int64_t s32[] = {3, 2};
  Value r = reshape(T, t, s32);
  CHECK(tensor_of(r).storage == tensor_of(t).storage);
  CHECK(num(tensor_index(T, r, std::vector<TensorIndex>{at(3), at(1)})) == 5.0);
  int64_t perm[] = {2, 1};
  Value p = permutedims(T, t, perm);
  CHECK(tensor_of(p).storage == tensor_of(t).storage);
  CHECK_FALSE(tensor_of(p).contiguous());
  CHECK(num(tensor_index(T, p, std::vector<TensorIndex>{at(3), at(2)})) == 6.0);  // t[2, 3]
  // reshape of a non-contiguous view copies, keeping row-major order
  int64_t s6[] = {6};
  Value flat = reshape(T, p, s6);
  CHECK(tensor_of(flat).storage != tensor_of(t).storage);
  std::vector<double> got;
  for (int64_t i = 1; i <= 6; ++i) got.push_back(num(tensor_index(T, flat, std::vector<TensorIndex>{at(i)})));
  CHECK(got == std::vector<double>{1, 4, 2, 5, 3, 6});
  int64_t inferred[] = {-1, 2};
  CHECK(tensor_of(reshape(T, t, inferred)).shape[0] == 3);
  int64_t bad[] = {4, 2};
  CHECK_THROWS_WITH(reshape(T, t, bad), "DimensionMismatch: new dimensions (4, 2) must be consistent with array size 6");
  int64_t not_perm[] = {1, 1};
  CHECK_THROWS_WITH(permutedims(T, t, not_perm), Catch::Contains("not a permutation of 1:2"));
}

TEST_CASE("slices are views; writes through them reach the tensor", "[tensor]") {
  Runtime rt;
  auto& T = rt.types();
  int64_t shape[] = {3, 4};
  Value t = new_tensor(T, DType::Int64, shape);
  Value row = tensor_index(T, t, std::vector<TensorIndex>{at(2), all()});
  CHECK(tensor_of(row).rank == 1);
  CHECK(tensor_of(row).shape[0] == 4);
  tensor_set_index(T, row, std::vector<TensorIndex>{at(3)}, rt.value(7));
  CHECK(num(tensor_index(T, t, std::vector<TensorIndex>{at(2), at(3)})) == 7);
  Value block = tensor_index(T, t, std::vector<TensorIndex>{range(2, 3), range(3, 4)});
  CHECK(tensor_of(block).shape[0] == 2);
  CHECK(num(tensor_index(T, block, std::vector<TensorIndex>{at(1), at(1)})) == 7);
  tensor_set_index(T, t, std::vector<TensorIndex>{all(), at(1)}, rt.value(9));  // a column set to 9
  CHECK(num(tensor_index(T, t, std::vector<TensorIndex>{at(3), at(1)})) == 9);
  CHECK_THROWS_WITH(tensor_index(T, t, std::vector<TensorIndex>{at(4), at(1)}),
                    "BoundsError: attempt to access 3×4 Tensor{Int64, 2} at index [4, 1]");
  CHECK_THROWS_WITH(tensor_index(T, t, std::vector<TensorIndex>{at(1), range(3, 5)}),
                    "BoundsError: attempt to access 3×4 Tensor{Int64, 2} at index [1, 3:5]");
  // One index is linear (row-major), as in Julia: t[5] is t[2, 1]; t[13] is past the end.
  CHECK(num(tensor_index(T, t, std::vector<TensorIndex>{at(5)})) == 9);
  CHECK_THROWS_WITH(tensor_index(T, t, std::vector<TensorIndex>{at(13)}), "BoundsError: attempt to access 3×4 Tensor{Int64, 2} at index [13]");
}

TEST_CASE("element types store and convert as Julia's do", "[tensor]") {
  Runtime rt;
  auto& T = rt.types();
  int64_t n[] = {1};
  Value i = new_tensor(T, DType::Int32, n);
  store_element(T, tensor_of(i), 0, rt.value(3.0));
  CHECK(num(load_element(T, tensor_of(i), 0)) == 3);
  CHECK_THROWS_WITH(store_element(T, tensor_of(i), 0, rt.value(2.5)), Catch::Contains("InexactError"));
  Value b = new_tensor(T, DType::Bool, n);
  store_element(T, tensor_of(b), 0, rt.value(1));
  CHECK(load_element(T, tensor_of(b), 0).as_bool());
  Value h = new_tensor(T, DType::Float16, n);
  store_element(T, tensor_of(h), 0, rt.value(0.1));
  CHECK(std::abs(half_to_float(load_element(T, tensor_of(h), 0).as_half_bits()) - 0.1f) < 1e-4);
  CHECK(half_to_float(float_to_half(65504.0f)) == 65504.0f);
  CHECK(std::isinf(half_to_float(float_to_half(1e6f))));
  CHECK(bfloat_to_float(float_to_bfloat(1.0f)) == 1.0f);
  CHECK(std::abs(bfloat_to_float(float_to_bfloat(3.14159f)) - 3.14159f) < 0.02f);
}

TEST_CASE("random numbers depend only on seed, draw and position", "[tensor][random]") {
  Runtime rt;
  auto& T = rt.types();
  int64_t shape[] = {100000};
  Value a = new_tensor(T, DType::Float64, shape), b = new_tensor(T, DType::Float64, shape);
  fill_rand(T, a, 7, 0);
  fill_rand(T, b, 7, 0);
  double sum = 0, sq = 0, lo = 1, hi = 0;
  for (int64_t k = 0; k < 100000; ++k) {
    double x = num(load_element(T, tensor_of(a), k));
    REQUIRE(x == num(load_element(T, tensor_of(b), k)));
    sum += x;
    sq += x * x;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  CHECK(lo >= 0.0);
  CHECK(hi < 1.0);
  CHECK(std::abs(sum / 1e5 - 0.5) < 0.01);
  CHECK(std::abs(sq / 1e5 - 1.0 / 3) < 0.01);
  fill_rand(T, b, 7, 1);  // the next draw differs
  CHECK(num(load_element(T, tensor_of(a), 0)) != num(load_element(T, tensor_of(b), 0)));
  // A view draws the same numbers in row-major order as a contiguous tensor of its shape.
  int64_t s2[] = {3, 4};
  Value c = new_tensor(T, DType::Float64, s2);
  int64_t perm[] = {2, 1};
  Value ct = permutedims(T, c, perm);
  fill_rand(T, ct, 7, 0);
  CHECK(num(tensor_index(T, ct, std::vector<TensorIndex>{at(1), at(2)})) == num(load_element(T, tensor_of(a), 1)));
  Value n = new_tensor(T, DType::Float32, shape);
  fill_randn(T, n, 3, 0);
  double m = 0, v = 0;
  for (int64_t k = 0; k < 100000; ++k) {
    double x = num(load_element(T, tensor_of(n), k));
    m += x;
    v += x * x;
  }
  CHECK(std::abs(m / 1e5) < 0.02);
  CHECK(std::abs(v / 1e5 - 1.0) < 0.03);
}

TEST_CASE("tensors print with a header, rows and columns, the middle of large ones left out", "[tensor]") {
  Runtime rt;
  auto& T = rt.types();
  int64_t s23[] = {2, 3};
  Value t = new_tensor(T, DType::Float32, s23);
  store_element(T, tensor_of(t), 4, rt.value(12.5));
  CHECK(show_tensor(t) == "2×3 Tensor{Float32, 2}:\n 0.0   0.0  0.0\n 0.0  12.5  0.0");
  Value img = retag(T, t, as_datatype(unwrap_unionall(rt.type("TensorImage")))->name);
  CHECK(show_tensor(img).rfind("2×3 TensorImage{Float32, 2}:", 0) == 0);
  CHECK(tensor_of(img).storage == tensor_of(t).storage);
  int64_t s3[] = {3};
  CHECK(show_tensor(new_tensor(T, DType::Int64, s3)) == "3-element Tensor{Int64, 1}:\n 0\n 0\n 0");
  int64_t big[] = {100};
  std::string text = show_tensor(new_tensor(T, DType::Int64, big));
  CHECK(text.find("⋮") != std::string::npos);
  CHECK(std::count(text.begin(), text.end(), '\n') == 21);  // header + 10 + ⋮ + 10 - 1
}
