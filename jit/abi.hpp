// The functions generated code calls, and the error state it shares with the runtime.
//
// Generated code never lets a C++ exception pass through its frames: a runtime function that
// fails records the error (the exception value and, as the error travels outwards, one stack
// frame per Tessera function it leaves) and sets `tsr_pending`; generated code tests that flag
// after each call that can fail and branches to its `catch` or returns. Boxed values live in a
// frame of tsr::Value slots that each function releases on every way out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "runtime/errors.hpp"
#include "runtime/globals.hpp"
#include "runtime/value.hpp"

namespace tsr::jit {

// The error travelling outwards, if any.
struct ErrorState {
  Value exception;
  std::vector<std::string> frames;  // "name at file:line", innermost first
  // Who raised it (a thread, or a work item's fiber): only its own frames join the trace, not
  // those of the other threads and work items that stop when they see the flag.
  const void* owner = nullptr;
};
ErrorState& error_state();
// What identifies the running code for ErrorState::owner: the thread, unless a fiber set its
// own (nullptr restores the thread's); returns the one it replaces.
const void* error_owner();
const void* set_error_owner(const void* fiber);

// A Tessera error seen from C++ (rt.call of a Tessera method that threw).
class TesseraError : public Error {
 public:
  TesseraError(const std::string& kind, const std::string& message, Value exception, std::vector<std::string> frames)
      : Error(kind, message), exception_(std::move(exception)), frames_(std::move(frames)) {}
  const Value& exception() const { return exception_; }
  const std::vector<std::string>& frames() const { return frames_; }

 private:
  Value exception_;
  std::vector<std::string> frames_;
};

// The exception value for a C++ error (MethodError, TypeError, ...) and back.
Value exception_value(Globals& g, const Error& e);
Value exception_value(Globals& g, const std::string& kind, const std::string& message);
// "MethodError: no method matching ..." for an exception value (what an uncaught error prints).
std::string describe_exception(const Value& exception);
// Calls `callee` (a function, a callable object or a type) on args, the last nkw of them the
// values of the keywords named by kwnames; throws what the call throws.
Value call_value(Globals& g, const Value& callee, const Value* args, int64_t n, const std::string* kwnames, int64_t nkw);

// Records a C++ exception as the pending error (used around every call into C++).
void raise_current_exception(Globals& g);
void raise(Value exception);
// Takes the pending error and throws it as a C++ TesseraError.
[[noreturn]] void rethrow_pending();

// Runs compiled code over [0, total) in chunks of `chunk` on the kernel threads: chunks not
// yet started are skipped once one has raised an error, which is then thrown here. Each chunk
// runs guarded (run_guarded): `frame` names the code for a stack overflow or a crash.
void run_chunks_parallel(int64_t total, int64_t chunk, const std::function<void(int64_t lo, int64_t hi)>& run,
                         const std::string* frame = nullptr);

// The element type of a vector literal: equal types stay, numbers promote, else Any.
const Type* vect_element_type(TypeRegistry& types, std::span<const Value> elems);
const Type* vect_element_type(TypeRegistry& types, std::span<const Type* const> elems);

// Runs compiled code so that running out of stack (deep recursion) ends it with a
// StackOverflowError instead of a crash, on any thread and on a fiber's stack: a fault near
// the low end of the stack the code runs on is caught on the thread's alternate signal stack
// and control jumps back here. Compiled code pays nothing for this. The code's frames are
// abandoned (their boxed values are not released). Returns false with the error pending when
// that happened. Guards nest: each run (a top-level thunk, a kernel's chunk on a pool thread,
// a work item on its fiber) comes back to its own.
//   frame: the Tessera frame the code is in ("deep! at k.tsr:2"): the StackOverflowError's
//     stack trace starts with it, and a crash names it. Nullptr for top-level code, which
//     names "top-level at FILE:LINE" (toplevel_file) in a crash.
//   stack_low/stack_size: the fiber stack the code runs on (none: the thread's own stack).
struct GuardSite {
  const std::string* frame = nullptr;
  const std::string* toplevel_file = nullptr;
  const void* stack_low = nullptr;
  size_t stack_size = 0;
};
bool run_guarded(void (*fn)(void*), void* ctx, const GuardSite& site = {});

// Fibers: each has its own chain of guards (its own stack). The scheduler installs a fiber's
// chain before switching to it and keeps it when it switches back: returns the chain it
// replaces.
void* swap_guard_chain(void* chain);

// Compiled code with unchecked accesses (@inbounds) exists: a segmentation fault in compiled
// code is then reported as the program's likely fault, not as a bug in Tessera.
void note_unchecked_code();

// Like raise, with the stack trace set to this one frame (code whose frames were abandoned).
void raise_with_frame(Value exception, const std::string& frame);

// The runtime the ABI functions work against (one Compiler at a time per process).
void set_abi_globals(Globals* g);
Globals& abi_globals();

}  // namespace tsr::jit

