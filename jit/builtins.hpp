// The built-in methods every runtime has: arithmetic on numbers (intrinsics), printing,
// strings, errors, tuples and vectors, reflection. Written in C++ because they touch the
// runtime's representation; everything that can be written in Tessera is in stdlib/Base.tsr.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "jit/intrinsics.hpp"
#include "runtime/globals.hpp"

namespace tsr::jit {

// Declares the built-in types (exceptions, Vector, ranges, Box, KwArgs) and methods.
void register_builtins(Globals& g);
// When a function is named after a struct (an outer constructor, Square() = Square(1.0)), the
// struct's default constructor becomes one of its methods: Square(side), taking any values.
void add_default_constructor(Globals& g, GenericFunction& f, const Type* type);

// The intrinsic a built-in method stands for, if it is one.
std::optional<Intrinsic> builtin_intrinsic(const Method* m);
// Whether a built-in method may be computed at compile time (see set_pure).
bool is_pure_builtin(const Method* m);
// What a call to a C++ method returns, as far as the argument types tell.
const Type* builtin_result_type(TypeRegistry& types, const Method* m, std::span<const Type* const> args);

// The named tuple (names... = xs...), typed by the values.
Value named_tuple_of(TypeRegistry& t, const std::vector<std::string>& names, std::vector<Value> xs);
// The tuple of these values (its type: the tuple of their types).
Value tuple_of(TypeRegistry& t, std::vector<Value> xs);

}  // namespace tsr::jit
