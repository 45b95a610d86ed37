// Built-in methods of the data types a script reaches for: Symbol, Pair, named tuples, Dict
// and Set (runtime/dict.hpp), hash (isequal is in stdlib/Base.tsr; Dict keys use its C++ twin). What can be written in Tessera on top of these
// (iterate for tuples and named tuples, first/last of a pair, ==) is in stdlib/Base.tsr.
#include <algorithm>
#include <cstdio>

#include "jit/abi.hpp"
#include "jit/builtin_registrar.hpp"
#include "jit/builtins.hpp"
#include "runtime/construct.hpp"
#include "runtime/dict.hpp"
#include "runtime/errors.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

namespace tsr::jit {

namespace {

Value symbol(TypeRegistry& t, std::string name) { return Value::from_object(t.Symbol, new StringObject(std::move(name))); }

Value pair_of(TypeRegistry& t, const Type* a, const Type* b, Value x, Value y) {
  const Type* ps[] = {a, b};
  auto* obj = new StructObject();
  obj->fields = {std::move(x), std::move(y)};
  return Value::from_object(as_datatype(t.instantiate(t.lookup("Pair"), ps)), obj);
}

// Julia's wording: KeyError: key "c" not found.
[[noreturn]] void key_error(const Value& k) { throw Error("KeyError", "key " + show_value(k) + " not found"); }

// The elements of a Vector, Tuple or Set (what union, intersect... accept besides sets).
std::vector<Value> items_of(const char* fname, std::span<const Value> a, size_t i) {
  const Value& v = a[i];
  if (is_set(v)) {
    const DictObject& d = as_dict(v);
    std::vector<Value> out;
    for (size_t k = d.next_live(0); k < d.keys.size(); k = d.next_live(k + 1)) out.push_back(d.keys[k]);
    return out;
  }
  if (v.payload() == Payload::Object && (v.type()->name->is_tuple || is_vector_name(v.type()->name))) return v.as_struct().fields;
  no_method(fname, a);
}

void register_symbols_and_pairs(Registrar& r) {
  TypeRegistry& t = r.t_;
  r.add("Symbol", {t.vararg(t.Any)}, {"xs"}, t.Symbol, [&t](std::span<const Value> a) {
    std::string s;
    for (const Value& v : a) s += show_value(v, false);
    return symbol(t, s);
  });
  r.add("tuple", {t.vararg(t.Any)}, {"xs"}, nullptr, [&t](std::span<const Value> a) {
    return tuple_of(t, std::vector<Value>(a.begin(), a.end()));
  });
  r.add("hash", {t.Any}, {"x"}, t.UInt64, [&t](std::span<const Value> a) { return Value::from_int(t.UInt64, int64_t(hash_value(a[0]))); });
}

void register_named_tuples(Registrar& r) {
  TypeRegistry& t = r.t_;
  const Type* nt = t.NamedTupleT;
  auto field = [](std::span<const Value> a, const std::string& name) -> const Value* {
    const auto& names = a[0].type()->name->field_names;
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return &a[0].as_struct().fields[i];
    return nullptr;
  };
  r.add("getindex", {nt, t.Integer}, {"nt", "i"}, nullptr, [](std::span<const Value> a) {
    const auto& f = a[0].as_struct().fields;
    int64_t i = a[1].as_int();
    if (i < 1 || i > int64_t(f.size()))
      throw Error("BoundsError", "attempt to access " + show_value(a[0]) + " at index [" + std::to_string(i) + "]");
    return f[i - 1];
  });
  r.add("getindex", {nt, t.Symbol}, {"nt", "name"}, nullptr, [field](std::span<const Value> a) {
    if (const Value* v = field(a, a[1].as_string())) return *v;
    throw ErrorException("type NamedTuple has no field " + a[1].as_string());
  });
  r.add("haskey", {nt, t.Symbol}, {"nt", "name"}, t.Bool,
        [&r, field](std::span<const Value> a) { return r.boolean(field(a, a[1].as_string()) != nullptr); });
  r.add("length", {nt}, {"nt"}, t.Int64, [&r](std::span<const Value> a) { return r.integer(int64_t(a[0].as_struct().fields.size())); });
  r.add("keys", {nt}, {"nt"}, nullptr, [&t](std::span<const Value> a) {
    std::vector<Value> ks;
    for (const std::string& n : a[0].type()->name->field_names) ks.push_back(symbol(t, n));
    return tuple_of(t, std::move(ks));
  });
  r.add("values", {nt}, {"nt"}, nullptr, [&t](std::span<const Value> a) { return tuple_of(t, a[0].as_struct().fields); });
  r.add("fieldnames", {t.Any}, {"T"}, nullptr, [&t](std::span<const Value> a) {
    auto dt = a[0].payload() == Payload::Type ? as_datatype(unwrap_unionall(a[0].as_type())) : nullptr;
    if (!dt) no_method("fieldnames", a);
    std::vector<Value> ks;
    for (const std::string& n : dt->name->field_names) ks.push_back(symbol(t, n));
    return tuple_of(t, std::move(ks));
  });
  // getfield(x, name) / getfield(x, i): a struct's field by a name or position known only at
  // run time, as Julia's; what walks a model's fields (NN's parameters, state_dict, optimizers).
  auto struct_fields = [](std::span<const Value> a, const char* fn) -> StructObject& {
    const DataType* dt = a[0].type();
    if (!dt || dt->name->payload != Payload::Object || dt->name->is_tuple || dt == dt->name->registry->String ||
        dt->name->field_names.empty())
      throw ArgumentError(std::string(fn) + ": a " + (dt ? show_type(dt) : std::string("value")) + " has no fields");
    return a[0].as_struct();
  };
  r.add("getfield", {t.Any, t.Symbol}, {"x", "name"}, nullptr, [struct_fields](std::span<const Value> a) {
    StructObject& s = struct_fields(a, "getfield");
    const auto& names = a[0].type()->name->field_names;
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == a[1].as_string()) return s.fields[i];
    throw ErrorException("type " + a[0].type()->name->name + " has no field " + a[1].as_string());
  });
  r.add("getfield", {t.Any, t.Integer}, {"x", "i"}, nullptr, [struct_fields](std::span<const Value> a) {
    StructObject& s = struct_fields(a, "getfield");
    int64_t i = a[1].as_int();
    if (i < 1 || i > int64_t(s.fields.size()))
      throw Error("BoundsError", "attempt to access " + show_type(a[0].type()) + " at field " + std::to_string(i));
    return s.fields[i - 1];
  });
  // __named_children(x): a Vector{Any} of (name, child) tuples: a struct's or named tuple's
  // fields by name, a tuple's or vector's elements by 1-based position, nothing for tensors,
  // numbers and strings. NN walks models with it (stdlib/NN/functors.tsr) in one loop, so a
  // walk compiles once rather than once per layer type.
  r.add("__named_children", {t.Any}, {"x"}, nullptr, [&t](std::span<const Value> a) {
    std::vector<Value> out;
    const DataType* dt = a[0].type();
    const TypeName* n = dt ? dt->name : nullptr;
    bool container = n && n->payload == Payload::Object && !n->is_tensor && !n->is_semantic && dt != t.String &&
                     dt != t.Symbol;
    if (container && (n->is_tuple || is_vector_name(n) || !n->field_names.empty())) {
      const auto& fields = a[0].as_struct().fields;
      bool named = !n->is_tuple && !is_vector_name(n);
      for (size_t i = 0; i < fields.size(); ++i) {
        Value name = Value::from_object(t.String, new StringObject(named ? n->field_names[i] : std::to_string(i + 1)));
        out.push_back(tuple_of(t, {name, fields[i]}));
      }
    }
    const Type* ps[] = {t.Any};
    auto* obj = new StructObject();
    obj->fields = std::move(out);
    return Value::from_object(as_datatype(t.instantiate(t.lookup("Vector"), ps)), obj);
  });
  // f(args...; kws...): what a call with splatted keywords (or with splatted positional
  // arguments and keywords) lowers to: the positional arguments as a tuple, the keywords as
  // one named tuple.
  r.add("__kwcall", {t.Any, t.TupleAny, t.Any}, {"f", "args", "kws"}, nullptr, [&r](std::span<const Value> a) {
    if (!a[2].type()->name->is_named_tuple)
      throw ArgumentError("splatting a " + show_type(a[2].type()) +
                          " into keyword arguments is not supported yet: splat a named tuple (f(x; nt...))");
    std::vector<Value> all = a[1].as_struct().fields;
    const auto& names = a[2].type()->name->field_names;
    for (const Value& v : a[2].as_struct().fields) all.push_back(v);
    return call_value(r.g_, a[0], all.data(), int64_t(all.size()), names.data(), int64_t(names.size()));
  });
  // merge(a, b): a's fields, then b's new ones; b's values win (Julia's order).
  r.add("merge", {nt, nt}, {"a", "b"}, nullptr, [&t](std::span<const Value> a) {
    std::vector<std::string> names = a[0].type()->name->field_names;
    std::vector<Value> vals = a[0].as_struct().fields;
    const auto& bn = a[1].type()->name->field_names;
    for (size_t i = 0; i < bn.size(); ++i) {
      auto at = std::find(names.begin(), names.end(), bn[i]);
      if (at == names.end()) {
        names.push_back(bn[i]);
        vals.push_back(a[1].as_struct().fields[i]);
      } else {
        vals[at - names.begin()] = a[1].as_struct().fields[i];
      }
    }
    return named_tuple_of(t, names, std::move(vals));
  });
}

void register_dicts(Registrar& r) {
  TypeRegistry& t = r.t_;
  Globals& g = r.g_;
  const Type* dict = t.lookup("Dict");
  const Type* set = t.lookup("Set");
  const Type* any = t.Any;
  auto key = [&t](const Value& d, const Value& k) {
    return convert_to(t, d.type()->params[0], k, "a key of " + show_type(d.type()));
  };
  auto val = [&t](const Value& d, const Value& v) {
    return convert_to(t, d.type()->params[1], v, "a value of " + show_type(d.type()));
  };
  // Dict(pairs...), Dict(iterable of pairs): the key and value types are those the pairs share.
  r.add("Dict", {t.vararg(any)}, {"ps"}, nullptr, [&t, &g](std::span<const Value> a) {
    std::vector<Value> ps(a.begin(), a.end());
    if (a.size() == 1 && a[0].payload() == Payload::Object && (is_vector_name(a[0].type()->name) || a[0].type()->name->is_tuple))
      ps = a[0].as_struct().fields;
    const Type *kt = nullptr, *vt = nullptr;
    for (const Value& p : ps) {
      if (p.payload() != Payload::Object || !is_pair_name(p.type()->name))
        throw MethodError("no method matching Dict(::" + show_type(p.type()) + "): a Dict is made of pairs k => v");
      const Type* pk = p.as_struct().fields[0].type();
      const Type* pv = p.as_struct().fields[1].type();
      kt = !kt || kt == pk ? pk : t.Any;
      vt = !vt || vt == pv ? pv : t.Any;
    }
    const Type* params[] = {kt ? kt : t.Any, vt ? vt : t.Any};
    const DataType* dt = as_datatype(t.instantiate(t.lookup("Dict"), params));
    return construct(g, dt, ps);
  });
  r.add("Set", {}, {}, nullptr, [&t](std::span<const Value>) {
    const Type* ps[] = {t.Any};
    return make_dict(as_datatype(t.instantiate(t.lookup("Set"), ps)));
  });
  r.add("Set", {any}, {"xs"}, nullptr, [&t](std::span<const Value> a) {
    std::vector<Value> xs = items_of("Set", a, 0);
    const Type* et = nullptr;
    for (const Value& x : xs) et = !et || et == x.type() ? x.type() : t.Any;
    if (is_vector_name(a[0].type()->name)) et = a[0].type()->params[0];
    const Type* ps[] = {et ? et : t.Any};
    Value s = make_dict(as_datatype(t.instantiate(t.lookup("Set"), ps)));
    for (const Value& x : xs) as_dict(s).set(x, Value());
    return s;
  });
  for (const Type* c : {dict, set})
    r.add("length", {c}, {"d"}, t.Int64, [&r](std::span<const Value> a) { return r.integer(int64_t(as_dict(a[0]).count)); });
  auto getindex = [key](std::span<const Value> a) {
    const DictObject& d = as_dict(a[0]);
    auto at = d.find(a[1]);
    if (!at) key_error(a[1]);
    return d.vals[*at];
  };
  r.add("getindex", {dict, any}, {"d", "key"}, nullptr, getindex);
  r.add("getindex", {dict, t.Integer}, {"d", "key"}, nullptr, getindex);
  auto setindex = [key, val](std::span<const Value> a) {
    as_dict(a[0]).set(key(a[0], a[2]), val(a[0], a[1]));
    return a[0];
  };
  r.add("setindex!", {dict, any, any}, {"d", "v", "key"}, nullptr, setindex);
  r.add("setindex!", {dict, any, t.Integer}, {"d", "v", "key"}, nullptr, setindex);
  r.add("haskey", {dict, any}, {"d", "key"}, t.Bool, [&r](std::span<const Value> a) { return r.boolean(as_dict(a[0]).find(a[1]).has_value()); });
  r.add("get", {dict, any, any}, {"d", "key", "default"}, nullptr, [](std::span<const Value> a) {
    const DictObject& d = as_dict(a[0]);
    auto at = d.find(a[1]);
    return at ? d.vals[*at] : a[2];
  });
  r.add("get!", {dict, any, any}, {"d", "key", "default"}, nullptr, [key, val](std::span<const Value> a) {
    DictObject& d = as_dict(a[0]);
    if (auto at = d.find(a[1])) return d.vals[*at];
    Value v = val(a[0], a[2]);
    d.set(key(a[0], a[1]), v);
    return v;
  });
  // get!(f, d, key): f() is called only when the key is missing.
  r.add("get!", {t.Function, dict, any}, {"f", "d", "key"}, nullptr, [key, val](std::span<const Value> a) {
    DictObject& d = as_dict(a[1]);
    if (auto at = d.find(a[2])) return d.vals[*at];
    Value made;
    tsr_call_value(&made, &a[0], nullptr, 0, nullptr, 0);
    if (tsr_pending) rethrow_pending();
    Value v = val(a[1], made);
    as_dict(a[1]).set(key(a[1], a[2]), v);
    return v;
  });
  r.add("delete!", {dict, any}, {"d", "key"}, nullptr, [](std::span<const Value> a) {
    as_dict(a[0]).erase(a[1]);
    return a[0];
  });
  // pop!(d, key) removes the key and returns its value (a KeyError when missing); pop!(d, key,
  // default) returns default then.
  auto pop = [](std::span<const Value> a) {
    DictObject& d = as_dict(a[0]);
    auto at = d.find(a[1]);
    if (!at) {
      if (a.size() < 3) key_error(a[1]);
      return a[2];
    }
    Value v = d.vals[*at];
    d.erase(a[1]);
    return v;
  };
  r.add("pop!", {dict, any}, {"d", "key"}, nullptr, pop);
  r.add("pop!", {dict, any, any}, {"d", "key", "default"}, nullptr, pop);
  r.add("keys", {dict}, {"d"}, nullptr, [&t](std::span<const Value> a) {
    const DictObject& d = as_dict(a[0]);
    std::vector<Value> ks;
    for (size_t i = d.next_live(0); i < d.keys.size(); i = d.next_live(i + 1)) ks.push_back(d.keys[i]);
    return vector_of(t, a[0].type()->params[0], std::move(ks));
  });
  r.add("values", {dict}, {"d"}, nullptr, [&t](std::span<const Value> a) {
    const DictObject& d = as_dict(a[0]);
    std::vector<Value> vs;
    for (size_t i = d.next_live(0); i < d.keys.size(); i = d.next_live(i + 1)) vs.push_back(d.vals[i]);
    return vector_of(t, a[0].type()->params[1], std::move(vs));
  });
  // iterate(d, i): the pair at the i-th live position (1-based, holes skipped) and the next i.
  for (const Type* c : {dict, set}) {
    auto iterate = [&t, &r](std::span<const Value> a) {
      const DictObject& d = as_dict(a[0]);
      size_t i = d.next_live(a.size() > 1 ? size_t(a[1].as_int() - 1) : 0);
      if (i >= d.keys.size()) return r.nothing();
      const auto& ps = a[0].type()->params;
      Value item = d.is_set ? d.keys[i] : pair_of(t, ps[0], ps[1], d.keys[i], d.vals[i]);
      return tuple_of(t, {item, r.integer(int64_t(i) + 2)});
    };
    r.add("iterate", {c}, {"d"}, nullptr, iterate);
    r.add("iterate", {c, t.Int64}, {"d", "i"}, nullptr, iterate);
  }
  r.add("merge", {dict, t.vararg(dict)}, {"d", "others"}, nullptr, [&t](std::span<const Value> a) {
    // The result's types are the joins of the dicts' (Julia promotes; Any when they differ).
    const Type* kt = a[0].type()->params[0];
    const Type* vt = a[0].type()->params[1];
    for (const Value& d : a.subspan(1)) {
      if (d.type()->params[0] != kt) kt = t.Any;
      if (d.type()->params[1] != vt) vt = t.Any;
    }
    const Type* ps[] = {kt, vt};
    Value out = make_dict(as_datatype(t.instantiate(t.lookup("Dict"), ps)));
    for (const Value& d : a) {
      const DictObject& src = as_dict(d);
      for (size_t i = src.next_live(0); i < src.keys.size(); i = src.next_live(i + 1)) as_dict(out).set(src.keys[i], src.vals[i]);
    }
    return out;
  });
  // x in d: d holds pairs (Julia's rule); a key alone is an error that says what to write.
  r.add("in", {any, dict}, {"x", "d"}, t.Bool, [&r, &g](std::span<const Value> a) {
    if (a[0].payload() != Payload::Object || !is_pair_name(a[0].type()->name))
      throw ArgumentError("AbstractDict collections only contain Pairs;\nEither look for e.g. A=>B instead, or use the `keys` or `values` function if you are looking for a key or value respectively.");
    const DictObject& d = as_dict(a[1]);
    const auto& kv = a[0].as_struct().fields;
    auto at = d.find(kv[0]);
    if (!at) return r.boolean(false);
    Value args[] = {d.vals[*at], kv[1]};
    return r.boolean(g.function("==").call(args, 2).as_bool());
  });
  r.add("in", {any, set}, {"x", "s"}, t.Bool, [&r](std::span<const Value> a) { return r.boolean(as_dict(a[1]).find(a[0]).has_value()); });
  r.add("push!", {set, any}, {"s", "x"}, nullptr, [&t](std::span<const Value> a) {
    as_dict(a[0]).set(convert_to(t, a[0].type()->params[0], a[1], "an element of " + show_type(a[0].type())), Value());
    return a[0];
  });
  r.add("delete!", {set, any}, {"s", "x"}, nullptr, [](std::span<const Value> a) {
    as_dict(a[0]).erase(a[1]);
    return a[0];
  });
  // union, intersect, setdiff: a new Set of the first one's element type.
  auto set_op = [&t](const char* name, int which) {
    return [&t, name, which](std::span<const Value> a) {
      Value out = make_dict(a[0].type());
      DictObject& o = as_dict(out);
      for (const Value& x : items_of(name, a, 0)) o.set(x, Value());
      for (size_t k = 1; k < a.size(); ++k) {
        std::vector<Value> xs = items_of(name, a, k);
        if (which == 0) {
          for (const Value& x : xs) o.set(convert_to(t, a[0].type()->params[0], x), Value());
        } else if (which == 1) {
          Value other = make_dict(a[0].type());
          for (const Value& x : xs) as_dict(other).set(x, Value());
          std::vector<Value> drop;
          for (size_t i = o.next_live(0); i < o.keys.size(); i = o.next_live(i + 1))
            if (!as_dict(other).find(o.keys[i])) drop.push_back(o.keys[i]);
          for (const Value& x : drop) o.erase(x);
        } else {
          for (const Value& x : xs) o.erase(x);
        }
      }
      return out;
    };
  };
  r.add("union", {set, t.vararg(any)}, {"s", "itrs"}, nullptr, set_op("union", 0));
  r.add("intersect", {set, t.vararg(any)}, {"s", "itrs"}, nullptr, set_op("intersect", 1));
  r.add("setdiff", {set, t.vararg(any)}, {"s", "itrs"}, nullptr, set_op("setdiff", 2));
  r.add("issubset", {any, any}, {"a", "b"}, t.Bool, [&r](std::span<const Value> a) {
    std::vector<Value> xs = items_of("issubset", a, 0), ys = items_of("issubset", a, 1);
    DictObject in_b;
    in_b.is_set = true;
    for (const Value& y : ys) in_b.set(y, Value());
    for (const Value& x : xs)
      if (!in_b.find(x)) return r.boolean(false);
    return r.boolean(true);
  });
  for (const Type* c : {dict, set})
    r.add("display", {c}, {"x"}, t.Nothing, [&r](std::span<const Value> a) {
      std::string s = show_value_plain(a[0]) + "\n";
      std::fwrite(s.data(), 1, s.size(), stdout);
      return r.nothing();
    });
}

// x in xs for any iterable xs (Dict and Set have their own `in`, registered after this one).
void register_membership(Registrar& r) {
  TypeRegistry& t = r.t_;
  Globals& g = r.g_;
  // By ==, as Julia's `in`.
  r.add("in", {t.Any, t.Any}, {"x", "xs"}, t.Bool, [&r, &g](std::span<const Value> a) {
    GenericFunction& eq = g.function("==");
    std::vector<Value> items = iterate_all(g, a[1]);
    for (const Value& y : items) {
      Value args[] = {y, a[0]};
      if (eq.call(args, 2).as_bool()) return r.boolean(true);
    }
    return r.boolean(false);
  });
}

}  // namespace

