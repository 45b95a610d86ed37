// TypeRegistry: owns every type of one runtime, interns instantiations, declares the built-in
// lattice (LANGUAGE.md "Types"), and answers the subtype question.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/types.hpp"

namespace tsr {

// A type declaration, as `abstract type`, `struct`, `mutable struct` or `semantic` says it.
struct TypeDecl {
  enum class Kind { Abstract, Struct, MutableStruct, Semantic };
  Kind kind = Kind::Struct;
  std::string name;
  std::vector<TypeVar*> params;           // made with new_typevar, in order
  const Type* super = nullptr;            // a DataType in terms of params; nullptr means Any
  std::vector<std::string> field_names;   // structs only
  std::vector<const Type*> field_types;   // in terms of params
  std::string location;                   // "file:line" of the definition (messages), if any
};

class TypeRegistry {
 public:
  TypeRegistry();
  TypeRegistry(const TypeRegistry&) = delete;
  TypeRegistry& operator=(const TypeRegistry&) = delete;
  ~TypeRegistry();

  // ---- the lattice ----
  // a <: b with Julia's meaning (where-clauses, invariance, covariant Tuple, Vararg, Union and
  // the diagonal rule).
  bool issub(const Type* a, const Type* b);
  // a <: b and b <: a.
  bool equal(const Type* a, const Type* b);
  // A is more specific than B: A <: B strictly (LANGUAGE.md: no Julia tie-breaking heuristics).
  bool more_specific(const Type* a, const Type* b) { return issub(a, b) && !issub(b, a); }
  // The nearest common ancestor of two tensor type names among Tensor and the semantic types
  // (LANGUAGE.md's retention rule: TensorMask and TensorImageBW join at TensorImage). nullptr
  // when either is not Tensor or a semantic type.
  const TypeName* semantic_join(const TypeName* a, const TypeName* b) const;

  // ---- building types ----
  const Type* bottom() const { return bottom_; }
  TypeVar* new_typevar(std::string name, const Type* lb = nullptr, const Type* ub = nullptr);
  // Declares a new named type; throws TypeError when the supertype may not be subtyped or the
  // name is taken. Returns the declared name; its wrapper is what the bare name means.
  const TypeName* declare(const TypeDecl& decl);
  // Name{params...}, checking arity and bounds (throws TypeError with what was expected).
  const DataType* apply(const TypeName* name, std::span<const Type* const> params);
  // t{params...} where t is a (possibly partial) UnionAll or a type name's wrapper:
  // Tensor{Float32} is Tensor{Float32, N} where N.
  const Type* instantiate(const Type* t, std::span<const Type* const> params);
  const DataType* tuple(std::span<const Type* const> elems);
  const Type* union_of(std::span<const Type* const> members);
  const Type* unionall(const TypeVar* var, const Type* body);
  // Wraps body in `where` for each var, the last var innermost (as `where {T, N}` writes them).
  const Type* unionall(std::span<const TypeVar* const> vars, const Type* body);
  const VarargType* vararg(const Type* elem, const Type* count = nullptr);
  const ConstParam* const_param(int64_t value);
  // Type{t}: the type that dispatches on the value t itself.
  const DataType* type_of_type(const Type* t);
  // NamedTuple{names}: one immutable type name per list of field names, its parameters the
  // field types (runtime/named_tuple_type.cpp). Bound to no name; a subtype of the abstract
  // `NamedTuple`.
  const TypeName* named_tuple(const std::vector<std::string>& names);
  // @NamedTuple{a::A, b::B}.
  const DataType* named_tuple(const std::vector<std::string>& names, std::span<const Type* const> types);
  // typeof(f) for the generic function f: a concrete singleton subtype of Function.
  const DataType* function_type(const std::string& fname, GenericFunction* f);

  // Replaces free occurrences of vars[i] with values[i] (simultaneously).
  const Type* subst(const Type* t, std::span<const TypeVar* const> vars,
                    std::span<const Type* const> values);
  bool has_free_vars(const Type* t) const;
  bool occurs_free(const Type* t, const TypeVar* v) const;
  bool is_concrete(const Type* t) const;

