// The runtime model of compiled code: the frame of boxed Values, boxing and unboxing, slots,
// error checks after calls, and references to runtime objects by name (jit/constants.hpp).
#include "jit/cpu/fn_gen.hpp"

#include <string_view>
#include <type_traits>

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>

#include "jit/abi.hpp"
#include "jit/builtins.hpp"
#include "jit/constants.hpp"
#include "jit/definite_assignment.hpp"
#include "jit/intrinsics.hpp"
#include "runtime/errors.hpp"
#include "runtime/number_types.hpp"
#include "runtime/tensor.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_layout.hpp"

namespace tsr::jit::cpu {

llvm::FunctionType* FnGen::spec_type(llvm::LLVMContext& ctx, const Spec& s) {
  llvm::Type* ptr = llvm::PointerType::get(ctx, 0);
  std::vector<llvm::Type*> params{ptr};
  for (const Type* a : s.argtypes) params.push_back(is_bits(a) ? bits_type(ctx, a) : ptr);
  for (size_t k = 0; k < s.body->kwargs.size(); ++k) params.push_back(ptr);
  llvm::Type* ret = is_bits(s.ret) ? bits_type(ctx, s.ret) : llvm::Type::getVoidTy(ctx);
  return llvm::FunctionType::get(ret, params, false);
}

llvm::Function* FnGen::declare(llvm::Module& m, const Spec& s) {
  if (auto f = m.getFunction(s.symbol)) return f;
  return llvm::Function::Create(spec_type(m.getContext(), s), llvm::Function::ExternalLinkage, s.symbol, m);
}

void FnGen::open_frame() {
  frame_ = b_.CreateAlloca(value_ty_, llvm::ConstantInt::get(i64_, 1), "frame");
  frame_init_ = b_.CreateMemSet(frame_, llvm::ConstantInt::get(i8_, 0), llvm::ConstantInt::get(i64_, 16), llvm::MaybeAlign(8));
}

void FnGen::release_frame() {
  if (nframe_ > 0) call_void("tsr_frame_release", {frame_, llvm::ConstantInt::get(i64_, nframe_)});
}

void FnGen::size_frame() {
  if (nframe_ == 0) {
    frame_init_->eraseFromParent();
    frame_->eraseFromParent();
  } else {
    frame_->setOperand(0, llvm::ConstantInt::get(i64_, nframe_));
    frame_init_->setOperand(2, llvm::ConstantInt::get(i64_, 16 * nframe_));
  }
}

llvm::Value* FnGen::temp() {
  return b_.CreateGEP(value_ty_, frame_, llvm::ConstantInt::get(i64_, nframe_++));
}

llvm::Value* FnGen::temps(int n) {
  llvm::Value* first = b_.CreateGEP(value_ty_, frame_, llvm::ConstantInt::get(i64_, nframe_));
  nframe_ += n;
  return first;
}

llvm::Value* FnGen::ptr_const(const void* p) {
  return llvm::ConstantExpr::getIntToPtr(llvm::ConstantInt::get(i64_, reinterpret_cast<uint64_t>(p)), ptr_);
}

llvm::Value* FnGen::named(const std::string& symbol, const void* address) {
  if (symbol.empty()) {
    cacheable_ = false;
    return ptr_const(address);
  }
  return m_.getOrInsertGlobal(symbol, i8_);
}

llvm::Value* FnGen::strs_ref(const std::vector<std::string>& xs) {
  if (xs.empty()) return llvm::ConstantPointerNull::get(ptr_);
  return named(strings_symbol(xs.data(), xs.size()), xs.data());
}

llvm::Value* FnGen::method_ref(const Node* call) {
  const Value& callee = call->kids[0]->literal;
  if (!callee.defined() || callee.payload() != Payload::Function) return named("", call->method);
  return named(method_symbol(*callee.as_function(), call->method), call->method);
}

namespace {

// The LLVM type of a C++ type at the ABI (bool is a byte, as the C ABI passes it).
template <class T>
llvm::Type* abi_type(llvm::LLVMContext& c) {
  if constexpr (std::is_pointer_v<T>) return llvm::PointerType::get(c, 0);
  else if constexpr (std::is_void_v<T>) return llvm::Type::getVoidTy(c);
  else if constexpr (std::is_same_v<T, bool>) return llvm::Type::getInt8Ty(c);
  else if constexpr (std::is_same_v<T, double>) return llvm::Type::getDoubleTy(c);
  else if constexpr (std::is_same_v<T, float>) return llvm::Type::getFloatTy(c);
  else return llvm::Type::getIntNTy(c, 8 * sizeof(T));
}

template <class R, class... A>
llvm::FunctionType* abi_function_type(llvm::LLVMContext& c, R (*)(A...)) {
  return llvm::FunctionType::get(abi_type<R>(c), {abi_type<A>(c)...}, false);
}

}  // namespace

llvm::FunctionCallee FnGen::abi(const char* name) {
  std::string_view n = name;
#define TSR_ABI(fn, ret, params) \
  if (n == #fn) return m_.getOrInsertFunction(name, abi_function_type(ctx_, &fn));
#include "jit/abi.def"
#undef TSR_ABI
  throw InternalError(std::string("codegen: a call of ") + name + ", which is not an ABI function (jit/abi.def)");
}

llvm::CallInst* FnGen::call_void(const char* name, std::vector<llvm::Value*> args) {
  return b_.CreateCall(abi(name), args);
}

llvm::Value* FnGen::unbox(llvm::Value* p, const Type* t) {
  llvm::Type* bt = bits_type(ctx_, t);
  auto dt = as_datatype(t);
  if (is_inline_struct(dt)) {
    // The boxed struct's field Values, each unboxed into the LLVM struct.
    llvm::Value* fields = b_.CreateCall(abi("tsr_struct_fields"), {p});
    llvm::Value* agg = llvm::UndefValue::get(bt);
    for (size_t i = 0; i < dt->field_types.size(); ++i) {
      llvm::Value* fp = b_.CreateGEP(value_ty_, fields, llvm::ConstantInt::get(i64_, i));
      agg = b_.CreateInsertValue(agg, unbox(fp, dt->field_types[i]), {static_cast<unsigned>(i)});
    }
    return agg;
  }
  llvm::Value* payload = b_.CreateGEP(i8_, p, llvm::ConstantInt::get(i64_, 8));
  switch (dt->name->payload) {
    case Payload::Float64:
    case Payload::Float32: return b_.CreateLoad(bt, payload);
    case Payload::Bool: return b_.CreateICmpNE(b_.CreateLoad(i64_, payload), llvm::ConstantInt::get(i64_, 0));
    case Payload::None: return llvm::ConstantInt::getFalse(ctx_);
    default: {
      llvm::Value* w = b_.CreateLoad(i64_, payload);
      return bt == i64_ ? w : b_.CreateTrunc(w, bt);
    }
  }
}

void FnGen::box_into(llvm::Value* dst, RVal r) {
  auto dt = as_datatype(r.type);
  if (is_inline_struct(dt)) {
    int n = static_cast<int>(dt->field_types.size());
    llvm::Value* fields = temps(n);
    for (int i = 0; i < n; ++i) {
      llvm::Value* fv = b_.CreateExtractValue(r.v, {static_cast<unsigned>(i)});
      box_into(b_.CreateGEP(value_ty_, fields, llvm::ConstantInt::get(i64_, i)), RVal{fv, false, dt->field_types[i]});
    }
    call_void("tsr_make_struct", {dst, type_ref(dt), fields, llvm::ConstantInt::get(i64_, n)});
    return;
  }
  switch (dt->name->payload) {
    case Payload::Float64: call_void("tsr_box_f64", {dst, r.v}); return;
    case Payload::Float32: call_void("tsr_box_f32", {dst, r.v}); return;
    case Payload::Bool: call_void("tsr_box_bool", {dst, b_.CreateZExt(r.v, i8_)}); return;
    case Payload::None: call_void("tsr_box_nothing", {dst}); return;
    default: {
      bool is_unsigned = is_unsigned_integer(dt);
      llvm::Value* w = r.v->getType() == i64_ ? r.v : (is_unsigned ? b_.CreateZExt(r.v, i64_) : b_.CreateSExt(r.v, i64_));
      call_void("tsr_box_int", {dst, type_ref(dt), w});
      return;
    }
  }
}

llvm::Value* FnGen::as_boxed(RVal r) {
  if (r.boxed) return r.v;
  llvm::Value* t = temp();
  box_into(t, r);
  return t;
}

bool FnGen::is_bits_slot(int slot) const {
  const Type* st = body_.slots[slot].type;
  return st && is_bits(st) && !body_.slots[slot].is_cell;
}

void FnGen::store_slot(int slot, RVal r) {
  const Type* st = body_.slots[slot].type;
  if (st && is_bits(st) && !body_.slots[slot].is_cell) {
    llvm::Value* v = as_bits(r);
    b_.CreateStore(v, slot_ptr_[slot]);
    if (slot < static_cast<int>(defined_flag_.size()) && defined_flag_[slot]) b_.CreateStore(b_.getTrue(), defined_flag_[slot]);
  } else if (r.boxed) {
    call_void("tsr_assign", {slot_ptr_[slot], r.v});
  } else {
    box_into(slot_ptr_[slot], r);
  }
}

RVal FnGen::load_slot(int slot, const Node* at) {
  const Type* st = body_.slots[slot].type;
  if (!st || st->kind == TypeKind::Bottom) {
    // Never assigned a value before this read: an UndefVarError when it runs.
    call_void("tsr_raise_undef", {str_ref(body_.slots[slot].name)});
    check_error(at);
    return dead();
  }
  if (is_bits(st) && !body_.slots[slot].is_cell) {
    if (slot < static_cast<int>(defined_flag_.size()) && defined_flag_[slot]) {
      // Not assigned on every path to this read: an UndefVarError when it is not.
      raise_undef_unless(b_.CreateLoad(b_.getInt1Ty(), defined_flag_[slot]), slot, at);
    }
    return RVal{b_.CreateLoad(bits_type(ctx_, st), slot_ptr_[slot]), false, st};
  }
  if (readonly_arg_[slot] || body_.slots[slot].stable) return RVal{slot_ptr_[slot], true, st};
  // A copy, so that a later assignment to the slot does not change a value in flight; an
  // undefined slot is an UndefVarError.
  llvm::Value* t = temp();
  llvm::Value* type_word = b_.CreateLoad(ptr_, slot_ptr_[slot]);
  auto* undef = llvm::BasicBlock::Create(ctx_, "undef", fn_);
  auto* ok = llvm::BasicBlock::Create(ctx_, "defined", fn_);
  b_.CreateCondBr(b_.CreateICmpEQ(type_word, llvm::ConstantPointerNull::get(ptr_)), undef, ok);
  b_.SetInsertPoint(undef);
  call_void("tsr_raise_undef", {str_ref(body_.slots[slot].name)});
  b_.CreateBr(ok);
  b_.SetInsertPoint(ok);
  call_void("tsr_assign", {t, slot_ptr_[slot]});
  check_error(at);  // the read's line (the function's first line had been named)
  return RVal{t, true, st};
}

RVal FnGen::load_slot_in_place(int slot, const Node* at) {
  const Type* st = body_.slots[slot].type;
  if (!st || st->kind == TypeKind::Bottom || is_bits(st) || body_.slots[slot].is_cell || readonly_arg_[slot])
    return load_slot(slot, at);
  llvm::Value* type_word = b_.CreateLoad(ptr_, slot_ptr_[slot]);
  raise_undef_unless(b_.CreateICmpNE(type_word, llvm::ConstantPointerNull::get(ptr_)), slot, at);
  return RVal{slot_ptr_[slot], true, st};
}

void FnGen::raise_undef_unless(llvm::Value* defined, int slot, const Node* at) {
  auto* undef = llvm::BasicBlock::Create(ctx_, "undef", fn_);
  auto* ok = llvm::BasicBlock::Create(ctx_, "defined", fn_);
  b_.CreateCondBr(defined, ok, undef, llvm::MDBuilder(ctx_).createBranchWeights(1000000, 1));
  b_.SetInsertPoint(undef);
  call_void("tsr_raise_undef", {str_ref(body_.slots[slot].name)});
  check_error(at);
  b_.CreateUnreachable();
  b_.SetInsertPoint(ok);
}

bool FnGen::assigns_slot(const Node* n, int slot) {
  if (n->op == Op::SetSlot && n->slot == slot) return true;
  for (const Node* k : n->kids)
    if (assigns_slot(k, slot)) return true;
  return false;
}

bool FnGen::reads_collection_in_place(const Node* n) {
  bool inline_access = n->bind == Bind::TensorGet || n->bind == Bind::TensorSet || n->bind == Bind::TensorAtomicAdd ||
                       n->bind == Bind::TensorSize || n->bind == Bind::TensorLength || n->bind == Bind::VectorGet ||
                       n->bind == Bind::VectorSet || n->bind == Bind::VectorLength || n->bind == Bind::TupleGet;
  if (!inline_access || n->kids.size() < 2 || n->kids[1]->op != Op::Slot) return false;
  for (size_t i = 2; i < n->kids.size(); ++i)
    if (assigns_slot(n->kids[i], n->kids[1]->slot)) return false;
  return true;
}

void FnGen::check_error(const Node* at) {
  llvm::Value* flag = b_.CreateLoad(llvm::Type::getInt32Ty(ctx_), pending_flag());
  auto* err = llvm::BasicBlock::Create(ctx_, "error", fn_);
  auto* cont = llvm::BasicBlock::Create(ctx_, "ok", fn_);
  b_.CreateCondBr(b_.CreateICmpNE(flag, llvm::ConstantInt::get(llvm::Type::getInt32Ty(ctx_), 0)), err, cont,
                  llvm::MDBuilder(ctx_).createBranchWeights(1, 1000));
  b_.SetInsertPoint(err);
  if (!catch_stack_.empty()) {
    b_.CreateBr(catch_stack_.back());
  } else {
    uint32_t line = at ? at->loc.line : body_.loc.line;
    const std::string* file = at && at->loc.file ? at->loc.file : body_.loc.file;
    call_void("tsr_add_frame", {str_ref(body_.name), str_ref(*file), llvm::ConstantInt::get(i64_, line)});
    b_.CreateBr(unwind_bb_);
  }
  b_.SetInsertPoint(cont);
}

void FnGen::note_toplevel_line(uint32_t line) {
  auto* g = m_.getGlobalVariable("tsr_toplevel_line");
  if (!g) g = new llvm::GlobalVariable(m_, i64_, false, llvm::GlobalValue::ExternalLinkage, nullptr, "tsr_toplevel_line");
  b_.CreateStore(llvm::ConstantInt::get(i64_, line), g);
}

llvm::Value* FnGen::pending_flag() {
  if (auto g = m_.getGlobalVariable("tsr_pending")) return g;
  return new llvm::GlobalVariable(m_, llvm::Type::getInt32Ty(ctx_), false, llvm::GlobalValue::ExternalLinkage,
                                  nullptr, "tsr_pending");
}

RVal FnGen::dead() {
  b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "dead", fn_));
  return RVal{nullptr, false, types_.bottom()};
}

}  // namespace tsr::jit::cpu
