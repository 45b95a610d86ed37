// The type lattice: the nodes every Tessera type is built from.
//
// Types are immutable and live as long as the TypeRegistry that made them (like Julia's, they
// are never freed). Concrete instantiations (`Point{Float64}`, `Tuple{Int64, Bool}`) are
// interned, so two equal concrete types are the same pointer: dispatch caches key on that.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tsr {

enum class TypeKind : uint8_t {
  Bottom,    // Union{}: the empty type, subtype of everything
  DataType,  // a named type applied to its parameters: Int64, Point{Float64}, Tuple{...}
  Union,     // Union{A, B, ...} with two or more components
  TypeVar,   // T in `where T <: Real`
  UnionAll,  // body where var: Point{T} where T<:Real
  Vararg,    // Vararg{T} or Vararg{T, N}: only as the last parameter of a Tuple
  Const,     // a value used as a type parameter: the 3 in Tensor{Float32, 3}
};

struct Type {
  TypeKind kind;
  uint32_t id;  // creation order; gives unions a canonical order
  explicit Type(TypeKind k, uint32_t i) : kind(k), id(i) {}
  // The registry owns every kind of type through unique_ptr<Type>: deleting one deletes the
  // whole DataType (its vectors), not only this base.
  virtual ~Type() = default;
  Type(const Type&) = delete;
  Type& operator=(const Type&) = delete;
};

// seed with a list of (interned) types folded in by their pointers: the hash of the caches
// keyed on argument types (interned instantiations, launches, broadcast plans).
template <class Types>
size_t hash_types(size_t seed, const Types& types) {
  for (const auto* t : types) seed = seed * 1000003u ^ std::hash<const void*>()(t);
  return seed;
}

struct DataType;
struct TypeVar;
class GenericFunction;
class TypeRegistry;

// How a value of a concrete type is held inside a tsr::Value.
enum class Payload : uint8_t {
  None,     // singletons (Nothing) and abstract types
  Int,      // any integer type up to 64 bits, stored sign- or zero-extended in i64
  Float64,
  Float32,
  Half,     // Float16 and BFloat16, raw 16 bits
  Bool,
  Object,   // reference-counted heap object (strings, structs, tuples, tensors)
  Function, // a generic function (owned by the registry, never freed)
  Type,     // a type used as a value
};

// What a type name declares: shared by every instantiation (`Point` for Point{Int}, Point{T}).
struct TypeName {
  std::string name;
  // How the type prints when that differs from `name`: a module's type is stored under its
  // qualified name (Main.M.Point) and prints bare where the script sees it (after `using`).
  std::string shown;
  const std::string& printed() const { return shown.empty() ? name : shown; }
  TypeRegistry* registry = nullptr;  // the registry that owns it (printers reach types through it)
  std::vector<TypeVar*> params;  // declared parameters, in order
  const Type* super = nullptr;   // supertype, in terms of `params` (a DataType)
  std::vector<std::string> field_names;
  std::vector<const Type*> field_types;  // in terms of `params`
  std::string location;                  // "file:line" of a script's definition, else empty
  bool is_abstract = false;
  bool is_mutable = false;
  bool is_semantic = false;  // semantic tensor type: instantiable and inheritable
  bool is_final = true;      // concrete structs cannot be subtyped (Tensor is the exception)
  bool is_tuple = false;     // Tuple: covariant parameters
  bool is_type_of_type = false;  // Type{T}: the type of the value T
  bool is_named_tuple = false;   // NamedTuple{(:a, :b)}: field_names are the names, params their types
  Payload payload = Payload::None;
  GenericFunction* callable = nullptr;  // closure types: calling a value calls this function
  GenericFunction* instance = nullptr;  // typeof(f): the one function of this type
  const DataType* primary = nullptr;  // Name{params...} with the declared TypeVars
  const Type* wrapper = nullptr;      // what the bare name means: `Point{T} where T` or the DataType
  bool is_tensor = false;             // Tensor itself (semantic types have is_semantic)
  // Tensor kinds: Kind{element type, rank} by dtype and rank, made once (runtime/tensor.cpp).
  mutable std::vector<const DataType*> tensor_types;
};

struct DataType : Type {
  const TypeName* name;
  std::vector<const Type*> params;  // Types, TypeVars or Consts (and a trailing Vararg for Tuple)
  const DataType* super;            // the supertype with the parameters substituted; Any's is Any
  bool has_free_vars;               // a parameter mentions a TypeVar not bound here
  bool is_concrete;                 // can have instances: not abstract, no free vars, no Vararg
  std::vector<const Type*> field_types;  // the name's field types with these parameters
  mutable const DataType* type_of_self = nullptr;  // cached Type{this}
  DataType(uint32_t i, const TypeName* n) : Type(TypeKind::DataType, i), name(n), super(nullptr),
                                            has_free_vars(false), is_concrete(false) {}
};

struct UnionType : Type {
  std::vector<const Type*> members;  // >= 2, no nested unions, sorted by id, no member <: another
  explicit UnionType(uint32_t i) : Type(TypeKind::Union, i) {}
};

struct TypeVar : Type {
  std::string name;
  const Type* lb;  // lower bound (usually Union{})
  const Type* ub;  // upper bound (usually Any)
  TypeVar(uint32_t i, std::string n, const Type* l, const Type* u)
      : Type(TypeKind::TypeVar, i), name(std::move(n)), lb(l), ub(u) {}
};

struct UnionAll : Type {
  const TypeVar* var;
  const Type* body;
  UnionAll(uint32_t i, const TypeVar* v, const Type* b) : Type(TypeKind::UnionAll, i), var(v), body(b) {}
};

struct VarargType : Type {
  const Type* elem;
  const Type* count;  // nullptr: any number; a Const: exactly that many; a TypeVar: bound by matching
  VarargType(uint32_t i, const Type* e, const Type* c) : Type(TypeKind::Vararg, i), elem(e), count(c) {}
};

struct ConstParam : Type {
  int64_t value;
  ConstParam(uint32_t i, int64_t v) : Type(TypeKind::Const, i), value(v) {}
};

// Downcasts, checked by kind.
inline const DataType* as_datatype(const Type* t) {
  return t && t->kind == TypeKind::DataType ? static_cast<const DataType*>(t) : nullptr;
}
inline const UnionType* as_union(const Type* t) {
  return t && t->kind == TypeKind::Union ? static_cast<const UnionType*>(t) : nullptr;
}
inline const TypeVar* as_typevar(const Type* t) {
  return t && t->kind == TypeKind::TypeVar ? static_cast<const TypeVar*>(t) : nullptr;
}
inline const UnionAll* as_unionall(const Type* t) {
  return t && t->kind == TypeKind::UnionAll ? static_cast<const UnionAll*>(t) : nullptr;
}
inline const VarargType* as_vararg(const Type* t) {
  return t && t->kind == TypeKind::Vararg ? static_cast<const VarargType*>(t) : nullptr;
}
inline const ConstParam* as_const(const Type* t) {
  return t && t->kind == TypeKind::Const ? static_cast<const ConstParam*>(t) : nullptr;
}

// Strips every `where` wrapper: the Tuple{...} body of a method signature, for example.
inline const Type* unwrap_unionall(const Type* t) {
  while (auto u = as_unionall(t)) t = u->body;
  return t;
}

}  // namespace tsr
