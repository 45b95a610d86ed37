// Lowering: what names mean in the module being lowered (see dsl/modules.hpp).
#include "dsl/lower.hpp"

namespace tsr {

std::string Lowering::global_name(const std::string& name) const {
  return modules_ && module_ ? modules_->resolve(*module_, name) : name;
}

std::string Lowering::definition_name(const syntax::Node& at, const std::string& name) {
  if (!modules_ || !module_) return name;
  std::string error;
  std::string flat = modules_->definition_target(*module_, name, &error);
  if (!error.empty()) fail(at, error);
  return flat;
}

Module* Lowering::module_path(const syntax::Node& n) const {
  if (!modules_ || !module_) return nullptr;
  std::vector<std::string> path;
  const syntax::Node* at = &n;
  while (at->kind == syntax::NodeKind::FieldAccess) {
    path.insert(path.begin(), at->child(1).text);
    at = &at->child(0);
  }
  if (at->kind != syntax::NodeKind::Identifier) return nullptr;
  path.insert(path.begin(), at->text);
  return modules_->find(*module_, path, 0);
}

std::string Lowering::defined_function_name(const syntax::Node& name, std::string* short_name) {
  if (name.kind == syntax::NodeKind::FieldAccess) {
    // Base.show(io, x) = ... / M.f(x) = ...: a method of that module's function.
    Module* m = module_path(name.child(0));
    if (!m) fail(name.child(0), "expected a module name before `." + name.child(1).text + "`");
    *short_name = name.child(1).text;
    return modules_->resolve(*m, name.child(1).text);
  }
  if (name.kind == syntax::NodeKind::TypeAssert) {
    // (m::Dense)(x) = ...: a method of `#call`, which calling any non-function value runs.
    *short_name = "(::" + std::string(file_.slice(name.child(1).span)) + ")";
    return "#call";
  }
  if (name.kind != syntax::NodeKind::Identifier) fail(name, "expected a function name");
  *short_name = name.text;
  return definition_name(name, name.text);
}

}  // namespace tsr
