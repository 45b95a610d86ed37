// Named tuple types: NamedTuple{(:a, :b)}{A, B}, printed as Julia 1.10 does,
// `@NamedTuple{a::A, b::B}`.
//
// Julia has one type `NamedTuple{names, T<:Tuple}`. Here each list of names is its own
// immutable type name whose parameters are the field types, so that a named tuple is an
// ordinary immutable struct to inference and code generation: `nt.lr` on a named tuple of
// concrete types is a direct field access, and one of numbers is held unboxed.
#include "runtime/type_registry.hpp"

namespace tsr {

const TypeName* TypeRegistry::named_tuple(const std::vector<std::string>& names) {
  if (auto it = named_tuples_.find(names); it != named_tuples_.end()) return it->second;
  TypeName* tn = new_type_name("NamedTuple");
  tn->super = NamedTupleT;
  tn->is_named_tuple = true;
  tn->is_final = true;
  tn->payload = Payload::Object;
  tn->field_names = names;
  for (size_t i = 0; i < names.size(); ++i) {
    tn->params.push_back(new_typevar("T" + std::to_string(i + 1)));
    tn->field_types.push_back(tn->params.back());
  }
  std::vector<const Type*> ps(tn->params.begin(), tn->params.end());
  tn->primary = intern_datatype(tn, ps);
  std::vector<const TypeVar*> vars(tn->params.begin(), tn->params.end());
  tn->wrapper = unionall(vars, tn->primary);
  named_tuples_.emplace(names, tn);
  return tn;
}

const DataType* TypeRegistry::named_tuple(const std::vector<std::string>& names, std::span<const Type* const> types) {
  return apply(named_tuple(names), types);
}

}  // namespace tsr
