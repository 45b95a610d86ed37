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

}  // namespace

std::string show_typevar_bounds(const TypeVar* v) {
  bool has_lb = v->lb->kind != TypeKind::Bottom;
  bool has_ub = !is_any(v->ub);
  if (has_lb && has_ub) return show_type(v->lb) + "<:" + v->name + "<:" + show_type(v->ub);
  if (has_lb) return v->name + ">:" + show_type(v->lb);
  if (has_ub) return v->name + "<:" + show_type(v->ub);
  return v->name;
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
      return static_cast<const TypeVar*>(t)->name;
    case TypeKind::UnionAll: {
      // A type name's wrapper prints as the bare name: Point, not Point{T} where T<:Real.
      if (auto body = as_datatype(unwrap_unionall(t)); body && body->name->wrapper == t)
        return body->name->is_named_tuple ? named_tuple_head(body->name) + "}" : body->name->printed();
      std::vector<std::string> vars;
      const Type* body = t;
      while (auto ua = as_unionall(body)) {
        vars.push_back(show_typevar_bounds(ua->var));
        body = ua->body;
      }
      std::string b = show_type(body);
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
