#include "jit/compiler.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <set>

#include <sys/stat.h>

#include "jit/abi.hpp"
#include "jit/builtin_registrar.hpp"
#include "jit/builtins.hpp"
#include "jit/compile_cache.hpp"
#include "jit/cpu/cpu_backend.hpp"
#include "jit/intrinsics.hpp"
#include "runtime/tensor.hpp"
#include "runtime/errors.hpp"
#include "runtime/type_printer.hpp"

namespace tsr::jit {

namespace {

// The invoker of every Tessera method: ctx is its MethodDef.
Value trampoline(const void* ctx, const Value* args, size_t n) {
  const MethodDef& def = *static_cast<const MethodDef*>(ctx);
  return def.compiler->invoke(def, nullptr, args, n);
}

}  // namespace

Compiler::Compiler(Globals& globals)
    : globals_(globals), backend_(std::make_unique<CpuBackend>([this](const std::string& s) { return resolve_constant(s); })) {
  set_abi_globals(&globals_);
  options_.log_compiles = log_compiles_requested();
}

Compiler::~Compiler() {
  // An exception still pending (the error that ended the program) refers to types of this
  // compiler's registry: dropped now, while they exist, not at exit after they are gone.
  error_state().exception = Value();
  error_state().frames.clear();
  set_abi_globals(nullptr);
}

std::string Compiler::next_symbol(const std::string& fname) {
  std::string clean;
  for (char ch : fname) clean += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_') ? ch : '_';
  return "tsr." + clean + "." + std::to_string(next_id_++);
}

const Method* Compiler::add_method(GenericFunction& f, const Type* sig, std::vector<std::string> names,
                                   std::unique_ptr<Body> body, std::string location) {
  show_lowered(*body);
  auto def = std::make_unique<MethodDef>();
  def->body = std::move(body);
  def->function = &f;
  def->compiler = this;
  Method m;
  m.sig = sig;
  m.arg_names = std::move(names);
  m.invoke = &trampoline;
  m.ctx = std::shared_ptr<const void>(def.get(), [](const void*) {});  // owned by defs_
  m.location = std::move(location);
  const Method* added = f.add(std::move(m));
  def->method = added;
  defs_.push_back(std::move(def));
  return added;
}

const Type* Compiler::add_closure_type(std::unique_ptr<Body> body, const std::vector<std::string>& capture_names) {
  TypeRegistry& types = this->types();
  TypeDecl d;
  d.kind = TypeDecl::Kind::Struct;
  d.name = "#" + body->name + "#" + std::to_string(next_id_++);
  d.super = types.Function;
  // A parameter per capture, as Julia's closure types: each Lambda node makes an instance
  // whose parameters are the captured values' types (a cell's is #Box), so the closure's body
  // is specialized on what it captured.
  for (size_t i = 0; i < capture_names.size(); ++i) {
    TypeVar* p = types.new_typevar("C" + std::to_string(i + 1));
    d.params.push_back(p);
    d.field_names.push_back(capture_names[i]);
    d.field_types.push_back(p);
  }
  const TypeName* tn = types.declare(d);
  GenericFunction& f = globals_.function(d.name);
  const_cast<TypeName*>(tn)->callable = &f;
  // One method: (closure, args...) with the closure typed by its own type (any instance).
  std::vector<const Type*> sig{tn->wrapper};
  std::vector<std::string> names{"#self#"};
  for (size_t i = 1; i < body->nargs; ++i) {
    sig.push_back(body->slots[i].declared ? body->slots[i].declared : types.Any);
    names.push_back(body->slots[i].name);
  }
  if (body->vararg && sig.size() > 1) sig.back() = types.vararg(sig.back());
  std::string loc = body->loc.file ? *body->loc.file + ":" + std::to_string(body->loc.line) : "";
  add_method(f, types.tuple(sig), names, std::move(body), loc);
  return tn->wrapper;
}

const MethodDef* Compiler::tessera_def(const Method* m) const {
  if (!m || m->invoke != &trampoline) return nullptr;
  return static_cast<const MethodDef*>(m->ctx.get());
}

void Compiler::infer(Spec& s) {
  if (s.state == Spec::State::Inferred || s.state == Spec::State::Inferring) return;
  s.state = Spec::State::Inferring;
  run_spec_passes(*this, s);
}

void Compiler::show_lowered(const Body& body) {
  if (!options_.emits(Pass::Lower) || !(options_.dump_only.empty() || body.name == options_.dump_only)) return;
  ++shown_count_;
  std::fprintf(stderr, "%s\n", print_body(body).c_str());
}

const GenericFunction* Compiler::stale_edge(const Spec& s) const {
  for (auto& [f, epoch] : s.edges)
    if (f->epoch() != epoch) return f;
  return nullptr;
}

// Julia's @nospecialize: the marked arguments as their declared types (Any when none), so one
// specialization serves every type given there (a walk over a model's layers compiled once,
// not once per layer type). A declared type with `where` variables in it stays specialized:
// the variables' values come from the argument's type; so does a Vararg.
std::vector<const Type*> Compiler::unspecialized(const Method* m, std::vector<const Type*> argtypes) const {
  const MethodDef* def = tessera_def(m);
  uint64_t marked = def && def->body ? def->body->nospecialize : 0;
  auto sig = marked ? as_datatype(unwrap_unionall(m->sig)) : nullptr;
  if (!sig || sig->params.empty()) return argtypes;
  for (size_t i = 0; i < argtypes.size(); ++i) {
    if (i >= sig->params.size() || i >= 64 || !(marked >> i & 1)) continue;
    const Type* declared = sig->params[i];
    // A Vararg's arguments arrive as one tuple: it stays specialized.
    if (!as_vararg(declared) && !globals_.types().has_free_vars(declared)) argtypes[i] = declared;
  }
  return argtypes;
}

Spec* Compiler::specialize(const Method* m, const std::vector<const Type*>& given, ArgLayout layout) {
  std::vector<const Type*> argtypes = unspecialized(m, given);
  auto key = std::make_tuple(m, argtypes, layout);
  auto it = specs_.find(key);
  if (it != specs_.end() && it->second->state == Spec::State::Inferred) {
    if (const GenericFunction* f = stale_edge(*it->second)) {
      // A method added since then could change a call it bound: make it again.
      if (options_.log_compiles)
        std::fprintf(stderr, "[compile] %s: invalidated (a method was added to %s)\n",
                     it->second->def->body->name.c_str(), f->name().c_str());
      retired_.push_back(std::move(it->second));
      specs_.erase(it);
      it = specs_.end();
    }
  }
  if (it == specs_.end()) {
    auto s = std::make_unique<Spec>();
    s->method = m;
    s->def = tessera_def(m);
    s->argtypes = argtypes;
    s->layout = layout;
    s->id = next_id_;
    s->symbol = next_symbol(s->def->body->name);
    it = specs_.emplace(key, std::move(s)).first;
    if (options_.log_compiles) {
      std::string sig;
      for (size_t i = 0; i < argtypes.size(); ++i) sig += (i ? ", " : "") + show_type(argtypes[i]);
      std::fprintf(stderr, "[compile] %s(%s): new signature\n", it->second->def->body->name.c_str(), sig.c_str());
    }
  }
  Spec* s = it->second.get();
  if (s->state == Spec::State::Fresh || (s->state == Spec::State::Provisional && !s->compiled)) infer(*s);
  return s;
}

bool runs_many_times(const Spec& s) {
  if (s.kernel) return true;
  for (const auto& n : s.body->pool)
    if (n->op == Op::While || n->spec == &s) return true;
  return false;
}

bool Compiler::inline_copy(const Spec& caller, const Spec& callee) const {
  constexpr size_t kMaxNodes = 160;
  return caller.method && callee.compiled && !callee.kernel && callee.method && callee.body && callee.body->pool.size() <= kMaxNodes &&
         (runs_many_times(caller) || !runs_many_times(callee));
}

Value Compiler::invoke(const MethodDef& def, const Method* m, const Value* args, size_t n) {
  const Body& body = *def.body;
  // The runtime Method of this definition (its trampoline ctx is def).
  if (!m) m = def.method;
  if (!m)
    for (const Method* cand : def.function->methods())
      if (tessera_def(cand) == &def) m = cand;
  if (!m) throw InternalError("a Tessera method that is not in its function's table");
  // Keyword arguments arrive as a trailing KwArgs value.
  const Value* kw = nullptr;
  if (has_kwargs(args, n)) {
    kw = &args[n - 1];
    --n;
  }
  // Positional arguments only (no vararg to pack, no keywords): the cached specialization for
  // these argument types, called on the arguments where they are.
  if (!kw && !body.vararg && body.kwargs.empty() && n <= MethodDef::InvokeCache::kMaxArgs) {
    const Type* ts[MethodDef::InvokeCache::kMaxArgs];
    for (size_t i = 0; i < n; ++i)
      ts[i] = args[i].payload() == Payload::Type ? types().type_of_type(args[i].as_type()) : args[i].type();
    auto& mdef = const_cast<MethodDef&>(def);
    uint64_t world = globals_.world().age;
    for (const auto& cache : mdef.invoke_cache)
      if (cache.spec && cache.world == world && cache.method == m && cache.n == n && std::equal(ts, ts + n, cache.types))
        return run_entry(cache.spec, args, n);
    Spec* s = compiled_spec(m, body, std::vector<const Type*>(ts, ts + n));
    auto& cache = mdef.invoke_cache[mdef.invoke_cache_next];
    mdef.invoke_cache_next = static_cast<uint8_t>((mdef.invoke_cache_next + 1) % MethodDef::kInvokeCacheEntries);
    cache.world = world;
    cache.method = m;
    cache.n = n;
    std::copy(ts, ts + n, cache.types);
    cache.spec = s;
    return run_entry(s, args, n);
  }
  std::vector<Value> full(args, args + n);
  if (body.vararg) {
    // Pack the trailing arguments into the vararg tuple.
    size_t fixed = body.nargs - 1;
    std::vector<const Type*> ts;
    auto* tup = new StructObject();
    for (size_t i = fixed; i < n; ++i) {
      ts.push_back(args[i].type());
      tup->fields.push_back(args[i]);
    }
    full.resize(fixed);
    full.push_back(Value::from_object(types().tuple(ts), tup));
  }
  std::vector<const Type*> argtypes;
  for (const Value& v : full) argtypes.push_back(v.payload() == Payload::Type ? types().type_of_type(v.as_type()) : v.type());
  for (size_t k = 0; k < body.kwargs.size(); ++k) {
    const std::string& name = body.kwargs[k];
    Value given;
    if (body.kwrest && k + 1 == body.kwargs.size()) {
      // f(; a = 1, kw...): the keywords given that no other keyword takes, as a named tuple.
      std::vector<std::string> names;
      std::vector<Value> values;
      if (kw) {
        const auto& f = kw->as_struct().fields;
        for (size_t i = 0; i + 1 < f.size(); i += 2)
          if (std::find(body.kwargs.begin(), body.kwargs.end() - 1, f[i].as_string()) == body.kwargs.end() - 1) {
            names.push_back(f[i].as_string());
            values.push_back(f[i + 1]);
          }
      }
      full.push_back(named_tuple_of(types(), names, std::move(values)));
      continue;
    }
    if (kw) {
      const auto& f = kw->as_struct().fields;
      for (size_t i = 0; i + 1 < f.size(); i += 2)
        if (f[i].as_string() == name) given = f[i + 1];
    }
    const Type* declared = k < body.kwtypes.size() ? body.kwtypes[k] : types().Any;
    if (given.defined() && !types().issub(given.type(), declared)) {
      // Reported from inside the method, as Julia's keyword sorter does.
      Value ex = exception_value(globals_, "TypeError", "in keyword argument " + name + ", expected " +
                                                            show_type(declared) + ", got a value of type " +
                                                            show_type(given.type()));
      std::string frame = body.name + " at " + (body.loc.file ? *body.loc.file : std::string("?")) + ":" +
                          std::to_string(body.loc.line);
      throw TesseraError("TypeError", describe_exception(ex), ex, {frame});
    }
    full.push_back(given);
  }
  if (kw && !body.kwrest) {
    const auto& f = kw->as_struct().fields;
    for (size_t i = 0; i + 1 < f.size(); i += 2)
      if (std::find(body.kwargs.begin(), body.kwargs.end(), f[i].as_string()) == body.kwargs.end())
        unsupported_keywords(def.function->name(), std::span<const Value>(args, n), *kw);
  }
  return run_entry(compiled_spec(m, body, std::move(argtypes)), full.data(), full.size());
}

Spec* Compiler::compiled_spec(const Method* m, const Body& body, std::vector<const Type*> argtypes) {
  // An argument type too complex to specialize on (one that grows under recursion) is taken
  // as Any, so that one specialization serves every deeper one. Not where static parameters
  // must be read off the argument types.
  if (body.sparams.empty())
    for (const Type*& t : argtypes)
      if (too_complex_to_specialize(t)) t = types().Any;
  Spec* s = specialize(m, argtypes);
  compile(s);
  return s;
}

Value Compiler::run_entry(Spec* s, const Value* args, size_t n) {
  Value out;
  s->cpu.entry(&out, args, static_cast<int64_t>(n));
  if (tsr_pending) rethrow_pending();
  if (!out.defined()) out = Value::singleton(types().Nothing);
  return out;
}

// Top-level code that is nothing but calls of C++ methods on literals: `const X = 8`, a
// docstring, include("file.tsr"), most of the stdlib's top-level statements. With an empty
// compile cache each cost ~1 ms of LLVM, and ~0.25 ms to load from a warm one (90 of them at
// `using NN`); run_calls_on_literals makes the same calls the compiled code would.
bool Compiler::only_calls_on_literals(const Spec& s, std::vector<const Node*>& calls) const {
  const Node* root = s.body->root;
  if (!root) return false;
  if (root->op == Op::Block) calls.assign(root->kids.begin(), root->kids.end());
  else calls.push_back(root);
  if (calls.empty()) return false;
  for (const Node* c : calls) {
    if (c->op != Op::Call || c->bind != Bind::Static || c->spec || !c->method || !c->kwnames.empty() || c->vararg_at >= 0 ||
        (c->type && c->type->kind == TypeKind::Bottom))
      return false;
    for (size_t i = 1; i < c->kids.size(); ++i)
      if (c->kids[i]->op != Op::Literal) return false;
  }
  return true;
}

// The calls as the compiled code makes them: the line for the stack trace, the call, and on an
// error this frame (tsr_add_frame) and no further statement.
void Compiler::run_calls_on_literals(const Spec& s, const std::vector<const Node*>& calls, Value* out) {
  const Body& body = *s.body;
  for (const Node* c : calls) {
    tsr_toplevel_line = c->loc.line;
    std::vector<Value> args;
    for (size_t i = 1; i < c->kids.size(); ++i) args.push_back(c->kids[i]->literal);
    tsr_call_method(out, c->method, args.data(), static_cast<int64_t>(args.size()));
    if (tsr_pending) {
      tsr_add_frame(&body.name, c->loc.file ? c->loc.file : body.loc.file, c->loc.line);
      return;
    }
  }
}

bool Compiler::run_thunk(std::unique_ptr<Body> body, Value* result) {
  if (options_.dump_only.empty()) show_lowered(*body);
  if (options_.stops_before(Pass::Infer)) return true;
  auto def = std::make_unique<MethodDef>();
  def->body = std::move(body);
  def->compiler = this;
  auto s = std::make_unique<Spec>();
  s->def = def.get();
  s->symbol = next_symbol("toplevel");
  infer(*s);
  Spec* sp = s.get();
  thunks_.push_back(std::move(s));
  defs_.push_back(std::move(def));
  std::vector<const Node*> calls;
  bool uncompiled = !options_.emit && !options_.stop_after && only_calls_on_literals(*sp, calls);
  if (!uncompiled) {
    compile(sp);
    if (options_.stop_after) return true;  // compiled through the pass asked for; nothing runs
  }
  struct Call {
    Compiler* compiler;
    Spec* spec;
    const std::vector<const Node*>* calls;  // run uncompiled, or nullptr
    Value out;
  } call{this, sp, uncompiled ? &calls : nullptr, Value()};
  GuardSite site;
  site.toplevel_file = sp->body->loc.file;
  bool ok = run_guarded([](void* p) {
    auto* c = static_cast<Call*>(p);
    if (c->calls) c->compiler->run_calls_on_literals(*c->spec, *c->calls, &c->out);
    else c->spec->cpu.entry(&c->out, nullptr, 0);
  }, &call, site);
  if (!ok && error_state().frames.empty() && sp->body->loc.file)
    error_state().frames.push_back("top-level at " + *sp->body->loc.file + ":" + std::to_string(tsr_toplevel_line));
  if (result) *result = call.out;
  return ok;
}

}  // namespace tsr::jit
