// Dict{K,V} and Set{T}: hash tables keyed by Julia's isequal, iterated in insertion order.
//
// Julia iterates a Dict in hash order, which no script can rely on; Tessera keeps insertion
// order (as Python's dict does), so output that prints a dict is reproducible. Deleting leaves
// a hole that iteration skips; holes are squeezed out when they outnumber the live entries.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "runtime/type_registry.hpp"
#include "runtime/value.hpp"

namespace tsr {

// isequal(a, b) as Julia's: numbers by value across types (1 and 1.0), NaN equal to NaN, -0.0
// not equal to 0.0; strings and symbols by text; tuples, named tuples, pairs and vectors
// element by element; dicts and sets by contents; anything else by identity (===).
bool isequal_values(const Value& a, const Value& b);
// hash consistent with isequal_values.
uint64_t hash_value(const Value& v);
// a === b (egal).
bool egal_values(const Value& a, const Value& b);

struct DictObject : Object {
  std::vector<Value> keys;  // insertion order; an undefined key is a deleted entry
  std::vector<Value> vals;  // empty for a Set
  std::unordered_multimap<uint64_t, size_t> index;  // hash -> position in keys
  size_t count = 0;
  bool is_set = false;

  std::optional<size_t> find(const Value& k) const;
  // Inserts or replaces; v is ignored for a set.
  void set(const Value& k, const Value& v);
  bool erase(const Value& k);
  void clear();
  // The first live position at or after i (keys.size() when none).
  size_t next_live(size_t i) const;

 private:
  void compact();
};

inline DictObject& as_dict(const Value& v) { return *static_cast<DictObject*>(v.as_object()); }
// Dict{K,V} or Set{T} (the types the runtime declares), by type name.
bool is_dict(const Value& v);
bool is_set(const Value& v);
bool is_dict_type(const TypeName* n);  // Dict or Set
bool is_dict_name(const TypeName* n);  // Dict alone
// Registers Dict{K,V} and Set{T} (mutable, no fields a script can read).
void declare_dict_types(TypeRegistry& t);
// An empty Dict{K,V} or Set{T} of the given concrete type.
Value make_dict(const DataType* type);

}  // namespace tsr
