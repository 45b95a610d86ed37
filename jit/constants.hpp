// Names for the runtime objects generated code refers to.
//
// Compiled code never holds a raw address of a type, function, method or string: it refers to
// an external symbol whose name says what the object is ("tsr.k:fn:area",
// "tsr.k:ty:Point{Float64}", "tsr.k:str:fib"). When code is loaded, the Compiler's resolver
// finds (or makes) each object in the running process. That is what lets compiled code be
// cached on disk and loaded by a later run.
#pragma once

#include <string>

#include "runtime/method_table.hpp"

namespace tsr::jit {

inline constexpr const char* kConstPrefix = "tsr.k:";

// "" when the object cannot be named (a constant global holding a vector, say): such code is
// then compiled with the raw address and not cached.
std::string type_symbol(TypeRegistry& types, const Type* t);
std::string function_symbol(const GenericFunction* f);
std::string method_symbol(const GenericFunction& f, const Method* m);
std::string string_symbol(const std::string& s);
std::string strings_symbol(const std::string* first, size_t n);
std::string cstring_symbol(const char* s);
std::string value_symbol(TypeRegistry& types, const Value& v);
// The text of a "strx:"/"vstrx:" name (a string holding NUL bytes, named in hex).
std::string decode_symbol_text(const std::string& hex);

}  // namespace tsr::jit
