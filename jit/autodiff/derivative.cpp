// The derivative of a call: which pullback `_pullback(f, args...)` runs, for concrete types.
//
// In order: an `rrule` method that applies (the user's or the stdlib's; the catch-all
// `rrule(f, args...) = nothing` of stdlib/Autodiff.tsr means "none"), else the derived
// pullback of the Tessera method the call dispatches to (jit/autodiff/reverse.cpp), else, for
// a type with no constructor of its own, the default constructor's (the struct's gradient is a
// named tuple of its fields), else an error saying why and how to fix it (write an rrule).
// Each is the body of a method of the hidden function `#pullback`, one per concrete
// signature, specialized and compiled like any other: the derivative of a specialization is
// itself a specialization.
#include <algorithm>
#include <cstdio>

#include "jit/abi.hpp"
#include "jit/autodiff/ir_build.hpp"
#include "jit/builtin_registrar.hpp"
#include "jit/autodiff/reverse.hpp"
#include "jit/compiler.hpp"
#include "runtime/errors.hpp"
#include "runtime/type_printer.hpp"

namespace tsr::jit {

// The built-ins of gradient values (gradient_values.cpp).
void register_autodiff_builtins(Registrar& r);

namespace {

// The concrete type that the default constructor of a parametric struct makes from these
// arguments (`P(w)` of `struct P{A}; a::A; end` is a P{typeof(w)}), as Julia's: each
// parameter bound by the field declared as exactly that parameter. Null when the fields do
// not determine every parameter, or give one two different types.
const DataType* default_construction_type(TypeRegistry& t, const Type* wrapper, const std::vector<const Type*>& argtypes) {
  auto body = as_datatype(unwrap_unionall(wrapper));
  if (!body || body->name->wrapper != wrapper || body->name->payload != Payload::Object || body->name->is_tuple) return nullptr;
  const TypeName* n = body->name;
  if (n->field_types.size() + 1 != argtypes.size() || n->params.empty()) return nullptr;
  std::vector<const Type*> binds(n->params.size(), nullptr);
  for (size_t i = 0; i < n->field_types.size(); ++i)
    for (size_t j = 0; j < n->params.size(); ++j) {
      if (n->field_types[i] != n->params[j]) continue;
      if (binds[j] && binds[j] != argtypes[i + 1]) return nullptr;
      binds[j] = argtypes[i + 1];
    }
  for (const Type* b : binds)
    if (!b) return nullptr;
  try {
    auto dt = as_datatype(t.instantiate(wrapper, binds));
    return dt && dt->is_concrete ? dt : nullptr;
  } catch (const Error&) {
    return nullptr;
  }
}

// Where synthetic derivative bodies say they are (frames, error sites).
const std::string kSynthetic = "(derivative)";
const SrcLoc kSyntheticLoc{&kSynthetic, 0, 0};

std::string show_call(const GenericFunction* f, const std::vector<const Type*>& args, size_t from) {
  std::string s = f ? f->name() : "?";
  s += "(";
  for (size_t i = from; i < args.size(); ++i) s += (i > from ? ", ::" : "::") + show_type(args[i]);
  return s + ")";
}

// A body with arguments (#f, a1, ..., an) whose slots the synthetic derivatives fill in.
std::unique_ptr<Body> signature_body(const std::string& name, size_t nargs, SrcLoc loc) {
  auto b = std::make_unique<Body>();
  b->name = name;
  b->loc = loc;
  for (size_t i = 0; i < nargs; ++i) {
    SlotInfo s;
    s.name = i == 0 ? "#f" : "#x" + std::to_string(i);
    s.is_arg = true;
    b->slots.push_back(s);
  }
  b->nargs = nargs;
  return b;
}

// A pullback closure's body: (#self#, dy).
std::unique_ptr<Body> back_body(const std::string& name) {
  auto b = signature_body(name, 2, kSyntheticLoc);
  b->slots[0].name = "#self#";
  b->slots[1].name = "dy";
  return b;
}

// kw...: a synthetic body takes whatever keywords its call gave, as a named tuple (an empty
// one when called with none, as lowering makes for `kw...`). Returns the slot.
int take_any_keywords(Body& b, IRBuild& ir, TypeRegistry& t) {
  int kw = ir.new_slot("kw");
  b.kwargs.push_back("kw");
  b.kwtypes.push_back(t.Any);
  b.kwdefaults.push_back(ir.call(ir.type(t.named_tuple({})->wrapper), {}));
  b.kwrest = true;
  return kw;
}

}  // namespace

// back(dy) for a rule: the rule's pullback gives the arguments' gradients; the function's
// own (nothing) goes first, as derived pullbacks give it. _rule_pb (stdlib/Autodiff.tsr) calls
// the rule's pullback, evaluating a thunked dy unless that pullback takes it as it is.
const Type* Compiler::rule_back_type() {
  if (rule_back_) return rule_back_;
  auto b = back_body("#rule_back");
  IRBuild ir{*b, globals_, kSyntheticLoc};
  int back = ir.new_slot("back");
  b->capture_slots.push_back(back);
  b->root = ir.call("_prepend_nothing", {ir.call("_rule_pb", {ir.slot(back), ir.slot(1)})});
  rule_back_ = add_closure_type(std::move(b), {"back"});
  return rule_back_;
}

std::unique_ptr<Body> Compiler::rule_pullback_body(size_t nargs, bool keywords) {
  SrcLoc loc = kSyntheticLoc;
  auto b = signature_body("rrule", nargs, loc);
  IRBuild ir{*b, globals_, loc};
  int kw = keywords ? take_any_keywords(*b, ir, types()) : -1;  // passed on to the rule
  int r = ir.new_slot("#r");
  std::vector<Node*> args;
  for (size_t i = 0; i < nargs; ++i) args.push_back(ir.slot(static_cast<int>(i)));
  Node* rule = keywords ? ir.call("__kwcall", {ir.fn("rrule"), ir.tuple(args), ir.slot(kw)}) : ir.call("rrule", args);
  Node* lambda = ir.node(Op::Lambda, {ir.get(ir.slot(r), 2)});
  lambda->type_arg = rule_back_type();
  b->root = ir.block({ir.set(r, rule), ir.tuple({ir.get(ir.slot(r), 1), lambda})});
  return b;
}

// T(a1, ..., an) of a struct with those fields: back(dy) gives each field's gradient.
std::unique_ptr<Body> Compiler::constructor_pullback_body(const DataType* t, size_t nargs) {
  SrcLoc loc = kSyntheticLoc;
  auto back = back_body("#construct_back");
  {
    IRBuild ir{*back, globals_, loc};
    std::vector<Node*> grads{ir.nothing()};  // the type's own
    for (const std::string& f : t->name->field_names) grads.push_back(ir.call("_grad_field", {ir.call("unthunk", {ir.slot(1)}), ir.symbol(f)}));
    back->root = ir.tuple(grads);
  }
  const Type* back_t = add_closure_type(std::move(back), {});
  auto b = signature_body(show_type(t), nargs, loc);
  IRBuild ir{*b, globals_, loc};
  std::vector<Node*> args;
  for (size_t i = 1; i < nargs; ++i) args.push_back(ir.slot(static_cast<int>(i)));
  Node* lambda = ir.node(Op::Lambda);
  lambda->type_arg = back_t;
  b->root = ir.tuple({ir.call(ir.slot(0), args), lambda});
  return b;
}

// f(args...) where nothing carries a gradient (integers, strings, a comparison's operands):
// the value, and a pullback that gives none.
std::unique_ptr<Body> Compiler::constant_pullback_body(size_t nargs, bool keywords) {
  SrcLoc loc = kSyntheticLoc;
  auto back = back_body("#constant_back");
  {
    IRBuild ir{*back, globals_, loc};
    back->root = ir.nothing();
  }
  const Type* back_t = add_closure_type(std::move(back), {});
  auto b = signature_body("#constant", nargs, loc);
  IRBuild ir{*b, globals_, loc};
  std::vector<Node*> args;
  for (size_t i = 1; i < nargs; ++i) args.push_back(ir.slot(static_cast<int>(i)));
  Node* call = keywords ? ir.call("__kwcall", {ir.slot(0), ir.tuple(args), ir.slot(take_any_keywords(*b, ir, types()))})
                        : ir.call(ir.slot(0), args);
  Node* lambda = ir.node(Op::Lambda);
  lambda->type_arg = back_t;
  b->root = ir.tuple({call, lambda});
  return b;
}

// launch(k, ndrange, x1, ..., xn): the forward launch, after keeping a copy of each tensor the
// kernel reads (the adjoint recomputes each work item from them, and later code may change
// them); its pullback (_LaunchBack, stdlib/Autodiff.tsr) launches k's adjoint kernel.
std::unique_ptr<Body> Compiler::launch_pullback_body(GenericFunction* k, const std::vector<const Type*>& callargs,
                                                     bool keywords,
                                                     std::vector<std::pair<const GenericFunction*, uint64_t>>& assumed) {
  size_t nargs = callargs.size() + 1;  // #f (launch), k, ndrange, x1..xn
  std::vector<const Type*> kargs(callargs.begin() + 2, callargs.end());
  std::vector<const Type*> full = kargs;
  full.insert(full.end(), kKernelIndexArgCount, types().Int64);
  assumed.emplace_back(k, k->epoch());
  const Method* m = nullptr;
  try {
    m = k->which(full);
  } catch (const Error& e) {
    return refused_pullback_body(nargs, e.what());
  }
  const MethodDef* def = tessera_def(m);
  if (!def) return refused_pullback_body(nargs, "the kernel " + k->name() + " has no Tessera body to differentiate");
  Spec* primal = specialize(m, full);
  DeriveRequest req;
  req.primal = def->body.get();
  req.typed = primal;
  req.kernel_args = kargs.size();
  KernelAccess access;
  std::string why;
  std::unique_ptr<Body> adjoint = derive_adjoint_kernel_body(*this, req, access, why);
  if (!adjoint) return refused_pullback_body(nargs, "cannot differentiate the launch of " + k->name() + ": " + why);
  GenericFunction& adj = globals_.function("∂" + k->name() + "#" + std::to_string(next_id_++));
  mark_kernel(&adj);
  std::vector<const Type*> sig(2 * kargs.size(), types().Any);
  sig.insert(sig.end(), kKernelIndexArgCount, types().Int64);
  std::vector<std::string> names;
  for (size_t i = 0; i < adjoint->nargs; ++i) names.push_back(adjoint->slots[i].name);
  add_method(adj, types().tuple(sig), names, std::move(adjoint), m->location);

  SrcLoc loc = kSyntheticLoc;
  auto b = signature_body("launch", nargs, loc);
  IRBuild ir{*b, globals_, loc};
  // Each argument read three times: for the launch, the alias check, and what is kept.
  std::vector<Node*> call_args{ir.slot(1), ir.slot(2)}, args_copy, kept, written;
  for (size_t i = 0; i < kargs.size(); ++i) {
    int x = static_cast<int>(i) + 3;
    call_args.push_back(ir.slot(x));
    args_copy.push_back(ir.slot(x));
    kept.push_back(ir.call("_kept_input", {ir.slot(x), ir.boolean(access.read[i])}));
    written.push_back(ir.boolean(access.written[i]));
  }
  Node* run = keywords ? ir.call("__kwcall", {ir.fn("launch"), ir.tuple(call_args), ir.slot(take_any_keywords(*b, ir, types()))})
                       : ir.call("launch", call_args);
  int kept_slot = ir.new_slot("#kept");
  Node* name = ir.lit(Value::from_object(types().String, new StringObject(k->name())));
  b->root = ir.block({ir.call("_check_distinct", {name, ir.tuple(args_copy), ir.tuple(written)}),
                      ir.set(kept_slot, ir.tuple(kept)), run,
                      ir.tuple({ir.nothing(), ir.call("_LaunchBack", {ir.lit(Value::from_function(adj.type(), &adj)),
                                                                      ir.slot(2), ir.slot(kept_slot)})})});
  return b;
}

// A derivative that cannot be made: running it raises the reason.
std::unique_ptr<Body> Compiler::refused_pullback_body(size_t nargs, const std::string& message) {
  SrcLoc loc = kSyntheticLoc;
  auto b = signature_body("#no_derivative", nargs, loc);
  IRBuild ir{*b, globals_, loc};
  b->root = ir.call("__no_derivative", {ir.lit(Value::from_object(types().String, new StringObject(message)))});
  return b;
}

std::unique_ptr<Body> Compiler::make_pullback_body(const std::vector<const Type*>& argtypes, bool keywords, uint64_t passive,
                                                   std::vector<std::pair<const GenericFunction*, uint64_t>>& assumed) {
  TypeRegistry& t = types();
  size_t nargs = argtypes.size();
  bool local = (passive & kLocalGradientBit) != 0;  // called inside an adjoint kernel
  passive &= ~kLocalGradientBit;
  GenericFunction* rrule = globals_.find_function("rrule");
  if (!rrule) throw InternalError("autodiff: the standard library's rrule is not loaded");
  // Nothing to differentiate: no argument (nor the callee) that is wanted carries a gradient.
  bool wanted = false;
  for (size_t i = 0; i < nargs; ++i) wanted = wanted || ((i >= 64 || !(passive >> i & 1)) && carries_gradient(argtypes[i], 0));
  if (!wanted) return constant_pullback_body(nargs, keywords);
  assumed.emplace_back(rrule, rrule->epoch());
  try {
    const Method* m = rrule->which(argtypes);
    auto sig = as_datatype(unwrap_unionall(m->sig));
    if (sig && !sig->params.empty() && sig->params[0] != t.Any) return rule_pullback_body(nargs, keywords);
  } catch (const Error& e) {
    // No rule applies, or several do and none is more specific: that is the rules' bug.
    if (std::string(e.what()).find("ambiguous") != std::string::npos)
      return refused_pullback_body(nargs, std::string("the rrule methods for this call are ambiguous: ") + e.what());
  }
  auto ft = as_datatype(argtypes[0]);
  GenericFunction* g = nullptr;
  std::vector<const Type*> callargs;
  bool self = false;
  if (ft && ft->name->instance) {
    g = ft->name->instance;
    callargs.assign(argtypes.begin() + 1, argtypes.end());
  } else if (ft && ft->name->is_type_of_type && !ft->params.empty()) {
    auto tt = as_datatype(ft->params[0]);
    if (!tt) tt = default_construction_type(types(), ft->params[0], argtypes);
    // The struct named, concrete or not (`Chain(a, b)` of `struct Chain{T <: Tuple}` calls its
    // outer constructor Chain(layers...), which is differentiated as any function).
    auto named = as_datatype(unwrap_unionall(ft->params[0]));
    if (named && !named->name->is_abstract)
      if (GenericFunction* ctor = globals_.find_function(named->name->name)) {
        std::vector<const Type*> a(argtypes.begin() + 1, argtypes.end());
        try {
          // A built-in method here is the default constructor: its pullback is made below.
          if (tessera_def(ctor->which(a))) {
            g = ctor;
            callargs = a;
          }
        } catch (const Error&) {
        }
      }
    if (!g) {
      if (tt && tt->is_concrete && !tt->name->is_abstract && tt->name->field_names.size() == nargs - 1 &&
          tt->name->payload == Payload::Object)
        return constructor_pullback_body(tt, nargs);
      return refused_pullback_body(nargs, "no derivative for the construction " + show_call(nullptr, argtypes, 1).substr(1) +
                                              " of " + show_type(ft->params[0]) +
                                              ": write an rrule method for it, rrule(::Type{" + show_type(ft->params[0]) +
                                              "}, ...)");
    }
  } else if (ft && ft->name->callable) {
    g = ft->name->callable;
    callargs = argtypes;
    self = true;
  } else {
    g = globals_.find_function("#call");
    callargs = argtypes;
    self = true;
  }
  if (!g) return refused_pullback_body(nargs, "no derivative for a call of a " + show_type(argtypes[0]));
  assumed.emplace_back(g, g->epoch());
  const Method* m = nullptr;
  try {
    m = g->which(callargs);
  } catch (const Error& e) {
    return refused_pullback_body(nargs, e.what());
  }
  if (g->name() == "launch" && callargs.size() >= 2)
    if (auto kt = as_datatype(callargs[0]); kt && kt->name->instance && is_kernel(kt->name->instance))
      return launch_pullback_body(kt->name->instance, callargs, keywords, assumed);
  for (const char* api : {"gradient", "withgradient", "pullback", "gradcheck"})
    if (g->name() == api)
      return refused_pullback_body(nargs, std::string("second-order derivatives are not supported yet: ") + api +
                                              " is called inside a function being differentiated");
  const MethodDef* def = tessera_def(m);
  std::string call = show_call(g, callargs, self ? 1 : 0);
  // A built-in whose result carries no gradient (size, ===, ÷ on integers): nothing flows back.
  // (Not one that changes its arguments: `fill!`, a kernel's launch.)
  bool changes_arguments = (!g->name().empty() && g->name().back() == '!') || g->name() == "launch";
  if (!tessera_def(m) && m->result && !carries_gradient(m->result, 0) && !changes_arguments)
    return constant_pullback_body(nargs, keywords);
  if (self && ft && ft->name->callable) call = "a closure" + call.substr(g->name().size());
  if (!def) {
    if (g->name() == "_pullback")
      return refused_pullback_body(nargs, "second-order derivatives are not supported yet: a gradient is taken inside a "
                                          "function being differentiated");
    if (g->name() == "launch")
      return refused_pullback_body(nargs, "a @kernel launch cannot be differentiated yet: write an rrule for the "
                                          "function that launches it");
    if (!g->name().empty() && g->name().back() == '!')
      return refused_pullback_body(nargs, "cannot differentiate " + call + ": it changes its argument in place, which the "
                                          "rules cannot undo. Compute a new value instead (broadcasting, map), or write an "
                                          "rrule for the function that does this");
    return refused_pullback_body(nargs, "no derivative for " + call + ": it is a built-in method with no rrule. Write one: "
                                        "function rrule(::typeof(" + g->name() + "), ...) returning (y, dy -> (gradients...,))");
  }
  if (is_kernel(g)) return refused_pullback_body(nargs, "a @kernel function cannot be called, nor differentiated, directly");
  Spec* primal = specialize(m, callargs);
  for (auto& e : primal->edges) assumed.push_back(e);
  DeriveRequest req;
  req.primal = def->body.get();
  req.typed = primal;
  req.self_in_args = self;
  req.passive = passive;
  std::string why;
  if (local && !keywords) {
    // Inside an adjoint kernel: no tape. Where the one-body gradient cannot be made, the usual
    // derivative runs (and the kernel's adjoint then has no device code, which says why).
    DeriveRequest lreq = req;
    lreq.local_gradient = true;
    if (std::unique_ptr<Body> lbody = derive_local_gradient_body(*this, lreq, why))
      return local_pullback_body(g->name(), nargs, std::move(lbody), m->location);
    why.clear();
  }
  std::unique_ptr<Body> body = derive_pullback_body(*this, req, why);
  if (!body) return refused_pullback_body(nargs, "cannot differentiate " + call + ": " + why);
  return body;
}

std::unique_ptr<Body> Compiler::local_pullback_body(const std::string& name, size_t nargs, std::unique_ptr<Body> local,
                                                    const std::string& location) {
  GenericFunction& lf = globals_.function("∂" + name + "#local#" + std::to_string(next_id_++));
  std::vector<std::string> names;
  for (size_t i = 0; i < local->nargs; ++i) names.push_back(local->slots[i].name);
  std::vector<const Type*> sig(local->nargs, types().Any);
  add_method(lf, types().tuple(sig), names, std::move(local), location);
  SrcLoc loc = kSyntheticLoc;
  // back(dy) = ∂f#local(f, args..., dy): f and the arguments are its captures.
  auto back = back_body("#local_back");
  std::vector<std::string> captures;
  {
    IRBuild ir{*back, globals_, loc};
    std::vector<Node*> args;
    for (size_t i = 0; i < nargs; ++i) {
      int s = ir.new_slot("#a" + std::to_string(i));
      back->capture_slots.push_back(s);
      captures.push_back(back->slots[static_cast<size_t>(s)].name);
      args.push_back(ir.slot(s));
    }
    args.push_back(ir.call("unthunk", {ir.slot(1)}));
    back->root = ir.call(ir.lit(Value::from_function(lf.type(), &lf)), args);
  }
  const Type* back_t = add_closure_type(std::move(back), captures);
  auto b = signature_body("#local", nargs, loc);
  IRBuild ir{*b, globals_, loc};
  std::vector<Node*> args;
  for (size_t i = 1; i < nargs; ++i) args.push_back(ir.slot(static_cast<int>(i)));
  Node* lambda = ir.node(Op::Lambda);
  lambda->type_arg = back_t;
  for (size_t i = 0; i < nargs; ++i) lambda->kids.push_back(ir.slot(static_cast<int>(i)));
  b->root = ir.tuple({ir.call(ir.slot(0), args), lambda});
  return b;
}

Spec* Compiler::derivative_spec(const std::vector<const Type*>& argtypes, bool keywords, uint64_t passive) {
  auto key = std::make_tuple(argtypes, keywords, passive);
  auto it = derived_.find(key);
  bool fresh = it != derived_.end();
  if (fresh)
    for (auto& [f, epoch] : it->second.assumed)
      if (f->epoch() != epoch) fresh = false;
  if (!fresh) {
    GenericFunction*& derived_fn = derived_fns_[passive];
    if (!derived_fn) derived_fn = &globals_.function(passive ? "#pullback#" + std::to_string(passive) : std::string("#pullback"));
    std::vector<std::pair<const GenericFunction*, uint64_t>> assumed;
    std::unique_ptr<Body> body = make_pullback_body(argtypes, keywords, passive, assumed);
    body->assumed = assumed;
    if (keywords && body->kwargs.empty() && body->name == "#no_derivative") {
      // The call gave keywords: the error is raised all the same.
      IRBuild ir{*body, globals_, body->loc};
      take_any_keywords(*body, ir, types());
    }
    std::vector<std::string> names;
    for (size_t i = 0; i < body->nargs; ++i) names.push_back(body->slots[i].name);
    std::vector<const Type*> sig = argtypes;
    const Method* m = add_method(*derived_fn, types().tuple(sig), names, std::move(body), "");
    derived_[key] = Derived{m, std::move(assumed)};
    it = derived_.find(key);
  }
  return specialize(it->second.method, argtypes);
}

namespace {

// What a _pullback function's methods hold: the compiler and the function's passive mask.
struct PullbackContext {
  Compiler* compiler;
  uint64_t passive;
};

Value run_pullback(const void* ctx, const Value* args, size_t n) {
  auto* p = static_cast<const PullbackContext*>(ctx);
  Compiler* c = p->compiler;
  bool keywords = has_kwargs(args, n);
  size_t npos = keywords ? n - 1 : n;
  if (npos == 0) throw ArgumentError("_pullback: needs a function to differentiate");
  std::vector<const Type*> types;
  for (size_t i = 0; i < npos; ++i)
    types.push_back(args[i].payload() == Payload::Type ? c->types().type_of_type(args[i].as_type()) : args[i].type());
  Spec* s = c->derivative_spec(types, keywords, p->passive);
  return c->invoke(*s->def, s->method, args, n);
}

}  // namespace

GenericFunction* Compiler::pullback_masked(uint64_t passive) {
  if (auto it = pullback_masked_.find(passive); it != pullback_masked_.end()) return it->second;
  TypeRegistry& t = types();
  Method m;
  m.sig = t.tuple(std::vector<const Type*>{t.Any, t.vararg(t.Any)});
  m.arg_names = {"f", "args"};
  m.invoke = &run_pullback;
  m.ctx = std::make_shared<const PullbackContext>(PullbackContext{this, passive});
  m.location = "built-in";
  GenericFunction& f = globals_.function(passive == 0 ? "_pullback" : passive == 1 ? "_pullback_args" : "_pullback#" + std::to_string(passive));
  f.add(std::move(m));
  return pullback_masked_[passive] = &f;
}

bool Compiler::is_pullback_function(const GenericFunction* f, uint64_t* passive) const {
  for (const auto& [mask, g] : pullback_masked_)
    if (g == f) {
      *passive = mask;
      return true;
    }
  return false;
}

void Compiler::register_autodiff() {
  TypeRegistry& t = types();
  // _pullback(f, args...): (f(args...), back), back(dy) = (df, dargs...); _pullback_args the
  // same without computing df (what the gradient API calls: it drops df).
  pullback_fn_ = pullback_masked(0);
  pullback_masked(1);
  Registrar r(globals_);
  r.add("__no_derivative", {t.String}, {"message"}, t.bottom(), [](std::span<const Value> a) -> Value {
    throw ErrorException(a[0].as_string());
  });
  register_autodiff_builtins(r);
}

}  // namespace tsr::jit
