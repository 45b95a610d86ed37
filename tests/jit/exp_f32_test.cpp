// exp_f32 (jit/exp_f32.hpp), the algorithm compiled code inlines for exp on Float32, against
// the Float32 nearest to the Float64 exp: over a sweep of the whole useful range, and at the
// edges (overflow, underflow to subnormals and zero, infinities, NaN).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "jit/exp_f32.hpp"

namespace {
int64_t ulps_apart(float a, float b) {
  int32_t ia, ib;
  std::memcpy(&ia, &a, 4);
  std::memcpy(&ib, &b, 4);
  if (ia < 0) ia = INT32_MIN - ia;
  if (ib < 0) ib = INT32_MIN - ib;
  return std::llabs(int64_t(ia) - int64_t(ib));
}
}  // namespace

TEST_CASE("exp_f32 is within one ulp of the correctly rounded exp, and nearly always equal", "[jit][math]") {
  using tsr::jit::exp_f32;
  int64_t differ = 0, total = 0, worst = 0;
  // Every 97th Float32 bit pattern between -104 and 89 (about 20 million values).
  for (float x = -104.0f; x < 89.0f; ) {
    float want = static_cast<float>(std::exp(static_cast<double>(x)));
    float got = exp_f32(x);
    int64_t d = ulps_apart(got, want);
    worst = std::max(worst, d);
    differ += d != 0;
    ++total;
    int32_t bits;
    std::memcpy(&bits, &x, 4);
    bits += x < 0 ? -97 : 97;
    if (x < 0 && bits < int32_t(0x80000000u) + 97) bits = 0;  // crossing zero
    std::memcpy(&x, &bits, 4);
  }
  INFO(total << " values, " << differ << " differ, worst " << worst << " ulp");
  CHECK(total > 1000000);
  CHECK(worst <= 1);
  CHECK(differ * 100000 <= total);  // at most 1 in 100,000
}

TEST_CASE("exp_f32 at the edges of Float32", "[jit][math]") {
  using tsr::jit::exp_f32;
  const float inf = std::numeric_limits<float>::infinity();
  CHECK(exp_f32(0.0f) == 1.0f);
  CHECK(exp_f32(-0.0f) == 1.0f);
  CHECK(exp_f32(1.0f) == 2.7182817f);
  CHECK(exp_f32(88.72f) == static_cast<float>(std::exp(double(88.72f))));
  CHECK(exp_f32(88.73f) == inf);  // overflow
  CHECK(exp_f32(1000.0f) == inf);
  CHECK(exp_f32(inf) == inf);
  CHECK(exp_f32(-inf) == 0.0f);
  CHECK(exp_f32(-1000.0f) == 0.0f);
  CHECK(exp_f32(-100.0f) == static_cast<float>(std::exp(-100.0)));  // a subnormal
  CHECK(exp_f32(-103.9f) == static_cast<float>(std::exp(double(-103.9f))));
  CHECK(std::isnan(exp_f32(std::numeric_limits<float>::quiet_NaN())));
}

TEST_CASE("exp_fast_f32 stays within a few ulp of exp over the whole range", "[jit][math]") {
  using tsr::jit::exp_f32;
  using tsr::jit::exp_fast_f32;
  int64_t worst = 0, total = 0, differ = 0;
  for (float x = -87.0f; x < 88.7f; x = std::nextafter(x, 100.0f) + std::fabs(x) * 3e-6f + 1e-7f) {
    int64_t d = ulps_apart(exp_fast_f32(x), exp_f32(x));
    worst = std::max(worst, d);
    differ += d != 0;
    ++total;
  }
  INFO(total << " values, " << differ << " differ, worst " << worst << " ulp");
  CHECK(total > 100000);
  CHECK(worst <= 2);
  const float inf = std::numeric_limits<float>::infinity();
  CHECK(exp_fast_f32(0.0f) == 1.0f);
  CHECK(exp_fast_f32(-inf) == 0.0f);
  CHECK(exp_fast_f32(inf) == inf);
  CHECK(exp_fast_f32(89.0f) == inf);
  CHECK(std::isnan(exp_fast_f32(std::numeric_limits<float>::quiet_NaN())));
  // subnormal results: within a few ulp of the subnormal spacing
  CHECK(std::fabs(exp_fast_f32(-100.0f) - exp_f32(-100.0f)) <= 4 * std::numeric_limits<float>::denorm_min());
}
