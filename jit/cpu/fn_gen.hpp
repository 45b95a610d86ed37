// The CPU backend's code generator for one function: a typed body (after inference) to LLVM
// IR in the host's runtime model. Its parts, one concern a file:
//   function_body.cpp  the nodes: control flow, literals, slots, try/catch
//   frame_values.cpp   the frame of boxed Values, boxing, slots, error checks, constants
//   calls.cpp          calls: static, boxed, dynamic; intrinsics; inline constructors
//   tensor_access.cpp  inline tensor and Vector element access
//   entries.cpp        the boxed entry point, a kernel's index-range loop, broadcast loops
//   kernel_ir.cpp      the kernel IR: work-item indices, barriers, @localmem
// Number semantics come from jit/llvm_numbers.hpp, shared with other LLVM backends.
//
// Calling convention of a specialization: `R f(Value* out, A1 a1, ...)`. Arguments and results
// of bits types (numbers, Bool, Nothing) are passed as LLVM scalars; anything else as a pointer
// to a tsr::Value, and a boxed result is written to *out. Each function keeps its boxed
// locals and temporaries in a frame of Values released on every way out. After each call that
// can fail, `tsr_pending` is tested: on error control goes to the innermost `catch` of the
// function, or the function records its frame (name, file, line) and returns.
#pragma once

#include <string>
#include <vector>

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include "jit/compiler.hpp"
#include "jit/constants.hpp"
#include "jit/llvm_numbers.hpp"

namespace tsr::jit::cpu {

// A value during code generation: an LLVM scalar of a bits type, or a pointer to a Value.
struct RVal {
  llvm::Value* v = nullptr;
  bool boxed = false;
  const Type* type = nullptr;
};

class FnGen : public NumberErrors {
 public:
  FnGen(Compiler& c, llvm::Module& m, Spec& s)
      : c_(c), types_(c.types()), m_(m), ctx_(m.getContext()), b_(ctx_), s_(s), body_(*s.body) {
    ptr_ = llvm::PointerType::get(ctx_, 0);
    i64_ = llvm::Type::getInt64Ty(ctx_);
    i8_ = llvm::Type::getInt8Ty(ctx_);
    i1_ = llvm::Type::getInt1Ty(ctx_);
    value_ty_ = llvm::StructType::get(ctx_, {ptr_, i64_});
  }

  static llvm::FunctionType* spec_type(llvm::LLVMContext& ctx, const Spec& s);

  static llvm::Function* declare(llvm::Module& m, const Spec& s);

  void emit_function(const std::string& private_name = "");

  // void entry(Value* out, const Value* args, int64 n): the boxed way in.
  void emit_entry();

  // void <symbol>.kernel(const Value* args, lo, hi, n1, n2, n3, wg, rank): runs the kernel
  // body for linear indices [lo, hi), giving it the Cartesian indices (row-major) of each.
  void emit_kernel_range();

  // void name(const Value* vals, lo, hi, const int64* meta): outs = f(leaves...) for the flat
  // element indices [lo, hi) of a broadcast. vals[0..k) are the k output tensors (f's result,
  // or each a field of the struct f returns), vals[k..] the leaves; meta holds the rank, the
  // shape, then each value's strides (0 where it is stretched).
  void emit_broadcast_range(const BroadcastLoop& loop, llvm::Function* f);

  // At the entry: the frame of boxed Values, one slot long until size_frame sizes it.
  void open_frame();
  // On a way out: the boxed values of the frame are released.
  void release_frame();
  // Once the body is generated and the frame's size known: size it, or remove it when only
  // numbers were used (this keeps small functions small).
  void size_frame();

 public:
  const std::string& capture_name(size_t i) { return body_.slots[body_.capture_slots[i]].name; }

  // ---- helpers ----
  llvm::Value* temp();
  // n consecutive frame slots (arguments to a boxed call).
  llvm::Value* temps(int n);
  llvm::Value* ptr_const(const void* p);
  // A runtime object by name (jit/constants.hpp), or by address when it has no name: then
  // the module cannot be cached.
  llvm::Value* named(const std::string& symbol, const void* address);
  llvm::Value* str_ref(const std::string& s) { return named(string_symbol(s), &s); }
  llvm::Value* cstr_ref(const char* s) { return named(cstring_symbol(s), s); }
  llvm::Value* type_ref(const Type* t) { return named(type_symbol(types_, t), t); }
  llvm::Value* fn_ref(const GenericFunction* f) { return named(function_symbol(f), f); }
  llvm::Value* value_ref(const Value& v) { return named(value_symbol(types_, v), &v); }
  // The one value of a function's type (is_function_singleton), boxed, as a constant.
  RVal function_constant(const Type* t);
  llvm::Value* strs_ref(const std::vector<std::string>& xs);
  // The C++ method a static call was bound to (its function is the call's callee).
  llvm::Value* method_ref(const Node* call);
  // A runtime function of jit/abi.def, with its LLVM type from its C++ one.
  llvm::FunctionCallee abi(const char* name);
  llvm::CallInst* call_void(const char* name, std::vector<llvm::Value*> args);

