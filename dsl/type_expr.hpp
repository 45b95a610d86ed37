// Type expressions written as text, for the C++ embedding API and for tests:
//   parse_type(reg, "Point{T} where T<:Real")
//   parse_signature(reg, "(a::T, b::T) where {T<:Real}")
//   parse_type_header(reg, "Point{T<:Real} <: AbstractPoint{T}")
// The syntax is the .tsr syntax for types. Errors are ArgumentErrors that quote the text with
// a caret under the bad part and say what was expected.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/type_registry.hpp"

namespace tsr {

// Type variables visible while evaluating (the parameters of a type being declared).
using TypeScope = std::span<TypeVar* const>;

const Type* parse_type(TypeRegistry& reg, std::string_view text, TypeScope scope = {});

struct ParsedSignature {
  std::vector<std::string> arg_names;  // "" for `::T`
  const Type* sig = nullptr;           // Tuple{...}, inside its `where`s
};
// "(s::Shape, angle::Float64)", "(a::T, b::T) where {T<:Real}", "(xs::Vararg{Int})", "(xs...)".
ParsedSignature parse_signature(TypeRegistry& reg, std::string_view text);

struct TypeHeader {
  std::string name;
  std::vector<TypeVar*> params;
  const Type* super = nullptr;  // nullptr: none written
};
// "Name", "Name <: Super", "Name{T<:Real, N} <: Super{T}".
TypeHeader parse_type_header(TypeRegistry& reg, std::string_view text);

// Julia's parameter shorthand `{<:Real}` / `{>:Int}`: each such parameter is a fresh variable
// with that bound, and the applied type is closed over them, the last one innermost:
// `Vector{<:Real}` is `Vector{T} where T<:Real`, `Dict{<:Real, <:Integer}` is
// `Dict{K, V} where V<:Integer where K<:Real`. The variables are named as Julia's lowering
// names them (`#s1`), which is how the printer knows to write them back as `<:Real`. Both type
// evaluators (the text one here and Lowering::eval_type) go through this.
// A Vararg is not a type a `where` may wrap: `Vararg{<:Real}` is an error saying so.
inline constexpr const char* kVarargWildcard =
    "`Vararg{<:T}` is not supported: write `Vararg{S} where S<:T` in the signature's `where`";
class WildcardParams {
 public:
  explicit WildcardParams(TypeRegistry& reg) : reg_(reg) {}
  // The parameter `<:bound` (op "<:") or `>:bound` (op ">:").
  const Type* add(std::string_view op, const Type* bound);
  bool any() const { return !vars_.empty(); }
  // `applied` inside a `where` for each shorthand parameter (unchanged when there were none).
  const Type* close(const Type* applied) const;

 private:
  TypeRegistry& reg_;
  std::vector<const TypeVar*> vars_;
};

}  // namespace tsr
