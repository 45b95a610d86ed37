// The error state that generated code and the runtime share (abi.hpp): the pending flag, the
// exception travelling outwards with its stack frames, and the functions that set, extend,
// take and rethrow it, from C++ and from compiled code.
#include <mutex>
#include <utility>

#include "jit/abi.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/type_registry.hpp"
#include "runtime/value_printer.hpp"

int32_t tsr_pending = 0;
int64_t tsr_toplevel_line = 0;

namespace tsr::jit {

ErrorState& error_state() {
  static ErrorState state;
  return state;
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

void tsr_raise_undef(const std::string* name) {
  jit::raise(jit::exception_value(abi_globals(), "UndefVarError", "`" + *name + "` not defined"));
}

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
