// The same programs in C++ (-O2), each printing its best time in ms.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cmath>
#include <functional>
#include <tuple>
#include <vector>

static long fib(long n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static double sumsq(long n) {
  double s = 0.0;
  for (long i = 1; i <= n; ++i) s += 1.0 / double(i * i);
  return s;
}

struct Vec2 {
  double x, y;
};
static Vec2 add(Vec2 a, Vec2 b) { return {a.x + b.x, a.y + b.y}; }
static double dot(Vec2 a, Vec2 b) { return a.x * b.x + a.y * b.y; }
static double walk(long n) {
  Vec2 p{0, 0}, step{0.5, 0.25};
  double acc = 0;
  for (long i = 1; i <= n; ++i) {
    p = add(p, step);
    acc += dot(p, step);
  }
  return acc;
}

// The naive matmul of matmul_ntuple.tsr / matmul_linear.tsr: one thread, row-major n×n Float32.
static void matmul(const std::vector<float>& a, const std::vector<float>& b, std::vector<float>& c, long n) {
  for (long i = 0; i < n; ++i)
    for (long j = 0; j < n; ++j) {
      float acc = 0;
      for (long k = 0; k < n; ++k) acc += a[i * n + k] * b[k * n + j];
      c[i * n + j] = acc;
    }
}

// The loop of vector_loop.tsr / tensor_loop.tsr.
static double vsum(const std::vector<double>& v) {
  double s = 0;
  for (size_t i = 0; i < v.size(); ++i) s += v[i];
  return s;
}

template <class F>
static double best_ms(int runs, F&& f) {
  double best = 1e300;
  for (int k = 0; k < runs; ++k) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (ms < best) best = ms;
  }
  return best;
}

volatile double sink;
volatile long size;  // read inside each timed run: the optimizer may not hoist the work out

// A scalar gradient by hand-written pullbacks, as std::function closures (what a C++ tape of
// closures costs: one heap allocation per captured closure, as in Tessera).
using Pullback2 = std::function<std::pair<double, double>(double)>;
using Pullback1 = std::function<double(double)>;
static std::pair<double, Pullback2> mul_pb(double a, double b) {
  return {a * b, [a, b](double dy) { return std::make_pair(dy * b, dy * a); }};
}
static std::pair<double, Pullback1> sin_pb(double x) {
  return {std::sin(x), [x](double dy) { return dy * std::cos(x); }};
}
static std::pair<double, Pullback2> f_pb(double x, double y) {
  auto [t, pb1] = mul_pb(x, y);
  auto [z, pb2] = sin_pb(t);
  return {z, [pb1 = pb1, pb2 = pb2](double dz) { return pb1(pb2(dz)); }};
}
static double pullbacks(long n) {
  double s = 0.0;
  for (long k = 0; k < n; ++k) {
    auto [z, back] = f_pb(2.0, 3.0 + double(k & 1) * 0.0);
    s += back(1.0).first;
  }
  return s;
}

int main(int argc, char** argv) {
  const char* which = argc > 1 ? argv[1] : "";
  size = argc > 2 ? std::atol(argv[2]) : 0;  // from the command line: not a compile-time constant
  if (!std::strcmp(which, "fib")) std::printf("%f\n", best_ms(5, [&] { sink = double(fib(size)); }));
  else if (!std::strcmp(which, "sumsq")) std::printf("%f\n", best_ms(3, [&] { sink = sumsq(size); }));
  else if (!std::strcmp(which, "structs")) std::printf("%f\n", best_ms(3, [&] { sink = walk(size); }));
  else if (!std::strcmp(which, "matmul")) {
    long n = size;
    std::vector<float> a(n * n, 1.0f), b(n * n, 1.0f), c(n * n);
    std::printf("%f\n", best_ms(5, [&] {
      matmul(a, b, c, size);
      sink = c[n * n - 1];
    }));
  } else if (!std::strcmp(which, "pullbacks")) {
    std::printf("%f\n", best_ms(5, [&] { sink = pullbacks(size); }));
  } else if (!std::strcmp(which, "vsum")) {
    std::vector<double> v(size, 1.0);
    std::printf("%f\n", best_ms(5, [&] { sink = vsum(v); }));
  }
  return 0;
}
