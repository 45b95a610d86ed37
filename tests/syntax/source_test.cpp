// SourceFile positions and the rendering of diagnostics.
#include "dsl/syntax/source.hpp"

#include <catch2/catch.hpp>

using namespace tsr::syntax;

TEST_CASE("locations are 1-based lines and code-point columns", "[source]") {
  SourceFile file("a.tsr", "x = 1\n  θ = 2\n\nlast");
  CHECK(file.line_count() == 4);
  CHECK(file.location(0) == Location{1, 1});
  CHECK(file.location(4) == Location{1, 5});
  CHECK(file.location(6) == Location{2, 1});
  // θ is two bytes: the '=' after it is still column 5.
  CHECK(file.location(11) == Location{2, 5});
  CHECK(file.location(15) == Location{3, 1});
  CHECK(file.location(16) == Location{4, 1});
  CHECK(file.location(1000) == Location{4, 5});
  CHECK(file.line_text(2) == "  θ = 2");
  CHECK(file.line_text(3).empty());
  CHECK(file.line_text(4) == "last");
  CHECK(file.line_text(9).empty());
  CHECK(file.slice({0, 1}) == "x");
}

TEST_CASE("CRLF line ends are not part of the line text", "[source]") {
  SourceFile file("a.tsr", "a\r\nb\r\n");
  CHECK(file.line_text(1) == "a");
  CHECK(file.location(3) == Location{2, 1});
}

TEST_CASE("a diagnostic renders as file:line:col, the line and a caret", "[source]") {
  SourceFile file("path/to/file.tsr", "x = 1\n\n    y = f(a, b end\n");
  // `end` on line 3.
  uint32_t begin = file.line_start(3) + 15;
  Diagnostic diagnostic = make_diagnostic(file, {begin, begin + 3}, Severity::Error,
                                          "expected ')' to close '(' at 3:10, found 'end'");
  CHECK(diagnostic.render() ==
        "path/to/file.tsr:3:16: error: expected ')' to close '(' at 3:10, found 'end'\n"
        "    y = f(a, b end\n"
        "               ^~~\n");
}

TEST_CASE("carets keep tabs and count code points", "[source]") {
  SourceFile file("t.tsr", "\tθθ = bad\n");
  uint32_t begin = 1 + 4 + 3;  // after the tab, two θ and " = "
  Diagnostic diagnostic = make_diagnostic(file, {begin, begin + 3}, Severity::Warning, "w");
  CHECK(diagnostic.location == Location{1, 7});
  CHECK(diagnostic.render() == "t.tsr:1:7: warning: w\n\tθθ = bad\n\t     ^~~\n");
}

TEST_CASE("an empty span gets a single caret, a multi-line span underlines its first line",
          "[source]") {
  SourceFile file("t.tsr", "ab\ncd\n");
  CHECK(make_diagnostic(file, {2, 2}, Severity::Error, "m").render() ==
        "t.tsr:1:3: error: m\nab\n  ^\n");
  CHECK(make_diagnostic(file, {1, 5}, Severity::Note, "m").render() ==
        "t.tsr:1:2: note: m\nab\n ^\n");
}

TEST_CASE("the sink counts errors and renders them in order", "[source]") {
  SourceFile file("t.tsr", "a b\n");
  DiagnosticSink sink;
  sink.error(file, {0, 1}, "first");
  sink.report(make_diagnostic(file, {2, 3}, Severity::Warning, "second"));
  CHECK(sink.error_count() == 1);
  CHECK(sink.has_errors());
  CHECK(sink.render_all() ==
        "t.tsr:1:1: error: first\na b\n^\nt.tsr:1:3: warning: second\na b\n  ^\n");
  CHECK(sink.take().size() == 2);
  CHECK(!sink.has_errors());
}

TEST_CASE("UTF-8 decoding never stalls on bad bytes", "[source]") {
  std::string bad = "\xff\xc3";
  std::size_t length = 0;
  CHECK(utf8::decode(bad, 0, &length) == 0xFFFD);
  CHECK(length == 1);
  CHECK(utf8::decode(bad, 1, &length) == 0xFFFD);
  CHECK(length == 1);
  std::string out;
  utf8::append(out, 0x3B8);
  utf8::append(out, 0x1F600);
  CHECK(out == "θ\xF0\x9F\x98\x80");
  CHECK(utf8::count_code_points(out) == 2);
}

TEST_CASE("files load from disk or say why not", "[source]") {
  std::string error;
  CHECK(!SourceFile::load("/nonexistent/file.tsr", &error));
  CHECK(error == "cannot open '/nonexistent/file.tsr'");
}
