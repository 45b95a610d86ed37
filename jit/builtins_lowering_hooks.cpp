// Built-ins that lowering and stdlib/Base.tsr call for what a script says besides
// computing: constants (__setconst), docstrings (__setdoc, @doc), @time's report, and
// blackbox for benchmarks.
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>

#include "jit/builtin_registrar.hpp"

namespace tsr::jit {

void register_lowering_hooks(Registrar& r) {
  TypeRegistry& t = r.t_;
  Globals& g = r.g_;
  // blackbox(x) is x, through a call the optimizer cannot see into: benchmarks use it so
  // that the work being timed is neither hoisted out of the timed region nor removed.
  r.add("blackbox", {t.Any}, {"x"}, nullptr, [](std::span<const Value> a) { return a[0]; });
  r.add("__setconst", {t.String, t.Any}, {"name", "v"}, nullptr, [&g](std::span<const Value> a) {
    g.set_global(a[0].as_string(), a[1], true);
    return a[1];
  });
  // Docstrings (dsl: a Doc statement before a definition; @doc name), by the name's global
  // (module-qualified) spelling; the docstrings of several methods in order, one per line.
  auto docs = std::make_shared<std::map<std::string, std::string>>();
  r.add("__setdoc", {t.String, t.String}, {"name", "text"}, t.Nothing, [&r, docs](std::span<const Value> a) {
    std::string& kept = (*docs)[a[0].as_string()];
    kept += (kept.empty() ? "" : "\n") + a[1].as_string();
    return r.nothing();
  });
  r.add("__getdoc", {t.String}, {"name"}, nullptr, [&r, docs](std::span<const Value> a) {
    auto it = docs->find(a[0].as_string());
    return it == docs->end() ? r.nothing() : r.str(it->second);
  });
  // @time: the elapsed time since t0 (from time_ns()), as Julia's @time prints it.
  r.add("__time_report", {t.Any}, {"t0"}, t.Nothing, [&r](std::span<const Value> a) {
    auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch());
    double seconds = double(now.count() - a[0].as_int()) * 1e-9;
    std::printf("  %.6f seconds\n", seconds);
    return r.nothing();
  });
}


}  // namespace tsr::jit
