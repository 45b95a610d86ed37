// tsr: the Tessera driver.
//   tsr                      the interactive prompt (dsl/driver/repl.hpp); statements piped
//                            into it run the same way, their values printed
//   tsr run FILE [args...]   run a script (its arguments in ARGS); also `tsr FILE [args...]`
//   tsr -e 'code'            run code given on the command line
//   tsr --emit=ast FILE      print the syntax tree and stop
//   tsr --emit=ir|llvm ...   print the typed IR / optimized LLVM IR of what gets compiled
//   tsr --no-cache ...       neither read nor write the on-disk compile cache
//   tsr --version, tsr --help
// Exit status: 0 success, 1 an uncaught error, 2 usage or syntax errors.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>

#include "dsl/driver/driver.hpp"
#include "dsl/driver/repl.hpp"
#include "dsl/syntax/ast_printer.hpp"
#include "dsl/syntax/parser.hpp"
#include "jit/host_target.hpp"

namespace {

int emit_ast(const std::string& path) {
  std::string err;
  auto file = tsr::syntax::SourceFile::load(path, &err);
  if (!file) {
    std::fprintf(stderr, "tsr: cannot read %s: %s\n", path.c_str(), err.c_str());
    return 2;
  }
  tsr::syntax::ParseResult parsed = tsr::syntax::parse(*file);
  for (const auto& d : parsed.diagnostics) std::fputs(d.render().c_str(), stderr);
  std::fputs(tsr::syntax::print_ast(*parsed.root, *file).c_str(), stdout);
  return parsed.ok() ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tsr: run Tessera scripts, compiled to native code by LLVM", "tsr"};
  app.set_version_flag("--version", [] {
    const auto& t = tsr::jit::host_target();
    return "tsr 0.1.0 (LLVM " + t.llvm_version + ", " + t.triple + ", " + t.cpu + ")";
  });
  std::string emit, code;
  app.add_option("--emit", emit, "print a stage: ast (and stop), ir (typed IR), llvm (optimized LLVM IR)")
      ->check(CLI::IsMember({"ast", "ir", "llvm"}));
  app.add_option("-e,--eval", code, "run this code");
  bool no_cache = false;
  app.add_flag("--no-cache", no_cache, "neither read nor write the on-disk compile cache");
  std::vector<std::string> rest;
  app.add_option("script", rest, "run SCRIPT [args...] (`run` may be written first)");
  // Everything from the script on belongs to the script (ARGS), options included: only the
  // words before it are tsr's own.
  int own = 1;
  while (own < argc) {
    std::string a = argv[own];
    if (a == "-e" || a == "--eval" || a == "--emit") own += 2;
    else if (!a.empty() && a[0] == '-') own += 1;
    else break;
  }
  own = std::min(own, argc);
  try {
    app.parse(own, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  rest.assign(argv + own, argv + argc);
  if (!rest.empty() && rest[0] == "run") rest.erase(rest.begin());
  bool repl = code.empty() && rest.empty();
  if (emit == "ast") {
    if (rest.empty()) {
      std::fputs("tsr: --emit=ast needs a file\n", stderr);
      return 2;
    }
    return emit_ast(rest[0]);
  }
  tsr::Driver driver;
  driver.compiler().options().use_cache = !no_cache;
  if (int rc = driver.load_base()) return rc;
  driver.compiler().options().dump_ir = emit == "ir";
  driver.compiler().options().dump_llvm = emit == "llvm";
  int rc;
  if (repl) {
    driver.set_args({});
    rc = run_repl(driver);
  } else if (!code.empty()) {
    driver.set_args(rest);
    rc = driver.run_source("-e", code);
  } else {
    driver.set_args(std::vector<std::string>(rest.begin() + 1, rest.end()));
    rc = driver.run_file(rest[0]);
  }
  if (rc == 1) driver.report_uncaught();
  std::fflush(stdout);
  return rc;
}
