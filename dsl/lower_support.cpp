#include "dsl/lower_support.hpp"

namespace tsr {

using syntax::Node;
using syntax::NodeKind;

namespace {

namespace fs = syntax::function_slot;

// The kinds BodyLowerer::expr has a lowering for (it asks unsupported() first, so a kind added
// there must be added here, and the other way round).
bool lowered_kind(NodeKind k) {
  switch (k) {
    case NodeKind::Int: case NodeKind::Float64: case NodeKind::Float32: case NodeKind::Bool:
    case NodeKind::Nothing: case NodeKind::String: case NodeKind::InterpolatedString: case NodeKind::Symbol:
    case NodeKind::Char:
    case NodeKind::Identifier: case NodeKind::Tuple: case NodeKind::Vector: case NodeKind::Comprehension:
    case NodeKind::Hcat: case NodeKind::Vcat:
    case NodeKind::Range: case NodeKind::Call: case NodeKind::Do: case NodeKind::BinaryOp:
    case NodeKind::UnaryOp: case NodeKind::Comparison: case NodeKind::And: case NodeKind::Or:
    case NodeKind::Ternary: case NodeKind::FieldAccess: case NodeKind::Index: case NodeKind::Colon:
    case NodeKind::IndexEnd: case NodeKind::Curly: case NodeKind::Assign: case NodeKind::UpdateAssign:
    case NodeKind::DotAssign: case NodeKind::DotCall: case NodeKind::TypeAssert: case NodeKind::Lambda:
    case NodeKind::Block: case NodeKind::Let: case NodeKind::If: case NodeKind::While: case NodeKind::For:
    case NodeKind::Break: case NodeKind::Continue: case NodeKind::Return: case NodeKind::Try:
    case NodeKind::MacroCall: case NodeKind::Const: case NodeKind::Local: case NodeKind::Global:
    case NodeKind::FunctionDef: case NodeKind::StructDef: case NodeKind::AbstractTypeDef:
    case NodeKind::SemanticDef: case NodeKind::Using: case NodeKind::Import: case NodeKind::Module:
    case NodeKind::Export: case NodeKind::Doc: case NodeKind::Generator:
      return true;
    default:
      return false;
  }
}

void collect(const Node& n, std::set<std::string>& out) {
  if (n.kind == NodeKind::Identifier) out.insert(n.text);
  for (const auto& k : n.children) collect(*k, out);
}

std::optional<Unsupported> at(const Node& n, std::string message) { return Unsupported{&n, std::move(message)}; }


// A function definition's parameters and keywords.
std::optional<Unsupported> definition(const Node& def, const SupportContext& cx) {
  const Node& name = def.child(fs::name);
  const auto& params = def.child(fs::params).children;
  const auto& keywords = def.child(fs::keyword_params).children;
  if (cx.kernel) {
    if (name.kind != NodeKind::Identifier) return at(name, "expected a kernel name");
    for (const auto& p : params) {
      if (p->child(1).kind != NodeKind::Empty) return at(*p, "kernel arguments cannot have defaults");
      if (p->is_vararg) return at(*p, "kernel arguments cannot be Vararg");
    }
    if (!keywords.empty()) return at(def, "kernels take no keyword arguments");
    return std::nullopt;
  }
  // f, Base.show / M.f (a method of another module's function), (m::T) (callable objects)
  bool named = name.kind == NodeKind::Identifier || name.kind == NodeKind::FieldAccess ||
               (name.kind == NodeKind::TypeAssert && !cx.in_struct);
  if (!named) return at(name, "expected a function name");
  if (cx.in_struct) {
    const Node& type = cx.in_struct->child(syntax::struct_slot::name);
    if (name.text != type.text) return at(def, "a function inside a struct must be a constructor named " + type.text);
    if (cx.in_struct->child(syntax::struct_slot::type_params).size() > 0)
      return at(def, "inner constructors of parametric types are not supported yet");
  }
  bool defaults = false;
  for (size_t i = 0; i < params.size(); ++i) {
    bool has_default = params[i]->child(1).kind != NodeKind::Empty;
    if (defaults && !has_default) return at(*params[i], "a parameter without a default cannot follow one with a default");
    defaults = defaults || has_default;
    if (params[i]->is_vararg && i + 1 != params.size()) return at(*params[i], "only the last argument may be a Vararg");
  }
  for (size_t i = 0; i + 1 < keywords.size(); ++i)
    if (keywords[i]->is_vararg) return at(*keywords[i], "invalid \"...\" on non-final keyword argument");
  if (!keywords.empty() && keywords.back()->is_vararg && keywords.back()->child(0).kind != NodeKind::Empty)
    return at(*keywords.back(), "a type on collected keywords (`kw::T...`) is not supported yet");
  return std::nullopt;
}

std::optional<Unsupported> closure_defaults(const Node& params) {
  for (const auto& p : params.children)
    if (p->child(1).kind != NodeKind::Empty)
      return at(*p, "default values of arguments of anonymous and local functions are not supported yet");
  return std::nullopt;
}

std::optional<Unsupported> local_function(const Node& def, const SupportContext& cx) {
  if (cx.global_scope)
    return at(def, "a function defined inside a top-level block (if, begin, ...) is not supported yet; define it at the top level");
  if (def.child(fs::name).kind != NodeKind::Identifier) return at(def.child(fs::name), "a local function needs a plain name");
  if (!def.child(fs::keyword_params).children.empty()) return at(def, "keyword arguments of a local function are not supported yet");
  if (!def.child(fs::type_params).children.empty()) return at(def, "`where` parameters of a local function are not supported yet");
  return closure_defaults(def.child(fs::params));
}

std::optional<Unsupported> macro(const Node& n, const SupportContext& cx) {
  const std::string& name = n.text;
  if (name == "@assert") return n.size() < 1 ? at(n, "@assert needs a condition") : std::nullopt;
  if (name == "@inbounds" || name == "@time" || name == "@show") return std::nullopt;
  if (name == "@view")
    return n.size() != 1 || n.child(0).kind != NodeKind::Index ? at(n, "@view takes one indexing expression: @view x[1:2, :]") : std::nullopt;
  if (name == "@views") return n.size() != 1 ? at(n, "@views takes one expression: @views sum(x[1:n])") : std::nullopt;
  if (is_logging_macro(name))
    return n.size() < 1 ? at(n, name + " needs a message: " + name + " \"text\" key = value ...") : std::nullopt;
  if (name == "@doc")
    return n.size() != 1 || (n.child(0).kind != NodeKind::Identifier && n.child(0).kind != NodeKind::FieldAccess)
               ? at(n, "@doc takes a name: @doc f, @doc M.f")
               : std::nullopt;
  if (name == "@elapsed") return n.size() != 1 ? at(n, "@elapsed takes one expression: @elapsed f(x)") : std::nullopt;
  if (name == "@sprintf" || name == "@printf") return printf_problem(n);
  if (name == "@simd")
    return n.size() != 1 || n.child(0).kind != NodeKind::For ? at(n, "@simd applies to a for loop: @simd for i in 1:n ... end")
                                                              : std::nullopt;
  if (name == "@cuda_kernel") {
    // @cuda_kernel """source""", or @cuda_kernel "entry" """source""" when it has several
    bool ok = (n.size() == 1 && n.child(0).kind == NodeKind::String) ||
              (n.size() == 2 && n.child(0).kind == NodeKind::String && n.child(1).kind == NodeKind::String);
    return ok ? std::nullopt
              : at(n, "@cuda_kernel takes CUDA C++ source as a string literal (no interpolation): @cuda_kernel \"\"\"extern \"C\" __global__ void "
                      "f(float* y, long long n) { ... }\"\"\"; with several __global__ functions, name the one to launch first: @cuda_kernel \"f\" \"\"\"...\"\"\"");
  }
  if (name == "@kernel") {
    if (!cx.statement) return at(n, "@kernel defines a kernel at the top level: @kernel function name(args) ... end");
    if (n.size() != 1 || n.child(0).kind != NodeKind::FunctionDef)
      return at(n, "@kernel needs a function definition: @kernel function name(args) ... end");
    return std::nullopt;
  }
  if (name != "@index" && name != "@groupsize" && name != "@localmem" && name != "@synchronize") return at(n, "unknown macro " + name);
  if (!cx.kernel) return at(n, name + " is only meaningful inside a @kernel function");
  if (name == "@synchronize" && n.size() != 0) return at(n, "@synchronize takes no arguments");
  if (name == "@localmem" && n.size() != 2) return at(n, "@localmem takes an element type and a shape: @localmem Float32 (16, 16)");
  if (name != "@index") return std::nullopt;
  std::string which = n.size() > 0 && n.child(0).kind == NodeKind::Identifier ? n.child(0).text : "";
  std::string form = n.size() > 1 && n.child(1).kind == NodeKind::Identifier ? n.child(1).text : "Linear";
  if (which != "Global" && which != "Local" && which != "Group") return at(n, "@index takes Global, Local or Group");
  if (form == "NTuple" && which != "Global")
    return at(n, "@index(" + which + ", NTuple) is not supported: work-groups are linear, so @index(" + which + ") is one integer");
  if (form != "Linear" && form != "NTuple") return at(n, "@index takes Linear or NTuple as its second argument");
  return std::nullopt;
}

std::optional<Unsupported> call_arguments(const Node& n) {
  for (size_t i = 1; i < n.size(); ++i) {
    const Node& a = n.child(i);
    if (n.kind == NodeKind::DotCall && a.kind == NodeKind::Splat)
      return at(a, "splatting in a broadcast call is not supported yet");
  }
  return std::nullopt;
}

}  // namespace

void closure_names(const Node& n, std::set<std::string>& out) {
  // A generator kept as a value is a closure; one given to a call is computed there and then.
  if (n.kind == NodeKind::Lambda || n.kind == NodeKind::FunctionDef || n.kind == NodeKind::Generator) {
    collect(n, out);
    return;
  }
  bool eager = n.kind == NodeKind::Call || (n.kind == NodeKind::Index && n.size() == 2);
  for (const auto& k : n.children) {
    if (eager && k->kind == NodeKind::Generator)
      for (const auto& part : k->children) closure_names(*part, out);
    else
      closure_names(*k, out);
  }
}

bool lazy_generator_supported(const Node& g) {
  size_t iterations = 0;
  for (size_t i = 1; i < g.size(); ++i)
    if (g.child(i).kind == NodeKind::Iteration) {
      ++iterations;
      if (g.child(i).child(0).kind != NodeKind::Identifier) return false;
    }
  return iterations == 1;
}

Unsupported second_local_method(const Node& def) {
  return Unsupported{&def, "a second method of the local function `" + def.child(fs::name).text + "` is not supported yet"};
}

std::optional<Unsupported> bad_target(const Node& lhs) {
  switch (lhs.kind) {
    case NodeKind::Identifier:
    case NodeKind::FieldAccess:
    case NodeKind::Index:
      return std::nullopt;
    case NodeKind::TypeAssert:
      return bad_target(lhs.child(0));
    case NodeKind::Tuple:
      for (size_t i = 0; i < lhs.size(); ++i) {
        const Node& k = lhs.child(i);
        // a, b... = xs: the last name takes the rest (Julia's slurping assignment)
        if (k.kind == NodeKind::Splat && i + 1 < lhs.size())
          return at(k, "only the last of the names assigned can take the rest (`a, b... = xs`)");
        if (auto why = bad_target(unsplat(k))) return why;
      }
      return std::nullopt;
    default:
      return at(lhs, std::string("cannot assign to ") + std::string(syntax::describe_node_kind(lhs.kind)));
  }
}

bool is_named_tuple(const Node& n) {
  if (n.kind != NodeKind::Tuple) return false;
  if (n.text == ";") return true;
  if (!n.is_parenthesized) return false;
  for (const auto& k : n.children)
    if (k->kind == NodeKind::Assign) return true;
  return false;
}

// The field name an element of a named tuple gives: a = v, or (; a) and (; p.a).
std::optional<std::string> named_tuple_field(const Node& e) {
  if (e.kind == NodeKind::Assign && e.child(0).kind == NodeKind::Identifier) return e.child(0).text;
  if (e.is_keyword_section && e.kind == NodeKind::Identifier) return e.text;
  if (e.is_keyword_section && e.kind == NodeKind::FieldAccess) return e.child(1).text;
  return std::nullopt;
}

std::optional<Unsupported> bad_named_tuple(const Node& n) {
  std::set<std::string> seen;
  for (const auto& k : n.children) {
    auto name = named_tuple_field(*k);
    if (!name)
      return at(*k, std::string("invalid named tuple element: expected `name = value`") + (n.text == ";" ? ", a name or a field access" : ""));
    if (!seen.insert(*name).second) return at(*k, "field name \"" + *name + "\" repeated in named tuple");
  }
  return std::nullopt;
}

std::optional<Unsupported> unsupported(const Node& n, const SupportContext& cx) {
  if (!lowered_kind(n.kind)) {
    return at(n, std::string(syntax::describe_node_kind(n.kind)) + " is not supported yet");
  }
  switch (n.kind) {
    case NodeKind::Tuple:
      if (is_named_tuple(n)) return bad_named_tuple(n);
      break;
    case NodeKind::Generator:  // a lazy one (in a call's arguments, generator() takes it instead)
      if (!lazy_generator_supported(n))
        return at(n, "a generator over several iterables, or one that destructures its variable, is supported only as a "
                     "call's argument (sum(x * y for x in xs, y in ys)) yet");
      break;
    case NodeKind::IndexEnd:
      if (!cx.index) return at(n, "`end` is only meaningful inside an index a[...]");
      break;
    case NodeKind::TypeAssert:
      if (n.child(0).kind == NodeKind::Empty) return at(n, "`::T` needs a value before it");
      break;
    case NodeKind::Break:
    case NodeKind::Continue:
      if (cx.loop_depth == 0) return at(n, std::string(n.kind == NodeKind::Break ? "break" : "continue") + " outside a loop");
      break;
    case NodeKind::Const: {
      const Node& a = n.child(0);
      if (cx.function_body || a.kind != NodeKind::Assign || a.child(0).kind != NodeKind::Identifier)
        return at(n, "`const` is supported for global variables: const name = value");
      break;
    }
    case NodeKind::StructDef:
    case NodeKind::AbstractTypeDef:
    case NodeKind::SemanticDef:
      if (!cx.statement) return at(n, "types can only be defined at the top level");
      break;
    case NodeKind::Using:
    case NodeKind::Import:
    case NodeKind::Export:
      // Which modules exist is known when the statement runs (a stdlib file may be loaded).
      if (!cx.statement) return at(n, "`" + std::string(syntax::node_kind_name(n.kind)) + "` is only allowed at the top level of a file or module");
      break;
    case NodeKind::Module:
      if (!cx.statement) return at(n, "a module can only be defined at the top level of a file or module");
      break;
    case NodeKind::Vcat:
      for (const auto& k : n.children)
        if (k->kind == NodeKind::Row)
          for (const auto& e : k->children)
            if (e->kind == NodeKind::Splat) return at(*e, "splatting inside a matrix with several elements per row is not supported yet");
      break;
    case NodeKind::Doc:
      if (n.text == "signature")
        return at(n.child(1), "a docstring for a method signature without its definition is not supported yet: "
                              "put the docstring right before the method's definition");
      break;
    case NodeKind::FunctionDef:
      return cx.statement ? definition(n, cx) : local_function(n, cx);
    case NodeKind::Lambda:
      return closure_defaults(n.child(0));
    case NodeKind::MacroCall:
      return macro(n, cx);
    case NodeKind::Call:
      if (n.child(0).kind == NodeKind::Identifier && n.child(0).text == "new" && !cx.constructor)
        return at(n.child(0), "`new` is only available in an inner constructor");
      return call_arguments(n);
    case NodeKind::DotCall:
      return call_arguments(n);
    case NodeKind::UpdateAssign:
    case NodeKind::DotAssign:
      if (n.child(0).kind == NodeKind::Index && splatted_index(n.child(0)))
        return at(n.child(0), "x[i...] " + n.text + " v is not supported yet: write x[i...] = x[i...] " +
                                  (n.kind == NodeKind::DotAssign ? std::string(".= v (or a loop)") : "op v"));
      if (n.kind == NodeKind::DotAssign) break;
      return bad_target(n.child(0));
    case NodeKind::Assign:
      return bad_target(n.child(0));
    case NodeKind::Try: {
      // The caught exception lives in a slot the handler writes, never in a cell.
      namespace ts = syntax::try_slot;
      const Node& var = n.child(ts::catch_variable);
      std::set<std::string> captured;
      closure_names(n.child(ts::catch_body), captured);
      if (var.kind == NodeKind::Identifier && captured.count(var.text))
        return at(var, "a caught exception captured by a closure is not supported yet");
      break;
    }
    case NodeKind::Let:
      for (const auto& k : n.child(0).children) {
        bool assign = k->kind == NodeKind::Assign;
        const Node& lhs = assign ? k->child(0) : *k;
        const Node& name = lhs.kind == NodeKind::TypeAssert ? lhs.child(0) : lhs;
        bool named = name.kind == NodeKind::Identifier || (assign && name.kind == NodeKind::Tuple);
        if (!named || (!assign && lhs.kind != NodeKind::Identifier)) return at(*k, "a let binding is `name` or `name = value`");
      }
      break;
    default:
      break;
  }
  return std::nullopt;
}

namespace {

// Walks a file as the lowering will, with the context each node will be lowered in.
class Checker {
 public:
  Checker(const syntax::SourceFile& file, std::vector<syntax::Diagnostic>& out) : file_(file), out_(out) {}

