// C-style formats for @printf and @sprintf (Julia's Printf): %d %i %u %x %X %o %e %E %f %F %g
// %G %a %A %s %c and %%, with the flags - + space 0 #, a width and a precision.
//
// The lowering parses a literal format once to report a bad one at its line; the built-in
// `__sprintf(fmt, args...)` formats with the same parser.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/value.hpp"

namespace tsr::jit {

struct FormatSpec {
  std::string literal;  // text before this conversion
  char conversion = 0;  // 0: the literal text at the end, no conversion
  bool left = false, plus = false, space = false, zero = false, alt = false;
  int width = -1, precision = -1;
};

// The pieces of a format, or an error message (`error`) naming the bad conversion, whose
// bytes in `fmt` are [error_begin, error_end) when those are given.
std::optional<std::vector<FormatSpec>> parse_format(const std::string& fmt, std::string* error,
                                                    size_t* error_begin = nullptr, size_t* error_end = nullptr);
// How many values a parsed format takes.
size_t format_arguments(const std::vector<FormatSpec>& specs);
// Formats the values (as many as the format takes: the caller checked); throws ArgumentError
// or InexactError for a value a conversion cannot take (Julia's Printf does the same).
std::string format_values(const std::vector<FormatSpec>& specs, std::span<const Value> args);

}  // namespace tsr::jit
