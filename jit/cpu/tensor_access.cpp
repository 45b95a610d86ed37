// Inline element access: tensors (address from base and strides, bounds checks, scoped
// no-alias metadata for kernels) and Vectors of numbers. A Vector is a StructObject whose
// `fields` are 16-byte Values (type, payload). For a Vector of numbers or Bool every element
// holds its number in the payload, so v[i] is a bounds check and a load, v[i] = x a store of
// the type and the payload, and length(v) the distance between the vector's end and begin.

#include "jit/cpu/fn_gen.hpp"

#include <algorithm>

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

RVal FnGen::tensor_access(Node* n, const std::vector<RVal>& args) {
  bool set = n->bind == Bind::TensorSet;
  auto dt = as_datatype(args[0].type);
  const Type* elem = dt->params[0];
  int rank = static_cast<int>(as_const(dt->params[1])->value);
  TensorLayout layout = tensor_layout();
  llvm::Value* tv = as_boxed(args[0]);
  // The TensorObject, then its fields; they never change, so loads of them may be hoisted.
  // The object itself is fixed too when the tensor is a kernel's argument (value_fixed).
  auto* obj = b_.CreateLoad(ptr_, b_.CreateGEP(i8_, tv, llvm::ConstantInt::get(i64_, 8)));
  if (value_fixed(tv)) obj->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(ctx_, {}));
  auto invariant = [&](llvm::Type* ty, size_t offset) {
    auto* load = b_.CreateLoad(ty, b_.CreateGEP(i8_, obj, llvm::ConstantInt::get(i64_, offset)));
    load->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(ctx_, {}));
    return load;
  };
  llvm::Value* base = invariant(ptr_, layout.base);
  size_t first = set ? 2 : 1;  // atomic_add!(t, i..., v): the indices come first
  llvm::Value* offset = llvm::ConstantInt::get(i64_, 0);
  llvm::Value* bad = llvm::ConstantInt::getFalse(ctx_);
  std::vector<llvm::Value*> idx;
  // A kernel argument known to be contiguous: strides from the shape (row-major), 1 last.
  std::vector<llvm::Value*> strides(rank, nullptr);
  alias_arg_ = -1;
  if (auto* arg = llvm::dyn_cast<llvm::Argument>(tv); arg && s_.kernel && fn_ == declare(m_, s_) && arg->getArgNo() >= 1) {
    unsigned k = arg->getArgNo() - 1;
    if (s_.layout.noalias) alias_arg_ = static_cast<int>(k);
    if (s_.layout.is_contiguous(k)) {
      llvm::Value* st = llvm::ConstantInt::get(i64_, 1);
      for (int d = rank - 1; d >= 0; --d) {
        strides[d] = st;
        if (d > 0) st = b_.CreateMul(st, invariant(i64_, layout.shape + 8 * d), "", true, true);
      }
    }
  }
  for (int d = 0; d < rank; ++d) {
    llvm::Value* i = as_bits(args[first + d]);
    idx.push_back(i);
    llvm::Value* extent = invariant(i64_, layout.shape + 8 * d);
    llvm::Value* stride = strides[d] ? strides[d] : invariant(i64_, layout.strides + 8 * d);
    llvm::Value* zero_based = b_.CreateSub(i, llvm::ConstantInt::get(i64_, 1));
    // One unsigned compare checks both ends: i - 1 < extent.
    bad = b_.CreateOr(bad, b_.CreateICmpUGE(zero_based, extent));
    offset = b_.CreateAdd(offset, b_.CreateMul(zero_based, stride));
  }
  llvm::Type* et = bits_type(ctx_, elem);
  llvm::Value* addr = b_.CreateGEP(et, base, offset);
  if (n->inbounds) return tensor_load_store(n, args, addr, et, elem);
  auto* oob = llvm::BasicBlock::Create(ctx_, "index.out_of_bounds", fn_);
  auto* ok = llvm::BasicBlock::Create(ctx_, "index.ok", fn_);
  b_.CreateCondBr(bad, oob, ok, llvm::MDBuilder(ctx_).createBranchWeights(1, 1000000));
  b_.SetInsertPoint(oob);
  llvm::IRBuilder<> eb(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
  llvm::Value* where = eb.CreateAlloca(i64_, llvm::ConstantInt::get(i64_, rank));
  for (int d = 0; d < rank; ++d) b_.CreateStore(idx[d], b_.CreateGEP(i64_, where, llvm::ConstantInt::get(i64_, d)));
  call_void("tsr_tensor_bounds_error", {tv, where, llvm::ConstantInt::get(i64_, rank)});
  check_error(n);
  b_.CreateUnreachable();
  b_.SetInsertPoint(ok);
  return tensor_load_store(n, args, addr, et, elem);
}

