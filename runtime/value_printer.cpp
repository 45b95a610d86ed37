#include "runtime/value_printer.hpp"

#include <fmt/format.h>

#include <cmath>

#include "runtime/method_table.hpp"
#include "runtime/type_printer.hpp"

namespace tsr {

namespace {

// Shortest text that reads back to the same number, with a ".0" for whole numbers, as Julia.
template <class F>
std::string show_float(F x, const char* suffix) {
  if (std::isnan(x)) return std::string("NaN") + (*suffix ? "32" : "");
  if (std::isinf(x)) return std::string(x < 0 ? "-Inf" : "Inf") + (*suffix ? "32" : "");
  std::string s = fmt::format("{}", x);
  bool has_exp = s.find('e') != std::string::npos;
  if (has_exp && *suffix) {
    auto e = s.find('e');
    std::string mant = s.substr(0, e);
    if (mant.find('.') == std::string::npos) mant += ".0";
    return mant + "f" + s.substr(e + 1);
  }
  if (!has_exp && s.find('.') == std::string::npos && s.find("inf") == std::string::npos) s += ".0";
  return s + suffix;
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
      return show_float(v.as_f64(), "");
    case Payload::Float32:
      return show_float(v.as_f32(), "f0");
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
