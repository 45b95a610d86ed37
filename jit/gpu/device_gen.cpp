// The device module of a kernel: value types, device functions, error sites, shared memory,
// and the kernel's entry (device_gen.hpp).
#include "jit/gpu/device_gen.hpp"

#include <algorithm>

#include <llvm/IR/IntrinsicsNVPTX.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include "jit/gpu/device_fn.hpp"
#include "jit/llvm_numbers.hpp"
#include "jit/verify_device_kernel.hpp"
#include "runtime/errors.hpp"

namespace tsr::jit::gpu {

bool is_device_tensor(const Type* t, int* rank) {
  auto dt = as_datatype(t);
  if (!dt || !(dt->name->is_tensor || dt->name->is_semantic) || dt->params.size() != 2) return false;
  auto c = as_const(dt->params[1]);
  if (!c) return false;
  if (rank) *rank = static_cast<int>(c->value);
  return true;
}

bool is_device_aggregate(const Type* t) {
  auto dt = as_datatype(t);
  if (!dt || !dt->is_concrete) return false;
  if (is_inline_struct(t) || dt->name->is_tuple) return true;
  // A field may be a singleton (a closure that captures nothing, a function): an empty struct.
  auto fits = [](const Type* f) {
    auto fd = as_datatype(f);
    return is_bits(f) || is_device_tensor(f) || is_device_aggregate(f) ||
           (fd && fd->is_concrete && (fd->name->instance || (fd->name->callable && fd->field_types.empty())));
  };
  return dt->name->callable && dt->field_types.size() == dt->name->field_names.size() && !dt->field_types.empty() &&
         std::all_of(dt->field_types.begin(), dt->field_types.end(), fits);
}

const std::vector<const Type*>& aggregate_fields(const Type* t) {
  auto dt = as_datatype(t);
  return dt->name->is_tuple ? dt->params : dt->field_types;
}

bool localmem_shape(const Node* n, std::vector<int64_t>& dims) {
  const Node* shape = n->kids[1];
  if (shape->op == Op::Tuple) {
    for (const Node* k : shape->kids) {
      if (k->op != Op::Literal) return false;
      dims.push_back(k->literal.as_int());
    }
    return true;
  }
  if (shape->op == Op::Literal && shape->literal.payload() == Payload::Object) {
    for (const Value& v : shape->literal.as_struct().fields) dims.push_back(v.as_int());
    return true;
  }
  return false;
}

std::string device_entry_name(const Spec& kernel) {
  std::string name = "tsr_kernel_";
  for (char ch : kernel.body->name) name += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_') ? ch : '_';
  return name + "_" + std::to_string(kernel.id);
}

DeviceModule::DeviceModule(Compiler& c, llvm::LLVMContext& ctx, Spec& kernel) : c_(c), ctx_(ctx), kernel_(kernel) {
  entry_name_ = device_entry_name(kernel);
  module_ = std::make_unique<llvm::Module>(entry_name_, ctx_);
  module_->setTargetTriple("nvptx64-nvidia-cuda");
  module_->setDataLayout("e-i64:64-i128:128-v16:16-v32:32-n16:32:64");
}

DeviceModule::~DeviceModule() = default;

llvm::Type* DeviceModule::value_type(const Type* t) {
  int rank = 0;
  auto* i64 = llvm::Type::getInt64Ty(ctx_);
  if (is_device_tensor(t, &rank)) {
    auto* dims = llvm::ArrayType::get(i64, static_cast<uint64_t>(rank));
    return llvm::StructType::get(ctx_, {llvm::PointerType::get(ctx_, 0), dims, dims});
  }
  if (t && t->kind != TypeKind::Bottom && is_bits(t)) return bits_type(ctx_, t);
  if (is_device_aggregate(t)) {
    std::vector<llvm::Type*> fields;
    for (const Type* p : aggregate_fields(t)) fields.push_back(value_type(p));
    return llvm::StructType::get(ctx_, fields);
  }
  return llvm::StructType::get(ctx_, {});  // a constant: a type, a function
}

bool DeviceModule::representable(const Type* t) {
  if (!t || t->kind == TypeKind::Bottom) return false;
  if (is_device_tensor(t) || is_bits(t)) return true;
  auto dt = as_datatype(t);
  if (!dt) return false;
  if (dt->name->is_tuple) return dt->is_concrete && std::all_of(dt->params.begin(), dt->params.end(), [&](const Type* p) { return representable(p); });
  if (is_device_aggregate(t)) return true;
  return (dt->name->is_type_of_type && !dt->has_free_vars) || (dt->is_concrete && dt->name->instance);
}

llvm::Function* DeviceModule::function(Spec& s) {
  if (auto it = functions_.find(&s); it != functions_.end()) return it->second;
  std::vector<llvm::Type*> params;
  for (const Type* t : s.argtypes) params.push_back(value_type(t));
  llvm::Type* ret = s.ret->kind == TypeKind::Bottom ? llvm::Type::getVoidTy(ctx_) : value_type(s.ret);
  auto* fty = llvm::FunctionType::get(ret, params, false);
  std::string name = "tsr_dev_";
  for (char ch : s.body->name) name += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_') ? ch : '_';
  name += "_" + std::to_string(s.id);
  auto* f = llvm::Function::Create(fty, llvm::Function::InternalLinkage, name, *module_);
  // Everything inlines into the kernel (a GPU's calls are dear, and a device function's
  // constants are empty structs, which only disappear once inlined).
  f->addFnAttr(llvm::Attribute::AlwaysInline);
  functions_[&s] = f;
  DeviceFn(*this, s, f).emit_body();
  return f;
}

int DeviceModule::add_site(DeviceErrorSite site) {
  sites_.push_back(std::move(site));
  return static_cast<int>(sites_.size()) - 1;
}

llvm::Value* DeviceModule::error_flag() {
  if (!error_flag_) {
    auto* i64 = llvm::Type::getInt64Ty(ctx_);
    auto* g = new llvm::GlobalVariable(*module_, i64, false, llvm::GlobalValue::ExternalLinkage, llvm::ConstantInt::get(i64, 0),
                                       "tsr_error", nullptr, llvm::GlobalValue::NotThreadLocal, 1, true);
    g->setAlignment(llvm::Align(8));
    // Where errors are written: tsr_error, unless the host points this at a flag in its own
    // (pinned, mapped) memory, which it then reads after the launch without a copy.
    auto* ptr = llvm::PointerType::get(ctx_, 1);
    auto* at = new llvm::GlobalVariable(*module_, ptr, false, llvm::GlobalValue::ExternalLinkage, g, "tsr_error_at", nullptr,
                                        llvm::GlobalValue::NotThreadLocal, 1, true);
    at->setAlignment(llvm::Align(8));
    error_flag_ = at;
  }
  return error_flag_;
}

llvm::Value* DeviceModule::shared_array(int site, llvm::Type* elem, int64_t count) {
  if (auto it = shared_.find(site); it != shared_.end()) return it->second;
  auto* at = llvm::ArrayType::get(elem, static_cast<uint64_t>(std::max<int64_t>(count, 1)));
  auto* g = new llvm::GlobalVariable(*module_, at, false, llvm::GlobalValue::InternalLinkage, llvm::UndefValue::get(at),
                                     "tsr_localmem_" + std::to_string(site), nullptr, llvm::GlobalValue::NotThreadLocal, 3);
  g->setAlignment(llvm::Align(16));
  shared_[site] = g;
  return g;
}

namespace {

// This thread's 0-based index over a one-dimensional grid (blockIdx.x * blockDim.x +
// threadIdx.x, in Int64), and blockDim.x in *block_size when asked.
llvm::Value* thread_index(llvm::IRBuilder<>& b, llvm::Module& m, llvm::Value** block_size) {
  auto sreg = [&](llvm::Intrinsic::ID id) { return b.CreateZExt(b.CreateCall(llvm::Intrinsic::getDeclaration(&m, id)), b.getInt64Ty()); };
  llvm::Value* ntid = sreg(llvm::Intrinsic::nvvm_read_ptx_sreg_ntid_x);
  if (block_size) *block_size = ntid;
  return b.CreateAdd(b.CreateMul(sreg(llvm::Intrinsic::nvvm_read_ptx_sreg_ctaid_x), ntid), sreg(llvm::Intrinsic::nvvm_read_ptx_sreg_tid_x));
}

// The entry's parameters for a value of type t, and the value rebuilt from them.
struct ParamFlattener {
  DeviceModule& dm;
  llvm::LLVMContext& ctx;
  bool noalias;