void FnGen::mark_alias_scope(llvm::Instruction* access) {
  if (alias_arg_ < 0) return;
  // One scope per tensor argument; an access to argument k is in scope k and does not alias
  // the others (the launch checked that their storages are distinct).
  llvm::MDBuilder mdb(ctx_);
  if (!alias_domain_) alias_domain_ = mdb.createAnonymousAliasScopeDomain(s_.symbol);
  size_t nargs = s_.argtypes.size();
  if (alias_scopes_.empty())
    for (size_t k = 0; k < nargs; ++k) alias_scopes_.push_back(mdb.createAnonymousAliasScope(alias_domain_, "arg" + std::to_string(k)));
  std::vector<llvm::Metadata*> others;
  for (size_t k = 0; k < nargs; ++k)
    if (static_cast<int>(k) != alias_arg_) others.push_back(alias_scopes_[k]);
  access->setMetadata(llvm::LLVMContext::MD_alias_scope, llvm::MDNode::get(ctx_, {alias_scopes_[alias_arg_]}));
  access->setMetadata(llvm::LLVMContext::MD_noalias, llvm::MDNode::get(ctx_, others));
}

RVal FnGen::tensor_shape_query(Node* n, const std::vector<RVal>& args) {
  auto dt = as_datatype(args[0].type);
  int rank = static_cast<int>(as_const(dt->params[1])->value);
  TensorLayout layout = tensor_layout();
  llvm::Value* tv = as_boxed(args[0]);
  auto* obj = b_.CreateLoad(ptr_, b_.CreateGEP(i8_, tv, llvm::ConstantInt::get(i64_, 8)));
  if (value_fixed(tv)) obj->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(ctx_, {}));
  auto extent = [&](llvm::Value* d0) {  // shape[d0], d0 zero-based
    auto* load = b_.CreateLoad(i64_, b_.CreateGEP(i64_, b_.CreateGEP(i8_, obj, llvm::ConstantInt::get(i64_, layout.shape)), d0));
    load->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(ctx_, {}));
    return load;
  };
  if (n->bind == Bind::TensorLength) {
    llvm::Value* len = llvm::ConstantInt::get(i64_, 1);
    for (int d = 0; d < rank; ++d) len = b_.CreateMul(len, extent(llvm::ConstantInt::get(i64_, d)));
    return RVal{len, false, types_.Int64};
  }
  // size(t, d): d in 1..rank reads the shape, d > rank is 1 (as Julia), d < 1 an error.
  llvm::Value* d = as_bits(args[1]);
  llvm::Value* one = llvm::ConstantInt::get(i64_, 1);
  auto* bad = llvm::BasicBlock::Create(ctx_, "size.bad_dim", fn_);
  auto* ok = llvm::BasicBlock::Create(ctx_, "size.ok", fn_);
  b_.CreateCondBr(b_.CreateICmpSLT(d, one), bad, ok, llvm::MDBuilder(ctx_).createBranchWeights(1, 1000000));
  b_.SetInsertPoint(bad);
  static const char* kind = "ArgumentError";
  static const char* msg = "dimension out of range: size(t, d) needs d >= 1";
  call_void("tsr_raise_error", {cstr_ref(kind), cstr_ref(msg)});
  check_error(n);
  b_.CreateBr(ok);
  b_.SetInsertPoint(ok);
  llvm::Value* d0 = b_.CreateSub(d, one);
  llvm::Value* within = b_.CreateICmpULT(d0, llvm::ConstantInt::get(i64_, rank));
  llvm::Value* v = b_.CreateSelect(within, extent(b_.CreateSelect(within, d0, llvm::ConstantInt::get(i64_, 0))), one);
  return RVal{v, false, types_.Int64};
}

