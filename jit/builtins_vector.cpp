// Built-in methods that change a Vector's length in place (pop!, insert!, deleteat!, ...):
// they reach into its elements, so they are C++; everything else on vectors is stdlib Tessera.
#include <string>

#include "jit/builtin_registrar.hpp"
#include "runtime/construct.hpp"
#include "runtime/errors.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

namespace tsr::jit {

namespace {

bool is_vector(const Value& v) { return v.type()->name->name == "Vector"; }

std::vector<Value>& elements_of(const char* fname, std::span<const Value> a) {
  if (!is_vector(a[0])) no_method(fname, a);
  return a[0].as_struct().fields;
}

[[noreturn]] void index_error(const Value& v, int64_t i) {
  throw Error("BoundsError", "attempt to access " + std::to_string(v.as_struct().fields.size()) + "-element " +
                                 show_type(v.type()) + " at index [" + std::to_string(i) + "]");
}

}  // namespace

void register_vector_builtins(Registrar& r) {
  TypeRegistry& t = r.t_;
  const Type* any = t.Any;
  r.add("pop!", {any}, {"v"}, nullptr, [](std::span<const Value> a) {
    auto& xs = elements_of("pop!", a);
    if (xs.empty()) throw ArgumentError("array must be non-empty");
    Value last = xs.back();
    xs.pop_back();
    return last;
  });
  r.add("popfirst!", {any}, {"v"}, nullptr, [](std::span<const Value> a) {
    auto& xs = elements_of("popfirst!", a);
    if (xs.empty()) throw ArgumentError("array must be non-empty");
    Value first = xs.front();
    xs.erase(xs.begin());
    return first;
  });
  r.add("pushfirst!", {any, any}, {"v", "x"}, nullptr, [&t](std::span<const Value> a) {
    auto& xs = elements_of("pushfirst!", a);
    xs.insert(xs.begin(), convert_to(t, a[0].type()->params[0], a[1]));
    return a[0];
  });
  r.add("insert!", {any, t.Integer, any}, {"v", "i", "x"}, nullptr, [&t](std::span<const Value> a) {
    auto& xs = elements_of("insert!", a);
    int64_t i = a[1].as_int();
    if (i < 1 || i > static_cast<int64_t>(xs.size()) + 1) index_error(a[0], i);
    Value x = convert_to(t, a[0].type()->params[0], a[2]);
    xs.insert(xs.begin() + (i - 1), x);
    return a[0];
  });
  r.add("deleteat!", {any, t.Integer}, {"v", "i"}, nullptr, [](std::span<const Value> a) {
    auto& xs = elements_of("deleteat!", a);
    int64_t i = a[1].as_int();
    if (i < 1 || i > static_cast<int64_t>(xs.size())) index_error(a[0], i);
    xs.erase(xs.begin() + (i - 1));
    return a[0];
  });
  r.add("empty!", {any}, {"v"}, nullptr, [](std::span<const Value> a) {
    elements_of("empty!", a).clear();
    return a[0];
  });
  // v[2:3], v[1:2:end]: a new vector of those elements (Julia's slices copy).
  auto slice = [&t](std::span<const Value> a) {
    if (!is_vector(a[0])) no_method("getindex", a);
    const auto& xs = a[0].as_struct().fields;
    const auto& f = a[1].as_struct().fields;
    bool unit = f.size() == 2;
    int64_t start = f[0].as_int(), step = unit ? 1 : f[1].as_int(), stop = f[unit ? 1 : 2].as_int();
    std::vector<Value> out;
    int64_t n = static_cast<int64_t>(xs.size());
    bool empty = step > 0 ? stop < start : stop > start;
    if (!empty && (start < 1 || start > n || stop < 1 || stop > n))
      throw Error("BoundsError", "attempt to access " + std::to_string(n) + "-element " + show_type(a[0].type()) +
                                     " at index [" + show_value(a[1]) + "]");
    for (int64_t i = start; !empty && (step > 0 ? i <= stop : i >= stop); i += step) out.push_back(xs[i - 1]);
    return vector_of(t, a[0].type()->params[0], std::move(out));
  };
  for (const char* range : {"UnitRange", "StepRange"})
    set_result_rule(r.add_where("getindex", t.tuple(std::vector<const Type*>{t.lookup("Vector"), t.lookup(range)}), {"v", "r"}, nullptr, slice),
                    ResultRule::SameAsFirst);
  r.add("copy", {any}, {"v"}, nullptr, [&t](std::span<const Value> a) {
    if (!is_vector(a[0])) no_method("copy", a);
    return vector_of(t, a[0].type()->params[0], a[0].as_struct().fields);
  });
}

}  // namespace tsr::jit
