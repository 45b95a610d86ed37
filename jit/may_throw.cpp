#include "jit/may_throw.hpp"

#include "jit/compiler.hpp"
#include "jit/definite_assignment.hpp"
#include "jit/intrinsics.hpp"

namespace tsr::jit {

bool folded_constant(const Node* k) {
  return k->op == Op::Literal || ((k->op == Op::Global || k->op == Op::SParam) && k->literal.defined()) ||
         (k->op == Op::Call && k->bind == Bind::Folded);
}

int folded_branch(const Node* c) {
  if (!folded_constant(c) || !c->literal.defined() || c->literal.payload() != Payload::Bool) return 0;
  return c->literal.as_bool() ? 1 : 2;
}

InlineConstruct inline_construct(const Node* n) {
  const Type* t = n->type;
  if (!t) return InlineConstruct::No;
  size_t nargs = n->kids.size() - 1;
  if (is_bits_number(t) && is_bits_float(t) && nargs == 1 && is_bits_number(n->kids[1]->type))
    return InlineConstruct::FloatConversion;
  if (!is_inline_struct(t)) return InlineConstruct::No;
  auto dt = as_datatype(t);
  if (nargs != dt->field_types.size()) return InlineConstruct::No;
  for (size_t i = 0; i < nargs; ++i) {
    const Type* ft = dt->field_types[i];
    const Type* at = n->kids[i + 1]->type;
    if (!at || !is_bits(at) || is_inline_struct(at) != is_inline_struct(ft)) return InlineConstruct::No;
    bool widening = is_bits_number(at) && is_bits_number(ft) && !is_bits_float(at) && is_bits_float(ft);
    if (at != ft && !widening) return InlineConstruct::No;
  }
  return InlineConstruct::Struct;
}

bool body_may_throw(const Spec& s, TypeRegistry& types) {
  // Arguments never assigned are never undefined: reading them cannot fail.
  std::vector<bool> assigned = slots_assigned(*s.body);
  std::vector<bool> maybe_unassigned = slots_maybe_unassigned(*s.body);
  for (const auto& n : s.body->pool) {
    switch (n->op) {
      case Op::If:
      case Op::While:  // a condition that is not a Bool is a TypeError
        if (n->kids[0]->type != types.Bool) return true;
        break;
      case Op::Literal:
      case Op::SParam:  // a `where` variable: a constant of the specialization, unless the
        if (!n->literal.defined()) return true;  // arguments leave it undetermined (UndefVarError)
        break;
      case Op::SetSlot:
      case Op::Unset:
      case Op::Block:
      case Op::Break:
      case Op::Continue:
      case Op::Return:
        break;
      case Op::Global:  // bound at compile time (a function, type or constant), or looked up
        if (!n->literal.defined()) return true;
        break;
      case Op::Slot:  // a boxed slot may be undefined when read; a bits one where not assigned on every path
        if (maybe_unassigned[n->slot]) return true;
        if (!is_bits(s.body->slots[n->slot].type) &&
            !(static_cast<size_t>(n->slot) < s.body->nargs && !assigned[n->slot] && !s.body->slots[n->slot].is_cell))
          return true;
        break;
      case Op::And:
      case Op::Or:
        if (n->type != types.Bool) return true;
        break;
      case Op::GetField:  // a field of a struct held in registers
        if (!is_inline_struct(n->kids[0]->type)) return true;
        break;
      case Op::WorkItem:  // past the launch's dimensions, a Cartesian index is a BoundsError
        if (n->item == WorkItem::GlobalCartesian && n->dim > 1) return true;
        break;
      case Op::Call:
        if (n->bind == Bind::Construct) {
          if (inline_construct(n.get()) == InlineConstruct::No) return true;
        } else if (n->bind == Bind::Intrinsic) {
          if (intrinsic_may_throw(static_cast<Intrinsic>(n->intrinsic))) return true;
        } else if (n->bind == Bind::TensorLength || n->bind == Bind::VectorLength || n->bind == Bind::TupleGet ||
                   n->bind == Bind::Folded) {
          // never fails
        } else if (n->bind == Bind::TensorSize) {
          // fails only for a dimension below 1
          const Node* d = n->kids[2];
          if (!(d->op == Op::Literal && d->literal.as_int() >= 1)) return true;
        } else if (n->bind == Bind::TensorGet || n->bind == Bind::TensorSet || n->bind == Bind::TensorAtomicAdd ||
                   n->bind == Bind::VectorGet || n->bind == Bind::VectorSet) {
          if (!n->inbounds) return true;  // a BoundsError
        } else if (n->bind == Bind::Static && n->spec) {
          if (n->spec != &s && n->spec->may_throw) return true;
        } else {
          return true;
        }
        break;
      default:
        return true;
    }
  }
  return false;
}

}  // namespace tsr::jit