  void visit(const Node& n, const SupportContext& cx) {
    if (n.kind == NodeKind::Empty || n.kind == NodeKind::Error) return;
    if (auto why = unsupported(n, cx)) {
      out_.push_back(syntax::make_diagnostic(file_, why->where(), syntax::Severity::Error, why->message));
      return;
    }
    children(n, cx);
  }

 private:
  static SupportContext local(SupportContext c) {
    c.global_scope = false;
    return c;
  }
  void error(const Node& at, const std::string& message) {
    out_.push_back(syntax::make_diagnostic(file_, at.span, syntax::Severity::Error, message));
  }
  void target(const Node& lhs) {
    if (auto why = bad_target(lhs)) out_.push_back(syntax::make_diagnostic(file_, why->where(), syntax::Severity::Error, why->message));
  }
  // A generator where one is allowed (a call's argument, T[...]): its parts only.
  void generator(const Node& g, const SupportContext& cx) { children(g, cx); }

  // The local functions defined in each scope being walked (a second method is not supported).
  std::vector<std::set<std::string>> functions_{{}};
  struct ScopeNames {
    Checker& c;
    explicit ScopeNames(Checker& checker) : c(checker) { c.functions_.emplace_back(); }
    ~ScopeNames() { c.functions_.pop_back(); }
  };
  void scoped(const Node& n, const SupportContext& cx) {
    ScopeNames names(*this);
    visit(n, cx);
  }

