#include "jit/autodiff/ir_build.hpp"

namespace tsr::jit {

Node* IRBuild::symbol(const std::string& s) {
  return lit(Value::from_object(g.types().Symbol, new StringObject(s)));
}

Node* IRBuild::type(const Type* t) {
  TypeRegistry& ty = g.types();
  return lit(Value::from_type(t->kind == TypeKind::UnionAll ? ty.UnionAllT
                              : t->kind == TypeKind::Union  ? ty.UnionTypeT
                                                            : ty.DataTypeT,
                              t));
}

Node* IRBuild::fn(const std::string& name) {
  Node* n = node(Op::Global);
  n->name = name;
  if (GenericFunction* f = g.find_function(name)) n->literal = Value::from_function(f->type(), f);
  return n;
}

}  // namespace tsr::jit
