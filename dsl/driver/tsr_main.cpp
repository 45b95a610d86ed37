// tsr: runs .tsr scripts (work in progress: `tsr run FILE` and `tsr --version`).
// Exit status: 0 success, 1 an uncaught error, 2 usage or syntax errors.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "dsl/lower.hpp"
#include "dsl/runtime.hpp"
#include "dsl/syntax/parser.hpp"
#include "jit/abi.hpp"
#include "jit/builtins.hpp"
#include "jit/host_target.hpp"

namespace {

using namespace tsr;

int report_uncaught() {
  std::fflush(stdout);
  jit::ErrorState& s = jit::error_state();
  std::string text = "ERROR: " + jit::describe_exception(s.exception) + "\nStacktrace:\n";
  for (size_t i = 0; i < s.frames.size(); ++i) text += " [" + std::to_string(i + 1) + "] " + s.frames[i] + "\n";
  std::fputs(text.c_str(), stderr);
  return 1;
}

class Driver {
 public:
  Driver() : compiler_(rt_.globals()) { jit::register_builtins(rt_.globals()); }

  // stdlib/Base.tsr: TSR_STDLIB names another folder (for an installed tsr).
  int load_base() {
    const char* dir = std::getenv("TSR_STDLIB");
    std::string base = std::string(dir && *dir ? dir : TSR_STDLIB_DIR) + "/Base.tsr";
    int rc = run_file(base);
    if (rc) std::fprintf(stderr, "tsr: the standard library (%s) failed to load\n", base.c_str());
    return rc;
  }

  int run_file(const std::string& path) {
    std::string err;
    auto file = syntax::SourceFile::load(path, &err);
    if (!file) {
      std::fprintf(stderr, "tsr: cannot read %s: %s\n", path.c_str(), err.c_str());
      return 2;
    }
    paths_.push_back(std::make_unique<std::string>(path));
    const std::string* p = paths_.back().get();
    sources_.push_back(std::make_unique<syntax::SourceFile>(std::move(*file)));
    const syntax::SourceFile& src = *sources_.back();
    syntax::ParseResult parsed = syntax::parse(src);
    if (!parsed.ok()) {
      std::fflush(stdout);
      for (const auto& d : parsed.diagnostics) std::fputs(d.render().c_str(), stderr);
      return 2;
    }
    Lowering lower(compiler_, src, p);
    std::vector<const syntax::Node*> pending;
    auto flush = [&]() -> int {
      if (pending.empty()) return 0;
      auto body = lower.lower_toplevel(pending);
      pending.clear();
      if (!compiler_.run_thunk(std::move(body), nullptr)) return report_uncaught();
      return 0;
    };
    try {
      for (const auto& stmt : parsed.root->children) {
        using syntax::NodeKind;
        const syntax::Node& s = *stmt;
        if (s.kind == NodeKind::FunctionDef || s.kind == NodeKind::StructDef || s.kind == NodeKind::AbstractTypeDef ||
            s.kind == NodeKind::SemanticDef) {
          if (int rc = flush()) return rc;
          if (s.kind == NodeKind::FunctionDef) lower.define_function(s);
          else lower.define_type(s);
        } else if (s.kind == NodeKind::Call && s.child(0).kind == NodeKind::Identifier && s.child(0).text == "include" &&
                   s.size() == 2 && s.child(1).kind == NodeKind::String) {
          if (int rc = flush()) return rc;
          std::filesystem::path inc = std::filesystem::path(path).parent_path() / s.child(1).text;
          if (int rc = run_file(inc.string())) return rc;
        } else {
          pending.push_back(&s);
        }
      }
      return flush();
    } catch (const LoweringError& e) {
      std::fflush(stdout);
      std::fputs(e.diagnostic().render().c_str(), stderr);
      return 1;
    } catch (const Error& e) {
      std::fflush(stdout);
      std::fprintf(stderr, "ERROR: %s\n", e.what());
      return 1;
    }
  }

  jit::Compiler& compiler() { return compiler_; }

 private:
  Runtime rt_;
  jit::Compiler compiler_;
  std::vector<std::unique_ptr<std::string>> paths_;
  std::vector<std::unique_ptr<syntax::SourceFile>> sources_;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "--version") {
    const auto& t = tsr::jit::host_target();
    std::printf("tsr 0.1.0 (LLVM %s, %s, %s)\n", t.llvm_version.c_str(), t.triple.c_str(), t.cpu.c_str());
    return 0;
  }
  bool dump_ir = false;
  if (!args.empty() && args[0] == "--emit=ir") {
    dump_ir = true;
    args.erase(args.begin());
  }
  if (args.size() < 2 || args[0] != "run") {
    std::fprintf(stderr, "usage: tsr run FILE.tsr   (work in progress: see docs/status.md)\n       tsr --version\n");
    return 2;
  }
  Driver d;
  if (int rc = d.load_base()) return rc;
  d.compiler().options().dump_ir = dump_ir;
  int rc = d.run_file(args[1]);
  std::fflush(stdout);
  return rc;
}
