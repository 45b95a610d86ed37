// Driver: modules (`module M ... end`), `using`, `import` and `export` (see dsl/modules.hpp).
#include <filesystem>

#include "dsl/driver/driver.hpp"
#include "dsl/lower.hpp"
#include "dsl/syntax/parser.hpp"

namespace tsr {

std::string stdlib_dir();
const std::vector<std::string>& base_files();  // driver.cpp: what load_base runs, in order

namespace {

using syntax::Node;
using syntax::NodeKind;

[[noreturn]] void fail_at(const syntax::SourceFile& src, const Node& at, const std::string& message) {
  throw LoweringError(syntax::make_diagnostic(src, at.span, syntax::Severity::Error, message));
}

// A path's names (`M.N` is {"M", "N"}) and leading dots.
std::vector<std::string> path_names(const Node& path, int* dots) {
  std::vector<std::string> out;
  const Node* at = &path;
  while (at->kind == NodeKind::FieldAccess) {
    out.insert(out.begin(), at->child(1).text);
    at = &at->child(0);
  }
  out.insert(out.begin(), at->text);
  *dots = static_cast<int>(at->int_value);
  return out;
}

// The names a module's body defines, found before it runs so that its functions may use
// names defined after them. Names it imports by name (`import Base: show`) are not its own.
void scan_definitions(const Node& body, std::set<std::string>& out) {
  std::set<std::string> imported;
  for (const auto& k : body.children) {
    if ((k->kind == NodeKind::Import || k->kind == NodeKind::Using) && k->text == ":")
      for (size_t i = 1; i < k->size(); ++i) imported.insert(k->child(i).text);
    if (k->kind == NodeKind::Import && k->text != ":")
      for (const auto& p : k->children)
        if (p->kind == NodeKind::FieldAccess) imported.insert(p->child(1).text);
  }
  auto add = [&](const Node& name) {
    if (name.kind == NodeKind::Identifier && !imported.count(name.text)) out.insert(name.text);
  };
  for (const auto& k : body.children) {
    const Node* s = k.get();
    if (s->kind == NodeKind::MacroCall && s->text == "@kernel" && s->size() == 1) s = &s->child(0);
    if (s->kind == NodeKind::Const && s->size() == 1) s = &s->child(0);
    switch (s->kind) {
      case NodeKind::FunctionDef: add(s->child(syntax::function_slot::name)); break;
      case NodeKind::StructDef:
      case NodeKind::AbstractTypeDef:
      case NodeKind::SemanticDef: add(s->child(0)); break;
      case NodeKind::Assign: {
        const Node* lhs = &s->child(0);
        if (lhs->kind == NodeKind::TypeAssert) lhs = &lhs->child(0);
        add(*lhs);
        break;
      }
      default: break;
    }
  }
}

}  // namespace

int Driver::run_module(const Node& def, Lowering& lower) {
  const syntax::SourceFile& src = lower.file();
  const Node& name = def.child(0);
  if (name.kind != NodeKind::Identifier) fail_at(src, name, "expected a module name");
  bool stdlib = !loading_stdlib_.empty() && loading_stdlib_ == name.text && current_ == &modules_.main();
  Module* m = modules_.define(*current_, name.text, stdlib);
  if (!m) fail_at(src, name, "module " + name.text + " is already defined (redefining a module is not supported)");
  scan_definitions(def.child(1), m->defined);
  scan_included_definitions(def.child(1), dirs_.empty() ? std::string() : dirs_.back(), m->defined);
  Module* saved = current_;
  current_ = m;
  lower.set_module(m);
  int rc = run_statements(def.child(1), lower, nullptr);
  current_ = saved;
  lower.set_module(saved);
  return rc;
}

// The names that files included with a literal path (`include("NN/dense.tsr")`) define
// belong to the module too, and must be known before the module's functions are lowered, as
// those of its own body are; files that cannot be read now are left to include to report.
void Driver::scan_included_definitions(const Node& body, const std::string& dir, std::set<std::string>& out) {
  for (const auto& k : body.children) {
    const Node& s = *k;
    if (s.kind != NodeKind::Call || s.size() != 2 || s.child(0).kind != NodeKind::Identifier ||
        s.child(0).text != "include" || s.child(1).kind != NodeKind::String)
      continue;
    std::filesystem::path p(s.child(1).text);
    std::string path = p.is_absolute() || dir.empty() ? p.string() : (std::filesystem::path(dir) / p).string();
    std::string err;
    auto file = syntax::SourceFile::load(path, &err);
    if (!file) continue;
    syntax::ParseResult parsed = syntax::parse(*file);
    if (!parsed.ok()) continue;
    scan_definitions(*parsed.root, out);
    scan_included_definitions(*parsed.root, std::filesystem::path(path).parent_path().string(), out);
  }
}

Module* Driver::load_stdlib(const Node& at, const std::string& name, Lowering& lower) {
  if (Module* m = modules_.stdlib(name)) return m;
  std::string path = stdlib_dir() + "/" + name + ".tsr";
  if (!std::filesystem::exists(path)) return nullptr;
  // A file of Base (stdlib/Autodiff.tsr) is loaded at start into Main, not as a module.
  for (const std::string& f : base_files())
    if (f == name + ".tsr")
      fail_at(lower.file(), at, name + " is part of Base (stdlib/" + name + ".tsr, loaded at start): its names need no `using`");
  // A stdlib module is a top-level module whatever module asked for it.
  Module* saved = current_;
  std::string saved_loading = loading_stdlib_;
  current_ = &modules_.main();
  loading_stdlib_ = name;
  int rc = run_file(path, nullptr, "stdlib/" + name + ".tsr");
  current_ = saved;
  loading_stdlib_ = saved_loading;
  if (rc != 0) {
    report_uncaught();
    fail_at(lower.file(), at, "module " + name + " failed to load (stdlib/" + name + ".tsr)");
  }
  Module* m = modules_.stdlib(name);
  if (!m) fail_at(lower.file(), at, "stdlib/" + name + ".tsr does not define module " + name);
  return m;
}

void Driver::run_using(const Node& s, Lowering& lower) {
  const syntax::SourceFile& src = lower.file();
  Module& here = *current_;
  if (s.kind == NodeKind::Export) {
    for (const auto& n : s.children) here.exports.insert(n->text);
    return;
  }
  bool is_import = s.kind == NodeKind::Import;
  // The module a path names, loading a stdlib module on first use.
  auto module_of = [&](const Node& path) -> Module* {
    int dots = 0;
    std::vector<std::string> names = path_names(path, &dots);
    if (Module* m = modules_.find(here, names, dots)) return m;
    if (dots == 0 && names.size() == 1)
      if (Module* m = load_stdlib(path, names[0], lower)) return m;
    return nullptr;
  };
  auto no_module = [&](const Node& path) {
    int dots = 0;
    std::vector<std::string> names = path_names(path, &dots);
    std::string shown = std::string(src.slice(path.span));
    std::string where = dots > 0 ? "the modules of " + here.full_name()
                                 : "the modules defined in " + here.full_name() + " and stdlib/ (no stdlib/" + names[0] + ".tsr)";
    fail_at(src, path, "no module " + shown + ": looked in " + where);
  };
  auto bind = [&](const Node& at, const Module& from, const std::string& name, bool extendable) {
    std::string error;
    modules_.bind(here, from, name, extendable, &error);
    if (!error.empty()) fail_at(src, at, error);
    // A type Main now sees by its bare name prints that way (Julia's rule).
    std::string flat = modules_.resolve(from, name);
    if (&here == &modules_.main() && flat != name)
      if (const Type* t = rt_.types().lookup(flat))
        if (auto dt = as_datatype(unwrap_unionall(t)); dt && dt->name->name == flat)
          const_cast<TypeName*>(dt->name)->shown = name;
  };
  if (s.text == ":") {
    // using M: f, g / import M: f, g
    Module* m = module_of(s.child(0));
    if (!m) no_module(s.child(0));
    for (size_t i = 1; i < s.size(); ++i) {
      const std::string& name = s.child(i).text;
      std::string flat = modules_.resolve(*m, name);
      if (!m->defined.count(name) && !m->imported.count(name) && !(modules_.exists && modules_.exists(flat)))
        fail_at(src, s.child(i), "`" + name + "` is not defined in module " + m->full_name());
      bind(s.child(i), *m, name, is_import);
    }
    return;
  }
  for (const auto& p : s.children) {
    Module* m = module_of(*p);
    if (!m && is_import && p->kind == NodeKind::FieldAccess) {
      // import M.f: one name, which definitions here may add methods to.
      Module* owner = module_of(p->child(0));
      if (!owner) no_module(p->child(0));
      bind(p->child(1), *owner, p->child(1).text, true);
      continue;
    }
    if (!m) no_module(*p);
    if (m->name == "Base" || m == &modules_.main()) continue;  // always visible
    here.modules[m->name] = m;
    if (is_import) continue;  // import M: only the name M
    for (const std::string& name : m->exports) bind(*p, *m, name, false);
  }
}

}  // namespace tsr