extern "C" {
extern int32_t tsr_pending;
// The line of the top-level statement running (for errors that leave no frames behind).
extern int64_t tsr_toplevel_line;
void tsr_assign(tsr::Value* dst, const tsr::Value* src);
void tsr_frame_release(tsr::Value* frame, int64_t n);
void tsr_box_int(tsr::Value* dst, const tsr::DataType* t, int64_t v);
void tsr_box_f64(tsr::Value* dst, double v);
void tsr_box_f32(tsr::Value* dst, float v);
void tsr_box_bool(tsr::Value* dst, bool v);
void tsr_box_nothing(tsr::Value* dst);
void tsr_call_dynamic(tsr::Value* out, tsr::GenericFunction* f, const tsr::Value* args, int64_t n);
void tsr_call_method(tsr::Value* out, const tsr::Method* m, const tsr::Value* args, int64_t n);
void tsr_call_value(tsr::Value* out, const tsr::Value* callee, const tsr::Value* args, int64_t n,
                    const std::string* kwnames, int64_t nkw);
void tsr_get_global(tsr::Value* out, const std::string* name);
void tsr_set_global(const std::string* name, const tsr::Value* v);
void tsr_getfield(tsr::Value* out, const tsr::Value* obj, const std::string* name);
void tsr_setfield(const tsr::Value* obj, const std::string* name, const tsr::Value* v);
void tsr_construct(tsr::Value* out, const tsr::Type* type, const tsr::Value* args, int64_t n);
void tsr_make_tuple(tsr::Value* out, const tsr::Value* elems, int64_t n);
// An immutable struct from field values that already have the field types (boxing an inline
// struct), and the field values of a boxed one.
void tsr_make_struct(tsr::Value* out, const tsr::DataType* t, const tsr::Value* fields, int64_t n);
const tsr::Value* tsr_struct_fields(const tsr::Value* v);
// The BoundsError of t[idx[0], ..., idx[n-1]].
void tsr_tensor_bounds_error(const tsr::Value* t, const int64_t* idx, int64_t n);
// The BoundsError of v[i] on a Vector.
void tsr_vector_bounds_error(const tsr::Value* v, int64_t i);
void tsr_make_vect(tsr::Value* out, const tsr::Value* elems, int64_t n);
void tsr_make_closure(tsr::Value* out, const tsr::DataType* t, const tsr::Value* captures, int64_t n);
void tsr_new_cell(tsr::Value* out);
void tsr_cell_get(tsr::Value* out, const tsr::Value* cell, const std::string* name);
void tsr_cell_set(const tsr::Value* cell, const tsr::Value* v);
void tsr_typeassert(const tsr::Value* v, const tsr::Type* t);
bool tsr_truthy(const tsr::Value* v);
void tsr_raise_error(const char* kind, const char* message);
// cbrt as Julia's (exact on exact cubes), for compiled code.
double tsr_cbrt(double x);
float tsr_cbrtf(float x);
void tsr_raise_undef(const std::string* name);
void tsr_add_frame(const std::string* function, const std::string* file, int64_t line);
void tsr_take_error(tsr::Value* out);
void tsr_rethrow(const tsr::Value* exception);
}
