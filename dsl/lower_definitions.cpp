// Lowering definitions: top-level statements as one body, functions and their methods
// (defaults, keywords, callable objects), kernels, and types.
#include "dsl/lower.hpp"
#include "dsl/lower_body.hpp"
#include "dsl/lower_support.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "dsl/syntax/source.hpp"
#include "dsl/type_expr.hpp"
#include "jit/builtins.hpp"
#include "jit/pipeline.hpp"
#include "runtime/type_printer.hpp"

namespace tsr {

std::unique_ptr<Body> Lowering::lower_toplevel(const std::vector<const SNode*>& statements) {
  jit::PassTimer timer(jit::Pass::Lower);
  auto body = std::make_unique<Body>();
  body->name = "top-level";
  if (!statements.empty()) {
    syntax::Location p = file_.location(statements[0]->span.begin);
    body->loc = jit::SrcLoc{path_, p.line, p.column};
  }
  BodyLowerer bl(*this, *body, true);
  Node* block = body->make(Op::Block, body->loc);
  for (const SNode* s : statements) block->kids.push_back(bl.expr(*s));
  body->root = block;
  // Names these statements assign are read when they run, not bound when compiled: `one =
  // (5,)` then `println(one)` reads the new global, not Base's function.
  std::set<std::string> assigned;
  for (auto& n : body->pool)
    if (n->op == Op::SetGlobal) assigned.insert(n->name);
  for (auto& n : body->pool)
    if (n->op == Op::Global && assigned.count(n->name)) n->late = true;
  return body;
}

const SNode& defined_name(const SNode& def) {
  const SNode& name = def.child(syntax::function_slot::name);
  return name.kind == NodeKind::FieldAccess ? name.child(1) : name;
}

void Lowering::define_function(const SNode& def) {
  jit::PassTimer timer(jit::Pass::Lower);
  namespace fs = syntax::function_slot;
  const SNode& name = def.child(fs::name);
  SupportContext cx;
  cx.statement = true;
  cx.constructor = new_type_ != nullptr;
  if (auto why = unsupported(def, cx)) fail(*why->at, why->message);
  std::string short_name;
  std::string flat = defined_function_name(name, &short_name);
  TypeRegistry& t = compiler_.types();
  std::vector<std::pair<std::string, const TypeVar*>> scope;
  std::vector<TypeVar*> declared = type_params(def.child(fs::type_params), scope);
  std::vector<const TypeVar*> vars(declared.begin(), declared.end());
  // f(x, y = 2) is two methods, as in Julia: f(x, y) and f(x) = f(x, 2).
  const auto& params = def.child(fs::params).children;
  size_t first_default = params.size();
  for (size_t i = 0; i < params.size(); ++i) {
    bool has_default = params[i]->child(1).kind != NodeKind::Empty;
    if (has_default && first_default == params.size()) first_default = i;
  }
  if (const Type* type = t.lookup(flat); type && !compiler_.globals().find_function(flat))
    jit::add_default_constructor(compiler_.globals(), compiler_.globals().function(flat), type);
  for (size_t count = first_default; count < params.size(); ++count) define_method(def, count, scope, vars, false, flat);
  define_method(def, params.size(), scope, vars, false, flat);
}

void Lowering::define_kernel(const SNode& macro) {
  jit::PassTimer timer(jit::Pass::Lower);
  namespace fs = syntax::function_slot;
  SupportContext cx;
  cx.statement = true;
  if (auto why = unsupported(macro, cx)) fail(*why->at, why->message);
  const SNode& def = macro.child(0);
  cx.kernel = true;
  if (auto why = unsupported(def, cx)) fail(*why->at, why->message);
  const SNode& name = def.child(fs::name);
  std::string flat = definition_name(name, name.text);
  std::vector<std::pair<std::string, const TypeVar*>> scope;
  std::vector<TypeVar*> declared = type_params(def.child(fs::type_params), scope);
  std::vector<const TypeVar*> vars(declared.begin(), declared.end());
  GenericFunction& f = compiler_.globals().function(flat);
  if (!f.methods().empty() && !compiler_.is_kernel(&f))
    fail(name, "`" + name.text + "` is already an ordinary function; a kernel needs a name of its own");
  compiler_.mark_kernel(&f);
  f.set_no_method_hint("`" + name.text + "` is a @kernel function: run it with launch(" + name.text +
                       ", ndrange, args...); its methods take hidden index arguments after yours (#lin, ...)");
  define_method(def, def.child(fs::params).size(), scope, vars, true, flat);
}

void Lowering::define_method(const SNode& def, size_t count, std::vector<std::pair<std::string, const TypeVar*>>& scope,
                             const std::vector<const TypeVar*>& vars, bool kernel, const std::string& flat) {
  namespace fs = syntax::function_slot;
  TypeRegistry& t = compiler_.types();
  const SNode& name = def.child(fs::name);
  const auto& params = def.child(fs::params).children;
  bool full = count == params.size();
  auto body = std::make_unique<Body>();
  bool callable = name.kind == NodeKind::TypeAssert;  // (m::T)(x) = ...: m is a hidden first argument
  body->name = name.kind == NodeKind::FieldAccess ? name.child(1).text
               : callable                          ? "(::" + std::string(file_.slice(name.child(1).span)) + ")"
                                                   : name.text;
  body->sparams = vars;
  syntax::Location p = file_.location(def.span.begin);
  body->loc = jit::SrcLoc{path_, p.line, p.column};
  BodyLowerer bl(*this, *body, false);
  std::vector<const Type*> sig;
  std::vector<std::string> names;
  if (callable) {
    const SNode& self = name.child(0);
    sig.push_back(eval_type(name.child(1), scope));
    names.push_back(self.kind == NodeKind::Identifier ? self.text : "");
    bl.add_slot(self.kind == NodeKind::Identifier ? self.text : "#self#", true);
  }
  for (size_t i = 0; i < count; ++i) {
    const SNode& prm = *params[i];
    const Type* ty = prm.child(0).kind == NodeKind::Empty ? t.Any : eval_type(prm.child(0), scope);
    bool is_vararg_type = as_vararg(ty) != nullptr;
    if (prm.is_vararg || is_vararg_type) {
      if (i + 1 != params.size()) fail(prm, "only the last argument may be a Vararg");
      body->vararg = true;
      if (!is_vararg_type) ty = t.vararg(ty);
    }
    sig.push_back(ty);
    names.push_back(prm.text);
    bl.add_slot(prm.text.empty() ? "#unused" + std::to_string(i) : prm.text, true);
    if (prm.is_nospecialize) {
      if (kernel) fail(prm, "@nospecialize cannot mark a kernel's argument: a kernel is compiled for the types it is launched with");
      if (sig.size() <= 64) body->nospecialize |= uint64_t{1} << (sig.size() - 1);
    }
  }
  if (kernel) {
    // Where the CPU backend passes the work item's position (what Op::WorkItem reads): the
    // linear index, the Cartesian indices (row-major, up to three dimensions), the work-group
    // size and the number of dimensions.
    for (const char* hidden : jit::kKernelIndexArgs) {
      bl.add_slot(hidden, true);
      sig.push_back(t.Int64);
      names.push_back(hidden);
    }
    bl.kernel_ = true;
  }
  body->nargs = body->slots.size();
  if (!full) {
    // The shorter method calls the full one with the defaults of the missing arguments.
    Node* c = body->make(Op::Call, body->loc);
    c->kids.push_back(bl.global(name, flat));
    size_t first = callable ? 1 : 0;
    if (callable) c->kids.push_back(bl.read(name, body->slots[0].name));
    for (size_t i = 0; i < count; ++i) c->kids.push_back(bl.read(*params[i], body->slots[first + i].name));
    for (size_t i = count; i < params.size(); ++i) c->kids.push_back(bl.expr(params[i]->child(1)));
    body->root = c;
    if (!def.child(fs::keyword_params).children.empty()) {
      // f(x, y = 2; z = 3): the shorter method takes whatever keywords it is given and passes
      // them on, __kwcall(f, (x, 2), kw), for the full method to check.
      body->kwargs.push_back("#kw");
      int kw = bl.add_slot("#kw", true);
      body->kwrest = true;
      body->kwdefaults.push_back(bl.named_tuple_node(def, {}, {}));
      body->kwtypes.push_back(t.Any);
      Node* args = body->make(Op::Tuple, body->loc);
      args->kids.assign(c->kids.begin() + 1, c->kids.end());
      body->root = bl.call(def, "__kwcall", {c->kids[0], args, bl.slot_get(def, kw)});
    }
  } else {
    for (const auto& kp : def.child(fs::keyword_params).children) {
      body->kwargs.push_back(kp->text);
      bl.add_slot(kp->text, true);
    }
    if (def.child(fs::return_type).kind != NodeKind::Empty)
      bl.return_type_ = eval_type(def.child(fs::return_type), scope);
    bl.declare_locals(def.child(fs::body));
    for (const auto& kp : def.child(fs::keyword_params).children) {
      if (kp->is_vararg) {
        // kw...: the keywords no other one takes, a named tuple made by the call (Compiler::invoke).
        body->kwrest = true;
        body->kwdefaults.push_back(bl.named_tuple_node(*kp, {}, {}));  // when called with no keywords
        body->kwtypes.push_back(t.Any);
        continue;
      }
      // A keyword without a default is required: leaving it out throws, as Julia's does.
      jit::Node* d = kp->child(1).kind != NodeKind::Empty
                         ? bl.expr(kp->child(1))
                         : bl.call(*kp, "throw",
                                   {bl.call(*kp, "UndefKeywordError",
                                            {bl.literal(*kp, Value::from_object(t.String, new StringObject("keyword argument `" + kp->text +
                                                                                                        "` not assigned")))})});
      const Type* declared = t.Any;
      if (kp->child(0).kind != NodeKind::Empty) {
        declared = eval_type(kp->child(0), scope);
        jit::Node* ta = body->make(Op::TypeAssert, d->loc);
        ta->kids.push_back(d);
        ta->type_arg = declared;
        d = ta;
      }
      body->kwdefaults.push_back(d);
      body->kwtypes.push_back(declared);
    }
    Node* root = bl.returned(def, bl.expr(def.child(fs::body)));
    body->root = bl.prologue(def, root);
  }
  const Type* sigtype = t.unionall(vars, t.tuple(sig));
  body->sig = sigtype;
  std::string location = *path_ + ":" + std::to_string(p.line);
  compiler_.add_method(compiler_.globals().function(flat), sigtype, names, std::move(body), location);
}

void Lowering::define_type(const SNode& def) {
  jit::PassTimer timer(jit::Pass::Lower);
  TypeRegistry& t = compiler_.types();
  namespace ss = syntax::struct_slot;
  const SNode& name = def.child(0);
  std::vector<std::pair<std::string, const TypeVar*>> scope;
  TypeDecl d;
  d.name = definition_name(name, name.text);
  d.params = type_params(def.child(1), scope);
  d.location = *path_ + ":" + std::to_string(file_.location(def.span.begin).line);
  const SNode& super = def.child(2);
  if (super.kind != NodeKind::Empty) d.super = eval_type(super, scope);
  if (def.kind == NodeKind::AbstractTypeDef) {
    d.kind = TypeDecl::Kind::Abstract;
  } else if (def.kind == NodeKind::SemanticDef) {
    d.kind = TypeDecl::Kind::Semantic;
  } else {
    d.kind = def.is_mutable ? TypeDecl::Kind::MutableStruct : TypeDecl::Kind::Struct;
    for (const auto& m : def.child(ss::body).children) {
      if (m->kind != NodeKind::Field) continue;  // inner constructors: below, once the type exists
      // Julia places the default constructors at the first field's line.
      if (d.field_names.empty()) d.location = *path_ + ":" + std::to_string(file_.location(m->span.begin).line);
      d.field_names.push_back(m->text);
      d.field_types.push_back(m->child(0).kind == NodeKind::Empty ? t.Any : eval_type(m->child(0), scope));
    }
  }
  // Redeclaring an existing semantic type with the same parent is a no-op, as Julia accepts
  // an identical redefinition (LANGUAGE.md declares the six standard ones, which the runtime
  // already has, so its lines run as written).
  if (d.kind == TypeDecl::Kind::Semantic && d.params.empty()) {
    const Type* found = t.lookup(d.name);
    auto existing = found ? as_datatype(unwrap_unionall(found)) : nullptr;
    const Type* new_parent = d.super ? d.super : t.lookup("Tensor");
    auto np = as_datatype(unwrap_unionall(new_parent));
    if (existing && existing->name->is_semantic && np) {
      auto ep = as_datatype(existing->name->super);
      if (ep && ep->name == np->name) return;
    }
  }
  const TypeName* declared = nullptr;
  try {
    declared = t.declare(d);
  } catch (const TypeError& e) {
    fail(def, e.what());
  }
  if (def.kind != NodeKind::StructDef) return;
  // Inner constructors replace the default one; `new(...)` in them builds the value.
  for (const auto& m : def.child(ss::body).children) {
    if (m->kind != NodeKind::FunctionDef) continue;
    SupportContext cx;
    cx.statement = true;
    cx.constructor = true;
    cx.in_struct = &def;
    if (auto why = unsupported(*m, cx)) fail(*why->at, why->message);
    compiler_.globals().function(d.name);  // exists now: no default constructor is added
    new_type_ = declared->wrapper;
    try {
      define_function(*m);
    } catch (...) {
      new_type_ = nullptr;
      throw;
    }
    new_type_ = nullptr;
  }
}

}  // namespace tsr
