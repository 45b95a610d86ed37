// The JIT compiler: Tessera methods, their specializations, and the pipeline that turns a
// lowered body into native code.
//
// The passes, in order, are listed in jit/pipeline.hpp (lower, infer, edges, may-throw,
// verify-kernel, codegen, optimize, link); the last three are a Backend's (jit/backend.hpp;
// the CPU's is jit/cpu/cpu_backend.hpp).
//
// A Tessera method is a runtime Method whose invoker is the compiler's trampoline: the first
// call with new argument types makes a specialization (one per method and concrete signature),
// which is inferred, compiled, cached and called through its boxed entry point. Inside
// compiled code, calls whose argument types are known are bound to specializations directly.
#pragma once

#include <deque>
#include <functional>
#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "jit/backend.hpp"
#include "jit/ir.hpp"
#include "jit/pipeline.hpp"
#include "jit/spec.hpp"
#include "runtime/globals.hpp"
#include "runtime/tensor.hpp"

namespace tsr::jit {

// What a Tessera method is: its lowered body (never changed; specializations copy it).
struct MethodDef {
  std::unique_ptr<Body> body;
  GenericFunction* function = nullptr;
  class Compiler* compiler = nullptr;
  const Method* method = nullptr;  // its runtime Method (the one whose trampoline context it is)
  // The specializations dynamic calls of it last ran, for argument types equal to these, valid
  // while no method has been added anywhere since (the world age): a training step makes
  // hundreds of dynamic calls, and each looked its specialization up anew (a map keyed by a
  // vector of types, and a check of its edges).
  struct InvokeCache {
    static constexpr size_t kMaxArgs = 8;
    uint64_t world = 0;
    const Method* method = nullptr;
    size_t n = 0;
    const Type* types[kMaxArgs] = {};
    struct Spec* spec = nullptr;
  };
  // A few entries, replaced in turn: a method called alternately with two argument types (an
  // optimizer's step of a weight, then of a bias) would miss a single one every time.
  static constexpr size_t kInvokeCacheEntries = 4;
  InvokeCache invoke_cache[kInvokeCacheEntries];
  uint8_t invoke_cache_next = 0;
};

struct CompileOptions {
  bool optimize = true;        // O2; top-level thunks use O0 (they run once)
  bool log_compiles = false;   // TSR_LOG_COMPILES=1
  // --emit=PASS: print to stderr what that pass made of each specialization compiled
  // (jit/pipeline.hpp names the passes).
  std::optional<Pass> emit;
  // --stop-after=PASS: compile what each batch of top-level code reaches through that pass,
  // and run nothing.
  std::optional<Pass> stop_after;
  std::string dump_only;       // --function NAME: show only the specializations of NAME
  bool use_cache = true;       // the on-disk compile cache (tsr --no-cache turns it off)
  // --emit=ptx|cuda: print the device code of each kernel specialization as it is first
  // launched (the kernels run on the CPU as usual); "" for none.
  std::string device_emit;
  bool emits(Pass p) const { return emit && *emit == p; }
  bool stops_before(Pass p) const { return stop_after && *stop_after < p; }
};

// Types that grow without end under recursion (g(x) = g(Box(x)), h(x) = h((x, x))) would make
// inference specialize forever. As Julia limits type complexity: an argument type nested
// deeper than kMaxSpecTypeDepth or with more than kMaxSpecTypeNodes parts is not specialized
// on (the call is dynamic, and its specialization takes Any), and inference nested more than
// kMaxInferDepth specializations deep calls the rest dynamically.
constexpr int kMaxSpecTypeDepth = 8;
constexpr int kMaxSpecTypeNodes = 96;
constexpr int kMaxInferDepth = 96;
bool too_complex_to_specialize(const Type* t);

class Compiler {
 public:
  explicit Compiler(Globals& globals);
  ~Compiler();
  Compiler(const Compiler&) = delete;
  Compiler& operator=(const Compiler&) = delete;

