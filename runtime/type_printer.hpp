// Types as text, the way Julia prints them: Point{Float64}, Tuple{Int64, Vararg{Int64}},
// Union{Float64, Int64}, Point{T} where T<:Real, Type{Int64}, typeof(area).
#pragma once

#include <string>

#include "runtime/types.hpp"

namespace tsr {

std::string show_type(const Type* t);
// A type variable with its bounds: T, T<:Real, T>:Int64, Int64<:T<:Real.
std::string show_typevar_bounds(const TypeVar* v);

}  // namespace tsr
