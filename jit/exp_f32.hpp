// exp on Float32, computed in Float64 so that it vectorizes (libm's expf is a call per
// element) and still rounds to the Float32 nearest the true value in all but the rarest cases.
// Code generation emits exactly these steps inline (jit/llvm_numbers.cpp); the dynamic path
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

namespace tsr::jit {

// exp_fast on Float32: the same reduction in Float32 arithmetic (16 lanes per AVX-512
// instruction instead of 8), a degree-7 series, and 2^k applied in two halves (so subnormal
// results need no special case). Within a few ulp of exp_f32; for softmax-like code that
// tolerates that (PyTorch's vectorized exp is 1-ulp too). Codegen emits the same steps.
struct ExpFastConstants {
  static constexpr float lo = -104.0f, hi = 89.0f;
  static constexpr float log2e = 1.44269504f;
  static constexpr float ln2_hi = 0.693145752f;   // ln 2 with its last 12 bits zero
  static constexpr float ln2_lo = 1.42860677e-6f;  // ln 2 - ln2_hi
  static constexpr float taylor[] = {1.0f / 5040, 1.0f / 720, 1.0f / 120, 1.0f / 24, 1.0f / 6, 0.5f, 1.0f, 1.0f};
};

inline float pow2_f32(int32_t k) {  // 2^k for k in [-126, 127]
  uint32_t bits = static_cast<uint32_t>(k + 127) << 23;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

inline float exp_fast_f32(float x) {
  using C = ExpFastConstants;
  if (std::isnan(x)) return x;
  float c = std::fmin(std::fmax(x, C::lo), C::hi);
  float k = std::rint(c * C::log2e);
  float r = std::fma(k, -C::ln2_hi, c);
  r = std::fma(k, -C::ln2_lo, r);
  float p = C::taylor[0];
  for (size_t i = 1; i < sizeof C::taylor / sizeof C::taylor[0]; ++i) p = std::fma(p, r, C::taylor[i]);
  int32_t ki = static_cast<int32_t>(k);
  int32_t k1 = ki >> 1, k2 = ki - k1;
  return p * pow2_f32(k1) * pow2_f32(k2);
}

}  // namespace tsr::jit
