// Type inference: abstract interpretation of a body over the type lattice.
//
// Slots are typed flow-insensitively (the join of every value assigned to them); expressions
// bottom-up. Calls whose argument types are all concrete are bound at compile time: to an
// intrinsic, to a specialization of a Tessera method (inferred recursively; a recursive call
// uses the current estimate of its return type, starting from Union{}), or to a C++ method.
// The rest are dynamic. Passes repeat until slot types and the return type stop changing.
#include "jit/abi.hpp"
#include "jit/builtins.hpp"
#include "jit/compiler.hpp"
#include "jit/definite_assignment.hpp"
#include "jit/infer.hpp"
#include "jit/intrinsics.hpp"
#include "jit/may_throw.hpp"
#include "runtime/construct.hpp"
#include "runtime/dict.hpp"
#include "runtime/errors.hpp"
#include "runtime/tensor.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_layout.hpp"

namespace tsr::jit {

bool is_inline_struct(const Type* t) {
  auto dt = as_datatype(t);
  if (!dt || !dt->is_concrete) return false;
  const TypeName* n = dt->name;
  if (n->payload != Payload::Object || n->is_mutable || n->is_tuple || n->is_semantic || n->callable ||
      n->field_names.empty() || n->field_types.size() != dt->field_types.size())
    return false;
  for (const Type* f : dt->field_types)
    if (!is_bits(f)) return false;
  return true;
}

bool is_function_singleton(const Type* t) {
  auto dt = as_datatype(t);
  return dt && dt->is_concrete && dt->name->payload == Payload::Function && dt->name->instance != nullptr;
}

bool is_bits(const Type* t) {
  auto dt = as_datatype(t);
  if (!dt || !dt->is_concrete) return false;
  Payload p = dt->name->payload;
  return p == Payload::Int || p == Payload::Float64 || p == Payload::Float32 || p == Payload::Bool ||
         (p == Payload::None && dt->name->name == "Nothing") || is_inline_struct(t);
}

const Type* join_types(TypeRegistry& types, const Type* a, const Type* b) {
  if (!a || a->kind == TypeKind::Bottom) return b;
  if (!b || b->kind == TypeKind::Bottom) return a;
  if (a == b) return a;
  const Type* ms[] = {a, b};
  const Type* u = types.union_of(ms);
  if (auto un = as_union(u); un && un->members.size() > 4) return types.Any;
  return u;
}

class Inferrer {
 public:
  Inferrer(Compiler& c, Spec& s) : c_(c), types_(c.types()), s_(s), b_(*s.body) {}

  void run() {
    for (int pass = 0; pass < 20; ++pass) {
      changed_ = false;
      ret_ = types_.bottom();
      for (size_t k = 0; k < b_.kwdefaults.size(); ++k) set_slot(static_cast<int>(b_.nargs + k), type(b_.kwdefaults[k]));
      const Type* last = type(b_.root);
      // A body that falls off its end returns its last value.
      ret_ = join_types(types_, ret_, last);
      if (s_.ret != ret_) {
        s_.ret = pass > 10 ? static_cast<const Type*>(types_.Any) : join_types(types_, s_.ret, ret_);
        changed_ = true;
      }
      if (!changed_) return;
    }
  }
  bool used_provisional() const { return used_provisional_; }

 private:
  void set_slot(int slot, const Type* t) {
    SlotInfo& si = b_.slots[slot];
    const Type* j = join_types(types_, si.type, t);
    if (si.is_cell) j = types_.Any;
    if (j != si.type) {
      si.type = j;
      changed_ = true;
    }
  }

  const Type* type(Node* n) {
    n->type = compute(n);
    return n->type;
  }

  // The constant a node evaluates to, when inference knows it (functions, types, const globals).
  const Value* constant(Node* n) {
    if (n->op == Op::Literal || ((n->op == Op::Global || n->op == Op::SParam) && n->literal.defined()) ||
        (n->op == Op::Call && n->bind == Bind::Folded))
      return &n->literal;
    if (n->op == Op::Slot) return slot_type_value(n);
    return nullptr;
  }

  // A variable that holds one type known exactly (`T = eltype(p)`: Type{Float32}) holds that
  // type: T(x) binds as Float32(x), zero(T) folds as zero(Float32) (Adam's step made six calls
  // through the dispatcher for its T(...) scalars). The value is kept in the read's node, and
  // each pass sets or clears it from the slot's type then, so the last pass's is the one left.
  // Not for a variable that some read may find unassigned (that read raises UndefVarError).
  const Value* slot_type_value(Node* n) {
    n->literal = Value();
    if (n->slot < 0 || static_cast<size_t>(n->slot) >= b_.slots.size() || b_.slots[n->slot].is_cell) return nullptr;
    auto dt = as_datatype(b_.slots[n->slot].type);
    if (!dt || !dt->name->is_type_of_type || dt->params.size() != 1) return nullptr;
    const Type* x = dt->params[0];
    if (x->kind == TypeKind::TypeVar || x->kind == TypeKind::Bottom || is_type_of_type(x)) return nullptr;
    if (maybe_unassigned_.empty()) maybe_unassigned_ = slots_maybe_unassigned(b_);
    if (static_cast<size_t>(n->slot) < maybe_unassigned_.size() && maybe_unassigned_[n->slot]) return nullptr;
    n->literal = type_value(x);
    return &n->literal;
  }

