// Built-in methods on Strings: operators on whole strings (*, ^, join, comparisons, case), and
// those that read a String's UTF-8 bytes: indexing by byte (s[i] is a Char, s[i:j]
// a String), lengths in characters, character classes, strip/split, parse. What can be said
// with these is in stdlib/Strings.tsr.
#include <cctype>
#include <cerrno>
#include <tuple>
#include <cmath>
#include <cstdlib>
#include <string>

#include "jit/builtin_registrar.hpp"
#include "runtime/allocator.hpp"
#include "runtime/construct.hpp"
#include "runtime/errors.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

namespace tsr::jit {

namespace {

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// The code point starting at byte i (0-based) and its byte count (an invalid byte is U+FFFD).
char32_t decode_at(const std::string& s, size_t i, size_t* len) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) {
    *len = 1;
    return 0xFFFD;
  }
  char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) {
    if (!is_continuation(static_cast<unsigned char>(s[i + k]))) {
      *len = 1;
      return 0xFFFD;
    }
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  }
  *len = n;
  return cp;
}

// Julia's isspace: ASCII white space, U+85, U+A0 and the Unicode space separators.
bool is_space(char32_t c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
         c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}
// Letters: ASCII, Latin-1 and Latin Extended, Greek, Cyrillic (what scripts meet in practice).
bool is_letter(char32_t c) {
  if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
  return (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || (c >= 0x370 && c <= 0x3FF && c != 0x37E) ||
         (c >= 0x400 && c <= 0x4FF);
}
// Case mapping for the same ranges (Latin-1's pairs are 0x20 apart, Greek's too, Cyrillic's
// 0x20 and 0x50).
char32_t upper(char32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if ((c >= 0xE0 && c <= 0xFE && c != 0xF7) || (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) || (c >= 0x430 && c <= 0x44F))
    return c - 32;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  return c;
}
char32_t lower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3A9) || (c >= 0x410 && c <= 0x42F)) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

const std::string& text_of(std::span<const Value> a, size_t i) { return a[i].as_string(); }

std::string codeunits_what(const std::string& s) { return std::to_string(s.size()) + "-codeunit String"; }

// Julia's StringIndexError for byte i (1-based) inside a character: the valid indices around it.
[[noreturn]] void string_index_error(const std::string& s, int64_t i) {
  size_t before = static_cast<size_t>(i - 1);
  while (before > 0 && is_continuation(static_cast<unsigned char>(s[before]))) --before;
  size_t len = 1;
  char32_t c = decode_at(s, before, &len);
  std::string msg = "invalid index [" + std::to_string(i) + "], valid nearby indices [" + std::to_string(before + 1) +
                    "]=>'" + utf8_encode(c) + "'";
  if (before + len < s.size()) {
    size_t l2 = 1;
    char32_t c2 = decode_at(s, before + len, &l2);
    msg += ", [" + std::to_string(before + len + 1) + "]=>'" + utf8_encode(c2) + "'";
  }
  throw Error("StringIndexError", msg);
}


template <class F>
std::string map_chars(const std::string& s, F f) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t len = 1;
    char32_t c = decode_at(s, i, &len);
    out += len == 1 && c == 0xFFFD ? std::string(1, s[i]) : utf8_encode(f(c));
    i += len;
  }
  return out;
}

// Characters that strip removes: white space, or the characters of a given set.
bool strip_this(char32_t c, const std::vector<char32_t>* set) {
  if (!set) return is_space(c);
  for (char32_t x : *set)
    if (x == c) return true;
  return false;
}

std::string strip_text(const std::string& s, bool left, bool right, const std::vector<char32_t>* set) {
  size_t b = 0, e = s.size();
  while (left && b < e) {
    size_t len = 1;
    if (!strip_this(decode_at(s, b, &len), set)) break;
    b += len;
  }
  while (right && e > b) {
    size_t start = e - 1;
    while (start > b && is_continuation(static_cast<unsigned char>(s[start]))) --start;
    size_t len = 1;
    if (!strip_this(decode_at(s, start, &len), set)) break;
    e = start;
  }
  return s.substr(b, e - b);
}

