#include "runtime/dict.hpp"

namespace tsr {

std::optional<size_t> DictObject::find(const Value& k) const {
  auto [lo, hi] = index.equal_range(hash_value(k));
  for (auto it = lo; it != hi; ++it)
    if (isequal_values(keys[it->second], k)) return it->second;
  return std::nullopt;
}

void DictObject::set(const Value& k, const Value& v) {
  if (auto at = find(k)) {
    if (!is_set) vals[*at] = v;
    return;
  }
  index.emplace(hash_value(k), keys.size());
  keys.push_back(k);
  if (!is_set) vals.push_back(v);
  ++count;
}

bool DictObject::erase(const Value& k) {
  uint64_t h = hash_value(k);
  auto [lo, hi] = index.equal_range(h);
  for (auto it = lo; it != hi; ++it)
    if (isequal_values(keys[it->second], k)) {
      keys[it->second] = Value();
      if (!is_set) vals[it->second] = Value();
      index.erase(it);
      --count;
      if (keys.size() > 16 && count < keys.size() / 2) compact();
      return true;
    }
  return false;
}

void DictObject::clear() {
  keys.clear();
  vals.clear();
  index.clear();
  count = 0;
}

size_t DictObject::next_live(size_t i) const {
  while (i < keys.size() && !keys[i].defined()) ++i;
  return i;
}

void DictObject::compact() {
  std::vector<Value> ks, vs;
  for (size_t i = 0; i < keys.size(); ++i)
    if (keys[i].defined()) {
      ks.push_back(std::move(keys[i]));
      if (!is_set) vs.push_back(std::move(vals[i]));
    }
  keys = std::move(ks);
  vals = std::move(vs);
  index.clear();
  for (size_t i = 0; i < keys.size(); ++i) index.emplace(hash_value(keys[i]), i);
}

namespace {
const TypeName* dict_name = nullptr;
const TypeName* set_name = nullptr;
}  // namespace

bool is_dict(const Value& v) { return v.defined() && v.type()->name == dict_name; }
bool is_set(const Value& v) { return v.defined() && v.type()->name == set_name; }
bool is_dict_type(const TypeName* n) { return n && (n == dict_name || n == set_name); }
bool is_dict_name(const TypeName* n) { return n && n == dict_name; }

void declare_dict_types(TypeRegistry& t) {
  TypeDecl d;
  d.kind = TypeDecl::Kind::MutableStruct;
  d.name = "Dict";
  d.params = {t.new_typevar("K"), t.new_typevar("V")};
  dict_name = t.declare(d);
  TypeDecl s;
  s.kind = TypeDecl::Kind::MutableStruct;
  s.name = "Set";
  s.params = {t.new_typevar("T")};
  set_name = t.declare(s);
}

Value make_dict(const DataType* type) {
  auto* obj = new DictObject();
  obj->is_set = type->name == set_name;
  return Value::from_object(type, obj);
}

}  // namespace tsr
