#include "jit/codegen.hpp"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>

#include "jit/builtins.hpp"
#include "jit/compiler.hpp"
#include "jit/constants.hpp"
#include "jit/definite_assignment.hpp"
#include "jit/exp_f32.hpp"
#include "jit/intrinsics.hpp"
#include "runtime/tensor.hpp"
#include "runtime/errors.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_layout.hpp"

namespace tsr::jit {

namespace {

// A value during code generation: an LLVM scalar of a bits type, or a pointer to a Value.
struct RVal {
  llvm::Value* v = nullptr;
  bool boxed = false;
  const Type* type = nullptr;
};

class FnGen {
 public:
  FnGen(Compiler& c, llvm::Module& m, Spec& s)
      : c_(c), types_(c.types()), m_(m), ctx_(m.getContext()), b_(ctx_), s_(s), body_(*s.body) {
    ptr_ = llvm::PointerType::get(ctx_, 0);
    i64_ = llvm::Type::getInt64Ty(ctx_);
    i8_ = llvm::Type::getInt8Ty(ctx_);
    i1_ = llvm::Type::getInt1Ty(ctx_);
    value_ty_ = llvm::StructType::get(ctx_, {ptr_, i64_});
  }

  static llvm::Type* bits_type(llvm::LLVMContext& ctx, const Type* t) {
    auto dt = as_datatype(t);
    if (is_inline_struct(dt)) {
      std::vector<llvm::Type*> fields;
      for (const Type* f : dt->field_types) fields.push_back(bits_type(ctx, f));
      return llvm::StructType::get(ctx, fields);
    }
    switch (dt->name->payload) {
      case Payload::Float64: return llvm::Type::getDoubleTy(ctx);
      case Payload::Float32: return llvm::Type::getFloatTy(ctx);
      case Payload::Bool: return llvm::Type::getInt1Ty(ctx);
      case Payload::None: return llvm::Type::getInt1Ty(ctx);
      default: break;
    }
    const std::string& n = dt->name->name;
    if (n == "Int8" || n == "UInt8") return llvm::Type::getInt8Ty(ctx);
    if (n == "Int16" || n == "UInt16") return llvm::Type::getInt16Ty(ctx);
    if (n == "Int32" || n == "UInt32") return llvm::Type::getInt32Ty(ctx);
    return llvm::Type::getInt64Ty(ctx);
  }

  static llvm::FunctionType* spec_type(llvm::LLVMContext& ctx, const Spec& s) {
    llvm::Type* ptr = llvm::PointerType::get(ctx, 0);
    std::vector<llvm::Type*> params{ptr};
    for (const Type* a : s.argtypes) params.push_back(is_bits(a) ? bits_type(ctx, a) : ptr);
    for (size_t k = 0; k < s.body->kwargs.size(); ++k) params.push_back(ptr);
    llvm::Type* ret = is_bits(s.ret) ? bits_type(ctx, s.ret) : llvm::Type::getVoidTy(ctx);
    return llvm::FunctionType::get(ret, params, false);
  }

  static llvm::Function* declare(llvm::Module& m, const Spec& s) {
    if (auto f = m.getFunction(s.symbol)) return f;
    return llvm::Function::Create(spec_type(m.getContext(), s), llvm::Function::ExternalLinkage, s.symbol, m);
  }

  void emit_function(const std::string& private_name = "") {
    // A private copy (for a broadcast loop that inlines it) or the specialization itself.
    if (private_name.empty()) fn_ = declare(m_, s_);
    else fn_ = llvm::Function::Create(spec_type(ctx_, s_), llvm::Function::InternalLinkage, private_name, m_);
    auto* entry = llvm::BasicBlock::Create(ctx_, "entry", fn_);
    b_.SetInsertPoint(entry);
    frame_ = b_.CreateAlloca(value_ty_, llvm::ConstantInt::get(i64_, 1), "frame");
    frame_init_ = b_.CreateMemSet(frame_, llvm::ConstantInt::get(i8_, 0), llvm::ConstantInt::get(i64_, 16), llvm::MaybeAlign(8));
    out_ = fn_->getArg(0);
    bool bits_ret = is_bits(s_.ret);
    if (bits_ret) ret_slot_ = b_.CreateAlloca(bits_type(ctx_, s_.ret), nullptr, "ret");
    // Slots: an alloca for bits types, a frame Value for the rest.
    for (size_t i = 0; i < body_.slots.size(); ++i) {
      const Type* t = body_.slots[i].type;
      if (t && is_bits(t) && !body_.slots[i].is_cell) slot_ptr_.push_back(b_.CreateAlloca(bits_type(ctx_, t), nullptr, body_.slots[i].name));
      else slot_ptr_.push_back(nullptr);  // assigned a frame index below
    }
    // A boxed argument the body never assigns is read where the caller keeps it: no copy, no
    // reference counting, never undefined.
    std::vector<bool> assigned(body_.slots.size(), false);
    for (const auto& node : body_.pool)
      if (node->op == Op::SetSlot) assigned[node->slot] = true;
    readonly_arg_.assign(body_.slots.size(), false);
    for (size_t i = 0; i < s_.argtypes.size() && i < body_.slots.size(); ++i)
      if (!slot_ptr_[i] && !assigned[i] && !body_.slots[i].is_cell && !is_bits(s_.argtypes[i]) &&
          body_.slots[i].type == s_.argtypes[i]) {
        slot_ptr_[i] = fn_->getArg(static_cast<unsigned>(i + 1));
        readonly_arg_[i] = true;
      }
    for (size_t i = 0; i < body_.slots.size(); ++i)
      if (!slot_ptr_[i]) slot_ptr_[i] = temp();
    // A bits local that some read may find unassigned keeps a "defined" flag (boxed ones are
    // undefined while their type word is null); the others need none.
    maybe_unassigned_ = slots_maybe_unassigned(body_);
    defined_flag_.assign(body_.slots.size(), nullptr);
    for (size_t i = 0; i < body_.slots.size(); ++i)
      if (maybe_unassigned_[i] && is_bits_slot(static_cast<int>(i))) {
        defined_flag_[i] = b_.CreateAlloca(b_.getInt1Ty(), nullptr, body_.slots[i].name + ".defined");
        b_.CreateStore(b_.getFalse(), defined_flag_[i]);
      }
    unwind_bb_ = llvm::BasicBlock::Create(ctx_, "unwind", fn_);
    return_bb_ = llvm::BasicBlock::Create(ctx_, "return", fn_);
    // Arguments into their slots.
    for (size_t i = 0; i < s_.argtypes.size(); ++i) {
      if (readonly_arg_[i]) continue;
      const Type* t = s_.argtypes[i];
      RVal a{fn_->getArg(static_cast<unsigned>(i + 1)), !is_bits(t), t};
      store_slot(static_cast<int>(i), a);
    }
    for (size_t k = 0; k < body_.kwargs.size(); ++k) {
      int slot = static_cast<int>(body_.nargs + k);
      llvm::Value* p = fn_->getArg(static_cast<unsigned>(s_.argtypes.size() + 1 + k));
      call_void("tsr_assign", {slot_ptr_[slot], p});
    }
    // Keyword defaults: evaluated when the caller gave none.
    for (size_t k = 0; k < body_.kwdefaults.size(); ++k) {
      int slot = static_cast<int>(body_.nargs + k);
      llvm::Value* type_word = b_.CreateLoad(ptr_, slot_ptr_[slot]);
      auto* set = llvm::BasicBlock::Create(ctx_, "kwdefault", fn_);
      auto* next = llvm::BasicBlock::Create(ctx_, "kwdone", fn_);
      b_.CreateCondBr(b_.CreateICmpEQ(type_word, llvm::ConstantPointerNull::get(ptr_)), set, next);
      b_.SetInsertPoint(set);
      RVal d = emit(body_.kwdefaults[k]);
      if (d.v) {
        store_slot(slot, d);
        b_.CreateBr(next);
      }
      b_.SetInsertPoint(next);
    }
    // Closure captures: loaded from the closure (argument 0).
    for (size_t i = 0; i < body_.capture_slots.size(); ++i) {
      llvm::Value* out = temp();
      call_void("tsr_getfield", {out, slot_ptr_[0], str_ref(capture_name(i))});
      store_slot(body_.capture_slots[i], RVal{out, true, types_.Any});
    }
    RVal last = emit(body_.root);
    if (last.v) emit_return(last);
    // Blocks nothing reaches (code after return, break or an error) end in `unreachable`.
    for (llvm::BasicBlock& bb : *fn_)
      if (!bb.getTerminator() && &bb != return_bb_ && &bb != unwind_bb_) {
        b_.SetInsertPoint(&bb);
        b_.CreateUnreachable();
      }
    // return: release the frame and return the value.
    b_.SetInsertPoint(return_bb_);
    release_frame();
    if (bits_ret) b_.CreateRet(b_.CreateLoad(bits_type(ctx_, s_.ret), ret_slot_));
    else b_.CreateRetVoid();
    b_.SetInsertPoint(unwind_bb_);
    release_frame();
    if (bits_ret) b_.CreateRet(llvm::UndefValue::get(bits_type(ctx_, s_.ret)));
    else b_.CreateRetVoid();
    size_frame();
  }

