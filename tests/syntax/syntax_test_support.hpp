// Helpers shared by the dsl/syntax tests: parse a snippet and look at it in the compact
// S-expression form (ast_printer.hpp), or at its rendered diagnostics.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "dsl/syntax/ast_printer.hpp"
#include "dsl/syntax/parser.hpp"

namespace tsr::syntax::test {

// Every diagnostic of `code`, rendered as a user sees it, for a file called "test.tsr".
inline std::string errors(std::string_view code) {
  SourceFile file("test.tsr", std::string(code));
  std::string out;
  for (const Diagnostic& diagnostic : parse(file).diagnostics) out += diagnostic.render();
  return out;
}

// The top-level statements of `code` in compact form, one per line. Fails the test if the
// code does not parse cleanly.
inline std::string statements(std::string_view code) {
  SourceFile file("test.tsr", std::string(code));
  ParseResult result = parse(file);
  std::string rendered;
  for (const Diagnostic& diagnostic : result.diagnostics) rendered += diagnostic.render();
  INFO(rendered);
  CHECK(result.diagnostics.empty());
  std::string out;
  for (const NodePtr& statement : result.root->children) {
    if (!out.empty()) out += '\n';
    out += to_sexpr(*statement);
  }
  return out;
}

// The compact form of `code`, which should hold exactly one statement.
inline std::string sx(std::string_view code) {
  SourceFile file("test.tsr", std::string(code));
  ParseResult result = parse(file);
  std::string rendered;
  for (const Diagnostic& diagnostic : result.diagnostics) rendered += diagnostic.render();
  INFO(code);
  INFO(rendered);
  CHECK(result.diagnostics.empty());
  CHECK(result.root->children.size() == 1);
  return result.root->children.empty() ? std::string() : to_sexpr(*result.root->children[0]);
}

// True if `code` parses without any diagnostic.
inline bool parses_cleanly(std::string_view code) {
  SourceFile file("test.tsr", std::string(code));
  return parse(file).diagnostics.empty();
}

}  // namespace tsr::syntax::test
