#include "runtime/value_printer.hpp"

#include <fmt/format.h>

#include <cmath>

#include "runtime/method_table.hpp"
#include "runtime/type_printer.hpp"

namespace tsr {

namespace {

// Shortest text that reads back to the same number, with a ".0" for whole numbers, as Julia.
template <class F>
std::string show_float(F x, bool f32) {
  if (std::isnan(x)) return f32 ? "NaN32" : "NaN";
  if (std::isinf(x)) return std::string(x < 0 ? "-Inf" : "Inf") + (f32 ? "32" : "");
  std::string s = fmt::format("{}", x);  // shortest text that reads back to x
  std::string mant = s, exp;
  if (auto e = s.find('e'); e != std::string::npos) {
    mant = s.substr(0, e);
    // 1e-07 -> -7, 1e+20 -> 20
    std::string digits = s.substr(e + 1);
    bool neg = digits[0] == '-';
    if (digits[0] == '-' || digits[0] == '+') digits.erase(0, 1);
    digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size() - 1));
    exp = (neg ? "-" : "") + digits;
  }
  if (mant.find('.') == std::string::npos) mant += ".0";
  if (f32) return mant + "f" + (exp.empty() ? "0" : exp);
  return exp.empty() ? mant : mant + "e" + exp;
}

}  // namespace

std::string show_value(const Value& v, bool quoted) {
  if (!v.defined()) return "#undef";
  const DataType* t = v.type();
  const TypeName* n = t->name;
  switch (n->payload) {
    case Payload::Int:
      if (n->name[0] == 'U') return fmt::format("0x{:x}", static_cast<uint64_t>(v.as_int()));
      return std::to_string(v.as_int());
    case Payload::Float64:
      return show_float(v.as_f64(), false);
    case Payload::Float32:
      return show_float(v.as_f32(), true);
    case Payload::Half:
      return n->name + "(0x" + fmt::format("{:04x}", v.as_half_bits()) + ")";
    case Payload::Bool:
      return v.as_bool() ? "true" : "false";
    case Payload::None:
      return n->name == "Nothing" ? "nothing" : n->name + "()";
    case Payload::Function:
      return v.as_function()->name();
    case Payload::Type:
      return show_type(v.as_type());
    case Payload::Object:
      break;
  }
  if (n->name == "String") return quoted ? "\"" + v.as_string() + "\"" : v.as_string();
  std::string out = n->is_tuple ? "(" : show_type(t) + "(";
  const auto& fields = v.as_struct().fields;
  for (size_t i = 0; i < fields.size(); ++i) out += (i ? ", " : "") + show_value(fields[i], true);
  if (n->is_tuple && fields.size() == 1) out += ",";
  return out + ")";
}

}  // namespace tsr
