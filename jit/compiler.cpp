#include "jit/compiler.hpp"

#include <llvm/IR/Module.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <set>

#include <sys/stat.h>

#include "jit/abi.hpp"
#include "jit/definite_assignment.hpp"
#include "jit/builtin_registrar.hpp"
#include "jit/builtins.hpp"
#include "jit/codegen.hpp"
#include "jit/compile_cache.hpp"
#include "jit/constants.hpp"
#include "jit/host_target.hpp"
#include "jit/intrinsics.hpp"
#include "runtime/tensor.hpp"
#include "jit/engine.hpp"
#include "runtime/errors.hpp"
#include "runtime/type_printer.hpp"

namespace tsr::jit {

namespace {

// The invoker of every Tessera method: ctx is its MethodDef.
Value trampoline(const void* ctx, const Value* args, size_t n) {
  const MethodDef& def = *static_cast<const MethodDef*>(ctx);
  return def.compiler->invoke(def, nullptr, args, n);
}

// The specializations a body calls statically, copied out of it (inferring one of them may
// replace the body).
std::vector<Spec*> callees_of(const Spec& s) {
  std::vector<Spec*> out;
  for (const auto& n : s.body->pool)
    if (n->spec) out.push_back(n->spec);
  return out;
}

// The symbols the code of these specializations defines (what a cached object must provide).
std::vector<std::string> symbols_of(const std::vector<Spec*>& todo) {
  std::vector<std::string> names;
  for (const Spec* s : todo) {
    names.push_back(s->symbol);
    names.push_back(s->symbol + ".entry");
    if (s->kernel) names.push_back(s->symbol + ".kernel");
  }
  return names;
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

}  // namespace

Compiler::Compiler(Globals& globals)
    : globals_(globals), engine_(std::make_unique<Engine>([this](const std::string& s) { return resolve_constant(s); })) {
  set_abi_globals(&globals_);
  const char* log = std::getenv("TSR_LOG_COMPILES");
  options_.log_compiles = log && *log && std::string(log) != "0";
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
  defs_.push_back(std::move(def));
  return added;
}

const DataType* Compiler::add_closure_type(std::unique_ptr<Body> body, const std::vector<std::string>& capture_names) {
  TypeRegistry& types = this->types();
  TypeDecl d;
  d.kind = TypeDecl::Kind::Struct;
  d.name = "#" + body->name + "#" + std::to_string(next_id_++);
  d.super = types.Function;
  for (const std::string& c : capture_names) {
    d.field_names.push_back(c);
    d.field_types.push_back(types.Any);
  }
  const TypeName* tn = types.declare(d);
  GenericFunction& f = globals_.function(d.name);
  const_cast<TypeName*>(tn)->callable = &f;
  // One method: (closure, args...) with the closure typed by its own type.
  std::vector<const Type*> sig{tn->primary};
  std::vector<std::string> names{"#self#"};
  for (size_t i = 1; i < body->nargs; ++i) {
    sig.push_back(body->slots[i].declared ? body->slots[i].declared : types.Any);
    names.push_back(body->slots[i].name);
  }
  if (body->vararg && sig.size() > 1) sig.back() = types.vararg(sig.back());
  std::string loc = body->loc.file ? *body->loc.file + ":" + std::to_string(body->loc.line) : "";
  add_method(f, types.tuple(sig), names, std::move(body), loc);
  return tn->primary;
}

const MethodDef* Compiler::tessera_def(const Method* m) const {
  if (!m || m->invoke != &trampoline) return nullptr;
  return static_cast<const MethodDef*>(m->ctx.get());
}

void Compiler::record_edges(Spec& s) {
  s.edges.clear();
  auto add = [&](const GenericFunction* f, uint64_t epoch) {
    for (auto& e : s.edges)
      if (e.first == f) return;
    s.edges.emplace_back(f, epoch);
  };
  for (auto& n : s.body->pool) {
    if (n->op != Op::Call || (n->bind != Bind::Static && n->bind != Bind::Intrinsic && n->bind != Bind::TensorGet &&
                              n->bind != Bind::TensorSet && n->bind != Bind::TensorAtomicAdd && n->bind != Bind::TensorSize &&
                              n->bind != Bind::TensorLength && n->bind != Bind::VectorGet && n->bind != Bind::VectorSet &&
                              n->bind != Bind::VectorLength && n->bind != Bind::Folded))
      continue;
    const Value& callee = n->kids[0]->literal;
    if (callee.defined() && callee.payload() == Payload::Function) add(callee.as_function(), callee.as_function()->epoch());
    // A function passed as an argument (f(v) with f::typeof(sq)) is bound by its type: it
    // depends on that function's methods just the same.
    if (auto dt = as_datatype(n->kids[0]->type); dt && dt->name->instance && !callee.defined())
      add(dt->name->instance, dt->name->instance->epoch());
    if (n->spec && n->spec != &s)
      for (auto& e : n->spec->edges) add(e.first, e.second);
  }
}

bool Compiler::body_may_throw(const Spec& s) const {
  // Arguments never assigned are never undefined: reading them cannot fail.
  std::vector<bool> assigned(s.body->slots.size(), false);
  for (const auto& n : s.body->pool)
    if (n->op == Op::SetSlot) assigned[n->slot] = true;
  std::vector<bool> maybe_unassigned = slots_maybe_unassigned(*s.body);
  for (const auto& n : s.body->pool) {
    switch (n->op) {
      case Op::If:
      case Op::While:  // a condition that is not a Bool is a TypeError
        if (n->kids[0]->type != globals_.types().Bool) return true;
        break;
      case Op::Literal:
      case Op::SParam:  // a `where` variable: a constant of the specialization, unless the
        if (!n->literal.defined()) return true;  // arguments leave it undetermined (UndefVarError)
        break;
      case Op::SetSlot:
      case Op::Unset:
      case Op::Block:
      case Op::Break:
      case Op::Continue:
      case Op::Return:
        break;
      case Op::Global:  // bound at compile time (a function, type or constant), or looked up
        if (!n->literal.defined()) return true;
        break;
      case Op::Slot:  // a boxed slot may be undefined when read; a bits one where not assigned on every path
        if (maybe_unassigned[n->slot]) return true;
        if (!is_bits(s.body->slots[n->slot].type) &&
            !(static_cast<size_t>(n->slot) < s.body->nargs && !assigned[n->slot] && !s.body->slots[n->slot].is_cell))
          return true;
        break;
      case Op::And:
      case Op::Or:
        if (n->type != globals_.types().Bool) return true;
        break;
      case Op::GetField:  // a field of a struct held in registers
        if (!is_inline_struct(n->kids[0]->type)) return true;
        break;
      case Op::WorkItem:  // past the launch's dimensions, a Cartesian index is a BoundsError
        if (n->item == WorkItem::GlobalCartesian && n->dim > 1) return true;
        break;
      case Op::Call:
        if (n->bind == Bind::Construct && n->type && is_bits_number(n->type) && n->kids.size() == 2 &&
            is_bits_number(n->kids[1]->type) && (n->type == globals_.types().Float64 || n->type == globals_.types().Float32)) {
          // Float32(x), T(0.5): a number to a float type is a plain conversion (construct_inline)
        } else if (n->bind == Bind::Construct && is_inline_struct(n->type)) {
          // Built in registers only when every argument has its field's type exactly.
          auto dt = as_datatype(n->type);
          for (size_t i = 1; i < n->kids.size(); ++i)
            if (i - 1 >= dt->field_types.size() || n->kids[i]->type != dt->field_types[i - 1]) return true;
        } else if (n->bind == Bind::Intrinsic) {
          if (intrinsic_may_throw(static_cast<Intrinsic>(n->intrinsic))) return true;
        } else if (n->bind == Bind::TensorLength || n->bind == Bind::VectorLength || n->bind == Bind::Folded) {
          // never fails
        } else if (n->bind == Bind::TensorSize) {
          // fails only for a dimension below 1
          const Node* d = n->kids[2];
          if (!(d->op == Op::Literal && d->literal.as_int() >= 1)) return true;
        } else if (n->bind == Bind::TensorGet || n->bind == Bind::TensorSet || n->bind == Bind::TensorAtomicAdd ||
                   n->bind == Bind::VectorGet || n->bind == Bind::VectorSet) {
          if (!n->inbounds) return true;  // a BoundsError
        } else if (n->bind == Bind::Static && n->spec) {
          if (n->spec != &s && n->spec->may_throw) return true;
        } else {
          return true;
        }
        break;
      default:
        return true;
    }
  }
  return false;
}

const GenericFunction* Compiler::stale_edge(const Spec& s) const {
  for (auto& [f, epoch] : s.edges)
    if (f->epoch() != epoch) return f;
  return nullptr;
}

Spec* Compiler::specialize(const Method* m, const std::vector<const Type*>& argtypes, uint64_t contiguous) {
  auto key = std::make_tuple(m, argtypes, contiguous);
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
    s->contiguous = contiguous;
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

void Compiler::compile(Spec* root) {
  if (root->compiled) return;
  // Every specialization reachable through static calls that has no code yet, in one module.
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
    if (s->compiled || !seen.insert(s).second) return;
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
  for (Spec* s : todo)
    for (const auto& n : s->body->pool)
      if (n->inbounds) note_unchecked_code();
  auto t0 = std::chrono::steady_clock::now();
  // What --emit shows: everything, or with --function only that function's specializations.
  std::vector<Spec*> shown;
  std::set<std::string> shown_symbols;
  for (Spec* s : todo)
    if (options_.dump_only.empty() || (s->method && s->def->body->name == options_.dump_only)) {
      shown.push_back(s);
      for (const char* suffix : {"", ".entry", ".kernel"}) shown_symbols.insert(s->symbol + suffix);
    }
  if (options_.dump_ir || options_.dump_llvm) shown_count_ += shown.size();
  if (options_.dump_ir)
    for (Spec* s : shown) std::fprintf(stderr, "%s\n", print_body(*s->body).c_str());
  bool optimize = options_.optimize && root->method != nullptr;
  // The cache: the same typed IR for the same target was compiled before: load its code.
  const std::optional<std::string>& dir = options_.use_cache && !options_.dump_llvm ? checked_cache_dir() : std::nullopt;
  bool use_cache = dir.has_value();
  std::string key = use_cache ? cache_key(cache_text(todo, optimize)) : "";
  std::string path = use_cache ? *dir + "/" + key + ".o" : "";
  std::optional<std::string> cached = use_cache ? read_cache_file(path) : std::nullopt;
  if (cached && !engine_->try_object(*cached, key, symbols_of(todo))) {
    // It checked out but does not load (made by other code, damaged before it was summed):
    // never trusted again, and compiled afresh now.
    discard_cache_file(path);
    cached.reset();
  }
  if (!cached) {
    auto module = engine_->new_module(use_cache ? key : root->symbol);
    bool cacheable = generate(*this, *module, todo);
    engine_->add(std::move(module), optimize, options_.dump_llvm && !shown.empty(), use_cache && cacheable ? path : "",
                 options_.dump_only.empty() ? nullptr : &shown_symbols);
  }
  if (options_.log_compiles && use_cache)
    std::fprintf(stderr, "[compile] cache %s for %s\n", cached ? "hit" : "miss", root->def->body->name.c_str());
  for (Spec* s : todo) {
    s->fn = engine_->lookup(s->symbol);
    s->entry = reinterpret_cast<void (*)(Value*, const Value*, int64_t)>(engine_->lookup(s->symbol + ".entry"));
    if (s->kernel)
      s->kernel_range = reinterpret_cast<decltype(s->kernel_range)>(engine_->lookup(s->symbol + ".kernel"));
    s->compiled = true;
  }
  if (options_.log_compiles) {
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "[compile] %zu function(s) for %s in %.1f ms\n", todo.size(), root->def->body->name.c_str(), ms);
  }
}

namespace {

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

bool Compiler::inline_copy(const Spec& caller, const Spec& callee) const {
  constexpr size_t kMaxNodes = 160;
  return caller.method && callee.compiled && !callee.kernel && callee.method && callee.body && callee.body->pool.size() <= kMaxNodes;
}

std::string Compiler::cache_text(const std::vector<Spec*>& specs, bool optimize) const {
  const HostTarget& t = host_target();
  std::string text = "tessera 0.1.0 " + build_identity() + "\nllvm " + t.llvm_version + "\n" + t.triple + "\n" + t.cpu + "\n" + t.features +
                     "\n" + (optimize ? "O2" : "O0") + "\n";
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
            std::to_string(s->contiguous) + " in " + (s->body->loc.file ? *s->body->loc.file : std::string("?")) + "\n" +
            print_body(*s->body);
    add(s);
  }
  return text;
}

const Type* Compiler::resolve_type(const std::string& desc) {
  TypeRegistry& t = types();
  if (desc.rfind("tn:", 0) == 0) return t.lookup(desc.substr(3));
  if (desc.rfind("fnty:", 0) == 0) return globals_.function(desc.substr(5)).type();
  if (desc.rfind("ty:", 0) == 0 && parse_type_) {
    try {
      return parse_type_(desc.substr(3));
    } catch (const Error&) {
      return nullptr;
    }
  }
  return nullptr;
}

void* Compiler::resolve_constant(const std::string& symbol) {
  if (auto it = constants_.find(symbol); it != constants_.end()) return it->second;
  std::string d = symbol.substr(std::string(kConstPrefix).size());
  auto rest = [&](size_t n) { return d.substr(n); };
  void* r = nullptr;
  TypeRegistry& t = types();
  if (d.rfind("str:", 0) == 0) {
    r = &const_strings_.emplace_back(rest(4));
  } else if (d.rfind("strx:", 0) == 0) {
    r = &const_strings_.emplace_back(decode_symbol_text(rest(5)));
  } else if (d.rfind("vstrx:", 0) == 0) {
    r = &const_values_.emplace_back(Value::from_object(t.String, new StringObject(decode_symbol_text(rest(6)))));
  } else if (d.rfind("cstr:", 0) == 0) {
    r = const_cast<char*>(const_strings_.emplace_back(rest(5)).c_str());
  } else if (d.rfind("strs:", 0) == 0) {
    std::vector<std::string> parts;
    std::string body = rest(5), cur;
    for (char c : body) {
      if (c == '\x1f') parts.push_back(std::move(cur)), cur.clear();
      else cur += c;
    }
    parts.push_back(cur);
    r = const_string_arrays_.emplace_back(std::move(parts)).data();
  } else if (d.rfind("fn:", 0) == 0) {
    r = &globals_.function(rest(3));
  } else if (d.rfind("method:", 0) == 0) {
    std::string body = rest(7);
    size_t sep = body.find('\x1f');
    GenericFunction& f = globals_.function(body.substr(0, sep));
    std::string text = body.substr(sep + 1);
    for (const Method* m : f.methods())
      if (f.show_method(*m, false) == text) r = const_cast<Method*>(m);
  } else if (d.rfind("vstr:", 0) == 0) {
    r = &const_values_.emplace_back(Value::from_object(t.String, new StringObject(rest(5))));
  } else if (d.rfind("vsym:", 0) == 0) {
    r = &const_values_.emplace_back(Value::from_object(t.Symbol, new StringObject(rest(5))));
  } else if (d.rfind("vsingle:", 0) == 0) {
    if (auto st = as_datatype(t.lookup(rest(8))))
      r = &const_values_.emplace_back(Value::from_object(st, new StructObject()));
  } else if (d.rfind("vfn:", 0) == 0) {
    GenericFunction& f = globals_.function(rest(4));
    r = &const_values_.emplace_back(Value::from_function(f.type(), &f));
  } else if (d.rfind("vty:", 0) == 0) {
    if (const Type* ty = resolve_type(rest(4))) {
      const DataType* kind = ty->kind == TypeKind::UnionAll ? t.UnionAllT : ty->kind == TypeKind::Union ? t.UnionTypeT : t.DataTypeT;
      r = &const_values_.emplace_back(Value::from_type(kind, ty));
    }
  } else {
    r = const_cast<Type*>(resolve_type(d));
  }
  if (r) constants_[symbol] = r;
  return r;
}

Compiler::BroadcastRange Compiler::broadcast_range(Spec* f, std::span<const Value> leaves, const Type* out_elem) {
  std::vector<bool> is_tensor_leaf{true};
  std::string key = f->symbol + "|" + show_type(out_elem) + "|";
  for (const Value& v : leaves) {
    is_tensor_leaf.push_back(is_tensor(v));
    key += is_tensor(v) ? 't' : 's';
  }
  if (auto it = broadcast_ranges_.find(key); it != broadcast_ranges_.end()) return it->second;
  for (int tries = 0; f->state == Spec::State::Provisional && tries < 3; ++tries) infer(*f);
  // What the fused function calls is compiled on its own first; its own code is copied in.
  for (auto& n : f->body->pool)
    if (n->spec && n->spec != f) compile(n->spec);
  std::string name = next_symbol("broadcast");
  auto module = engine_->new_module(name);
  generate_broadcast(*this, *module, *f, is_tensor_leaf, out_elem, name);
  engine_->add(std::move(module), options_.optimize, options_.dump_llvm && options_.dump_only.empty());
  auto fn = reinterpret_cast<BroadcastRange>(engine_->lookup(name));
  broadcast_ranges_.emplace(key, fn);
  return fn;
}

Value Compiler::invoke(const MethodDef& def, const Method* m, const Value* args, size_t n) {
  const Body& body = *def.body;
  // Find the runtime Method of this definition (its trampoline ctx is def).
  if (!m)
    for (const Method* cand : def.function->methods())
      if (tessera_def(cand) == &def) m = cand;
  if (!m) throw InternalError("a Tessera method that is not in its function's table");
  // Keyword arguments arrive as a trailing KwArgs value.
  const Value* kw = nullptr;
  if (n > 0 && args[n - 1].type() && args[n - 1].type()->name->name == "#KwArgs") {
    kw = &args[n - 1];
    --n;
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
  // An argument type too complex to specialize on (one that grows under recursion) is taken
  // as Any, so that one specialization serves every deeper one. Not where static parameters
  // must be read off the argument types.
  if (body.sparams.empty())
    for (const Type*& t : argtypes)
      if (too_complex_to_specialize(t)) t = types().Any;
  Spec* s = specialize(m, argtypes);
  compile(s);
  Value out;
  s->entry(&out, full.data(), static_cast<int64_t>(full.size()));
  if (tsr_pending) rethrow_pending();
  if (!out.defined()) out = Value::singleton(types().Nothing);
  return out;
}

bool Compiler::run_thunk(std::unique_ptr<Body> body, Value* result) {
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
  compile(sp);
  struct Call {
    Spec* spec;
    Value out;
  } call{sp, Value()};
  GuardSite site;
  site.toplevel_file = sp->body->loc.file;
  bool ok = run_guarded([](void* p) {
    auto* c = static_cast<Call*>(p);
    c->spec->entry(&c->out, nullptr, 0);
  }, &call, site);
  if (!ok && error_state().frames.empty() && sp->body->loc.file)
    error_state().frames.push_back("top-level at " + *sp->body->loc.file + ":" + std::to_string(tsr_toplevel_line));
  if (result) *result = call.out;
  return ok;
}

}  // namespace tsr::jit
