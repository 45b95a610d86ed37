// A device function's body: slots, control flow, literals, errors (device_fn.hpp). Calls,
// tensors and the kernel IR are in device_calls.cpp.
#include "jit/may_throw.hpp"
#include "jit/gpu/device_fn.hpp"

#include <algorithm>

#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/IntrinsicsNVPTX.h>
#include <llvm/IR/MDBuilder.h>

#include "jit/definite_assignment.hpp"
#include "runtime/errors.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

namespace tsr::jit::gpu {

DeviceFn::DeviceFn(DeviceModule& dm, Spec& s, llvm::Function* fn)
    : dm_(dm), c_(dm.compiler()), types_(c_.types()), s_(s), body_(*s.body), fn_(fn), ctx_(fn->getContext()), b_(ctx_) {
  i64_ = b_.getInt64Ty();
}

void DeviceFn::unsupported(const Node* at, const std::string& what) {
  const SrcLoc& l = at ? at->loc : body_.loc;
  throw ErrorException((l.file ? *l.file : std::string("?")) + ":" + std::to_string(l.line) + ": " + what +
                       " cannot be compiled for the GPU yet (in " + body_.name + ")");
}

void DeviceFn::emit_body() {
  auto* entry = llvm::BasicBlock::Create(ctx_, "entry", fn_);
  b_.SetInsertPoint(entry);
  for (size_t i = 0; i < body_.slots.size(); ++i) {
    const Type* t = body_.slots[i].type;
    slot_ptr_.push_back(t && t->kind != TypeKind::Bottom ? b_.CreateAlloca(dm_.value_type(t), nullptr, body_.slots[i].name) : nullptr);
  }
  std::vector<bool> maybe = slots_maybe_unassigned(body_);
  defined_flag_.assign(body_.slots.size(), nullptr);
  for (size_t i = 0; i < body_.slots.size(); ++i)
    if (maybe[i] && slot_ptr_[i]) {
      defined_flag_[i] = b_.CreateAlloca(b_.getInt1Ty(), nullptr, body_.slots[i].name + ".defined");
      b_.CreateStore(b_.getFalse(), defined_flag_[i]);
    }
  for (size_t i = 0; i < s_.argtypes.size() && i < body_.slots.size(); ++i)
    if (slot_ptr_[i]) store_slot(static_cast<int>(i), DVal{fn_->getArg(static_cast<unsigned>(i)), s_.argtypes[i]}, nullptr);
  // Keyword arguments: a static call passes none, so each takes its default.
  for (size_t k = 0; k < body_.kwdefaults.size(); ++k) {
    DVal d = emit(body_.kwdefaults[k]);
    if (!d.v) break;
    store_slot(static_cast<int>(body_.nargs + k), d, body_.kwdefaults[k]);
  }
  // A closure's captures: the fields of argument 0, the closure itself.
  if (!body_.capture_slots.empty()) {
    auto dt = s_.argtypes.empty() ? nullptr : as_datatype(s_.argtypes[0]);
    if (!dt || !is_device_aggregate(dt)) unsupported(nullptr, "a closure that captures what a GPU cannot hold");
    for (int slot : body_.capture_slots) {
      const auto& names = dt->name->field_names;
      size_t i = std::find(names.begin(), names.end(), body_.slots[slot].name) - names.begin();
      if (i == names.size()) unsupported(nullptr, "the capture `" + body_.slots[slot].name + "`");
      store_slot(slot, DVal{b_.CreateExtractValue(fn_->getArg(0), {static_cast<unsigned>(i)}), dt->field_types[i]}, nullptr);
    }
  }
  DVal last = b_.GetInsertBlock()->getTerminator() ? dead() : emit(body_.root);
  if (last.v) {
    if (fn_->getReturnType()->isVoidTy()) b_.CreateRetVoid();
    else b_.CreateRet(convert(last, s_.ret, body_.root));
  }
  for (llvm::BasicBlock& bb : *fn_)
    if (!bb.getTerminator()) {
      b_.SetInsertPoint(&bb);
      b_.CreateUnreachable();
    }
}

DVal DeviceFn::dead() {
  auto* bb = llvm::BasicBlock::Create(ctx_, "dead", fn_);
  b_.SetInsertPoint(bb);
  return DVal{};
}

DVal DeviceFn::nothing() { return DVal{b_.getFalse(), types_.Nothing}; }

llvm::Constant* DeviceFn::constant(const Value& v, const Type* t, const Node* at) {
  const Type* vt = v.type() ? v.type() : t;
  if (is_bits(vt) && !is_inline_struct(vt)) {
    const DataType* dt = as_datatype(vt);
    switch (dt->name->payload) {
      case Payload::Float64: return llvm::ConstantFP::get(b_.getDoubleTy(), v.as_f64());
      case Payload::Float32: return llvm::ConstantFP::get(b_.getFloatTy(), v.as_f32());
      case Payload::Bool: return b_.getInt1(v.as_bool());
      case Payload::None: return b_.getFalse();
      default: return llvm::ConstantInt::get(bits_type(ctx_, dt), static_cast<uint64_t>(v.as_int()), true);
    }
  }
  llvm::Type* lt = dm_.value_type(vt);
  if (is_device_aggregate(vt) && v.payload() == Payload::Object) {
    const auto& fields = v.as_struct().fields;
    std::vector<llvm::Constant*> cs;
    for (size_t i = 0; i < fields.size(); ++i) cs.push_back(constant(fields[i], aggregate_fields(vt)[i], at));
    return llvm::ConstantStruct::get(llvm::cast<llvm::StructType>(lt), cs);
  }
  if (auto st = llvm::dyn_cast<llvm::StructType>(lt); st && st->getNumElements() == 0) return llvm::ConstantStruct::get(st, {});
  unsupported(at, "the constant " + show_value(v));
}

DVal DeviceFn::literal(const Value& v, const Type* t, const Node* at) {
  const Type* vt = v.type() ? v.type() : t;
  // A type as a value is a constant of type Type{T}.
  if (v.payload() == Payload::Type) vt = t ? t : types_.type_of_type(v.as_type());
  if (v.payload() == Payload::Type || v.payload() == Payload::Function) {
    const Type* ty = t && t->kind != TypeKind::Bottom ? t : vt;
    return DVal{llvm::ConstantStruct::get(llvm::StructType::get(ctx_, {}), {}), ty};
  }
  return DVal{constant(v, vt, at), vt};
}

llvm::Value* DeviceFn::convert(DVal v, const Type* to, const Node* at) {
  if (v.type == to || !to) return v.v;
  if (is_bits_number(v.type) && is_bits_number(to)) return cast_number(b_, v.v, v.type, to);
  llvm::Type* lt = dm_.value_type(to);
  if (v.v->getType() == lt) return v.v;  // the same representation (a semantic tensor re-typed, say)
  unsupported(at, "a " + show_type(v.type) + " where a " + show_type(to) + " is expected");
}

llvm::Value* DeviceFn::truth(DVal c, const Node* at) {
  if (c.type == types_.Bool) return c.v;
  raise("TypeError", "non-boolean (" + show_type(c.type) + ") used in boolean context", at);
  return b_.getFalse();
}

void DeviceFn::store_slot(int slot, DVal v, const Node* at) {
  if (!slot_ptr_[slot]) return;
  b_.CreateStore(convert(v, body_.slots[slot].type, at), slot_ptr_[slot]);
  if (defined_flag_[slot]) b_.CreateStore(b_.getTrue(), defined_flag_[slot]);
}

DVal DeviceFn::load_slot(int slot, const Node* at) {
  const Type* t = body_.slots[slot].type;
  if (!slot_ptr_[slot]) unsupported(at, "a variable of no type");
  if (defined_flag_[slot])
    raise_if(b_.CreateNot(b_.CreateLoad(b_.getInt1Ty(), defined_flag_[slot])), "UndefVarError",
             "`" + body_.slots[slot].name + "` not defined in local scope", at);
  return DVal{b_.CreateLoad(dm_.value_type(t), slot_ptr_[slot]), t};
}

void DeviceFn::raise(const std::string& kind, const std::string& message, const Node* at) {
  int site = dm_.add_site(DeviceErrorSite{kind, message, at ? at->loc : body_.loc, body_.name});
  // The first error wins; then the work item ends (PTX `exit`): nothing after it runs.
  llvm::Value* flag = b_.CreateLoad(llvm::PointerType::get(b_.getContext(), 1), dm_.error_flag());
  b_.CreateAtomicCmpXchg(flag, b_.getInt64(0), b_.getInt64(site + 1), llvm::MaybeAlign(8),
                         llvm::AtomicOrdering::Monotonic, llvm::AtomicOrdering::Monotonic);
  auto* exit_asm = llvm::InlineAsm::get(llvm::FunctionType::get(b_.getVoidTy(), false), "exit;", "", true);
  b_.CreateCall(exit_asm);
  b_.CreateUnreachable();
}

void DeviceFn::raise_if(llvm::Value* cond, const std::string& kind, const std::string& message, const Node* at) {
  auto* bad = llvm::BasicBlock::Create(ctx_, "error", fn_);
  auto* ok = llvm::BasicBlock::Create(ctx_, "ok", fn_);
  b_.CreateCondBr(cond, bad, ok, llvm::MDBuilder(ctx_).createBranchWeights(1, 1000000));
  b_.SetInsertPoint(bad);
  raise(kind, message, at);
  b_.SetInsertPoint(ok);
}

void DeviceFn::raise_when(llvm::Value* cond, const char* kind, const char* message, Node* at) { raise_if(cond, kind, message, at); }

void DeviceFn::call_method_when(llvm::Value* cond, Node* call, const std::vector<std::pair<llvm::Value*, const Type*>>& args) {
  std::string fname = call->kids[0]->op == Op::Global ? call->kids[0]->name : "the function";
  raise_if(cond, "DomainError", fname + " was called outside its real domain (on the GPU: the argument is not reported)", call);
  (void)args;
}

DVal DeviceFn::emit(Node* n) {
  switch (n->op) {
    case Op::Literal: return literal(n->literal, n->type, n);
    case Op::Slot: return load_slot(n->slot, n);
    case Op::SetSlot: {
      DVal v = emit(n->kids[0]);
      if (!v.v) return v;
      store_slot(n->slot, v, n);
      return v;
    }
    case Op::Global:
      if (n->literal.defined()) return literal(n->literal, n->type, n);
      unsupported(n, "the global variable `" + n->name + "`");
    case Op::SParam:
      if (n->literal.defined()) return literal(n->literal, n->type, n);
      unsupported(n, "a `where` variable without a value");
    case Op::Call: return call(n);
    case Op::Block: {
      if (n->kids.empty()) return nothing();
      DVal last;
      for (Node* k : n->kids) {
        last = emit(k);
        if (!last.v) return dead();
      }
      return last;
    }
    case Op::If: return emit_if(n);
    case Op::While: return emit_while(n);
    case Op::Break:
      b_.CreateBr(loops_.back().brk);
      return dead();
    case Op::Continue:
      b_.CreateBr(loops_.back().cont);
      return dead();
    case Op::Return: return emit_return(n);
    case Op::And:
    case Op::Or: return emit_andor(n);
    case Op::Tuple: {
      llvm::Type* lt = dm_.value_type(n->type);
      llvm::Value* agg = llvm::UndefValue::get(lt);
      auto dt = as_datatype(n->type);
      for (size_t i = 0; i < n->kids.size(); ++i) {
        DVal e = emit(n->kids[i]);
        if (!e.v) return dead();
        agg = b_.CreateInsertValue(agg, convert(e, dt->params[i], n), {static_cast<unsigned>(i)});
      }
      return DVal{agg, n->type};
    }
    case Op::GetField: {
      DVal obj = emit(n->kids[0]);
      if (!obj.v) return obj;
      auto dt = as_datatype(obj.type);
      if (dt && is_inline_struct(dt)) {
        const auto& names = dt->name->field_names;
        for (size_t i = 0; i < names.size(); ++i)
          if (names[i] == n->name) return DVal{b_.CreateExtractValue(obj.v, {static_cast<unsigned>(i)}), dt->field_types[i]};
      }
      unsupported(n, "the field `" + n->name + "` of a " + show_type(obj.type));
    }
    case Op::TypeAssert: {
      DVal v = emit(n->kids[0]);
      if (!v.v) return v;
      if (!types_.issub(v.type, n->type_arg)) {
        raise("TypeError", "in typeassert, expected " + show_type(n->type_arg) + ", got a value of type " + show_type(v.type), n);
        return dead();
      }
      return DVal{v.v, v.type};
    }
    case Op::Unset:
      if (defined_flag_[n->slot]) b_.CreateStore(b_.getFalse(), defined_flag_[n->slot]);
      return nothing();
    case Op::WorkItem: return work_item(n);
    case Op::Barrier: return barrier(n);
    case Op::LocalMem: return local_memory(n);
    case Op::SetGlobal: unsupported(n, "assigning a global variable");
    case Op::Vect: unsupported(n, "a vector literal");
    case Op::SetField: unsupported(n, "assigning a field");
    case Op::Try: unsupported(n, "try/catch");
    case Op::Lambda: {
      // A closure whose captures a GPU holds (inference typed it with their types): a struct
      // of them, like a tuple; calling it is a static call of its body.
      if (n->kids.empty()) return DVal{llvm::ConstantStruct::get(llvm::StructType::get(ctx_, {}), {}), n->type};  // captures nothing
      if (!is_device_aggregate(n->type)) unsupported(n, "a closure (" + show_type(n->type) + ") that captures what a GPU cannot hold");
      llvm::Value* agg = llvm::UndefValue::get(dm_.value_type(n->type));
      const auto& fields = aggregate_fields(n->type);
      for (size_t i = 0; i < n->kids.size(); ++i) {
        DVal e = emit(n->kids[i]);
        if (!e.v) return dead();
        agg = b_.CreateInsertValue(agg, convert(e, fields[i], n), {static_cast<unsigned>(i)});
      }
      return DVal{agg, n->type};
    }
    case Op::NewCell:
    case Op::CellGet:
    case Op::CellSet: unsupported(n, "a variable captured by a closure");
  }
  unsupported(n, std::string("the node ") + op_name(n->op));
}

DVal DeviceFn::emit_if(Node* n) {
  DVal c = emit(n->kids[0]);
  if (!c.v) return c;
  if (int taken = folded_branch(n->kids[0])) {
    // Inference typed the If as the branch taken (jit/infer.cpp): that branch only.
    if (taken == 1) return emit(n->kids[1]);
    return n->kids.size() > 2 ? emit(n->kids[2]) : nothing();
  }
  llvm::Value* cond = truth(c, n);
  // An `if` whose value is no device value (a Union of a branch's value and nothing, say) is a
  // statement: verify-kernel checked that nothing uses its value.
  bool has_value = n->type && n->type->kind != TypeKind::Bottom && dm_.representable(n->type);
  llvm::Value* result = nullptr;
  if (has_value) {
    llvm::IRBuilder<> eb(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    result = eb.CreateAlloca(dm_.value_type(n->type));
  }
  auto* then_bb = llvm::BasicBlock::Create(ctx_, "then", fn_);
  auto* else_bb = llvm::BasicBlock::Create(ctx_, "else", fn_);
  auto* join = llvm::BasicBlock::Create(ctx_, "endif", fn_);
  b_.CreateCondBr(cond, then_bb, else_bb);
  auto branch = [&](Node* k) {
    DVal v = k ? emit(k) : nothing();
    if (!v.v) return;
    if (result) b_.CreateStore(convert(v, n->type, n), result);
    b_.CreateBr(join);
  };
  b_.SetInsertPoint(then_bb);
  branch(n->kids[1]);
  b_.SetInsertPoint(else_bb);
  branch(n->kids.size() > 2 ? n->kids[2] : nullptr);
  b_.SetInsertPoint(join);
  if (!has_value) return n->type && n->type->kind == TypeKind::Bottom ? dead() : nothing();
  return DVal{b_.CreateLoad(dm_.value_type(n->type), result), n->type};
}

DVal DeviceFn::emit_while(Node* n) {
  auto* cond_bb = llvm::BasicBlock::Create(ctx_, "loop.cond", fn_);
  auto* body_bb = llvm::BasicBlock::Create(ctx_, "loop.body", fn_);
  auto* step_bb = llvm::BasicBlock::Create(ctx_, "loop.step", fn_);
  auto* exit_bb = llvm::BasicBlock::Create(ctx_, "loop.exit", fn_);
  b_.CreateBr(cond_bb);
  b_.SetInsertPoint(cond_bb);
  DVal c = emit(n->kids[0]);
  if (c.v) b_.CreateCondBr(truth(c, n), body_bb, exit_bb);
  b_.SetInsertPoint(body_bb);
  loops_.push_back({exit_bb, step_bb});
  if (emit(n->kids[1]).v) b_.CreateBr(step_bb);
  b_.SetInsertPoint(step_bb);
  if (n->kids.size() > 2) {
    if (emit(n->kids[2]).v) b_.CreateBr(cond_bb);
  } else {
    b_.CreateBr(cond_bb);
  }
  loops_.pop_back();
  b_.SetInsertPoint(exit_bb);
  return nothing();
}

DVal DeviceFn::emit_andor(Node* n) {
  bool is_and = n->op == Op::And;
  DVal a = emit(n->kids[0]);
  if (!a.v) return a;
  llvm::Value* ca = truth(a, n);
  llvm::BasicBlock* from = b_.GetInsertBlock();
  auto* rhs = llvm::BasicBlock::Create(ctx_, is_and ? "and.rhs" : "or.rhs", fn_);
  auto* join = llvm::BasicBlock::Create(ctx_, "join", fn_);
  b_.CreateCondBr(ca, is_and ? rhs : join, is_and ? join : rhs);
  b_.SetInsertPoint(rhs);
  DVal bv = emit(n->kids[1]);
  llvm::Value* cb = bv.v ? truth(bv, n) : nullptr;
  llvm::BasicBlock* rhs_end = b_.GetInsertBlock();
  if (cb) b_.CreateBr(join);
  b_.SetInsertPoint(join);
  auto* phi = b_.CreatePHI(b_.getInt1Ty(), 2);
  phi->addIncoming(b_.getInt1(!is_and), from);
  if (cb) phi->addIncoming(cb, rhs_end);
  return DVal{phi, types_.Bool};
}

DVal DeviceFn::emit_return(Node* n) {
  DVal v = emit(n->kids[0]);
  if (!v.v) return dead();
  if (fn_->getReturnType()->isVoidTy()) b_.CreateRetVoid();
  else b_.CreateRet(convert(v, s_.ret, n));
  return dead();
}

}  // namespace tsr::jit::gpu
