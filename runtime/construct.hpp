// Calling a type: Square(2.0), Point(1, 2), Point{Float64}(1, 2), Float64(3), Int(2.0).
#pragma once

#include <span>

#include "runtime/globals.hpp"
#include "runtime/number_types.hpp"  // the predicates its conversions are decided by

namespace tsr {

// The default constructor of a struct, or a conversion for a number type. Field values are
// converted to the field types as Julia's `convert` does for numbers (Int to Float64; a Float64
// to an Int only when it is a whole number). Throws MethodError or InexactError-like
// ArgumentError when it cannot.
Value construct(Globals& g, const Type* t, std::span<const Value> args);
// The concrete type construct() would produce, or nullptr when it depends on values.
const DataType* constructed_type(TypeRegistry& types, const Type* t, std::span<const Type* const> argtypes);
// Converts a number to another number type; throws when the value does not fit exactly.
Value convert_number(TypeRegistry& types, const DataType* to, const Value& v);
// x as a value of type `to`, as Julia's `convert` does for assignments into typed places: x
// itself when it already is one, a number converted exactly, else a MethodError (with
// `context`, such as the field being set, in parentheses).
Value convert_to(TypeRegistry& types, const Type* to, const Value& x, const std::string& context = "");

}  // namespace tsr