  void children(const Node& n, SupportContext cx) {
    bool statement = cx.statement;
    cx.statement = false;
    cx.in_struct = nullptr;
    switch (n.kind) {
      case NodeKind::FunctionDef: {
        if (!statement && !functions_.back().insert(n.child(syntax::function_slot::name).text).second) {
          Unsupported why = second_local_method(n);
          out_.push_back(syntax::make_diagnostic(file_, why.at->span, syntax::Severity::Error, why.message));
        }
        ScopeNames names(*this);
        SupportContext body = local(cx);
        body.function_body = true;
        body.loop_depth = 0;
        body.index = false;
        body.kernel = statement && cx.kernel;
        for (size_t list : {syntax::function_slot::params, syntax::function_slot::keyword_params})
          for (const auto& p : n.child(list).children) visit(p->child(1), body);
        visit(n.child(syntax::function_slot::body), body);
        return;
      }
      case NodeKind::Lambda: {
        SupportContext body = local(cx);
        body.function_body = true;
        body.loop_depth = 0;
        body.index = false;
        body.kernel = false;
        scoped(n.child(1), body);
        return;
      }
      case NodeKind::StructDef: {
        SupportContext member;
        member.statement = true;
        member.constructor = true;
        member.in_struct = &n;
        for (const auto& m : n.child(syntax::struct_slot::body).children)
          if (m->kind == NodeKind::FunctionDef) visit(*m, member);
        return;
      }
      case NodeKind::AbstractTypeDef:
      case NodeKind::SemanticDef:
      case NodeKind::Using:
      case NodeKind::Import:
      case NodeKind::Export:
      case NodeKind::Curly:
        return;
      case NodeKind::Doc:
        visit(n.child(0), cx);  // the docstring; what it documents is the next statement
        return;
      case NodeKind::Hcat:
      case NodeKind::Vcat:
        // The element type, then the cells: a Row only groups them (splats in rows were
        // rejected above); a splat is as in a call.
        for (const auto& k : n.children) {
          if (k->kind == NodeKind::Row) {
            for (const auto& e : k->children) visit(*e, cx);
          } else {
            visit(unsplat(*k), cx);
          }
        }
        return;
      case NodeKind::Module: {
        // Its body's statements are top-level statements.
        SupportContext top;
        top.statement = true;
        for (const auto& k : n.child(1).children) visit(*k, top);
        return;
      }
      case NodeKind::MacroCall:
        if (n.text == "@kernel") {
          SupportContext def;
          def.statement = true;
          def.kernel = true;
          visit(n.child(0), def);
          return;
        }
        if (n.text == "@index" || n.text == "@groupsize" || n.text == "@synchronize") return;
        if (n.text == "@localmem") {
          visit(n.child(1), cx);
          return;
        }
        break;
      case NodeKind::For: {
        SupportContext body = local(cx);
        body.loop_depth++;
        for (size_t i = 0; i + 1 < n.size(); ++i) {
          target(n.child(i).child(0));
          // At the top level outside any local scope there is no local for `outer` to assign
          // (Julia's lowering error; inside functions the lowering checks the name).
          if (n.child(i).is_outer && cx.global_scope)
            error(n.child(i).child(0), "no outer local variable declaration exists for `for outer " +
                                           std::string(file_.slice(n.child(i).child(0).span)) + "`");
          visit(n.child(i).child(1), i == 0 ? cx : body);
        }
        scoped(n.child(n.size() - 1), body);
        return;
      }
      case NodeKind::While: {
        visit(n.child(0), cx);
        SupportContext body = local(cx);
        body.loop_depth++;
        scoped(n.child(1), body);
        return;
      }
      case NodeKind::Comprehension:
      case NodeKind::Generator: {
        ScopeNames names(*this);
        SupportContext body = local(cx);
        body.loop_depth++;
        for (const auto& k : n.children) {
          if (k->kind == NodeKind::Iteration) {
            target(k->child(0));
            if (k->is_outer) error(k->child(0), "`outer` is allowed only in a `for` loop, not in a comprehension");
            visit(k->child(1), body);
          } else {
            visit(k->kind == NodeKind::Filter ? k->child(0) : *k, body);
          }
        }
        return;
      }
      case NodeKind::Let: {
        ScopeNames names(*this);
        for (const auto& k : n.children) visit(*k, local(cx));
        return;
      }
      case NodeKind::Try:
        for (const auto& k : n.children) scoped(*k, local(cx));
        return;
      case NodeKind::Index: {
        visit(n.child(0), cx);
        if (n.size() == 2 && n.child(1).kind == NodeKind::Generator) return generator(n.child(1), cx);
        SupportContext inside = cx;
        inside.index = true;
        // x[i...]: the splatted collection's expression
        for (size_t i = 1; i < n.size(); ++i) visit(unsplat(n.child(i)), inside);
        return;
      }
      case NodeKind::Call:
      case NodeKind::DotCall:
        visit(n.child(0), cx);
        for (size_t i = 1; i < n.size(); ++i) {
          const Node& a = n.child(i);
          if (a.kind == NodeKind::Generator && n.kind == NodeKind::Call) generator(a, cx);  // a dotted call's is a lazy value
          else if (a.kind == NodeKind::Kwarg || a.kind == NodeKind::Splat) visit(a.child(0), cx);
          else visit(a, cx);
        }
        return;
      case NodeKind::TypeAssert:
      case NodeKind::FieldAccess:
        visit(n.child(0), cx);
        return;
      case NodeKind::Assign:
        // a, b... = xs: the slurping name is a target like the others (bad_target placed it)
        if (n.child(0).kind == NodeKind::Tuple && !is_named_tuple(n.child(0))) {
          for (const auto& k : n.child(0).children) visit(unsplat(*k), cx);
          visit(n.child(1), cx);
          return;
        }
        break;
      case NodeKind::Comparison:  // operands between the Operator nodes
        for (size_t i = 0; i < n.size(); i += 2) visit(n.child(i), cx);
        return;
      default:
        break;
    }
    for (const auto& k : n.children) visit(*k, cx);
  }

  const syntax::SourceFile& file_;
  std::vector<syntax::Diagnostic>& out_;
};

}  // namespace

std::vector<syntax::Diagnostic> check_support(const syntax::SourceFile& file, const Node& root,
                                              std::vector<const Node*>* includes) {
  std::vector<syntax::Diagnostic> out;
  Checker checker(file, out);
  SupportContext top;
  top.statement = true;
  for (const auto& s : root.children) {
    checker.visit(*s, top);
    if (includes && s->kind == NodeKind::Call && s->size() == 2 && s->child(0).kind == NodeKind::Identifier &&
        s->child(0).text == "include" && s->child(1).kind == NodeKind::String)
      includes->push_back(s.get());
  }
  return out;
}

}  // namespace tsr
