// The JSON header of a safetensors file (https://huggingface.co/docs/safetensors): what the
// checkpoints of `using NN` are written in (jit/safetensors_io.cpp does the file I/O).
//
//   8 bytes   N, the header's length, unsigned little-endian
//   N bytes   {"__metadata__": {"k": "v", ...},
//              "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [BEGIN, END]}, ...}
//             padded with spaces
//   the rest  every tensor's bytes, little-endian, row-major; offsets count from here
//
// The parser knows this one schema and nothing more, and is strict: anything else in the JSON
// (another key, a float where an integer goes, a duplicate name, a bad escape), an unknown
// dtype, or offsets that overlap, leave a gap, run past the data or disagree with the shape
// is a HeaderError saying what is wrong, so a damaged file never becomes a tensor of garbage.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/tensor.hpp"

namespace tsr::jit {

struct SafetensorsEntry {
  std::string name;
  DType dtype = DType::Float32;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // bytes, from the start of the data
};

struct SafetensorsHeader {
  std::vector<SafetensorsEntry> tensors;  // in the order of their data
  std::vector<std::pair<std::string, std::string>> metadata;
};

// What is wrong with a header, without the file's name (the caller adds it).
struct HeaderError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The safetensors name of a dtype ("F32", "BOOL", ...).
const char* safetensors_dtype(DType d);

// Reads a header whose data section holds data_bytes bytes; a HeaderError when it is not one.
SafetensorsHeader parse_safetensors_header(std::string_view json, uint64_t data_bytes);

// The header's JSON, its tensors laid end to end from offset 0 in the order given (their
// begin/end are set here), padded with spaces so that the data starts 8-byte aligned.
std::string format_safetensors_header(SafetensorsHeader& h);

}  // namespace tsr::jit
