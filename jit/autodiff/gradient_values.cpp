// Built-ins for the values gradients are made of: the named tuple that mirrors a struct
// (one field's gradient, the others `nothing`), reading a field of such a gradient, and
// adding two of them field by field. Derived pullbacks call these (jit/autodiff/reverse.cpp);
// everything else about gradients is Tessera code in stdlib/Autodiff.tsr.
#include <algorithm>

#include "jit/builtin_registrar.hpp"
#include "jit/builtins.hpp"
#include "runtime/errors.hpp"
#include "runtime/value_printer.hpp"

namespace tsr::jit {

namespace {

bool is_nothing(const Value& v) { return v.type() && v.type()->name->payload == Payload::None && v.type()->name->name == "Nothing"; }

}  // namespace

void register_autodiff_builtins(Registrar& r) {
  TypeRegistry& t = r.t_;
  Globals& g = r.g_;
  // _field_grad(T, name, d): the gradient of a value of type T whose field `name` has
  // gradient d: a named tuple of all T's fields, nothing but that one (T = nothing when the
  // type was not known: a named tuple of that field alone).
  r.add("_field_grad", {t.Any, t.Symbol, t.Any}, {"T", "name", "d"}, nullptr, [&t](std::span<const Value> a) -> Value {
    if (is_nothing(a[2])) return a[2];
    const std::string& name = a[1].as_string();
    if (a[0].payload() != Payload::Type) return named_tuple_of(t, {name}, {a[2]});
    auto dt = as_datatype(a[0].as_type());
    if (!dt) return named_tuple_of(t, {name}, {a[2]});
    std::vector<std::string> names = dt->name->field_names;
    if (names.empty() || std::find(names.begin(), names.end(), name) == names.end()) return named_tuple_of(t, {name}, {a[2]});
    std::vector<Value> xs;
    for (const std::string& f : names) xs.push_back(f == name ? a[2] : Value::singleton(t.Nothing));
    return named_tuple_of(t, names, std::move(xs));
  });
  // _grad_field(g, name): the gradient of field `name` within a struct's gradient g.
  r.add("_grad_field", {t.Any, t.Symbol}, {"g", "name"}, nullptr, [&t](std::span<const Value> a) -> Value {
    if (is_nothing(a[0])) return a[0];
    const std::string& name = a[1].as_string();
    auto dt = a[0].type();
    if (dt->name->payload == Payload::Object && !dt->name->field_names.empty()) {
      const auto& names = dt->name->field_names;
      auto it = std::find(names.begin(), names.end(), name);
      if (it != names.end()) return a[0].as_struct().fields[static_cast<size_t>(it - names.begin())];
      return Value::singleton(t.Nothing);
    }
    throw ArgumentError("a gradient for a struct must be a named tuple of its fields (or nothing), got " + show_value(a[0]));
  });
  // _accum_named(a, b): two gradients of one struct added field by field (accum on each);
  // a field only one of them has is taken as it is.
  set_result_rule(r.add("_accum_named", {t.Any, t.Any}, {"a", "b"}, nullptr, [&t, &g](std::span<const Value> a) -> Value {
    GenericFunction* accum = g.find_function("accum");
    if (!accum) throw InternalError("_accum_named: accum is not defined");
    std::vector<std::string> names = a[0].type()->name->field_names;
    std::vector<Value> xs = a[0].as_struct().fields;
    const auto& bn = a[1].type()->name->field_names;
    const auto& bv = a[1].as_struct().fields;
    for (size_t i = 0; i < bn.size(); ++i) {
      auto it = std::find(names.begin(), names.end(), bn[i]);
      if (it == names.end()) {
        names.push_back(bn[i]);
        xs.push_back(bv[i]);
        continue;
      }
      Value& x = xs[static_cast<size_t>(it - names.begin())];
      Value args[] = {x, bv[i]};
      x = accum->call(args, 2);
    }
    return named_tuple_of(t, names, std::move(xs));
  }), ResultRule::AccumNamed);
}

}  // namespace tsr::jit
