#include "runtime/type_printer.hpp"

#include <algorithm>
#include <vector>

namespace tsr {

namespace {

bool is_any(const Type* t) {
  auto dt = as_datatype(t);
  return dt && dt->super == dt;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out;
}

std::string named_tuple_head(const TypeName* n);
std::string show_named_tuple_type(const DataType* dt);

// NamedTuple{(:a, :b): the names of a named tuple type, as Julia writes its first parameter.
std::string named_tuple_head(const TypeName* n) {
  std::string out = "NamedTuple{(";
  for (size_t i = 0; i < n->field_names.size(); ++i) out += (i ? ", :" : ":") + n->field_names[i];
  return out + (n->field_names.size() == 1 ? ",)" : ")");
}

// Julia 1.10: @NamedTuple{a::Int64, b::Int64}; with free parameters the long form.
std::string show_named_tuple_type(const DataType* dt) {
  std::vector<std::string> parts;
  if (dt->has_free_vars) {
    for (const Type* p : dt->params) parts.push_back(show_type(p));
    return named_tuple_head(dt->name) + ", Tuple{" + join(parts) + "}}";
  }
  for (size_t i = 0; i < dt->params.size(); ++i) parts.push_back(dt->name->field_names[i] + "::" + show_type(dt->params[i]));
  return "@NamedTuple{" + join(parts) + "}";
}

// t mentions the variable v anywhere (bound or not: the printer only asks about variables
// that are bound once, outside t).
bool mentions(const Type* t, const TypeVar* v) {
  switch (t->kind) {
    case TypeKind::TypeVar: {
      auto tv = static_cast<const TypeVar*>(t);
      return tv == v || mentions(tv->lb, v) || mentions(tv->ub, v);
    }
    case TypeKind::DataType: {
      auto dt = static_cast<const DataType*>(t);
      if (!dt->has_free_vars) return false;
      return std::any_of(dt->params.begin(), dt->params.end(), [&](const Type* p) { return mentions(p, v); });
    }
    case TypeKind::Union: {
      auto& ms = static_cast<const UnionType*>(t)->members;
      return std::any_of(ms.begin(), ms.end(), [&](const Type* m) { return mentions(m, v); });
    }
    case TypeKind::UnionAll: {
      auto ua = static_cast<const UnionAll*>(t);
      return mentions(ua->var, v) || mentions(ua->body, v);
    }
    case TypeKind::Vararg: {
      auto va = static_cast<const VarargType*>(t);
      return mentions(va->elem, v) || (va->count && mentions(va->count, v));
    }
    default:
      return false;
  }
}

bool is_gensym(const TypeVar* v) { return !v->name.empty() && v->name[0] == '#'; }

// The body of a UnionAll whose `where` variables are `wheres` (outermost first), as Julia's
// show_typeparams writes it: a variable made by the `{<:Real}` shorthand (a `#s1` name) that
// is a parameter of the body exactly once, mentioned nowhere else and bound innermost (after
// the variables elided before it) prints as `<:Real` (or `>:Int64`) in place and leaves
// `wheres`. Tuples keep their variables (Julia's tuple printing does not elide).
std::string show_with_shorthand(const Type* body, std::vector<const TypeVar*>& wheres) {
  auto dt = as_datatype(body);
  if (!dt || dt->name->is_tuple || dt->name->is_named_tuple || dt->params.empty()) return show_type(body);
  const auto& ps = dt->params;
  size_t elide = wheres.size();
  auto can_elide = [&](const TypeVar* p, size_t skip) {
    if (elide == 0 || wheres[elide - 1] != p) return false;
    for (size_t i = elide; i < wheres.size(); ++i)
      if (mentions(wheres[i]->lb, p) || mentions(wheres[i]->ub, p)) return false;
    for (size_t i = 0; i < ps.size(); ++i)
      if (i != skip && mentions(ps[i], p)) return false;
    return true;
  };
  for (size_t i = ps.size(); i-- > 0;) {
    auto p = as_typevar(ps[i]);
    if (p && is_gensym(p) && (p->lb->kind == TypeKind::Bottom || is_any(p->ub)) && can_elide(p, i)) --elide;
  }
  if (elide == wheres.size()) return show_type(body);
  std::vector<std::string> shown;
  for (const Type* param : ps) {
    auto p = as_typevar(param);
    bool elided = p && std::find(wheres.begin() + elide, wheres.end(), p) != wheres.end();
    if (!elided) shown.push_back(show_type(param));
    else if (p->lb->kind == TypeKind::Bottom) shown.push_back("<:" + show_type(p->ub));
    else shown.push_back(">:" + show_type(p->lb));
  }
  wheres.resize(elide);
  return dt->name->printed() + "{" + join(shown) + "}";
}

}  // namespace

// Julia writes a name that is not an identifier (the shorthand's `#s1`) as var"#s1".
std::string var_name(const TypeVar* v) { return is_gensym(v) ? "var\"" + v->name + "\"" : v->name; }

std::string show_typevar_bounds(const TypeVar* v) {
  bool has_lb = v->lb->kind != TypeKind::Bottom;
  bool has_ub = !is_any(v->ub);
  if (has_lb && has_ub) return show_type(v->lb) + "<:" + var_name(v) + "<:" + show_type(v->ub);
  if (has_lb) return var_name(v) + ">:" + show_type(v->lb);
  if (has_ub) return var_name(v) + "<:" + show_type(v->ub);
  return var_name(v);
}

std::string show_type(const Type* t) {
  if (!t) return "<null type>";
  switch (t->kind) {
    case TypeKind::Bottom:
      return "Union{}";
    case TypeKind::DataType: {
      auto dt = static_cast<const DataType*>(t);
      if (dt->name->is_named_tuple) return show_named_tuple_type(dt);
      if (dt->params.empty()) return dt->name->is_tuple ? "Tuple{}" : dt->name->printed();
      // Julia writes a tuple of four or more equal element types as NTuple{N, T}.
      if (dt->name->is_tuple && dt->params.size() >= 4 && !as_vararg(dt->params[0]) &&
          std::all_of(dt->params.begin(), dt->params.end(), [&](const Type* p) { return p == dt->params[0]; }))
        return "NTuple{" + std::to_string(dt->params.size()) + ", " + show_type(dt->params[0]) + "}";
      std::vector<std::string> ps;
      for (const Type* p : dt->params) ps.push_back(show_type(p));
      return dt->name->printed() + "{" + join(ps) + "}";
    }
    case TypeKind::Union: {
      std::vector<std::string> ms;
      for (const Type* m : static_cast<const UnionType*>(t)->members) ms.push_back(show_type(m));
      std::sort(ms.begin(), ms.end());
      return "Union{" + join(ms) + "}";
    }
    case TypeKind::TypeVar:
      return var_name(static_cast<const TypeVar*>(t));
    case TypeKind::UnionAll: {
      // A type name's wrapper prints as the bare name: Point, not Point{T} where T<:Real.
      if (auto body = as_datatype(unwrap_unionall(t)); body && body->name->wrapper == t)
        return body->name->is_named_tuple ? named_tuple_head(body->name) + "}" : body->name->printed();
      std::vector<const TypeVar*> wheres;
      const Type* body = t;
      while (auto ua = as_unionall(body)) {
        wheres.push_back(ua->var);
        body = ua->body;
      }
      std::string b = show_with_shorthand(body, wheres);
      std::vector<std::string> vars;
      for (const TypeVar* v : wheres) vars.push_back(show_typevar_bounds(v));
      if (vars.empty()) return b;
      if (as_union(body) == nullptr && b.find(" where ") != std::string::npos) b = "(" + b + ")";
      return b + " where " + (vars.size() == 1 ? vars[0] : "{" + join(vars) + "}");
    }
    case TypeKind::Vararg: {
      auto va = static_cast<const VarargType*>(t);
      if (!va->count) return "Vararg{" + show_type(va->elem) + "}";
      return "Vararg{" + show_type(va->elem) + ", " + show_type(va->count) + "}";
    }
    case TypeKind::Const:
      return std::to_string(static_cast<const ConstParam*>(t)->value);
  }
  return "<bad type>";
}

}  // namespace tsr
