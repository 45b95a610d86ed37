#include "runtime/method_table.hpp"

#include <algorithm>

#include "runtime/errors.hpp"
#include "runtime/type_printer.hpp"

namespace tsr {

namespace {

// The declared type of argument i of a signature body (a Tuple), Vararg elements included;
// nullptr past the end.
const Type* param_at(const DataType* body, size_t i) {
  const auto& ps = body->params;
  if (!ps.empty())
    if (auto va = as_vararg(ps.back()); va && i + 1 >= ps.size()) return va->elem;
  return i < ps.size() ? ps[i] : nullptr;
}

std::vector<const TypeVar*> where_vars(const Type* sig) {
  std::vector<const TypeVar*> vars;
  while (auto ua = as_unionall(sig)) {
    vars.push_back(ua->var);
    sig = ua->body;
  }
  return vars;
}

}  // namespace

GenericFunction::GenericFunction(TypeRegistry& types, World& world, std::string name)
    : types_(types), world_(world), name_(std::move(name)), type_(types.function_type(name_, this)) {}

const Method* GenericFunction::add(Method m) {
  if (!as_datatype(unwrap_unionall(m.sig)) || !as_datatype(unwrap_unionall(m.sig))->name->is_tuple)
    throw InternalError("method signature of " + name_ + " is not a Tuple: " + show_type(m.sig));
  m.id = next_method_id_++;
  m.world = ++world_.age;
  epoch_ = m.world;
  auto owned = std::make_unique<Method>(std::move(m));
  const Method* added = owned.get();

  // A method with an equal signature is replaced (Julia: "method definition overwritten").
  const Method* replaced = nullptr;
  for (auto& existing : methods_) {
    if (types_.equal(existing->sig, added->sig)) {
      replaced = existing.get();
      retired_.push_back(std::move(existing));
      existing = std::move(owned);
      break;
    }
  }
  if (!replaced) methods_.push_back(std::move(owned));

  // Drop exactly the cached answers the new method could change: those whose argument types
  // it applies to (it may now win, or make the call ambiguous), and those of the method it replaced.
  cache_.erase_if([&](const Type* const* keys, size_t n, const Method* cached) {
    if (cached == replaced) return true;
    const DataType* tt = types_.tuple(std::span<const Type* const>(keys, n));
    return types_.issub(tt, added->sig);
  });
  return added;
}

bool GenericFunction::more_specific(const Method* a, const Method* b) {
  uint64_t key = (a->id << 32) | b->id;
  if (auto it = specificity_.find(key); it != specificity_.end()) return it->second;
  bool r = types_.more_specific(a->sig, b->sig);
  specificity_.emplace(key, r);
  return r;
}

const Method* GenericFunction::which(std::span<const Type* const> argtypes) {
  const DataType* tt = types_.tuple(argtypes);
  std::vector<const Method*> applicable;
  for (auto& m : methods_)
    if (types_.issub(tt, m->sig)) applicable.push_back(m.get());
  if (applicable.empty()) throw_no_method(argtypes);
  // The minimal methods: no other applicable method is more specific. A unique minimal
  // method is more specific than every other (the order is strict and the set finite).
  std::vector<const Method*> minimal;
  for (const Method* m : applicable) {
    bool beaten = std::any_of(applicable.begin(), applicable.end(),
                              [&](const Method* o) { return o != m && more_specific(o, m); });
    if (!beaten) minimal.push_back(m);
  }
  if (minimal.size() != 1) throw_ambiguous(argtypes, minimal);
  return minimal[0];
}

const Method* GenericFunction::dispatch_miss(const Value* args, size_t n) {
  std::vector<const Type*> keys(n);
  for (size_t i = 0; i < n; ++i) {
    if (!args[i].defined()) throw InternalError("undefined value passed to " + name_);
    keys[i] = key_type(args[i]);
  }
  if (n > DispatchCache::kMaxKeys)
    if (const Method* m = cache_.find_long(keys)) return m;
  const Method* m = which(keys);
  if (n <= DispatchCache::kMaxKeys) cache_.insert(keys.data(), n, m);
  else cache_.insert_long(keys, m);
  return m;
}

Value GenericFunction::call(CallSiteCache& site, const Value* args, size_t n) {
  if (site.epoch == epoch_ && site.n == n) {
    bool hit = true;
    for (size_t i = 0; i < n && hit; ++i) hit = site.keys[i] == key_type(args[i]);
    if (hit) return site.method->call(args, n);
  }
  const Method* m = dispatch(args, n);
  if (n <= DispatchCache::kMaxKeys) {
    for (size_t i = 0; i < n; ++i) site.keys[i] = key_type(args[i]);
    site.n = n;
    site.method = m;
    site.epoch = epoch_;
  }
  return m->call(args, n);
}

std::vector<const Method*> GenericFunction::methods() const {
  std::vector<const Method*> out;
  for (auto& m : methods_) out.push_back(m.get());
  return out;
}

std::string GenericFunction::show_method(const Method& m, bool with_location) const {
  const DataType* body = as_datatype(unwrap_unionall(m.sig));
  bool object = name_ == "#call" && !body->params.empty();  // (m::Dense)(x)
  std::string out = object ? "(" + (m.arg_names.empty() ? "" : m.arg_names[0]) + "::" + show_type(body->params[0]) + ")("
                           : name_ + "(";
  for (size_t i = object ? 1 : 0; i < body->params.size(); ++i) {
    std::string arg = i < m.arg_names.size() ? m.arg_names[i] : "";
    const Type* t = body->params[i];
    bool untyped_any = !arg.empty() && t == types_.Any;
    out += (i > (object ? 1u : 0u) ? ", " : "") + arg + (untyped_any ? "" : "::" + show_type(t));
  }
  out += ")";
  auto vars = where_vars(m.sig);
  if (!vars.empty()) {
    out += " where ";
    if (vars.size() > 1) out += "{";
    for (size_t i = 0; i < vars.size(); ++i) out += (i ? ", " : "") + show_typevar_bounds(vars[i]);
    if (vars.size() > 1) out += "}";
  }
  if (with_location && !m.location.empty()) out += " @ " + m.location;
  return out;
}

std::string GenericFunction::show_methods() const {
  size_t n = methods_.size();
  std::string out = "# " + std::to_string(n) + (n == 1 ? " method" : " methods") +
                    " for generic function \"" + name_ + "\":";
  for (size_t i = 0; i < n; ++i)
    out += "\n[" + std::to_string(i + 1) + "] " + show_method(*methods_[i]);
  return out;
}

std::string GenericFunction::show_call(std::span<const Type* const> argtypes) const {
  // `#call` holds the methods of callable objects: Julia writes them (::Dense)(::Int64).
  bool object = name_ == "#call" && !argtypes.empty();
  std::string out = object ? "(::" + show_type(argtypes[0]) + ")(" : name_ + "(";
  for (size_t i = object ? 1 : 0; i < argtypes.size(); ++i)
    out += (i > (object ? 1u : 0u) ? ", ::" : "::") + show_type(argtypes[i]);
  return out + ")";
}

void GenericFunction::throw_no_method(std::span<const Type* const> argtypes) const {
  std::string msg = "no method matching " + show_call(argtypes);
  if (methods_.empty()) throw MethodError(msg + "\n`" + name_ + "` has no methods yet");
  // Closest first: the same number of arguments, then the most arguments that fit.
  struct Ranked {
    const Method* m;
    int score;
    size_t order;
  };
  std::vector<Ranked> ranked;
  // The methods of callable objects of other types are no candidates for this one's call.
  bool object = name_ == "#call" && !argtypes.empty();
  for (size_t k = 0; k < methods_.size(); ++k) {
    const Method* m = methods_[k].get();
    const DataType* body = as_datatype(unwrap_unionall(m->sig));
    auto vars = where_vars(m->sig);
    if (object && (!param_at(body, 0) || !types_.issub(argtypes[0], types_.unionall(vars, param_at(body, 0))))) continue;
    bool vararg = !body->params.empty() && as_vararg(body->params.back());
    size_t fixed = body->params.size() - (vararg ? 1 : 0);
    bool arity = vararg ? argtypes.size() >= fixed : argtypes.size() == fixed;
    int score = arity ? 1000 : 0;
    for (size_t i = 0; i < argtypes.size(); ++i) {
      const Type* p = param_at(body, i);
      if (!p) break;
      if (types_.issub(argtypes[i], types_.unionall(vars, p))) score += 1;
    }
    ranked.push_back({m, score, k});
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) { return a.score > b.score; });
  if (!ranked.empty()) msg += "\nClosest candidates are:";
  size_t shown = std::min<size_t>(ranked.size(), 5);
  for (size_t i = 0; i < shown; ++i) msg += "\n  " + show_method(*ranked[i].m);
  if (ranked.size() > shown) msg += "\n  ... and " + std::to_string(ranked.size() - shown) + " more";
  if (!hint_.empty()) msg += "\n" + hint_;
  throw MethodError(msg);
}

void GenericFunction::throw_ambiguous(std::span<const Type* const> argtypes,
                                      const std::vector<const Method*>& minimal) const {
  std::string msg = show_call(argtypes) + " is ambiguous.\nCandidates:";
  for (const Method* m : minimal) msg += "\n  " + show_method(*m);
  // Suggest the method that would settle it: per argument the narrowest of the candidates'
  // declared types when they nest, else the argument's own type.
  std::string fix = name_ + "(";
  for (size_t i = 0; i < argtypes.size(); ++i) {
    const Type* best = nullptr;
    for (const Method* m : minimal) {
      const DataType* body = as_datatype(unwrap_unionall(m->sig));
      const Type* p = param_at(body, i);
      if (!p || types_.has_free_vars(p)) {
        best = nullptr;
        break;
      }
      if (!best || types_.issub(p, best)) best = p;
      else if (!types_.issub(best, p)) {
        best = nullptr;
        break;
      }
    }
    fix += (i ? ", ::" : "::") + show_type(best ? best : argtypes[i]);
  }
  msg += "\nPossible fix, define\n  " + fix + ")";
  throw MethodError(msg);
}

}  // namespace tsr