  Globals& globals() { return globals_; }
  // How to read a type from its text ("Point{Float64}"): given by the front end, used when
  // loading cached code (jit/constants.hpp).
  void set_type_parser(std::function<const Type*(const std::string&)> parse) { parse_type_ = std::move(parse); }
  TypeRegistry& types() { return globals_.types(); }
  CompileOptions& options() { return options_; }
  // How many specializations --emit has shown (those of --function's name alone, if given).
  size_t shown_count() const { return shown_count_; }
  void count_shown() { ++shown_count_; }

  // Adds a Tessera method to f. `names` are the argument names for printing.
  const Method* add_method(GenericFunction& f, const Type* sig, std::vector<std::string> names,
                           std::unique_ptr<Body> body, std::string location);
  // A closure type for a lambda: a struct of its captures whose values are callable, with a
  // type parameter per capture (the wrapper is returned; each Lambda node makes an instance).
  const Type* add_closure_type(std::unique_ptr<Body> body, const std::vector<std::string>& capture_names);
  // Compiles and runs top-level statements; false when an error escaped (see error_state()).
  bool run_thunk(std::unique_ptr<Body> body, Value* result);
  bool only_calls_on_literals(const Spec& s, std::vector<const Node*>& calls) const;
  void run_calls_on_literals(const Spec& s, const std::vector<const Node*>& calls, Value* out);

  // The specialization of m for these argument types (made and inferred on first request).
  Spec* specialize(const Method* m, const std::vector<const Type*>& argtypes, ArgLayout layout = {});
  // argtypes with the method's @nospecialize arguments widened to their declared types.
  std::vector<const Type*> unspecialized(const Method* m, std::vector<const Type*> argtypes) const;
  // Makes sure s and every specialization it calls statically have native code.
  void compile(Spec* s);
  // The MethodDef behind a Tessera method, or nullptr for C++ methods.
  const MethodDef* tessera_def(const Method* m) const;
  // @kernel functions and launch(kernel, ndrange, args...; workgroup = 256).
  void mark_kernel(const GenericFunction* f) { kernels_.insert(f); }
  bool is_kernel(const GenericFunction* f) const { return kernels_.count(f) > 0; }
  // A small function compiled earlier, in another module: code that calls it statically gets
  // a private copy in its own module, so that LLVM can inline it (gelu in a broadcast loop,
  // say, which then vectorizes). The compile cache keys on those copies' IR too.
  // Never in top-level code (caller without a method): its module is compiled unoptimized, so
  // a copy there would run slower than the optimized code it replaces. Nor a loop into glue
  // (runs_many_times): glue's unit is optimized lightly, which would leave the copy's loop
  // unvectorized, and one call of a loop costs little next to the loop.
  bool inline_copy(const Spec& caller, const Spec& callee) const;
  // Adds the built-in `launch` (it needs the compiler, so it is not among register_builtins).
  void register_launch();
  Value launch(std::span<const Value> args);
  // Broadcasting (jit/broadcast.cpp): __broadcast(f, leaves...), __broadcast!(dest, f, ...).
  void register_broadcast();
  Value broadcast(std::span<const Value> args, bool in_place);
  Value broadcast_tuples(GenericFunction* f, std::span<const Value> leaves);
  // Over Vectors of any elements and tuples beside them, no tensor among the leaves: f element
  // by element, a Vector as the result or stored into dest, a Vector (jit/broadcast_vectors.cpp).
  Value broadcast_vectors(GenericFunction* f, std::span<const Value> leaves, const Value* dest);
  // The elements f gives over the broadcast shape, one by one through dynamic calls (when
  // inference cannot tell their type), and such elements stored into a tensor (dest, or a new
  // one of the elements' type).
  std::vector<Value> broadcast_each(GenericFunction* f, std::span<const Value> leaves, std::span<const int64_t> shape);
  Value store_each(const std::vector<Value>& results, const Value* dest, std::span<const Value> leaves,
                   std::span<const int64_t> shape);
  // __broadcast_fields(f, leaves...) (jit/broadcast_fields.cpp): f returns an inline struct;
  // one fused loop writes each of its fields into a tensor of its own, and the result is the
  // tuple of them (nothing for a field of type Nothing).
  Value broadcast_fields(std::span<const Value> args);
  using BroadcastRange = void (*)(const Value*, int64_t, int64_t, const int64_t*);
  // The compiled loop of f over leaves of these kinds (tensor or scalar), writing outs.
  BroadcastRange broadcast_range(Spec* f, std::span<const Value> leaves, std::vector<BroadcastOut> outs);
  // The loop a broadcast range was compiled from (what the GPU compiles it from too).
  const BroadcastLoop* broadcast_loop_of(BroadcastRange range) const;
  // The text the cache key of a module is made from (the GPU's device code adds its own).
  std::string cache_text(const std::vector<Spec*>& specs, bool optimize) const;
  // Reverse-mode autodiff (jit/autodiff/): `_pullback(f, args...)` and the builtins of
  // gradient values. The derivative of a call with these argument types (f's first): the
  // specialization of its pullback function, made on first request (keywords: the call
  // passes keyword arguments).
  void register_autodiff();
  // passive: bit i set when the gradient of argtypes[i] is not wanted (bit 0, the function's
  // own: gradient(f, x) drops it, so what a closure captured is taken as constant; an argument
  // that the caller's derivative knows to be constant, such as a batch of data), so it is never
  // computed (a first layer's input gradient) and nothing passive is differentiated.
  Spec* derivative_spec(const std::vector<const Type*>& argtypes, bool keywords = false, uint64_t passive = 0);
  GenericFunction* pullback_function() const { return pullback_fn_; }
  // _pullback (0), _pullback_args (1) and the functions for other masks (pullback_masked):
  // whether f is one, and its mask of passive arguments.
  bool is_pullback_function(const GenericFunction* f, uint64_t* passive) const;
  // The function `_pullback` with this mask of passive arguments: what a derivative calls for a
  // call with constant arguments (made on first request).
  GenericFunction* pullback_masked(uint64_t passive);
  // Calls a Tessera method from the runtime (the trampoline's work).
  Value invoke(const MethodDef& def, const Method* m, const Value* args, size_t n);

