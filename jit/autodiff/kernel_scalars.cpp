// An adjoint kernel's arithmetic: the partials of a call on floats computed in place in the
// reverse sweep, from its kept arguments and result, instead of a pullback closure per work
// item (reverser.hpp, fwd_scalar_call).
#include "jit/autodiff/reverser.hpp"

#include <set>

#include "jit/compiler.hpp"
#include "runtime/errors.hpp"

namespace tsr::jit {

namespace {

// The calls rev_scalar_call differentiates, with their arities (stdlib/Autodiff.tsr has a
// _kd1 (and for two arguments a _kd2) method for each).
bool scalar_rule(const std::string& f, size_t nargs) {
  static const std::set<std::string> unary{"exp", "log", "sqrt", "sin", "cos", "tanh", "abs"};
  static const std::set<std::string> binary{"*", "/", "^", "max", "min"};
  if (f == "+" || f == "-") return nargs == 1 || nargs == 2;
  return (nargs == 1 && unary.count(f)) || (nargs == 2 && binary.count(f));
}

bool is_float(const Type* t, TypeRegistry& r) { return t == r.Float64 || t == r.Float32; }
bool is_int(const Type* t, TypeRegistry& r) { return t == r.Int64 || t == r.Int32; }

}  // namespace

Node* Reverser::fwd_scalar_call(const Node* n) {
  if (n->op != Op::Call || n->kids.empty() || n->kids[0]->op != Op::Global || !n->kwnames.empty() || n->vararg_at >= 0) return nullptr;
  const std::string& f = n->kids[0]->name;
  size_t nargs = n->kids.size() - 1;
  if (!scalar_rule(f, nargs)) return nullptr;
  TypeRegistry& types = g_.types();
  if (!is_float(type_of(n), types)) return nullptr;
  std::vector<const Type*> argtypes{type_of(n->kids[0])};
  for (size_t i = 1; i <= nargs; ++i) {
    const Type* t = type_of(n->kids[i]);
    bool exponent = f == "^" && i == 2;
    if (!(exponent ? is_int(t, types) : is_float(t, types) || (!active(n->kids[i]) && is_int(t, types)))) return nullptr;
    argtypes.push_back(t);
  }
  if (!argtypes[0]) return nullptr;
  // Only where the rule that applies is the stdlib's (a user's own rule is called as such).
  GenericFunction* rrule = g_.find_function("rrule");
  if (!rrule) return nullptr;
  try {
    const Method* m = rrule->which(argtypes);
    if (!m || m->location.find("stdlib/Autodiff.tsr:") == std::string::npos) return nullptr;
  } catch (const Error&) {
    return nullptr;
  }
  IRBuild ir{*d_, g_, n->loc};
  std::vector<Node*> stmts;
  std::vector<Node*> args;
  ScalarSite site;
  for (size_t i = 1; i <= nargs; ++i) {
    int x = ir.new_slot("#x" + std::to_string(next_++));
    stmts.push_back(ir.set(x, fwd(n->kids[i])));
    ir.loc = n->loc;
    site.args.push_back(x);
    args.push_back(ir.slot(x));
  }
  site.result = ir.new_slot("#z" + std::to_string(next_++));
  Node* call = clone_node(n);
  call->kids.push_back(copy(n->kids[0]));
  for (Node* x : args) call->kids.push_back(x);
  stmts.push_back(ir.set(site.result, call));
  stmts.push_back(ir.slot(site.result));
  scalar_sites_[n] = std::move(site);
  return ir.block(stmts);
}

void Reverser::rev_scalar_call(const Node* n, int a, std::vector<Node*>& out) {
  IRBuild ir{rb(), g_, n->loc};
  const ScalarSite& site = scalar_sites_.at(n);
  size_t nargs = n->kids.size() - 1;
  for (size_t i = nargs; i >= 1; --i) {
    const Node* k = n->kids[i];
    if (!active(k)) continue;
    int gi = -1;
    if (a >= 0) {
      gi = temp(ir);
      std::vector<Node*> call_args{ir.fn(n->kids[0]->name), ir.slot(a), ir.slot(site.result)};
      for (int v : site.args) call_args.push_back(ir.slot(v));
      out.push_back(ir.set(gi, ir.call(i == 1 ? "_kpart1" : "_kpart2", call_args)));
    }
    rev(k, gi, out);
  }
}

}  // namespace tsr::jit
