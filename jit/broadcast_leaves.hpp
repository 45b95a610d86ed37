// What the two broadcast builtins (jit/broadcast.cpp, jit/broadcast_fields.cpp) share about
// the values they broadcast over.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "runtime/number_types.hpp"
#include "runtime/tensor.hpp"
#include "runtime/value.hpp"

namespace tsr {
class Globals;
class GenericFunction;
}

namespace tsr::jit {

// A shape as Julia prints it: (3, 4), (5,).
std::string shape_text(std::span<const int64_t> s);
// Functions, closures, types and callable structs: they broadcast as scalars (the fused loop
// calls them).
bool is_function_value(Globals& g, const Value& v);
// A number or such a function: what the fused loop takes as a scalar leaf.
inline bool is_loop_scalar(Globals& g, const Value& v) { return is_number_type(v.type()) || is_function_value(g, v); }
// A Vector whose elements are numbers of one tensor element type (it broadcasts as a tensor of
// one dimension).
bool is_number_vector(const Value& v);
// A Vector, whatever its elements (not a tensor).
bool is_vector_value(const Value& v);
// Ref(x) (stdlib/Base.tsr): a scalar in a broadcast, unwrapped to x.
bool is_ref(const Value& v);
// A range (1:n, a:s:b, 0:0.1:1): it broadcasts as the Vector of its elements.
bool is_range(const Value& v);
// The device a broadcast of f runs on: the GPU when a leaf or the destination is there (then
// all tensors must be: an ArgumentError names two that differ, and f when given), else the CPU.
Device broadcast_device(const GenericFunction* f, std::span<const Value> leaves, const Value* dest);

}  // namespace tsr::jit
