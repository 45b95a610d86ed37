// The Tessera parser: tokens to a syntax tree (ast.hpp).
//
// Recursive descent with Julia's operator precedence, lowest first:
//   assignment (= += .= ...)  <  where  <  =>  <  ?:  <  ->  <  ||  <  &&
//   <  comparison (< <= == != === <: >: in isa, chained)  <  |> <|  <  : (range)
//   <  + - | ⊻  <  * / % & \ ÷ //  <  << >> >>>  <  unary (- + ! ~ √)  <  ^ (right)
//   <  ::  <  postfix (call, index, field, curly, f.(x), x')
// Every binary operator also has a broadcasting `.op` form at the same level.
//
// Error recovery: a syntax error is reported once ("expected X, found Y") and the parser then
// skips to the end of the statement (the next line break or `;` at the statement's bracket
// level, or a line that starts with a statement keyword) and carries on, so that one run
// reports every independent error of a file. It never loops forever and never recurses deeper
// than ParseOptions::max_nesting_depth.
#pragma once

#include <vector>

#include "ast.hpp"
#include "source.hpp"

namespace tsr::syntax {

struct ParseOptions {
  int max_nesting_depth = 256;  // beyond this: "expression is nested too deeply"
  // Chains (a + b + c ..., if/elseif/elseif ...) are flat to read but deepen the tree one
  // level per link: they do not count as nesting, but the links open along one path (chains
  // inside chains) are limited too, so that later passes never recurse without bound.
  int max_chain_links = 1024;
};

struct ParseResult {
  NodePtr root;  // a Block holding the file's statements; never null, even after errors
  std::vector<Diagnostic> diagnostics;

  bool ok() const;  // no errors
};

ParseResult parse(const SourceFile& file, const ParseOptions& options = {});

// The same, reporting into a caller's sink (a driver that gathers several stages' errors).
NodePtr parse(const SourceFile& file, DiagnosticSink& sink, const ParseOptions& options = {});

}  // namespace tsr::syntax
