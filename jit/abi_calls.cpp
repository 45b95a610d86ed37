// The entry points through which generated code reaches dispatch and the runtime's global
// state: dynamic calls, calls of values (callable objects, types, keyword arguments), globals
// and constructors. Each holds the SerialSection (runtime/thread_pool.hpp) while it runs.
#include "jit/abi.hpp"
#include "runtime/construct.hpp"
#include "runtime/method_table.hpp"
#include "runtime/thread_pool.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/type_registry.hpp"
#include "runtime/value_printer.hpp"

namespace tsr::jit {

namespace {
Globals* g_globals = nullptr;
}

void set_abi_globals(Globals* g) { g_globals = g; }

Globals& abi_globals() {
  if (!g_globals) throw InternalError("the JIT runtime is not initialised");
  return *g_globals;
}

GenericFunction* outer_constructors(Globals& g, const Value& type_value) {
  const Type* ty = type_value.as_type();
  auto body = as_datatype(unwrap_unionall(ty));
  return body && body->name->wrapper == ty ? g.find_function(body->name->name) : nullptr;
}

Value call_value(Globals& g, const Value& callee_value, const Value* args, int64_t n, const std::string* kwnames,
                 int64_t nkw) {
  const Value* callee = &callee_value;
  Value result;
  Value* out = &result;
  {
    const DataType* t = callee->type();
    std::vector<Value> all;
    GenericFunction* f = t->name->payload == Payload::Function ? callee->as_function() : t->name->callable;
    // Any other value is called through `#call`, which holds the `(m::T)(x) = ...` methods.
    if (!f && t->name->payload != Payload::Type) f = g.find_function("#call");
    if (f && t->name->payload != Payload::Function) all.push_back(*callee);  // the object comes first
    all.insert(all.end(), args, args + (n - nkw));
    if (nkw > 0) {
      if (!f && t->name->payload == Payload::Type) f = outer_constructors(g, *callee);  // they may take keywords
      if (!f) throw MethodError("keyword arguments given to " + show_value(*callee) + ", which takes none");
      const Method* m = f->dispatch(all.data(), all.size());
      // Keyword arguments travel as one trailing KwArgs value: name, value, name, value, ...
      auto* kw = new StructObject();
      for (int64_t i = 0; i < nkw; ++i) {
        kw->fields.push_back(Value::from_object(g.types().String, new StringObject(kwnames[i])));
        kw->fields.push_back(args[n - nkw + i]);
      }
      all.push_back(Value::from_object(as_datatype(g.types().lookup("#KwArgs")), kw));
      return m->call(all.data(), all.size());
    }
    if (f) {
      *out = f->call(all.data(), all.size());
    } else if (t->name->payload == Payload::Type) {
      // A type whose name also has outer constructors dispatches among them.
      const Type* ty = callee->as_type();
      GenericFunction* ctor = outer_constructors(g, *callee);
      if (ctor) *out = ctor->call(args, static_cast<size_t>(n));
      else *out = construct(g, ty, std::span<const Value>(args, static_cast<size_t>(n)));
    } else {
      throw MethodError("objects of type " + show_type(t) + " are not callable");
    }
  }
  return result;
}

}  // namespace tsr::jit

using namespace tsr;
using tsr::jit::abi_globals;

extern "C" {

void tsr_call_dynamic(Value* out, GenericFunction* f, const Value* args, int64_t n) {
  SerialSection serial;
  try {
    *out = f->call(args, static_cast<size_t>(n));
  } catch (...) {
    jit::raise_current_exception(abi_globals());
  }
}

void tsr_call_method(Value* out, const Method* m, const Value* args, int64_t n) {
  SerialSection serial;
  try {
    *out = m->call(args, static_cast<size_t>(n));
  } catch (...) {
    jit::raise_current_exception(abi_globals());
  }
}

void tsr_get_global(Value* out, const std::string* name) {
  SerialSection serial;
  Globals& g = abi_globals();
  if (const Value* v = g.global(*name)) {
    *out = *v;
    return;
  }
  // A type's name is the type even when it has constructors (the function of the same name,
  // which a call of the type reaches), as in Julia.
  GenericFunction* f = g.find_function(*name);
  if (f && !g.types().lookup(*name)) {
    *out = Value::from_function(f->type(), f);
    return;
  }
  if (const Type* t = g.types().lookup(*name)) {
    const DataType* kind = t->kind == TypeKind::UnionAll ? g.types().UnionAllT
                           : t->kind == TypeKind::Union  ? g.types().UnionTypeT
                                                         : g.types().DataTypeT;
    *out = Value::from_type(kind, t);
    return;
  }
  jit::raise(jit::exception_value(g, "UndefVarError", "`" + *name + "` not defined"));
}

void tsr_set_global(const std::string* name, const Value* v) {
  SerialSection serial;
  try {
    abi_globals().set_global(*name, *v);
  } catch (...) {
    jit::raise_current_exception(abi_globals());
  }
}

void tsr_construct(Value* out, const Type* type, const Value* args, int64_t n) {
  SerialSection serial;
  try {
    *out = construct(abi_globals(), type, std::span<const Value>(args, static_cast<size_t>(n)));
  } catch (...) {
    jit::raise_current_exception(abi_globals());
  }
}

void tsr_call_value(Value* out, const Value* callee, const Value* args, int64_t n, const std::string* kwnames,
                    int64_t nkw) {
  SerialSection serial;
  Globals& g = abi_globals();
  try {
    *out = tsr::jit::call_value(g, *callee, args, n, kwnames, nkw);
  } catch (...) {
    jit::raise_current_exception(g);
  }
}

}  // extern "C"