// parse(Int, s) as Julia's: surrounding white space allowed, a sign, 0x/0o/0b prefixes when
// no base is given. The error message, or "" with *out set.
std::string parse_integer(const std::string& s, int base, const DataType* to, TypeRegistry& t, Value* out) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && is_space(static_cast<unsigned char>(s[e - 1]))) --e;
  if (b == e) return "ArgumentError:input string is empty or only contains whitespace";
  bool neg = false;
  if (s[b] == '+' || s[b] == '-') {
    neg = s[b] == '-';
    ++b;
  }
  if (base == 0) {
    base = 10;
    if (e - b > 2 && s[b] == '0' && (s[b + 1] == 'x' || s[b + 1] == 'o' || s[b + 1] == 'b')) {
      base = s[b + 1] == 'x' ? 16 : s[b + 1] == 'o' ? 8 : 2;
      b += 2;
    }
  }
  if (b == e) return "ArgumentError:premature end of integer: " + show_value(Value::from_object(t.String, new StringObject(s)));
  unsigned __int128 v = 0;
  bool overflow = false;
  for (size_t i = b; i < e; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int d = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'z' ? (c | 0x20) - 'a' + 10 : 99;
    if (is_space(c)) return "ArgumentError:extra characters after whitespace in " + show_value(Value::from_object(t.String, new StringObject(s)));
    if (d >= base) {
      size_t len = 1;
      char32_t cp = decode_at(s, i, &len);
      return "ArgumentError:invalid base " + std::to_string(base) + " digit '" + utf8_encode(cp) + "' in " +
             show_value(Value::from_object(t.String, new StringObject(s)));
    }
    v = v * base + d;
    if (v > (unsigned __int128)UINT64_MAX) overflow = true;
  }
  int bits = integer_bits(to);
  bool un = is_unsigned_integer(to);
  unsigned __int128 limit = un ? (bits == 64 ? (unsigned __int128)UINT64_MAX : ((unsigned __int128)1 << bits) - 1)
                               : ((unsigned __int128)1 << (bits - 1)) - (neg ? 0 : 1);
  if (overflow || v > limit || (un && neg && v != 0))
    return "OverflowError:overflow parsing " + show_value(Value::from_object(t.String, new StringObject(s)));
  int64_t i = neg ? int64_t(0 - uint64_t(v)) : int64_t(uint64_t(v));
  *out = Value::from_int(to, i);
  return "";
}

std::string parse_float(const std::string& s, const DataType* to, TypeRegistry& t, Value* out) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && is_space(static_cast<unsigned char>(s[e - 1]))) --e;
  std::string body = s.substr(b, e - b);
  auto fail = [&] { return "ArgumentError:cannot parse " + show_value(Value::from_object(t.String, new StringObject(s))) + " as " + show_type(to); };
  if (body.empty() || body.find_first_of("xXpP") != std::string::npos) return fail();
  char* end = nullptr;
  errno = 0;
  double d = std::strtod(body.c_str(), &end);
  if (end != body.c_str() + body.size() || body.find('\0') != std::string::npos) return fail();
  if (to == t.Float32) {
    float f = std::strtof(body.c_str(), nullptr);
    *out = Value::from_f32(to, f);
  } else {
    *out = Value::from_f64(to, d);
  }
  return "";
}

const std::string& str_arg(std::span<const Value> a, size_t i) { return a[i].as_string(); }

}  // namespace

