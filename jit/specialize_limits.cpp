// How complex an argument type may be before it is not specialized on (kMaxSpecTypeDepth,
// kMaxSpecTypeNodes in compiler.hpp): types that grow without end under recursion would
// make inference specialize forever.
#include "jit/compiler.hpp"

#include <algorithm>

namespace tsr::jit {

namespace {

// Adds t's parts to *nodes and returns its depth, stopping early past the limits.
int type_depth(const Type* t, int* nodes) {
  if (++*nodes > kMaxSpecTypeNodes) return kMaxSpecTypeDepth + 1;
  int deepest = 0;
  auto visit = [&](const Type* p) { deepest = std::max(deepest, p ? type_depth(p, nodes) : 0); };
  switch (t->kind) {
    case TypeKind::DataType:
      for (const Type* p : static_cast<const DataType*>(t)->params) {
        visit(p);
        if (deepest > kMaxSpecTypeDepth) break;
      }
      break;
    case TypeKind::Union:
      for (const Type* m : static_cast<const UnionType*>(t)->members) visit(m);
      return deepest;  // a union is not a level of nesting
    case TypeKind::Vararg: visit(static_cast<const VarargType*>(t)->elem); return deepest;
    case TypeKind::UnionAll: visit(static_cast<const UnionAll*>(t)->body); return deepest;
    default: return 0;
  }
  return deepest + 1;
}

}  // namespace

bool too_complex_to_specialize(const Type* t) {
  int nodes = 0;
  return type_depth(t, &nodes) > kMaxSpecTypeDepth || nodes > kMaxSpecTypeNodes;
}

}  // namespace tsr::jit
