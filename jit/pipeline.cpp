#include "jit/pipeline.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "jit/compiler.hpp"
#include "jit/edges.hpp"
#include "jit/infer.hpp"
#include "jit/may_throw.hpp"

namespace tsr::jit {

namespace {

void run_edges(Compiler&, Spec& s) { record_edges(s); }
void run_may_throw(Compiler& c, Spec& s) { s.may_throw = body_may_throw(s, c.types()); }

const PassInfo kPasses[] = {
    {Pass::Lower, "lower", "names are resolved to slots and globals; loops, updates and short forms are desugared", nullptr},
    {Pass::Infer, "infer", "every node has a type and every call a binding (intrinsic, static, dynamic, inline access)",
     &infer_types},
    {Pass::Edges, "edges", "the specialization lists the functions (and their epochs) that its static bindings relied on",
     &run_edges},
    {Pass::MayThrow, "may-throw", "may_throw is false only when no node of the body can raise", &run_may_throw},
    {Pass::VerifyKernel, "verify-kernel",
     "a kernel that a GPU could not run (dynamic calls, boxed values, allocation, strings, try) has been named", nullptr},
    {Pass::Codegen, "codegen", "the backend's code (LLVM IR for the CPU) for each specialization and its entry points",
     nullptr},
    {Pass::Optimize, "optimize", "the code is optimized for the target (O2; top-level code is left for fast codegen)",
     nullptr},
    {Pass::Link, "link", "every specialization of the unit is callable (its entry points are bound)", nullptr},
};

constexpr size_t kPassCount = sizeof kPasses / sizeof kPasses[0];

// Per pass: nanoseconds and runs, summed over threads.
struct PassTotals {
  std::atomic<int64_t> ns[kPassCount] = {};
  std::atomic<int64_t> runs[kPassCount] = {};
};

PassTotals& totals() {
  static PassTotals t;
  return t;
}

// The passes running on this thread, innermost last, and when the innermost last resumed.
struct Running {
  std::vector<Pass> stack;
  std::chrono::steady_clock::time_point since;
};
thread_local Running t_running;

void charge_innermost(std::chrono::steady_clock::time_point now) {
  if (t_running.stack.empty()) return;
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - t_running.since).count();
  totals().ns[static_cast<size_t>(t_running.stack.back())] += ns;
}

void print_pass_times() {
  std::fflush(stdout);
  std::fprintf(stderr, "tsr: time in each compiler pass (exclusive of passes nested in it)\n");
  std::fprintf(stderr, "  %-10s %8s %12s\n", "pass", "runs", "ms");
  double total = 0;
  for (size_t i = 0; i < kPassCount; ++i) {
    double ms = totals().ns[i].load() / 1e6;
    total += ms;
    std::fprintf(stderr, "  %-10s %8lld %12.2f\n", kPasses[i].name, static_cast<long long>(totals().runs[i].load()), ms);
  }
  std::fprintf(stderr, "  %-10s %8s %12.2f\n", "total", "", total);
}

}  // namespace

const PassInfo* passes_begin() { return kPasses; }
const PassInfo* passes_end() { return kPasses + kPassCount; }

const PassInfo& pass_info(Pass p) { return kPasses[static_cast<size_t>(p)]; }

std::optional<Pass> pass_named(std::string_view name) {
  for (const PassInfo& p : kPasses)
    if (name == p.name) return p.pass;
  return std::nullopt;
}

std::string pass_names() {
  std::string out;
  for (const PassInfo& p : kPasses) out += (out.empty() ? "" : ", ") + std::string(p.name);
  return out;
}

void run_spec_passes(Compiler& c, Spec& s) {
  for (const PassInfo& p : kPasses) {
    if (!p.run) continue;
    if (c.options().stops_before(p.pass)) return;  // --stop-after: nothing is compiled further
    PassTimer timer(p.pass);
    p.run(c, s);
  }
}

bool PassTimer::enabled() {
  static const bool on = [] {
    const char* v = std::getenv("TSR_TIME_PASSES");
    bool yes = v && *v && std::string(v) != "0";
    if (yes) std::atexit(print_pass_times);
    return yes;
  }();
  return on;
}

PassTimer::PassTimer(Pass p, bool counts) : pass_(p), on_(enabled()) {
  if (!on_) return;
  auto now = std::chrono::steady_clock::now();
  charge_innermost(now);
  t_running.stack.push_back(p);
  t_running.since = now;
  if (counts) ++totals().runs[static_cast<size_t>(p)];
}

PassTimer::~PassTimer() {
  if (!on_) return;
  auto now = std::chrono::steady_clock::now();
  charge_innermost(now);
  t_running.stack.pop_back();
  t_running.since = now;
}

}  // namespace tsr::jit
