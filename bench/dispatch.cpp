// bench/dispatch: the cost of a call, from a direct C++ call to Tessera's dynamic dispatch.
//
// Prints ns per call for: a direct C++ call, a C++ virtual call, Tessera dynamic dispatch on
// 1, 2 and 3 arguments with a warm cache over a method table of 50 methods, a call through a
// call-site cache, and the cost of the first call after a method is added. Every polymorphic
// case cycles through 8 argument types, so no branch predictor or cache sees a single target.
// Each figure is the median of 7 runs. Run: build/bench/bench_dispatch [iterations]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "dsl/embed/tessera.hpp"

using tsr::Runtime;
using tsr::Value;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kMethods = 50;
constexpr int kCycle = 8;  // argument types a polymorphic call site sees
constexpr int kRuns = 7;

template <class F>
double median_ns_per_call(long iters, F&& body) {
  std::vector<double> runs;
  for (int r = 0; r < kRuns; ++r) {
    auto t0 = Clock::now();
    body(iters);
    auto t1 = Clock::now();
    runs.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / double(iters));
  }
  std::sort(runs.begin(), runs.end());
  return runs[kRuns / 2];
}

volatile int64_t sink;

__attribute__((noinline)) int64_t direct_add(int64_t a, int64_t b) { return a + b; }

struct Base {
  virtual ~Base() = default;
  virtual int64_t f(int64_t x) const = 0;
};
template <int K>
struct Derived : Base {
  int64_t f(int64_t x) const override { return x + K; }
};

template <int... K>
std::vector<std::unique_ptr<Base>> make_derived(std::integer_sequence<int, K...>) {
  std::vector<std::unique_ptr<Base>> v;
  (v.push_back(std::make_unique<Derived<K>>()), ...);
  return v;
}

std::string type_name(int i) { return "S" + std::to_string(i); }

}  // namespace

int main(int argc, char** argv) {
  long iters = argc > 1 ? std::atol(argv[1]) : 20'000'000;
  Runtime rt;
  std::vector<Value> values;
  for (int i = 0; i < kMethods; ++i) {
    rt.struct_type(type_name(i), {});
    values.push_back(rt.new_struct(tsr::as_datatype(rt.type(type_name(i))), {}));
  }
  // f1(::Si), f2(::Si, ::Si+1), f3(::Si, ::Si+1, ::Si+2): 50 methods each.
  for (int i = 0; i < kMethods; ++i) {
    std::string a = type_name(i), b = type_name((i + 1) % kMethods), c = type_name((i + 2) % kMethods);
    auto body = [i](std::span<const Value>) { return int64_t(i); };
    rt.method("f1", "(x::" + a + ")", body);
    rt.method("f2", "(x::" + a + ", y::" + b + ")", body);
    rt.method("f3", "(x::" + a + ", y::" + b + ", z::" + c + ")", body);
  }
  // The argument tuples a call site cycles through.
  std::vector<std::array<Value, 3>> args;
  for (int k = 0; k < kCycle; ++k) {
    int i = (k * 7) % kMethods;
    args.push_back({values[i], values[(i + 1) % kMethods], values[(i + 2) % kMethods]});
  }
  tsr::GenericFunction& f1 = rt.function("f1");
  tsr::GenericFunction& f2 = rt.function("f2");
  tsr::GenericFunction& f3 = rt.function("f3");
  for (auto& a : args) f1.call(a.data(), 1), f2.call(a.data(), 2), f3.call(a.data(), 3);  // warm

  auto derived = make_derived(std::make_integer_sequence<int, kCycle>{});
  std::vector<const Base*> objs;
  for (auto& d : derived) objs.push_back(d.get());

  double direct = median_ns_per_call(iters, [&](long n) {
    int64_t s = 0;
    for (long i = 0; i < n; ++i) s += direct_add(i, s);
    sink = s;
  });
  double virt = median_ns_per_call(iters, [&](long n) {
    int64_t s = 0;
    for (long i = 0; i < n; ++i) s += objs[i & (kCycle - 1)]->f(s);
    sink = s;
  });
  auto dyn = [&](tsr::GenericFunction& f, size_t nargs) {
    return median_ns_per_call(iters, [&](long n) {
      int64_t s = 0;
      for (long i = 0; i < n; ++i) s += f.call(args[i & (kCycle - 1)].data(), nargs).as_int();
      sink = s;
    });
  };
  double d1 = dyn(f1, 1), d2 = dyn(f2, 2), d3 = dyn(f3, 3);
  tsr::CallSiteCache site;
  double mono = median_ns_per_call(iters, [&](long n) {
    int64_t s = 0;
    for (long i = 0; i < n; ++i) s += f2.call(site, args[0].data(), 2).as_int();
    sink = s;
  });

  // First call after a method is added: replace f2's method for one pair (same signature, so
  // the table stays at 50) and time the add, then the call that must dispatch afresh.
  std::vector<double> add_us, first_us;
  for (int r = 0; r < 201; ++r) {
    int i = r % kMethods;
    std::string sig = "(x::" + type_name(i) + ", y::" + type_name((i + 1) % kMethods) + ")";
    std::array<Value, 2> call_args{values[i], values[(i + 1) % kMethods]};
    auto t0 = Clock::now();
    rt.method("f2", sig, [r](std::span<const Value>) { return int64_t(r); });
    auto t1 = Clock::now();
    sink = f2.call(call_args.data(), 2).as_int();
    auto t2 = Clock::now();
    add_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    first_us.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
  }
  std::sort(add_us.begin(), add_us.end());
  std::sort(first_us.begin(), first_us.end());

  std::printf("bench/dispatch  (%ld calls per run, median of %d runs; %d methods per function;\n", iters, kRuns, kMethods);
  std::printf("                 polymorphic sites cycle through %d argument types)\n\n", kCycle);
  std::printf("%-58s %10s %14s\n", "case", "ns/call", "vs virtual");
  auto row = [&](const char* name, double ns) { std::printf("%-58s %10.2f %13.2fx\n", name, ns, ns / virt); };
  row("direct C++ call (noinline)", direct);
  row("C++ virtual call", virt);
  row("Tessera dynamic dispatch, 1 argument, warm cache", d1);
  row("Tessera dynamic dispatch, 2 arguments, warm cache", d2);
  row("Tessera dynamic dispatch, 3 arguments, warm cache", d3);
  row("Tessera call through a call-site cache, 2 arguments", mono);
  std::printf("\n%-58s %10.2f us\n", "adding a method (replacing one of 50), median", add_us[add_us.size() / 2]);
  std::printf("%-58s %10.2f us\n", "first call after it (full dispatch over 50), median", first_us[first_us.size() / 2]);
  std::printf("\ntarget: 2-argument warm dispatch within 5x of a virtual call: %.2fx -> %s\n", d2 / virt,
              d2 / virt <= 5.0 ? "met" : "NOT met");
  return 0;
}
