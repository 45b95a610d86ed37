// A device function's calls (device functions, intrinsics through the shared number code,
// structs built in registers), tensor element access and the kernel IR (work-item indices,
// barriers, @localmem as shared memory).
#include <cmath>

#include <llvm/IR/IntrinsicsNVPTX.h>

#include "jit/gpu/device_fn.hpp"
#include "jit/intrinsics.hpp"
#include "jit/may_throw.hpp"
#include "runtime/errors.hpp"
#include "runtime/type_printer.hpp"

namespace tsr::jit::gpu {

DVal DeviceFn::call(Node* n) {
  if (n->bind == Bind::Folded) {
    for (size_t i = 1; i < n->kids.size(); ++i) {
      if (!folded_constant(n->kids[i]) && !emit(n->kids[i]).v) return dead();
    }
    return literal(n->literal, n->type, n);
  }
  std::vector<DVal> args;
  for (size_t i = 1; i < n->kids.size(); ++i) {
    args.push_back(emit(n->kids[i]));
    if (!args.back().v) return dead();
  }
  if (n->type && n->type->kind == TypeKind::Bottom && n->bind == Bind::Unresolved) return dead();
  switch (n->bind) {
    case Bind::Intrinsic: return intrinsic(n, args);
    case Bind::Static:
      if (n->spec) return call_spec(n, args);
      break;
    case Bind::TensorGet:
    case Bind::TensorSet:
    case Bind::TensorAtomicAdd: return tensor_access(n, args);
    case Bind::TensorSize:
    case Bind::TensorLength: return tensor_shape(n, args);
    case Bind::TupleGet: return tuple_get(n, args);
    case Bind::Construct: return construct(n, args);
    default: break;
  }
  std::string sig = n->kids[0]->op == Op::Global ? n->kids[0]->name : "a call";
  sig += "(";
  for (size_t i = 0; i < args.size(); ++i) sig += (i ? ", ::" : "::") + show_type(args[i].type);
  unsupported(n, "the call " + sig + ")");
}

DVal DeviceFn::call_spec(Node* n, const std::vector<DVal>& args) {
  Spec& callee = *n->spec;
  llvm::Function* f = dm_.function(callee);
  std::vector<llvm::Value*> cargs;
  for (size_t i = 0; i < args.size() && i < callee.argtypes.size(); ++i) cargs.push_back(convert(args[i], callee.argtypes[i], n));
  llvm::Value* r = b_.CreateCall(f, cargs);
  if (callee.ret->kind == TypeKind::Bottom) {
    b_.CreateUnreachable();
    return dead();
  }
  if (f->getReturnType()->isVoidTy()) return nothing();
  return DVal{r, callee.ret};
}

DVal DeviceFn::intrinsic(Node* n, const std::vector<DVal>& args) {
  auto op = static_cast<Intrinsic>(n->intrinsic);
  std::vector<const Type*> ts;
  std::vector<llvm::Value*> x;
  for (const DVal& a : args) {
    ts.push_back(a.type);
    x.push_back(a.v);
  }
  auto typing = intrinsic_typing(types_, op, ts);
  if (!typing) throw InternalError("intrinsic bound without a typing");
  if (llvm::Value* v = emit_number_op(b_, *this, types_, n, op, x, ts, typing->compute, typing->result))
    return DVal{v, typing->result};
  // An integer to an integer power (the CPU asks the runtime for the exact power).
  llvm::Value* base = cast_number(b_, x[0], ts[0], typing->compute);
  llvm::Value* e = cast_number(b_, x[1], ts[1], types_.Int64);
  return DVal{cast_number(b_, int_power(n, base, e, typing->compute), typing->compute, typing->result), typing->result};
}

llvm::Value* DeviceFn::int_power(Node* n, llvm::Value* base, llvm::Value* e, const Type* t) {
  // Julia: x^-1 is 1 ÷ x for x in (1, -1), a DomainError for other negative exponents.
  llvm::Type* lt = base->getType();
  llvm::Value* one = llvm::ConstantInt::get(lt, 1);
  llvm::Value* unit = b_.CreateOr(b_.CreateICmpEQ(base, one), b_.CreateICmpEQ(base, llvm::ConstantInt::getSigned(lt, -1)));
  llvm::Value* neg = b_.CreateICmpSLT(e, b_.getInt64(0));
  raise_if(b_.CreateAnd(neg, b_.CreateNot(unit)), "DomainError",
           "Cannot raise an integer x to a negative power (on the GPU: x and the power are not reported)", n);
  llvm::Value* odd = b_.CreateTrunc(e, b_.getInt1Ty());
  llvm::Value* neg_result = b_.CreateSelect(odd, base, one);
  llvm::BasicBlock* pre = b_.GetInsertBlock();
  auto* head = llvm::BasicBlock::Create(ctx_, "pow.head", fn_);
  auto* step = llvm::BasicBlock::Create(ctx_, "pow.step", fn_);
  auto* done = llvm::BasicBlock::Create(ctx_, "pow.done", fn_);
  b_.CreateCondBr(neg, done, head);
  // Repeated squaring: acc * sq^k stays base^e.
  b_.SetInsertPoint(head);
  auto* acc = b_.CreatePHI(lt, 2);
  auto* sq = b_.CreatePHI(lt, 2);
  auto* k = b_.CreatePHI(i64_, 2);
  b_.CreateCondBr(b_.CreateICmpNE(k, b_.getInt64(0)), step, done);
  b_.SetInsertPoint(step);
  llvm::Value* acc2 = b_.CreateSelect(b_.CreateTrunc(k, b_.getInt1Ty()), b_.CreateMul(acc, sq), acc);
  llvm::Value* sq2 = b_.CreateMul(sq, sq);
  llvm::Value* k2 = b_.CreateLShr(k, 1);
  b_.CreateBr(head);
  acc->addIncoming(one, pre);
  sq->addIncoming(base, pre);
  k->addIncoming(e, pre);
  acc->addIncoming(acc2, step);
  sq->addIncoming(sq2, step);
  k->addIncoming(k2, step);
  b_.SetInsertPoint(done);
  auto* r = b_.CreatePHI(lt, 2);
  r->addIncoming(neg_result, pre);
  r->addIncoming(acc, head);
  (void)t;
  return r;
}

DVal DeviceFn::construct(Node* n, const std::vector<DVal>& args) {
  switch (inline_construct(n)) {
    case InlineConstruct::No: break;
    case InlineConstruct::FloatConversion: return DVal{cast_number(b_, args[0].v, args[0].type, n->type), n->type};
    case InlineConstruct::Struct: {
      auto dt = as_datatype(n->type);
      llvm::Value* agg = llvm::UndefValue::get(dm_.value_type(dt));
      for (size_t i = 0; i < args.size(); ++i)
        agg = b_.CreateInsertValue(agg, convert(args[i], dt->field_types[i], n), {static_cast<unsigned>(i)});
      return DVal{agg, dt};
    }
  }
  if (args.size() == 1 && is_bits_number(n->type) && is_bits_number(args[0].type)) return int_conversion(n, args[0]);
  unsupported(n, "constructing a " + show_type(n->type));
}

// Int64(x), UInt8(x), Bool(x) from a number: the value when it is representable, else Julia's
// InexactError (what the runtime's constructor raises on the CPU).
DVal DeviceFn::int_conversion(Node* n, const DVal& x) {
  llvm::Value* r = nullptr;
  llvm::Value* ok = jit::int_conversion(b_, x.v, x.type, n->type, &r);
  raise_if(b_.CreateNot(ok), "InexactError", show_type(n->type) + "(x): x is not representable (on the GPU: x is not reported)", n);
  return DVal{r, n->type};
}

// A tensor is {data pointer, [N x i64] shape, [N x i64] strides} (device_gen.cpp).
DVal DeviceFn::tensor_access(Node* n, const std::vector<DVal>& args) {
  bool set = n->bind == Bind::TensorSet;
  bool atomic = n->bind == Bind::TensorAtomicAdd;
  auto dt = as_datatype(args[0].type);
  const Type* elem = dt->params[0];
  int rank = static_cast<int>(as_const(dt->params[1])->value);
  llvm::Value* t = args[0].v;
  llvm::Value* base = b_.CreateExtractValue(t, {0});
  size_t first = set ? 2 : 1;
  llvm::Value* offset = b_.getInt64(0);
  llvm::Value* bad = b_.getFalse();
  for (int d = 0; d < rank; ++d) {
    llvm::Value* i = cast_number(b_, args[first + d].v, args[first + d].type, types_.Int64);
    llvm::Value* extent = b_.CreateExtractValue(t, {1u, static_cast<unsigned>(d)});
    llvm::Value* stride = b_.CreateExtractValue(t, {2u, static_cast<unsigned>(d)});
    llvm::Value* zero_based = b_.CreateSub(i, b_.getInt64(1));
    bad = b_.CreateOr(bad, b_.CreateICmpUGE(zero_based, extent));
    offset = b_.CreateAdd(offset, b_.CreateMul(zero_based, stride));
  }
  if (!n->inbounds)
    raise_if(bad, "BoundsError",
             "attempt to access a " + show_type(args[0].type) + " out of its bounds (on the GPU: the index is not reported)", n);
  llvm::Type* et = bits_type(ctx_, elem);
  llvm::Type* mem = et->isIntegerTy(1) ? b_.getInt8Ty() : et;
  llvm::Value* addr = b_.CreateGEP(mem, base, offset);
  if (atomic) {
    const DVal& val = args.back();
    llvm::Value* v = cast_number(b_, val.v, val.type, elem);
    auto op = et->isFloatingPointTy() ? llvm::AtomicRMWInst::FAdd : llvm::AtomicRMWInst::Add;
    return DVal{b_.CreateAtomicRMW(op, addr, v, llvm::MaybeAlign(), llvm::AtomicOrdering::Monotonic), elem};
  }
  if (!set) {
    llvm::Value* load = b_.CreateLoad(mem, addr);
    if (et->isIntegerTy(1)) return DVal{b_.CreateICmpNE(load, b_.getInt8(0)), elem};
    return DVal{load, elem};
  }
  llvm::Value* v = cast_number(b_, args[1].v, args[1].type, elem);
  b_.CreateStore(et->isIntegerTy(1) ? b_.CreateZExt(v, b_.getInt8Ty()) : v, addr);
  return args[1];
}

DVal DeviceFn::tensor_shape(Node* n, const std::vector<DVal>& args) {
  auto dt = as_datatype(args[0].type);
  int rank = static_cast<int>(as_const(dt->params[1])->value);
  llvm::Value* t = args[0].v;
  if (n->bind == Bind::TensorLength) {
    llvm::Value* len = b_.getInt64(1);
    for (int d = 0; d < rank; ++d) len = b_.CreateMul(len, b_.CreateExtractValue(t, {1u, static_cast<unsigned>(d)}));
    return DVal{len, types_.Int64};
  }
  // size(t, d): 1..rank from the shape, past it 1 (as Julia), below 1 an error.
  llvm::Value* d = cast_number(b_, args[1].v, args[1].type, types_.Int64);
  raise_if(b_.CreateICmpSLT(d, b_.getInt64(1)), "ArgumentError", "dimension out of range: size(t, d) needs d >= 1", n);
  llvm::Value* v = b_.getInt64(1);
  for (int k = 0; k < rank; ++k)
    v = b_.CreateSelect(b_.CreateICmpEQ(d, b_.getInt64(k + 1)), b_.CreateExtractValue(t, {1u, static_cast<unsigned>(k)}), v);
  return DVal{v, types_.Int64};
}

DVal DeviceFn::tuple_get(Node* n, const std::vector<DVal>& args) {
  auto dt = as_datatype(n->kids[1]->type);
  size_t i = static_cast<size_t>(n->kids[2]->literal.as_int() - 1);
  if (!dt || !dt->name->is_tuple || i >= dt->params.size()) throw InternalError("codegen: a tuple load bound without a tuple of known length");
  llvm::Value* tuple = convert(args[0], dt, n);
  return DVal{b_.CreateExtractValue(tuple, {static_cast<unsigned>(i)}), dt->params[i]};
}

// From the kernel body's trailing arguments (#lin, #g1, #g2, #g3, #wg, #rank), which the entry
// computes from the thread and block registers (device_gen.cpp).
DVal DeviceFn::work_item(Node* n) {
  size_t first = body_.nargs - kKernelIndexArgCount;
  auto arg = [&](size_t k) { return load_slot(static_cast<int>(first + k), n).v; };
  llvm::Value* one = b_.getInt64(1);
  auto int64 = [&](llvm::Value* v) { return DVal{v, types_.Int64}; };
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
  llvm::Value* past = d > 3 ? b_.getTrue() : b_.CreateICmpSLT(arg(5), b_.getInt64(d));
  raise_if(past, "BoundsError", "attempt to access the ndrange's index tuple at index [" + std::to_string(d) + "]", n);
  return int64(d <= 3 ? arg(d) : b_.getInt64(0));
}

DVal DeviceFn::barrier(Node* n) {
  (void)n;
  b_.CreateCall(llvm::Intrinsic::getDeclaration(fn_->getParent(), llvm::Intrinsic::nvvm_barrier0));
  return nothing();
}

DVal DeviceFn::local_memory(Node* n) {
  auto dt = as_datatype(n->type);
  if (!dt || !is_device_tensor(dt)) unsupported(n, "@localmem of type " + (n->type ? show_type(n->type) : std::string("?")));
  const Type* elem = dt->params[0];
  std::vector<int64_t> dims;
  if (!localmem_shape(n, dims)) unsupported(n, "@localmem with a shape that is not constant");
  int64_t count = 1;
  for (int64_t d : dims) count *= d;
  llvm::Type* et = bits_type(ctx_, elem);
  if (et->isIntegerTy(1)) et = b_.getInt8Ty();
  llvm::Value* data = dm_.shared_array(n->slot, et, count);
  llvm::Value* generic = b_.CreateAddrSpaceCast(data, b_.getPtrTy(0));
  llvm::Type* lt = dm_.value_type(dt);
  llvm::Value* t = llvm::UndefValue::get(lt);
  t = b_.CreateInsertValue(t, generic, {0});
  int64_t stride = 1;
  for (size_t d = dims.size(); d-- > 0;) {
    t = b_.CreateInsertValue(t, b_.getInt64(dims[d]), {1u, static_cast<unsigned>(d)});
    t = b_.CreateInsertValue(t, b_.getInt64(stride), {2u, static_cast<unsigned>(d)});
    stride *= dims[d];
  }
  return DVal{t, dt};
}

}  // namespace tsr::jit::gpu