  // A type as a value: its kind (DataType, UnionAll or Union) is the value's type.
  Value type_value(const Type* x) {
    return Value::from_type(x->kind == TypeKind::UnionAll ? types_.UnionAllT
                            : x->kind == TypeKind::Union  ? types_.UnionTypeT
                                                          : types_.DataTypeT,
                            x);
  }

  const Type* value_type(const Value& v) {
    if (v.payload() == Payload::Type) return types_.type_of_type(v.as_type());
    return v.type();
  }

  const Type* compute(Node* n) {
    const Type* bottom = types_.bottom();
    switch (n->op) {
      case Op::Literal:
        return value_type(n->literal);
      case Op::Slot: {
        const Type* t = b_.slots[n->slot].type;
        return t ? t : bottom;
      }
      case Op::SetSlot: {
        const Type* v = type(n->kids[0]);
        set_slot(n->slot, v);
        return v;
      }
      case Op::Global: {
        Globals& g = c_.globals();
        if (!n->literal.defined() && !n->late) {
          // A global variable shadows a function or type of the same name (as Main's do Base's).
          if (g.global(n->name)) {
            if (g.is_const(n->name)) n->literal = *g.global(n->name);
          } else if (GenericFunction* f = g.find_function(n->name); f && !types_.lookup(n->name))
            n->literal = Value::from_function(f->type(), f);
          // A type's name is the type even when it has constructors (the function of the same
          // name, which calls of the type reach), as in Julia.
          else if (const Type* t = types_.lookup(n->name); t && !g.global(n->name))
            n->literal = Value::from_type(t->kind == TypeKind::UnionAll ? types_.UnionAllT
                                          : t->kind == TypeKind::Union  ? types_.UnionTypeT
                                                                        : types_.DataTypeT,
                                          t);
        }
        return n->literal.defined() ? value_type(n->literal) : types_.Any;
      }
      case Op::SetGlobal:
        return type(n->kids[0]);
      case Op::Call:
        return call(n);
      case Op::Block: {
        const Type* t = types_.Nothing;
        for (Node* k : n->kids) {
          t = type(k);
          if (t->kind == TypeKind::Bottom) {
            // What follows cannot run; still type it so every node has a type.
            for (Node* rest : n->kids) if (!rest->type) type(rest);
            return bottom;
          }
        }
        return t;
      }
      case Op::If: {
        type(n->kids[0]);
        const Type* a = type(n->kids[1]);
        const Type* b = n->kids.size() > 2 ? type(n->kids[2]) : types_.Nothing;
        // A condition folded to a constant (`_carries(x) ? ... : nothing`): the If is the branch
        // it takes, and codegen emits that one only (FnGen::emit_if).
        if (int taken = folded_branch(n->kids[0])) return taken == 1 ? a : b;
        return join_types(types_, a, b);
      }
      case Op::While:
        for (Node* k : n->kids) type(k);
        return types_.Nothing;
      case Op::Break:
      case Op::Continue:
        return bottom;
      case Op::Return:
        ret_ = join_types(types_, ret_, type(n->kids[0]));
        return bottom;
      case Op::And:
      case Op::Or: {
        const Type* a = type(n->kids[0]);
        const Type* b = type(n->kids[1]);
        return (a == types_.Bool && (b == types_.Bool || b->kind == TypeKind::Bottom)) ? types_.Bool : types_.Any;
      }
      case Op::Tuple: {
        std::vector<const Type*> ts;
        for (Node* k : n->kids) ts.push_back(type(k));
        for (const Type* t : ts)
          if (!types_.is_concrete(t)) return types_.TupleAny;
        return types_.tuple(ts);
      }
      case Op::Vect: {
        std::vector<const Type*> ts;
        bool known = true;
        for (Node* k : n->kids) {
          ts.push_back(type(k));
          known = known && types_.is_concrete(ts.back());
        }
        if (!known) return types_.Any;  // decided by the values when it runs
        const Type* elem = vect_element_type(types_, ts);
        const Type* ps[] = {elem};
        return types_.instantiate(types_.lookup("Vector"), ps);
      }
      case Op::GetField: {
        const Type* t = type(n->kids[0]);
        auto dt = as_datatype(t);
        if (dt && dt->is_concrete && dt->name->payload == Payload::Object && !dt->name->is_tuple) {
          const TypeName* tn = dt->name;
          for (size_t i = 0; i < tn->field_names.size(); ++i)
            if (tn->field_names[i] == n->name) {
              std::vector<const TypeVar*> vars(tn->params.begin(), tn->params.end());
              const Type* ft = types_.subst(tn->field_types[i], vars, dt->params);
              return ft;
            }
        }
        return types_.Any;
      }
      case Op::SetField:
        type(n->kids[0]);
        return type(n->kids[1]);
      case Op::Try: {
        if (n->slot >= 0) set_slot(n->slot, types_.Any);
        const Type* a = type(n->kids[0]);
        const Type* b = type(n->kids[1]);
        if (n->kids.size() > 2) type(n->kids[2]);
        return join_types(types_, a, b);
      }
      case Op::TypeAssert: {
        const Type* v = type(n->kids[0]);
        if (v->kind == TypeKind::Bottom) return bottom;
        if (types_.has_free_vars(n->type_arg)) {
          // x::Tensor{T, N} with the method's `where` variables: their values here (this node
          // belongs to the specialization's own copy of the body).
          if (!b_.sparams.empty() && s_.sparam_values.size() == b_.sparams.size() &&
              std::all_of(s_.sparam_values.begin(), s_.sparam_values.end(), [](const Type* t) { return t != nullptr; })) {
            std::vector<const TypeVar*> vars(b_.sparams.begin(), b_.sparams.end());
            n->type_arg = types_.subst(n->type_arg, vars, s_.sparam_values);
          }
          if (types_.has_free_vars(n->type_arg)) return types_.Any;
        }
        return types_.issub(v, n->type_arg) ? v : n->type_arg;
      }
      case Op::Lambda: {
        // The instance of the closure type for what it captures: each capture's type when
        // concrete, else Any (the closure is then as before: untyped captures).
        std::vector<const Type*> ps;
        for (Node* k : n->kids) {
          const Type* t = type(k);
          ps.push_back(types_.is_concrete(t) ? t : types_.Any);
        }
        if (ps.empty()) return n->type_arg;
        return types_.instantiate(n->type_arg, ps);
      }
      case Op::NewCell:
        return types_.lookup("#Box");
      case Op::Unset:
        return types_.Nothing;
      case Op::CellGet:
        type(n->kids[0]);
        return types_.Any;
      case Op::CellSet:
        type(n->kids[0]);
        return type(n->kids[1]);
      case Op::SParam: {
        const Type* v = n->slot < static_cast<int>(s_.sparam_values.size()) ? s_.sparam_values[n->slot] : nullptr;
        if (!v) return types_.Any;  // not determined by the arguments: an UndefVarError when run
        n->literal = Value::from_type(v->kind == TypeKind::UnionAll ? types_.UnionAllT
                                      : v->kind == TypeKind::Union  ? types_.UnionTypeT
                                                                    : types_.DataTypeT,
                                      v);
        return value_type(n->literal);
      }
      case Op::WorkItem:
        return types_.Int64;
      case Op::Barrier:
        return types_.Nothing;
      case Op::LocalMem:
        return local_memory(n);
    }
    return types_.Any;
  }

