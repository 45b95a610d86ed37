// ===, isequal and hash on values (Julia's meanings), used by Dict and Set and by the
// built-in ===.
#include <cmath>
#include <cstring>
#include <functional>

#include "runtime/dict.hpp"
#include "runtime/number_types.hpp"
#include "runtime/tensor.hpp"

namespace tsr {

namespace {

bool is_text(const Value& v) {
  const TypeRegistry* r = v.type()->name->registry;
  return v.type() == r->String || v.type() == r->Symbol;
}

// A number as a double and whether it is one (Bool, integers, floats).
std::optional<double> number(const Value& v) {
  switch (v.payload()) {
    case Payload::Int:
      if (is_unsigned_integer(v.type()) && integer_bits(v.type()) == 64 && v.as_int() < 0) return double(uint64_t(v.as_int()));
      return double(v.as_int());
    case Payload::Bool: return double(v.as_bool());
    case Payload::Float64: return v.as_f64();
    case Payload::Float32: return double(v.as_f32());
    default: return std::nullopt;  // Float16/BFloat16: by identity
  }
}

uint64_t mix(uint64_t h, uint64_t x) { return (h ^ (x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2))) * 0xff51afd7ed558ccdULL; }

// The fields (or elements) of two struct objects, pairwise by `eq`.
bool fields_all(const Value& a, const Value& b, bool (*eq)(const Value&, const Value&)) {
  const auto& fa = a.as_struct().fields;
  const auto& fb = b.as_struct().fields;
  if (fa.size() != fb.size()) return false;
  for (size_t i = 0; i < fa.size(); ++i)
    if (!eq(fa[i], fb[i])) return false;
  return true;
}

bool composite(const Value& v) {
  const TypeName* n = v.type()->name;
  return v.payload() == Payload::Object && (n->is_tuple || n->is_named_tuple || is_pair_name(n) || is_vector_name(n));
}

}  // namespace

bool egal_values(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.payload()) {
    case Payload::Object:
      if (is_text(a)) return a.as_string() == b.as_string();
      // A tensor is mutable storage (an array in Julia): the same object or not.
      if (!a.type()->name->is_mutable && !is_dict(a) && !is_set(a) && !is_tensor(a)) return fields_all(a, b, egal_values);
      return a.as_object() == b.as_object();
    case Payload::Function: return a.as_function() == b.as_function();
    case Payload::Type: return a.as_type() == b.as_type();
    // === on floats compares bits: 0.0 !== -0.0, and NaN === NaN.
    case Payload::Float64: {
      double x = a.as_f64(), y = b.as_f64();
      return std::memcmp(&x, &y, sizeof x) == 0 || (x != x && y != y);
    }
    case Payload::Float32: {
      float x = a.as_f32(), y = b.as_f32();
      return std::memcmp(&x, &y, sizeof x) == 0 || (x != x && y != y);
    }
    default: return a.as_int() == b.as_int();
  }
}

bool isequal_values(const Value& a, const Value& b) {
  auto x = number(a), y = number(b);
  if (x && y) {
    if (std::isnan(*x) || std::isnan(*y)) return std::isnan(*x) && std::isnan(*y);
    return *x == *y && std::signbit(*x) == std::signbit(*y);
  }
  if (x || y) return false;
  if (a.payload() == Payload::Object && b.payload() == Payload::Object) {
    if (is_text(a) || is_text(b)) return a.type() == b.type() && a.as_string() == b.as_string();
    if (composite(a) && composite(b)) {
      const TypeName *na = a.type()->name, *nb = b.type()->name;
      bool same_kind = na == nb || (na->is_tuple && nb->is_tuple) || (is_vector_name(na) && is_vector_name(nb)) ||
                       (is_pair_name(na) && is_pair_name(nb));
      return same_kind && fields_all(a, b, isequal_values);
    }
    if ((is_dict(a) && is_dict(b)) || (is_set(a) && is_set(b))) {
      const DictObject &da = as_dict(a), &db = as_dict(b);
      if (da.count != db.count) return false;
      for (size_t i = da.next_live(0); i < da.keys.size(); i = da.next_live(i + 1)) {
        auto at = db.find(da.keys[i]);
        if (!at || (!da.is_set && !isequal_values(da.vals[i], db.vals[*at]))) return false;
      }
      return true;
    }
  }
  return egal_values(a, b);
}

uint64_t hash_value(const Value& v) {
  if (auto x = number(v)) {
    double d = *x;
    if (std::isnan(d)) return 0x7ff8000000000000ULL;
    // Equal numbers hash alike across types: an integral value by its integer.
    if (d == std::trunc(d) && std::fabs(d) < 9.2e18 && !(d == 0 && std::signbit(d)))
      return mix(0x1234, static_cast<uint64_t>(static_cast<int64_t>(d)));
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    return mix(0x5678, bits);
  }
  switch (v.payload()) {
    case Payload::Object: {
      if (is_text(v)) return mix(v.type() == v.type()->name->registry->Symbol ? 0x51 : 0x53, std::hash<std::string>()(v.as_string()));
      if (composite(v)) {
        const TypeName* n = v.type()->name;
        uint64_t h = n->is_tuple ? 0x7a : is_vector_name(n) ? 0x7b : is_pair_name(n) ? 0x7c : 0x7d;
        for (const Value& f : v.as_struct().fields) h = mix(h, hash_value(f));
        return h;
      }
      if (is_dict(v) || is_set(v)) {
        // Order-independent: a sum over the entries.
        const DictObject& d = as_dict(v);
        uint64_t h = d.is_set ? 0x5e7 : 0xd1c7;
        for (size_t i = d.next_live(0); i < d.keys.size(); i = d.next_live(i + 1))
          h += mix(hash_value(d.keys[i]), d.is_set ? 0 : hash_value(d.vals[i]));
        return h;
      }
      if (!v.type()->name->is_mutable && !is_tensor(v)) {
        uint64_t h = reinterpret_cast<uintptr_t>(v.type());
        for (const Value& f : v.as_struct().fields) h = mix(h, hash_value(f));
        return h;
      }
      return mix(0x0b, reinterpret_cast<uintptr_t>(v.as_object()));
    }
    case Payload::Function: return mix(0xf0, reinterpret_cast<uintptr_t>(v.as_function()));
    case Payload::Type: return mix(0x70, reinterpret_cast<uintptr_t>(v.as_type()));
    default: return mix(reinterpret_cast<uintptr_t>(v.type()), static_cast<uint64_t>(v.as_int()));
  }
}

}  // namespace tsr
