#include "source.hpp"

#include <fmt/format.h>

#include <cerrno>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace tsr::syntax {

SourceFile::SourceFile(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {
  line_starts_.push_back(0);
  line_ascii_.push_back(true);
  for (uint32_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') {
      line_starts_.push_back(i + 1);
      line_ascii_.push_back(true);
    } else if (static_cast<unsigned char>(text_[i]) >= 0x80) {
      line_ascii_.back() = false;
    }
  }
}

std::optional<SourceFile> SourceFile::load(const std::string& path, std::string* error) {
  auto fail = [&](std::string why) {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just after).
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return fail(fmt::format("cannot open '{}'", path));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    bool dir = S_ISDIR(st.st_mode);
    ::close(fd);
    return fail(dir ? fmt::format("'{}' is a directory", path)
                    : fmt::format("'{}' is not a regular file (a device, FIFO or socket)", path));
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxBytes) {
    ::close(fd);
    return fail(fmt::format("'{}' is {} bytes, over the limit of {} MiB for a source file", path,
                            static_cast<uint64_t>(st.st_size), kMaxBytes >> 20));
  }
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < text.size()) {
    ssize_t r = ::read(fd, text.data() + got, text.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  ::close(fd);
  text.resize(got);  // a file that shrank while being read: what was there
  return SourceFile(path, std::move(text));
}

std::string_view SourceFile::slice(Span span) const {
  uint32_t begin = std::min(span.begin, size());
  uint32_t end = std::clamp(span.end, begin, size());
  return std::string_view(text_).substr(begin, end - begin);
}

uint32_t SourceFile::line_start(uint32_t line) const {
  if (line == 0) return 0;
  if (line > line_starts_.size()) return size();
  return line_starts_[line - 1];
}

std::string_view SourceFile::line_text(uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  uint32_t begin = line_starts_[line - 1];
  uint32_t end = line < line_starts_.size() ? line_starts_[line] - 1 : size();
  std::string_view text = std::string_view(text_).substr(begin, end - begin);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

Location SourceFile::location(uint32_t offset) const {
  offset = std::min(offset, size());
  // The last line start at or before offset.
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - line_starts_.begin());
  uint32_t begin = line_starts_[line - 1];
  if (line_ascii_[line - 1]) return {line, offset - begin + 1};
  std::string_view before = std::string_view(text_).substr(begin, offset - begin);
  return {line, static_cast<uint32_t>(utf8::count_code_points(before)) + 1};
}

std::string format_location(Location location) {
  return fmt::format("{}:{}", location.line, location.column);
}

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

std::string Diagnostic::render() const {
  std::string out = fmt::format("{}:{}:{}: {}: {}\n", path, location.line, location.column,
                                severity_name(severity), message);
  out += source_line;
  out += '\n';
  // Copy tabs from the source line so the caret lands under the right character in any
  // terminal, whatever its tab width.
  std::size_t offset = 0;
  uint32_t caret = caret_column ? caret_column : location.column;
  for (uint32_t column = 1; column < caret; ++column) {
    std::size_t length = 1;
    if (offset < source_line.size()) {
      out += source_line[offset] == '\t' ? '\t' : ' ';
      utf8::decode(source_line, offset, &length);
      offset += length;
    } else {
      out += ' ';
    }
  }
  out += '^';
  out.append(underline_width > 1 ? underline_width - 1 : 0, '~');
  out += '\n';
  return out;
}

Diagnostic make_diagnostic(const SourceFile& file, Span span, Severity severity,
                           std::string message) {
  Diagnostic diagnostic;
  diagnostic.severity = severity;
  diagnostic.message = std::move(message);
  diagnostic.path = file.path();
  diagnostic.location = file.location(span.begin);
  std::string_view line = file.line_text(diagnostic.location.line);
  diagnostic.source_line = std::string(line);

  // Underline the span up to the end of its first line.
  uint32_t line_begin = file.line_start(diagnostic.location.line);
  uint32_t line_end = line_begin + static_cast<uint32_t>(line.size());
  uint32_t begin = std::min(span.begin, line_end);
  uint32_t end = std::clamp(span.end, begin, line_end);
  std::size_t width = utf8::count_code_points(file.slice({begin, end}));
  diagnostic.underline_width = static_cast<uint32_t>(std::max<std::size_t>(width, 1));
  std::size_t columns = utf8::count_code_points(line);
  if (columns > kMaxQuotedColumns) {
    std::size_t before = diagnostic.location.column - 1;  // code points left of the caret
    std::size_t from = before > kQuoteWindow ? before - kQuoteWindow : 0;
    std::size_t to = std::min(columns, before + kQuoteWindow);
    auto byte_of = [&](std::size_t code_points) {  // byte offset of the n-th code point
      std::size_t at = 0, length = 1;
      for (std::size_t k = 0; k < code_points && at < line.size(); ++k) {
        utf8::decode(line, at, &length);
        at += length;
      }
      return at;
    };
    std::size_t from_byte = byte_of(from), to_byte = byte_of(to);
    diagnostic.source_line = (from > 0 ? "..." : "") + std::string(line.substr(from_byte, to_byte - from_byte)) +
                             (to < columns ? "..." : "");
    diagnostic.caret_column = static_cast<uint32_t>(before - from + 1 + (from > 0 ? 3 : 0));
    diagnostic.underline_width =
        static_cast<uint32_t>(std::clamp<std::size_t>(std::min<std::size_t>(width, to - before), 1, kQuoteWindow));
  }
  return diagnostic;
}

void DiagnosticSink::report(Diagnostic diagnostic) {
  if (diagnostic.severity == Severity::Error) ++error_count_;
  diagnostics_.push_back(std::move(diagnostic));
}

void DiagnosticSink::error(const SourceFile& file, Span span, std::string message) {
  report(make_diagnostic(file, span, Severity::Error, std::move(message)));
}

std::string DiagnosticSink::render_all() const {
  std::string out;
  for (const Diagnostic& diagnostic : diagnostics_) out += diagnostic.render();
  return out;
}

std::vector<Diagnostic> DiagnosticSink::take() {
  error_count_ = 0;
  return std::exchange(diagnostics_, {});
}

namespace utf8 {

char32_t decode(std::string_view text, std::size_t offset, std::size_t* length) {
  constexpr char32_t kReplacement = 0xFFFD;
  *length = 1;
  if (offset >= text.size()) return 0;
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[offset + i]); };
  unsigned char lead = byte(0);
  if (lead < 0x80) return lead;
  std::size_t count = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  if (count == 0 || lead >= 0xF8 || offset + count > text.size()) return kReplacement;
  char32_t code_point = lead & (0x7F >> count);
  for (std::size_t i = 1; i < count; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return kReplacement;
    code_point = (code_point << 6) | (byte(i) & 0x3F);
  }
  *length = count;
  return code_point;
}

void append(std::string& out, char32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

std::size_t count_code_points(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t offset = 0; offset < text.size(); ++count) {
    std::size_t length = 1;
    decode(text, offset, &length);
    offset += length;
  }
  return count;
}

}  // namespace utf8

}  // namespace tsr::syntax
