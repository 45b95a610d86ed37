// libFuzzer target for the .tsr lexer and parser: any bytes must parse (or fail with
// diagnostics) without crashing, hanging or reading out of bounds, and rendering every
// diagnostic and printing the tree must work too.
//   tests/fuzz/run.sh [seconds]   builds it with clang and runs it (default 60 s)
#include <cstddef>
#include <cstdint>
#include <string>

#include "dsl/syntax/ast_printer.hpp"
#include "dsl/syntax/parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tsr::syntax::SourceFile file("fuzz.tsr", std::string(reinterpret_cast<const char*>(data), size));
  tsr::syntax::ParseResult result = tsr::syntax::parse(file);
  for (const auto& d : result.diagnostics) (void)d.render();
  (void)tsr::syntax::print_ast(*result.root, file);
  return 0;
}
