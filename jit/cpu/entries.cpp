// The ways into compiled code: the boxed entry point of a specialization, the index-range
// loop of a kernel, and the loop of a fused broadcast.
#include "jit/cpu/fn_gen.hpp"
#include "jit/cpu/generate.hpp"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>

#include "jit/builtins.hpp"
#include "jit/constants.hpp"
#include "jit/definite_assignment.hpp"
#include "jit/intrinsics.hpp"
#include "runtime/errors.hpp"
#include "runtime/tensor.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_layout.hpp"

namespace tsr::jit::cpu {

void FnGen::emit_entry() {
  auto* fty = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), {ptr_, ptr_, i64_}, false);
  auto* f = llvm::Function::Create(fty, llvm::Function::ExternalLinkage, s_.symbol + ".entry", m_);
  fn_ = f;
  b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", f));
  // A frame for boxing struct fields on the way out, sized below.
  open_frame();
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
  else if (is_function_singleton(s_.ret)) call_void("tsr_assign", {f->getArg(0), function_constant(s_.ret).v});
  release_frame();
  b_.CreateRetVoid();
  size_frame();
}

void FnGen::emit_kernel_range() {
  std::vector<llvm::Type*> params{ptr_};
  params.insert(params.end(), 7, i64_);
  auto* fty = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), params, false);
  auto* f = llvm::Function::Create(fty, llvm::Function::ExternalLinkage, s_.symbol + ".kernel", m_);
  fn_ = f;
  auto* entry = llvm::BasicBlock::Create(ctx_, "entry", f);
  b_.SetInsertPoint(entry);
  open_frame();
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

void FnGen::emit_broadcast_range(const BroadcastLoop& loop, llvm::Function* f) {
  auto* fty = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), {ptr_, i64_, i64_, ptr_}, false);
  fn_ = llvm::Function::Create(fty, llvm::Function::ExternalLinkage, loop.name, m_);
  llvm::Value *vals = fn_->getArg(0), *lo = fn_->getArg(1), *hi = fn_->getArg(2), *meta = fn_->getArg(3);
  auto* entry = llvm::BasicBlock::Create(ctx_, "entry", fn_);
  b_.SetInsertPoint(entry);
  open_frame();
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
  // Each value (the outputs, then the leaves): its first element and its strides (tensors),
  // or its number (scalars).
  size_t nout = loop.outs.size();
  std::vector<bool> is_tensor(nout, true);
  is_tensor.insert(is_tensor.end(), loop.is_tensor.begin(), loop.is_tensor.end());
  size_t nv = is_tensor.size();
  std::vector<llvm::Value*> base(nv), strides(nv), istride(nv), scalar(nv);
  std::vector<const Type*> elem(nv);
  for (size_t v = 0; v < nout; ++v) elem[v] = loop.outs[v].elem;
  for (size_t v = nout; v < nv; ++v) elem[v] = s_.argtypes[v - nout];
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
  for (size_t v = nout; v < nv; ++v) {
    if (!is_tensor[v]) {
      cargs.push_back(scalar[v]);
    } else if (elem[v] == types_.Bool) {
      cargs.push_back(b_.CreateICmpNE(b_.CreateLoad(i8_, element(v)), llvm::ConstantInt::get(i8_, 0)));
    } else {
      cargs.push_back(b_.CreateLoad(bits_type(ctx_, elem[v]), element(v)));
    }
  }
  llvm::Value* r = b_.CreateCall(f, cargs);
  for (size_t v = 0; v < nout; ++v) {
    // The whole result, or one field of the struct f returns.
    const BroadcastOut& o = loop.outs[v];
    const Type* from = o.field < 0 ? s_.ret : as_datatype(s_.ret)->field_types[static_cast<size_t>(o.field)];
    llvm::Value* value = o.field < 0 ? r : b_.CreateExtractValue(r, {static_cast<unsigned>(o.field)});
    llvm::Value* stored = cast_number(b_, value, from, o.elem);
    if (o.elem == types_.Bool) b_.CreateStore(b_.CreateZExt(stored, i8_), element(v));
    else b_.CreateStore(stored, element(v));
  }
  // The iterations are independent (the runtime unaliased the leaves from the outputs):
  // say so, so the vectorizer needs no run-time overlap checks.
  llvm::MDNode* group = llvm::MDNode::getDistinct(ctx_, {});
  for (llvm::Instruction& inst : *b_.GetInsertBlock())
    if (llvm::isa<llvm::LoadInst>(inst) || llvm::isa<llvm::StoreInst>(inst))
      inst.setMetadata(llvm::LLVMContext::MD_access_group, group);
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

}  // namespace tsr::jit::cpu

namespace tsr::jit {

bool generate_broadcast(Compiler& c, llvm::Module& m, const BroadcastLoop& loop) {
  cpu::FnGen body(c, m, *loop.f);
  body.emit_function(loop.name + ".f");
  cpu::FnGen range(c, m, *loop.f);
  range.emit_broadcast_range(loop, m.getFunction(loop.name + ".f"));
  return body.cacheable_ && range.cacheable_;
}

bool generate(Compiler& c, llvm::Module& m, const std::vector<Spec*>& specs) {
  bool cacheable = true;
  for (Spec* s : specs) {
    cpu::FnGen g(c, m, *s);
    g.emit_function();
    cpu::FnGen e(c, m, *s);
    e.emit_entry();
    cacheable = cacheable && g.cacheable_ && e.cacheable_;
    if (s->kernel) {
      cpu::FnGen k(c, m, *s);
      k.emit_kernel_range();
      cacheable = cacheable && k.cacheable_;
    }
  }
  return cacheable;
}

}  // namespace tsr::jit
