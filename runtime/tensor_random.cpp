// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011):
// a counter-based generator, so element i of a draw is a pure function of (seed, draw, i).
#include <cmath>
#include <cstring>

#include "runtime/errors.hpp"
#include "runtime/tensor.hpp"

namespace tsr {

namespace {

struct Philox {
  uint32_t c[4];
};

inline void mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
  uint64_t p = uint64_t(a) * b;
  hi = static_cast<uint32_t>(p >> 32);
  lo = static_cast<uint32_t>(p);
}

// Ten rounds on a 128-bit counter with a 64-bit key.
Philox philox(uint64_t counter, uint64_t draw, uint64_t seed) {
  uint32_t c0 = static_cast<uint32_t>(counter), c1 = static_cast<uint32_t>(counter >> 32);
  uint32_t c2 = static_cast<uint32_t>(draw), c3 = static_cast<uint32_t>(draw >> 32);
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int r = 0; r < 10; ++r) {
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(0xD2511F53u, c0, hi0, lo0);
    mulhilo(0xCD9E8D57u, c2, hi1, lo1);
    uint32_t n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
    c0 = n0, c1 = n1, c2 = n2, c3 = n3;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return {{c0, c1, c2, c3}};
}

// Uniform in [0, 1) with 53 random bits.
double unit(uint32_t hi, uint32_t lo) { return double((uint64_t(hi) << 21) ^ (lo >> 11)) * 0x1.0p-53; }

template <class F>
void fill(TypeRegistry& types, const Value& v, F&& value_of) {
  const TensorObject& t = tensor_of(v);
  if (t.dtype != DType::Float32 && t.dtype != DType::Float64)
    throw ArgumentError(std::string("random tensors are Float32 or Float64, not ") + dtype_name(t.dtype));
  std::vector<int64_t> idx(t.rank, 0);
  for (int64_t k = 0, n = t.numel(); k < n; ++k) {
    int64_t off = t.offset;
    for (int d = 0; d < t.rank; ++d) off += idx[d] * t.strides[d];
    double x = value_of(k);
    char* p = static_cast<char*>(t.storage->data) + off * static_cast<int64_t>(dtype_size(t.dtype));
    if (t.dtype == DType::Float32) {
      float f = static_cast<float>(x);
      if (f >= 1.0f && x < 1.0) f = std::nextafter(1.0f, 0.0f);  // rounding must not reach 1
      std::memcpy(p, &f, 4);
    } else {
      std::memcpy(p, &x, 8);
    }
    for (int d = t.rank - 1; d >= 0; --d) {
      if (++idx[d] < t.shape[d]) break;
      idx[d] = 0;
    }
  }
  (void)types;
}

}  // namespace

void fill_rand(TypeRegistry& types, const Value& t, uint64_t seed, uint64_t draw) {
  fill(types, t, [&](int64_t k) {
    Philox r = philox(static_cast<uint64_t>(k), draw, seed);
    return unit(r.c[0], r.c[1]);
  });
}

void fill_randn(TypeRegistry& types, const Value& t, uint64_t seed, uint64_t draw) {
  fill(types, t, [&](int64_t k) {
    // Box-Muller on two uniforms of the element's own counter; u1 in (0, 1].
    Philox r = philox(static_cast<uint64_t>(k), draw, seed);
    double u1 = 1.0 - unit(r.c[0], r.c[1]), u2 = unit(r.c[2], r.c[3]);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  });
}

}  // namespace tsr
