#include "dsl/type_syntax.hpp"

namespace tsr {

namespace {

class Evaluator {
 public:
  Evaluator(TypeRegistry& reg, TypeFront& front) : reg_(reg), front_(front) {}

  // A TypeError of the registry's (bad parameters, bounds) is reported at the innermost node
  // being evaluated.
  const Type* eval(const TypeSyntax& e, TypeVarScope& scope) {
    try {
      return eval_unchecked(e, scope);
    } catch (const TypeError& err) {
      front_.type_error(e, err);
      unreachable();
    }
  }

 private:
  // After a TypeFront's error (virtual calls are not known not to return).
  [[noreturn]] static void unreachable() { throw InternalError("a TypeFront error returned"); }

  static const TypeVar* find(const TypeVarScope& scope, const std::string& name) {
    for (size_t i = scope.size(); i-- > 0;)
      if (scope[i].first == name) return scope[i].second;
    return nullptr;
  }

  const Type* eval_unchecked(const TypeSyntax& e, TypeVarScope& scope) {
    switch (e.kind) {
      case TypeSyntax::Int:
        return reg_.const_param(e.value);
      case TypeSyntax::Name: {
        if (const TypeVar* v = find(scope, e.name)) return v;
        if (const Type* t = front_.lookup(e.name)) return t;
        if (e.name == "Vararg") return reg_.vararg(reg_.Any);
        front_.unknown_name(e);
        unreachable();
      }
      case TypeSyntax::Apply: {
        WildcardParams wildcards(reg_);
        std::vector<const Type*> ps;
        for (const TypeSyntax& a : e.args)
          ps.push_back(a.kind == TypeSyntax::Wildcard ? wildcards.add(a.name, eval(a.args[0], scope)) : eval(a, scope));
        if (e.name == "Vararg") {
          if (ps.empty() || ps.size() > 2) front_.vararg_arity(e);
          if (wildcards.any()) front_.fail(e, kVarargWildcard);
          return reg_.vararg(ps[0], ps.size() == 2 ? ps[1] : nullptr);
        }
        return wildcards.close(apply(e, ps, scope));
      }
      case TypeSyntax::Wildcard:
        front_.fail(e, "`" + e.name + "T` is only a type parameter: write it inside `{ }`, as in `Vector{<:Real}`");
        unreachable();
      case TypeSyntax::Where: {
        std::vector<const TypeVar*> vars;
        size_t depth = scope.size();
        for (const TypeSyntax::Var& v : e.vars) vars.push_back(declare_type_var(reg_, front_, v, scope));
        const Type* body = eval(e.args[0], scope);
        scope.resize(depth);
        return reg_.unionall(vars, body);
      }
      case TypeSyntax::Other:
        return front_.eval_other(e, scope);
    }
    return nullptr;
  }

  // e's head applied to the evaluated parameters ps (Vararg aside).
  const Type* apply(const TypeSyntax& e, const std::vector<const Type*>& ps, TypeVarScope& scope) {
    if (e.name == "Union") return reg_.union_of(ps);
    if (e.name == "Tuple") return reg_.tuple(ps);
    if (e.name == "@NamedTuple") return reg_.named_tuple(e.names, ps);
    if (e.name == "NamedTuple" && e.named_tuple_names) {
      const TypeName* n = reg_.named_tuple(e.names);
      if (ps.empty()) return n->wrapper;
      auto tup = as_datatype(ps[0]);
      if (!tup || !tup->name->is_tuple || tup->params.size() != e.names.size())
        front_.fail(e, "NamedTuple{names, T}: T must be a Tuple of one type per name");
      return reg_.apply(n, tup->params);
    }
    if (!e.head.empty()) return reg_.instantiate(eval(e.head[0], scope), ps);
    TypeSyntax name_only;  // the head as written, where an unknown name is reported
    name_only.name = e.name;
    name_only.pos = e.pos;
    name_only.len = e.name.size();
    name_only.origin = e.origin;
    return reg_.instantiate(eval(name_only, scope), ps);
  }

  TypeRegistry& reg_;
  TypeFront& front_;
};

}  // namespace

const Type* eval_type_syntax(TypeRegistry& reg, TypeFront& front, const TypeSyntax& e, TypeVarScope& scope) {
  return Evaluator(reg, front).eval(e, scope);
}

TypeVar* declare_type_var(TypeRegistry& reg, TypeFront& front, const TypeSyntax::Var& v, TypeVarScope& scope) {
  const Type* ub = v.ub.empty() ? nullptr : eval_type_syntax(reg, front, v.ub[0], scope);
  const Type* lb = v.lb.empty() ? nullptr : eval_type_syntax(reg, front, v.lb[0], scope);
  TypeVar* tv = reg.new_typevar(v.name, lb, ub);
  scope.emplace_back(v.name, tv);
  return tv;
}

const Type* WildcardParams::add(std::string_view op, const Type* bound) {
  std::string name = "#s" + std::to_string(vars_.size() + 1);
  const TypeVar* v = op == ">:" ? reg_.new_typevar(name, bound, nullptr) : reg_.new_typevar(name, nullptr, bound);
  vars_.push_back(v);
  return v;
}

const Type* WildcardParams::close(const Type* applied) const {
  return vars_.empty() ? applied : reg_.unionall(vars_, applied);
}

}  // namespace tsr