  llvm::Value* unbox(llvm::Value* p, const Type* t);

  void box_into(llvm::Value* dst, RVal r);

  // A pointer to a Value holding r (boxing a bits value into a fresh temporary).
  llvm::Value* as_boxed(RVal r);
  // The scalar of a bits-typed value (unboxing when it is held boxed).
  llvm::Value* as_bits(RVal r) { return r.boxed ? unbox(r.v, r.type) : r.v; }

  bool is_bits_slot(int slot) const;
  void store_slot(int slot, RVal r);

  RVal load_slot(int slot, const Node* at = nullptr);

  // Whether the Value at v never changes while this function runs, so a load of its object may
  // be marked invariant: a kernel's argument, which the launch holds for the whole launch.
  // (Not any function's argument: inlined into its caller, the argument becomes the caller's
  // frame slot, written before the call, and an invariant load of it would read the old value.)
  bool value_fixed(llvm::Value* v) const { return s_.kernel && llvm::isa<llvm::Argument>(v); }

  // A boxed slot read where it lives, without the copy load_slot makes (an atomic retain and
  // release): for an inline element access, which calls no code that could assign the slot
  // while the value is in use.
  RVal load_slot_in_place(int slot, const Node* at);
  // An UndefVarError naming the slot unless `defined` (expected to hold) is true.
  void raise_undef_unless(llvm::Value* defined, int slot, const Node* at);
  static bool assigns_slot(const Node* n, int slot);
  // An inline tensor or vector access whose collection is a local variable that the other
  // arguments do not assign: it may read the variable in place.
  static bool reads_collection_in_place(const Node* n);

  // After a call that can fail: on error go to the innermost catch, or record this frame
  // and leave.
  void check_error(const Node* at);

  // Top-level statements say which line runs, for an error that abandons every frame (stack
  // overflow): one store per statement, in code that runs once.
  void note_toplevel_line(uint32_t line);

  llvm::Value* pending_flag();

  // Continue emitting into a block nothing reaches (after return, break, throw).
  RVal dead();

  void emit_return(RVal r);

  // r as a scalar of bits type t (r's own type is t, or it is boxed holding a t).
  llvm::Value* convert_bits(RVal r, const Type* t);

  // ---- nodes ----
  RVal emit(Node* n);

  RVal literal_nothing() { return RVal{llvm::ConstantInt::getFalse(ctx_), false, types_.Nothing}; }

  RVal literal(const Value& v, const Type* t);

  // Evaluates nodes into consecutive frame slots; nullptr when one of them does not finish.
  llvm::Value* emit_into_temps(const std::vector<Node*>& nodes);
  // A static call's arguments with those from n->vararg_at on packed into one tuple.
  std::vector<RVal> pack_varargs(Node* n, std::vector<RVal> args);

  // Writes values into consecutive frame slots starting at `first`.
  void store_args(llvm::Value* first, const std::vector<RVal>& vals);

  llvm::Value* truth(RVal c, const Node* at);

  // Where an expression with branches keeps its result: an alloca for bits, a frame slot else.
  struct ResultSlot {
    llvm::Value* p = nullptr;
    bool bits = false;
    const Type* type = nullptr;
  };
  ResultSlot result_slot(const Type* t);
  void put(ResultSlot& r, RVal v);
  // Stores a branch's value and jumps to the join; a branch that did not finish (return,
  // break, error) has no value and no jump.
  void put_and_branch(ResultSlot& r, RVal v, llvm::BasicBlock* join);
  RVal get(const ResultSlot& r);

  RVal emit_if(Node* n, bool for_effect = false);
  RVal emit_effect(Node* n);  // a statement whose value is not read

  // Runs the `finally` blocks entered since `depth`, innermost first (leaving by return,
  // break or continue). False when one of them does not finish.
  bool run_finallies(size_t depth);

  RVal emit_while(Node* n);

  RVal emit_andor(Node* n);

  // try / catch / finally. Errors in the body go to the catch block (or, for try/finally
  // without catch, straight to finally.error); errors in the handler go to finally.error,
  // which runs `finally` and carries the error on. A normal exit runs `finally` at the end.
  RVal emit_try(Node* n);

  // ---- calls ----
  RVal call(Node* n);

  template <class F>
  RVal call_boxed(Node* n, const std::vector<RVal>& args, F&& emit_call);