  // @localmem T (dims...): a Tensor{T, N} when T is known here (a type, or a `where` variable
  // of the kernel); otherwise the run-time built-in says what is wrong with it. Either way
  // codegen calls the built-in `__localmem` (n->method) for the CPU's work-group record.
  const Type* local_memory(Node* n) {
    const Type* args[] = {type(n->kids[0]), type(n->kids[1]), types_.Int64};
    GenericFunction* f = c_.globals().find_function("__localmem");
    if (!f) throw InternalError("@localmem: the built-in __localmem is not registered");
    n->method = f->which(args);
    const Value* elem = constant(n->kids[0]);
    if (!elem || elem->payload() != Payload::Type) return types_.Any;
    return builtin_result_type(types_, n->method, args);
  }

  const Type* call(Node* n) {
    std::vector<const Type*> args;
    const Type* callee_t = type(n->kids[0]);
    bool unreachable = callee_t->kind == TypeKind::Bottom;
    for (size_t i = 1; i < n->kids.size(); ++i) {
      args.push_back(type(n->kids[i]));
      unreachable = unreachable || args.back()->kind == TypeKind::Bottom;
    }
    n->bind = Bind::Dynamic;
    n->method = nullptr;
    n->spec = nullptr;
    n->vararg_at = -1;
    if (unreachable) return types_.bottom();
    if (expand_apply(n)) return call(n);
    const Value* callee = constant(n->kids[0]);
    // A variable holding a function (op in `op(a, b)`) has that function's type, which has
    // only that function: call it as if by name.
    Value known;
    if (auto dt = as_datatype(callee_t); !callee && dt && dt->name->instance) {
      known = Value::from_function(dt, dt->name->instance);
      callee = &known;
    }
    // A closure held in a variable: its call is a call of the closure's function with the
    // closure first, bound statically like any call.
    if (auto dt = as_datatype(callee_t); !callee && n->kwnames.empty() && dt && dt->is_concrete && dt->name->callable) {
      GenericFunction* cf = dt->name->callable;
      Node* fn = b_.make(Op::Global, n->loc);
      fn->name = cf->name();
      fn->literal = Value::from_function(cf->type(), cf);
      n->kids.insert(n->kids.begin(), fn);
      return call(n);
    }
    // A callable object (a struct with `(m::T)(x) = ...` methods): m(x) is `#call`(m, x),
    // bound statically like any call when the method is known.
    if (auto dt = as_datatype(callee_t); !callee && n->kwnames.empty() && dt && dt->is_concrete && !dt->name->callable &&
                                        !dt->name->instance && dt->name->payload != Payload::Type) {
      if (GenericFunction* cf = c_.globals().find_function("#call")) {
        Node* fn = b_.make(Op::Global, n->loc);
        fn->name = "#call";
        fn->literal = Value::from_function(cf->type(), cf);
        n->kids.insert(n->kids.begin(), fn);
        return call(n);
      }
    }
    if (!callee || !n->kwnames.empty()) return types_.Any;
    if (callee->payload() == Payload::Type && n->kids[0]->op == Op::Global) {
      // A type with outer constructors: the call goes to the function of its name.
      if (GenericFunction* ctor = c_.globals().find_function(n->kids[0]->name)) {
        n->kids[0]->literal = Value::from_function(ctor->type(), ctor);
        callee = &n->kids[0]->literal;
        n->kids[0]->type = ctor->type();
      }
    }
    if (callee->payload() == Payload::Type && n->kids[0]->op == Op::Slot && outer_constructors(c_.globals(), *callee))
      return types_.Any;  // a variable holding such a type: its call dispatches at run time
    if (callee->payload() == Payload::Type) {
      n->bind = Bind::Construct;
      for (const Type* a : args)
        if (!types_.is_concrete(a)) return types_.Any;
      const Type* t = callee->as_type();
      if (auto dt = as_datatype(t); dt && is_number_type(dt)) return dt;
      const DataType* r = constructed_type(types_, t, args);
      return r ? static_cast<const Type*>(r) : types_.Any;
    }
    if (callee->payload() != Payload::Function) return types_.Any;
    GenericFunction* f = callee->as_function();
    for (const Type* a : args) {
      auto dt = as_datatype(a);
      if (!dt || (!dt->is_concrete && !dt->name->is_type_of_type)) return only_method_call(n, f, args);
    }
    // _pullback(g, args...) of known types: a static call of the derivative's specialization.
    if (uint64_t passive = 0; c_.is_pullback_function(f, &passive) && !args.empty()) {
      Spec* d = c_.derivative_spec(args, false, passive);
      if (d != &s_ && (d->state == Spec::State::Inferring || d->state == Spec::State::Provisional)) used_provisional_ = true;
      n->bind = Bind::Static;
      n->method = d->method;
      n->spec = d;
      return d->ret ? d->ret : types_.bottom();
    }
    if (const Type* t = tensor_access(f, args, n)) return t;
    if (const Type* t = tensor_shape_query(f, args, n)) return t;
    if (const Type* t = fold_by_type(f, args, n)) return t;
    if (const Type* t = vector_access(f, args, n)) return t;
    if (const Type* t = tuple_access(f, args, n)) return t;
    const Method* m = nullptr;
    try {
      m = f->which(args);
    } catch (const Error&) {
      return types_.Any;  // raised at run time, with the runtime's message
    }
    n->method = m;
    if (auto op = builtin_intrinsic(m)) {
      auto typing = intrinsic_typing(types_, *op, args);
      if (typing) {
        n->bind = Bind::Intrinsic;
        n->intrinsic = static_cast<int>(*op);
        return typing->result;
      }
      n->bind = Bind::Static;
      return types_.Any;
    }
    if (const MethodDef* def = c_.tessera_def(m)) {
      // A Vararg's trailing arguments are packed into the tuple the specialization takes last,
      // at the call (FnGen::call), so that the call binds statically as any other.
      std::vector<const Type*> spec_args = args;
      int vararg_at = -1;
      if (def->body->vararg) {
        size_t fixed = def->body->nargs - 1;
        if (args.size() < fixed) {
          n->bind = Bind::Dynamic;
          return types_.Any;
        }
        spec_args.resize(fixed);
        spec_args.push_back(types_.tuple(std::vector<const Type*>(args.begin() + static_cast<std::ptrdiff_t>(fixed), args.end())));
        vararg_at = static_cast<int>(fixed);
      }
      if (c_.infer_depth_ >= kMaxInferDepth || std::any_of(spec_args.begin(), spec_args.end(), too_complex_to_specialize)) {
        n->bind = Bind::Dynamic;  // a type growing without end, or a chain of specializations too long
        return types_.Any;
      }
      Spec* callee_spec = c_.specialize(m, spec_args);
      if (callee_spec != &s_ && (callee_spec->state == Spec::State::Inferring ||
                                 callee_spec->state == Spec::State::Provisional))
        used_provisional_ = true;
      n->bind = Bind::Static;
      n->spec = callee_spec;
      n->vararg_at = vararg_at;
      if (const Value* v = constant_result(*callee_spec)) {
        n->bind = Bind::Folded;
        n->literal = *v;
      }
      return callee_spec->ret ? callee_spec->ret : types_.bottom();
    }
    n->bind = Bind::Static;
    const Type* result = builtin_result_type(types_, m, args);
    if (result == types_.Any && f->name() == "__broadcast") result = broadcast_result_type(c_, args, &used_provisional_);
    if (result == types_.Any && f->name() == "__broadcast_fields")
      result = broadcast_fields_result_type(c_, args, &used_provisional_);
    if (result == types_.Any)
      if (const Type* e = constant_index_type(f, args, n)) return e;
    if (is_pure_builtin(m) && f->name() == "__apply_type") {
      // Tensor{T, N} in a body, with the where variables' values of this specialization: the
      // type itself, so that what uses it (a constructor, isa, a typeassert) is typed.
      fold(n, m, nullptr);
      return n->bind == Bind::Folded ? value_type(n->literal) : types_.Any;
    }
    if (is_pure_builtin(m)) {
      fold(n, m, result);
    } else if (f->name() == "===") {
      fold_identity(n, args);
    } else if (Value v; number_identity(n, v) && value_type(v) == result) {
      n->bind = Bind::Folded;
      n->literal = v;
    }
    return result;
  }

