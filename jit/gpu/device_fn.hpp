// One device function: a specialization's typed body as LLVM IR for the GPU (device_gen.hpp
// says what values look like there). Private to jit/gpu/.
#pragma once

#include <vector>

#include <llvm/IR/IRBuilder.h>

#include "jit/gpu/device_gen.hpp"
#include "jit/llvm_numbers.hpp"

namespace tsr::jit::gpu {

// A value: an LLVM value of value_type(type). v == nullptr: control does not reach here.
struct DVal {
  llvm::Value* v = nullptr;
  const Type* type = nullptr;
};

class DeviceFn : public NumberErrors {
 public:
  DeviceFn(DeviceModule& dm, Spec& s, llvm::Function* fn);
  void emit_body();

  // NumberErrors
  void raise_when(llvm::Value* cond, const char* kind, const char* message, Node* at) override;
  void call_method_when(llvm::Value* cond, Node* call, const std::vector<std::pair<llvm::Value*, const Type*>>& args) override;
  std::string math_function(const std::string& libm) override { return "__nv_" + libm; }

 private:
  DVal emit(Node* n);
  DVal dead();
  DVal nothing();
  DVal literal(const Value& v, const Type* t, const Node* at);
  llvm::Constant* constant(const Value& v, const Type* t, const Node* at);
  // v (of type `from`) as a value of slot/result type `to`.
  llvm::Value* convert(DVal v, const Type* to, const Node* at);
  llvm::Value* truth(DVal c, const Node* at);
  void store_slot(int slot, DVal v, const Node* at);
  DVal load_slot(int slot, const Node* at);
  // Raises kind(message) here: the site's number to the error flag, and the work item ends.
  void raise(const std::string& kind, const std::string& message, const Node* at);
  void raise_if(llvm::Value* cond, const std::string& kind, const std::string& message, const Node* at);
  [[noreturn]] void unsupported(const Node* at, const std::string& what);

  DVal emit_if(Node* n);
  DVal emit_while(Node* n);
  DVal emit_andor(Node* n);
  DVal emit_return(Node* n);
  DVal call(Node* n);
  DVal call_spec(Node* n, const std::vector<DVal>& args);
  DVal intrinsic(Node* n, const std::vector<DVal>& args);
  DVal construct(Node* n, const std::vector<DVal>& args);
  DVal int_conversion(Node* n, const DVal& x);
  DVal tensor_access(Node* n, const std::vector<DVal>& args);
  DVal tensor_shape(Node* n, const std::vector<DVal>& args);
  DVal tuple_get(Node* n, const std::vector<DVal>& args);
  DVal work_item(Node* n);
  DVal barrier(Node* n);
  DVal local_memory(Node* n);
  // Integer ^ integer: repeated squaring (a DomainError for a negative exponent, as Julia).
  llvm::Value* int_power(Node* n, llvm::Value* base, llvm::Value* exp, const Type* t);

  DeviceModule& dm_;
  Compiler& c_;
  TypeRegistry& types_;
  Spec& s_;
  Body& body_;
  llvm::Function* fn_;
  llvm::LLVMContext& ctx_;
  llvm::IRBuilder<> b_;
  llvm::Type* i64_;
  std::vector<llvm::Value*> slot_ptr_;      // an alloca per typed slot
  std::vector<llvm::Value*> defined_flag_;  // slots a read may find unassigned
  struct Loop {
    llvm::BasicBlock* brk;
    llvm::BasicBlock* cont;
  };
  std::vector<Loop> loops_;
};

}  // namespace tsr::jit::gpu
