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
// The outer constructors of a type called as a function (`DataLoader(data; batchsize = 64)`),
// or null when it has none and is built from its fields (call_value's rule; inference's too).
GenericFunction* outer_constructors(Globals& g, const Value& type_value);

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
#define TSR_ABI(name, ret, params) ret name params;
#include "jit/abi.def"
#undef TSR_ABI
}
