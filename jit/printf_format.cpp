#include "jit/printf_format.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <string_view>

#include "runtime/errors.hpp"
#include "runtime/half.hpp"
#include "runtime/number_types.hpp"
#include "runtime/type_registry.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

namespace tsr::jit {

namespace {

bool is_int_conversion(char c) { return std::string_view("diuxXo").find(c) != std::string_view::npos; }
bool is_float_conversion(char c) { return std::string_view("eEfFgGaA").find(c) != std::string_view::npos; }

size_t text_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string pad(std::string body, const FormatSpec& s, size_t width) {
  if (s.width < 0 || width >= static_cast<size_t>(s.width)) return body;
  std::string fill(s.width - width, ' ');
  return s.left ? body + fill : fill + body;
}

std::string utf8(uint32_t cp) {
  std::string out;
  if (cp < 0x80) out += static_cast<char>(cp);
  else if (cp < 0x800) out += {static_cast<char>(0xC0 | cp >> 6), static_cast<char>(0x80 | (cp & 0x3F))};
  else if (cp < 0x10000)
    out += {static_cast<char>(0xE0 | cp >> 12), static_cast<char>(0x80 | (cp >> 6 & 0x3F)), static_cast<char>(0x80 | (cp & 0x3F))};
  else
    out += {static_cast<char>(0xF0 | cp >> 18), static_cast<char>(0x80 | (cp >> 12 & 0x3F)),
            static_cast<char>(0x80 | (cp >> 6 & 0x3F)), static_cast<char>(0x80 | (cp & 0x3F))};
  return out;
}

// Julia's Printf for integers: the sign and the magnitude's digits (so %x of -255 is -ff),
// precision as a minimum digit count, zero padding after the sign and any 0x.
std::string format_int(const FormatSpec& s, bool neg, uint64_t mag) {
  int base = s.conversion == 'o' ? 8 : (s.conversion == 'x' || s.conversion == 'X') ? 16 : 10;
  const char* digits = s.conversion == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string num;
  do {
    num.insert(num.begin(), digits[mag % base]);
    mag /= base;
  } while (mag);
  std::string sign = neg ? "-" : s.plus ? "+" : s.space ? " " : "";
  std::string prefix = s.alt && s.conversion == 'o' ? "0" : s.alt && s.conversion == 'x' ? "0x" : s.alt && s.conversion == 'X' ? "0X" : "";
  if (s.precision > static_cast<int>(num.size())) num.insert(0, s.precision - num.size(), '0');
  size_t len = sign.size() + prefix.size() + num.size();
  if (s.zero && !s.left && s.precision <= 0 && s.width > static_cast<int>(len)) num.insert(0, s.width - len, '0');
  return pad(sign + prefix + num, s, sign.size() + prefix.size() + num.size());
}

std::string format_float(const FormatSpec& s, double x) {
  if (!std::isfinite(x)) {
    // Ryu's spelling (Inf, NaN), padded as Julia pads: zeros after the sign with the 0 flag.
    std::string sign = std::isnan(x) ? "" : x < 0 ? "-" : s.plus ? "+" : s.space ? " " : "";
    std::string body = std::isnan(x) ? "NaN" : "Inf";
    size_t len = sign.size() + body.size();
    if (s.zero && !s.left && s.width > static_cast<int>(len)) body.insert(0, s.width - len, '0');
    return pad(sign + body, s, sign.size() + body.size());
  }
  std::string cfmt = "%";
  if (s.left) cfmt += '-';
  if (s.plus) cfmt += '+';
  if (s.space) cfmt += ' ';
  if (s.zero) cfmt += '0';
  if (s.alt) cfmt += '#';
  if (s.width >= 0) cfmt += std::to_string(s.width);
  if (s.precision >= 0) cfmt += "." + std::to_string(s.precision);
  cfmt += s.conversion;
  int n = std::snprintf(nullptr, 0, cfmt.c_str(), x);
  std::string out(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(out.data(), out.size(), cfmt.c_str(), x);
  out.resize(static_cast<size_t>(n));
  return out;
}

bool is_number(const Value& v) {
  switch (v.payload()) {
    case Payload::Int: case Payload::Bool: case Payload::Float64: case Payload::Float32: case Payload::Half: return true;
    default: return false;
  }
}

double as_double(const Value& v) {
  switch (v.payload()) {
    case Payload::Float64: return v.as_f64();
    case Payload::Float32: return v.as_f32();
    case Payload::Bool: return v.as_bool();
    case Payload::Half: {
      bool bf = is_bfloat16(v.type());
      return bf ? bfloat_to_float(v.as_half_bits()) : half_to_float(v.as_half_bits());
    }
    default:
      return is_unsigned_integer(v.type()) && integer_bits(v.type()) == 64 ? static_cast<double>(static_cast<uint64_t>(v.as_int()))
                                                : static_cast<double>(v.as_int());
  }
}

std::string format_one(const FormatSpec& s, const Value& v) {
  char c = s.conversion;
  if (c == 's') {
    std::string text = show_value(v, false);
    if (s.precision >= 0) {
      // At most `precision` characters (code points).
      size_t keep = 0, seen = 0;
      while (keep < text.size() && (seen < static_cast<size_t>(s.precision) || (text[keep] & 0xC0) == 0x80)) {
        if ((text[keep] & 0xC0) != 0x80) ++seen;
        ++keep;
      }
      text.resize(keep);
    }
    return pad(text, s, text_width(text));
  }
  if (c == 'c') {
    std::string ch;
    if (v.type() == v.type()->name->registry->String && !v.as_string().empty()) {
      const std::string& t = v.as_string();
      size_t len = 1;
      while (len < t.size() && (t[len] & 0xC0) == 0x80) ++len;
      ch = t.substr(0, len);
    } else if (v.payload() == Payload::Int) {
      ch = utf8(static_cast<uint32_t>(v.as_int()));
    } else {
      throw ArgumentError("%c needs a character code or a string, got a value of type " + show_type(v.type()));
    }
    return pad(ch, s, 1);
  }
  if (!is_number(v))
    throw ArgumentError(std::string("%") + c + " needs a number, got a value of type " + show_type(v.type()));
  if (is_int_conversion(c)) {
    if (v.payload() == Payload::Int || v.payload() == Payload::Bool) {
      bool unsigned_type = is_unsigned_integer(v.type());
      int64_t i = v.payload() == Payload::Bool ? v.as_bool() : v.as_int();
      bool neg = !unsigned_type && i < 0;
      uint64_t mag = neg ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
      return format_int(s, neg, mag);
    }
    // A float under an integer conversion prints as %.0f with the same flags (Julia's floatfmt).
    FormatSpec f = s;
    f.conversion = 'f';
    f.precision = 0;
    return format_float(f, as_double(v));
  }
  return format_float(s, as_double(v));
}

}  // namespace

std::optional<std::vector<FormatSpec>> parse_format(const std::string& fmt, std::string* error, size_t* error_begin,
                                                    size_t* error_end) {
  std::vector<FormatSpec> out;
  size_t i = 0, start = 0;
  auto fail = [&](const std::string& message) -> std::optional<std::vector<FormatSpec>> {
    if (error) *error = message;
    if (error_begin) *error_begin = start;
    if (error_end) *error_end = std::min(std::max(i, start + 1), fmt.size());
    return std::nullopt;
  };
  if (fmt.empty()) return fail("the format string must not be empty");
  FormatSpec cur;
  while (i < fmt.size()) {
    if (fmt[i] != '%') {
      cur.literal += fmt[i++];
      continue;
    }
    start = i++;
    if (i < fmt.size() && fmt[i] == '%') {
      cur.literal += '%';
      ++i;
      continue;
    }
    auto incomplete = [&] { return fail("the format specifier `" + fmt.substr(start) + "` is incomplete"); };
    for (; i < fmt.size(); ++i) {
      char f = fmt[i];
      if (f == '-') cur.left = true;
      else if (f == '+') cur.plus = true;
      else if (f == ' ') cur.space = true;
      else if (f == '0') cur.zero = true;
      else if (f == '#') cur.alt = true;
      else break;
    }
    if (cur.left) cur.zero = false;
    if (i < fmt.size() && fmt[i] == '*') return fail("a width given as an argument (`*`) is not supported yet");
    for (; i < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i])); ++i) cur.width = std::max(cur.width, 0) * 10 + (fmt[i] - '0');
    if (i < fmt.size() && fmt[i] == '.') {
      ++i;
      if (i < fmt.size() && fmt[i] == '*') return fail("a precision given as an argument (`.*`) is not supported yet");
      cur.precision = 0;
      for (; i < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i])); ++i) cur.precision = cur.precision * 10 + (fmt[i] - '0');
    }
    // Length modifiers mean nothing here (Julia ignores them too).
    while (i < fmt.size() && std::string_view("hlLjqtz").find(fmt[i]) != std::string_view::npos) ++i;
    if (i >= fmt.size()) return incomplete();
    char c = fmt[i++];
    if (c == 'D' || c == 'O' || c == 'U') c = static_cast<char>(std::tolower(c));
    if (c == 'S') c = 's';
    if (c == 'C') c = 'c';
    if (!is_int_conversion(c) && !is_float_conversion(c) && c != 's' && c != 'c')
      return fail("`" + fmt.substr(start, i - start) + "`: '" + std::string(1, c) + "' is not a supported conversion " +
                  "(d i u x X o e E f F g G a A s c, or %% for a %)");
    if (is_int_conversion(c) && cur.precision > 0) cur.zero = false;
    if (is_float_conversion(c) && cur.precision < 0 && c != 'a' && c != 'A') cur.precision = 6;
    cur.conversion = c;
    out.push_back(std::move(cur));
    cur = FormatSpec();
  }
  out.push_back(std::move(cur));  // the text after the last conversion
  return out;
}

size_t format_arguments(const std::vector<FormatSpec>& specs) { return specs.size() - 1; }

std::string format_values(const std::vector<FormatSpec>& specs, std::span<const Value> args) {
  std::string out;
  for (size_t k = 0; k < specs.size(); ++k) {
    out += specs[k].literal;
    if (specs[k].conversion && k < args.size()) out += format_one(specs[k], args[k]);
  }
  return out;
}

}  // namespace tsr::jit
