// Which types carry a gradient: what decides, in a derived pullback, which values are active.
#include "jit/autodiff/reverse.hpp"
#include "runtime/type_registry.hpp"

namespace tsr::jit {

bool carries_gradient(const Type* t, int depth) {
  if (!t || depth > 8) return true;
  if (t->kind == TypeKind::Bottom) return false;
  if (auto u = as_union(t)) {
    for (const Type* m : u->members)
      if (carries_gradient(m, depth + 1)) return true;
    return false;
  }
  auto dt = as_datatype(t);
  if (!dt) return true;  // Any, a type variable, a UnionAll: not known here
  const TypeName* n = dt->name;
  if (n->is_type_of_type || n->instance || n->is_abstract) return n->is_abstract && !n->is_type_of_type && !n->instance;
  switch (n->payload) {
    case Payload::Float64:
    case Payload::Float32:
    case Payload::Half: return true;
    case Payload::Int:
    case Payload::Bool:
    case Payload::Function:
    case Payload::Type: return false;
    default: break;
  }
  if (n->is_tensor || n->is_semantic || is_vector_name(n))
    return dt->params.empty() || carries_gradient(dt->params[0], depth + 1);
  if (n->name == "String" || n->name == "Symbol" || n->name == "SubString") return false;
  if (n->is_tuple || n->is_named_tuple) {
    for (const Type* p : dt->params)
      if (carries_gradient(p, depth + 1)) return true;
    return false;
  }
  for (const Type* f : dt->field_types)
    if (carries_gradient(f, depth + 1)) return true;
  return false;
}

}  // namespace tsr::jit