  // void entry(Value* out, const Value* args, int64 n): the boxed way in.
  void emit_entry() {
    auto* fty = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), {ptr_, ptr_, i64_}, false);
    auto* f = llvm::Function::Create(fty, llvm::Function::ExternalLinkage, s_.symbol + ".entry", m_);
    fn_ = f;
    b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", f));
    // A frame for boxing struct fields on the way out, sized below.
    frame_ = b_.CreateAlloca(value_ty_, llvm::ConstantInt::get(i64_, 1), "frame");
    frame_init_ = b_.CreateMemSet(frame_, llvm::ConstantInt::get(i8_, 0), llvm::ConstantInt::get(i64_, 16), llvm::MaybeAlign(8));
    std::vector<llvm::Value*> args{f->getArg(0)};
    size_t nargs = s_.argtypes.size() + s_.body->kwargs.size();
    for (size_t i = 0; i < nargs; ++i) {
      llvm::Value* p = b_.CreateGEP(value_ty_, f->getArg(1), llvm::ConstantInt::get(i64_, i));
      const Type* t = i < s_.argtypes.size() ? s_.argtypes[i] : types_.Any;
      args.push_back(is_bits(t) ? unbox(p, t) : p);
    }
    llvm::Function* callee = declare(m_, s_);
    llvm::Value* r = b_.CreateCall(callee, args);
    if (is_bits(s_.ret)) box_into(f->getArg(0), RVal{r, false, s_.ret});
    release_frame();
    b_.CreateRetVoid();
    size_frame();
  }

