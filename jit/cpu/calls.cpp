// Calls: to specializations (direct, or a private copy to inline), to C++ methods, dynamic
// dispatch; intrinsics through the shared number code; structs built in registers.
#include "jit/cpu/fn_gen.hpp"
#include "jit/may_throw.hpp"

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

RVal FnGen::call(Node* n) {
  std::vector<RVal> args;
  if (n->bind == Bind::Folded) {
    // Computed at compile time; arguments that are not constants still run (for their effects).
    for (size_t i = 1; i < n->kids.size(); ++i) {
      if (!folded_constant(n->kids[i]) && !emit(n->kids[i]).v) return dead();
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
      if (n->spec && n->vararg_at >= 0) return call_spec(n, pack_varargs(n, std::move(args)));
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
    case Bind::TupleGet:
      return tuple_get(n, args);
    case Bind::Construct: {
      const Type* t = n->kids[0]->literal.as_type();
      if (RVal v = construct_inline(n, args); v.v) return v;
      auto runtime = [&] {
        return call_boxed(n, args, [&](llvm::Value* out, llvm::Value* argv, int k) {
          call_void("tsr_construct", {out, type_ref(t), argv, llvm::ConstantInt::get(i64_, k)});
        });
      };
      // Int64(x), floor(Int, x), Bool(x) of a number: inline when x is representable; else the
      // runtime's constructor raises the InexactError with Julia's message.
      if (args.size() == 1 && is_bits_number(t) && !is_bits_float(t) && is_bits_number(args[0].type) && n->type == t) {
        llvm::Value* fast = nullptr;
        llvm::Value* ok = int_conversion(b_, as_bits(args[0]), args[0].type, t, &fast);
        auto* slow_bb = llvm::BasicBlock::Create(ctx_, "convert.inexact", fn_);
        auto* join = llvm::BasicBlock::Create(ctx_, "convert.done", fn_);
        llvm::BasicBlock* fast_bb = b_.GetInsertBlock();
        b_.CreateCondBr(ok, join, slow_bb, llvm::MDBuilder(ctx_).createBranchWeights(1000000, 1));
        b_.SetInsertPoint(slow_bb);
        RVal r = runtime();
        llvm::Value* slow = r.v ? as_bits(RVal{r.v, r.boxed, t}) : nullptr;
        llvm::BasicBlock* slow_end = b_.GetInsertBlock();
        if (slow) b_.CreateBr(join);
        b_.SetInsertPoint(join);
        auto* phi = b_.CreatePHI(fast->getType(), 2);
        phi->addIncoming(fast, fast_bb);
        if (slow) phi->addIncoming(slow, slow_end);
        return RVal{phi, false, t};
      }
      return runtime();
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

llvm::Function* FnGen::callee_function(Spec& callee) {
  if (!c_.inline_copy(s_, callee)) return declare(m_, callee);
  std::string name = callee.symbol + ".copy";
  if (auto f = m_.getFunction(name)) return f;
  FnGen g(c_, m_, callee);
  g.emit_function(name);
  cacheable_ = cacheable_ && g.cacheable_;
  return m_.getFunction(name);
}

std::vector<RVal> FnGen::pack_varargs(Node* n, std::vector<RVal> args) {
  // The trailing arguments as the tuple the callee's specialization takes last (its type is
  // known: each element's concrete type).
  const Type* tuple_t = n->spec->argtypes.back();
  size_t at = static_cast<size_t>(n->vararg_at);
  std::vector<RVal> rest(args.begin() + static_cast<std::ptrdiff_t>(at), args.end());
  int k = static_cast<int>(rest.size());
  llvm::Value* elems = temps(std::max(k, 1));
  store_args(elems, rest);
  llvm::Value* out = temp();
  call_void("tsr_make_struct", {out, type_ref(tuple_t), elems, llvm::ConstantInt::get(i64_, k)});
  args.resize(at);
  args.push_back(RVal{out, true, tuple_t});
  return args;
}

RVal FnGen::call_spec(Node* n, const std::vector<RVal>& args) {
  Spec& callee = *n->spec;
  llvm::Function* f = callee_function(callee);
  bool constant_ret = is_function_singleton(callee.ret);
  llvm::Value* out = is_bits(callee.ret) || constant_ret ? llvm::ConstantPointerNull::get(ptr_) : temp();
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
  if (constant_ret) return function_constant(callee.ret);
  return RVal{out, true, callee.ret};
}

RVal FnGen::intrinsic(Node* n, const std::vector<RVal>& args) {
  auto op = static_cast<Intrinsic>(n->intrinsic);
  std::vector<const Type*> ts;
  std::vector<llvm::Value*> x;
  for (const RVal& a : args) {
    ts.push_back(a.type);
    x.push_back(as_bits(a));
  }
  auto typing = intrinsic_typing(types_, op, ts);
  if (!typing) throw InternalError("intrinsic bound without a typing");
  if (llvm::Value* v = emit_number_op(b_, *this, types_, n, op, x, ts, typing->compute, typing->result))
    return RVal{v, false, typing->result};
  // An integer to an integer power: the runtime's exact power (DomainError for a negative exponent).
  std::vector<RVal> boxed{RVal{cast_number(b_, x[0], ts[0], typing->compute), false, typing->compute},
                          RVal{cast_number(b_, x[1], ts[1], types_.Int64), false, types_.Int64}};
  return call_boxed(n, boxed, [&](llvm::Value* out, llvm::Value* argv, int k) {
    call_void("tsr_call_method", {out, method_ref(n), argv, llvm::ConstantInt::get(i64_, k)});
  });
}

void FnGen::raise_when(llvm::Value* cond, const char* kind, const char* message, Node* at) {
  auto* bad = llvm::BasicBlock::Create(ctx_, "number.error", fn_);
  auto* ok = llvm::BasicBlock::Create(ctx_, "number.ok", fn_);
  b_.CreateCondBr(cond, bad, ok, llvm::MDBuilder(ctx_).createBranchWeights(1, 1000));
  b_.SetInsertPoint(bad);
  call_void("tsr_raise_error", {cstr_ref(kind), cstr_ref(message)});
  b_.CreateBr(ok);
  b_.SetInsertPoint(ok);
  check_error(at);
}

void FnGen::call_method_when(llvm::Value* cond, Node* call, const std::vector<std::pair<llvm::Value*, const Type*>>& args) {
  auto* bad = llvm::BasicBlock::Create(ctx_, "domain.error", fn_);
  auto* ok = llvm::BasicBlock::Create(ctx_, "domain.ok", fn_);
  b_.CreateCondBr(cond, bad, ok, llvm::MDBuilder(ctx_).createBranchWeights(1, 1000));
  b_.SetInsertPoint(bad);
  std::vector<RVal> vals;
  for (auto& [v, t] : args) vals.push_back(RVal{v, false, t});
  call_boxed(call, vals, [&](llvm::Value* out, llvm::Value* argv, int k) {
    call_void("tsr_call_method", {out, method_ref(call), argv, llvm::ConstantInt::get(i64_, k)});
  });
  b_.CreateBr(ok);
  b_.SetInsertPoint(ok);
}

RVal FnGen::construct_inline(Node* n, const std::vector<RVal>& args) {
  // The rule (shared with the may-throw pass) is jit/may_throw.hpp's.
  switch (inline_construct(n)) {
    case InlineConstruct::No: return RVal{};
    case InlineConstruct::FloatConversion:
      return RVal{cast_number(b_, as_bits(args[0]), args[0].type, n->type), false, n->type};
    case InlineConstruct::Struct: break;
  }
  auto dt = as_datatype(n->type);
  llvm::Value* agg = llvm::UndefValue::get(bits_type(ctx_, dt));
  for (size_t i = 0; i < args.size(); ++i) {
    const Type* ft = dt->field_types[i];
    llvm::Value* v = as_bits(args[i]);
    if (args[i].type != ft) v = cast_number(b_, v, args[i].type, ft);  // an integer widened to a float field
    agg = b_.CreateInsertValue(agg, v, {static_cast<unsigned>(i)});
  }
  return RVal{agg, false, dt};
}

}  // namespace tsr::jit::cpu
