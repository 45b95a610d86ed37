// What the lowering does not support (yet), and the static errors Julia reports while lowering
// (`break` outside a loop): one decision per syntax node, taken in one place. The lowering asks
// it when it meets a node; check_support asks it for every node of a file before any
// statement runs, so that such errors come up front (exit status 2, as syntax errors) rather
// than when the driver reaches the statement.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dsl/syntax/ast.hpp"
#include "dsl/syntax/source.hpp"

namespace tsr {

// Where a node is.
struct SupportContext {
  bool statement = false;      // a top-level statement of a file (or an inner constructor): a definition
  bool global_scope = true;    // at the top level outside any local scope (in `if` and `begin` still)
  bool function_body = false;  // inside a function or lambda
  int loop_depth = 0;          // loops around it in its function (break and continue need one)
  bool kernel = false;         // in a @kernel function: @index, @groupsize, ... are available
  bool constructor = false;    // in an inner constructor: `new` is available
  bool index = false;          // inside a[...]: `end` is available
  const syntax::Node* in_struct = nullptr;  // an inner constructor of this struct
};

// What is wrong, and the node to point at (`n` itself or a part of it).
struct Unsupported {
  const syntax::Node* at;
  std::string message;
  syntax::Span span{};  // where the caret goes when narrower than `at` (a conversion in a format)
  syntax::Span where() const { return span.empty() ? at->span : span; }
};

// @sprintf and @printf: a format that is not a string literal, one with a conversion Tessera
// does not know, or arguments that do not match its conversions (lower_io_macros.cpp).
std::optional<Unsupported> printf_problem(const syntax::Node& n);

// Why `n` cannot be lowered where it is, or nothing when it can (its children are asked apart).
std::optional<Unsupported> unsupported(const syntax::Node& n, const SupportContext& cx);
// Why `lhs` cannot be assigned to (x, x::T, a.b, a[i] and tuples of them can).
std::optional<Unsupported> bad_target(const syntax::Node& lhs);
// What a splat xs... spreads (xs), or the node itself: the expression or target inside.
inline const syntax::Node& unsplat(const syntax::Node& n) { return n.kind == syntax::NodeKind::Splat ? n.child(0) : n; }
// x[i...]: an index with a splatted part.
inline bool splatted_index(const syntax::Node& index) {
  for (size_t i = 1; i < index.size(); ++i)
    if (index.child(i).kind == syntax::NodeKind::Splat) return true;
  return false;
}
// @info, @warn, @error, @debug (Julia's logging macros; dsl/lower_io_macros.cpp lowers them).
inline bool is_logging_macro(const std::string& name) {
  return name == "@info" || name == "@warn" || name == "@error" || name == "@debug";
}
// (a = 1, b = 2) and (; a, b): a parenthesized tuple of assignments to names, or `(; ...)`
// (not the lhs of a destructuring `(a, b) = t`).
bool is_named_tuple(const syntax::Node& n);
// Why a named tuple cannot be made: an element that names no field, a name given twice.
std::optional<Unsupported> bad_named_tuple(const syntax::Node& n);

// The names mentioned inside the lambdas and local functions of `n`: the variables a closure
// may capture (the lowering keeps those in cells).
void closure_names(const syntax::Node& n, std::set<std::string>& out);
// A generator that can be kept as a value: one iteration over a plain variable (and a filter).
bool lazy_generator_supported(const syntax::Node& g);
// A local function defined twice in one scope (a second method): not supported yet.
Unsupported second_local_method(const syntax::Node& def);

// Every node of `root` (a parsed file) that unsupported() rejects, as diagnostics in source
// order. `includes` receives the nodes of the `include("path")` calls with a literal path.
std::vector<syntax::Diagnostic> check_support(const syntax::SourceFile& file, const syntax::Node& root,
                                              std::vector<const syntax::Node*>* includes);

}  // namespace tsr
