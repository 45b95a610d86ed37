// Generic functions, their methods, and dispatch (LANGUAGE.md "Functions and multiple dispatch").
//
// A call runs the most specific applicable method: A is more specific than B exactly when A's
// signature is a strict subtype of B's. Two applicable methods with neither more specific than
// the other, and none more specific than both, make the call ambiguous. Both outcomes, and "no
// method", raise a MethodError that names the function, the argument types and the candidates.
//
// Dispatch on values goes through a cache keyed by the identities of the argument types (they
// are interned, so identity is equality). Adding a method bumps the runtime's world counter,
// drops exactly the cache entries the new method could answer differently, and changes the
// function's epoch so per-call-site caches refill.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/dispatch_cache.hpp"
#include "runtime/type_registry.hpp"
#include "runtime/value.hpp"

namespace tsr {

// The world age: bumped whenever any method is added anywhere, so compiled code that bound a
// call statically can tell it must be checked again.
struct World {
  uint64_t age = 1;
};

// How a method runs: a C++ callable (from the embedding API) or, later, compiled code.
using Invoker = Value (*)(const void* ctx, const Value* args, size_t nargs);

struct Method {
  uint64_t id = 0;                     // unique per runtime, never reused
  const Type* sig = nullptr;           // Tuple{...}, possibly inside `where`
  std::vector<std::string> arg_names;  // "" for an unnamed argument
  Invoker invoke = nullptr;
  std::shared_ptr<const void> ctx;     // keeps the callable alive
  std::string location;                // "file:line" where it was defined
  const Type* result = nullptr;        // the result type when known (C++ methods), else nullptr
  uint64_t world = 0;                  // the world age at which it was added
  Value call(const Value* args, size_t n) const { return invoke(ctx.get(), args, n); }
};

// One cache per call site in compiled code: a hit costs a few compares and no hashing.
struct CallSiteCache {
  const Type* keys[DispatchCache::kMaxKeys] = {};
  size_t n = SIZE_MAX;
  const Method* method = nullptr;
  uint64_t epoch = 0;
};

class GenericFunction {
 public:
  GenericFunction(TypeRegistry& types, World& world, std::string name);
  GenericFunction(const GenericFunction&) = delete;
  GenericFunction& operator=(const GenericFunction&) = delete;

  const std::string& name() const { return name_; }
  const DataType* type() const { return type_; }  // typeof(f)
  // Changes whenever a method is added to this function.
  uint64_t epoch() const { return epoch_; }

  // Adds a method; one with an equal signature is replaced, as in Julia. Returns the method.
  const Method* add(Method m);

  // The method a call with these argument types runs. Throws MethodError.
  const Method* which(std::span<const Type* const> argtypes);
  // Dispatch on values through the cache.
  const Method* dispatch(const Value* args, size_t n) {
    const Type* keys[DispatchCache::kMaxKeys];
    if (n <= DispatchCache::kMaxKeys) {
      for (size_t i = 0; i < n; ++i) keys[i] = key_type(args[i]);
      if (const Method* m = cache_.find(keys, n)) return m;
    }
    return dispatch_miss(args, n);
  }
  Value call(const Value* args, size_t n) { return dispatch(args, n)->call(args, n); }
  Value call(std::span<const Value> args) { return call(args.data(), args.size()); }
  // A call through a call-site cache (what compiled code does for calls it could not bind).
  Value call(CallSiteCache& site, const Value* args, size_t n);

  // The type a value dispatches as: its own type, or Type{T} for a type T.
  const Type* key_type(const Value& v) const {
    const DataType* t = v.type();
    return t->name->payload == Payload::Type ? types_.type_of_type(v.as_type()) : t;
  }

  std::vector<const Method*> methods() const;
  // methods(f) as text, in definition order.
  std::string show_methods() const;
  // One method as Julia prints it: combine(a::T, b::T) where T<:Real @ file:line
  std::string show_method(const Method& m, bool with_location = true) const;
  size_t cache_size() const { return cache_.size(); }
  // A line added to this function's "no method" errors (a @kernel: how to run it instead).
  void set_no_method_hint(std::string hint) { hint_ = std::move(hint); }

 private:
  const Method* dispatch_miss(const Value* args, size_t n);
  bool more_specific(const Method* a, const Method* b);
  [[noreturn]] void throw_no_method(std::span<const Type* const> argtypes) const;
  [[noreturn]] void throw_ambiguous(std::span<const Type* const> argtypes,
                                    const std::vector<const Method*>& minimal) const;
  std::string show_call(std::span<const Type* const> argtypes) const;

  TypeRegistry& types_;
  World& world_;
  std::string name_;
  std::string hint_;
  const DataType* type_;
  uint64_t epoch_ = 0;
  std::vector<std::unique_ptr<Method>> methods_;
  std::vector<std::unique_ptr<Method>> retired_;  // replaced methods: call sites may still point here
  DispatchCache cache_;
  std::unordered_map<uint64_t, bool> specificity_;  // (a.id, b.id) -> a more specific than b
  uint64_t next_method_id_ = 1;
};

}  // namespace tsr
