// A function body: its prologue (slots, arguments, keyword defaults, captures) and the
// nodes of the typed IR, control flow included.
#include "jit/cpu/fn_gen.hpp"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>

#include "jit/builtins.hpp"
#include "jit/constants.hpp"
#include "jit/definite_assignment.hpp"
#include "jit/intrinsics.hpp"
#include "jit/may_throw.hpp"
#include "runtime/errors.hpp"
#include "runtime/tensor.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_layout.hpp"

namespace tsr::jit::cpu {

void FnGen::emit_function(const std::string& private_name) {
  // A private copy (for a broadcast loop that inlines it) or the specialization itself.
  if (private_name.empty()) fn_ = declare(m_, s_);
  else fn_ = llvm::Function::Create(spec_type(ctx_, s_), llvm::Function::InternalLinkage, private_name, m_);
  auto* entry = llvm::BasicBlock::Create(ctx_, "entry", fn_);
  b_.SetInsertPoint(entry);
  open_frame();
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
  std::vector<bool> assigned = slots_assigned(body_);
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
    const Type* ct = body_.slots[body_.capture_slots[i]].type;
    Node field{};
    field.op = Op::GetField;
    field.name = capture_name(i);
    field.type = ct;
    if (RVal v = boxed_struct_field(RVal{slot_ptr_[0], true, s_.argtypes.empty() ? nullptr : s_.argtypes[0]}, &field); v.v) {
      store_slot(body_.capture_slots[i], v);
      continue;
    }
    llvm::Value* out = temp();
    call_void("tsr_getfield", {out, slot_ptr_[0], str_ref(capture_name(i))});
    store_slot(body_.capture_slots[i], RVal{out, true, ct});
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

void FnGen::emit_return(RVal r) {
  if (is_bits(s_.ret)) {
    b_.CreateStore(convert_bits(r, s_.ret), ret_slot_);
  } else if (s_.ret->kind != TypeKind::Bottom && !is_function_singleton(s_.ret)) {
    call_void("tsr_assign", {out_, as_boxed(r)});
  }
  b_.CreateBr(return_bb_);
}

llvm::Value* FnGen::convert_bits(RVal r, const Type* t) {
  if (!r.boxed) return r.v;
  return unbox(r.v, t);
}

RVal FnGen::emit(Node* n) {
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
      for (size_t i = 0; i < n->kids.size(); ++i) {
        Node* k = n->kids[i];
        if (n == body_.root && !s_.method) note_toplevel_line(k->loc.line);
        last = i + 1 < n->kids.size() ? emit_effect(k) : emit(k);  // only the last one's value is read
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
      if (n->op == Op::Tuple && n->type && types_.is_concrete(n->type) && as_datatype(n->type) &&
          as_datatype(n->type)->name->is_tuple) {
        // Its type is known here (each element's concrete type): made as a struct of that
        // type, without the runtime working the type out (and interning it) on every call.
        call_void("tsr_make_struct", {out, type_ref(n->type), args, llvm::ConstantInt::get(i64_, k)});
        return RVal{out, true, n->type};
      }
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
      if (RVal f = boxed_struct_field(obj, n); f.v) return f;
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
      call_void("tsr_make_closure", {out, type_ref(n->type), args, llvm::ConstantInt::get(i64_, k)});
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
    case Op::WorkItem: return work_item(n);
    case Op::Barrier: return barrier(n);
    case Op::LocalMem: return local_memory(n);
  }
  throw InternalError(std::string("codegen: unhandled node ") + op_name(n->op));
}

RVal FnGen::function_constant(const Type* t) {
  auto dt = as_datatype(t);
  return literal(Value::from_function(dt, dt->name->instance), t);
}

RVal FnGen::literal(const Value& v, const Type* t) {
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

llvm::Value* FnGen::emit_into_temps(const std::vector<Node*>& nodes) {
  std::vector<RVal> vals;
  for (Node* kid : nodes) {
    vals.push_back(emit(kid));
    if (!vals.back().v) return nullptr;
  }
  llvm::Value* first = temps(std::max(static_cast<int>(vals.size()), 1));
  store_args(first, vals);
  return first;
}

void FnGen::store_args(llvm::Value* first, const std::vector<RVal>& vals) {
  for (size_t i = 0; i < vals.size(); ++i) {
    llvm::Value* dst = b_.CreateGEP(value_ty_, first, llvm::ConstantInt::get(i64_, i));
    if (vals[i].boxed) call_void("tsr_assign", {dst, vals[i].v});
    else box_into(dst, vals[i]);
  }
}

llvm::Value* FnGen::truth(RVal c, const Node* at) {
  if (!c.boxed && c.type == types_.Bool) return c.v;
  llvm::Value* p = as_boxed(c);
  auto callee = abi("tsr_truthy");
  llvm::Value* r = b_.CreateCall(callee, {p});
  check_error(at);
  return b_.CreateICmpNE(r, llvm::ConstantInt::get(i8_, 0));
}

FnGen::ResultSlot FnGen::result_slot(const Type* t) {
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

void FnGen::put(ResultSlot& r, RVal v) {
  if (!r.p || !v.v) return;
  if (r.bits) b_.CreateStore(as_bits(RVal{v.v, v.boxed, r.type}), r.p);
  else call_void("tsr_assign", {r.p, as_boxed(v)});
}

void FnGen::put_and_branch(ResultSlot& r, RVal v, llvm::BasicBlock* join) {
  if (!v.v) return;
  put(r, v);
  b_.CreateBr(join);
}

RVal FnGen::get(const ResultSlot& r) {
  if (!r.p) return dead();
  if (r.bits) return RVal{b_.CreateLoad(bits_type(ctx_, r.type), r.p), false, r.type};
  return RVal{r.p, true, r.type};
}

// An `if`; for_effect when nobody reads its value (emit_effect): then it makes no result, so
// one typed Union{T, Nothing} (an `if` without `else`) is not boxed into the frame on every
// pass. That box had kept loops ending in such an `if` from vectorizing, in kernels and
// functions alike.
RVal FnGen::emit_if(Node* n, bool for_effect) {
  auto branch = [&](Node* k) { return for_effect ? emit_effect(k) : emit(k); };
  RVal c = emit(n->kids[0]);
  if (!c.v) return c;
  if (int taken = folded_branch(n->kids[0])) {
    // Inference typed the If as the branch taken (the other may not fit its type).
    if (taken == 1) return branch(n->kids[1]);
    return n->kids.size() > 2 ? branch(n->kids[2]) : literal_nothing();
  }
  llvm::Value* cond = truth(c, n);
  ResultSlot r = for_effect ? ResultSlot{} : result_slot(n->type);
  auto* then_bb = llvm::BasicBlock::Create(ctx_, "then", fn_);
  auto* else_bb = llvm::BasicBlock::Create(ctx_, "else", fn_);
  auto* join = llvm::BasicBlock::Create(ctx_, "endif", fn_);
  b_.CreateCondBr(cond, then_bb, else_bb);
  bool live = false;
  auto arm = [&](RVal v) {
    if (!v.v) return;
    live = true;
    if (!for_effect) put(r, v);
    b_.CreateBr(join);
  };
  b_.SetInsertPoint(then_bb);
  arm(branch(n->kids[1]));
  b_.SetInsertPoint(else_bb);
  arm(n->kids.size() > 2 ? branch(n->kids[2]) : literal_nothing());
  b_.SetInsertPoint(join);
  if (!for_effect) return get(r);
  if (!live) {
    b_.CreateUnreachable();
    return dead();
  }
  return literal_nothing();
}

// A statement whose value nobody reads: a block's statements but the last, a loop's body and
// step.
RVal FnGen::emit_effect(Node* n) {
  if (n->op == Op::If) return emit_if(n, true);
  if (n->op != Op::Block) return emit(n);
  for (Node* k : n->kids) {
    if (n == body_.root && !s_.method) note_toplevel_line(k->loc.line);
    if (!emit_effect(k).v) return dead();
  }
  return literal_nothing();
}

bool FnGen::run_finallies(size_t depth) {
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

RVal FnGen::emit_while(Node* n) {
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
  RVal body = emit_effect(n->kids[1]);
  if (body.v) b_.CreateBr(step_bb);
  b_.SetInsertPoint(step_bb);
  if (n->kids.size() > 2) {
    RVal s = emit_effect(n->kids[2]);
    if (s.v) b_.CreateBr(cond_bb);
  } else {
    b_.CreateBr(cond_bb);
  }
  loops_.pop_back();
  b_.SetInsertPoint(exit_bb);
  return literal_nothing();
}

RVal FnGen::emit_andor(Node* n) {
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

RVal FnGen::emit_try(Node* n) {
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

}  // namespace tsr::jit::cpu