 private:
  // invoke's two halves: the compiled specialization of m for these argument types, and a run
  // of its entry on the arguments (nothing returned is `nothing`).
  Spec* compiled_spec(const Method* m, const Body& body, std::vector<const Type*> argtypes);
  Value run_entry(Spec* s, const Value* args, size_t n);
  friend class Inferrer;
  friend class CodeGen;
  friend void infer_types(Compiler& c, Spec& s);
  // Runs the per-specialization passes (jit/pipeline.hpp) on s, unless it is inferred or
  // being inferred already.
  void infer(Spec& s);
  // --emit=lower: a body as lowered (a method's, a closure's or top-level code's).
  void show_lowered(const Body& body);
  // Bodies of pullback functions (jit/autodiff/derivative.cpp).
  std::unique_ptr<Body> make_pullback_body(const std::vector<const Type*>& argtypes, bool keywords, uint64_t passive,
                                           std::vector<std::pair<const GenericFunction*, uint64_t>>& assumed);
  std::unique_ptr<Body> rule_pullback_body(size_t nargs, bool keywords);
  std::unique_ptr<Body> constructor_pullback_body(const DataType* t, size_t nargs);
  std::unique_ptr<Body> refused_pullback_body(size_t nargs, const std::string& message);
  // f(args...) inside an adjoint kernel: the value, and a pullback that keeps the arguments and
  // calls `local` (derive_local_gradient_body's, added here as ∂f#local) with them and dy.
  std::unique_ptr<Body> local_pullback_body(const std::string& name, size_t nargs, std::unique_ptr<Body> local,
                                            const std::string& location);
  std::unique_ptr<Body> constant_pullback_body(size_t nargs, bool keywords);
  std::unique_ptr<Body> launch_pullback_body(GenericFunction* k, const std::vector<const Type*>& callargs, bool keywords,
                                             std::vector<std::pair<const GenericFunction*, uint64_t>>& assumed);
  const Type* rule_back_type();
  // The function of a stale edge, or nullptr when every edge still holds.
  const GenericFunction* stale_edge(const Spec& s) const;
  std::string next_symbol(const std::string& fname);
  // The object a "tsr.k:..." symbol names, made or found in this process (nullptr if none).
  void* resolve_constant(const std::string& symbol);
  const Type* resolve_type(const std::string& desc);
  // A unit of code for the unit passes (compile_units.cpp).
  struct UnitPlan {
    std::function<std::string()> cache_text;  // the cache key's text (made only when the cache is used)
    std::function<std::unique_ptr<CodeUnit>(const std::string& unit_name)> generate;  // the codegen pass
    std::vector<std::string> symbols;  // what the unit's code defines
    std::string name;                  // the unit's name when it is not cached
    std::string what;                  // for TSR_LOG_COMPILES
    bool optimize = true;
    bool light = false;  // no loops: the shorter pipeline (Backend::optimize)
    bool show = false;                          // --emit shows this unit
    const std::set<std::string>* only = nullptr;  // ... only these symbols of it (--function)
  };
  // codegen, optimize and link of a unit (or a load from the compile cache); false when
  // --stop-after ends the pipeline before link, so the code is not callable.
  bool run_unit_passes(UnitPlan& plan);
  // Whether --emit shows s (--function's specializations, or all), and what it shows of it.
  bool shows(const Spec& s) const;
  std::string show_spec_pass(const Spec& s, Pass p) const;