void register_string_operators(Registrar& r) {
  TypeRegistry& t = r.t_;
  const Type* S = t.String;
  r.add("*", {S, S}, {"a", "b"}, S, [&r](std::span<const Value> a) { return r.str(str_arg(a, 0) + str_arg(a, 1)); });
  auto repeat = [&r](std::span<const Value> a) {
    int64_t n = a[1].as_int();
    if (n < 0) throw ArgumentError("can't repeat a string " + std::to_string(n) + " times");
    const std::string& s = str_arg(a, 0);
    // The size is known up front: refuse what memory cannot hold before copying anything.
    uint64_t bytes = 0;
    if (__builtin_mul_overflow(static_cast<uint64_t>(s.size()), static_cast<uint64_t>(n), &bytes) ||
        bytes > physical_memory_bytes())
      throw Error("OutOfMemoryError", "repeating a string of " + std::to_string(s.size()) + " bytes " + std::to_string(n) +
                                          " times needs more memory than this machine has");
    std::string out;
    out.reserve(bytes);
    for (int64_t i = 0; i < n; ++i) out += s;
    return r.str(out);
  };
  r.add("^", {S, t.Integer}, {"s", "n"}, S, repeat);
  r.add("repeat", {S, t.Integer}, {"s", "n"}, S, repeat);
  auto map_chars = [&r](int (*f)(int)) {
    return [&r, f](std::span<const Value> a) {
      std::string s = str_arg(a, 0);
      for (char& c : s) c = static_cast<char>(f(static_cast<unsigned char>(c)));
      return r.str(s);
    };
  };
  r.add("uppercase", {S}, {"s"}, S, map_chars(&::toupper));
  r.add("lowercase", {S}, {"s"}, S, map_chars(&::tolower));
  r.add("startswith", {S, S}, {"s", "prefix"}, t.Bool,
        [&r](std::span<const Value> a) { return r.boolean(str_arg(a, 0).rfind(str_arg(a, 1), 0) == 0); });
  r.add("endswith", {S, S}, {"s", "suffix"}, t.Bool, [&r](std::span<const Value> a) {
    const std::string &s = str_arg(a, 0), &x = str_arg(a, 1);
    return r.boolean(s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0);
  });
  r.add("occursin", {S, S}, {"needle", "haystack"}, t.Bool,
        [&r](std::span<const Value> a) { return r.boolean(str_arg(a, 1).find(str_arg(a, 0)) != std::string::npos); });
  auto join = [&r](std::span<const Value> a) {
    std::string sep = a.size() > 1 ? show_value(a[1], false) : "";
    std::string out;
    const auto& xs = a[0].as_struct().fields;
    for (size_t i = 0; i < xs.size(); ++i) out += (i ? sep : "") + show_value(xs[i], false);
    return r.str(out);
  };
  r.add("join", {t.Any}, {"xs"}, S, join);
  r.add("join", {t.Any, t.Any}, {"xs", "sep"}, S, join);
  auto cmp = [&r](int want) {
    return [&r, want](std::span<const Value> a) {
      int c = str_arg(a, 0).compare(str_arg(a, 1));
      c = c < 0 ? -1 : (c > 0 ? 1 : 0);
      // want: -1 <, -2 <=, 1 >, 2 >=
      bool ok = want == -1 ? c < 0 : want == -2 ? c <= 0 : want == 1 ? c > 0 : c >= 0;
      return r.boolean(ok);
    };
  };
  r.add("<", {S, S}, {"a", "b"}, t.Bool, cmp(-1));
  r.add("<=", {S, S}, {"a", "b"}, t.Bool, cmp(-2));
  r.add(">", {S, S}, {"a", "b"}, t.Bool, cmp(1));
  r.add(">=", {S, S}, {"a", "b"}, t.Bool, cmp(2));
}


