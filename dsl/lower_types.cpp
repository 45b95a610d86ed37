// Type syntax in a .tsr file (annotations, signatures, `where`, declarations) evaluated by the
// one type evaluator (type_syntax.cpp): the syntax tree becomes a TypeSyntax, names resolve
// through the module being lowered, errors point into the file.
#include "dsl/lower.hpp"

#include "dsl/type_syntax.hpp"

namespace tsr {

using syntax::NodeKind;
using SNode = syntax::Node;

namespace {

TypeSyntax type_syntax(const SNode& n);

TypeSyntax::Var type_var_syntax(const SNode& tp) {
  // A `where` variable or type parameter: its name, child 0 the upper bound, child 1 the lower.
  TypeSyntax::Var v;
  v.name = tp.text;
  if (tp.child(0).kind != NodeKind::Empty) v.ub.push_back(type_syntax(tp.child(0)));
  if (tp.child(1).kind != NodeKind::Empty) v.lb.push_back(type_syntax(tp.child(1)));
  return v;
}

TypeSyntax type_syntax(const SNode& n) {
  TypeSyntax e;
  e.origin = &n;
  switch (n.kind) {
    case NodeKind::Identifier:
      e.name = n.text;
      break;
    case NodeKind::Int:
      e.kind = TypeSyntax::Int;
      e.value = n.int_value;
      break;
    case NodeKind::Curly: {
      e.kind = TypeSyntax::Apply;
      const SNode& head = n.child(0);
      if (head.kind == NodeKind::Identifier) e.name = head.text;  // Union, Tuple, Vararg are by name
      e.head.push_back(type_syntax(head));
      for (size_t i = 1; i < n.size(); ++i) {
        const SNode& p = n.child(i);
        if (p.kind == NodeKind::UnaryOp && (p.text == "<:" || p.text == ">:")) {
          TypeSyntax w;
          w.kind = TypeSyntax::Wildcard;
          w.name = p.text;
          w.origin = &p;
          w.args.push_back(type_syntax(p.child(0)));
          e.args.push_back(std::move(w));
        } else {
          e.args.push_back(type_syntax(p));
        }
      }
      break;
    }
    case NodeKind::Where:
      e.kind = TypeSyntax::Where;
      e.args.push_back(type_syntax(n.child(0)));
      for (size_t i = 1; i < n.size(); ++i) e.vars.push_back(type_var_syntax(n.child(i)));
      break;
    default:
      e.kind = TypeSyntax::Other;  // typeof(f), M.Point, or not a type (LoweringTypeFront)
      break;
  }
  return e;
}

}  // namespace

// Names are the module's (global_name), errors are LoweringErrors at the node.
class LoweringTypeFront : public TypeFront {
 public:
  explicit LoweringTypeFront(Lowering& l) : l_(l) {}
  static const SNode& node(const TypeSyntax& e) { return *static_cast<const SNode*>(e.origin); }

  const Type* lookup(const std::string& name) override { return l_.compiler_.types().lookup(l_.global_name(name)); }
  const Type* eval_other(const TypeSyntax& e, TypeVarScope&) override {
    const SNode& n = node(e);
    switch (n.kind) {
      case NodeKind::Call:
        if (n.child(0).kind == NodeKind::Identifier && n.child(0).text == "typeof" && n.size() == 2 &&
            n.child(1).kind == NodeKind::Identifier)
          return l_.compiler_.globals().function(l_.global_name(n.child(1).text)).type();
        break;
      case NodeKind::FieldAccess:
        // M.Point: a type of another module.
        if (Module* m = l_.module_path(n.child(0))) {
          if (const Type* ty = l_.compiler_.types().lookup(l_.modules_->resolve(*m, n.child(1).text))) return ty;
          l_.fail(n, "UndefVarError: `" + n.child(1).text + "` not defined in " + m->full_name() + " (expected a type)");
        }
        break;
      default:
        break;
    }
    l_.fail(n, std::string("expected a type, found ") + std::string(syntax::describe_node_kind(n.kind)));
  }
  [[noreturn]] void unknown_name(const TypeSyntax& e) override {
    l_.fail(node(e), "UndefVarError: `" + e.name + "` not defined (expected a type)");
  }
  [[noreturn]] void vararg_arity(const TypeSyntax& e) override { l_.fail(node(e), "Vararg takes one or two parameters"); }
  [[noreturn]] void type_error(const TypeSyntax& e, const TypeError& err) override { l_.fail(node(e), err.what()); }
  [[noreturn]] void fail(const TypeSyntax& e, const std::string& message) override { l_.fail(node(e), message); }

 private:
  Lowering& l_;
};

const Type* Lowering::eval_type(const SNode& n, std::vector<std::pair<std::string, const TypeVar*>>& scope) {
  LoweringTypeFront front(*this);
  return eval_type_syntax(compiler_.types(), front, type_syntax(n), scope);
}

std::vector<TypeVar*> Lowering::type_params(const SNode& list, std::vector<std::pair<std::string, const TypeVar*>>& scope) {
  // {T <: Real, S >: Int}: each bound may name the parameters before it.
  LoweringTypeFront front(*this);
  std::vector<TypeVar*> vars;
  for (const auto& tp : list.children) vars.push_back(declare_type_var(compiler_.types(), front, type_var_syntax(*tp), scope));
  return vars;
}

}  // namespace tsr
