// The unit passes of the pipeline (jit/pipeline.hpp): codegen, optimize and link of a unit
// of code (the specializations a first call reaches, or a broadcast loop) through the
// Backend, with the compile cache in front of them and --emit / --stop-after around them.
#include "jit/compiler.hpp"
#include "jit/gpu/device_code_dump.hpp"

#include <chrono>
#include <cstdio>
#include <functional>
#include <set>

#include <sys/stat.h>

#include "jit/abi.hpp"
#include "jit/compile_cache.hpp"
#include "jit/verify_device_kernel.hpp"
#include "runtime/tensor.hpp"
#include "runtime/type_printer.hpp"

namespace tsr::jit {

namespace {

bool has_loops(const std::vector<Spec*>& specs) {
  for (const Spec* s : specs)
    if (runs_many_times(*s)) return true;
  return false;
}

// The specializations a body calls statically, copied out of it (inferring one of them may
// replace the body).
std::vector<Spec*> callees_of(const Spec& s) {
  std::vector<Spec*> out;
  for (const auto& n : s.body->pool)
    if (n->spec) out.push_back(n->spec);
  return out;
}

// The compile cache's folder, checked once per process: nothing (after one warning) when it
// is not safe to load code from it.
const std::optional<std::string>& checked_cache_dir() {
  static const std::optional<std::string> dir = [] {
    std::string problem;
    std::optional<std::string> d = usable_cache_dir(&problem);
    if (!d) std::fprintf(stderr, "tsr: warning: %s; compiling without the cache\n", problem.c_str());
    return d;
  }();
  return dir;
}

// Which build of Tessera made the code: the running executable's size and time of writing,
// so that a rebuilt compiler (whose code generation may differ) never reuses old entries.
const std::string& build_identity() {
  static const std::string id = [] {
    struct stat st {};
    if (::stat("/proc/self/exe", &st) != 0) return std::string("unknown build");
    return "build " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec);
  }();
  return id;
}

}  // namespace

void Compiler::compile(Spec* root) {
  if (root->compiled || unit_stopped_.count(root)) return;
  // Every specialization reachable through static calls that has no code yet, in one unit.
  std::vector<Spec*> todo;
  std::set<Spec*> seen;
  if (!root->method) {
    // Top-level statements run once and are compiled without optimization; the functions
    // they call are compiled (and optimized) on their own first.
    for (Spec* callee : callees_of(*root))
      compile(callee);
    seen.insert(root);
    todo.push_back(root);
  }
  std::function<void(Spec*)> visit = [&](Spec* s) {
    if (s->compiled || unit_stopped_.count(s) || !seen.insert(s).second) return;
    for (int tries = 0; s->state == Spec::State::Provisional && tries < 3; ++tries) infer(*s);
    todo.push_back(s);
    // Inferring a callee may infer s again (mutual recursion), which replaces s->body: walk a
    // copy of its callees, and again if the body changed meanwhile.
    for (const Body* walked = nullptr; walked != s->body.get();) {
      walked = s->body.get();
      for (Spec* callee : callees_of(*s)) visit(callee);
    }
  };
  visit(root);
  // Glue (no loop of its own) that reaches a loop: the loops go to units of their own first,
  // optimized fully, so that the glue's unit can go light. The backward pass of an MLP was one
  // unit of 101 functions, all at O2 for one loop (_unbroadcast_sum's): a third of a second of
  // a first batch. A loop that calls back into the glue compiles that glue in its own unit;
  // whatever is compiled by then drops out of this one.
  if (options_.optimize && root->method && !runs_many_times(*root) && has_loops(todo)) {
    for (Spec* s : todo)
      if (s != root && runs_many_times(*s)) compile(s);
    if (root->compiled || unit_stopped_.count(root)) return;
    todo.clear();
    seen.clear();
    visit(root);
  }
  for (Spec* s : todo)
    for (const auto& n : s->body->pool)
      if (n->inbounds) note_unchecked_code();
  auto t0 = std::chrono::steady_clock::now();
  // What --emit shows: everything, or with --function only that function's specializations.
  std::set<std::string> shown_symbols;
  std::vector<Spec*> shown;
  for (Spec* s : todo)
    if (shows(*s)) {
      shown.push_back(s);
      for (const std::string& sym : backend_->symbols({s})) shown_symbols.insert(sym);
    }
  if (options_.emit) shown_count_ += shown.size();
  // The per-specialization passes ran when each was made; their results are final now.
  if (options_.emit && is_spec_pass(*options_.emit))
    for (Spec* s : shown) std::fputs(show_spec_pass(*s, *options_.emit).c_str(), stderr);
  // verify-kernel: once per kernel specialization (launch marks it before compiling it).
  if (!options_.stops_before(Pass::VerifyKernel))
    for (Spec* s : todo)
      if (s->kernel && !s->body->adjoint_kernel && checked_kernels_.insert(s).second) {
        PassTimer timer(Pass::VerifyKernel);
        verify_device_kernel(*s, DeviceTarget::Cpu, stderr, name_fit_kernels() || (options_.emits(Pass::VerifyKernel) && shows(*s)));
      }
  bool optimize = options_.optimize && root->method != nullptr;
  UnitPlan plan;
  plan.cache_text = [&] { return cache_text(todo, optimize) + (optimize && !has_loops(todo) ? "light\n" : ""); };
  plan.generate = [&](const std::string& name) { return backend_->generate(*this, todo, name); };
  plan.symbols = backend_->symbols(todo);
  plan.name = root->symbol;
  plan.optimize = optimize;
  plan.light = optimize && !has_loops(todo);
  plan.show = !shown.empty();
  plan.only = options_.dump_only.empty() ? nullptr : &shown_symbols;
  plan.what = root->def->body->name;
  if (!run_unit_passes(plan)) {
    unit_stopped_.insert(todo.begin(), todo.end());
    return;
  }
  {
    PassTimer timer(Pass::Link, false);  // the JIT makes machine code when a symbol is first looked up
    for (Spec* s : todo) {
      backend_->bind(*s);
      s->compiled = true;
    }
  }
  if (options_.log_compiles) {
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    // Top-level code is named by where it is.
    const SrcLoc& at = root->def->body->loc;
    std::string what = root->method || !at.file ? root->def->body->name : "top-level at " + *at.file + ":" + std::to_string(at.line);
    std::fprintf(stderr, "[compile] %zu function(s) for %s in %.1f ms\n", todo.size(), what.c_str(), ms);
  }
}

