#include "runtime/value_printer.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "runtime/dict.hpp"
#include "runtime/half.hpp"
#include "runtime/method_table.hpp"
#include "runtime/number_types.hpp"
#include "runtime/tensor.hpp"
#include "runtime/type_printer.hpp"

namespace tsr {

std::string utf8_encode(int64_t cp) {
  std::string out;
  auto c = static_cast<uint32_t>(cp);
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return out;
}

namespace {

ShowHook g_show_hook = nullptr;

// How a value is being written, as Julia's IOContext tells it.
enum class Mode {
  Print,     // print/println/string: strings raw, Float32 without f0, unsigned in decimal
  Show,      // show and elements of containers
  Implicit,  // an element whose type the container's prefix already says (Float32[1.5, 2.0])
};

// Julia's float text: the shortest digits that read back to x, in plain notation when the
// decimal exponent e satisfies -5 < e < 6, else d.ddde<e> (or f<e> for Float32 in show).
template <class F>
std::string float_text(F x, bool f32, bool with_suffix) {
  if (std::isnan(x)) return f32 && with_suffix ? "NaN32" : "NaN";
  if (std::isinf(x)) return std::string(x < 0 ? "-Inf" : "Inf") + (f32 && with_suffix ? "32" : "");
  std::string s = fmt::format("{}", x);  // shortest round-trip, in whichever form fmt picks
  bool neg = s[0] == '-';
  if (neg) s.erase(0, 1);
  int exp10 = 0;
  if (auto e = s.find('e'); e != std::string::npos) {
    exp10 = std::stoi(s.substr(e + 1));
    s = s.substr(0, e);
  }
  std::string digits;
  int point = 0;  // digits before the decimal point
  bool seen_point = false;
  for (char c : s) {
    if (c == '.') seen_point = true;
    else {
      digits += c;
      if (!seen_point) ++point;
    }
  }
  while (!digits.empty() && digits[0] == '0') {
    digits.erase(0, 1);
    --point;
  }
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  std::string sign = neg ? "-" : "";
  std::string suffix = f32 && with_suffix ? "f0" : "";
  if (digits.empty()) return sign + "0.0" + suffix;
  int e = point - 1 + exp10;  // x = d.ddd × 10^e
  if (e > -5 && e < 6) {
    std::string out;
    if (e >= 0) {
      std::string whole = digits.substr(0, std::min<size_t>(digits.size(), e + 1));
      whole += std::string(e + 1 - whole.size(), '0');
      std::string frac = digits.size() > size_t(e + 1) ? digits.substr(e + 1) : "0";
      out = whole + "." + frac;
    } else {
      out = "0." + std::string(-e - 1, '0') + digits;
    }
    return sign + out + suffix;
  }
  std::string mant = digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0");
  return sign + mant + (f32 && with_suffix ? "f" : "e") + std::to_string(e);
}

// Julia shows an unsigned integer in hex with two digits per byte: 0x0f, 0x000f.
int hex_digits(const DataType* t) { return integer_bits(t) / 4; }

// Julia omits a vector's element-type prefix when the elements' printing implies it
// (Base.typeinfo_implicit): Float64, Int64, String, Symbol, singletons, and concrete vectors,
// tuples, named tuples, pairs and dicts made of such types.
bool implied_element_type(const Type* t) {
  auto dt = as_datatype(t);
  if (!dt) return false;
  const TypeRegistry* r = dt->name->registry;
  if (r && (dt == r->Int64 || dt == r->Float64 || dt == r->String || dt == r->Symbol || dt == r->Nothing || dt == r->Char)) return true;
  if (!dt->is_concrete) return false;
  if (dt->name->payload == Payload::None) return true;  // a singleton
  if (dt->name->is_tuple && dt->params.empty()) return false;
  bool composite = dt->name->is_tuple || dt->name->is_named_tuple || is_pair_name(dt->name) || is_vector_name(dt->name) ||
                   is_dict_name(dt->name);
  if (!composite) return false;
  for (const Type* p : dt->params)
    if (p->kind == TypeKind::Vararg || !implied_element_type(p)) return false;
  return true;
}

// A symbol as Julia shows it: :name, or Symbol("...") when it is not an identifier.
std::string symbol_text(const std::string& name) {
  bool ident = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
  for (char c : name)
    ident = ident && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '!' || (c & 0x80));
  return ident ? ":" + name : "Symbol(\"" + name + "\")";
}

std::string text(const Value& v, Mode mode);

// A Char as Julia's show writes it: 'a', '\n', '\'', '\0', '\x01'.
std::string quoted_char(int64_t cp) {
  switch (cp) {
    case '\'': return "'\\''";
    case '\\': return "'\\\\'";
    case '\n': return "'\\n'";
    case '\t': return "'\\t'";
    case '\r': return "'\\r'";
    case '\a': return "'\\a'";
    case '\b': return "'\\b'";
    case '\f': return "'\\f'";
    case '\v': return "'\\v'";
    case 0x1b: return "'\\e'";
    case 0: return "'\\0'";
    default: break;
  }
  if (cp < 0x20 || cp == 0x7f) return fmt::format("'\\x{:02x}'", cp);
  return "'" + utf8_encode(cp) + "'";
}

// A string as Julia's show writes it: quoted, with escapes for quotes, backslashes, `$` and
// control bytes (\0 stays \0 unless a digit follows, where it would read as octal).
std::string quoted_string(const std::string& s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '$': out += "\\$"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\v': out += "\\v"; break;
      case 0x1b: out += "\\e"; break;
      default:
        if (c == 0 && !(i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7')) out += "\\0";
        else if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
        else out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// How the elements of a collection of `elem`s show once its prefix has named the type.
Mode element_mode(const Type* elem) {
  bool plain = as_datatype(elem) && as_datatype(elem)->is_concrete;
  return plain ? Mode::Implicit : Mode::Show;
}

// One side of a pair: a pair inside a pair is parenthesized, 1 => (2 => 3).
std::string pair_side(const Value& x, Mode mode) {
  std::string s = text(x, mode);
  return is_pair_name(x.type()->name) ? "(" + s + ")" : s;
}

// The live entries of a dict or set, in insertion order.
template <class F>
void each_entry(const DictObject& d, F&& f) {
  for (size_t i = d.next_live(0); i < d.keys.size(); i = d.next_live(i + 1)) f(d.keys[i], d.is_set ? d.keys[i] : d.vals[i]);
}

// show: Dict("a" => 1), Dict{String, Float32}("a" => 1.0), Dict{String, Int64}(), Set([1, 2]).
std::string dict_text(const Value& v) {
  const DictObject& d = as_dict(v);
  const DataType* t = v.type();
  if (d.count == 0) return show_type(t) + "()";
  std::vector<std::string> parts;
  if (d.is_set) {
    bool implied = implied_element_type(t->params[0]);
    Mode m = implied ? Mode::Show : element_mode(t->params[0]);
    each_entry(d, [&](const Value& k, const Value&) { parts.push_back(text(k, m)); });
    std::string out = "Set(" + std::string(implied ? "" : show_type(t->params[0])) + "[";
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
    return out + "])";
  }
  bool implied = implied_element_type(t->params[0]) && implied_element_type(t->params[1]);
  Mode km = implied ? Mode::Show : element_mode(t->params[0]), vm = implied ? Mode::Show : element_mode(t->params[1]);
  std::string out = implied ? "Dict(" : show_type(t) + "(";
  bool first = true;
  each_entry(d, [&](const Value& k, const Value& x) {
    out += (first ? "" : ", ") + pair_side(k, km) + " => " + pair_side(x, vm);
    first = false;
  });
  return out + ")";
}

std::string elements(const std::vector<Value>& xs, Mode mode) {
  std::string out;
  for (size_t i = 0; i < xs.size(); ++i) out += (i ? ", " : "") + text(xs[i], mode);
  return out;
}

std::string text(const Value& v, Mode mode) {
  if (!v.defined()) return "#undef";
  // Deep (or circular: a mutable struct that holds itself) nesting ends in an ellipsis.
  thread_local int depth = 0;
  struct Nest {
    Nest() { ++depth; }
    ~Nest() { --depth; }
  } nest;
  if (depth > 32) return "…";
  const DataType* t = v.type();
  const TypeName* n = t->name;
  switch (n->payload) {
    case Payload::Int:
      if (is_char_type(t)) return mode == Mode::Print ? utf8_encode(v.as_int()) : quoted_char(v.as_int());
      if (is_unsigned_integer(t) && mode != Mode::Print)
        return fmt::format("0x{:0{}x}", static_cast<uint64_t>(v.as_int()), hex_digits(t));
      if (is_unsigned_integer(t) && integer_bits(t) == 64) return std::to_string(static_cast<uint64_t>(v.as_int()));
      return std::to_string(v.as_int());
    case Payload::Float64:
      return float_text(v.as_f64(), false, false);
    case Payload::Float32:
      return float_text(v.as_f32(), true, mode == Mode::Show);
    case Payload::Half: {
      // Julia shows a Float16 as Float16(2.5); BFloat16 likewise.
      bool bf = is_bfloat16(t);
      float f = bf ? bfloat_to_float(v.as_half_bits()) : half_to_float(v.as_half_bits());
      // The fewest digits that read back as the same half value (Float16(0.1) is 0.1).
      if (std::isfinite(f))
        for (int digits = 1; digits <= 9; ++digits) {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%.*g", digits, static_cast<double>(f));
          float g = std::strtof(buf, nullptr);
          if ((bf ? float_to_bfloat(g) : float_to_half(g)) == v.as_half_bits()) {
            f = g;
            break;
          }
        }
      std::string num = float_text(f, true, false);
      return mode == Mode::Show ? n->name + "(" + num + ")" : num;
    }
    case Payload::Bool:
      if (mode == Mode::Implicit) return v.as_bool() ? "1" : "0";
      return v.as_bool() ? "true" : "false";
    case Payload::None: {
      if (t == n->registry->Nothing) return "nothing";
      if (std::string user; g_show_hook && g_show_hook(v, mode == Mode::Print, user)) return user;
      return n->name + "()";
    }
    case Payload::Function:
      return v.as_function()->name();
    case Payload::Type:
      return show_type(v.as_type());
    case Payload::Object:
      break;
  }
  if (t == n->registry->String) return mode == Mode::Print ? v.as_string() : quoted_string(v.as_string());
  if (t == n->registry->Symbol) return mode == Mode::Print ? v.as_string() : symbol_text(v.as_string());
  if (is_tensor(v)) return show_tensor(v);
  if (std::string user; g_show_hook && g_show_hook(v, mode == Mode::Print, user)) return user;
  if (is_dict(v) || is_set(v)) return dict_text(v);
  const auto& fields = v.as_struct().fields;
  if (n->is_tuple) return "(" + elements(fields, Mode::Show) + (fields.size() == 1 ? ",)" : ")");
  if (n->is_named_tuple) {
    if (fields.empty()) return "NamedTuple()";
    std::string out = "(";
    for (size_t i = 0; i < fields.size(); ++i) out += (i ? ", " : "") + n->field_names[i] + " = " + text(fields[i], Mode::Show);
    return out + (fields.size() == 1 ? ",)" : ")");
  }
  if (is_pair_name(n) && fields.size() == 2) return pair_side(fields[0], Mode::Show) + " => " + pair_side(fields[1], Mode::Show);
  if (is_vector_name(n)) {
    const Type* elem = t->params[0];
    if (implied_element_type(elem) && !fields.empty()) return "[" + elements(fields, Mode::Show) + "]";
    return show_type(elem) + "[" + elements(fields, element_mode(elem)) + "]";
  }
  if (is_unit_range_name(n)) return text(fields[0], Mode::Show) + ":" + text(fields[1], Mode::Show);
  if (n == n->registry->StepRangeName)
    return text(fields[0], Mode::Show) + ":" + text(fields[1], Mode::Show) + ":" + text(fields[2], Mode::Show);
  return show_type(t) + "(" + elements(fields, Mode::Show) + ")";
}

}  // namespace

std::string show_value(const Value& v, bool quoted) { return text(v, quoted ? Mode::Show : Mode::Print); }

std::string show_element(const Value& v, const Type* elem) { return text(v, element_mode(elem)); }

void set_show_hook(ShowHook hook) { g_show_hook = hook; }

std::string show_value_plain(const Value& v) {
  if (!is_dict(v) && !is_set(v)) return text(v, Mode::Show);
  const DictObject& d = as_dict(v);
  const DataType* t = v.type();
  if (d.count == 0) return show_type(t) + "()";
  std::string out = show_type(t) + " with " + std::to_string(d.count) + (d.is_set ? " element" : " entr") +
                    (d.is_set ? (d.count == 1 ? "" : "s") : (d.count == 1 ? "y" : "ies")) + ":";
  if (d.is_set) {
    Mode m = element_mode(t->params[0]);
    each_entry(d, [&](const Value& k, const Value&) { out += "\n  " + text(k, m); });
    return out;
  }
  std::vector<std::pair<std::string, std::string>> rows;
  size_t width = 0;
  auto columns = [](const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  each_entry(d, [&](const Value& k, const Value& x) {
    rows.emplace_back(pair_side(k, element_mode(t->params[0])), pair_side(x, element_mode(t->params[1])));
    width = std::max(width, columns(rows.back().first));
  });
  for (auto& [k, x] : rows) out += "\n  " + k + std::string(width - columns(k), ' ') + " => " + x;
  return out;
}

}  // namespace tsr