  // The function a static call goes to: the specialization, or a private copy of it in this
  // module (Compiler::inline_copy), made on first use.
  llvm::Function* callee_function(Spec& callee);

  RVal call_spec(Node* n, const std::vector<RVal>& args);

  RVal intrinsic(Node* n, const std::vector<RVal>& args);
  // A conversion to a float, or a struct built in registers, where jit/may_throw.hpp's
  // inline_construct says so; else no value (the runtime's constructor builds it).
  RVal construct_inline(Node* n, const std::vector<RVal>& args);
  // t[i, j] / t[i, j] = v: the element's address from the tensor's base and strides, with
  // the indices checked against its shape (a BoundsError naming both otherwise).
  RVal tensor_access(Node* n, const std::vector<RVal>& args);
  // size(t, d) and length(t) from the tensor's shape.
  RVal tensor_shape_query(Node* n, const std::vector<RVal>& args);
  RVal tensor_load_store(Node* n, const std::vector<RVal>& args, llvm::Value* addr, llvm::Type* et, const Type* elem);
  // A field of a boxed immutable struct of known type read in place; no value when the
  // runtime must look it up (tsr_getfield).
  RVal boxed_struct_field(RVal obj, const Node* n);
  // Field i of the struct or tuple a boxed Value holds, of type ft: unboxed when ft is a
  // concrete bits type, else a copy in a frame slot.
  RVal field_in_place(llvm::Value* boxed, size_t i, const Type* ft, const Type* node_type);
  // t[k] bound as Bind::TupleGet.
  RVal tuple_get(Node* n, const std::vector<RVal>& args);
  // v[i], v[i] = x and length(v) on a Vector's element Values (vector_access.cpp).
  RVal vector_access(Node* n, const std::vector<RVal>& args);
  // ---- kernel IR (kernel_ir.cpp) ----
  RVal work_item(Node* n);
  RVal barrier(Node* n);
  RVal local_memory(Node* n);
  // Scoped no-alias metadata on an access to tensor argument alias_arg_ of a kernel whose
  // tensor arguments have distinct storage (ArgLayout::noalias).
  void mark_alias_scope(llvm::Instruction* access);
  int alias_arg_ = -1;
  llvm::MDNode* alias_domain_ = nullptr;
  std::vector<llvm::Metadata*> alias_scopes_;

  // NumberErrors: how the shared number code (jit/llvm_numbers.hpp) raises on the CPU.
  void raise_when(llvm::Value* cond, const char* kind, const char* message, Node* at) override;
  void call_method_when(llvm::Value* cond, Node* call, const std::vector<std::pair<llvm::Value*, const Type*>>& args) override;

 public:
  Compiler& c_;
  TypeRegistry& types_;
  llvm::Module& m_;
  llvm::LLVMContext& ctx_;
  llvm::IRBuilder<> b_;
  Spec& s_;
  Body& body_;
  llvm::PointerType* ptr_;
  llvm::Type *i64_, *i8_, *i1_;
  llvm::StructType* value_ty_;
  llvm::Function* fn_ = nullptr;
  llvm::AllocaInst* frame_ = nullptr;
  llvm::CallInst* frame_init_ = nullptr;
  llvm::Value* out_ = nullptr;
  llvm::AllocaInst* ret_slot_ = nullptr;
  int nframe_ = 0;
  std::vector<llvm::Value*> slot_ptr_;
  llvm::BasicBlock* unwind_bb_ = nullptr;
  llvm::BasicBlock* return_bb_ = nullptr;
  struct Loop {
    llvm::BasicBlock* brk;
    llvm::BasicBlock* cont;
    size_t finally_depth;  // finally blocks entered before the loop
  };
  std::vector<Node*> finally_stack_;  // `finally` blocks of the trys being emitted
  bool cacheable_ = true;             // every runtime object it refers to has a name
  std::vector<bool> maybe_unassigned_;           // slots some read may find unassigned
  std::vector<llvm::Value*> defined_flag_;      // their i1 "defined" flags (bits slots only)
  std::vector<bool> readonly_arg_;    // boxed arguments read in place (never assigned)
  std::vector<Loop> loops_;
  std::vector<llvm::BasicBlock*> catch_stack_;
};

template <class F>
RVal FnGen::call_boxed(Node* n, const std::vector<RVal>& args, F&& emit_call) {
  int k = static_cast<int>(args.size());
  llvm::Value* argv = temps(std::max(k, 1));
  store_args(argv, args);
  llvm::Value* out = temp();
  emit_call(out, argv, k);
  check_error(n);
  if (n->type && n->type->kind == TypeKind::Bottom) return dead();
  return RVal{out, true, n->type ? n->type : types_.Any};
}

}  // namespace tsr::jit::cpu
