// Substitution of type variables and free-variable queries.
#include <algorithm>

#include "runtime/type_registry.hpp"

namespace tsr {

namespace {

// True when t mentions a TypeVar that is neither bound inside t nor listed in `bound`.
bool mentions_unbound(const Type* t, std::vector<const TypeVar*>& bound, const TypeVar* only) {
  switch (t->kind) {
    case TypeKind::TypeVar: {
      auto v = static_cast<const TypeVar*>(t);
      if (std::find(bound.begin(), bound.end(), v) != bound.end()) return false;
      return only == nullptr || v == only;
    }
    case TypeKind::DataType: {
      auto dt = static_cast<const DataType*>(t);
      if (!dt->has_free_vars) return false;
      for (const Type* p : dt->params)
        if (mentions_unbound(p, bound, only)) return true;
      return false;
    }
    case TypeKind::Union:
      for (const Type* m : static_cast<const UnionType*>(t)->members)
        if (mentions_unbound(m, bound, only)) return true;
      return false;
    case TypeKind::UnionAll: {
      auto ua = static_cast<const UnionAll*>(t);
      if (mentions_unbound(ua->var->lb, bound, only) || mentions_unbound(ua->var->ub, bound, only))
        return true;
      bound.push_back(ua->var);
      bool r = mentions_unbound(ua->body, bound, only);
      bound.pop_back();
      return r;
    }
    case TypeKind::Vararg: {
      auto va = static_cast<const VarargType*>(t);
      return mentions_unbound(va->elem, bound, only) ||
             (va->count && mentions_unbound(va->count, bound, only));
    }
    default:
      return false;
  }
}

}  // namespace

bool TypeRegistry::has_free_vars(const Type* t) const {
  if (auto dt = as_datatype(t)) return dt->has_free_vars;
  std::vector<const TypeVar*> bound;
  return mentions_unbound(t, bound, nullptr);
}

bool TypeRegistry::occurs_free(const Type* t, const TypeVar* v) const {
  std::vector<const TypeVar*> bound;
  return mentions_unbound(t, bound, v);
}

const Type* TypeRegistry::subst(const Type* t, std::span<const TypeVar* const> vars,
                                std::span<const Type* const> values) {
  if (vars.empty()) return t;
  switch (t->kind) {
    case TypeKind::TypeVar: {
      for (size_t i = 0; i < vars.size(); ++i)
        if (vars[i] == t) return values[i];
      return t;
    }
    case TypeKind::DataType: {
      auto dt = static_cast<const DataType*>(t);
      if (!dt->has_free_vars) return t;
      std::vector<const Type*> ps;
      bool changed = false;
      for (const Type* p : dt->params) {
        ps.push_back(subst(p, vars, values));
        changed = changed || ps.back() != p;
      }
      return changed ? intern_datatype(dt->name, std::move(ps)) : t;
    }
    case TypeKind::Union: {
      std::vector<const Type*> ms;
      for (const Type* m : static_cast<const UnionType*>(t)->members) ms.push_back(subst(m, vars, values));
      return union_of(ms);
    }
    case TypeKind::Vararg: {
      auto va = static_cast<const VarargType*>(t);
      return vararg(subst(va->elem, vars, values), va->count ? subst(va->count, vars, values) : nullptr);
    }
    case TypeKind::UnionAll: {
      auto ua = static_cast<const UnionAll*>(t);
      // The var shadows any outer var of the same identity: drop it from the substitution.
      std::vector<const TypeVar*> vs;
      std::vector<const Type*> xs;
      for (size_t i = 0; i < vars.size(); ++i)
        if (vars[i] != ua->var) {
          vs.push_back(vars[i]);
          xs.push_back(values[i]);
        }
      const TypeVar* var = ua->var;
      const Type* body = ua->body;
      const Type* lb = subst(var->lb, vs, xs);
      const Type* ub = subst(var->ub, vs, xs);
      bool captured = std::any_of(xs.begin(), xs.end(), [&](const Type* x) { return occurs_free(x, var); });
      if (lb != var->lb || ub != var->ub || captured) {
        // Bounds changed, or a value would be captured: continue with a fresh variable.
        const TypeVar* fresh = make<TypeVar>(next_id(), var->name, lb, ub);
        const TypeVar* ov[] = {var};
        const Type* nv[] = {fresh};
        body = subst(body, ov, nv);
        var = fresh;
      }
      return unionall(var, subst(body, vs, xs));
    }
    default:
      return t;
  }
}

}  // namespace tsr