RVal FnGen::tensor_load_store(Node* n, const std::vector<RVal>& args, llvm::Value* addr, llvm::Type* et, const Type* elem) {
  bool set = n->bind == Bind::TensorSet;
  if (n->bind == Bind::TensorAtomicAdd) {
    // Relaxed ordering, as a GPU's atomicAdd: the sum is exact, the order of updates is not.
    const RVal& val = args.back();
    llvm::Value* v = cast_number(b_, as_bits(val), val.type, elem);
    auto op = et->isFloatingPointTy() ? llvm::AtomicRMWInst::FAdd : llvm::AtomicRMWInst::Add;
    auto* old = b_.CreateAtomicRMW(op, addr, v, llvm::MaybeAlign(), llvm::AtomicOrdering::Monotonic);
    mark_alias_scope(old);
    return RVal{old, false, elem};
  }
  if (!set) {
    auto* load = b_.CreateLoad(et->isIntegerTy(1) ? i8_ : et, addr);
    mark_alias_scope(load);
    if (et->isIntegerTy(1)) return RVal{b_.CreateICmpNE(load, llvm::ConstantInt::get(i8_, 0)), false, elem};
    return RVal{load, false, elem};
  }
  llvm::Value* v = cast_number(b_, as_bits(args[1]), args[1].type, elem);
  mark_alias_scope(b_.CreateStore(et->isIntegerTy(1) ? b_.CreateZExt(v, i8_) : v, addr));
  return args[1];
}

RVal FnGen::vector_access(Node* n, const std::vector<RVal>& args) {
  StructFieldsLayout layout = struct_fields_layout();
  llvm::Value* vv = as_boxed(args[0]);
  auto* obj = b_.CreateLoad(ptr_, b_.CreateGEP(i8_, vv, llvm::ConstantInt::get(i64_, 8)));
  // Its elements may move (push!), so only the object is loaded once.
  if (value_fixed(vv)) obj->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(ctx_, {}));
  llvm::Value* begin = b_.CreateLoad(ptr_, b_.CreateGEP(i8_, obj, llvm::ConstantInt::get(i64_, layout.begin)));
  llvm::Value* end = b_.CreateLoad(ptr_, b_.CreateGEP(i8_, obj, llvm::ConstantInt::get(i64_, layout.end)));
  llvm::Value* bytes = b_.CreateSub(b_.CreatePtrToInt(end, i64_), b_.CreatePtrToInt(begin, i64_));
  llvm::Value* len = b_.CreateLShr(bytes, llvm::ConstantInt::get(i64_, 4), "", true);
  if (n->bind == Bind::VectorLength) return RVal{len, false, types_.Int64};
  bool set = n->bind == Bind::VectorSet;
  llvm::Value* i = as_bits(args[set ? 2 : 1]);
  llvm::Value* zero_based = b_.CreateSub(i, llvm::ConstantInt::get(i64_, 1));
  if (!n->inbounds) {
    // One unsigned compare checks both ends: i - 1 < length.
    auto* oob = llvm::BasicBlock::Create(ctx_, "vindex.out_of_bounds", fn_);
    auto* ok = llvm::BasicBlock::Create(ctx_, "vindex.ok", fn_);
    b_.CreateCondBr(b_.CreateICmpUGE(zero_based, len), oob, ok, llvm::MDBuilder(ctx_).createBranchWeights(1, 1000000));
    b_.SetInsertPoint(oob);
    call_void("tsr_vector_bounds_error", {vv, i});
    check_error(n);
    b_.CreateUnreachable();
    b_.SetInsertPoint(ok);
  }
  llvm::Value* elem_ptr = b_.CreateGEP(value_ty_, begin, zero_based);
  const Type* elem = as_datatype(args[0].type)->params[0];
  if (!set) return RVal{unbox(elem_ptr, elem), false, elem};
  // The payload as Value::from_* leaves it: integers widened to 64 bits, a Float32 in the low
  // half with the high half zero, Bool as 0 or 1.
  llvm::Value* x = cast_number(b_, as_bits(args[1]), args[1].type, elem);
  llvm::Value* word;
  if (elem == types_.Float64) word = b_.CreateBitCast(x, i64_);
  else if (elem == types_.Float32) word = b_.CreateZExt(b_.CreateBitCast(x, llvm::Type::getInt32Ty(ctx_)), i64_);
  else if (is_bool_number(elem) || is_unsigned_number(elem)) word = x->getType() == i64_ ? x : b_.CreateZExt(x, i64_);
  else word = x->getType() == i64_ ? x : b_.CreateSExt(x, i64_);
  b_.CreateStore(type_ref(elem), elem_ptr);
  b_.CreateStore(word, b_.CreateGEP(i8_, elem_ptr, llvm::ConstantInt::get(i64_, 8)));
  return args[1];
}