  // Arguments of types not known exactly, to a built-in function of one method that takes
  // them whatever they are (===, typeof, isa): nothing to dispatch, so the call binds to it
  // statically (update!'s `p === s.params[k]` on a Vector{Any} went through the dispatcher).
  // The edges pass records the function, so a method added to it later recompiles the caller.
  const Type* only_method_call(Node* n, GenericFunction* f, const std::vector<const Type*>& args) {
    if (f->methods().size() != 1 || !n->kwnames.empty()) return types_.Any;
    const Method* m = nullptr;
    try {
      m = f->which(args);
    } catch (const Error&) {
      return types_.Any;
    }
    if (!m || m != f->methods()[0] || c_.tessera_def(m) || builtin_intrinsic(m)) return types_.Any;
    n->method = m;
    n->bind = Bind::Static;
    return builtin_result_type(types_, m, args);
  }

  // A pure built-in's call computed now: from its result type when that has one value
  // (eltype(t) is Type{Float32}: Float32), else by running it on constant arguments
  // (zero(Float32), typemax(Int)). Left as a call when it would raise an error.
  void fold(Node* n, const Method* m, const Type* result) {
    auto rt = as_datatype(result);
    Value v;
    if (rt && rt->name->is_type_of_type && rt->params.size() == 1 && !is_type_of_type(rt->params[0])) {
      v = type_value(rt->params[0]);
    } else {
      std::vector<Value> values;
      for (size_t i = 1; i < n->kids.size(); ++i) {
        const Value* c = constant(n->kids[i]);
        if (!c) return;
        values.push_back(*c);
      }
      try {
        v = m->invoke(m->ctx.get(), values.data(), values.size());
      } catch (const Error&) {
        return;
      }
      if (result && value_type(v) != result) return;  // no result: whatever it computed
    }
    n->bind = Bind::Folded;
    n->literal = v;
  }
  // x === y decided by the types alone where reading x and y has no effect: false for two
  // different concrete types (`d.bias === nothing` with a tensor bias), true for nothing ===
  // nothing. A derivative then records no branch for such an `if` (jit/autodiff/reverse.cpp).
  // Types as values are left alone: Float32 may be typed Type{Float32} or DataType.
  void fold_identity(Node* n, const std::vector<const Type*>& args) {
    if (args.size() != 2 || n->kids.size() != 3) return;
    // Two values known now (typeof(x) === Tensor{T, N} in a specialization): compared now.
    if (const Value *a = constant(n->kids[1]), *b = constant(n->kids[2]); a && b) {
      n->literal = Value::from_bool(types_.Bool, egal_values(*a, *b));
      n->bind = Bind::Folded;
      return;
    }
    auto a = as_datatype(args[0]), b = as_datatype(args[1]);
    if (!a || !b || !a->is_concrete || !b->is_concrete || a->name->is_type_of_type || b->name->is_type_of_type ||
        a->name->payload == Payload::Type || b->name->payload == Payload::Type)
      return;
    if (!effect_free(n->kids[1]) || !effect_free(n->kids[2])) return;
    if (a != b) {
      n->literal = Value::from_bool(types_.Bool, false);
    } else if (a == types_.Nothing) {
      n->literal = Value::from_bool(types_.Bool, true);
    } else {
      return;
    }
    n->bind = Bind::Folded;
  }
  // A specialization whose body is a constant of a bits type and nothing else (`_carries(x) =
  // true`): its calls fold to that constant.
  static const Value* constant_result(const Spec& s) {
    if (s.state != Spec::State::Inferred || !s.body || !s.body->root) return nullptr;
    const Node* n = s.body->root;
    while (n->op == Op::Block && !n->kids.empty()) {
      for (size_t i = 0; i + 1 < n->kids.size(); ++i)
        if (n->kids[i]->op != Op::Literal) return nullptr;
      n = n->kids.back();
    }
    if (n->op != Op::Literal || !n->literal.defined() || !is_bits(n->literal.type()) || n->literal.type() != s.ret) return nullptr;
    return &n->literal;
  }
  // f(a, xs...) is lowered as __apply(f, (a,), xs). Where every splatted piece is a tuple of
  // known length held in a variable or a constant (dims... of a Vararg), or size(x) of such a
  // tensor, the call is rewritten as f(a, xs[1], ..., xs[n]), which binds statically as any
  // call; a vector, or a piece that another call computes, leaves it to the runtime's __apply.
  // (similar(t, T, size(t)...) had left softmax's result, and every loop over it, untyped.)
  bool expand_apply(Node* n) {
    const Value* c = constant(n->kids[0]);
    if (n->kids.size() < 2 || !n->kwnames.empty() || !c || c->payload() != Payload::Function ||
        c->as_function()->name() != "__apply")
      return false;
    GenericFunction* getindex = c_.globals().find_function("getindex");
    if (!getindex) return false;
    std::vector<Node*> flat{n->kids[1]};
    for (size_t i = 2; i < n->kids.size(); ++i) {
      Node* p = n->kids[i];
      if (p->op == Op::Tuple) {
        flat.insert(flat.end(), p->kids.begin(), p->kids.end());
        continue;
      }
      auto dt = as_datatype(p->type);
      if (!dt || !dt->name->is_tuple || !dt->is_concrete || !rereadable(p)) return false;
      for (size_t k = 0; k < dt->params.size(); ++k) {
        Node* fn = b_.make(Op::Global, p->loc);
        fn->name = "getindex";
        fn->literal = Value::from_function(getindex->type(), getindex);
        Node* index = b_.make(Op::Literal, p->loc);
        index->literal = Value::from_int(types_.Int64, static_cast<int64_t>(k + 1));
        Node* g = b_.make(Op::Call, p->loc);
        g->kids = {fn, reread(p), index};
        flat.push_back(g);
      }
    }
    n->kids = std::move(flat);
    return true;
  }
  // A variable (not a closure's cell), a constant, or a field of one: reading it again gives
  // the same value, with no effect.
  bool rereadable(const Node* k) const {
    switch (k->op) {
      case Op::Literal: return true;
      case Op::Slot: return k->slot >= 0 && static_cast<size_t>(k->slot) < b_.slots.size() && !b_.slots[k->slot].is_cell;
      case Op::GetField: return rereadable(k->kids[0]);
      case Op::Call: return builtin_size_call(k) && rereadable(k->kids[1]);
      default: return false;
    }
  }
  // size(x) by the built-in method (of a tensor, vector, tuple...): its shape, read again at
  // no cost and with no effect.
  bool builtin_size_call(const Node* k) const {
    if (k->kids.size() != 2 || !k->kwnames.empty() || !k->type) return false;
    if (!((k->bind == Bind::Static && !k->spec) || k->bind == Bind::TensorSize)) return false;
    const Node* f = k->kids[0];
    bool named = (f->op == Op::Literal || f->op == Op::Global) && f->literal.defined() &&
                 f->literal.payload() == Payload::Function;
    return named && f->literal.as_function()->name() == "size";
  }
  Node* reread(const Node* k) {
    Node* r = b_.make(k->op, k->loc);
    r->literal = k->literal;
    r->slot = k->slot;
    r->name = k->name;
    for (Node* kid : k->kids) r->kids.push_back(reread(kid));
    return r;
  }
  // A literal, an argument, or a field of one: reading it cannot raise or change anything.
  bool effect_free(const Node* k) const {
    switch (k->op) {
      case Op::Literal: return true;
      case Op::Slot: return k->slot >= 0 && static_cast<size_t>(k->slot) < b_.slots.size() && b_.slots[k->slot].is_arg &&
                            !b_.slots[k->slot].is_cell;
      case Op::GetField: return effect_free(k->kids[0]);
      default: return false;
    }
  }
  // zero(x) and one(x) of a number depend only on its type: zero(typeof(x)), computed now
  // (so `acc = zero(v)` in a kernel is a constant, not a call into the runtime).
  bool number_identity(Node* n, Value& out) {
    const Value& callee = n->kids[0]->literal;
    if (n->kids.size() != 2 || !callee.defined() || callee.payload() != Payload::Function ||
        !is_bits_number(n->kids[1]->type))
      return false;
    GenericFunction* f = callee.as_function();
    if (f->name() != "zero" && f->name() != "one") return false;
    const Type* tt[] = {types_.type_of_type(n->kids[1]->type)};
    try {
      const Method* m = f->which(tt);
      if (!is_pure_builtin(m)) return false;
      Value arg = Value::from_type(types_.DataTypeT, n->kids[1]->type);
      out = m->invoke(m->ctx.get(), &arg, 1);
    } catch (const Error&) {
      return false;
    }
    return true;
  }
  static bool is_type_of_type(const Type* t) {
    auto dt = as_datatype(t);
    return dt && dt->name->is_type_of_type;
  }

