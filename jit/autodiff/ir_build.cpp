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

Node* IRBuild::grad_at(Node* gradients, size_t i) {
  if (i >= 1 && i <= 8) return call("_grad_at" + std::to_string(i), {gradients});
  return call("_grad_at", {gradients, integer(static_cast<int64_t>(i))});
}

}  // namespace tsr::jit