  // void <symbol>.kernel(const Value* args, lo, hi, n1, n2, n3, wg, rank): runs the kernel
  // body for linear indices [lo, hi), giving it the Cartesian indices (row-major) of each.
  void emit_kernel_range() {
    std::vector<llvm::Type*> params{ptr_};
    params.insert(params.end(), 7, i64_);
    auto* fty = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), params, false);
    auto* f = llvm::Function::Create(fty, llvm::Function::ExternalLinkage, s_.symbol + ".kernel", m_);
    fn_ = f;
    auto* entry = llvm::BasicBlock::Create(ctx_, "entry", f);
    b_.SetInsertPoint(entry);
    frame_ = b_.CreateAlloca(value_ty_, llvm::ConstantInt::get(i64_, 1), "frame");
    frame_init_ = b_.CreateMemSet(frame_, llvm::ConstantInt::get(i8_, 0), llvm::ConstantInt::get(i64_, 16), llvm::MaybeAlign(8));
    llvm::Value* out = temp();  // where a boxed result would go (kernels' results are dropped)
    size_t nuser = s_.argtypes.size() - 6;
    std::vector<llvm::Value*> user;
    for (size_t i = 0; i < nuser; ++i) {
      llvm::Value* p = b_.CreateGEP(value_ty_, f->getArg(0), llvm::ConstantInt::get(i64_, i));
      user.push_back(is_bits(s_.argtypes[i]) ? unbox(p, s_.argtypes[i]) : p);
    }
    llvm::Value *lo = f->getArg(1), *hi = f->getArg(2), *n2 = f->getArg(4), *n3 = f->getArg(5);
    llvm::Value *wg = f->getArg(6), *rank = f->getArg(7);
    auto* head = llvm::BasicBlock::Create(ctx_, "index.loop", f);
    auto* body = llvm::BasicBlock::Create(ctx_, "index.body", f);
    auto* done = llvm::BasicBlock::Create(ctx_, "index.done", f);
    b_.CreateBr(head);
    b_.SetInsertPoint(head);
    llvm::PHINode* lin = b_.CreatePHI(i64_, 2);
    lin->addIncoming(lo, entry);
    b_.CreateCondBr(b_.CreateICmpSLT(lin, hi), body, done);
    b_.SetInsertPoint(body);
    llvm::Value* one = llvm::ConstantInt::get(i64_, 1);
    llvm::Value* n23 = b_.CreateMul(n2, n3);
    llvm::Value* is1 = b_.CreateICmpEQ(rank, one);
    llvm::Value* is2 = b_.CreateICmpEQ(rank, llvm::ConstantInt::get(i64_, 2));
    // rank 1: (lin); rank 2: (lin ÷ n2, lin % n2); rank 3: (lin ÷ n2n3, lin ÷ n3 % n2, lin % n3)
    llvm::Value* g1 = b_.CreateSelect(is1, lin, b_.CreateSelect(is2, b_.CreateSDiv(lin, n2), b_.CreateSDiv(lin, n23)));
    llvm::Value* g2 = b_.CreateSelect(is1, llvm::ConstantInt::get(i64_, 0),
                                      b_.CreateSelect(is2, b_.CreateSRem(lin, n2), b_.CreateSRem(b_.CreateSDiv(lin, n3), n2)));
    llvm::Value* g3 = b_.CreateSelect(b_.CreateOr(is1, is2), llvm::ConstantInt::get(i64_, 0), b_.CreateSRem(lin, n3));
    std::vector<llvm::Value*> cargs{out};
    cargs.insert(cargs.end(), user.begin(), user.end());
    for (llvm::Value* v : {b_.CreateAdd(lin, one), b_.CreateAdd(g1, one), b_.CreateAdd(g2, one), b_.CreateAdd(g3, one), wg, rank})
      cargs.push_back(v);
    b_.CreateCall(declare(m_, s_), cargs);
    llvm::Value* next = b_.CreateAdd(lin, one);
    if (s_.may_throw) {
      // An error stops this range (and the launch: the other ranges see the flag too).
      llvm::Value* flag = b_.CreateLoad(llvm::Type::getInt32Ty(ctx_), pending_flag());
      llvm::Value* stop = b_.CreateICmpNE(flag, llvm::ConstantInt::get(llvm::Type::getInt32Ty(ctx_), 0));
      lin->addIncoming(next, b_.GetInsertBlock());
      b_.CreateCondBr(stop, done, head);
    } else {
      lin->addIncoming(next, b_.GetInsertBlock());
      b_.CreateBr(head);
    }
    b_.SetInsertPoint(done);
    release_frame();
    b_.CreateRetVoid();
    size_frame();
  }

  // void name(const Value* vals, lo, hi, const int64* meta): out = f(leaves...) for the flat
  // element indices [lo, hi) of a broadcast. vals[0] is the output tensor, vals[1..] the leaves;
  // meta holds the rank, the shape, then each value's strides (0 where it is stretched).
  void emit_broadcast_range(const std::string& name, llvm::Function* f, const std::vector<bool>& is_tensor,
                            const Type* out_elem) {
    auto* fty = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), {ptr_, i64_, i64_, ptr_}, false);
    fn_ = llvm::Function::Create(fty, llvm::Function::ExternalLinkage, name, m_);
    llvm::Value *vals = fn_->getArg(0), *lo = fn_->getArg(1), *hi = fn_->getArg(2), *meta = fn_->getArg(3);
    auto* entry = llvm::BasicBlock::Create(ctx_, "entry", fn_);
    b_.SetInsertPoint(entry);
    frame_ = b_.CreateAlloca(value_ty_, llvm::ConstantInt::get(i64_, 1), "frame");
    frame_init_ = b_.CreateMemSet(frame_, llvm::ConstantInt::get(i8_, 0), llvm::ConstantInt::get(i64_, 16), llvm::MaybeAlign(8));
    llvm::Value* out_slot = temp();
    TensorLayout layout = tensor_layout();
    auto meta_at = [&](llvm::Value* i) { return b_.CreateLoad(i64_, b_.CreateGEP(i64_, meta, i)); };
    llvm::Value* one = llvm::ConstantInt::get(i64_, 1);
    llvm::Value* zero = llvm::ConstantInt::get(i64_, 0);
    llvm::Value* rank = meta_at(zero);
    llvm::Value* has_dims = b_.CreateICmpSGT(rank, zero);
    llvm::Value* last = b_.CreateSub(rank, one);
    llvm::Value* safe_last = b_.CreateSelect(has_dims, last, zero);
    llvm::Value* inner = b_.CreateSelect(has_dims, meta_at(b_.CreateAdd(one, safe_last)), one);
    // Each value: its first element and its strides (tensors), or its number (scalars).
    size_t nv = is_tensor.size();
    std::vector<llvm::Value*> base(nv), strides(nv), istride(nv), scalar(nv);
    std::vector<const Type*> elem(nv);
    elem[0] = out_elem;
    for (size_t v = 1; v < nv; ++v) elem[v] = s_.argtypes[v - 1];
    for (size_t v = 0; v < nv; ++v) {
      llvm::Value* val = b_.CreateGEP(value_ty_, vals, llvm::ConstantInt::get(i64_, v));
      if (!is_tensor[v]) {
        scalar[v] = is_bits(elem[v]) ? unbox(val, elem[v]) : val;  // a function stays boxed
        continue;
      }
      auto* obj = b_.CreateLoad(ptr_, b_.CreateGEP(i8_, val, llvm::ConstantInt::get(i64_, 8)));
      auto* bp = b_.CreateLoad(ptr_, b_.CreateGEP(i8_, obj, llvm::ConstantInt::get(i64_, layout.base)));
      bp->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(ctx_, {}));
      base[v] = bp;
      // strides of value v start at meta[1 + rank + v * rank]
      strides[v] = b_.CreateGEP(i64_, meta, b_.CreateAdd(b_.CreateAdd(one, rank), b_.CreateMul(rank, llvm::ConstantInt::get(i64_, v))));
      istride[v] = b_.CreateSelect(has_dims, b_.CreateLoad(i64_, b_.CreateGEP(i64_, strides[v], safe_last)), zero);
    }
    llvm::Value* row0 = b_.CreateSDiv(lo, inner);
    llvm::Value* row_end = b_.CreateAdd(b_.CreateSDiv(b_.CreateSub(hi, one), inner), one);
    auto* row_head = llvm::BasicBlock::Create(ctx_, "row", fn_);
    auto* row_body = llvm::BasicBlock::Create(ctx_, "row.body", fn_);
    auto* done = llvm::BasicBlock::Create(ctx_, "done", fn_);
    b_.CreateBr(row_head);
    b_.SetInsertPoint(row_head);
    llvm::PHINode* row = b_.CreatePHI(i64_, 2);
    row->addIncoming(row0, entry);
    b_.CreateCondBr(b_.CreateICmpSLT(row, row_end), row_body, done);
    b_.SetInsertPoint(row_body);
    // The row's offset in each tensor: its index in every dimension but the last.
    std::vector<llvm::Value*> off(nv, zero);
    {
      auto* dim_head = llvm::BasicBlock::Create(ctx_, "dims", fn_);
      auto* dim_body = llvm::BasicBlock::Create(ctx_, "dims.body", fn_);
      auto* dim_done = llvm::BasicBlock::Create(ctx_, "dims.done", fn_);
      llvm::Value* d_start = b_.CreateSub(rank, llvm::ConstantInt::get(i64_, 2));
      llvm::BasicBlock* before = b_.GetInsertBlock();
      b_.CreateBr(dim_head);
      b_.SetInsertPoint(dim_head);
      llvm::PHINode* d = b_.CreatePHI(i64_, 2);  // from rank - 2 down to 0
      llvm::PHINode* rem = b_.CreatePHI(i64_, 2);
      d->addIncoming(d_start, before);
      rem->addIncoming(row, before);
      std::vector<llvm::PHINode*> acc(nv, nullptr);
      for (size_t v = 0; v < nv; ++v)
        if (is_tensor[v]) {
          acc[v] = b_.CreatePHI(i64_, 2);
          acc[v]->addIncoming(zero, before);
        }
      b_.CreateCondBr(b_.CreateICmpSGE(d, zero), dim_body, dim_done);
      b_.SetInsertPoint(dim_body);
      llvm::Value* extent = meta_at(b_.CreateAdd(one, d));
      llvm::Value* idx = b_.CreateSRem(rem, extent);
      for (size_t v = 0; v < nv; ++v)
        if (is_tensor[v])
          acc[v]->addIncoming(b_.CreateAdd(acc[v], b_.CreateMul(idx, b_.CreateLoad(i64_, b_.CreateGEP(i64_, strides[v], d)))),
                              dim_body);
      d->addIncoming(b_.CreateSub(d, one), dim_body);
      rem->addIncoming(b_.CreateSDiv(rem, extent), dim_body);
      b_.CreateBr(dim_head);
      b_.SetInsertPoint(dim_done);
      for (size_t v = 0; v < nv; ++v)
        if (is_tensor[v]) off[v] = acc[v];
    }
    llvm::Value* row_start = b_.CreateMul(row, inner);
    llvm::Value* jb = b_.CreateSelect(b_.CreateICmpEQ(row, row0), b_.CreateSub(lo, row_start), zero);
    llvm::Value* je = b_.CreateSelect(b_.CreateICmpEQ(row, b_.CreateSub(row_end, one)), b_.CreateSub(hi, row_start), inner);
    auto* j_head = llvm::BasicBlock::Create(ctx_, "elem", fn_);
    auto* j_body = llvm::BasicBlock::Create(ctx_, "elem.body", fn_);
    auto* row_next = llvm::BasicBlock::Create(ctx_, "row.next", fn_);
    llvm::BasicBlock* before_j = b_.GetInsertBlock();
    b_.CreateBr(j_head);
    b_.SetInsertPoint(j_head);
    llvm::PHINode* j = b_.CreatePHI(i64_, 2);
    j->addIncoming(jb, before_j);
    b_.CreateCondBr(b_.CreateICmpSLT(j, je), j_body, row_next);
    b_.SetInsertPoint(j_body);
    auto element = [&](size_t v) {
      llvm::Value* index = b_.CreateAdd(off[v], b_.CreateMul(j, istride[v]));
      return b_.CreateGEP(elem[v] == types_.Bool ? i8_ : bits_type(ctx_, elem[v]), base[v], index);
    };
    std::vector<llvm::Value*> cargs{out_slot};
    for (size_t v = 1; v < nv; ++v) {
      if (!is_tensor[v]) {
        cargs.push_back(scalar[v]);
      } else if (elem[v] == types_.Bool) {
        cargs.push_back(b_.CreateICmpNE(b_.CreateLoad(i8_, element(v)), llvm::ConstantInt::get(i8_, 0)));
      } else {
        cargs.push_back(b_.CreateLoad(bits_type(ctx_, elem[v]), element(v)));
      }
    }
    llvm::Value* r = b_.CreateCall(f, cargs);
    llvm::Value* stored = cg_cast_value(r, s_.ret, out_elem);
    llvm::Instruction* store = out_elem == types_.Bool ? b_.CreateStore(b_.CreateZExt(stored, i8_), element(0))
                                                       : b_.CreateStore(stored, element(0));
    // The iterations are independent (the runtime unaliased the leaves from the output):
    // say so, so the vectorizer needs no run-time overlap checks.
    llvm::MDNode* group = llvm::MDNode::getDistinct(ctx_, {});
    store->setMetadata(llvm::LLVMContext::MD_access_group, group);
    for (llvm::Instruction& inst : *b_.GetInsertBlock())
      if (llvm::isa<llvm::LoadInst>(inst)) inst.setMetadata(llvm::LLVMContext::MD_access_group, group);
    llvm::Value* j_next = b_.CreateAdd(j, one);
    llvm::Instruction* back;
    if (s_.may_throw) {
      llvm::Value* flag = b_.CreateLoad(llvm::Type::getInt32Ty(ctx_), pending_flag());
      j->addIncoming(j_next, b_.GetInsertBlock());
      back = b_.CreateCondBr(b_.CreateICmpNE(flag, llvm::ConstantInt::get(llvm::Type::getInt32Ty(ctx_), 0)), done, j_head);
    } else {
      j->addIncoming(j_next, b_.GetInsertBlock());
      back = b_.CreateBr(j_head);
    }
    // llvm.loop.parallel_accesses names the access group above on the loop's back edge.
    llvm::MDNode* parallel = llvm::MDNode::get(ctx_, {llvm::MDString::get(ctx_, "llvm.loop.parallel_accesses"), group});
    llvm::TempMDTuple self = llvm::MDNode::getTemporary(ctx_, {});
    llvm::MDNode* loop_id = llvm::MDNode::getDistinct(ctx_, {self.get(), parallel});
    loop_id->replaceOperandWith(0, loop_id);
    back->setMetadata(llvm::LLVMContext::MD_loop, loop_id);
    b_.SetInsertPoint(row_next);
    row->addIncoming(b_.CreateAdd(row, one), row_next);
    b_.CreateBr(row_head);
    b_.SetInsertPoint(done);
    release_frame();
    b_.CreateRetVoid();
    size_frame();
  }
  llvm::Value* cg_cast_value(llvm::Value* v, const Type* from, const Type* to);

  // On a way out: the boxed values of the frame are released.
  void release_frame() {
    if (nframe_ > 0) call_void("tsr_frame_release", {frame_, llvm::ConstantInt::get(i64_, nframe_)});
  }
  // Once the body is generated and the frame's size known: size it, or remove it when only
  // numbers were used (this keeps small functions small).
  void size_frame() {
    if (nframe_ == 0) {
      frame_init_->eraseFromParent();
      frame_->eraseFromParent();
    } else {
      frame_->setOperand(0, llvm::ConstantInt::get(i64_, nframe_));
      frame_init_->setOperand(2, llvm::ConstantInt::get(i64_, 16 * nframe_));
    }
  }

 public:
  const std::string& capture_name(size_t i) { return body_.slots[body_.capture_slots[i]].name; }

  // ---- helpers ----
  llvm::Value* temp() {
    return b_.CreateGEP(value_ty_, frame_, llvm::ConstantInt::get(i64_, nframe_++));
  }
  // n consecutive frame slots (arguments to a boxed call).
  llvm::Value* temps(int n) {
    llvm::Value* first = b_.CreateGEP(value_ty_, frame_, llvm::ConstantInt::get(i64_, nframe_));
    nframe_ += n;
    return first;
  }
  llvm::Value* ptr_const(const void* p) {
    return llvm::ConstantExpr::getIntToPtr(llvm::ConstantInt::get(i64_, reinterpret_cast<uint64_t>(p)), ptr_);
  }
  // A runtime object by name (jit/constants.hpp), or by address when it has no name: then
  // the module cannot be cached.
  llvm::Value* named(const std::string& symbol, const void* address) {
    if (symbol.empty()) {
      cacheable_ = false;
      return ptr_const(address);
    }
    return m_.getOrInsertGlobal(symbol, i8_);
  }
  llvm::Value* str_ref(const std::string& s) { return named(string_symbol(s), &s); }
  llvm::Value* cstr_ref(const char* s) { return named(cstring_symbol(s), s); }
  llvm::Value* type_ref(const Type* t) { return named(type_symbol(types_, t), t); }
  llvm::Value* fn_ref(const GenericFunction* f) { return named(function_symbol(f), f); }
  llvm::Value* value_ref(const Value& v) { return named(value_symbol(types_, v), &v); }
  llvm::Value* strs_ref(const std::vector<std::string>& xs) {
    if (xs.empty()) return llvm::ConstantPointerNull::get(ptr_);
    return named(strings_symbol(xs.data(), xs.size()), xs.data());
  }
  // The C++ method a static call was bound to (its function is the call's callee).
  llvm::Value* method_ref(const Node* call) {
    const Value& callee = call->kids[0]->literal;
    if (!callee.defined() || callee.payload() != Payload::Function) return named("", call->method);
    return named(method_symbol(*callee.as_function(), call->method), call->method);
  }
  llvm::FunctionCallee abi(const char* name, llvm::Type* ret, std::vector<llvm::Type*> params) {
    return m_.getOrInsertFunction(name, llvm::FunctionType::get(ret, params, false));
  }
  llvm::CallInst* call_void(const char* name, std::vector<llvm::Value*> args) {
    std::vector<llvm::Type*> ps;
    for (auto* a : args) ps.push_back(a->getType());
    return b_.CreateCall(abi(name, llvm::Type::getVoidTy(ctx_), ps), args);
  }

  llvm::Value* unbox(llvm::Value* p, const Type* t) {
    llvm::Type* bt = bits_type(ctx_, t);
    auto dt = as_datatype(t);
    if (is_inline_struct(dt)) {
      // The boxed struct's field Values, each unboxed into the LLVM struct.
      llvm::Value* fields = b_.CreateCall(abi("tsr_struct_fields", ptr_, {ptr_}), {p});
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

  void box_into(llvm::Value* dst, RVal r) {
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
        bool is_unsigned = dt->name->name[0] == 'U';
        llvm::Value* w = r.v->getType() == i64_ ? r.v : (is_unsigned ? b_.CreateZExt(r.v, i64_) : b_.CreateSExt(r.v, i64_));
        call_void("tsr_box_int", {dst, type_ref(dt), w});
        return;
      }
    }
  }

  // A pointer to a Value holding r (boxing a bits value into a fresh temporary).
  llvm::Value* as_boxed(RVal r) {
    if (r.boxed) return r.v;
    llvm::Value* t = temp();
    box_into(t, r);
    return t;
  }
  // The scalar of a bits-typed value (unboxing when it is held boxed).
  llvm::Value* as_bits(RVal r) { return r.boxed ? unbox(r.v, r.type) : r.v; }

  bool is_bits_slot(int slot) const {
    const Type* st = body_.slots[slot].type;
    return st && is_bits(st) && !body_.slots[slot].is_cell;
  }
  void store_slot(int slot, RVal r) {
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

  RVal load_slot(int slot, const Node* at = nullptr) {
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
    check_error(nullptr);
    return RVal{t, true, st};
  }

  // Whether the Value at v never changes while this function runs, so a load of its object may
  // be marked invariant: a kernel's argument, which the launch holds for the whole launch.
  // (Not any function's argument: inlined into its caller, the argument becomes the caller's
  // frame slot, written before the call, and an invariant load of it would read the old value.)
  bool value_fixed(llvm::Value* v) const { return s_.kernel && llvm::isa<llvm::Argument>(v); }

  // A boxed slot read where it lives, without the copy load_slot makes (an atomic retain and
  // release): for an inline element access, which calls no code that could assign the slot
  // while the value is in use.
  RVal load_slot_in_place(int slot, const Node* at) {
    const Type* st = body_.slots[slot].type;
    if (!st || st->kind == TypeKind::Bottom || is_bits(st) || body_.slots[slot].is_cell || readonly_arg_[slot])
      return load_slot(slot, at);
    llvm::Value* type_word = b_.CreateLoad(ptr_, slot_ptr_[slot]);
    raise_undef_unless(b_.CreateICmpNE(type_word, llvm::ConstantPointerNull::get(ptr_)), slot, at);
    return RVal{slot_ptr_[slot], true, st};
  }
  // An UndefVarError naming the slot unless `defined` (expected to hold) is true.
  void raise_undef_unless(llvm::Value* defined, int slot, const Node* at) {
    auto* undef = llvm::BasicBlock::Create(ctx_, "undef", fn_);
    auto* ok = llvm::BasicBlock::Create(ctx_, "defined", fn_);
    b_.CreateCondBr(defined, ok, undef, llvm::MDBuilder(ctx_).createBranchWeights(1000000, 1));
    b_.SetInsertPoint(undef);
    call_void("tsr_raise_undef", {str_ref(body_.slots[slot].name)});
    check_error(at);
    b_.CreateUnreachable();
    b_.SetInsertPoint(ok);
  }
  static bool assigns_slot(const Node* n, int slot) {
    if (n->op == Op::SetSlot && n->slot == slot) return true;
    for (const Node* k : n->kids)
      if (assigns_slot(k, slot)) return true;
    return false;
  }
  // An inline tensor or vector access whose collection is a local variable that the other
  // arguments do not assign: it may read the variable in place.
  static bool reads_collection_in_place(const Node* n) {
    bool inline_access = n->bind == Bind::TensorGet || n->bind == Bind::TensorSet || n->bind == Bind::TensorAtomicAdd ||
                         n->bind == Bind::TensorSize || n->bind == Bind::TensorLength || n->bind == Bind::VectorGet ||
                         n->bind == Bind::VectorSet || n->bind == Bind::VectorLength;
    if (!inline_access || n->kids.size() < 2 || n->kids[1]->op != Op::Slot) return false;
    for (size_t i = 2; i < n->kids.size(); ++i)
      if (assigns_slot(n->kids[i], n->kids[1]->slot)) return false;
    return true;
  }

  // After a call that can fail: on error go to the innermost catch, or record this frame
  // and leave.
  void check_error(const Node* at) {
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

  // Top-level statements say which line runs, for an error that abandons every frame (stack
  // overflow): one store per statement, in code that runs once.
  void note_toplevel_line(uint32_t line) {
    auto* g = m_.getGlobalVariable("tsr_toplevel_line");
    if (!g) g = new llvm::GlobalVariable(m_, i64_, false, llvm::GlobalValue::ExternalLinkage, nullptr, "tsr_toplevel_line");
    b_.CreateStore(llvm::ConstantInt::get(i64_, line), g);
  }

  llvm::Value* pending_flag() {
    if (auto g = m_.getGlobalVariable("tsr_pending")) return g;
    return new llvm::GlobalVariable(m_, llvm::Type::getInt32Ty(ctx_), false, llvm::GlobalValue::ExternalLinkage,
                                    nullptr, "tsr_pending");
  }

  // Continue emitting into a block nothing reaches (after return, break, throw).
  RVal dead() {
    b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "dead", fn_));
    return RVal{nullptr, false, types_.bottom()};
  }

  void emit_return(RVal r) {
    if (is_bits(s_.ret)) {
      b_.CreateStore(convert_bits(r, s_.ret), ret_slot_);
    } else if (s_.ret->kind != TypeKind::Bottom) {
      call_void("tsr_assign", {out_, as_boxed(r)});
    }
    b_.CreateBr(return_bb_);
  }

  // r as a scalar of bits type t (r's own type is t, or it is boxed holding a t).
  llvm::Value* convert_bits(RVal r, const Type* t) {
    if (!r.boxed) return r.v;
    return unbox(r.v, t);
  }

  // ---- nodes ----
  RVal emit(Node* n) {
    switch (n->op) {
      case Op::Literal: return literal(n->literal, n->type);
      case Op::Slot: return load_slot(n->slot, n);
      case Op::SetSlot: {
        RVal v = emit(n->kids[0]);
        if (!v.v) return v;
        store_slot(n->slot, v);
        return v;
      }
      case Op::Global: {
        if (n->literal.defined()) return literal(n->literal, n->type);
        llvm::Value* t = temp();
        call_void("tsr_get_global", {t, str_ref(n->name)});
        check_error(n);
        return RVal{t, true, types_.Any};
      }
      case Op::SetGlobal: {
        RVal v = emit(n->kids[0]);
        if (!v.v) return v;
        call_void("tsr_set_global", {str_ref(n->name), as_boxed(v)});
        check_error(n);
        return v;
      }
      case Op::Call: return call(n);
      case Op::Block: {
        RVal last{nullptr, false, types_.Nothing};
        if (n->kids.empty()) return literal_nothing();
        for (Node* k : n->kids) {
          if (n == body_.root && !s_.method) note_toplevel_line(k->loc.line);
          last = emit(k);
          if (!last.v) return dead();
        }
        return last;
      }
      case Op::If: return emit_if(n);
      case Op::While: return emit_while(n);
      case Op::Break:
        if (!run_finallies(loops_.back().finally_depth)) return dead();
        b_.CreateBr(loops_.back().brk);
        return dead();
      case Op::Continue:
        if (!run_finallies(loops_.back().finally_depth)) return dead();
        b_.CreateBr(loops_.back().cont);
        return dead();
      case Op::Return: {
        RVal v = emit(n->kids[0]);
        if (!v.v) return dead();
        // The value is computed first; then the `finally` blocks being left run.
        if (!v.boxed) {
          if (!run_finallies(0)) return dead();
          emit_return(v);
          return dead();
        }
        llvm::Value* keep = temp();
        call_void("tsr_assign", {keep, v.v});
        if (!run_finallies(0)) return dead();
        emit_return(RVal{keep, true, v.type});
        return dead();
      }
      case Op::And:
      case Op::Or: return emit_andor(n);
      case Op::Tuple:
      case Op::Vect: {
        int k = static_cast<int>(n->kids.size());
        llvm::Value* args = emit_into_temps(n->kids);
        if (!args) return dead();
        llvm::Value* out = temp();
        call_void(n->op == Op::Tuple ? "tsr_make_tuple" : "tsr_make_vect", {out, args, llvm::ConstantInt::get(i64_, k)});
        return RVal{out, true, n->type};
      }
      case Op::GetField: {
        RVal obj = emit(n->kids[0]);
        if (!obj.v) return obj;
        if (!obj.boxed && is_inline_struct(obj.type)) {
          auto dt = as_datatype(obj.type);
          const auto& names = dt->name->field_names;
          for (size_t i = 0; i < names.size(); ++i)
            if (names[i] == n->name)
              return RVal{b_.CreateExtractValue(obj.v, {static_cast<unsigned>(i)}), false, dt->field_types[i]};
        }
        llvm::Value* out = temp();
        call_void("tsr_getfield", {out, as_boxed(obj), str_ref(n->name)});
        check_error(n);
        return RVal{out, true, n->type};
      }
      case Op::SetField: {
        RVal obj = emit(n->kids[0]);
        if (!obj.v) return obj;
        RVal v = emit(n->kids[1]);
        if (!v.v) return v;
        call_void("tsr_setfield", {as_boxed(obj), str_ref(n->name), as_boxed(v)});
        check_error(n);
        return v;
      }
      case Op::Try: return emit_try(n);
      case Op::TypeAssert: {
        RVal v = emit(n->kids[0]);
        if (!v.v) return v;
        if (v.boxed && !types_.issub(v.type, n->type_arg)) {
          call_void("tsr_typeassert", {v.v, type_ref(n->type_arg)});
          check_error(n);
        } else if (!v.boxed && !types_.issub(v.type, n->type_arg)) {
          llvm::Value* p = as_boxed(v);
          call_void("tsr_typeassert", {p, type_ref(n->type_arg)});
          check_error(n);
          return dead();
        }
        return RVal{v.v, v.boxed, n->type};
      }
      case Op::Lambda: {
        int k = static_cast<int>(n->kids.size());
        llvm::Value* args = emit_into_temps(n->kids);
        if (!args) return dead();
        llvm::Value* out = temp();
        call_void("tsr_make_closure", {out, type_ref(n->type_arg), args, llvm::ConstantInt::get(i64_, k)});
        return RVal{out, true, n->type};
      }
      case Op::Unset: {
        // Its scope starts again (a loop iteration): a local some read may find unassigned
        // loses its value; for the others this is nothing.
        if (maybe_unassigned_[n->slot] && !body_.slots[n->slot].is_cell) {
          if (defined_flag_[n->slot]) b_.CreateStore(b_.getFalse(), defined_flag_[n->slot]);
          else if (!is_bits_slot(n->slot)) call_void("tsr_frame_release", {slot_ptr_[n->slot], llvm::ConstantInt::get(i64_, 1)});
        }
        return literal(Value::singleton(types_.Nothing), types_.Nothing);
      }
      case Op::NewCell: {
        llvm::Value* out = temp();
        call_void("tsr_new_cell", {out});
        return RVal{out, true, n->type};
      }
      case Op::CellGet: {
        RVal cell = emit(n->kids[0]);
        llvm::Value* out = temp();
        call_void("tsr_cell_get", {out, as_boxed(cell), str_ref(n->name)});
        check_error(n);
        return RVal{out, true, types_.Any};
      }
      case Op::SParam: {
        if (n->literal.defined()) return literal(n->literal, n->type);
        call_void("tsr_raise_undef", {str_ref(body_.sparams[n->slot]->name)});
        check_error(n);
        return dead();
      }
      case Op::CellSet: {
        RVal cell = emit(n->kids[0]);
        RVal v = emit(n->kids[1]);
        if (!v.v) return v;
        call_void("tsr_cell_set", {as_boxed(cell), as_boxed(v)});
        return v;
      }
    }
    throw InternalError(std::string("codegen: unhandled node ") + op_name(n->op));
  }

  RVal literal_nothing() { return RVal{llvm::ConstantInt::getFalse(ctx_), false, types_.Nothing}; }

  RVal literal(const Value& v, const Type* t) {
    if (is_inline_struct(v.type())) return RVal{value_ref(v), true, v.type()};
    if (is_bits(v.type())) {
      const DataType* dt = v.type();
      switch (dt->name->payload) {
        case Payload::Float64: return RVal{llvm::ConstantFP::get(llvm::Type::getDoubleTy(ctx_), v.as_f64()), false, dt};
        case Payload::Float32: return RVal{llvm::ConstantFP::get(llvm::Type::getFloatTy(ctx_), v.as_f32()), false, dt};
        case Payload::Bool: return RVal{llvm::ConstantInt::get(i1_, v.as_bool()), false, dt};
        case Payload::None: return literal_nothing();
        default: return RVal{llvm::ConstantInt::get(bits_type(ctx_, dt), static_cast<uint64_t>(v.as_int()), true), false, dt};
      }
    }
    return RVal{value_ref(v), true, t};
  }

  // Evaluates nodes into consecutive frame slots; nullptr when one of them does not finish.
  llvm::Value* emit_into_temps(const std::vector<Node*>& nodes) {
    std::vector<RVal> vals;
    for (Node* kid : nodes) {
      vals.push_back(emit(kid));
      if (!vals.back().v) return nullptr;
    }
    llvm::Value* first = temps(std::max(static_cast<int>(vals.size()), 1));
    store_args(first, vals);
    return first;
  }

  // Writes values into consecutive frame slots starting at `first`.
  void store_args(llvm::Value* first, const std::vector<RVal>& vals) {
    for (size_t i = 0; i < vals.size(); ++i) {
      llvm::Value* dst = b_.CreateGEP(value_ty_, first, llvm::ConstantInt::get(i64_, i));
      if (vals[i].boxed) call_void("tsr_assign", {dst, vals[i].v});
      else box_into(dst, vals[i]);
    }
  }

  llvm::Value* truth(RVal c, const Node* at) {
    if (!c.boxed && c.type == types_.Bool) return c.v;
    llvm::Value* p = as_boxed(c);
    auto callee = abi("tsr_truthy", i8_, {ptr_});
    llvm::Value* r = b_.CreateCall(callee, {p});
    check_error(at);
    return b_.CreateICmpNE(r, llvm::ConstantInt::get(i8_, 0));
  }

  // Where an expression with branches keeps its result: an alloca for bits, a frame slot else.
  struct ResultSlot {
    llvm::Value* p = nullptr;
    bool bits = false;
    const Type* type = nullptr;
  };
  ResultSlot result_slot(const Type* t) {
    ResultSlot r;
    r.type = t;
    if (t->kind == TypeKind::Bottom) return r;
    r.bits = is_bits(t);
    if (r.bits) {
      llvm::IRBuilder<> eb(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
      r.p = eb.CreateAlloca(bits_type(ctx_, t));
    } else {
      r.p = temp();
    }
    return r;
  }
  void put(ResultSlot& r, RVal v) {
    if (!r.p || !v.v) return;
    if (r.bits) b_.CreateStore(as_bits(RVal{v.v, v.boxed, r.type}), r.p);
    else call_void("tsr_assign", {r.p, as_boxed(v)});
  }
  // Stores a branch's value and jumps to the join; a branch that did not finish (return,
  // break, error) has no value and no jump.
  void put_and_branch(ResultSlot& r, RVal v, llvm::BasicBlock* join) {
    if (!v.v) return;
    put(r, v);
    b_.CreateBr(join);
  }
  RVal get(const ResultSlot& r) {
    if (!r.p) return dead();
    if (r.bits) return RVal{b_.CreateLoad(bits_type(ctx_, r.type), r.p), false, r.type};
    return RVal{r.p, true, r.type};
  }

  RVal emit_if(Node* n) {
    RVal c = emit(n->kids[0]);
    if (!c.v) return c;
    llvm::Value* cond = truth(c, n);
    ResultSlot r = result_slot(n->type);
    auto* then_bb = llvm::BasicBlock::Create(ctx_, "then", fn_);
    auto* else_bb = llvm::BasicBlock::Create(ctx_, "else", fn_);
    auto* join = llvm::BasicBlock::Create(ctx_, "endif", fn_);
    b_.CreateCondBr(cond, then_bb, else_bb);
    b_.SetInsertPoint(then_bb);
    RVal a = emit(n->kids[1]);
    put_and_branch(r, a, join);
    b_.SetInsertPoint(else_bb);
    RVal e = n->kids.size() > 2 ? emit(n->kids[2]) : literal_nothing();
    put_and_branch(r, e, join);
    b_.SetInsertPoint(join);
    return get(r);
  }

  // Runs the `finally` blocks entered since `depth`, innermost first (leaving by return,
  // break or continue). False when one of them does not finish.
  bool run_finallies(size_t depth) {
    std::vector<Node*> pending(finally_stack_.begin() + static_cast<long>(depth), finally_stack_.end());
    std::vector<Node*> saved = finally_stack_;
    for (size_t i = pending.size(); i-- > 0;) {
      finally_stack_.resize(depth + i);  // a return inside a finally leaves only the outer ones
      RVal f = emit(pending[i]);
      if (!f.v) {
        finally_stack_ = saved;
        return false;
      }
    }
    finally_stack_ = saved;
    return true;
  }

  RVal emit_while(Node* n) {
    auto* cond_bb = llvm::BasicBlock::Create(ctx_, "loop.cond", fn_);
    auto* body_bb = llvm::BasicBlock::Create(ctx_, "loop.body", fn_);
    auto* step_bb = llvm::BasicBlock::Create(ctx_, "loop.step", fn_);
    auto* exit_bb = llvm::BasicBlock::Create(ctx_, "loop.exit", fn_);
    b_.CreateBr(cond_bb);
    b_.SetInsertPoint(cond_bb);
    RVal c = emit(n->kids[0]);
    if (c.v) b_.CreateCondBr(truth(c, n), body_bb, exit_bb);
    b_.SetInsertPoint(body_bb);
    loops_.push_back({exit_bb, step_bb, finally_stack_.size()});
    RVal body = emit(n->kids[1]);
    if (body.v) b_.CreateBr(step_bb);
    b_.SetInsertPoint(step_bb);
    if (n->kids.size() > 2) {
      RVal s = emit(n->kids[2]);
      if (s.v) b_.CreateBr(cond_bb);
    } else {
      b_.CreateBr(cond_bb);
    }
    loops_.pop_back();
    b_.SetInsertPoint(exit_bb);
    return literal_nothing();
  }

  RVal emit_andor(Node* n) {
    bool is_and = n->op == Op::And;
    ResultSlot r = result_slot(n->type);
    RVal a = emit(n->kids[0]);
    if (!a.v) return a;
    llvm::Value* ca = truth(a, n);
    auto* rhs = llvm::BasicBlock::Create(ctx_, is_and ? "and.rhs" : "or.rhs", fn_);
    auto* shortcut = llvm::BasicBlock::Create(ctx_, "shortcut", fn_);
    auto* join = llvm::BasicBlock::Create(ctx_, "join", fn_);
    b_.CreateCondBr(ca, is_and ? rhs : shortcut, is_and ? shortcut : rhs);
    b_.SetInsertPoint(shortcut);
    put(r, RVal{llvm::ConstantInt::get(i1_, !is_and), false, types_.Bool});
    b_.CreateBr(join);
    b_.SetInsertPoint(rhs);
    RVal bv = emit(n->kids[1]);
    put_and_branch(r, bv, join);
    b_.SetInsertPoint(join);
    return get(r);
  }

  // try / catch / finally. Errors in the body go to the catch block (or, for try/finally
  // without catch, straight to finally.error); errors in the handler go to finally.error,
  // which runs `finally` and carries the error on. A normal exit runs `finally` at the end.
  RVal emit_try(Node* n) {
    ResultSlot r = result_slot(n->type);
    auto* after = llvm::BasicBlock::Create(ctx_, "endtry", fn_);
    bool has_finally = n->kids.size() > 2;
    bool has_catch = !(has_finally && n->name == "nocatch");
    auto* catch_bb = has_catch ? llvm::BasicBlock::Create(ctx_, "catch", fn_) : nullptr;
    auto* finally_err = has_finally ? llvm::BasicBlock::Create(ctx_, "finally.error", fn_) : nullptr;
    catch_stack_.push_back(has_catch ? catch_bb : finally_err);
    if (has_finally) finally_stack_.push_back(n->kids[2]);
    put_and_branch(r, emit(n->kids[0]), after);
    catch_stack_.pop_back();
    if (has_catch) {
      b_.SetInsertPoint(catch_bb);
      bool slot_boxed = n->slot >= 0 && !(body_.slots[n->slot].type && is_bits(body_.slots[n->slot].type));
      call_void("tsr_take_error", {slot_boxed ? slot_ptr_[n->slot] : temp()});
      if (has_finally) catch_stack_.push_back(finally_err);
      put_and_branch(r, emit(n->kids[1]), after);
      if (has_finally) catch_stack_.pop_back();
    }
    if (has_finally) {
      finally_stack_.pop_back();
      b_.SetInsertPoint(finally_err);
      llvm::Value* saved = temp();
      call_void("tsr_take_error", {saved});
      if (emit(n->kids[2]).v) {
        call_void("tsr_rethrow", {saved});
        check_error(n);
        b_.CreateBr(after);  // not reached: the flag is set
      }
    }
    b_.SetInsertPoint(after);
    if (has_finally && !emit(n->kids[2]).v) return dead();
    return get(r);
  }

  // ---- calls ----
  RVal call(Node* n) {
    std::vector<RVal> args;
    if (n->bind == Bind::Folded) {
      // Computed at compile time; arguments that are not constants still run (for their effects).
      for (size_t i = 1; i < n->kids.size(); ++i) {
        const Node* k = n->kids[i];
        bool constant = k->op == Op::Literal || ((k->op == Op::Global || k->op == Op::SParam) && k->literal.defined()) ||
                        (k->op == Op::Call && k->bind == Bind::Folded);
        if (!constant && !emit(n->kids[i]).v) return dead();
      }
      return literal(n->literal, n->type);
    }
    RVal callee = emit(n->kids[0]);
    if (!callee.v) return callee;
    for (size_t i = 1; i < n->kids.size(); ++i) {
      args.push_back(i == 1 && reads_collection_in_place(n) ? load_slot_in_place(n->kids[1]->slot, n->kids[1]) : emit(n->kids[i]));
      if (!args.back().v) return dead();
    }
    if (n->type && n->type->kind == TypeKind::Bottom && n->bind == Bind::Unresolved) return dead();
    switch (n->bind) {
      case Bind::Intrinsic: return intrinsic(n, args);
      case Bind::Static:
        if (n->spec) return call_spec(n, args);
        return call_boxed(n, args, [&](llvm::Value* out, llvm::Value* argv, int k) {
          call_void("tsr_call_method", {out, method_ref(n), argv, llvm::ConstantInt::get(i64_, k)});
        });
      case Bind::TensorGet:
      case Bind::TensorSet:
      case Bind::TensorAtomicAdd:
        return tensor_access(n, args);
      case Bind::TensorSize:
      case Bind::TensorLength:
        return tensor_shape_query(n, args);
      case Bind::VectorGet:
      case Bind::VectorSet:
      case Bind::VectorLength:
        return vector_access(n, args);
      case Bind::Barrier:
        call_void("tsr_kernel_barrier", {as_bits(args[0])});
        check_error(n);
        return literal_nothing();
      case Bind::Construct: {
        const Type* t = n->kids[0]->literal.as_type();
        if (RVal v = construct_inline(n, args); v.v) return v;
        return call_boxed(n, args, [&](llvm::Value* out, llvm::Value* argv, int k) {
          call_void("tsr_construct", {out, type_ref(t), argv, llvm::ConstantInt::get(i64_, k)});
        });
      }
      default: break;
    }
    const Value* c = n->kids[0]->literal.defined() ? &n->kids[0]->literal : nullptr;
    if (c && c->payload() == Payload::Function && n->kwnames.empty()) {
      return call_boxed(n, args, [&](llvm::Value* out, llvm::Value* argv, int k) {
        call_void("tsr_call_dynamic", {out, fn_ref(c->as_function()), argv, llvm::ConstantInt::get(i64_, k)});
      });
    }
    llvm::Value* fval = as_boxed(callee);
    return call_boxed(n, args, [&](llvm::Value* out, llvm::Value* argv, int k) {
      call_void("tsr_call_value", {out, fval, argv, llvm::ConstantInt::get(i64_, k),
                                   strs_ref(n->kwnames),
                                   llvm::ConstantInt::get(i64_, n->kwnames.size())});
    });
  }

  template <class F>
  RVal call_boxed(Node* n, const std::vector<RVal>& args, F&& emit_call) {
    int k = static_cast<int>(args.size());
    llvm::Value* argv = temps(std::max(k, 1));
    store_args(argv, args);
    llvm::Value* out = temp();
    emit_call(out, argv, k);
    check_error(n);
    if (n->type && n->type->kind == TypeKind::Bottom) return dead();
    return RVal{out, true, n->type ? n->type : types_.Any};
  }

  // The function a static call goes to: the specialization, or a private copy of it in this
  // module (Compiler::inline_copy), made on first use.
  llvm::Function* callee_function(Spec& callee) {
    if (!c_.inline_copy(s_, callee)) return declare(m_, callee);
    std::string name = callee.symbol + ".copy";
    if (auto f = m_.getFunction(name)) return f;
    FnGen g(c_, m_, callee);
    g.emit_function(name);
    cacheable_ = cacheable_ && g.cacheable_;
    return m_.getFunction(name);
  }

  RVal call_spec(Node* n, const std::vector<RVal>& args) {
    Spec& callee = *n->spec;
    llvm::Function* f = callee_function(callee);
    llvm::Value* out = is_bits(callee.ret) ? llvm::ConstantPointerNull::get(ptr_) : temp();
    std::vector<llvm::Value*> cargs{out};
    for (size_t i = 0; i < args.size(); ++i) {
      const Type* t = callee.argtypes[i];
      cargs.push_back(is_bits(t) ? as_bits(RVal{args[i].v, args[i].boxed, t}) : as_boxed(args[i]));
    }
    for (size_t k = 0; k < callee.body->kwargs.size(); ++k) cargs.push_back(temp());  // none given
    llvm::Value* r = b_.CreateCall(f, cargs);
    if (callee.may_throw) check_error(n);
    if (callee.ret->kind == TypeKind::Bottom) return dead();
    if (is_bits(callee.ret)) return RVal{r, false, callee.ret};
    return RVal{out, true, callee.ret};
  }

  RVal intrinsic(Node* n, const std::vector<RVal>& args);
  // A struct built in registers when it is held unboxed and the arguments fit its fields
  // exactly (or widen from integers to floats); else no value (the runtime builds it).
  RVal construct_inline(Node* n, const std::vector<RVal>& args);
  // t[i, j] / t[i, j] = v: the element's address from the tensor's base and strides, with
  // the indices checked against its shape (a BoundsError naming both otherwise).
  void fixed_argument(llvm::Value* tv, llvm::LoadInst* obj);
  RVal tensor_access(Node* n, const std::vector<RVal>& args);
  // size(t, d) and length(t) from the tensor's shape.
  RVal tensor_shape_query(Node* n, const std::vector<RVal>& args);
  RVal tensor_load_store(Node* n, const std::vector<RVal>& args, llvm::Value* addr, llvm::Type* et, const Type* elem);
  // v[i], v[i] = x and length(v) on a Vector's element Values (codegen_vectors.inc).
  RVal vector_access(Node* n, const std::vector<RVal>& args);
  // Scoped no-alias metadata on an access to tensor argument alias_arg_ of a kernel whose
  // tensor arguments have distinct storage (Spec::kNoAliasBit).
  void mark_alias_scope(llvm::Instruction* access);
  int alias_arg_ = -1;
  llvm::MDNode* alias_domain_ = nullptr;
  std::vector<llvm::Metadata*> alias_scopes_;

  friend RVal emit_intrinsic(FnGen& g, Node* n, const std::vector<RVal>& args);

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

}  // namespace

}  // namespace tsr::jit

#include "jit/codegen_intrinsics.inc"
#include "jit/codegen_vectors.inc"

namespace tsr::jit {

void generate_broadcast(Compiler& c, llvm::Module& m, Spec& f, const std::vector<bool>& is_tensor, const Type* out_elem,
                        const std::string& name) {
  FnGen body(c, m, f);
  body.emit_function(name + ".f");
  FnGen loop(c, m, f);
  loop.emit_broadcast_range(name, m.getFunction(name + ".f"), is_tensor, out_elem);
}

bool generate(Compiler& c, llvm::Module& m, const std::vector<Spec*>& specs) {
  bool cacheable = true;
  for (Spec* s : specs) {
    FnGen g(c, m, *s);
    g.emit_function();
    FnGen e(c, m, *s);
    e.emit_entry();
    cacheable = cacheable && g.cacheable_ && e.cacheable_;
    if (s->kernel) {
      FnGen k(c, m, *s);
      k.emit_kernel_range();
      cacheable = cacheable && k.cacheable_;
    }
  }
  return cacheable;
}

}  // namespace tsr::jit
