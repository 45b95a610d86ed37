#include "jit/abi.hpp"

#include <algorithm>
#include <mutex>
#include <utility>

#include "jit/builtin_registrar.hpp"
#include "jit/intrinsics.hpp"
#include "runtime/construct.hpp"
#include "runtime/tensor.hpp"
#include "runtime/thread_pool.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

int32_t tsr_pending = 0;
int64_t tsr_toplevel_line = 0;

namespace tsr::jit {

namespace {
Globals* g_globals = nullptr;
}

const Type* vect_element_type(TypeRegistry& types, std::span<const Value> elems) {
  std::vector<const Type*> ts;
  for (const Value& v : elems) ts.push_back(v.type());
  return vect_element_type(types, ts);
}

const Type* vect_element_type(TypeRegistry& types, std::span<const Type* const> elems) {
  if (elems.empty()) return types.Any;
  const Type* elem = elems[0];
  bool numbers = true;
  for (const Type* t : elems) numbers = numbers && as_datatype(t) && is_number_type(as_datatype(t));
  if (numbers) {
    // [1, 2.5] is a Vector{Float64}: numbers promote, as Julia's vect does.
    const DataType* p = as_datatype(elems[0]);
    for (const Type* t : elems) p = promote_type(types, p, as_datatype(t));
    return p;
  }
  for (const Type* t : elems)
    if (t != elem) return types.Any;
  return elem;
}

ErrorState& error_state() {
  static ErrorState state;
  return state;
}

void set_abi_globals(Globals* g) { g_globals = g; }

void run_chunks_parallel(int64_t total, int64_t chunk, const std::function<void(int64_t, int64_t)>& run,
                         const std::string* frame) {
  if (total <= 0) return;
  struct Chunk {
    const std::function<void(int64_t, int64_t)>* run;
    int64_t lo, hi;
  };
  GuardSite site{frame};
  // Rounded up, and the last chunk's end capped, without overflow near typemax(Int).
  parallel_for(total / chunk + (total % chunk != 0), [&](int64_t k) {
    if (tsr_pending) return;
    Chunk c{&run, k * chunk, 0};
    if (__builtin_mul_overflow(k + 1, chunk, &c.hi) || c.hi > total) c.hi = total;
    run_guarded([](void* p) {
      auto* c = static_cast<Chunk*>(p);
      (*c->run)(c->lo, c->hi);
    }, &c, site);
  });
  if (tsr_pending) rethrow_pending();
}

Globals& abi_globals() {
  if (!g_globals) throw InternalError("the JIT runtime is not initialised");
  return *g_globals;
}

Value exception_value(Globals& g, const std::string& kind, const std::string& message) {
  TypeRegistry& types = g.types();
  const DataType* t = as_datatype(types.lookup(kind));
  if (!t || t->name->field_names.size() != 1) t = as_datatype(types.lookup("ErrorException"));
  if (!t) throw InternalError("exception types are not declared");
  auto* obj = new StructObject();
  obj->fields.push_back(Value::from_object(types.String, new StringObject(message)));
  return Value::from_object(t, obj);
}

Value exception_value(Globals& g, const Error& e) {
  if (auto te = dynamic_cast<const TesseraError*>(&e)) return te->exception();
  if (e.kind() == "DivideError") {
    const DataType* t = as_datatype(g.types().lookup("DivideError"));
    return Value::from_object(t, new StructObject());
  }
  return exception_value(g, e.kind(), e.message());
}

std::string describe_exception(const Value& ex) {
  const DataType* t = ex.type();
  if (t && t->name->name == "DivideError") return "DivideError: integer division error";
  if (t && t->name->payload == Payload::Object && !t->name->is_tuple && t->name->field_names.size() == 1 &&
      t->name->field_names[0] == "msg" && ex.as_struct().fields.size() == 1 &&
      ex.as_struct().fields[0].type() == t->name->registry->String) {
    const TypeName* n = t->name;
    const DataType* sup = as_datatype(n->super);
    const std::string& msg = ex.as_struct().fields[0].as_string();
    // A DomainError that names its value reads as Julia's "DomainError with -8.0:\n<why>"
    // (its message then starts "with ", see domain_error_with).
    if (n->name == "DomainError" && msg.rfind("with ", 0) == 0) return n->name + " " + msg;
    // error("boom") reads as Julia's "ERROR: boom".
    if (n->name == "ErrorException") return msg;
    if (sup && sup->name->name == "Exception") return n->name + ": " + msg;
  }
  return show_value(ex);
}

namespace {
// Kernels run on several threads: the first error wins, the rest are dropped.
std::mutex g_error_mu;
thread_local char t_thread_owner;
thread_local const void* t_fiber_owner = nullptr;
}  // namespace

const void* error_owner() { return t_fiber_owner ? t_fiber_owner : &t_thread_owner; }
const void* set_error_owner(const void* fiber) { return std::exchange(t_fiber_owner, fiber); }

void raise(Value exception) {
  std::lock_guard<std::mutex> lock(g_error_mu);
  if (tsr_pending && error_state().exception.defined()) return;
  ErrorState& s = error_state();
  s.exception = std::move(exception);
  s.frames.clear();
  s.owner = error_owner();
  tsr_pending = 1;
}

void raise_with_frame(Value exception, const std::string& frame) {
  std::lock_guard<std::mutex> lock(g_error_mu);
  if (tsr_pending && error_state().exception.defined()) return;
  ErrorState& s = error_state();
  s.exception = std::move(exception);
  s.frames.assign(1, frame);
  s.owner = error_owner();
  tsr_pending = 1;
}

void raise_current_exception(Globals& g) {
  try {
    throw;
  } catch (const TesseraError& e) {
    std::lock_guard<std::mutex> lock(g_error_mu);
    ErrorState& s = error_state();
    if (tsr_pending && s.exception.defined()) return;
    s.exception = e.exception();
    s.frames = e.frames();
    s.owner = error_owner();
    tsr_pending = 1;
  } catch (const Error& e) {
    raise(exception_value(g, e));
  } catch (const std::bad_alloc&) {
    raise(exception_value(g, "OutOfMemoryError", "the memory for this could not be allocated"));
  } catch (const std::exception& e) {
    raise(exception_value(g, "InternalError", std::string(e.what()) + " (this is a bug in Tessera; please report it)"));
  }
}

void rethrow_pending() {
  ErrorState& s = error_state();
  tsr_pending = 0;
  Value ex = std::move(s.exception);
  std::vector<std::string> frames = std::move(s.frames);
  s.frames.clear();
  std::string text = describe_exception(ex);
  std::string kind = "Error", message = text;
  if (auto colon = text.find(": "); colon != std::string::npos && colon < 40) {
    kind = text.substr(0, colon);
    message = text.substr(colon + 2);
  }
  throw TesseraError(kind, message, std::move(ex), std::move(frames));
}

}  // namespace tsr::jit

