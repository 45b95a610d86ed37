// SourceLocation: std::source_location where the standard library has it; otherwise (clang 14
// with libstdc++ 12, the fuzzers' compiler, lacks the builtin it needs) the same file and line
// from __builtin_FILE / __builtin_LINE, which both compilers evaluate at the call site.
#pragma once

#include <version>

#if defined(__cpp_lib_source_location)
#include <source_location>
namespace tsr {
using SourceLocation = std::source_location;
}  // namespace tsr
#else
namespace tsr {
class SourceLocation {
 public:
  static constexpr SourceLocation current(const char* file = __builtin_FILE(), unsigned line = __builtin_LINE()) noexcept {
    return SourceLocation(file, line);
  }
  constexpr const char* file_name() const noexcept { return file_; }
  constexpr unsigned line() const noexcept { return line_; }

 private:
  constexpr SourceLocation(const char* file, unsigned line) : file_(file), line_(line) {}
  const char* file_;
  unsigned line_;
};
}  // namespace tsr
#endif