void register_string_builtins(Registrar& r) {
  TypeRegistry& t = r.t_;
  const Type* S = t.String;
  const Type* C = t.Char;
  auto chr = [&t](char32_t c) { return Value::from_int(t.Char, c); };
  r.add("ncodeunits", {S}, {"s"}, t.Int64, [&r](std::span<const Value> a) { return r.integer(int64_t(text_of(a, 0).size())); });
  // __search(s, p, k): the byte index of p's first occurrence in s at or after byte k, 0 when
  // there is none (replace's search, stdlib/Strings.tsr); "" occurs at k, up to ncodeunits + 1.
  r.add("__search", {S, S, t.Int64}, {"s", "p", "k"}, t.Int64, [&r](std::span<const Value> a) {
    const std::string& s = text_of(a, 0);
    int64_t k = a[2].as_int();
    if (k < 1 || k > int64_t(s.size()) + 1) return r.integer(0);
    size_t at = s.find(text_of(a, 1), size_t(k - 1));
    return r.integer(at == std::string::npos ? 0 : int64_t(at) + 1);
  });
  r.add("sizeof", {S}, {"s"}, t.Int64, [&r](std::span<const Value> a) { return r.integer(int64_t(text_of(a, 0).size())); });
  // s[i]: the character starting at byte i.
  r.add("getindex", {S, t.Integer}, {"s", "i"}, C, [chr](std::span<const Value> a) {
    const std::string& s = text_of(a, 0);
    int64_t i = a[1].as_int();
    if (i < 1 || i > int64_t(s.size()))
      throw Error("BoundsError", "attempt to access " + codeunits_what(s) + " at index [" + std::to_string(i) + "]");
    if (is_continuation(static_cast<unsigned char>(s[i - 1]))) string_index_error(s, i);
    size_t len = 1;
    return chr(decode_at(s, size_t(i - 1), &len));
  });
  // s[i:j]: bytes i to the end of the character starting at j.
  r.add("getindex", {S, t.lookup("UnitRange")}, {"s", "r"}, S, [&r](std::span<const Value> a) {
    const std::string& s = text_of(a, 0);
    const auto& f = a[1].as_struct().fields;
    int64_t i = f[0].as_int(), j = f[1].as_int();
    if (j < i) return r.str("");
    if (i < 1 || j > int64_t(s.size()))
      throw Error("BoundsError", "attempt to access " + codeunits_what(s) + " at index [" + show_value(a[1]) + "]");
    if (is_continuation(static_cast<unsigned char>(s[i - 1]))) string_index_error(s, i);
    if (is_continuation(static_cast<unsigned char>(s[j - 1]))) string_index_error(s, j);
    size_t len = 1;
    decode_at(s, size_t(j - 1), &len);
    return r.str(s.substr(size_t(i - 1), size_t(j - i) + len));
  });
  // The next character's byte index after i (ncodeunits + 1 at the end), and the previous one.
  r.add("nextind", {S, t.Integer}, {"s", "i"}, t.Int64, [&r](std::span<const Value> a) {
    const std::string& s = text_of(a, 0);
    int64_t i = a[1].as_int();
    if (i < 0 || i > int64_t(s.size()))
      throw Error("BoundsError", "attempt to access " + codeunits_what(s) + " at index [" + std::to_string(i) + "]");
    if (i == 0) return r.integer(1);
    size_t k = size_t(i);
    while (k < s.size() && is_continuation(static_cast<unsigned char>(s[k]))) ++k;
    return r.integer(int64_t(k) + 1);
  });
  r.add("prevind", {S, t.Integer}, {"s", "i"}, t.Int64, [&r](std::span<const Value> a) {
    const std::string& s = text_of(a, 0);
    int64_t i = a[1].as_int();
    if (i < 1 || i > int64_t(s.size()) + 1)
      throw Error("BoundsError", "attempt to access " + codeunits_what(s) + " at index [" + std::to_string(i) + "]");
    int64_t k = i - 1;
    while (k > 1 && is_continuation(static_cast<unsigned char>(s[k - 1]))) --k;
    return r.integer(k);
  });
  r.add("lastindex", {S}, {"s"}, t.Int64, [&r](std::span<const Value> a) {
    const std::string& s = text_of(a, 0);
    int64_t k = int64_t(s.size());
    while (k > 1 && is_continuation(static_cast<unsigned char>(s[k - 1]))) --k;
    return r.integer(k);
  });
  r.add("isvalid", {S, t.Integer}, {"s", "i"}, t.Bool, [&r](std::span<const Value> a) {
    const std::string& s = text_of(a, 0);
    int64_t i = a[1].as_int();
    return r.boolean(i >= 1 && i <= int64_t(s.size()) && !is_continuation(static_cast<unsigned char>(s[i - 1])));
  });
  // Characters as a vector (collect("abc") is ['a', 'b', 'c']).
  r.add("__chars", {S}, {"s"}, nullptr, [&t, chr](std::span<const Value> a) {
    const std::string& s = text_of(a, 0);
    std::vector<Value> out;
    for (size_t i = 0; i < s.size();) {
      size_t len = 1;
      out.push_back(chr(decode_at(s, i, &len)));
      i += len;
    }
    return vector_of(t, t.Char, std::move(out));
  });
  auto char_test = [&r](const char* name, bool (*p)(char32_t)) {
    r.add(name, {r.t_.Char}, {"c"}, r.t_.Bool, [&r, p](std::span<const Value> a) { return r.boolean(p(char32_t(a[0].as_int()))); });
  };
  char_test("isspace", is_space);
  char_test("isletter", is_letter);
  char_test("isdigit", [](char32_t c) { return c >= '0' && c <= '9'; });
  char_test("isuppercase", [](char32_t c) { return is_letter(c) && lower(c) != c; });
  char_test("islowercase", [](char32_t c) { return is_letter(c) && upper(c) != c; });
  char_test("isascii", [](char32_t c) { return c < 0x80; });
  char_test("ispunct", [](char32_t c) { return c < 0x80 && std::ispunct(int(c)); });
  r.add("uppercase", {C}, {"c"}, C, [chr](std::span<const Value> a) { return chr(upper(char32_t(a[0].as_int()))); });
  r.add("lowercase", {C}, {"c"}, C, [chr](std::span<const Value> a) { return chr(lower(char32_t(a[0].as_int()))); });
  r.add("uppercase", {S}, {"s"}, S, [&r](std::span<const Value> a) { return r.str(map_chars(text_of(a, 0), upper)); });
  r.add("lowercase", {S}, {"s"}, S, [&r](std::span<const Value> a) { return r.str(map_chars(text_of(a, 0), lower)); });
  // strip(s), strip(s, chars) with chars a Char or a vector of them; lstrip and rstrip.
  auto stripper = [&r](bool left, bool right) {
    return [&r, left, right](std::span<const Value> a) {
      std::vector<char32_t> set;
      if (a.size() > 1) {
        if (a[1].type() == r.t_.Char) set.push_back(char32_t(a[1].as_int()));
        else
          for (const Value& c : a[1].as_struct().fields) set.push_back(char32_t(c.as_int()));
      }
      return r.str(strip_text(text_of(a, 0), left, right, a.size() > 1 ? &set : nullptr));
    };
  };
  TypeVar* V = t.new_typevar("V", nullptr, t.Char);
  const Type* chars = t.unionall(V, t.instantiate(t.lookup("Vector"), std::vector<const Type*>{V}));
  for (auto [name, l, rt] : {std::tuple{"strip", true, true}, {"lstrip", true, false}, {"rstrip", false, true}}) {
    r.add(name, {S}, {"s"}, S, stripper(l, rt));
    r.add(name, {S, C}, {"s", "c"}, S, stripper(l, rt));
    r.add(name, {S, chars}, {"s", "chars"}, S, stripper(l, rt));
  }
  // split(s): on runs of white space, no empty pieces. split(s, delim; limit, keepempty):
  // on each delimiter (a String or a Char), keeping empty pieces unless keepempty = false.
  r.add("split", {S}, {"s"}, nullptr, [&t](std::span<const Value> a) {
    const std::string& s = text_of(a, 0);
    std::vector<Value> out;
    size_t i = 0;
    while (i < s.size()) {
      size_t len = 1;
      while (i < s.size() && is_space(decode_at(s, i, &len))) i += len;
      size_t b = i;
      while (i < s.size() && !is_space(decode_at(s, i, &len))) i += len;
      if (i > b) out.push_back(Value::from_object(t.String, new StringObject(s.substr(b, i - b))));
    }
    return vector_of(t, t.String, std::move(out));
  });
  auto split_on = [&t](std::span<const Value> a) {
    const std::string& s = text_of(a, 0);
    std::string delim = a[1].type() == t.Char ? utf8_encode(a[1].as_int()) : a[1].as_string();
    int64_t limit = 0;
    bool keepempty = true;
    if (has_kwargs(a.data(), a.size())) {
      const auto& kw = a.back().as_struct().fields;
      for (size_t i = 0; i + 1 < kw.size(); i += 2) {
        if (kw[i].as_string() == "limit") limit = kw[i + 1].as_int();
        else keepempty = kw[i + 1].as_bool();
      }
    }
    std::vector<Value> out;
    auto piece = [&](std::string p) {
      if (keepempty || !p.empty()) out.push_back(Value::from_object(t.String, new StringObject(std::move(p))));
    };
    size_t b = 0;
    while (true) {
      size_t at = delim.empty() ? (b < s.size() ? b + 1 : std::string::npos) : s.find(delim, b);
      if (at == std::string::npos || (limit > 0 && int64_t(out.size()) == limit - 1)) break;
      if (delim.empty() && at >= s.size()) break;
      piece(s.substr(b, at - b));
      b = at + delim.size();
    }
    piece(s.substr(std::min(b, s.size())));
    return vector_of(t, t.String, std::move(out));
  };
  r.add("split", {S, S}, {"s", "delim"}, nullptr, split_on, {"limit", "keepempty"});
  r.add("split", {S, C}, {"s", "delim"}, nullptr, split_on, {"limit", "keepempty"});
  // parse(T, s) and tryparse(T, s) for the integer types (base = b) and Float64/Float32.
  for (const DataType* nt : {t.Int64, t.Int32, t.Int16, t.Int8, t.UInt8, t.UInt16, t.UInt32, t.UInt64, t.Float64, t.Float32}) {
    bool fl = nt == t.Float64 || nt == t.Float32;
    auto run = [&t, nt, fl](std::span<const Value> a, Value* out) {
      int base = 0;
      if (has_kwargs(a.data(), a.size())) {
        const auto& kw = a.back().as_struct().fields;
        for (size_t i = 0; i + 1 < kw.size(); i += 2) base = int(kw[i + 1].as_int());
        if (base < 2 || base > 36) throw ArgumentError("invalid base: base must be 2 ≤ base ≤ 36, got " + std::to_string(base));
      }
      return fl ? parse_float(a[1].as_string(), nt, t, out) : parse_integer(a[1].as_string(), base, nt, t, out);
    };
    std::vector<std::string> kws = fl ? std::vector<std::string>{} : std::vector<std::string>{"base"};
    r.add("parse", {t.type_of_type(nt), S}, {"T", "s"}, nt, [run](std::span<const Value> a) {
      Value out;
      std::string err = run(a, &out);
      if (!err.empty()) {
        size_t colon = err.find(':');
        throw Error(err.substr(0, colon), err.substr(colon + 1));
      }
      return out;
    }, kws);
    r.add("tryparse", {t.type_of_type(nt), S}, {"T", "s"}, nullptr, [run, &r](std::span<const Value> a) {
      Value out;
      return run(a, &out).empty() ? out : r.nothing();
    }, kws);
  }
}

}  // namespace tsr::jit
