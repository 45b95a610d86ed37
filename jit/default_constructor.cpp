// Julia's default constructor methods of a struct, added to the function of the struct's
// name when a script defines outer constructors.
#include <memory>

#include "jit/builtin_registrar.hpp"
#include "jit/builtins.hpp"
#include "runtime/construct.hpp"

namespace tsr::jit {

void add_default_constructor(Globals& g, GenericFunction& f, const Type* type) {
  const DataType* body = as_datatype(unwrap_unionall(type));
  if (!body || body->name->is_abstract || body->name->payload != Payload::Object) return;
  const TypeName* n = body->name;
  TypeRegistry& t = g.types();
  // Julia's signatures: `P(x::Float64, y)` and, when some field is typed, `P(x, y)` (both
  // convert); for a parametric type only `D(v::T, d::T) where T<:Real`, and only when every
  // parameter occurs in a field type (D{T}(v, d) converts: that is calling the type itself).
  // So an outer `D(v::Real, d::Real) = D(promote(v, d)...)` does not call itself: the
  // default method is more specific once the arguments agree.
  std::vector<const Type*> sigs;
  const Type* fields = t.tuple(n->field_types);
  if (n->params.empty()) {
    sigs.push_back(fields);
    sigs.push_back(t.tuple(std::vector<const Type*>(n->field_types.size(), t.Any)));
  } else {
    for (const TypeVar* p : n->params)
      if (!t.occurs_free(fields, p)) return;
    std::vector<const TypeVar*> vars(n->params.begin(), n->params.end());
    sigs.push_back(t.unionall(vars, fields));
  }
  for (const Type* sig : sigs) {
    bool present = false;  // already there, or the script wrote its own
    for (const Method* m : f.methods()) present = present || t.equal(m->sig, sig);
    if (present) continue;
    Method m;
    m.sig = sig;
    m.arg_names.assign(n->field_names.size(), "");  // Julia shows them unnamed: P(::Float64)
    m.invoke = &call_builtin;
    m.ctx = std::make_shared<const Builtin>(Builtin{[&g, type](std::span<const Value> a) { return construct(g, type, a); }, f.name(), {}});
    // Julia lists a default constructor at its struct's line.
    m.location = n->location.empty() ? "default constructor" : n->location;
    f.add(std::move(m));
  }
}

}  // namespace tsr::jit