  // t[2] and nt[:a] with a literal index on a tuple or named tuple of known type: that
  // element's type (destructuring `(i, x) = t` and loops over enumerate stay typed).
  const Type* constant_index_type(GenericFunction* f, const std::vector<const Type*>& args, Node* n) {
    if (f->name() != "getindex" || args.size() != 2 || n->kids[2]->op != Op::Literal) return nullptr;
    auto dt = as_datatype(args[0]);
    if (!dt || !dt->is_concrete || !(dt->name->is_tuple || dt->name->is_named_tuple)) return nullptr;
    const Value& k = n->kids[2]->literal;
    if (k.type() == types_.Int64) {
      int64_t i = k.as_int();
      return i >= 1 && i <= static_cast<int64_t>(dt->params.size()) ? dt->params[i - 1] : nullptr;
    }
    if (k.type() == types_.Symbol && dt->name->is_named_tuple)
      for (size_t i = 0; i < dt->name->field_names.size(); ++i)
        if (dt->name->field_names[i] == k.as_string()) return dt->params[i];
    return nullptr;
  }

  // t[i, j], t[i, j] = v and atomic_add!(t, i, j, v) on a tensor whose element type and rank
  // are known, with one Int index per dimension: done inline by codegen, when no script has
  // added its own methods.
  const Type* tensor_access(GenericFunction* f, const std::vector<const Type*>& args, Node* n) {
    bool get = f->name() == "getindex", set = f->name() == "setindex!", atomic = f->name() == "atomic_add!";
    if ((!get && !set && !atomic) || args.empty()) return nullptr;
    auto rank = known_rank(args[0]);
    if (!rank) return nullptr;
    const Type* elem = as_datatype(args[0])->params[0];
    auto d = dtype_of(elem);
    if (!d || *d == DType::Float16 || *d == DType::BFloat16) return nullptr;
    size_t first = set ? 2 : 1;
    size_t nidx = static_cast<size_t>(rank->value);
    if (args.size() != first + nidx + (atomic ? 1 : 0) || rank->value < 1) return nullptr;
    for (size_t i = first; i < first + nidx; ++i)
      if (args[i] != types_.Int64) return nullptr;
    if (atomic && *d == DType::Bool) return nullptr;
    if (set || atomic) {
      // The value: the element type itself, or a float for a float tensor (rounded, as Julia's
      // setindex! converts); anything else goes through the runtime's checked conversion.
      if (!stores_inline(set ? args[1] : args.back(), elem)) return nullptr;
    }
    // Only in place of the built-in methods: a script's own method for its tensor type wins.
    if (!builtin_method(f, args)) return nullptr;
    n->bind = set ? Bind::TensorSet : atomic ? Bind::TensorAtomicAdd : Bind::TensorGet;
    n->method = nullptr;
    return set ? args[1] : elem;
  }