  void types(const Type* t, std::vector<llvm::Type*>& out) {
    int rank = 0;
    auto* i64 = llvm::Type::getInt64Ty(ctx);
    if (is_device_tensor(t, &rank)) {
      out.push_back(llvm::PointerType::get(ctx, 1));
      for (int k = 0; k < 2 * rank; ++k) out.push_back(i64);
      return;
    }
    if (is_bits(t) && !is_inline_struct(t)) {
      llvm::Type* bt = bits_type(ctx, t);
      out.push_back(bt->isIntegerTy(1) ? llvm::Type::getInt8Ty(ctx) : bt);
      return;
    }
    if (is_device_aggregate(t))
      for (const Type* f : aggregate_fields(t)) types(f, out);
  }

  llvm::Value* build(llvm::IRBuilder<>& b, const Type* t, llvm::Function::arg_iterator& a) {
    int rank = 0;
    llvm::Type* lt = dm.value_type(t);
    if (is_device_tensor(t, &rank)) {
      llvm::Argument* data = &*a++;
      if (noalias) data->addAttr(llvm::Attribute::NoAlias);
      llvm::Value* v = llvm::UndefValue::get(lt);
      v = b.CreateInsertValue(v, b.CreateAddrSpaceCast(data, llvm::PointerType::get(ctx, 0)), {0});
      for (int k = 0; k < rank; ++k) v = b.CreateInsertValue(v, &*a++, {1u, static_cast<unsigned>(k)});
      for (int k = 0; k < rank; ++k) v = b.CreateInsertValue(v, &*a++, {2u, static_cast<unsigned>(k)});
      return v;
    }
    if (is_bits(t) && !is_inline_struct(t)) {
      llvm::Value* v = &*a++;
      return v->getType() == lt ? v : b.CreateTrunc(v, lt);
    }
    llvm::Value* v = llvm::UndefValue::get(lt);
    if (is_device_aggregate(t)) {
      const auto& fields = aggregate_fields(t);
      for (size_t i = 0; i < fields.size(); ++i) v = b.CreateInsertValue(v, build(b, fields[i], a), {static_cast<unsigned>(i)});
    }
    return v;
  }
};

}  // namespace

void DeviceModule::emit_entry(llvm::Function* body) {
  size_t nuser = kernel_.argtypes.size() - kKernelIndexArgCount;
  ParamFlattener flat{*this, ctx_, kernel_.layout.noalias};
  std::vector<llvm::Type*> params;
  for (size_t i = 0; i < nuser; ++i) flat.types(kernel_.argtypes[i], params);
  auto* i64 = llvm::Type::getInt64Ty(ctx_);
  for (int k = 0; k < 5; ++k) params.push_back(i64);  // total, n1, n2, n3, rank
  auto* f = llvm::Function::Create(llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), params, false),
                                   llvm::Function::ExternalLinkage, entry_name_, *module_);
  f->setCallingConv(llvm::CallingConv::PTX_Kernel);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx_, "entry", f));
  auto a = f->arg_begin();
  std::vector<llvm::Value*> args;
  for (size_t i = 0; i < nuser; ++i) args.push_back(flat.build(b, kernel_.argtypes[i], a));
  llvm::Value* total = &*a++;
  llvm::Value* n1 = &*a++;
  llvm::Value* n2 = &*a++;
  llvm::Value* n3 = &*a++;
  llvm::Value* rank = &*a++;
  (void)n1;
  llvm::Value* ntid = nullptr;
  llvm::Value* lin0 = thread_index(b, *module_, &ntid);
  // Past the ndrange: nothing to do. With barriers every thread of a block must reach them,
  // so launch makes whole work-groups there instead.
  if (!kernel_.body->uses_barrier) {
    auto* run = llvm::BasicBlock::Create(ctx_, "run", f);
    auto* done = llvm::BasicBlock::Create(ctx_, "done", f);
    b.CreateCondBr(b.CreateICmpUGE(lin0, total), done, run);
    b.SetInsertPoint(done);
    b.CreateRetVoid();
    b.SetInsertPoint(run);
  }
  llvm::Value* one = b.getInt64(1);
  llvm::Value* g3 = b.CreateAdd(b.CreateURem(lin0, n3), one);
  llvm::Value* g2 = b.CreateAdd(b.CreateURem(b.CreateUDiv(lin0, n3), n2), one);
  llvm::Value* g1 = b.CreateAdd(b.CreateUDiv(lin0, b.CreateMul(n2, n3)), one);
  for (llvm::Value* v : {b.CreateAdd(lin0, one), g1, g2, g3, ntid, rank}) args.push_back(v);
  b.CreateCall(body, args);
  b.CreateRetVoid();
}