bool Compiler::shows(const Spec& s) const {
  return options_.dump_only.empty() || (s.method && s.def->body->name == options_.dump_only);
}

std::string Compiler::show_spec_pass(const Spec& s, Pass p) const {
  std::string label = s.symbol + " (" + s.def->body->name + ")";
  switch (p) {
    case Pass::Lower: return print_body(*s.def->body) + "\n";
    case Pass::Infer: return print_body(*s.body) + "\n";
    case Pass::Edges: {
      std::string out = "edges of " + label + ":";
      for (auto& e : s.edges) out += " " + e.first->name();
      return out + (s.edges.empty() ? " none\n" : "\n");
    }
    case Pass::MayThrow: return "may-throw " + label + ": " + (s.may_throw ? "yes" : "no") + "\n";
    default: return "";
  }
}

bool Compiler::run_unit_passes(UnitPlan& plan) {
  bool stop_before_link = options_.stops_before(Pass::Link);
  if (options_.stops_before(Pass::Codegen)) return false;
  // The cache: the same typed IR for the same target was compiled before: load its code. Not
  // when the code itself is to be shown (or not linked), which needs it made afresh.
  bool shows_code = options_.emits(Pass::Codegen) || options_.emits(Pass::Optimize);
  const std::optional<std::string>& dir =
      options_.use_cache && !shows_code && !stop_before_link ? checked_cache_dir() : std::nullopt;
  bool use_cache = dir.has_value();
  std::string key = use_cache ? cache_key(plan.cache_text()) : "";
  std::string path = use_cache ? *dir + "/" + key + ".o" : "";
  std::optional<std::string> cached = use_cache ? read_cache_file(path) : std::nullopt;
  if (cached) {
    PassTimer timer(Pass::Link);
    if (!backend_->link_cached(*cached, key, plan.symbols)) {
      // It checked out but does not load (made by other code, damaged before it was summed):
      // never trusted again, and compiled afresh now.
      discard_cache_file(path);
      cached.reset();
    }
  }
  if (!cached) {
    std::unique_ptr<CodeUnit> unit;
    {
      PassTimer timer(Pass::Codegen);
      unit = plan.generate(use_cache ? key : plan.name);
    }
    if (plan.show && options_.emits(Pass::Codegen)) std::fputs(backend_->show(*unit, plan.only).c_str(), stderr);
    if (options_.stops_before(Pass::Optimize)) return false;
    {
      PassTimer timer(Pass::Optimize);
      backend_->optimize(*unit, plan.optimize, plan.light);
    }
    if (plan.show && options_.emits(Pass::Optimize)) std::fputs(backend_->show(*unit, plan.only).c_str(), stderr);
    if (stop_before_link) return false;
    PassTimer timer(Pass::Link);
    bool cacheable = unit->cacheable;
    backend_->link(std::move(unit), use_cache && cacheable ? path : "");
  }
  if (plan.show && options_.emits(Pass::Link)) {
    // How it was optimized: O2 for loops, O1 with fast instruction selection for glue, O0 for
    // top-level code (which runs once).
    std::string level = !plan.optimize ? "O0" : plan.light ? "O1 light" : "O2";
    std::string out = "link " + plan.name + " [" + level + "]" + (cached ? " (from the compile cache)" : "") + ":";
    for (const std::string& s : plan.symbols)
      if (!plan.only || plan.only->count(s)) out += " " + s;
    std::fprintf(stderr, "%s\n", out.c_str());
  }
  if (options_.log_compiles && use_cache)
    std::fprintf(stderr, "[compile] cache %s for %s\n", cached ? "hit" : "miss", plan.what.c_str());
  return true;
}

