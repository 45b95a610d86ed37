// The Tessera syntax tree.
//
// One node type (`Node`) with a `kind`, a source `span`, ordered `children` and a few payload
// fields, in the spirit of Julia's Expr: a pass can walk any tree with one loop over
// `children`, and the layout of each kind is fixed and documented below. Where a slot is
// optional it holds an `Empty` node rather than a null pointer, so `children[i]` is always
// safe to read. Names that need their own span (a struct's name, a field after `.`) are
// Identifier children; names that do not (parameters, keyword arguments) are `text`.
//
// Kind           text            children (in order)
// ------------   -------------   ----------------------------------------------------------
// Empty                          -                         an absent optional slot
// Error                          -                         what the parser built for a syntax error
// Int            source spelling -                         int_value
// Float64        source spelling -                         float_value
// Float32        source spelling -                         float_value (exactly a float)
// Bool                           -                         bool_value
// Nothing                        -
// String         decoded value   -                         a literal without interpolation
// InterpolatedString             String and expression pieces in order: "a $x" is "a ", x
// Char           decoded value   -                         int_value is the code point
// Symbol         name            -                         `:name`
// Identifier     name            -                         also an operator used as a value: `+`
// Colon                          -                         a bare `:` as in a[2:3, :]
// IndexEnd                       -                         `end` inside an index: a[end]
// Tuple          ";" in (; ...)  elements                  (1, 2.0), and the bare `a, b = ...`; named
//                                                          tuples (a = 1, b = 2) hold Assign elements
// Vector                         elements                  [1, 2, 3]
// Hcat                           type | Empty, elements... [a b c], T[a b]: hcat / typed_hcat
// Vcat                           type | Empty, elements or Rows...  [a; b], [x;]: vcat; with Rows
//                                                          ([a b; c d]): hvcat / typed_hvcat
// Row                            elements                  a row of more than one element
// Range                          start, stop | start, step, stop     a:b, a:s:b
// Comprehension                  body, Iteration..., [Filter]   [f(x) for x in xs if p(x)]
// Generator                      body, Iteration..., [Filter]   sum(f(x) for x in xs)
// Iteration      "for" | ""      variable, iterable        `x in xs` / `i = 1:n`; in a generator,
//                                                          "for" when it opens a `for` clause
// Filter                         condition
// Call                           callee, arguments...      arguments: expressions, Splat, Kwarg;
//                                                          those after `;` have is_keyword_section
//                                                          (a bare name there means `name = name`)
// DotCall                        callee, arguments...      f.(x): broadcast call
// Kwarg          name            value                     f(x; lr = 0.1), f(x, lr = 0.1)
// Splat                          expression                xs...
// BinaryOp       operator        lhs, rhs                  `+`, `.+`, `=>`, `<:`, `in`, `isa`, ...
// UnaryOp        operator        operand                   `-x`, `!x`, `.-x`, `x'` (operator "'")
// Comparison                     operand, Operator, operand, Operator, operand...  a < b <= c
// Operator       operator        -                         only inside Comparison
// And / Or                       lhs, rhs                  short-circuit && and ||
// Ternary                        condition, then, else     c ? a : b
// FieldAccess                    object, Identifier        a.b
// Index                          object, indices...        a[i, j]
// Curly                          head, parameters...       Point{Float64}, Union{A, B}
// Assign                         lhs, rhs                  x = 1, (a, b) = t, a[i] = v
// UpdateAssign   operator        lhs, rhs                  x += 1 (operator "+="), y .*= 2 (".*=")
// DotAssign                      lhs, rhs                  y .= a .* x
// TypeAssert                     expression | Empty, type  x::T; `::T` alone (parameters only)
// Where                          expression, TypeParam...  Vector{T} where T
// Lambda                         ParamList, body           x -> e, (a, b) -> e, () -> e, do blocks
// Block                          statements                begin ... end, bodies, the file
// If                             condition, then, [else]   else is a Block or an If (is_elseif)
// While                          condition, body
// For                            Iteration..., body        for i in 1:n, j in 1:m ... end
// Break / Continue               -
// Return                         [value]
// FunctionDef                    name | Empty, ParamList, ParamList (keywords), TypeParamList,
//                                return type | Empty, body (Block)
//                                name is an Identifier, a FieldAccess (Base.show) or another
//                                expression for callable objects; Empty for `function (x) ... end`
// ParamList                      Param...
// Param          name or ""      type | Empty, default | Empty      is_vararg for `xs...`,
//                                                                    is_nospecialize for `@nospecialize(x)`
// TypeParamList                  TypeParam...
// TypeParam      name            upper bound | Empty, lower bound | Empty
// StructDef                      Identifier, TypeParamList, supertype | Empty, Block of Field
//                                and FunctionDef (inner constructors); is_mutable
// Field          name            type | Empty
// AbstractTypeDef                Identifier, TypeParamList, supertype | Empty
// SemanticDef                    Identifier, TypeParamList, supertype
// MacroCall      "@name"         arguments...              @kernel function..., @index(Global)
// Using / Import                 module paths (Identifier or FieldAccess; the first Identifier's
//                                int_value counts leading dots: `using ..M` is 2); with text ":"
//                                one path then the names: `using M: f, g`, `import Base: +`
// Export                         Identifiers               export f, g
// Const                          the declaration (usually an Assign)
// Local / Global                 names or assignments
// Let                            Block of bindings, body Block
// Try                            body, catch variable | Empty, catch Block | Empty,
//                                finally Block | Empty
// Module                         Identifier, body Block
// Do                             call, Lambda              map(xs) do x ... end
// Doc            what            docstring, target         a docstring at the top level of a file or
//                                                          module; the statement it documents follows
//                                                          it in the block. what: "binding" (target: the
//                                                          Identifier named, or Empty spanning a
//                                                          definition that binds no name), "signature"
//                                                          (`"doc"\nf(x::Int)`: target Empty spanning
//                                                          it), "undocumentable" (target: a String of
//                                                          the statement's source text)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "source.hpp"

