// exp on Float32, computed in Float64 so that it vectorizes (libm's expf is a call per
// element) and still rounds to the Float32 nearest the true value in all but the rarest cases.
// Code generation emits exactly these steps inline (codegen_intrinsics.inc); the dynamic path
// calls this function, so a compiled and an interpreted exp give the same bits.
//
//   k = round(x / ln 2), r = x - k ln 2 (|r| <= ln 2 / 2, in two steps for exactness),
//   e^r by its Taylor series to degree 11 (error < 1e-14), times 2^k built from its bits.
// Inputs are clamped to [-104, 89] first: beyond them Float32 results are 0 and Inf anyway,
// and 2^k stays a normal Float64. NaN passes through.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace tsr::jit {

struct ExpF32Constants {
  static constexpr double lo = -104.0, hi = 89.0;
  static constexpr double log2e = 1.4426950408889634;
  static constexpr double ln2_hi = 0x1.62e42fefa39efp-1;
  static constexpr double ln2_lo = 0x1.abc9e3b39803fp-56;
  // 1/11!, 1/10!, ..., 1/2!, 1, 1: Horner's order.
  static constexpr double taylor[] = {1.0 / 39916800, 1.0 / 3628800, 1.0 / 362880, 1.0 / 40320, 1.0 / 5040, 1.0 / 720,
                                      1.0 / 120,      1.0 / 24,      1.0 / 6,      0.5,         1.0,        1.0};
};

inline float exp_f32(float x) {
  using C = ExpF32Constants;
  if (std::isnan(x)) return x;
  double c = std::fmin(std::fmax(static_cast<double>(x), C::lo), C::hi);
  double k = std::rint(c * C::log2e);
  double r = std::fma(k, -C::ln2_hi, c);
  r = std::fma(k, -C::ln2_lo, r);
  double p = C::taylor[0];
  for (size_t i = 1; i < sizeof C::taylor / sizeof C::taylor[0]; ++i) p = std::fma(p, r, C::taylor[i]);
  uint64_t bits = static_cast<uint64_t>(static_cast<int64_t>(k) + 1023) << 52;
  double scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return static_cast<float>(p * scale);
}

}  // namespace tsr::jit
