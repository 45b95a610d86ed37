// TypeRegistry: construction, interning and declarations. Subtyping lives in subtype.cpp,
// substitution in type_subst.cpp, printing in type_printer.cpp.
#include "runtime/type_registry.hpp"

#include <algorithm>

#include "runtime/errors.hpp"
#include "runtime/type_printer.hpp"

namespace tsr {

TypeRegistry::TypeRegistry() {
  bottom_ = make<Type>(TypeKind::Bottom, next_id());
  declare_builtins();
}

TypeRegistry::~TypeRegistry() = default;

TypeVar* TypeRegistry::new_typevar(std::string name, const Type* lb, const Type* ub) {
  return make<TypeVar>(next_id(), std::move(name), lb ? lb : bottom_, ub ? ub : Any);
}

const DataType* TypeRegistry::intern_datatype(const TypeName* name, std::vector<const Type*> params) {
  // Tuple{Int, Vararg{Int, 2}} is Tuple{Int, Int, Int}: one spelling, one interned type.
  if (name->is_tuple && !params.empty())
    if (auto va = as_vararg(params.back()); va && as_const(va->count)) {
      int64_t n = as_const(va->count)->value;
      if (n < 0 || n > 100000) throw TypeError("Vararg count must be between 0 and 100000, got " + std::to_string(n));
      params.pop_back();
      params.insert(params.end(), static_cast<size_t>(n), va->elem);
    }
  auto key = std::make_pair(name, params);
  if (auto it = datatypes_.find(key); it != datatypes_.end()) return it->second;
  auto* dt = make<DataType>(next_id(), name);
  dt->params = std::move(params);
  for (const Type* p : dt->params) dt->has_free_vars = dt->has_free_vars || has_free_vars(p);
  // Register before computing the supertype: the supertype of Any is Any itself.
  datatypes_.emplace(std::move(key), dt);
  if (!name->super) {
    dt->super = dt;  // Any
  } else if (name->params.empty()) {
    dt->super = as_datatype(name->super);
  } else {
    std::vector<const TypeVar*> vars(name->params.begin(), name->params.end());
    dt->super = as_datatype(subst(name->super, vars, dt->params));
  }
  if (!name->field_types.empty()) {
    std::vector<const TypeVar*> vars(name->params.begin(), name->params.end());
    for (const Type* f : name->field_types) dt->field_types.push_back(subst(f, vars, dt->params));
  }
  bool has_vararg = !dt->params.empty() && as_vararg(dt->params.back());
  dt->is_concrete = !name->is_abstract && !dt->has_free_vars && !has_vararg;
  if (name->is_tuple && dt->is_concrete)
    for (const Type* p : dt->params) dt->is_concrete = dt->is_concrete && is_concrete(p);
  return dt;
}

TypeName* TypeRegistry::new_type_name(std::string name) {
  names_.push_back(std::make_unique<TypeName>());
  TypeName* tn = names_.back().get();
  tn->registry = this;
  tn->name = std::move(name);
  return tn;
}

const DataType* TypeRegistry::declare_builtin(const char* name, const DataType* super, bool abstract,
                                              Payload payload) {
  TypeName* tn = new_type_name(name);
  tn->super = super;
  tn->is_abstract = abstract;
  tn->is_final = !abstract;
  tn->payload = payload;
  const DataType* dt = intern_datatype(tn, {});
  tn->primary = dt;
  tn->wrapper = dt;
  bindings_[name] = dt;
  return dt;
}

void TypeRegistry::declare_builtins() {
  Any = declare_builtin("Any", nullptr, true);
  Number = declare_builtin("Number", Any, true);
  Real = declare_builtin("Real", Number, true);
  AbstractFloat = declare_builtin("AbstractFloat", Real, true);
  Float64 = declare_builtin("Float64", AbstractFloat, false, Payload::Float64);
  Float32 = declare_builtin("Float32", AbstractFloat, false, Payload::Float32);
  Float16 = declare_builtin("Float16", AbstractFloat, false, Payload::Half);
  BFloat16 = declare_builtin("BFloat16", AbstractFloat, false, Payload::Half);
  Integer = declare_builtin("Integer", Real, true);
  Signed = declare_builtin("Signed", Integer, true);
  Int64 = declare_builtin("Int64", Signed, false, Payload::Int);
  Int32 = declare_builtin("Int32", Signed, false, Payload::Int);
  Int16 = declare_builtin("Int16", Signed, false, Payload::Int);
  Int8 = declare_builtin("Int8", Signed, false, Payload::Int);
  Unsigned = declare_builtin("Unsigned", Integer, true);
  UInt8 = declare_builtin("UInt8", Unsigned, false, Payload::Int);
  UInt16 = declare_builtin("UInt16", Unsigned, false, Payload::Int);
  UInt32 = declare_builtin("UInt32", Unsigned, false, Payload::Int);
  UInt64 = declare_builtin("UInt64", Unsigned, false, Payload::Int);
  Bool = declare_builtin("Bool", Integer, false, Payload::Bool);
  AbstractString = declare_builtin("AbstractString", Any, true);
  String = declare_builtin("String", AbstractString, false, Payload::Object);
  // A Char holds its Unicode code point (Julia keeps the UTF-8 bytes; only Int(c) shows).
  AbstractChar = declare_builtin("AbstractChar", Any, true);
  Char = declare_builtin("Char", AbstractChar, false, Payload::Int);
  Nothing = declare_builtin("Nothing", Any, false, Payload::None);
  Function = declare_builtin("Function", Any, true);
  Symbol = declare_builtin("Symbol", Any, false, Payload::Object);
  // The abstract parent of every NamedTuple{names}{types...} (Julia's is a UnionAll of one
  // type; here each list of names has its own type name, see named_tuple_type.cpp).
  NamedTupleT = declare_builtin("NamedTuple", Any, true);
  DataTypeT = declare_builtin("DataType", Any, false, Payload::Type);
  UnionTypeT = declare_builtin("Union", Any, false, Payload::Type);
  UnionAllT = declare_builtin("UnionAll", Any, false, Payload::Type);
  bind("Int", Int64);
  bind("UInt", UInt64);

  // Tuple: covariant, any number of parameters; the bare name is Tuple{Vararg{Any}}.
  {
    TypeName* tn = new_type_name("Tuple");
    tn->super = Any;
    tn->is_tuple = true;
    tn->payload = Payload::Object;
    TupleName = tn;
    const Type* va[] = {vararg(Any)};
    TupleAny = intern_datatype(tn, {va[0]});
    tn->primary = TupleAny;
    tn->wrapper = TupleAny;
    bind("Tuple", TupleAny);
    TypeVar* n = new_typevar("N");
    TypeVar* t = new_typevar("T");
    const Type* elems[] = {vararg(t, n)};
    const TypeVar* vars[] = {n, t};
    bind("NTuple", unionall(vars, tuple(elems)));
  }
  // Type{T}: the type of the value T (dispatch on types: zeros(Float64, 3)).
  {
    TypeDecl d;
    d.kind = TypeDecl::Kind::Abstract;
    d.name = "Type";
    d.params = {new_typevar("T")};
    TypeName_ = declare(d);
    const_cast<TypeName*>(TypeName_)->is_type_of_type = true;
    const_cast<TypeName*>(TypeName_)->payload = Payload::Type;
  }
  // Tensors (LANGUAGE.md "Tensors and semantic tensor types"): Tensor is the one concrete type
  // that semantic types may inherit from.
  {
    TypeDecl d;
    d.kind = TypeDecl::Kind::Abstract;
    d.name = "AbstractTensor";
    d.params = {new_typevar("T"), new_typevar("N")};
    AbstractTensorName = declare(d);
    TypeDecl t;
    t.kind = TypeDecl::Kind::Struct;
    t.name = "Tensor";
    t.params = {new_typevar("T"), new_typevar("N")};
    const Type* ps[] = {t.params[0], t.params[1]};
    t.super = apply(AbstractTensorName, ps);
    TensorName = declare(t);
    const_cast<TypeName*>(TensorName)->is_final = false;
    const_cast<TypeName*>(TensorName)->is_tensor = true;
  }
}

const TypeName* TypeRegistry::declare(const TypeDecl& d) {
  if (bindings_.count(d.name)) throw TypeError("invalid redefinition of type " + d.name);
  auto owned = std::make_unique<TypeName>();
  TypeName* tn = owned.get();
  tn->name = d.name;
  tn->location = d.location;
  tn->is_abstract = d.kind == TypeDecl::Kind::Abstract;
  tn->is_mutable = d.kind == TypeDecl::Kind::MutableStruct;
  tn->is_semantic = d.kind == TypeDecl::Kind::Semantic;
  tn->is_final = d.kind == TypeDecl::Kind::Struct || d.kind == TypeDecl::Kind::MutableStruct;
  tn->payload = tn->is_abstract ? Payload::None : Payload::Object;
  const std::string where = "in definition of " + d.name + ": ";

  if (tn->is_semantic) {
    // `semantic TensorImage <: Tensor`: a tensor type with the parent's parameters.
    const DataType* parent = as_datatype(unwrap_unionall(d.super));
    if (!parent || (parent->name != TensorName && !parent->name->is_semantic))
      throw TypeError(where + "a semantic type must subtype Tensor or another semantic type, got " +
                      (d.super ? show_type(d.super) : "Any"));
    if (!d.params.empty() || !d.field_names.empty())
      throw TypeError(where + "a semantic type takes its parent's parameters and has no fields");
    std::vector<const Type*> vars;
    for (const TypeVar* v : parent->name->params) {
      tn->params.push_back(new_typevar(v->name, v->lb, v->ub));
      vars.push_back(tn->params.back());
    }
    tn->super = apply(parent->name, vars);
  } else {
    tn->params = d.params;
    const Type* super = d.super ? d.super : Any;
    const DataType* sdt = as_datatype(super);
    if (!sdt)
      throw TypeError(where + "can only subtype a data type; " + show_type(super) +
                      " needs its parameters (write " + show_type(unwrap_unionall(super)) + ")");
    const TypeName* sn = sdt->name;
    if (sn == TensorName || sn->is_semantic)
      throw TypeError(where + "only a semantic type may subtype " + sn->name + "; write `semantic " +
                      d.name + " <: " + sn->name + "`");
    if (sn->is_tuple || sn->is_type_of_type || !sn->is_abstract)
      throw TypeError(where + "cannot subtype " + show_type(super) +
                      ": it is a concrete type, and concrete types are final");
    tn->super = super;
    tn->field_names = d.field_names;
    tn->field_types = d.field_types;
  }
  owned->registry = this;
    names_.push_back(std::move(owned));
  std::vector<const Type*> ps(tn->params.begin(), tn->params.end());
  tn->primary = intern_datatype(tn, ps);
  std::vector<const TypeVar*> vars(tn->params.begin(), tn->params.end());
  tn->wrapper = unionall(vars, tn->primary);
  bindings_[d.name] = tn->wrapper;
  return tn;
}

const DataType* TypeRegistry::apply(const TypeName* name, std::span<const Type* const> params) {
  std::vector<const Type*> ps(params.begin(), params.end());
  if (name->is_tuple) {
    for (size_t i = 0; i < ps.size(); ++i) {
      if (as_vararg(ps[i]) && i + 1 != ps.size())
        throw TypeError("Vararg can only be the last parameter of a Tuple");
      if (as_const(ps[i])) throw TypeError("Tuple field type cannot be " + show_type(ps[i]));
    }
    return intern_datatype(name, std::move(ps));
  }
  if (ps.size() != name->params.size())
    throw TypeError(std::string(ps.size() > name->params.size() ? "too many" : "too few") +
                    " parameters for type " + name->name + ": expected " +
                    std::to_string(name->params.size()) + ", got " + std::to_string(ps.size()));
  std::vector<const TypeVar*> done;
  std::vector<const Type*> done_values;
  for (size_t i = 0; i < ps.size(); ++i) {
    const TypeVar* v = name->params[i];
    const Type* p = ps[i];
    if (as_vararg(p)) throw TypeError("Vararg is only allowed as the last parameter of a Tuple");
    if (!has_free_vars(p)) {
      const Type* ub = subst(v->ub, done, done_values);
      bool ok = as_const(p) ? (ub == Any && v->lb == bottom_) : (issub(v->lb, p) && issub(p, ub));
      if (!ok)
        throw TypeError("in " + name->name + ", in " + v->name + ", expected " +
                        show_typevar_bounds(v) + ", got " + show_type(p));
    }
    done.push_back(v);
    done_values.push_back(p);
  }
  return intern_datatype(name, std::move(ps));
}

const Type* TypeRegistry::instantiate(const Type* t, std::span<const Type* const> params) {
  // A type name's wrapper with all its parameters: the checked path.
  if (const DataType* body = as_datatype(unwrap_unionall(t)); body && body->name->wrapper == t && !body->name->is_tuple) {
    size_t n = body->name->params.size();
    if (n == 0) throw TypeError(body->name->name + " is not a parametric type; it takes no parameters");
    if (params.size() > n)
      throw TypeError("too many parameters for type " + body->name->name + ": expected " + std::to_string(n) +
                      ", got " + std::to_string(params.size()));
    if (params.size() == n) return apply(body->name, params);
  }
  // The where-variables of t, outermost first; parameters bind them in order.
  std::vector<const TypeVar*> vars;
  const Type* body = t;
  while (auto ua = as_unionall(body)) {
    vars.push_back(ua->var);
    body = ua->body;
  }
  if (params.size() > vars.size())
    throw TypeError("too many parameters for type " + show_type(unwrap_unionall(t)));
  std::vector<const TypeVar*> done;
  std::vector<const Type*> values;
  for (size_t i = 0; i < params.size(); ++i) {
    const TypeVar* v = vars[i];
    const Type* p = params[i];
    if (!has_free_vars(p)) {
      const Type* ub = subst(v->ub, done, values);
      bool ok = as_const(p) ? (v->ub == Any && v->lb == bottom_)
                            : (issub(v->lb, p) && (has_free_vars(ub) || issub(p, ub)));
      if (!ok)
        throw TypeError("in " + show_type(t) + ", in " + v->name + ", expected " + show_typevar_bounds(v) + ", got " +
                        show_type(p));
    }
    done.push_back(v);
    values.push_back(p);
  }
  // NTuple{0, Int}: the count empties the tuple and T disappears; substitution still works.
  const Type* result = subst(body, done, values);
  std::vector<const TypeVar*> rest(vars.begin() + static_cast<long>(params.size()), vars.end());
  return unionall(rest, result);
}

const DataType* TypeRegistry::tuple(std::span<const Type* const> elems) { return apply(TupleName, elems); }

const Type* TypeRegistry::union_of(std::span<const Type* const> members) {
  std::vector<const Type*> flat;
  for (const Type* m : members) {
    if (auto u = as_union(m)) flat.insert(flat.end(), u->members.begin(), u->members.end());
    else if (m->kind != TypeKind::Bottom) flat.push_back(m);
  }
  std::sort(flat.begin(), flat.end(), [](const Type* a, const Type* b) { return a->id < b->id; });
  flat.erase(std::unique(flat.begin(), flat.end()), flat.end());
  // Drop members already covered by another (Union{Int64, Real} is Real), as Julia does.
  std::vector<const Type*> kept;
  for (const Type* m : flat) {
    bool covered = false;
    for (const Type* n : flat)
      if (n != m && !has_free_vars(m) && !has_free_vars(n) && issub(m, n) &&
          !(issub(n, m) && n->id > m->id)) {
        covered = true;
        break;
      }
    if (!covered) kept.push_back(m);
  }
  if (kept.empty()) return bottom_;
  if (kept.size() == 1) return kept[0];
  if (auto it = unions_.find(kept); it != unions_.end()) return it->second;
  auto* u = make<UnionType>(next_id());
  u->members = kept;
  unions_.emplace(std::move(kept), u);
  return u;
}

const Type* TypeRegistry::unionall(const TypeVar* var, const Type* body) {
  if (!occurs_free(body, var)) return body;  // `Int64 where T` is just Int64
  auto key = std::make_pair(var, body);
  if (auto it = unionalls_.find(key); it != unionalls_.end()) return it->second;
  auto* ua = make<UnionAll>(next_id(), var, body);
  unionalls_.emplace(key, ua);
  return ua;
}

const Type* TypeRegistry::unionall(std::span<const TypeVar* const> vars, const Type* body) {
  for (size_t i = vars.size(); i-- > 0;) body = unionall(vars[i], body);
  return body;
}

const VarargType* TypeRegistry::vararg(const Type* elem, const Type* count) {
  auto key = std::make_pair(elem, count);
  if (auto it = varargs_.find(key); it != varargs_.end()) return it->second;
  auto* va = make<VarargType>(next_id(), elem, count);
  varargs_.emplace(key, va);
  return va;
}

const ConstParam* TypeRegistry::const_param(int64_t value) {
  if (auto it = consts_.find(value); it != consts_.end()) return it->second;
  auto* c = make<ConstParam>(next_id(), value);
  consts_.emplace(value, c);
  return c;
}

const DataType* TypeRegistry::type_of_type(const Type* t) {
  auto dt = as_datatype(t);
  if (dt && dt->type_of_self) return dt->type_of_self;
  const Type* ps[] = {t};
  const DataType* r = intern_datatype(TypeName_, {ps[0]});
  if (dt) dt->type_of_self = r;
  return r;
}

const DataType* TypeRegistry::function_type(const std::string& fname, GenericFunction* f) {
  TypeName* tn = new_type_name("typeof(" + fname + ")");
  tn->super = Function;
  tn->payload = Payload::Function;
  tn->instance = f;
  tn->primary = intern_datatype(tn, {});
  tn->wrapper = tn->primary;
  return tn->primary;
}

bool TypeRegistry::is_concrete(const Type* t) const {
  auto dt = as_datatype(t);
  return dt && dt->is_concrete;
}

const Type* TypeRegistry::lookup(std::string_view name) const {
  auto it = bindings_.find(std::string(name));
  return it == bindings_.end() ? nullptr : it->second;
}

void TypeRegistry::bind(std::string name, const Type* t) { bindings_[std::move(name)] = t; }

std::vector<std::string> TypeRegistry::names() const {
  std::vector<std::string> out;
  for (auto& [n, t] : bindings_) out.push_back(n);
  std::sort(out.begin(), out.end());
  return out;
}

const TypeName* TypeRegistry::semantic_join(const TypeName* a, const TypeName* b) const {
  auto tensor_chain = [this](const TypeName* n) {
    std::vector<const TypeName*> chain;
    while (n && (n == TensorName || n->is_semantic)) {
      chain.push_back(n);
      if (n == TensorName) break;
      n = as_datatype(n->super)->name;
    }
    return chain;
  };
  auto ca = tensor_chain(a);
  for (const TypeName* n : tensor_chain(b))
    if (std::find(ca.begin(), ca.end(), n) != ca.end()) return n;
  return nullptr;
}

const TypeVar* TypeRegistry::alias_of(const TypeVar* v, size_t index) {
  auto key = std::make_pair(v, index);
  if (auto it = aliases_.find(key); it != aliases_.end()) return it->second;
  const TypeVar* a = make<TypeVar>(next_id(), v->name, v->lb, v->ub);
  aliases_.emplace(key, a);
  return a;
}

}  // namespace tsr
