#include "runtime/globals.hpp"

#include "runtime/errors.hpp"

namespace tsr {

GenericFunction& Globals::function(std::string_view name) {
  auto it = functions_.find(std::string(name));
  if (it == functions_.end())
    it = functions_.emplace(std::string(name), std::make_unique<GenericFunction>(types_, world_, std::string(name))).first;
  return *it->second;
}

GenericFunction* Globals::find_function(std::string_view name) const {
  auto it = functions_.find(std::string(name));
  return it == functions_.end() ? nullptr : it->second.get();
}

std::vector<std::string> Globals::function_names() const {
  std::vector<std::string> out;
  for (auto& [n, f] : functions_) out.push_back(n);
  return out;
}

void Globals::set_global(const std::string& name, Value v, bool is_const) {
  auto it = globals_.find(name);
  if (it != globals_.end() && it->second.is_const)
    throw ErrorException("invalid redefinition of constant " + name);
  Global& g = globals_[name];
  g.value = std::move(v);
  g.is_const = is_const;
}

const Value* Globals::global(std::string_view name) const {
  auto it = globals_.find(std::string(name));
  return it == globals_.end() ? nullptr : &it->second.value;
}

bool Globals::is_const(std::string_view name) const {
  auto it = globals_.find(std::string(name));
  return it != globals_.end() && it->second.is_const;
}

std::vector<std::string> Globals::global_names() const {
  std::vector<std::string> out;
  for (auto& [n, g] : globals_) out.push_back(n);
  return out;
}

}  // namespace tsr
