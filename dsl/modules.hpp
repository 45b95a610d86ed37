// Modules: namespaces over the runtime's one flat table of functions, types and globals.
//
// The runtime keeps one table of names (Globals, TypeRegistry); a module is a prefix in it.
// Base and Main share the empty prefix (Base's names are visible everywhere, and a script's
// top-level definitions add to them, as before modules existed). A module defined by a script
// (`module M ... end` in Main) owns the names `Main.M.x`; a standard-library module (the file
// stdlib/NN.tsr holding `module NN ... end`, loaded by `using NN`) owns `NN.x`; a nested one
// `Main.M.N.x`. So a script's names and a library's can never be the same entry of the table:
// they only meet in a module's scope, where `using` checks for conflicts (see `bind`).
//
// Names are resolved when code is lowered: a module's own definitions (all of them, found by a
// scan of its body before it runs, so functions may call ones defined later), then names
// brought in by `using`/`import`, then Base's.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace tsr {

struct Module {
  std::string name;    // "M"; "Main" for the script's top level
  std::string prefix;  // what its names are stored under: "Main.M.", "NN."; "" for Main
  Module* parent = nullptr;
  bool is_stdlib = false;
  std::set<std::string> defined;   // names this module defines (unqualified)
  std::set<std::string> exports;   // `export` lists
  struct Binding {
    std::string target;  // the flat name
    std::string from;    // the module it came from, for messages
    bool extendable;     // `import M: f` (or `import M.f`): definitions here add methods to it
  };
  std::map<std::string, Binding> imported;  // by `using` / `import`
  std::map<std::string, Module*> modules;   // module names visible here: submodules, used ones
  std::string full_name() const;            // "Main.M.N", "NN"
};

class ModuleTable {
 public:
  ModuleTable();
  Module& main() { return main_; }

  // A new module `name` inside `parent` (a stdlib module when `stdlib`: top level, prefix
  // "NAME."). Redefining a module is an error the caller reports (nullptr).
  Module* define(Module& parent, const std::string& name, bool stdlib);
  // A stdlib module already loaded, or nullptr.
  Module* stdlib(const std::string& name) const;

  // The flat name `name` means in `m` (reads, calls, types).
  std::string resolve(const Module& m, const std::string& name) const;
  // The flat name a definition of `name` in `m` adds to; an error message instead (in `error`)
  // when `name` was brought in by `using` (Julia: it must be imported to be extended).
  std::string definition_target(Module& m, const std::string& name, std::string* error);
  // The module a path names from `m` (`M`, `M.N`, `Base`), given as its names and leading
  // dots (relative to `m`: one dot is `m` itself); nullptr when it names none. `Base` and
  // `Main` are the empty-prefix root.
  Module* find(Module& m, const std::vector<std::string>& path, int dots);
  // Brings `name` of module `from` into `into`'s scope. An error message (in `error`) when
  // `into` already has a different `name` of its own, from another module or from Base.
  void bind(Module& into, const Module& from, const std::string& name, bool extendable, std::string* error);
  // Set by the driver: whether a flat name is a function, type or global of the runtime.
  std::function<bool(const std::string&)> exists;

 private:
  Module main_;
  Module base_;  // stands for Base in paths: prefix "" like Main
  std::vector<std::unique_ptr<Module>> owned_;
  std::map<std::string, Module*> stdlib_;
};

}  // namespace tsr
