#include "jit/constants.hpp"

#include "jit/compiler.hpp"
#include "runtime/errors.hpp"
#include "runtime/type_printer.hpp"

namespace tsr::jit {

namespace {
constexpr char kSep = '\x1f';  // between the parts of a name (never in a .tsr identifier)

// Symbol names end at a NUL byte in object files, so text holding one ("a\0b") is named by
// its bytes in hex, under a prefix of its own ("strx:", "vstrx:").
std::string text_part(const char* tag, const std::string& s) {
  if (s.find('\0') == std::string::npos) return std::string(tag) + ":" + s;
  static const char* digits = "0123456789abcdef";
  std::string out = std::string(tag) + "x:";
  for (unsigned char c : s) out += std::string{digits[c >> 4], digits[c & 15]};
  return out;
}
}  // namespace

std::string decode_symbol_text(const std::string& hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1]));
  return out;
}

std::string type_symbol(TypeRegistry& types, const Type* t) {
  std::string p = kConstPrefix;
  // An instance of a parametric type by its registered name, then each parameter's own
  // description, length first ("tapp:NAME\x1f3:tn:..."): printed, closure types
  // (`##lambda#3{Float64}`) and a module's types (`S{Int64}` for Main.M.S) would not parse back.
  // A tuple type likewise ("ttup:"): its elements may be closure instances, which do not print
  // in a form that parses back.
  // Each parameter's own description, length first, after the head.
  auto with_params = [&](std::string out, const DataType* dt) {
    for (const Type* param : dt->params) {
      std::string d = type_symbol(types, param).substr(p.size());
      out += kSep + std::to_string(d.size()) + ":" + d;
    }
    return out;
  };
  if (auto dt = as_datatype(t); dt && !dt->params.empty() && dt->name->is_tuple && dt->is_concrete)
    return with_params(p + "ttup:", dt);
  if (auto c = as_const(t)) return p + "tconst:" + std::to_string(c->value);
  if (auto dt = as_datatype(t); dt && !dt->params.empty() && !dt->name->is_tuple && dt->is_concrete &&
                                types.lookup(dt->name->name) == dt->name->wrapper)
    return with_params(p + "tapp:" + dt->name->name, dt);
  if (auto dt = as_datatype(t)) {
    // A bound name (including closure types, whose names scripts cannot write) by its name.
    if (dt->params.empty() && types.lookup(dt->name->name) == dt) return p + "tn:" + dt->name->name;
    const std::string& n = dt->name->name;
    if (dt->name->payload == Payload::Function && n.rfind("typeof(", 0) == 0)
      return p + "fnty:" + n.substr(7, n.size() - 8);
  }
  // A parametric type's wrapper (`S` of `struct S{D}`) by its registered name: a module's
  // types print without their module (`S` for Main.M.S), which would not parse back.
  if (t->kind == TypeKind::UnionAll)
    if (auto body = as_datatype(unwrap_unionall(t)); body && body->name->wrapper == t && types.lookup(body->name->name) == t)
      return p + "tn:" + body->name->name;
  return p + "ty:" + show_type(t);
}

std::string function_symbol(const GenericFunction* f) { return std::string(kConstPrefix) + "fn:" + f->name(); }

std::string method_symbol(const GenericFunction& f, const Method* m) {
  return std::string(kConstPrefix) + "method:" + f.name() + kSep + f.show_method(*m, false);
}

std::string string_symbol(const std::string& s) { return std::string(kConstPrefix) + text_part("str", s); }

std::string strings_symbol(const std::string* first, size_t n) {
  std::string out = std::string(kConstPrefix) + "strs:";
  for (size_t i = 0; i < n; ++i) out += (i ? std::string(1, kSep) : "") + first[i];
  return out;
}

std::string cstring_symbol(const char* s) { return std::string(kConstPrefix) + "cstr:" + s; }

std::string value_symbol(TypeRegistry& types, const Value& v) {
  std::string p = kConstPrefix;
  switch (v.payload()) {
    case Payload::Object:
      if (v.type() == types.String) return p + text_part("vstr", v.as_string());
      if (v.type() == types.Symbol && v.as_string().find('\0') == std::string::npos) return p + "vsym:" + v.as_string();
      // A field-less struct (Colon()): any instance is as good as another.
      if (v.type()->name->field_names.empty() && !v.type()->name->is_tuple && v.type()->params.empty() &&
          types.lookup(v.type()->name->name) == v.type() && !v.type()->name->is_mutable)
        return p + "vsingle:" + v.type()->name->name;
      return "";
    case Payload::Type: return p + "vty:" + type_symbol(types, v.as_type()).substr(p.size());
    case Payload::Function: return p + "vfn:" + v.as_function()->name();
    default: return "";
  }
}

// Decoding: the object a symbol names, made or found in this process (the inverse of the
// encoders above), for code loaded from the compile cache.