  // The value an inline store takes: the element type itself, or a number for a float element
  // (rounded, as Julia's setindex! converts); anything else goes through the runtime's checked
  // conversion.
  bool stores_inline(const Type* v, const Type* elem) const {
    bool float_elem = elem == types_.Float64 || elem == types_.Float32;
    return v == elem || (float_elem && (v == types_.Float64 || v == types_.Float32 || v == types_.Int64));
  }
  // Whether f's method for these arguments is a built-in one (no script has added its own).
  bool builtin_method(GenericFunction* f, const std::vector<const Type*>& args) const {
    try {
      return !c_.tessera_def(f->which(args));
    } catch (const Error&) {
      return false;
    }
  }

  // size(t, d) and length(t) on a tensor of known rank: read from its shape inline (kernels
  // call them in their loops), when no script has added its own methods.
  const Type* tensor_shape_query(GenericFunction* f, const std::vector<const Type*>& args, Node* n) {
    bool size = f->name() == "size" && args.size() == 2 && args[1] == types_.Int64;
    bool length = f->name() == "length" && args.size() == 1;
    if ((!size && !length) || args.empty()) return nullptr;
    if (!known_rank(args[0]) || !builtin_method(f, args)) return nullptr;
    n->bind = size ? Bind::TensorSize : Bind::TensorLength;
    n->method = nullptr;
    return types_.Int64;
  }