void DeviceModule::generate() {
  verify_device_kernel(kernel_, DeviceTarget::Gpu);
  llvm::Function* body = function(kernel_);
  emit_entry(body);
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyModule(*module_, &os)) throw InternalError("device code for " + describe_kernel(kernel_) + " is not valid LLVM IR: " + problems);
}

std::string broadcast_entry_name(const BroadcastLoop& loop) {
  std::string name = "tsr_bcast_";
  for (char ch : loop.name) name += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_') ? ch : '_';
  return name;
}

std::string broadcast_device_problems(const BroadcastLoop& loop) {
  std::vector<DeviceProblem> problems = device_kernel_problems(*loop.f);
  std::string what;
  for (const DeviceProblem& p : problems)
    what += "\n  " + (p.loc.file ? *p.loc.file : std::string("?")) + ":" + std::to_string(p.loc.line) + ": " + p.what +
            (p.function.empty() ? "" : " (in " + p.function + ")");
  const Type* r = loop.f->ret;
  if (!is_bits(r)) what += "\n  its result is a " + std::string(r ? "boxed value" : "value of no type");
  if (what.empty()) return "";
  const SrcLoc& l = loop.f->body->loc;
  return "the broadcast at " + (l.file ? *l.file : std::string("?")) + ":" + std::to_string(l.line) + " cannot run on a GPU:" + what;
}

