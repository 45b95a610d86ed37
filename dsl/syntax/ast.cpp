#include "ast.hpp"

namespace tsr::syntax {

namespace {

struct KindNames {
  std::string_view printed;      // for the AST printer: stable, lower case
  std::string_view description;  // for messages
};

KindNames names_of(NodeKind kind) {
  switch (kind) {
    case NodeKind::Empty: return {"empty", "nothing"};
    case NodeKind::Error: return {"error", "an invalid expression"};
    case NodeKind::Int: return {"int", "an integer literal"};
    case NodeKind::Float64: return {"float64", "a number"};
    case NodeKind::Float32: return {"float32", "a Float32 number"};
    case NodeKind::Bool: return {"bool", "a Bool literal"};
    case NodeKind::Nothing: return {"nothing", "'nothing'"};
    case NodeKind::String: return {"string", "a string"};
    case NodeKind::InterpolatedString: return {"interpolated", "a string"};
    case NodeKind::Char: return {"char", "a character"};
    case NodeKind::Symbol: return {"symbol", "a symbol"};
    case NodeKind::Identifier: return {"id", "a name"};
    case NodeKind::Colon: return {"colon", "':'"};
    case NodeKind::IndexEnd: return {"end", "'end'"};
    case NodeKind::Tuple: return {"tuple", "a tuple"};
    case NodeKind::Vector: return {"vect", "a vector"};
    case NodeKind::Hcat: return {"hcat", "a matrix row"};
    case NodeKind::Vcat: return {"vcat", "a matrix"};
    case NodeKind::Row: return {"row", "a matrix row"};
    case NodeKind::Range: return {"range", "a range"};
    case NodeKind::Comprehension: return {"comprehension", "a comprehension"};
    case NodeKind::Generator: return {"generator", "a generator"};
    case NodeKind::Iteration: return {"iteration", "an iteration"};
    case NodeKind::Filter: return {"filter", "a filter"};
    case NodeKind::Call: return {"call", "a call"};
    case NodeKind::DotCall: return {"dotcall", "a broadcast call"};
    case NodeKind::Kwarg: return {"kw", "a keyword argument"};
    case NodeKind::Splat: return {"...", "a splat"};
    case NodeKind::BinaryOp: return {"binop", "an operation"};
    case NodeKind::UnaryOp: return {"unop", "an operation"};
    case NodeKind::Comparison: return {"comparison", "a comparison"};
    case NodeKind::Operator: return {"operator", "an operator"};
    case NodeKind::And: return {"&&", "an '&&' expression"};
    case NodeKind::Or: return {"||", "an '||' expression"};
    case NodeKind::Ternary: return {"?", "a conditional expression"};
    case NodeKind::FieldAccess: return {".", "a field access"};
    case NodeKind::Index: return {"ref", "an indexing expression"};
    case NodeKind::Curly: return {"curly", "a type application"};
    case NodeKind::Assign: return {"=", "an assignment"};
    case NodeKind::UpdateAssign: return {"op=", "an updating assignment"};
    case NodeKind::DotAssign: return {".=", "a broadcast assignment"};
    case NodeKind::TypeAssert: return {"::", "a type annotation"};
    case NodeKind::Where: return {"where", "a 'where' expression"};
    case NodeKind::Lambda: return {"->", "an anonymous function"};
    case NodeKind::FunctionDef: return {"function", "a function definition"};
    case NodeKind::ParamList: return {"params", "a parameter list"};
    case NodeKind::Param: return {"param", "a parameter"};
    case NodeKind::TypeParamList: return {"typeparams", "a type parameter list"};
    case NodeKind::TypeParam: return {"typeparam", "a type parameter"};
    case NodeKind::Block: return {"block", "a block"};
    case NodeKind::If: return {"if", "an 'if' expression"};
    case NodeKind::While: return {"while", "a 'while' loop"};
    case NodeKind::For: return {"for", "a 'for' loop"};
    case NodeKind::Break: return {"break", "'break'"};
    case NodeKind::Continue: return {"continue", "'continue'"};
    case NodeKind::Return: return {"return", "'return'"};
    case NodeKind::Let: return {"let", "a 'let' block"};
    case NodeKind::Try: return {"try", "a 'try' block"};
    case NodeKind::Do: return {"do", "a 'do' block"};
    case NodeKind::StructDef: return {"struct", "a struct definition"};
    case NodeKind::Field: return {"field", "a field"};
    case NodeKind::AbstractTypeDef: return {"abstract", "an abstract type definition"};
    case NodeKind::SemanticDef: return {"semantic", "a semantic type definition"};
    case NodeKind::MacroCall: return {"macrocall", "a macro call"};
    case NodeKind::Using: return {"using", "a 'using' statement"};
    case NodeKind::Import: return {"import", "an 'import' statement"};
    case NodeKind::Const: return {"const", "a 'const' declaration"};
    case NodeKind::Local: return {"local", "a 'local' declaration"};
    case NodeKind::Global: return {"global", "a 'global' declaration"};
    case NodeKind::Module: return {"module", "a module"};
    case NodeKind::Export: return {"export", "an 'export' statement"};
    case NodeKind::Doc: return {"doc", "a docstring"};
  }
  return {"?", "an expression"};
}

}  // namespace

std::string_view node_kind_name(NodeKind kind) { return names_of(kind).printed; }
std::string_view describe_node_kind(NodeKind kind) { return names_of(kind).description; }

Node& Node::add(NodePtr child) {
  // Empty placeholders sit at a position but must not stretch the span.
  if (child->kind != NodeKind::Empty) span = Span::covering(span, child->span);
  children.push_back(std::move(child));
  return *children.back();
}

NodePtr make_node(NodeKind kind, Span span) { return std::make_unique<Node>(kind, span); }

NodePtr make_node(NodeKind kind, Span span, std::string text) {
  NodePtr node = make_node(kind, span);
  node->text = std::move(text);
  return node;
}

NodePtr make_empty(uint32_t at) { return make_node(NodeKind::Empty, Span{at, at}); }

bool is_dotted_operator(std::string_view op) {
  return op.size() >= 2 && op[0] == '.' && op != "..." && op != "..";
}

std::string_view undotted_operator(std::string_view op) {
  return is_dotted_operator(op) ? op.substr(1) : op;
}

}  // namespace tsr::syntax
