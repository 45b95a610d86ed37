#include "dsl/modules.hpp"

namespace tsr {

std::string Module::full_name() const {
  if (!parent || is_stdlib) return name;
  return parent->full_name() + "." + name;
}

ModuleTable::ModuleTable() {
  main_.name = "Main";
  base_.name = "Base";
}

Module* ModuleTable::define(Module& parent, const std::string& name, bool stdlib) {
  if (stdlib ? stdlib_.count(name) : parent.modules.count(name)) return nullptr;
  auto m = std::make_unique<Module>();
  m->name = name;
  m->parent = &parent;
  m->is_stdlib = stdlib;
  m->prefix = stdlib ? name + "." : (parent.prefix.empty() ? "Main." : parent.prefix) + name + ".";
  Module* raw = m.get();
  owned_.push_back(std::move(m));
  if (stdlib) stdlib_[name] = raw;  // visible where `using`/`import` names it
  else parent.modules[name] = raw;
  return raw;
}

Module* ModuleTable::stdlib(const std::string& name) const {
  auto it = stdlib_.find(name);
  return it == stdlib_.end() ? nullptr : it->second;
}

std::string ModuleTable::resolve(const Module& m, const std::string& name) const {
  if (m.defined.count(name)) return m.prefix + name;
  if (auto it = m.imported.find(name); it != m.imported.end()) return it->second.target;
  return name;  // Base's (and, in Main, the script's own)
}

std::string ModuleTable::definition_target(Module& m, const std::string& name, std::string* error) {
  if (auto it = m.imported.find(name); it != m.imported.end()) {
    if (it->second.extendable) return it->second.target;
    // A script's own module is written relative to Main (`M.f`, `import .M: f`).
    const std::string& from = it->second.from;
    bool in_main = from.rfind("Main.", 0) == 0;
    std::string shown = in_main ? from.substr(5) : from;
    *error = "`" + name + "` comes from module " + shown + " (by `using`): to add methods to it, write `" + shown +
             "." + name + "(...) = ...` or `import " + (in_main ? "." : "") + shown + ": " + name +
             "` first; to define a new one, use another name";
    return "";
  }
  m.defined.insert(name);
  return m.prefix + name;
}

Module* ModuleTable::find(Module& m, const std::vector<std::string>& path, int dots) {
  if (path.empty()) return nullptr;
  Module* at = nullptr;
  size_t i = 0;
  if (dots > 0) {
    at = &m;
    for (int d = 1; d < dots && at; ++d) at = at->parent ? at->parent : nullptr;
    if (!at) return nullptr;
  } else {
    const std::string& head = path[0];
    if (head == "Base") at = &base_;
    else if (head == "Main") at = &main_;
    else if (auto it = m.modules.find(head); it != m.modules.end()) at = it->second;
    else return nullptr;
    i = 1;
  }
  for (; i < path.size(); ++i) {
    auto it = at->modules.find(path[i]);
    if (it == at->modules.end()) return nullptr;
    at = it->second;
  }
  return at;
}

void ModuleTable::bind(Module& into, const Module& from, const std::string& name, bool extendable, std::string* error) {
  std::string target = resolve(from, name);
  std::string from_name = from.full_name();
  // What `name` means in `into` now, if anything: its own, an earlier import, or Base's.
  std::string current;
  std::string owner;
  if (into.defined.count(name)) {
    current = into.prefix + name;
    owner = into.full_name();
  } else if (auto it = into.imported.find(name); it != into.imported.end()) {
    current = it->second.target;
    owner = it->second.from;
  } else if (exists && exists(name)) {
    current = name;
    owner = "Base";
  }
  if (!current.empty() && current != target) {
    *error = "`" + name + "` of module " + from_name + " conflicts with `" + name + "` of " + owner +
             " already visible here; refer to it as " + from_name + "." + name;
    return;
  }
  if (current == target && owner == into.full_name()) return;  // a module's own name
  into.imported[name] = Module::Binding{target, from_name, extendable};
}

}  // namespace tsr
