// Lowering: the syntax tree to the JIT's IR, and type definitions to the runtime's lattice.
//
// Names are resolved here, with Julia's scopes (lower_scope.cpp): a name assigned in a scope is
// a local of it unless an enclosing scope has it; other names are globals, looked up when the
// code runs (or bound at compile time when they name a function, type or constant). Variables
// captured by a closure live in cells (Julia's Box) shared by both sides.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "dsl/modules.hpp"
#include "dsl/syntax/ast.hpp"
#include "dsl/syntax/source.hpp"
#include "jit/compiler.hpp"
#include "runtime/errors.hpp"

namespace tsr {

// A user error found while lowering or defining (an unknown type in a signature, a construct
// that is not supported yet): already rendered with file:line:col, the line and a caret.
class LoweringError : public Error {
 public:
  explicit LoweringError(syntax::Diagnostic d) : Error("LoweringError", d.message), diagnostic_(std::move(d)) {}
  const syntax::Diagnostic& diagnostic() const { return diagnostic_; }

 private:
  syntax::Diagnostic diagnostic_;
};

// The name of the function a definition adds a method to: `f`, also for `Base.f` or `M.f`
// (the name after the last dot). Anything else is returned as it is.
const syntax::Node& defined_name(const syntax::Node& def);

class Lowering {
 public:
  // `modules` (optional) and `module`: the module whose code this is; without them names are
  // the runtime's flat names (Main and Base).
  Lowering(jit::Compiler& compiler, const syntax::SourceFile& file, const std::string* path,
           ModuleTable* modules = nullptr, Module* module = nullptr);
  void set_module(Module* m) { module_ = m; }
  Module* module() const { return module_; }
  const syntax::SourceFile& file() const { return file_; }

  // Top-level statements (not definitions) as one body to run.
  std::unique_ptr<jit::Body> lower_toplevel(const std::vector<const syntax::Node*>& statements);
  // function f(...) ... end and f(x) = ...: adds the method.
  void define_function(const syntax::Node& def);
  // @kernel function name(args) ... end: a kernel for launch(name, ndrange, args...).
  void define_kernel(const syntax::Node& macro);
  // struct, mutable struct, abstract type, semantic.
  void define_type(const syntax::Node& def);

 private:
  friend class BodyLowerer;
  friend class LoweringTypeFront;  // lower_types.cpp
  [[noreturn]] void fail(const syntax::Node& at, const std::string& message) const;
  // One method of a definition: the first `count` parameters (the rest take their defaults).
  void define_method(const syntax::Node& def, size_t count,
                     std::vector<std::pair<std::string, const TypeVar*>>& scope,
                     const std::vector<const TypeVar*>& vars, bool kernel, const std::string& flat);
  // Type syntax (lower_types.cpp): the type `n` writes, with the `where` variables of `scope`.
  const Type* eval_type(const syntax::Node& n, std::vector<std::pair<std::string, const TypeVar*>>& scope);
  // The type parameters of a definition, as new TypeVars added to `scope`.
  std::vector<TypeVar*> type_params(const syntax::Node& list, std::vector<std::pair<std::string, const TypeVar*>>& scope);

  // Names the top-level code lowered so far assigns as globals: at the top level, a loop body
  // that assigns one of them assigns the global (it exists when the loop runs).
  std::set<std::string> toplevel_assigned_;
  bool is_existing_global(const std::string& name) const {
    return compiler_.globals().global(global_name(name)) || toplevel_assigned_.count(name);
  }
  // Names (lower_names.cpp): the flat name an identifier means in this module; the flat name a
  // definition or top-level assignment of it creates (an error if `using` brought it in);
  // the module a path (`M`, `M.N`, `Base`) names, or nullptr.
  std::string global_name(const std::string& name) const;
  std::string definition_name(const syntax::Node& at, const std::string& name);
  Module* module_path(const syntax::Node& n) const;
  // The flat name of a definition's name: `f`, `Base.show`, `M.f`; `short_name` gets `f`.
  std::string defined_function_name(const syntax::Node& name, std::string* short_name);

  jit::Compiler& compiler_;
  ModuleTable* modules_ = nullptr;
  Module* module_ = nullptr;
  const Type* new_type_ = nullptr;  // inside an inner constructor: what `new` builds
  const syntax::SourceFile& file_;
  const std::string* path_;
};

}  // namespace tsr
