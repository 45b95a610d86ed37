// The kernel IR on the CPU: a work item's position from the index arguments the kernel range
// function passes its body, barriers as calls to the work-group scheduler, @localmem through
// the built-in that keeps a work-group's tensors.

#include "jit/cpu/fn_gen.hpp"

#include <llvm/IR/MDBuilder.h>

#include "runtime/errors.hpp"

namespace tsr::jit::cpu {

// From the trailing arguments kKernelIndexArgs (#lin, #g1, #g2, #g3, #wg, #rank).
RVal FnGen::work_item(Node* n) {
  size_t first = body_.nargs - kKernelIndexArgCount;
  auto arg = [&](size_t k) { return as_bits(load_slot(static_cast<int>(first + k), n)); };
  llvm::Value* one = llvm::ConstantInt::get(i64_, 1);
  auto int64 = [&](llvm::Value* v) { return RVal{v, false, types_.Int64}; };
  switch (n->item) {
    case WorkItem::GlobalLinear: return int64(arg(0));
    case WorkItem::GroupSize: return int64(arg(4));
    case WorkItem::NDims: return int64(arg(5));
    case WorkItem::Local: return int64(b_.CreateAdd(b_.CreateSRem(b_.CreateSub(arg(0), one), arg(4)), one));
    case WorkItem::Group: return int64(b_.CreateAdd(b_.CreateSDiv(b_.CreateSub(arg(0), one), arg(4)), one));
    case WorkItem::GlobalCartesian: break;
  }
  int d = n->dim;
  if (d == 1) return int64(arg(1));
  // Past the launch's dimensions: the BoundsError indexing the tuple (i,), (i, j) or (i, j, k) raises.
  llvm::Value* rank = arg(5);
  llvm::Value* past = d > 3 ? llvm::ConstantInt::getTrue(ctx_) : b_.CreateICmpSLT(rank, llvm::ConstantInt::get(i64_, d));
  auto* bad = llvm::BasicBlock::Create(ctx_, "index.past_rank", fn_);
  auto* ok = llvm::BasicBlock::Create(ctx_, "index.ok", fn_);
  b_.CreateCondBr(past, bad, ok, llvm::MDBuilder(ctx_).createBranchWeights(1, 1000000));
  b_.SetInsertPoint(bad);
  std::string tuple = "Tuple{Int64";
  std::vector<std::string> messages;
  for (int r = 1; r <= 3; ++r, tuple += ", Int64")
    messages.push_back("attempt to access " + tuple + "} at index [" + std::to_string(d) + "]");
  llvm::Value* message = b_.CreateSelect(b_.CreateICmpEQ(rank, one), cstr_ref(messages[0].c_str()),
                                         b_.CreateSelect(b_.CreateICmpEQ(rank, llvm::ConstantInt::get(i64_, 2)),
                                                         cstr_ref(messages[1].c_str()), cstr_ref(messages[2].c_str())));
  static const char* kind = "BoundsError";
  call_void("tsr_raise_error", {cstr_ref(kind), message});
  check_error(n);
  b_.CreateBr(ok);  // not reached: the error flag is set
  b_.SetInsertPoint(ok);
  return int64(d <= 3 ? arg(d) : llvm::ConstantInt::get(i64_, 0));
}

// Straight to the work-group scheduler, not through the serialized built-in path: a barrier
// switches fibers and must not hold the runtime's lock while it does.
RVal FnGen::barrier(Node* n) {
  call_void("tsr_kernel_barrier", {llvm::ConstantInt::get(i64_, n->loc.line)});
  check_error(n);
  return literal_nothing();
}

// The work-group's tensor for this site, from the built-in __localmem (inference bound
// n->method), which makes it on the group's first request.
RVal FnGen::local_memory(Node* n) {
  std::vector<RVal> args;
  for (Node* k : n->kids) {
    args.push_back(emit(k));
    if (!args.back().v) return dead();
  }
  args.push_back(literal(Value::from_int(types_.Int64, n->slot), types_.Int64));
  GenericFunction* f = c_.globals().find_function("__localmem");
  if (!f || !n->method) throw InternalError("codegen: @localmem without its built-in");
  llvm::Value* method = named(method_symbol(*f, n->method), n->method);
  return call_boxed(n, args, [&](llvm::Value* out, llvm::Value* argv, int k) {
    call_void("tsr_call_method", {out, method, argv, llvm::ConstantInt::get(i64_, k)});
  });
}

}  // namespace tsr::jit::cpu
