// The one evaluator of type syntax. Both front ends that read types build this small tree and
// evaluate it here: type expressions as text (type_expr.cpp, for the embedding API) and the
// .tsr syntax tree (Lowering::eval_type, lower_types.cpp). What differs between them, where a
// bare name is looked up and how an error is placed and worded, is a TypeFront.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/errors.hpp"
#include "runtime/type_registry.hpp"

namespace tsr {

struct TypeSyntax {
  enum Kind {
    Name,      // a bare name: a `where` variable in scope, else what the front end finds
    Int,       // a constant parameter: the 3 of Tensor{Float32, 3}
    Apply,     // name{args...}, or head[0]{args...} when the head is not a bare name
    Where,     // args[0] where vars...
    Wildcard,  // the parameter shorthand `<:T` / `>:T` (name is the operator, args[0] the bound)
    Other,     // syntax the front end alone evaluates (TypeFront::eval_other)
  } kind = Name;
  std::string name;
  int64_t value = 0;
  std::vector<TypeSyntax> args;
  std::vector<TypeSyntax> head;  // Apply: zero or one
  struct Var {
    std::string name;
    std::vector<TypeSyntax> lb, ub;  // zero or one each
    size_t pos = 0;
  };
  std::vector<Var> vars;  // Where
  // Apply of "@NamedTuple": the field names (args are their types). Apply of "NamedTuple" with
  // named_tuple_names: NamedTuple{(:a, :b)} and, in args, at most a Tuple of their types.
  std::vector<std::string> names;
  bool named_tuple_names = false;
  // Where it was written, for errors: offsets in a text, or the front end's own node.
  size_t pos = 0, len = 0;
  const void* origin = nullptr;
};

// `where` variables in scope while evaluating, the innermost last.
using TypeVarScope = std::vector<std::pair<std::string, const TypeVar*>>;

class TypeFront {
 public:
  virtual ~TypeFront() = default;
  // What a bare name that is not a `where` variable means, or nullptr.
  virtual const Type* lookup(const std::string& name) = 0;
  // A TypeSyntax::Other node's type (or its error).
  virtual const Type* eval_other(const TypeSyntax& e, TypeVarScope& scope) = 0;
  // Errors, each thrown at `at`: a name that is no type, Vararg{} with a wrong number of
  // parameters, a TypeError of the registry's (bad parameters), and the rest (message given).
  [[noreturn]] virtual void unknown_name(const TypeSyntax& at) = 0;
  [[noreturn]] virtual void vararg_arity(const TypeSyntax& at) = 0;
  [[noreturn]] virtual void type_error(const TypeSyntax& at, const TypeError& e) = 0;
  [[noreturn]] virtual void fail(const TypeSyntax& at, const std::string& message) = 0;
};

const Type* eval_type_syntax(TypeRegistry& reg, TypeFront& front, const TypeSyntax& e, TypeVarScope& scope);
// A `where` variable or a type's parameter (T, T<:ub, T>:lb, lb<:T<:ub): its bounds evaluated
// (the upper first), made, and added to `scope` (later bounds may name it).
TypeVar* declare_type_var(TypeRegistry& reg, TypeFront& front, const TypeSyntax::Var& v, TypeVarScope& scope);

// Julia's parameter shorthand `{<:Real}` / `{>:Int}`: each such parameter is a fresh variable
// with that bound, and the applied type is closed over them, the last one innermost:
// `Vector{<:Real}` is `Vector{T} where T<:Real`, `Dict{<:Real, <:Integer}` is
// `Dict{K, V} where V<:Integer where K<:Real`. The variables are named as Julia's lowering
// names them (`#s1`), which is how the printer knows to write them back as `<:Real`.
// A Vararg is not a type a `where` may wrap: `Vararg{<:Real}` is an error saying so.
inline constexpr const char* kVarargWildcard =
    "`Vararg{<:T}` is not supported: write `Vararg{S} where S<:T` in the signature's `where`";
class WildcardParams {
 public:
  explicit WildcardParams(TypeRegistry& reg) : reg_(reg) {}
  // The parameter `<:bound` (op "<:") or `>:bound` (op ">:").
  const Type* add(std::string_view op, const Type* bound);
  bool any() const { return !vars_.empty(); }
  // `applied` inside a `where` for each shorthand parameter (unchanged when there were none).
  const Type* close(const Type* applied) const;

 private:
  TypeRegistry& reg_;
  std::vector<const TypeVar*> vars_;
};

}  // namespace tsr