const Type* Compiler::resolve_type(const std::string& desc) {
  TypeRegistry& t = types();
  if (desc.rfind("tn:", 0) == 0) return t.lookup(desc.substr(3));
  if (desc.rfind("fnty:", 0) == 0) return globals_.function(desc.substr(5)).type();
  if (desc.rfind("tconst:", 0) == 0) {
    try {
      return t.const_param(std::stoll(desc.substr(7)));
    } catch (const std::exception&) {
      return nullptr;
    }
  }
  if (desc.rfind("tapp:", 0) == 0 || desc.rfind("ttup:", 0) == 0) {
    // type_symbol's encoding of a closure type's instance (NAME, then length-prefixed
    // parameters) or of a tuple type (its length-prefixed element types).
    bool tuple = desc.rfind("ttup:", 0) == 0;
    size_t at = desc.find(kSep, 5);
    const Type* wrapper = tuple ? nullptr : t.lookup(desc.substr(5, at == std::string::npos ? std::string::npos : at - 5));
    if (!tuple && !wrapper) return nullptr;
    std::vector<const Type*> params;
    while (at != std::string::npos && at < desc.size()) {
      size_t colon = desc.find(':', at + 1);
      if (colon == std::string::npos) return nullptr;
      size_t len = std::stoul(desc.substr(at + 1, colon - at - 1));
      const Type* param = resolve_type(desc.substr(colon + 1, len));
      if (!param) return nullptr;
      params.push_back(param);
      at = colon + 1 + len;
      if (at < desc.size() && desc[at] != kSep) return nullptr;
    }
    try {
      return tuple ? t.tuple(params) : t.instantiate(wrapper, params);
    } catch (const Error&) {
      return nullptr;
    }
  }
  if (desc.rfind("ty:", 0) == 0 && parse_type_) {
    try {
      return parse_type_(desc.substr(3));
    } catch (const Error&) {
      return nullptr;
    }
  }
  return nullptr;
}

void* Compiler::resolve_constant(const std::string& symbol) {
  if (auto it = constants_.find(symbol); it != constants_.end()) return it->second;
  std::string d = symbol.substr(std::string(kConstPrefix).size());
  auto rest = [&](size_t n) { return d.substr(n); };
  void* r = nullptr;
  TypeRegistry& t = types();
  if (d.rfind("str:", 0) == 0) {
    r = &const_strings_.emplace_back(rest(4));
  } else if (d.rfind("strx:", 0) == 0) {
    r = &const_strings_.emplace_back(decode_symbol_text(rest(5)));
  } else if (d.rfind("vstrx:", 0) == 0) {
    r = &const_values_.emplace_back(Value::from_object(t.String, new StringObject(decode_symbol_text(rest(6)))));
  } else if (d.rfind("cstr:", 0) == 0) {
    r = const_cast<char*>(const_strings_.emplace_back(rest(5)).c_str());
  } else if (d.rfind("strs:", 0) == 0) {
    std::vector<std::string> parts;
    std::string body = rest(5), cur;
    for (char c : body) {
      if (c == '\x1f') parts.push_back(std::move(cur)), cur.clear();
      else cur += c;
    }
    parts.push_back(cur);
    r = const_string_arrays_.emplace_back(std::move(parts)).data();
  } else if (d.rfind("fn:", 0) == 0) {
    r = &globals_.function(rest(3));
  } else if (d.rfind("method:", 0) == 0) {
    std::string body = rest(7);
    size_t sep = body.find('\x1f');
    GenericFunction& f = globals_.function(body.substr(0, sep));
    std::string text = body.substr(sep + 1);
    for (const Method* m : f.methods())
      if (f.show_method(*m, false) == text) r = const_cast<Method*>(m);
  } else if (d.rfind("vstr:", 0) == 0) {
    r = &const_values_.emplace_back(Value::from_object(t.String, new StringObject(rest(5))));
  } else if (d.rfind("vsym:", 0) == 0) {
    r = &const_values_.emplace_back(Value::from_object(t.Symbol, new StringObject(rest(5))));
  } else if (d.rfind("vsingle:", 0) == 0) {
    if (auto st = as_datatype(t.lookup(rest(8))))
      r = &const_values_.emplace_back(Value::from_object(st, new StructObject()));
  } else if (d.rfind("vfn:", 0) == 0) {
    GenericFunction& f = globals_.function(rest(4));
    r = &const_values_.emplace_back(Value::from_function(f.type(), &f));
  } else if (d.rfind("vty:", 0) == 0) {
    if (const Type* ty = resolve_type(rest(4))) {
      const DataType* kind = ty->kind == TypeKind::UnionAll ? t.UnionAllT : ty->kind == TypeKind::Union ? t.UnionTypeT : t.DataTypeT;
      r = &const_values_.emplace_back(Value::from_type(kind, ty));
    }
  } else {
    r = const_cast<Type*>(resolve_type(d));
  }
  if (r) constants_[symbol] = r;
  return r;
}

}  // namespace tsr::jit