std::string Compiler::cache_text(const std::vector<Spec*>& specs, bool optimize) const {
  std::string text = "tessera 0.1.0 " + build_identity() + "\n" + backend_->target_identity() + "\n" + (optimize ? "O2" : "O0") + "\n";
  std::set<const Spec*> copied;
  std::function<void(const Spec*)> add = [&](const Spec* s) {
    for (const auto& n : s->body->pool) {
      if (!n->spec) continue;
      text += "calls " + n->spec->symbol + (n->spec->may_throw ? " throws" : "") + "\n";
      if (inline_copy(*s, *n->spec) && copied.insert(n->spec).second) {
        text += "copy of " + n->spec->symbol + "\n" + print_body(*n->spec->body);
        add(n->spec);
      }
    }
  };
  for (const Spec* s : specs) {
    // The file: compiled code names it in stack traces (the same code in another file must not
    // reuse an object that names the first).
    text += "spec " + s->symbol + (s->may_throw ? " throws" : "") + (s->kernel ? " kernel" : "") + " contiguous " +
            std::to_string(s->layout.contiguous) + (s->layout.noalias ? " noalias" : "") + " in " + (s->body->loc.file ? *s->body->loc.file : std::string("?")) + "\n" +
            print_body(*s->body);
    add(s);
  }
  return text;
}

Compiler::BroadcastRange Compiler::broadcast_range(Spec* f, std::span<const Value> leaves, std::vector<BroadcastOut> outs) {
  BroadcastLoop loop;
  loop.f = f;
  loop.outs = std::move(outs);
  std::string key = f->symbol + "|";
  for (const BroadcastOut& o : loop.outs) key += show_type(o.elem) + (o.field < 0 ? "" : "." + std::to_string(o.field)) + "|";
  for (const Value& v : leaves) {
    loop.is_tensor.push_back(is_tensor(v));
    key += is_tensor(v) ? 't' : 's';
  }
  if (auto it = broadcast_ranges_.find(key); it != broadcast_ranges_.end()) return it->second;
  loop.key = key;
  for (int tries = 0; f->state == Spec::State::Provisional && tries < 3; ++tries) infer(*f);
  // The fused function is compiled only inside its loop: --emit shows it here (a
  // per-specialization pass's result) or with the loop's unit (codegen, optimize, link).
  if (options_.emit && shows(*f)) {
    ++shown_count_;
    if (is_spec_pass(*options_.emit)) std::fputs(show_spec_pass(*f, *options_.emit).c_str(), stderr);
  }
  // What the fused function calls is compiled on its own first; its own code is copied in.
  for (auto& n : f->body->pool)
    if (n->spec && n->spec != f) compile(n->spec);
  loop.name = next_symbol("broadcast");
  UnitPlan plan;
  plan.cache_text = [&] { return cache_text({f}, options_.optimize) + "broadcast loop " + loop.name + " of " + key + "\n"; };
  plan.generate = [&](const std::string&) { return backend_->generate_broadcast(*this, loop); };
  plan.symbols = {loop.name};
  plan.name = loop.name;
  plan.optimize = options_.optimize;
  plan.show = shows(*f);
  plan.what = "a broadcast of " + f->def->body->name;
  if (!run_unit_passes(plan)) throw InternalError("a broadcast loop was needed while compiling only (--stop-after)");
  PassTimer timer(Pass::Link, false);
  auto fn = reinterpret_cast<BroadcastRange>(backend_->lookup(loop.name));
  broadcast_ranges_.emplace(key, fn);
  gpu::on_broadcast_compiled(*this, loop);
  broadcast_loops_.emplace(fn, std::move(loop));
  return fn;
}

const BroadcastLoop* Compiler::broadcast_loop_of(BroadcastRange range) const {
  auto it = broadcast_loops_.find(range);
  return it == broadcast_loops_.end() ? nullptr : &it->second;
}

}  // namespace tsr::jit