namespace tsr::syntax {

// clang-format off
enum class NodeKind : uint8_t {
  Empty, Error,
  // literals and names
  Int, Float64, Float32, Bool, Nothing, String, InterpolatedString, Char, Symbol, Identifier,
  Colon, IndexEnd,
  // collections
  Tuple, Vector, Hcat, Vcat, Row, Range, Comprehension, Generator, Iteration, Filter,
  // calls and operators
  Call, DotCall, Kwarg, Splat, BinaryOp, UnaryOp, Comparison, Operator, And, Or, Ternary,
  FieldAccess, Index, Curly,
  // assignment and types
  Assign, UpdateAssign, DotAssign, TypeAssert, Where,
  // functions
  Lambda, FunctionDef, ParamList, Param, TypeParamList, TypeParam,
  // control flow
  Block, If, While, For, Break, Continue, Return, Let, Try, Do,
  // declarations
  StructDef, Field, AbstractTypeDef, SemanticDef, MacroCall, Using, Import, Const, Local, Global,
  Module, Export, Doc,
};
// clang-format on

// The stable name used by the AST printer ("call", "function", ...).
std::string_view node_kind_name(NodeKind kind);
// How messages name a node: "an integer literal", "a call".
std::string_view describe_node_kind(NodeKind kind);

struct Node;
using NodePtr = std::unique_ptr<Node>;

struct Node {
  NodeKind kind = NodeKind::Empty;
  Span span;
  std::vector<NodePtr> children;

  std::string text;  // see the table above
  int64_t int_value = 0;
  double float_value = 0;
  bool bool_value = false;

  bool is_mutable = false;          // StructDef
  bool is_vararg = false;           // Param: `xs...`
  bool is_nospecialize = false;     // Param: `@nospecialize(x)`, `@nospecialize x::T`
  bool is_elseif = false;           // If reached through `elseif`
  bool is_keyword_section = false;  // call argument written after `;`
  bool is_parenthesized = false;    // written inside ( ): `(a)`, `(a, b)`
  bool is_outer = false;            // Iteration: `for outer i in ...`

  Node(NodeKind k, Span s) : kind(k), span(s) {}

  bool is(NodeKind k) const { return kind == k; }
  std::size_t size() const { return children.size(); }
  Node& child(std::size_t i) { return *children[i]; }
  const Node& child(std::size_t i) const { return *children[i]; }
  // Appends a child and widens this node's span to cover it.
  Node& add(NodePtr child);
};

NodePtr make_node(NodeKind kind, Span span);
NodePtr make_node(NodeKind kind, Span span, std::string text);
NodePtr make_empty(uint32_t at);  // an Empty node with a zero-width span

// Slot numbers of the fixed layouts, so that passes read `node.child(function_slot::body)`.
namespace function_slot {
constexpr std::size_t name = 0, params = 1, keyword_params = 2, type_params = 3, return_type = 4,
                      body = 5;
}
namespace struct_slot {
constexpr std::size_t name = 0, type_params = 1, supertype = 2, body = 3;
}
namespace try_slot {
constexpr std::size_t body = 0, catch_variable = 1, catch_body = 2, finally_body = 3;
}

// True for operators spelled with a leading dot (`.+`, `.==`, `.=`): they broadcast.
bool is_dotted_operator(std::string_view op);
// `.+` -> `+`; other operators unchanged.
std::string_view undotted_operator(std::string_view op);

}  // namespace tsr::syntax