  Globals& globals_;
  CompileOptions options_;
  std::unique_ptr<Backend> backend_;  // the CPU's (jit/cpu/cpu_backend.hpp)
  std::vector<std::unique_ptr<MethodDef>> defs_;
  std::map<std::tuple<const Method*, std::vector<const Type*>, ArgLayout>, std::unique_ptr<Spec>> specs_;
  std::vector<std::unique_ptr<Spec>> thunks_;
  std::set<const Spec*> unit_stopped_;  // compiled only up to --stop-after: never again
  std::vector<std::unique_ptr<Spec>> retired_;  // stale specializations: old code may still call them
  int next_id_ = 0;
  int infer_depth_ = 0;  // inferences in progress, one inside another (kMaxInferDepth)
  size_t shown_count_ = 0;
  std::function<const Type*(const std::string&)> parse_type_;
  // Objects made for loaded code: kept for the life of the compiler (their addresses are in it).
  std::deque<std::string> const_strings_;
  std::deque<std::vector<std::string>> const_string_arrays_;
  std::deque<Value> const_values_;
  std::map<std::string, void*> constants_;
  std::set<const GenericFunction*> kernels_;
  // Autodiff: the derived pullbacks, one method of #pullback per signature and keyword use.
  struct Derived {
    const Method* method = nullptr;
    std::vector<std::pair<const GenericFunction*, uint64_t>> assumed;
  };
  std::map<std::tuple<std::vector<const Type*>, bool, uint64_t>, Derived> derived_;  // (argtypes, keywords, passive)
  GenericFunction* pullback_fn_ = nullptr;  // _pullback (pullback_masked(0))
  std::map<uint64_t, GenericFunction*> pullback_masked_;  // mask -> _pullback#mask (and 1 -> _pullback_args)
  // #pullback, and #pullback#MASK for derivatives with passive arguments: the derivatives of
  // one signature for two masks are two methods, so each has a function of its own.
  std::map<uint64_t, GenericFunction*> derived_fns_;
  const Type* rule_back_ = nullptr;         // the closure type of a rule's back(dy)
  std::set<const Spec*> checked_kernels_;  // kernel specializations verify_device_kernel has seen
  std::map<std::string, BroadcastRange> broadcast_ranges_;
  std::map<BroadcastRange, BroadcastLoop> broadcast_loops_;
  // What a broadcast of f over leaves of these types needs, found once (jit/broadcast.cpp):
  // the fused function's loop, the result's element type and semantic kind.
  static constexpr size_t kMaxPlanLeaves = 9;  // the destination's type and up to 8 leaves
  struct PlanKey {
    const GenericFunction* f = nullptr;
    const DataType* types[kMaxPlanLeaves] = {};
    size_t n = 0;
    bool fields = false;  // __broadcast_fields
    bool operator==(const PlanKey& o) const {
      return f == o.f && n == o.n && fields == o.fields && std::equal(types, types + n, o.types);
    }
  };
  struct PlanKeyHash {
    size_t operator()(const PlanKey& k) const {
      return hash_types(std::hash<const void*>()(k.f) ^ (k.fields ? 0x9e3779b9u : 0u), std::span<const DataType* const>(k.types, k.n));
    }
  };
  struct BroadcastPlan {
    uint64_t world = 0;              // the world age it was made in: a new method remakes it
    bool dynamic = false;            // element by element through dynamic calls
    DType out = DType::Float32;
    const TypeName* kind = nullptr;  // the result's semantic kind (Tensor when none)
    BroadcastRange range = nullptr;
    // __broadcast_fields: each field of f's struct result, written to a tensor of this type,
    // or nullopt for a field of type Nothing (no tensor).
    std::vector<std::optional<DType>> fields;
  };
  // The elements' types (of tensors) or the values' types (numbers, functions): f's argument
  // types. Starts the plan: its world age, result kind, and dynamic for half-precision leaves.
  std::vector<const Type*> broadcast_arg_types(std::span<const Value> leaves, BroadcastPlan& plan);
  BroadcastPlan broadcast_plan(GenericFunction* f, std::span<const Value> leaves, const Value* dest);
  BroadcastPlan broadcast_fields_plan(GenericFunction* f, std::span<const Value> leaves);
  // The plan for these leaves, made once per world age (plan(), when not cached yet); `fields`
  // keys the plans of __broadcast_fields apart. scratch holds it when it cannot be cached.
  const BroadcastPlan& find_broadcast_plan(GenericFunction* f, std::span<const Value> leaves, const Value* dest,
                                           bool fields, BroadcastPlan& scratch);
  std::unordered_map<PlanKey, BroadcastPlan, PlanKeyHash> broadcast_plans_;
  // The kernel method a launch with these argument types runs, found once per method table
  // epoch of the kernel (jit/kernels.cpp): `which` interns the signature's tuple type and
  // walks the methods, a tenth of a small launch's cost.
  struct LaunchKey {
    const GenericFunction* f = nullptr;
    uint64_t epoch = 0;
    std::vector<const Type*> argtypes;
    bool operator==(const LaunchKey&) const = default;
  };
  struct LaunchKeyHash {
    size_t operator()(const LaunchKey& k) const {
      return hash_types(std::hash<const void*>()(k.f) ^ std::hash<uint64_t>()(k.epoch), k.argtypes);
    }
  };
  // What a launch with these argument types found: its method, and the specialization the last
  // such launch ran with its tensors' layout (the next one with the same layout runs it without
  // specialize's lookup, as long as no method it relied on has been added since).
  struct LaunchHit {
    const Method* method = nullptr;
    ArgLayout layout;
    Spec* spec = nullptr;
  };
  std::unordered_map<LaunchKey, LaunchHit, LaunchKeyHash> launch_methods_;
  // The broadcast shape of the leaves (and of dest, which it must equal): its rank, with the
  // extents written into shape (kMaxRank of them at most).
  size_t broadcast_shape(std::span<const Value> leaves, const Value* dest, int64_t* shape);
  // Runs a compiled broadcast loop over vals (its outputs, then its leaves) on the thread pool.
  void run_broadcast(BroadcastRange range, const Value* vals, size_t nvals, std::span<const int64_t> shape);
};

// The type join used by inference: a union while small, Any beyond.
const Type* join_types(TypeRegistry& types, const Type* a, const Type* b);
// Types held unboxed in compiled code: numbers, Bool, Nothing, and immutable structs whose
// fields all are such types (held as LLVM structs: Vec2(x::Float64, y::Float64) is {double, double}).
bool is_bits(const Type* t);
bool is_inline_struct(const Type* t);
// typeof(f) for a generic function f: its one value is known from the type, so a compiled
// function returning one writes nothing and its callers use the constant (a returned function
// had cost a reference-counted copy per call, per element in a broadcast's gradient loop).
bool is_function_singleton(const Type* t);

}  // namespace tsr::jit