Value tuple_of(TypeRegistry& t, std::vector<Value> xs) {
  std::vector<const Type*> ts;
  for (const Value& x : xs) ts.push_back(x.type());
  auto* obj = new StructObject();
  obj->fields = std::move(xs);
  return Value::from_object(t.tuple(ts), obj);
}

Value named_tuple_of(TypeRegistry& t, const std::vector<std::string>& names, std::vector<Value> xs) {
  std::vector<const Type*> ts;
  for (const Value& x : xs) ts.push_back(x.type());
  auto* obj = new StructObject();
  obj->fields = std::move(xs);
  return Value::from_object(t.named_tuple(names, ts), obj);
}

void register_collection_types(TypeRegistry& t) {
  TypeDecl d;
  d.kind = TypeDecl::Kind::Struct;
  d.name = "Pair";
  TypeVar* a = t.new_typevar("A");
  TypeVar* b = t.new_typevar("B");
  d.params = {a, b};
  d.field_names = {"first", "second"};
  d.field_types = {a, b};
  t.PairName = t.declare(d);
  declare_dict_types(t);
}

void register_collection_builtins(Registrar& r) {
  register_membership(r);
  register_symbols_and_pairs(r);
  register_named_tuples(r);
  register_dicts(r);
}

}  // namespace tsr::jit