void DeviceModule::generate_broadcast(const BroadcastLoop& loop) {
  if (std::string why = broadcast_device_problems(loop); !why.empty()) throw ErrorException(why);
  entry_name_ = broadcast_entry_name(loop);
  Spec& f = *loop.f;
  llvm::Function* body = function(f);
  auto* i64 = llvm::Type::getInt64Ty(ctx_);
  auto* gptr = llvm::PointerType::get(ctx_, 1);
  size_t nout = loop.outs.size(), nleaf = loop.is_tensor.size();
  ParamFlattener flat{*this, ctx_, false};
  std::vector<llvm::Type*> params(nout, gptr);
  for (size_t k = 0; k < nleaf; ++k) {
    if (loop.is_tensor[k]) params.push_back(gptr);
    else flat.types(f.argtypes[k], params);
  }
  params.push_back(i64);   // total
  params.push_back(gptr);  // meta
  auto* fn = llvm::Function::Create(llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), params, false),
                                    llvm::Function::ExternalLinkage, entry_name_, *module_);
  fn->setCallingConv(llvm::CallingConv::PTX_Kernel);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx_, "entry", fn));
  auto a = fn->arg_begin();
  // Each value: the outputs, then the leaves; a tensor's base, or a scalar's value.
  std::vector<llvm::Value*> base, scalar;
  std::vector<bool> tensor;
  std::vector<const Type*> elem;
  for (size_t k = 0; k < nout; ++k) {
    base.push_back(&*a++);
    scalar.push_back(nullptr);
    tensor.push_back(true);
    elem.push_back(loop.outs[k].elem);
  }
  for (size_t k = 0; k < nleaf; ++k) {
    tensor.push_back(loop.is_tensor[k]);
    elem.push_back(f.argtypes[k]);
    if (loop.is_tensor[k]) {
      base.push_back(&*a++);
      scalar.push_back(nullptr);
    } else {
      base.push_back(nullptr);
      scalar.push_back(flat.build(b, f.argtypes[k], a));
    }
  }
  llvm::Value* total = &*a++;
  llvm::Value* meta = &*a++;
  llvm::Value* block_size = nullptr;
  llvm::Value* lin0 = thread_index(b, *module_, &block_size);
  auto* run = llvm::BasicBlock::Create(ctx_, "run", fn);
  auto* done = llvm::BasicBlock::Create(ctx_, "done", fn);
  b.CreateCondBr(b.CreateICmpUGE(lin0, total), done, run);
  b.SetInsertPoint(done);
  b.CreateRetVoid();
  b.SetInsertPoint(run);
  auto meta_at = [&](llvm::Value* i) { return b.CreateLoad(i64, b.CreateGEP(i64, meta, i)); };
  // An element's offset in each tensor (allocas in the entry block, which SROA promotes).
  size_t nv = tensor.size();
  std::vector<llvm::AllocaInst*> off(nv, nullptr);
  llvm::IRBuilder<> at_entry(&fn->getEntryBlock(), fn->getEntryBlock().begin());
  for (size_t v = 0; v < nv; ++v)
    if (tensor[v]) off[v] = at_entry.CreateAlloca(i64);
  llvm::AllocaInst* rest = at_entry.CreateAlloca(i64);
  llvm::AllocaInst* d = at_entry.CreateAlloca(i64);
  auto mem_type = [&](const Type* t) {
    llvm::Type* et = bits_type(ctx_, t);
    return et->isIntegerTy(1) ? llvm::Type::getInt8Ty(ctx_) : et;
  };
  // The element at offset `at` (or, when null, at the offsets in `off`): its leaves loaded,
  // then f called on them and the outputs stored.
  auto load_leaves = [&](llvm::Value* at) {
    std::vector<llvm::Value*> args;
    for (size_t k = 0; k < nleaf; ++k) {
      size_t v = nout + k;
      if (!tensor[v]) {
        args.push_back(scalar[v]);
        continue;
      }
      llvm::Type* mt = mem_type(elem[v]);
      llvm::Value* x = b.CreateLoad(mt, b.CreateGEP(mt, base[v], at ? at : b.CreateLoad(i64, off[v])));
      if (bits_type(ctx_, elem[v])->isIntegerTy(1)) x = b.CreateICmpNE(x, b.getInt8(0));
      args.push_back(x);
    }
    return args;
  };
  auto compute_store = [&](const std::vector<llvm::Value*>& args, llvm::Value* at) {
    llvm::Value* result = b.CreateCall(body, args);
    for (size_t k = 0; k < nout; ++k) {
      const BroadcastOut& o = loop.outs[k];
      const Type* rt = f.ret;
      llvm::Value* x = result;
      if (o.field >= 0) {
        x = b.CreateExtractValue(result, {static_cast<unsigned>(o.field)});
        rt = as_datatype(f.ret)->field_types[static_cast<size_t>(o.field)];
      }
      x = cast_number(b, x, rt, o.elem);
      llvm::Type* mt = mem_type(o.elem);
      if (x->getType()->isIntegerTy(1)) x = b.CreateZExt(x, mt);
      b.CreateStore(x, b.CreateGEP(mt, base[k], at ? at : b.CreateLoad(i64, off[k])));
    }
  };
  auto emit_element = [&] { compute_store(load_leaves(nullptr), nullptr); };
  auto* linear = llvm::BasicBlock::Create(ctx_, "linear", fn);
  auto* strided = llvm::BasicBlock::Create(ctx_, "strided", fn);
  // No meta array (a null pointer): every tensor is laid out as the result is, and element e's
  // offset is e, with no division. A work item then takes kLinearPerItem elements a block
  // apart (the launch has that many times fewer), so that each has several loads in flight and
  // neighbouring work items still touch neighbouring elements.
  b.CreateCondBr(b.CreateIsNull(meta), linear, strided);
  b.SetInsertPoint(linear);
  llvm::Value* tid = b.CreateZExt(b.CreateCall(llvm::Intrinsic::getDeclaration(module_.get(), llvm::Intrinsic::nvvm_read_ptx_sreg_tid_x)), i64);
  llvm::Value* first = b.CreateAdd(b.CreateMul(b.CreateSub(lin0, tid), b.getInt64(kLinearPerItem)), tid);
  // All kLinearPerItem elements inside: every load first, then the stores (an output may be a
  // leaf, y .= y .+ x, but only element for element, so no store feeds a later load), which
  // keeps the loads in flight together; at the tail, one element at a time.
  auto* full = llvm::BasicBlock::Create(ctx_, "linear.full", fn);
  auto* tail = llvm::BasicBlock::Create(ctx_, "linear.tail", fn);
  llvm::Value* last = b.CreateAdd(first, b.CreateMul(block_size, b.getInt64(kLinearPerItem - 1)));
  b.CreateCondBr(b.CreateICmpULT(last, total), full, tail);
  b.SetInsertPoint(full);
  {
    std::vector<llvm::Value*> at;
    std::vector<std::vector<llvm::Value*>> leaves;
    for (int64_t k = 0; k < kLinearPerItem; ++k) {
      at.push_back(b.CreateAdd(first, b.CreateMul(block_size, b.getInt64(k))));
      leaves.push_back(load_leaves(at.back()));
    }
    for (int64_t k = 0; k < kLinearPerItem; ++k) compute_store(leaves[static_cast<size_t>(k)], at[static_cast<size_t>(k)]);
    b.CreateBr(done);
  }
  b.SetInsertPoint(tail);
  for (int64_t k = 0; k < kLinearPerItem; ++k) {
    llvm::Value* e = b.CreateAdd(first, b.CreateMul(block_size, b.getInt64(k)));
    auto* elem_bb = llvm::BasicBlock::Create(ctx_, "linear.element", fn);
    auto* next = llvm::BasicBlock::Create(ctx_, "linear.next", fn);
    b.CreateCondBr(b.CreateICmpULT(e, total), elem_bb, done);
    b.SetInsertPoint(elem_bb);
    for (size_t v = 0; v < nv; ++v)
      if (tensor[v]) b.CreateStore(e, off[v]);
    emit_element();
    b.CreateBr(next);
    b.SetInsertPoint(next);
  }
  b.CreateBr(done);
  // Otherwise the element's index in each dimension, last first, from the meta array.
  auto* head = llvm::BasicBlock::Create(ctx_, "dims", fn);
  auto* step = llvm::BasicBlock::Create(ctx_, "dims.step", fn);
  auto* body_bb = llvm::BasicBlock::Create(ctx_, "element", fn);
  b.SetInsertPoint(strided);
  llvm::Value* rank = meta_at(b.getInt64(0));
  for (size_t v = 0; v < nv; ++v)
    if (tensor[v]) b.CreateStore(b.getInt64(0), off[v]);
  b.CreateStore(lin0, rest);
  b.CreateStore(rank, d);
  b.CreateBr(head);
  b.SetInsertPoint(head);
  llvm::Value* dv = b.CreateLoad(i64, d);
  b.CreateCondBr(b.CreateICmpSGT(dv, b.getInt64(0)), step, body_bb);
  b.SetInsertPoint(step);
  llvm::Value* d0 = b.CreateSub(dv, b.getInt64(1));
  llvm::Value* extent = meta_at(b.CreateAdd(b.getInt64(1), d0));
  llvm::Value* r = b.CreateLoad(i64, rest);
  llvm::Value* idx = b.CreateURem(r, extent);
  b.CreateStore(b.CreateUDiv(r, extent), rest);
  for (size_t v = 0; v < nv; ++v)
    if (tensor[v]) {
      llvm::Value* stride = meta_at(b.CreateAdd(b.CreateAdd(b.getInt64(1), rank), b.CreateAdd(b.CreateMul(rank, b.getInt64(v)), d0)));
      b.CreateStore(b.CreateAdd(b.CreateLoad(i64, off[v]), b.CreateMul(idx, stride)), off[v]);
    }
  b.CreateStore(d0, d);
  b.CreateBr(head);
  b.SetInsertPoint(body_bb);
  emit_element();
  b.CreateRetVoid();
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyModule(*module_, &os)) throw InternalError("device code for " + entry_name_ + " is not valid LLVM IR: " + problems);
}

}  // namespace tsr::jit::gpu
