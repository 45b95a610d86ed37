// Printing syntax trees: the output of `tsr --emit=ast`, and a compact form for tests.
//
// Tree format (print_ast), one node per line, children indented by two spaces:
//
//   (HEAD [PAYLOAD] [FLAGS...] LINE:COL
//     CHILD
//     CHILD)
//
// and a node without children on one line: `(HEAD [PAYLOAD] [FLAGS...] LINE:COL)`.
// - HEAD is node_kind_name(kind) ("call", "function", "id", ...); an If reached through
//   `elseif` prints as "elseif". An Empty slot prints as `_` with no position.
// - PAYLOAD: names and operators verbatim (`saxpy!`, `.+`, `@kernel`); integers in decimal;
//   Float64 and Float32 values in their shortest round-trip form (`2.5`, `0.001`); strings and
//   characters quoted with Tessera escapes ("a\n\$x"); true/false. Parameters without a name
//   print no payload.
// - FLAGS: `mutable` (mutable struct), `vararg` (xs...), `;` (argument after `;`).
// - LINE:COL is where the node starts, 1-based, columns in code points; with
//   AstPrintOptions::show_end it is LINE:COL-LINE:COL, the end being exclusive.
//
// Example, for `y = f(x; k = 1)`:
//
//   (block 1:1
//     (= 1:1
//       (id y 1:1)
//       (call 1:5
//         (id f 1:5)
//         (id x 1:7)
//         (kw k ; 1:10
//           (int 1 1:14)))))
//
// Compact format (to_sexpr), one line, no positions: names, numbers and literals bare (`x`,
// `1`, `2.5`, `2.5f0`, `"s"`, `:sym`, `true`, `nothing`), operators as heads
// (`(+ a (* b c))`, `(- x)`, `(= y 1)`, `(.= y x)`, `(+= i 1)`), everything else
// `(HEAD [PAYLOAD] [FLAGS...] CHILDREN...)` as above, Empty as `_`.
#pragma once

#include <string>

#include "ast.hpp"
#include "source.hpp"

namespace tsr::syntax {

struct AstPrintOptions {
  bool show_end = false;  // print LINE:COL-LINE:COL instead of LINE:COL
};

std::string print_ast(const Node& node, const SourceFile& file,
                      const AstPrintOptions& options = {});
std::string to_sexpr(const Node& node);

// A string literal as Tessera source: quotes and escapes (also used by messages).
std::string quote_string(std::string_view text, char quote = '"');

}  // namespace tsr::syntax
