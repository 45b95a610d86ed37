#include "dsl/driver/driver.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "dsl/lower.hpp"
#include "dsl/lower_support.hpp"
#include "dsl/syntax/parser.hpp"
#include "jit/abi.hpp"
#include "jit/builtins.hpp"

namespace tsr {

Driver::Driver() : compiler_(rt_.globals()), current_(&modules_.main()) {
  modules_.exists = [this](const std::string& name) {
    Globals& g = rt_.globals();
    return g.find_function(name) || g.global(name) || rt_.types().lookup(name);
  };
  jit::register_builtins(rt_.globals());
  compiler_.register_launch();
  compiler_.register_broadcast();
  compiler_.register_autodiff();
  // Cached code names its types by their text; reading them back is the front end's job.
  compiler_.set_type_parser([this](const std::string& text) { return parse_type(rt_.types(), text); });
  // include(path) as an expression gives the file's last value, as Julia's does.
  rt_.method("include", [this](const std::string& name) {
    Value last;
    std::string path = resolve_include(name);
    int rc = run_file(path, &last, shown_path(path));
    if (rc == 1 && tsr_pending) jit::rethrow_pending();
    if (rc != 0) throw ErrorException("include(\"" + name + "\") failed");
    return last.defined() ? last : rt_.nothing();
  });
}

Driver::~Driver() = default;

std::string stdlib_dir() {
  const char* dir = std::getenv("TSR_STDLIB");
  return dir && *dir ? dir : TSR_STDLIB_DIR;
}

const std::vector<std::string>& base_files() {
  static const std::vector<std::string> files = {
      "Base.tsr",   "Collections.tsr", "DataTypes.tsr", "Numbers.tsr",     "Ranges.tsr",
      "Strings.tsr", "Tensors.tsr",    "Matmul.tsr",    "ConvGrad.tsr",    "ConvDw.tsr",
      "GPU.tsr",    "StatsLinalg.tsr", "Concat.tsr",    "Autodiff.tsr",    "AutodiffBroadcast.tsr",
      "Iterators.tsr", "Files.tsr"};
  return files;
}

int Driver::load_base() {
  for (const std::string& file : base_files()) {
    std::string path = stdlib_dir() + "/" + file;
    if (int rc = run_file(path, nullptr, std::string("stdlib/") + file)) {
      report_uncaught();
      std::fprintf(stderr, "tsr: the standard library (%s) failed to load\n", path.c_str());
      return rc;
    }
  }
  return 0;
}

void Driver::set_args(const std::vector<std::string>& args) {
  std::vector<Value> xs;
  for (const std::string& a : args) xs.push_back(rt_.string(a));
  TypeRegistry& t = rt_.types();
  const Type* ps[] = {t.String};
  auto* obj = new StructObject();
  obj->fields = std::move(xs);
  rt_.globals().set_global("ARGS", Value::from_object(as_datatype(t.instantiate(t.lookup("Vector"), ps)), obj), true);
}

void Driver::check_up_front(const syntax::SourceFile& src, const syntax::Node& root, const std::string& dir,
                            std::set<std::string>& seen, std::string& report) {
  std::vector<const syntax::Node*> includes;
  for (const auto& d : check_support(src, root, &includes)) report += d.render();
  // Files included with a literal path, as far as they can be read now (include itself says
  // so when it runs otherwise); their syntax errors count too.
  for (const syntax::Node* inc : includes) {
    std::filesystem::path p(inc->child(1).text);
    std::string path = p.is_absolute() || dir.empty() ? p.string() : (std::filesystem::path(dir) / p).string();
    if (!seen.insert(path).second) continue;
    std::string err;
    auto file = syntax::SourceFile::load(path, &err);
    if (!file) continue;
    syntax::ParseResult parsed = syntax::parse(*file);
    for (const auto& d : parsed.diagnostics) report += d.render();
    if (parsed.ok()) check_up_front(*file, *parsed.root, std::filesystem::path(path).parent_path().string(), seen, report);
  }
}

// How messages name a file: one of the standard library's as `stdlib/NN/dense.tsr` (as the
// files `using` loads are named), so that errors and stack traces read the same on every
// machine; any other as given.
std::string Driver::shown_path(const std::string& path) const {
  std::error_code ec;
  auto rel = std::filesystem::relative(std::filesystem::weakly_canonical(path, ec),
                                       std::filesystem::weakly_canonical(stdlib_dir(), ec), ec);
  if (ec || rel.empty() || rel.native().rfind("..", 0) == 0) return path;
  return "stdlib/" + rel.string();
}

std::string Driver::resolve_include(const std::string& name) const {
  std::filesystem::path p(name);
  if (p.is_absolute() || dirs_.empty()) return p.string();
  return (std::filesystem::path(dirs_.back()) / p).string();
}

int Driver::run_file(const std::string& path, Value* last, const std::string& shown_as) {
  std::string err;
  auto file = syntax::SourceFile::load(path, &err);
  if (!file) {
    std::fflush(stdout);
    std::fprintf(stderr, "tsr: cannot read %s: %s\n", path.c_str(), err.c_str());
    return 2;
  }
  paths_.push_back(std::make_unique<std::string>(shown_as.empty() ? path : shown_as));
  sources_.push_back(std::make_unique<syntax::SourceFile>(std::move(*file)));
  dirs_.push_back(std::filesystem::path(path).parent_path().string());
  int rc = run(*sources_.back(), paths_.back().get(), last);
  dirs_.pop_back();
  return rc;
}

int Driver::run_source(const std::string& name, std::string text, Value* last) {
  paths_.push_back(std::make_unique<std::string>(name));
  sources_.push_back(std::make_unique<syntax::SourceFile>(name, std::move(text)));
  dirs_.push_back(std::filesystem::current_path().string());
  int rc = run(*sources_.back(), paths_.back().get(), last);
  dirs_.pop_back();
  return rc;
}

int Driver::run(const syntax::SourceFile& src, const std::string* path, Value* last) {
  syntax::ParseResult parsed = syntax::parse(src);
  if (!parsed.ok()) {
    std::fflush(stdout);
    for (const auto& d : parsed.diagnostics) std::fputs(d.render().c_str(), stderr);
    return 2;
  }
  // What the lowering cannot do is reported before any statement runs, as syntax errors are.
  std::string unsupported_report;
  std::set<std::string> seen;
  check_up_front(src, *parsed.root, dirs_.empty() ? std::string() : dirs_.back(), seen, unsupported_report);
  if (!unsupported_report.empty()) {
    std::fflush(stdout);
    std::fputs(unsupported_report.c_str(), stderr);
    return 2;
  }
  Lowering lower(compiler_, src, path, &modules_, current_);
  return run_statements(*parsed.root, lower, last);
}

int Driver::run_statements(const syntax::Node& block, Lowering& lower, Value* last) {
  std::vector<const syntax::Node*> pending;
  // A run of ordinary statements, compiled and run together.
  auto flush = [&]() -> int {
    if (pending.empty()) return 0;
    auto body = lower.lower_toplevel(pending);
    pending.clear();
    Value result;
    if (!compiler_.run_thunk(std::move(body), &result)) return 1;
    if (last) *last = result;
    return 0;
  };
  try {
    for (const auto& stmt : block.children) {
      using syntax::NodeKind;
      const syntax::Node& s = *stmt;
      if (s.kind == NodeKind::FunctionDef || s.kind == NodeKind::StructDef || s.kind == NodeKind::AbstractTypeDef ||
          s.kind == NodeKind::SemanticDef) {
        if (int rc = flush()) return rc;
        if (s.kind == NodeKind::FunctionDef) lower.define_function(s);
        else lower.define_type(s);
        if (last) *last = defined_value(s);
      } else if (s.kind == NodeKind::MacroCall && s.text == "@kernel") {
        if (int rc = flush()) return rc;
        lower.define_kernel(s);
      } else if (s.kind == NodeKind::Module) {
        if (int rc = flush()) return rc;
        if (int rc = run_module(s, lower)) return rc;
        if (last) *last = rt_.nothing();
      } else if (s.kind == NodeKind::Using || s.kind == NodeKind::Import || s.kind == NodeKind::Export) {
        if (int rc = flush()) return rc;
        run_using(s, lower);
      } else if (s.kind == NodeKind::Call && s.child(0).kind == NodeKind::Identifier && s.child(0).text == "include") {
        // Alone, so that what the file defines is known to the statements after it.
        if (int rc = flush()) return rc;
        pending.push_back(&s);
        if (int rc = flush()) return rc;
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

// What a definition evaluates to, as in Julia: a function definition gives the function
// (the REPL shows `f (generic function with 1 method)`), a type definition nothing.
Value Driver::defined_value(const syntax::Node& def) {
  const syntax::Node& name = defined_name(def);
  if (def.kind == syntax::NodeKind::FunctionDef && name.kind == syntax::NodeKind::Identifier)
    if (GenericFunction* f = rt_.globals().find_function(name.text))
      return Value::from_function(f->type(), f);
  return rt_.nothing();
}

void Driver::report_uncaught() {
  if (!tsr_pending) return;
  std::fflush(stdout);
  jit::ErrorState& s = jit::error_state();
  std::string text = "ERROR: " + jit::describe_exception(s.exception) + "\nStacktrace:\n";
  // A frame repeated many times in a row (deep recursion) is shown once, with its count.
  size_t shown = 0;
  for (size_t i = 0; i < s.frames.size();) {
    size_t j = i;
    while (j < s.frames.size() && s.frames[j] == s.frames[i]) ++j;
    text += " [" + std::to_string(++shown) + "] " + s.frames[i] +
            (j - i > 2 ? " (repeated " + std::to_string(j - i) + " times)" : "") + "\n";
    if (j - i <= 2) j = i + 1;
    i = j;
  }
  std::fputs(text.c_str(), stderr);
  tsr_pending = 0;
}

}  // namespace tsr