  // The rank of a concrete tensor type (Tensor or a semantic kind) when its type says it, or null.
  const ConstParam* known_rank(const Type* t) const {
    auto dt = as_datatype(t);
    if (!dt || !dt->is_concrete || (dt->name != types_.TensorName && !dt->name->is_semantic) || dt->params.size() != 2)
      return nullptr;
    return as_const(dt->params[1]);
  }

  // Built-in calls whose result the argument types decide: ndims of a tensor of known rank,
  // length of a tuple of known length, isa(x, T) of an x of a concrete type and a T known now.
  // They fold to constants (the arguments still run, for their effects), so that checks such
  // as Dense's `ndims(x) != 2` leave no branch, and nothing calls into the runtime for them
  // (a training step of an MLP had made some 40 such calls).
  const Type* fold_by_type(GenericFunction* f, const std::vector<const Type*>& args, Node* n) {
    const std::string& name = f->name();
    Value v;
    if (name == "ndims" && args.size() == 1) {
      auto rank = known_rank(args[0]);
      if (!rank) return nullptr;
      v = Value::from_int(types_.Int64, rank->value);
    } else if (name == "length" && args.size() == 1) {
      auto dt = as_datatype(args[0]);
      if (!dt || !dt->is_concrete || !dt->name->is_tuple) return nullptr;
      v = Value::from_int(types_.Int64, static_cast<int64_t>(dt->params.size()));
    } else if (name == "isa" && args.size() == 2) {
      auto dt = as_datatype(args[0]);
      const Value* t = constant(n->kids[2]);
      if (!dt || !dt->is_concrete || dt->name->is_type_of_type || dt->name->payload == Payload::Type || !t ||
          t->payload() != Payload::Type)
        return nullptr;
      v = Value::from_bool(types_.Bool, types_.issub(dt, t->as_type()));
    } else {
      return nullptr;
    }
    if (!builtin_method(f, args)) return nullptr;
    n->bind = Bind::Folded;
    n->literal = v;
    return v.type();
  }

