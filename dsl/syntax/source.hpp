// Source text, positions in it, and the user-facing diagnostics that point into it.
//
// Every error Tessera shows a user names the place (file:line:col), shows the source line and
// puts a caret under the offending text, Clang style:
//
//   path/to/file.tsr:3:14: error: expected ')' to close '(' at 3:5, found 'end'
//       y = f(a, b end
//                  ^~~
//
// A Diagnostic is self-contained (it copies the path and the source line when it is made), so
// it can outlive the SourceFile and travel between compiler stages.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tsr::syntax {

// A half-open byte range [begin, end) into the text of one SourceFile.
struct Span {
  uint32_t begin = 0;
  uint32_t end = 0;

  constexpr uint32_t size() const { return end - begin; }
  constexpr bool empty() const { return begin == end; }
  // The smallest span that contains both.
  static constexpr Span covering(Span a, Span b) {
    return {std::min(a.begin, b.begin), std::max(a.end, b.end)};
  }
  friend constexpr bool operator==(Span, Span) = default;
};

// A 1-based position. Columns count Unicode code points, not bytes, so carets line up under
// identifiers such as `θ`.
struct Location {
  uint32_t line = 1;
  uint32_t column = 1;
  friend constexpr bool operator==(Location, Location) = default;
};

class SourceFile {
 public:
  SourceFile(std::string path, std::string text);

  // The largest source file read (positions are 32-bit; a larger file is not a program).
  static constexpr uint64_t kMaxBytes = uint64_t(64) << 20;
  // Reads a regular file of at most kMaxBytes from disk; on failure (missing, a directory, a
  // device or FIFO such as /dev/zero, too large) returns nothing and sets *error to the reason.
  static std::optional<SourceFile> load(const std::string& path, std::string* error = nullptr);

  const std::string& path() const { return path_; }
  std::string_view text() const { return text_; }
  uint32_t size() const { return static_cast<uint32_t>(text_.size()); }
  std::string_view slice(Span span) const;

  Location location(uint32_t offset) const;
  uint32_t line_count() const { return static_cast<uint32_t>(line_starts_.size()); }
  uint32_t line_start(uint32_t line) const;         // byte offset where a 1-based line begins
  std::string_view line_text(uint32_t line) const;  // without "\n" or "\r\n"

 private:
  std::string path_;
  std::string text_;
  std::vector<uint32_t> line_starts_;
  // Lines of ASCII only, whose columns are byte offsets: locating a node on a long line is
  // then O(1), not a count of its code points (which made one 32k-element line quadratic).
  std::vector<bool> line_ascii_;
};

// "3:5": handy for messages that mention a second place ("to close '(' at 3:5").
std::string format_location(Location location);

enum class Severity { Error, Warning, Note };
std::string_view severity_name(Severity severity);

struct Diagnostic {
  Severity severity = Severity::Error;
  std::string message;
  std::string path;
  Location location;             // where the caret goes
  std::string source_line;       // the line, verbatim; a long one cut to a window around the caret
  uint32_t underline_width = 1;  // columns marked: one caret, then width-1 tildes
  uint32_t caret_column = 0;     // where the caret goes in source_line when it was cut (else 0)

  // The three lines shown above, each ending in '\n'.
  std::string render() const;
};

// Builds a diagnostic pointing at `span` (only its first line is underlined). A line longer
// than kMaxQuotedColumns is quoted as a window of kQuoteWindow code points either side of the
// caret, with "..." where it was cut: a 64 KB line is not repeated for every error in it.
constexpr std::size_t kMaxQuotedColumns = 160;
constexpr std::size_t kQuoteWindow = 60;
Diagnostic make_diagnostic(const SourceFile& file, Span span, Severity severity,
                           std::string message);

// A parse reports at most this many errors per file; a last error, at the next one, says so.
constexpr std::size_t kMaxErrorsPerFile = 20;

// Collects the diagnostics of one or more stages, in the order they were reported.
class DiagnosticSink {
 public:
  void report(Diagnostic diagnostic);
  void error(const SourceFile& file, Span span, std::string message);

  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  std::size_t error_count() const { return error_count_; }
  bool has_errors() const { return error_count_ > 0; }
  std::string render_all() const;
  std::vector<Diagnostic> take();

 private:
  std::vector<Diagnostic> diagnostics_;
  std::size_t error_count_ = 0;
};

// UTF-8 helpers shared by the lexer and the renderer.
namespace utf8 {
// Decodes the code point at text[offset]; *length gets its byte count (1 for invalid bytes,
// which decode as U+FFFD so that garbage never stalls a scanner).
char32_t decode(std::string_view text, std::size_t offset, std::size_t* length);
void append(std::string& out, char32_t code_point);
std::size_t count_code_points(std::string_view text);
}  // namespace utf8

}  // namespace tsr::syntax
