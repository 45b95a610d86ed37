// Built-in methods that change a Vector's length in place (pop!, insert!, deleteat!, ...):
// they reach into its elements, so they are C++; everything else on vectors is stdlib Tessera.
#include <string>

#include "jit/builtin_registrar.hpp"
#include "runtime/construct.hpp"
#include "runtime/errors.hpp"
#include "runtime/tensor.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

namespace tsr::jit {

namespace {

bool is_vector(const Value& v) { return is_vector_name(v.type()->name); }

std::vector<Value>& elements_of(const char* fname, std::span<const Value> a) {
  if (!is_vector(a[0])) no_method(fname, a);
  return a[0].as_struct().fields;
}

[[noreturn]] void index_error(const Value& v, int64_t i) {
  throw Error("BoundsError", "attempt to access " + std::to_string(v.as_struct().fields.size()) + "-element " +
                                 show_type(v.type()) + " at index [" + std::to_string(i) + "]");
}

// The positions (1-based) that a range, a list of integers or a mask of Bools selects in the
// vector v; Julia's BoundsError for any outside, or a mask of another length.
std::vector<int64_t> positions_in(const Value& v, const Value& index, const char* fname, std::span<const Value> a) {
  int64_t n = static_cast<int64_t>(v.as_struct().fields.size());
  std::vector<int64_t> pos;
  std::string text;
  TensorIndex i;
  if (is_range_name(index.type()->name)) {
    const auto& f = index.as_struct().fields;
    bool unit = f.size() == 2;
    int64_t start = f[0].as_int(), step = unit ? 1 : f[1].as_int(), stop = f[unit ? 1 : 2].as_int();
    for (int64_t k = start; step > 0 ? k <= stop : k >= stop; k += step) pos.push_back(k);
    text = show_value(index);
  } else if (selection_index(index, i)) {
    text = index_text(i);
    if (i.kind == TensorIndex::List) {
      pos = std::move(i.list);
    } else {
      if (i.mask_shape.size() != 1 || i.mask_shape[0] != n)
        throw Error("BoundsError", "attempt to access " + std::to_string(n) + "-element " + show_type(v.type()) +
                                       " at index [" + text + "]");
      for (int64_t k = 0; k < n; ++k)
        if (i.mask[static_cast<size_t>(k)]) pos.push_back(k + 1);
    }
  } else {
    no_method(fname, a);
  }
  for (int64_t p : pos)
    if (p < 1 || p > n)
      throw Error("BoundsError", "attempt to access " + std::to_string(n) + "-element " + show_type(v.type()) +
                                     " at index [" + text + "]");
  return pos;
}

}  // namespace

void register_vector_builtins(Registrar& r) {
  // `undef`, Julia's UndefInitializer: Vector{T}(undef, n) (runtime/construct.cpp).
  r.g_.set_global("undef", Value::from_object(declare_struct(r.t_, "UndefInitializer", r.t_.Any, {}, {}), new StructObject()), true);
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
  // v[[1, 3]], v[v .> 0], v[randperm(n)]: a new vector of the selected elements.
  const Type* vec = t.lookup("Vector");
  const Type* tensor = t.lookup("AbstractTensor");
  for (const Type* kind : {vec, tensor}) {
    set_result_rule(r.add_where("getindex", t.tuple(std::vector<const Type*>{vec, kind}), {"v", "i"}, nullptr,
                                [&t](std::span<const Value> a) {
                                  const auto& xs = a[0].as_struct().fields;
                                  std::vector<Value> out;
                                  for (int64_t p : positions_in(a[0], a[1], "getindex", a)) out.push_back(xs[p - 1]);
                                  return vector_of(t, a[0].type()->params[0], std::move(out));
                                }),
                    ResultRule::SameAsFirst);
  }
  // v[2:3] = [7, 8], v[mask] = xs: as many values as positions (Julia's setindex!).
  Globals& g = r.g_;
  auto assign = [&t, &g](std::span<const Value> a) {
    std::vector<int64_t> pos = positions_in(a[0], a[2], "setindex!", a);
    const TypeName* kind = a[1].type()->name;
    if (!is_vector_name(kind) && !is_range_name(kind) && !is_tensor(a[1]) && !kind->is_tuple)
      throw ArgumentError("indexed assignment with a single value to possibly many locations is not supported; "
                          "perhaps use broadcasting `.=` instead?");
    std::vector<Value> values = is_tensor(a[1]) ? std::vector<Value>{} : iterate_all(g, a[1]);
    if (is_tensor(a[1])) {
      const TensorObject& o = tensor_of(a[1]);
      for (int64_t k = 0, n = o.numel(); k < n; ++k) values.push_back(load_element(t, o, storage_offset(o, k)));
    }
    if (values.size() != pos.size())
      throw Error("DimensionMismatch", "tried to assign " + std::to_string(values.size()) + " elements to " +
                                           std::to_string(pos.size()) + " destinations");
    auto& xs = a[0].as_struct().fields;
    const Type* elem = a[0].type()->params[0];
    for (size_t k = 0; k < pos.size(); ++k) xs[static_cast<size_t>(pos[k] - 1)] = convert_to(t, elem, values[k]);
    return a[1];
  };
  for (const Type* kind : {vec, tensor, t.lookup("UnitRange"), t.lookup("StepRange")})
    r.add_where("setindex!", t.tuple(std::vector<const Type*>{vec, any, kind}), {"v", "x", "i"}, nullptr, assign);
  // x[I...] .= y broadcasts into getindex(x, I...), which is a view for a tensor indexed by
  // integers, ranges and `:`, and a copy otherwise (a Vector's slice, a list of positions, a
  // mask): this writes such a copy back, as Julia's dotview is a view in every case.
  r.add("__dotview_store!", {any, any, t.vararg(any)}, {"x", "view", "i"}, nullptr, [&g](std::span<const Value> a) {
    bool copied = false;
    for (size_t k = 2; k < a.size(); ++k) {
      const TypeName* kind = a[k].type()->name;
      bool range = is_range_name(kind);
      copied = copied || is_vector_name(kind) || (!is_tensor(a[0]) && range) || (is_tensor(a[k]) && is_tensor(a[0]));
    }
    if (!(is_vector(a[0]) || is_tensor(a[0])) || !copied) return a[1];
    g.function("setindex!").call(a.data(), a.size());
    return a[1];
  });
  r.add("copy", {any}, {"v"}, nullptr, [&t](std::span<const Value> a) {
    if (!is_vector(a[0])) no_method("copy", a);
    return vector_of(t, a[0].type()->params[0], a[0].as_struct().fields);
  });
}

}  // namespace tsr::jit