  // ---- names ----
  // What a bare name means (`Point` is `Point{T} where T<:Real`), or nullptr.
  const Type* lookup(std::string_view name) const;
  // Binds a name to a type (aliases such as Int = Int64 or NTuple).
  void bind(std::string name, const Type* t);
  // All bound names, sorted, for "did you mean" suggestions.
  std::vector<std::string> names() const;

  // ---- the built-in lattice ----
  // Set in declare_builtins(); null until then (declare() compares against TensorName).
  const DataType *Any = nullptr, *Number, *Real, *AbstractFloat, *Float64, *Float32, *Float16, *BFloat16,
      *Integer, *Signed, *Int64, *Int32, *Int16, *Int8, *Unsigned, *UInt8, *UInt16, *UInt32,
      *UInt64, *Bool, *AbstractString, *String, *Nothing, *Function, *DataTypeT, *UnionTypeT,
      *UnionAllT, *TupleAny, *Symbol, *NamedTupleT, *AbstractChar, *Char;
  const TypeName *TupleName = nullptr, *TypeName_ = nullptr, *AbstractTensorName = nullptr, *TensorName = nullptr;
  // Types the JIT's built-ins declare (jit/builtins.cpp, builtins_collections.cpp), recorded
  // when they are so that C++ code knows them by identity, not by name; null until then.
  const TypeName *VectorName = nullptr, *PairName = nullptr, *UnitRangeName = nullptr, *StepRangeName = nullptr,
                 *ColonName = nullptr;

 private:
  friend class Subtyper;
  uint32_t next_id() { return next_id_++; }
  template <class T, class... A>
  T* make(A&&... args) {
    auto owned = std::make_unique<T>(std::forward<A>(args)...);
    T* raw = owned.get();
    types_.push_back(std::move(owned));
    return raw;
  }
  const DataType* intern_datatype(const TypeName* name, std::vector<const Type*> params);
  const DataType* declare_builtin(const char* name, const DataType* super, bool abstract,
                                  Payload payload = Payload::None);
  void declare_builtins();
  // Renaming of a var bound on both sides of a subtype query (see subtype.cpp).
  const TypeVar* alias_of(const TypeVar* v, size_t index);

  uint32_t next_id_ = 0;
  std::deque<std::unique_ptr<Type>> types_;
  std::deque<std::unique_ptr<TypeName>> names_;
  // A new TypeName this registry owns (for the ones made without the checks of declare).
  TypeName* new_type_name(std::string name);
  const Type* bottom_ = nullptr;
  // Interned instantiations by name and parameters: hashed, as a training step interns a few
  // hundred tuple and named-tuple types it builds at run time (an ordered map compared vectors
  // of parameters a dozen times a lookup).
  using DataTypeKey = std::pair<const TypeName*, std::vector<const Type*>>;
  struct DataTypeKeyHash {
    size_t operator()(const DataTypeKey& k) const {
      return hash_types(std::hash<const void*>()(k.first), k.second);
    }
  };
  std::unordered_map<DataTypeKey, const DataType*, DataTypeKeyHash> datatypes_;
  std::map<std::vector<const Type*>, const Type*> unions_;
  std::map<std::pair<const TypeVar*, const Type*>, const Type*> unionalls_;
  std::map<std::pair<const Type*, const Type*>, const VarargType*> varargs_;
  std::map<int64_t, const ConstParam*> consts_;
  std::unordered_map<std::string, const Type*> bindings_;
  std::map<std::pair<const TypeVar*, size_t>, const TypeVar*> aliases_;
  std::map<std::vector<std::string>, const TypeName*> named_tuples_;
};

// The built-in containers by identity (TypeRegistry::VectorName and so on).
inline bool is_vector_name(const TypeName* n) { return n->registry && n == n->registry->VectorName; }
inline bool is_pair_name(const TypeName* n) { return n->registry && n == n->registry->PairName; }
inline bool is_unit_range_name(const TypeName* n) { return n->registry && n == n->registry->UnitRangeName; }
// UnitRange or StepRange.
inline bool is_range_name(const TypeName* n) {
  return n->registry && (n == n->registry->UnitRangeName || n == n->registry->StepRangeName);
}
inline bool is_colon_name(const TypeName* n) { return n->registry && n == n->registry->ColonName; }

}  // namespace tsr