RVal FnGen::boxed_struct_field(RVal obj, const Node* n) {
  // A field of a boxed immutable struct of known type (a closure's captures among them): read
  // in place from the struct's field Values, without the runtime's lookup by name. Its value
  // has the field's type when that is concrete, so a number is loaded unboxed.
  auto dt = as_datatype(obj.type);
  StructFieldsLayout layout = struct_fields_layout();
  if (!obj.boxed || !dt || !dt->is_concrete || !layout.usable || dt->name->payload != Payload::Object ||
      dt->name->is_mutable || dt->name->is_tuple || dt == types_.String || dt->name->field_names.size() != dt->field_types.size())
    return RVal{};
  const auto& names = dt->name->field_names;
  size_t i = std::find(names.begin(), names.end(), n->name) - names.begin();
  if (i == names.size()) return RVal{};
  return field_in_place(obj.v, i, dt->field_types[i], n->type);
}

RVal FnGen::field_in_place(llvm::Value* boxed, size_t i, const Type* ft, const Type* node_type) {
  StructFieldsLayout layout = struct_fields_layout();
  auto* object = b_.CreateLoad(ptr_, b_.CreateGEP(i8_, boxed, llvm::ConstantInt::get(i64_, 8)));
  llvm::Value* begin = b_.CreateLoad(ptr_, b_.CreateGEP(i8_, object, llvm::ConstantInt::get(i64_, layout.begin)));
  llvm::Value* field = b_.CreateGEP(value_ty_, begin, llvm::ConstantInt::get(i64_, i));
  if (is_bits(ft) && types_.is_concrete(ft)) return RVal{unbox(field, ft), false, ft};
  llvm::Value* out = temp();
  call_void("tsr_assign", {out, field});
  return RVal{out, true, node_type ? node_type : types_.Any};
}

RVal FnGen::tuple_get(Node* n, const std::vector<RVal>& args) {
  // Inference bound it only for a literal index in range of a tuple of known element types
  // (the tuple node's type; the value in hand may be typed more loosely).
  auto dt = as_datatype(n->kids[1]->type);
  size_t i = static_cast<size_t>(n->kids[2]->literal.as_int() - 1);
  if (!dt || !dt->name->is_tuple || i >= dt->params.size())
    throw InternalError("codegen: a tuple load bound without a tuple of known length");
  return field_in_place(as_boxed(args[0]), i, dt->params[i], n->type);
}

}  // namespace tsr::jit::cpu
