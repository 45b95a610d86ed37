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

}  // namespace tsr
