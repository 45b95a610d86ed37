// TSR_CHECK_KERNELS=1: when a kernel is launched for the first time with some argument types,
// standard error gets one line naming it, then one line for every call in it (or in the
// functions it calls statically) that inference left dynamic, i.e. every call that `tsr
// --emit=ir` marks [dynamic]. Such a call dispatches at run time under the runtime's lock, in
// every work item: tests/jit/kernels_static.sh fails when a stdlib or example kernel has one.
#include <cstdio>
#include <cstdlib>
#include <set>
#include <vector>

#include "jit/compiler.hpp"
#include "runtime/type_printer.hpp"

namespace tsr::jit {

namespace {

std::string where(const SrcLoc& loc) {
  std::string file = loc.file ? *loc.file : "?";
  if (auto slash = file.rfind('/'); slash != std::string::npos) file = file.substr(slash + 1);
  return file + ":" + std::to_string(loc.line);
}

std::string describe_call(const Body& b, const Node* n) {
  const Node* callee = n->kids[0];
  std::string name = callee->op == Op::Global ? callee->name : callee->op == Op::Slot ? b.slots[callee->slot].name : "(a value)";
  name += "(";
  for (size_t i = 1; i < n->kids.size(); ++i)
    name += (i > 1 ? ", ::" : "::") + (n->kids[i]->type ? show_type(n->kids[i]->type) : std::string("?"));
  if (!n->kwnames.empty()) name += "; keywords";
  return name + ")";
}

}  // namespace

bool kernel_check_enabled() {
  static const bool on = [] {
    const char* v = std::getenv("TSR_CHECK_KERNELS");
    return v && *v && std::string(v) != "0";
  }();
  return on;
}

void Compiler::check_kernel(const Spec& kernel) {
  if (!kernel_check_enabled() || !checked_kernels_.insert(&kernel).second) return;
  std::string sig;
  size_t shown = kernel.argtypes.size() >= 6 ? kernel.argtypes.size() - 6 : 0;  // not the hidden index arguments
  for (size_t i = 0; i < shown; ++i) sig += (i ? ", ::" : "::") + show_type(kernel.argtypes[i]);
  std::fprintf(stderr, "kernel %s(%s) at %s\n", kernel.body->name.c_str(), sig.c_str(), where(kernel.body->loc).c_str());
  std::set<const Spec*> seen{&kernel};
  std::vector<const Spec*> todo{&kernel};
  while (!todo.empty()) {
    const Spec* s = todo.back();
    todo.pop_back();
    for (const auto& n : s->body->pool) {
      if (n->op != Op::Call) continue;
      if (n->spec && seen.insert(n->spec).second) todo.push_back(n->spec);
      bool reached = n->type && n->type->kind != TypeKind::Bottom;
      if (n->bind != Bind::Dynamic || !reached) continue;
      std::string in = s == &kernel ? "" : " (in " + s->body->name + ")";
      std::fprintf(stderr, "  dynamic call at %s%s: %s\n", where(n->loc).c_str(), in.c_str(), describe_call(*s->body, n.get()).c_str());
    }
  }
}

}  // namespace tsr::jit