using namespace tsr;
using tsr::jit::abi_globals;

extern "C" {

void tsr_assign(Value* dst, const Value* src) { *dst = *src; }

void tsr_frame_release(Value* frame, int64_t n) {
  for (int64_t i = 0; i < n; ++i) frame[i] = Value();
}

void tsr_box_int(Value* dst, const DataType* t, int64_t v) { *dst = Value::from_int(t, v); }
void tsr_box_f64(Value* dst, double v) { *dst = Value::from_f64(abi_globals().types().Float64, v); }
void tsr_box_f32(Value* dst, float v) { *dst = Value::from_f32(abi_globals().types().Float32, v); }
void tsr_box_bool(Value* dst, bool v) { *dst = Value::from_bool(abi_globals().types().Bool, v); }
void tsr_box_nothing(Value* dst) { *dst = Value::singleton(abi_globals().types().Nothing); }

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

void tsr_raise_undef(const std::string* name) {
  jit::raise(jit::exception_value(abi_globals(), "UndefVarError", "`" + *name + "` not defined"));
}

void tsr_set_global(const std::string* name, const Value* v) {
  SerialSection serial;
  try {
    abi_globals().set_global(*name, *v);
  } catch (...) {
    jit::raise_current_exception(abi_globals());
  }
}

void tsr_getfield(Value* out, const Value* obj, const std::string* name) {
  const DataType* t = obj->type();
  const TypeName* n = t->name;
  if (n->payload == Payload::Object && !n->is_tuple && t != n->registry->String)
    for (size_t i = 0; i < n->field_names.size(); ++i)
      if (n->field_names[i] == *name) {
        *out = obj->as_struct().fields[i];
        return;
      }
  jit::raise(jit::exception_value(abi_globals(), "ErrorException",
                                  "type " + n->name + " has no field " + *name));
}

void tsr_setfield(const Value* obj, const std::string* name, const Value* v) {
  SerialSection serial;
  Globals& g = abi_globals();
  const DataType* t = obj->type();
  const TypeName* n = t->name;
  if (!n->is_mutable) {
    jit::raise(jit::exception_value(g, "ErrorException",
                                    "setfield!: immutable struct of type " + n->name + " cannot be changed"));
    return;
  }
  for (size_t i = 0; i < n->field_names.size(); ++i)
    if (n->field_names[i] == *name) {
      std::vector<const TypeVar*> vars(n->params.begin(), n->params.end());
      const Type* ft = g.types().subst(n->field_types[i], vars, t->params);
      Value x;
      try {
        x = convert_to(g.types(), ft, *v);
      } catch (...) {
        jit::raise_current_exception(g);
        return;
      }
      obj->as_struct().fields[i] = std::move(x);
      return;
    }
  jit::raise(jit::exception_value(g, "ErrorException", "type " + n->name + " has no field " + *name));
}

void tsr_construct(Value* out, const Type* type, const Value* args, int64_t n) {
  SerialSection serial;
  try {
    *out = construct(abi_globals(), type, std::span<const Value>(args, static_cast<size_t>(n)));
  } catch (...) {
    jit::raise_current_exception(abi_globals());
  }
}

void tsr_make_tuple(Value* out, const Value* elems, int64_t n) {
  SerialSection serial;
  TypeRegistry& types = abi_globals().types();
  std::vector<const Type*> ts;
  auto* obj = new StructObject();
  for (int64_t i = 0; i < n; ++i) {
    ts.push_back(elems[i].type());
    obj->fields.push_back(elems[i]);
  }
  *out = Value::from_object(types.tuple(ts), obj);
}

void tsr_make_struct(Value* out, const DataType* t, const Value* fields, int64_t n) {
  auto* obj = new StructObject();
  obj->fields.assign(fields, fields + n);
  *out = Value::from_object(t, obj);
}

const Value* tsr_struct_fields(const Value* v) { return v->as_struct().fields.data(); }

void tsr_tensor_bounds_error(const Value* t, const int64_t* idx, int64_t n) {
  try {
    element_offset(*t, std::span<const int64_t>(idx, static_cast<size_t>(n)));  // raises the BoundsError
    throw InternalError("a tensor index reported out of bounds is in bounds");
  } catch (...) {
    jit::raise_current_exception(abi_globals());
  }
}

void tsr_vector_bounds_error(const Value* v, int64_t i) {
  try {
    jit::bounds_error(*v, i);
  } catch (...) {
    jit::raise_current_exception(abi_globals());
  }
}

void tsr_make_closure(Value* out, const DataType* t, const Value* captures, int64_t n) {
  auto* obj = new StructObject();
  for (int64_t i = 0; i < n; ++i) obj->fields.push_back(captures[i]);
  *out = Value::from_object(t, obj);
}

void tsr_new_cell(Value* out) {
  TypeRegistry& types = abi_globals().types();
  auto* obj = new StructObject();
  obj->fields.emplace_back();  // undefined until assigned
  *out = Value::from_object(as_datatype(types.lookup("#Box")), obj);
}

void tsr_cell_get(Value* out, const Value* cell, const std::string* name) {
  const Value& v = cell->as_struct().fields[0];
  if (!v.defined()) {
    tsr_raise_undef(name);
    return;
  }
  *out = v;
}

void tsr_cell_set(const Value* cell, const Value* v) { cell->as_struct().fields[0] = *v; }

void tsr_typeassert(const Value* v, const Type* t) {
  SerialSection serial;
  Globals& g = abi_globals();
  if (!g.types().issub(v->type(), t))
    jit::raise(jit::exception_value(g, "TypeError", "in typeassert, expected " + show_type(t) + ", got a value of type " +
                                                         show_type(v->type())));
}

bool tsr_truthy(const Value* v) {
  Globals& g = abi_globals();
  if (v->type() == g.types().Bool) return v->as_bool();
  jit::raise(jit::exception_value(g, "TypeError", "non-boolean (" + show_type(v->type()) + ") used in boolean context"));
  return false;
}

double tsr_cbrt(double x) { return jit::cbrt_nearest(x); }
float tsr_cbrtf(float x) { return jit::cbrt_nearest(x); }

void tsr_raise_error(const char* kind, const char* message) {
  Globals& g = abi_globals();
  if (std::string(kind) == "DivideError") {
    jit::raise(Value::from_object(as_datatype(g.types().lookup("DivideError")), new StructObject()));
    return;
  }
  jit::raise(jit::exception_value(g, kind, message));
}

void tsr_add_frame(const std::string* function, const std::string* file, int64_t line) {
  std::lock_guard<std::mutex> lock(jit::g_error_mu);
  if (jit::error_state().owner != jit::error_owner()) return;
  jit::error_state().frames.push_back(*function + " at " + *file + ":" + std::to_string(line));
}

void tsr_take_error(Value* out) {
  jit::ErrorState& s = jit::error_state();
  *out = std::move(s.exception);
  s.exception = Value();
  s.frames.clear();
  tsr_pending = 0;
}

void tsr_rethrow(const Value* exception) {
  jit::ErrorState& s = jit::error_state();
  s.exception = *exception;
  s.owner = jit::error_owner();
  tsr_pending = 1;
}

}  // extern "C"

extern "C" {

void tsr_make_vect(Value* out, const Value* elems, int64_t n) {
  SerialSection serial;
  TypeRegistry& types = abi_globals().types();
  const Type* elem = jit::vect_element_type(types, std::span<const Value>(elems, static_cast<size_t>(n)));
  const Type* ps[] = {elem};
  auto* obj = new StructObject();
  for (int64_t i = 0; i < n; ++i) obj->fields.push_back(convert_to(types, elem, elems[i]));
  *out = Value::from_object(as_datatype(types.instantiate(types.lookup("Vector"), ps)), obj);
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

namespace tsr::jit {

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
      auto body = as_datatype(unwrap_unionall(ty));
      GenericFunction* ctor = body && body->name->wrapper == ty ? g.find_function(body->name->name) : nullptr;
      if (ctor) *out = ctor->call(args, static_cast<size_t>(n));
      else *out = construct(g, ty, std::span<const Value>(args, static_cast<size_t>(n)));
    } else {
      throw MethodError("objects of type " + show_type(t) + " are not callable");
    }
  }
  return result;
}

}  // namespace tsr::jit
