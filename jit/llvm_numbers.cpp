#include "jit/llvm_numbers.hpp"

#include <cmath>

#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/Module.h>

#include "jit/compiler.hpp"
#include "jit/exp_f32.hpp"
#include "jit/ir.hpp"
#include "runtime/errors.hpp"
#include "runtime/number_types.hpp"

namespace tsr::jit {

llvm::Type* bits_type(llvm::LLVMContext& ctx, const Type* t) {
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
  return llvm::Type::getIntNTy(ctx, static_cast<unsigned>(integer_bits(dt)));
}

bool is_float_number(const Type* t) { return is_bits_float(t); }
bool is_unsigned_number(const Type* t) { return is_unsigned_integer(t); }
bool is_bool_number(const Type* t) { return as_datatype(t)->name->payload == Payload::Bool; }

llvm::Value* cast_number(llvm::IRBuilderBase& b, llvm::Value* v, const Type* from, const Type* to) {
  if (from == to) return v;
  llvm::Type* tt = bits_type(b.getContext(), to);
  bool ff = is_float_number(from), tf = is_float_number(to);
  if (ff && tf) return b.CreateFPCast(v, tt);
  if (!ff && tf) return (is_unsigned_number(from) || is_bool_number(from)) ? b.CreateUIToFP(v, tt) : b.CreateSIToFP(v, tt);
  if (ff && !tf) return b.CreateFPToSI(v, tt);
  if (is_bool_number(to)) return b.CreateICmpNE(v, llvm::ConstantInt::get(v->getType(), 0));
  return b.CreateIntCast(v, tt, !(is_unsigned_number(from) || is_bool_number(from)));
}

llvm::Value* int_conversion(llvm::IRBuilderBase& b, llvm::Value* x, const Type* from, const Type* to, llvm::Value** result) {
  llvm::Type* lt = bits_type(b.getContext(), to);
  bool to_unsigned = is_unsigned_number(to);
  bool fl = is_float_number(from);
  if (is_bool_number(to)) {
    auto k = [&](double c) -> llvm::Value* {
      return fl ? static_cast<llvm::Value*>(llvm::ConstantFP::get(x->getType(), c)) : llvm::ConstantInt::get(x->getType(), static_cast<uint64_t>(c));
    };
    llvm::Value* is0 = fl ? b.CreateFCmpOEQ(x, k(0)) : b.CreateICmpEQ(x, k(0));
    llvm::Value* is1 = fl ? b.CreateFCmpOEQ(x, k(1)) : b.CreateICmpEQ(x, k(1));
    *result = is1;
    return b.CreateOr(is0, is1);
  }
  if (fl) {
    int bits = static_cast<int>(lt->getIntegerBitWidth());
    double lo = to_unsigned ? 0.0 : -std::ldexp(1.0, bits - 1);
    double hi = std::ldexp(1.0, bits - (to_unsigned ? 0 : 1));
    llvm::Value* whole = b.CreateFCmpOEQ(b.CreateUnaryIntrinsic(llvm::Intrinsic::trunc, x), x);
    llvm::Value* in_range = b.CreateAnd(b.CreateFCmpOGE(x, llvm::ConstantFP::get(x->getType(), lo)), b.CreateFCmpOLT(x, llvm::ConstantFP::get(x->getType(), hi)));
    // Out of range the conversion is poison: select a defined value (it is not used then).
    llvm::Value* ok = b.CreateAnd(whole, in_range);
    llvm::Value* safe = b.CreateSelect(ok, x, llvm::ConstantFP::get(x->getType(), 0.0));
    *result = to_unsigned ? b.CreateFPToUI(safe, lt) : b.CreateFPToSI(safe, lt);
    return ok;
  }
  bool from_unsigned = is_unsigned_number(from) || is_bool_number(from);
  llvm::Value* r = b.CreateIntCast(x, lt, !from_unsigned);
  llvm::Value* back = b.CreateIntCast(r, x->getType(), !to_unsigned);
  llvm::Value* x_neg = from_unsigned ? b.getFalse() : b.CreateICmpSLT(x, llvm::ConstantInt::get(x->getType(), 0));
  llvm::Value* r_neg = to_unsigned ? b.getFalse() : b.CreateICmpSLT(r, llvm::ConstantInt::get(lt, 0));
  *result = r;
  return b.CreateAnd(b.CreateICmpEQ(back, x), b.CreateICmpEQ(x_neg, r_neg));
}

namespace {

llvm::Value* unary_math(llvm::IRBuilderBase& b, llvm::Intrinsic::ID id, llvm::Value* x) {
  llvm::Function* f = llvm::Intrinsic::getDeclaration(b.GetInsertBlock()->getModule(), id, {x->getType()});
  return b.CreateCall(f, {x});
}

// libm functions LLVM has no intrinsic for on every target.
llvm::Value* libm(llvm::IRBuilderBase& b, NumberErrors& errors, const char* name64, const char* name32, llvm::Value* x) {
  bool f32 = x->getType()->isFloatTy();
  auto callee = b.GetInsertBlock()->getModule()->getOrInsertFunction(errors.math_function(f32 ? name32 : name64), llvm::FunctionType::get(x->getType(), {x->getType()}, false));
  return b.CreateCall(callee, {x});
}

// exp_f32 (exp_f32.hpp) inline, step for step: it vectorizes, and gives the same bits as
// the dynamic path.
llvm::Value* exp_f32(llvm::IRBuilderBase& b, llvm::Value* x) {
  using C = ExpF32Constants;
  llvm::Type* f64 = llvm::Type::getDoubleTy(b.getContext());
  auto k64 = [&](double v) { return llvm::ConstantFP::get(f64, v); };
  auto fma = [&](llvm::Value* a, llvm::Value* m, llvm::Value* c) {
    return b.CreateIntrinsic(llvm::Intrinsic::fma, {f64}, {a, m, c});
  };
  llvm::Value* d = b.CreateFPExt(x, f64);
  llvm::Value* c = b.CreateIntrinsic(llvm::Intrinsic::minnum, {f64}, {b.CreateIntrinsic(llvm::Intrinsic::maxnum, {f64}, {d, k64(C::lo)}), k64(C::hi)});
  llvm::Value* k = b.CreateIntrinsic(llvm::Intrinsic::rint, {f64}, {b.CreateFMul(c, k64(C::log2e))});
  llvm::Value* r = fma(k, k64(-C::ln2_hi), c);
  r = fma(k, k64(-C::ln2_lo), r);
  llvm::Value* p = k64(C::taylor[0]);
  for (size_t i = 1; i < sizeof C::taylor / sizeof C::taylor[0]; ++i) p = fma(p, r, k64(C::taylor[i]));
  llvm::Type* i64 = llvm::Type::getInt64Ty(b.getContext());
  llvm::Value* bits = b.CreateShl(b.CreateAdd(b.CreateFPToSI(k, i64), llvm::ConstantInt::get(i64, 1023)), 52);
  llvm::Value* res = b.CreateFPTrunc(b.CreateFMul(p, b.CreateBitCast(bits, f64)), x->getType());
  return b.CreateSelect(b.CreateFCmpUNO(x, x), x, res);
}

// exp_fast_f32 (exp_f32.hpp) inline, step for step.
llvm::Value* exp_fast_f32(llvm::IRBuilderBase& b, llvm::Value* x) {
  using C = ExpFastConstants;
  llvm::Type* f32 = x->getType();
  auto kf = [&](float v) { return llvm::ConstantFP::get(f32, v); };
  auto fma = [&](llvm::Value* a, llvm::Value* m, llvm::Value* c) { return b.CreateIntrinsic(llvm::Intrinsic::fma, {f32}, {a, m, c}); };
  llvm::Value* c = b.CreateIntrinsic(llvm::Intrinsic::minnum, {f32}, {b.CreateIntrinsic(llvm::Intrinsic::maxnum, {f32}, {x, kf(C::lo)}), kf(C::hi)});
  llvm::Value* k = b.CreateIntrinsic(llvm::Intrinsic::rint, {f32}, {b.CreateFMul(c, kf(C::log2e))});
  llvm::Value* r = fma(k, kf(-C::ln2_hi), c);
  r = fma(k, kf(-C::ln2_lo), r);
  llvm::Value* p = kf(C::taylor[0]);
  for (size_t i = 1; i < sizeof C::taylor / sizeof C::taylor[0]; ++i) p = fma(p, r, kf(C::taylor[i]));
  llvm::Type* i32 = llvm::Type::getInt32Ty(b.getContext());
  llvm::Value* ki = b.CreateFPToSI(k, i32);
  llvm::Value* k1 = b.CreateAShr(ki, 1);
  llvm::Value* k2 = b.CreateSub(ki, k1);
  auto pow2 = [&](llvm::Value* e) {
    return b.CreateBitCast(b.CreateShl(b.CreateAdd(e, llvm::ConstantInt::get(i32, 127)), 23), f32);
  };
  llvm::Value* res = b.CreateFMul(b.CreateFMul(p, pow2(k1)), pow2(k2));
  return b.CreateSelect(b.CreateFCmpUNO(x, x), x, res);
}

// When cond holds, calls the intrinsic's runtime method on args (the values as computed
}  // namespace

llvm::Value* emit_number_op(llvm::IRBuilderBase& ir, NumberErrors& errors, TypeRegistry& types, Node* n, Intrinsic op,
                            std::vector<llvm::Value*> x, const std::vector<const Type*>& ts, const Type* c,
                            const Type* r) {
  // Bool orders as the unsigned 0 and 1 (a signed i1 would make true, -1, less than false).
  bool fl = is_float_number(c), un = is_unsigned_number(c) || is_bool_number(c);
  // Pow with an integer exponent keeps the exponent as it is.
  if (op == Intrinsic::Pow && !is_float_number(ts[1])) {
    llvm::Value* base = cast_number(ir, x[0], ts[0], c);
    llvm::Value* e = cast_number(ir, x[1], ts[1], types.Int64);
    // Small literal exponents multiply out (Julia's literal_pow), the rest loop by squaring.
    if (auto lit = llvm::dyn_cast<llvm::ConstantInt>(e); lit && lit->getSExtValue() >= 0 && lit->getSExtValue() <= 4) {
      int64_t k = lit->getSExtValue();
      llvm::Value* acc = fl ? static_cast<llvm::Value*>(llvm::ConstantFP::get(base->getType(), 1.0))
                            : llvm::ConstantInt::get(base->getType(), 1);
      for (int64_t i = 0; i < k; ++i) acc = fl ? ir.CreateFMul(acc, base) : ir.CreateMul(acc, base);
      return acc;
    }
    if (fl) {
      llvm::Function* powi = llvm::Intrinsic::getDeclaration(ir.GetInsertBlock()->getModule(), llvm::Intrinsic::powi, {base->getType(), ir.getInt32Ty()});
      return ir.CreateCall(powi, {base, ir.CreateTrunc(e, ir.getInt32Ty())});
    }
    return nullptr;  // integers: the runtime's exact power (DomainError for negative exponents)
  }
  // A signed operand's sign, before the cast to an unsigned compute type wraps it.
  MixedSignCompare mixed = mixed_sign_compare(op, ts, c);
  llvm::Value* negative = mixed.signed_arg < 0 ? nullptr
                                               : ir.CreateICmpSLT(x[mixed.signed_arg], llvm::ConstantInt::get(x[mixed.signed_arg]->getType(), 0));
  if (op != Intrinsic::Shl && op != Intrinsic::Shr && op != Intrinsic::LShr)
    for (size_t i = 0; i < x.size(); ++i) x[i] = cast_number(ir, x[i], ts[i], c);
  llvm::Value* a = x[0];
  llvm::Value* b = x.size() > 1 ? x[1] : nullptr;
  llvm::Value* z = x.size() > 2 ? x[2] : nullptr;
  llvm::Value* v = nullptr;
  // Inside @simd: float arithmetic may be reassociated (reductions vectorize).
  llvm::IRBuilderBase::FastMathFlagGuard fmf_guard(ir);
  if (n->reassoc && fl) {
    llvm::FastMathFlags fmf;
    fmf.setAllowReassoc();
    ir.setFastMathFlags(fmf);
  }
  switch (op) {
    case Intrinsic::Add: v = fl ? ir.CreateFAdd(a, b) : ir.CreateAdd(a, b); break;
    case Intrinsic::Sub: v = fl ? ir.CreateFSub(a, b) : ir.CreateSub(a, b); break;
    case Intrinsic::Mul: v = fl ? ir.CreateFMul(a, b) : ir.CreateMul(a, b); break;
    case Intrinsic::Div: v = ir.CreateFDiv(a, b); break;
    case Intrinsic::IntDiv:
    case Intrinsic::Rem: {
      if (fl) {
        v = op == Intrinsic::Rem ? ir.CreateFRem(a, b) : unary_math(ir, llvm::Intrinsic::trunc, ir.CreateFDiv(a, b));
        break;
      }
      llvm::Value* zero = llvm::ConstantInt::get(a->getType(), 0);
      llvm::Value* bad = ir.CreateICmpEQ(b, zero);
      if (!un && op == Intrinsic::IntDiv) {
        unsigned bits = a->getType()->getIntegerBitWidth();
        llvm::Value* min = llvm::ConstantInt::get(a->getType(), llvm::APInt::getSignedMinValue(bits));
        llvm::Value* m1 = llvm::ConstantInt::get(a->getType(), -1, true);
        bad = ir.CreateOr(bad, ir.CreateAnd(ir.CreateICmpEQ(a, min), ir.CreateICmpEQ(b, m1)));
      }
      errors.raise_when(bad, "DivideError", "integer division error", n);
      if (op == Intrinsic::IntDiv) {
        v = un ? ir.CreateUDiv(a, b) : ir.CreateSDiv(a, b);
      } else if (un) {
        v = ir.CreateURem(a, b);
      } else {
        // rem(typemin, -1) is 0; srem would trap: divide by 1 instead.
        llvm::Value* m1 = llvm::ConstantInt::get(a->getType(), -1, true);
        llvm::Value* safe_b = ir.CreateSelect(ir.CreateICmpEQ(b, m1), llvm::ConstantInt::get(a->getType(), 1), b);
        v = ir.CreateSRem(a, safe_b);
      }
      break;
    }
    case Intrinsic::Pow: {
      // A negative base to a finite non-integer power is Julia's DomainError: the rare case
      // goes through the runtime's method, which raises it with its message.
      llvm::Value* neg = ir.CreateFCmpOLT(a, llvm::ConstantFP::get(a->getType(), 0.0));
      llvm::Value* frac = ir.CreateFCmpUNE(unary_math(ir, llvm::Intrinsic::trunc, b), b);
      llvm::Value* finite = ir.CreateFCmpOLT(unary_math(ir, llvm::Intrinsic::fabs, b),
                                             llvm::ConstantFP::getInfinity(b->getType()));
      errors.call_method_when(ir.CreateAnd(neg, ir.CreateAnd(frac, finite)), n, {{a, c}, {b, c}});
      llvm::Function* pow = llvm::Intrinsic::getDeclaration(ir.GetInsertBlock()->getModule(), llvm::Intrinsic::pow, {a->getType()});
      v = ir.CreateCall(pow, {a, b});
      break;
    }
    case Intrinsic::BitAnd: v = ir.CreateAnd(a, b); break;
    case Intrinsic::BitOr: v = ir.CreateOr(a, b); break;
    case Intrinsic::BitXor: v = ir.CreateXor(a, b); break;
    case Intrinsic::Shl:
    case Intrinsic::Shr:
    case Intrinsic::LShr: {
      // Julia's shifts (as the dynamic path): a negative count shifts the other way; a count
      // of the width or more gives 0, or -1 for >> of a negative number.
      llvm::Value* lhs = cast_number(ir, x[0], ts[0], c);
      llvm::Value* sh = cast_number(ir, x[1], ts[1], types.Int64);
      llvm::Type* lt = lhs->getType();
      unsigned bits = lt->getIntegerBitWidth();
      llvm::Value* zero64 = llvm::ConstantInt::get(ir.getInt64Ty(), 0);
      llvm::Value* neg = is_unsigned_number(ts[1]) ? static_cast<llvm::Value*>(ir.getFalse()) : ir.CreateICmpSLT(sh, zero64);
      llvm::Value* mag = ir.CreateSelect(neg, ir.CreateSub(zero64, sh), sh);
      llvm::Value* big = ir.CreateICmpUGE(mag, llvm::ConstantInt::get(ir.getInt64Ty(), bits));
      llvm::Value* s = ir.CreateIntCast(ir.CreateSelect(big, zero64, mag), lt, false);
      bool arith = op != Intrinsic::LShr && !un;  // << by a negative count is >> too
      llvm::Value* right = arith ? ir.CreateAShr(lhs, s) : ir.CreateLShr(lhs, s);
      llvm::Value* right_big = arith ? ir.CreateAShr(lhs, llvm::ConstantInt::get(lt, bits - 1)) : llvm::ConstantInt::get(lt, 0);
      right = ir.CreateSelect(big, right_big, right);
      llvm::Value* left = ir.CreateSelect(big, llvm::ConstantInt::get(lt, 0), ir.CreateShl(lhs, s));
      llvm::Value* go_left = op == Intrinsic::Shl ? ir.CreateNot(neg) : neg;
      v = ir.CreateSelect(go_left, left, right);
      break;
    }
    case Intrinsic::Eq: v = fl ? ir.CreateFCmpOEQ(a, b) : ir.CreateICmpEQ(a, b); break;
    case Intrinsic::Ne: v = fl ? ir.CreateFCmpUNE(a, b) : ir.CreateICmpNE(a, b); break;
    case Intrinsic::Lt: v = fl ? ir.CreateFCmpOLT(a, b) : (un ? ir.CreateICmpULT(a, b) : ir.CreateICmpSLT(a, b)); break;
    case Intrinsic::Le: v = fl ? ir.CreateFCmpOLE(a, b) : (un ? ir.CreateICmpULE(a, b) : ir.CreateICmpSLE(a, b)); break;
    case Intrinsic::Gt: v = fl ? ir.CreateFCmpOGT(a, b) : (un ? ir.CreateICmpUGT(a, b) : ir.CreateICmpSGT(a, b)); break;
    case Intrinsic::Ge: v = fl ? ir.CreateFCmpOGE(a, b) : (un ? ir.CreateICmpUGE(a, b) : ir.CreateICmpSGE(a, b)); break;
    case Intrinsic::Neg:
      v = fl ? ir.CreateFNeg(a) : ir.CreateSub(llvm::ConstantInt::get(cast_number(ir, a, ts[0], r)->getType(), 0),
                                              cast_number(ir, a, ts[0], r));
      break;
    case Intrinsic::Pos: v = a; break;
    case Intrinsic::Not: v = ir.CreateNot(a); break;
    case Intrinsic::Abs:
      if (fl) v = unary_math(ir, llvm::Intrinsic::fabs, a);
      else if (un) v = a;
      else v = ir.CreateSelect(ir.CreateICmpSLT(a, llvm::ConstantInt::get(a->getType(), 0)), ir.CreateNeg(a), a);
      break;
    case Intrinsic::Floor: v = fl ? unary_math(ir, llvm::Intrinsic::floor, a) : a; break;
    case Intrinsic::Ceil: v = fl ? unary_math(ir, llvm::Intrinsic::ceil, a) : a; break;
    case Intrinsic::Round: v = fl ? unary_math(ir, llvm::Intrinsic::rint, a) : a; break;
    case Intrinsic::Sqrt:
    case Intrinsic::Log: {
      // sqrt and log of a negative number are a DomainError in Julia, not NaN (the dynamic
      // path raises it too).
      bool is_sqrt = op == Intrinsic::Sqrt;
      llvm::Value* neg = ir.CreateFCmpOLT(a, llvm::ConstantFP::get(a->getType(), 0.0));
      errors.raise_when(neg, "DomainError",
                        is_sqrt ? "sqrt was called with a negative real argument" : "log was called with a negative real argument",
                        n);
      v = unary_math(ir, is_sqrt ? llvm::Intrinsic::sqrt : llvm::Intrinsic::log, a);
      break;
    }
    case Intrinsic::Sin: v = unary_math(ir, llvm::Intrinsic::sin, a); break;
    case Intrinsic::Cos: v = unary_math(ir, llvm::Intrinsic::cos, a); break;
    case Intrinsic::Exp: v = a->getType()->isFloatTy() ? exp_f32(ir, a) : unary_math(ir, llvm::Intrinsic::exp, a); break;
    case Intrinsic::SqrtFast: v = unary_math(ir, llvm::Intrinsic::sqrt, a); break;
    case Intrinsic::ExpFast:
      v = a->getType()->isFloatTy() ? exp_fast_f32(ir, a) : unary_math(ir, llvm::Intrinsic::exp, a);
      break;
    case Intrinsic::Tan: v = libm(ir, errors, "tan", "tanf", a); break;
    case Intrinsic::Tanh: v = libm(ir, errors, "tanh", "tanhf", a); break;
    case Intrinsic::Atan: case Intrinsic::Asin: case Intrinsic::Acos: case Intrinsic::Sinh: case Intrinsic::Cosh:
    case Intrinsic::Log2: case Intrinsic::Log10: case Intrinsic::Log1p: case Intrinsic::Expm1: case Intrinsic::Cbrt:
    case Intrinsic::Exp2: case Intrinsic::Atan2: case Intrinsic::Hypot: {
      llvm::Value* bad = nullptr;  // outside the real domain: the runtime's method raises the DomainError
      auto k = [&](double c) { return llvm::ConstantFP::get(a->getType(), c); };
      if (op == Intrinsic::Log2 || op == Intrinsic::Log10) bad = ir.CreateFCmpOLT(a, k(0));
      if (op == Intrinsic::Log1p) bad = ir.CreateFCmpOLT(a, k(-1));
      if (op == Intrinsic::Asin || op == Intrinsic::Acos) bad = ir.CreateFCmpOGT(unary_math(ir, llvm::Intrinsic::fabs, a), k(1));
      if (bad) errors.call_method_when(bad, n, {{a, c}});
      bool f32 = a->getType()->isFloatTy();
      auto callee = ir.GetInsertBlock()->getModule()->getOrInsertFunction(errors.math_function(libm_name(op, f32)), llvm::FunctionType::get(a->getType(), std::vector<llvm::Type*>(x.size(), a->getType()), false));
      v = x.size() == 2 ? ir.CreateCall(callee, {a, b}) : ir.CreateCall(callee, {a});
      break;
    }
    case Intrinsic::Fma:
      v = fl ? ir.CreateIntrinsic(llvm::Intrinsic::fma, {a->getType()}, {a, b, z}) : ir.CreateAdd(ir.CreateMul(a, b), z);
      break;
    case Intrinsic::MulAdd: {
      if (!fl) {
        v = ir.CreateAdd(ir.CreateMul(a, b), z);
        break;
      }
      // A multiply and an add that may contract into one FMA: unlike llvm.fmuladd, the SLP
      // vectorizer packs these (a register-blocked matmul's accumulators), and the backend
      // still fuses them.
      llvm::FastMathFlags fmf = ir.getFastMathFlags();
      fmf.setAllowContract();
      llvm::IRBuilderBase::FastMathFlagGuard contract_guard(ir);
      ir.setFastMathFlags(fmf);
      v = ir.CreateFAdd(ir.CreateFMul(a, b), z);
      break;
    }
    case Intrinsic::Max:
    case Intrinsic::Min: {
      // llvm.maximum/minimum have Julia's float semantics (NaN propagates, -0.0 < 0.0).
      bool mx = op == Intrinsic::Max;
      llvm::Intrinsic::ID id = fl ? (mx ? llvm::Intrinsic::maximum : llvm::Intrinsic::minimum)
                               : un ? (mx ? llvm::Intrinsic::umax : llvm::Intrinsic::umin)
                               : (mx ? llvm::Intrinsic::smax : llvm::Intrinsic::smin);
      v = ir.CreateIntrinsic(id, {a->getType()}, {a, b});
      break;
    }
    case Intrinsic::Count: break;
  }
  if (!v) throw InternalError("intrinsic not generated");
  if (negative) v = mixed.negative_result ? ir.CreateOr(negative, v) : ir.CreateAnd(ir.CreateNot(negative), v);
  return v;
}

}  // namespace tsr::jit
