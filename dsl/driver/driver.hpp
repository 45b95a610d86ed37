// Driver: runs .tsr files and source text, statement by statement.
//
// Definitions (function, struct, abstract type, semantic) take effect at once; runs of other
// statements are lowered together and compiled as one top-level body; `include("f.tsr")`
// runs another file relative to the current one. Exit statuses: 0 success, 1 an uncaught
// error (printed with a Tessera stack trace), 2 syntax errors or an unreadable file.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "dsl/modules.hpp"
#include "dsl/embed/tessera.hpp"
#include "dsl/syntax/ast.hpp"
#include "dsl/syntax/source.hpp"
#include "jit/compiler.hpp"

namespace tsr {

class Lowering;

class Driver {
 public:
  Driver();
  ~Driver();

  // Loads stdlib/Base.tsr (TSR_STDLIB names another folder).
  int load_base();
  // Runs a file; `last` receives the value of its last top-level expression.
  // `shown_as` names the file in stack traces (stdlib files: stdlib/NAME.tsr, not where the
  // build put them).
  int run_file(const std::string& path, Value* last = nullptr, const std::string& shown_as = "");
  // Runs source text that has no file (tsr -e); `name` stands for the path in messages.
  int run_source(const std::string& name, std::string text, Value* last = nullptr);
  // Prints an uncaught error (if one is pending) as `ERROR: ...` with its stack trace.
  void report_uncaught();
  // Sets the global ARGS.
  void set_args(const std::vector<std::string>& args);
  jit::Compiler& compiler() { return compiler_; }
  // The embedding API over the same globals: a host adds C++ types and methods here, and
  // scripts run afterwards (or before) see them.
  Runtime& runtime() { return rt_; }

 private:
  int run(const syntax::SourceFile& src, const std::string* path, Value* last);
  // The statements of a file or of a module's body, in the current module.
  int run_statements(const syntax::Node& block, Lowering& lower, Value* last);
  // module M ... end (driver_modules.cpp).
  int run_module(const syntax::Node& def, Lowering& lower);
  void scan_included_definitions(const syntax::Node& body, const std::string& dir, std::set<std::string>& out);
  // using / import / export statements.
  void run_using(const syntax::Node& s, Lowering& lower);
  // The stdlib module NAME, loaded from stdlib/NAME.tsr on first use; nullptr if no such file.
  Module* load_stdlib(const syntax::Node& at, const std::string& name, Lowering& lower);
  std::string resolve_include(const std::string& name) const;
  std::string shown_path(const std::string& path) const;
  // Every construct of a parsed file (and of the files it includes with a literal path) that
  // the lowering does not support, rendered into `report`.
  void check_up_front(const syntax::SourceFile& src, const syntax::Node& root, const std::string& dir,
                      std::set<std::string>& seen, std::string& report);
  Value defined_value(const syntax::Node& def);

  Runtime rt_;
  jit::Compiler compiler_;
  std::vector<std::unique_ptr<std::string>> paths_;
  std::vector<std::unique_ptr<syntax::SourceFile>> sources_;
  std::vector<std::string> dirs_;  // folders of the files being run, innermost last
  ModuleTable modules_;
  Module* current_;               // the module whose code runs now (Main at first)
  std::string loading_stdlib_;     // a stdlib module being loaded by `using`
};

}  // namespace tsr
