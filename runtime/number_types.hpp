// Which built-in number type a type is. Decided by identity with the registry's own types
// (TypeRegistry::UInt8 and so on), never by the spelling of a name: a script's module may
// declare a type of any name.
#pragma once

#include "runtime/types.hpp"

namespace tsr {

class TypeRegistry;

// Int*, UInt*, Bool, Float64/32/16 and BFloat16: the values arithmetic takes (Char is not one).
bool is_number_type(const Type* t);
// UInt8, UInt16, UInt32 or UInt64.
bool is_unsigned_integer(const Type* t);
// An integer type's width in bits: 8, 16 or 32 for the narrow ones, 64 for every other type.
int integer_bits(const Type* t);
// Char: a code point in an Int payload, but not a number.
bool is_char_type(const Type* t);
// BFloat16 (the other Half-payload type is Float16).
bool is_bfloat16(const Type* t);

// Julia's promote_type for two number types (is_number_type): Bool < integers < floats;
// equal-sized integers promote to the unsigned one, otherwise the wider; a float wins over an
// integer, the wider float over the narrower; Float16 and BFloat16 meet at Float32.
const DataType* promote_numbers(const TypeRegistry& types, const DataType* a, const DataType* b);

}  // namespace tsr