  // v[i], v[i] = x on a Vector of numbers or Bool, and length(v) on any Vector: done inline
  // by codegen on the elements' Values (jit/cpu/tensor_access.cpp), when no script has added its
  // own methods. A value of another type is converted by the runtime's setindex!.
  // t[k] with a literal k on a tuple of known element types: an inline load of element k (the
  // built-in getindex would raise a BoundsError for a k out of range; that call stays).
  const Type* tuple_access(GenericFunction* f, const std::vector<const Type*>& args, Node* n) {
    if (f->name() != "getindex" || args.size() != 2 || args[1] != types_.Int64 || !struct_fields_layout().usable) return nullptr;
    auto dt = as_datatype(args[0]);
    if (!dt || !dt->is_concrete || !dt->name->is_tuple || n->kids[2]->op != Op::Literal) return nullptr;
    int64_t k = n->kids[2]->literal.as_int();
    if (k < 1 || k > static_cast<int64_t>(dt->params.size())) return nullptr;
    if (!builtin_method(f, args)) return nullptr;
    n->bind = Bind::TupleGet;
    return dt->params[k - 1];
  }

  const Type* vector_access(GenericFunction* f, const std::vector<const Type*>& args, Node* n) {
    bool get = f->name() == "getindex" && args.size() == 2, set = f->name() == "setindex!" && args.size() == 3;
    bool length = f->name() == "length" && args.size() == 1;
    if ((!get && !set && !length) || !struct_fields_layout().usable) return nullptr;
    auto dt = as_datatype(args[0]);
    if (!dt || !dt->is_concrete || !is_vector_name(dt->name) || dt->params.size() != 1) return nullptr;
    const Type* elem = dt->params[0];
    if (!length) {
      if (args.back() != types_.Int64 || !(is_bits_number(elem) || elem == types_.Bool)) return nullptr;
      if (set && !stores_inline(args[1], elem)) return nullptr;
    }
    if (!builtin_method(f, args)) return nullptr;
    n->bind = get ? Bind::VectorGet : set ? Bind::VectorSet : Bind::VectorLength;
    n->method = nullptr;
    return get ? elem : set ? args[1] : types_.Int64;
  }

  Compiler& c_;
  TypeRegistry& types_;
  Spec& s_;
  Body& b_;
  const Type* ret_ = nullptr;
  bool changed_ = false;
  bool used_provisional_ = false;
  std::vector<bool> maybe_unassigned_;  // per slot, computed at the first need
};

void infer_types(Compiler& c, Spec& s) {
  TypeRegistry& types = c.types();
  s.body = s.def->body->clone();
  Body& b = *s.body;
  for (size_t i = 0; i < b.slots.size(); ++i) b.slots[i].type = nullptr;
  for (size_t i = 0; i < s.argtypes.size() && i < b.slots.size(); ++i) b.slots[i].type = s.argtypes[i];
  for (size_t k = 0; k < b.kwargs.size(); ++k) b.slots[b.nargs + k].type = types.Any;
  // A closure's captures are loaded from its fields at entry (values or cells).
  // Typed by the closure's instance when it is one (its parameters are the captures' types).
  auto closure_t = s.argtypes.empty() ? nullptr : as_datatype(s.argtypes[0]);
  for (size_t i = 0; i < b.capture_slots.size(); ++i) {
    const Type* ft = closure_t && closure_t->is_concrete && i < closure_t->field_types.size() ? closure_t->field_types[i] : types.Any;
    b.slots[b.capture_slots[i]].type = ft;
  }
  if (!s.ret) s.ret = types.bottom();
  if (!b.sparams.empty() && b.sig) {
    s.sparam_values.assign(b.sparams.size(), nullptr);
    const DataType* sig = as_datatype(unwrap_unionall(b.sig));
    std::vector<const Type*> actual = s.argtypes;
    if (b.vararg && !actual.empty()) {
      // The packed trailing tuple's elements stand against the Vararg.
      auto packed = as_datatype(actual.back());
      actual.pop_back();
      if (packed) actual.insert(actual.end(), packed->params.begin(), packed->params.end());
    }
    match_sparams(types, sig, types.tuple(actual), b.sparams, s.sparam_values);
  }
  Inferrer inf(c, s);
  ++c.infer_depth_;
  inf.run();
  --c.infer_depth_;
  s.state = inf.used_provisional() ? Spec::State::Provisional : Spec::State::Inferred;
}

}  // namespace tsr::jit
