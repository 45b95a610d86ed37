// tsr: the Tessera driver.
//   tsr                      the interactive prompt (dsl/driver/repl.hpp); statements piped
//                            into it run the same way, their values printed
//   tsr run FILE [args...]   run a script (its arguments in ARGS); also `tsr FILE [args...]`; tsr's
//                            options go before FILE, after `run` or before it
//   tsr -e 'code'            run code given on the command line
//   tsr --emit=ast FILE      print the syntax tree and stop
//   tsr --emit=PASS ...      print what a compiler pass made of what gets compiled (passes:
//                            jit/pipeline.hpp; ir = infer, llvm = optimize)
//   tsr --emit=ptx|cuda ...  run, printing each kernel's device code (PTX from LLVM NVPTX for
//                            TSR_GPU_ARCH, sm_80 by default; or CUDA C++ for NVRTC) to stderr
//                            as it is first launched
//   tsr --stop-after=PASS .. compile each batch of top-level code through PASS, run nothing
//   ... --function NAME      with --emit: only NAME's methods (ast) or specializations;
//                            it may come after the file too
//   tsr --device=cpu|gpu ... the default device (TSR_DEVICE too); gpu needs a GPU and says
//                            why when there is none
//   tsr --no-cache ...       neither read nor write the on-disk compile cache
//   tsr runs [compare|report] the runs Learn records in runs/ (dsl/driver/runs_main.hpp)
//   tsr --version, tsr --help
// Exit status: 0 success, 1 an uncaught error, 2 usage or syntax errors.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "dsl/driver/driver.hpp"
#include "dsl/driver/repl.hpp"
#include "dsl/driver/runs_main.hpp"
#include "dsl/lower.hpp"
#include "dsl/syntax/ast_printer.hpp"
#include "dsl/syntax/parser.hpp"
#include "jit/gpu/cuda_driver.hpp"
#include "jit/gpu/device_memory.hpp"
#include "jit/host_target.hpp"
#include "jit/pipeline.hpp"

namespace {

using tsr::syntax::Node;

// --device / TSR_DEVICE: cpu runs as always. gpu makes the GPU the default device: new
// tensors are made there, so operations, broadcasts and kernels run there, and a script moves
// to the GPU without a change. Without a GPU it stops with the driver's reason (as
// Lightning's accelerator="gpu" does) rather than run on the CPU unannounced.
int check_device(std::string device) {
  std::string from = "--device";
  if (device.empty()) {
    const char* env = std::getenv("TSR_DEVICE");
    if (!env || !*env) return 0;
    device = env;
    from = "TSR_DEVICE";
  }
  if (device == "cpu") return 0;
  if (device != "gpu") {
    std::fprintf(stderr, "tsr: %s=%s: the device is cpu or gpu\n", from.c_str(), device.c_str());
    return 2;
  }
  const tsr::jit::gpu::GpuStatus& s = tsr::jit::gpu::gpu_status();
  if (!s.available) {
    std::fprintf(stderr, "tsr: %s=gpu: no GPU is available (%s)\n", from.c_str(), s.why.c_str());
    return 2;
  }
  try {
    tsr::jit::gpu::use_gpu(from + "=gpu");
  } catch (const tsr::Error& e) {
    std::fprintf(stderr, "tsr: %s\n", e.what());
    return 2;
  }
  tsr::set_default_device(tsr::Device::GPU);
  return 0;
}
using tsr::syntax::NodeKind;

// Every definition of a method of `name` in the tree: functions (also `Base.name`, inner
// constructors and @kernel functions), in source order.
void find_definitions(const Node& n, const std::string& name, std::vector<const Node*>& out) {
  if (n.kind == NodeKind::FunctionDef) {
    const Node& id = tsr::defined_name(n);
    if (id.kind == NodeKind::Identifier && id.text == name) out.push_back(&n);
  }
  for (const auto& k : n.children) find_definitions(*k, name, out);
}

int emit_ast(const std::string& path, const std::string& function) {
  std::string err;
  auto file = tsr::syntax::SourceFile::load(path, &err);
  if (!file) {
    std::fprintf(stderr, "tsr: cannot read %s: %s\n", path.c_str(), err.c_str());
    return 2;
  }
  tsr::syntax::ParseResult parsed = tsr::syntax::parse(*file);
  for (const auto& d : parsed.diagnostics) std::fputs(d.render().c_str(), stderr);
  if (function.empty()) {
    std::fputs(tsr::syntax::print_ast(*parsed.root, *file).c_str(), stdout);
  } else {
    std::vector<const Node*> defs;
    find_definitions(*parsed.root, function, defs);
    if (defs.empty()) {
      std::fprintf(stderr, "tsr: --function %s: %s defines no function named `%s`\n", function.c_str(), path.c_str(),
                   function.c_str());
      return 2;
    }
    for (const Node* d : defs) std::fputs(tsr::syntax::print_ast(*d, *file).c_str(), stdout);
  }
  return parsed.ok() ? 0 : 2;
}

// --function given after the file: taken out of the script's arguments.
void take_function_option(std::vector<std::string>& rest, std::string& function) {
  for (size_t i = 1; i < rest.size(); ++i) {
    if (rest[i] == "--function" && i + 1 < rest.size()) {
      function = rest[i + 1];
      rest.erase(rest.begin() + i, rest.begin() + i + 2);
      return;
    }
    if (rest[i].rfind("--function=", 0) == 0) {
      function = rest[i].substr(11);
      rest.erase(rest.begin() + i);
      return;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "runs") return tsr::runs::runs_main(argc - 1, argv + 1);
  CLI::App app{"tsr: run Tessera scripts, compiled to native code by LLVM", "tsr"};
  app.footer("tsr runs [compare A B ... | report [RUNS...] [-o FILE]]: the runs Learn records in runs/ (tsr runs --help)");
  app.set_version_flag("--version", [] {
    const auto& t = tsr::jit::host_target();
    return "tsr 0.1.0 (LLVM " + t.llvm_version + ", " + t.triple + ", " + t.cpu + ")";
  });
  std::string emit, code;
  std::vector<std::string> stages{"ast", "ir", "llvm", "ptx", "cuda"};
  for (const tsr::jit::PassInfo* p = tsr::jit::passes_begin(); p != tsr::jit::passes_end(); ++p) stages.push_back(p->name);
  app.add_option("--emit", emit,
                 "print what a stage made: ast (and stop), or a compiler pass (" + tsr::jit::pass_names() +
                     "); ir = infer (typed IR), llvm = optimize (optimized LLVM IR); ptx, cuda: each kernel's device code "
                     "(LLVM NVPTX, or CUDA C++ for NVRTC) as it is first launched")
      ->check(CLI::IsMember(stages));
  std::string stop_after;
  app.add_option("--stop-after", stop_after, "compile through this pass and run nothing (" + tsr::jit::pass_names() + ")")
      ->check(CLI::IsMember(std::vector<std::string>(stages.begin() + 5, stages.end())));
  app.add_option("-e,--eval", code, "run this code");
  std::string function;
  app.add_option("--function", function, "with --emit: show only this function's methods or specializations");
  bool no_cache = false;
  app.add_flag("--no-cache", no_cache, "neither read nor write the on-disk compile cache");
  std::string device;
  app.add_option("--device", device, "the default device: cpu, or gpu (TSR_DEVICE gives it too)")->check(CLI::IsMember({"cpu", "gpu"}));
  std::vector<std::string> rest;
  app.add_option("script", rest, "run SCRIPT [args...] (`run` may be written first)");
  // `run` may also come first, before tsr's options (`tsr run --device=gpu FILE`, as
  // LANGUAGE.md writes it).
  std::vector<char*> words(argv, argv + argc);
  if (words.size() > 1 && std::string(words[1]) == "run") words.erase(words.begin() + 1);
  argc = static_cast<int>(words.size());
  argv = words.data();
  // Everything from the script on belongs to the script (ARGS), options included: only the
  // words before it are tsr's own.
  int own = 1;
  while (own < argc) {
    std::string a = argv[own];
    if (a == "-e" || a == "--eval" || a == "--emit" || a == "--function" || a == "--stop-after" || a == "--device") own += 2;
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
  if (!emit.empty()) take_function_option(rest, function);
  if (!function.empty() && emit.empty()) {
    std::fputs("tsr: --function chooses what --emit=ast|PASS shows; give --emit too\n", stderr);
    return 2;
  }
  bool repl = code.empty() && rest.empty();
  if (emit == "ast") {
    if (rest.empty()) {
      std::fputs("tsr: --emit=ast needs a file\n", stderr);
      return 2;
    }
    return emit_ast(rest[0], function);
  }
  if (int rc = check_device(device)) return rc;
  tsr::Driver driver;
  driver.compiler().options().use_cache = !no_cache;
  if (int rc = driver.load_base()) return rc;
  auto& options = driver.compiler().options();
  if (emit == "ptx" || emit == "cuda") options.device_emit = emit;
  else if (!emit.empty()) options.emit = tsr::jit::pass_named(emit == "ir" ? "infer" : emit == "llvm" ? "optimize" : emit);
  if (!stop_after.empty()) options.stop_after = tsr::jit::pass_named(stop_after);
  options.dump_only = function;
  // Julia's PROGRAM_FILE: the script as named on the command line ("" for -e and the prompt);
  // a tracked run records the git state of the folder holding it.
  std::string program_file = repl || !code.empty() ? "" : rest[0];
  driver.runtime().globals().set_global("PROGRAM_FILE", driver.runtime().string(program_file), true);
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
  if (rc == 0 && !function.empty() && driver.compiler().shown_count() == 0) {
    // Nothing of it was compiled: say whether the name is unknown or only never called.
    const tsr::GenericFunction* f = driver.runtime().globals().find_function(function);
    if (f && !f->methods().empty())
      std::fprintf(stderr, "tsr: --function %s: `%s` has %zu method(s) but the program never called it, so no "
                   "specialization was compiled (try --emit=ast)\n", function.c_str(), function.c_str(), f->methods().size());
    else
      std::fprintf(stderr, "tsr: --function %s: no function is named `%s`\n", function.c_str(), function.c_str());
    return 2;
  }
  return rc;
}
