#include "runtime/value_display.hpp"

#include <algorithm>

#include "runtime/method_table.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

namespace tsr {

namespace {

// The width of text in columns: UTF-8 continuation bytes take none.
size_t columns(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Julia's `alignment(io, x)`: the columns left and right of the point that lines up. Integers
// align on their right edge, other numbers on their decimal point (or exponent, or the f of
// Inf, as Julia's regex does), everything else on its left edge.
std::pair<size_t, size_t> alignment(const Value& v, const std::string& text) {
  const TypeName* n = v.type()->name;
  if (n->payload == Payload::Int || n->payload == Payload::Bool) return {columns(text), 0};
  if (n->payload == Payload::Float64 || n->payload == Payload::Float32 || n->payload == Payload::Half) {
    size_t cut = text.find_first_of(".eEfF");
    if (cut == std::string::npos) return {columns(text), 0};
    return {columns(text.substr(0, cut)), columns(text.substr(cut))};
  }
  return {0, columns(text)};
}

std::string display_vector(const Value& v, int rows) {
  const auto& xs = v.as_struct().fields;
  if (xs.empty()) return show_value(v);
  const Type* elem = v.type()->params[0];
  std::string out = std::to_string(xs.size()) + "-element " + show_type(v.type()) + ":";
  // Julia's print_matrix: past the screen (its height less 4 lines) the first half and the
  // last half-minus-one rows show, with a vertical ellipsis between them.
  size_t screen = static_cast<size_t>(std::max(rows - 4, 1));
  size_t top = xs.size(), bottom = 0;
  if (xs.size() > screen) {
    top = screen / 2;
    bottom = (screen - 1) / 2;
  }
  std::vector<std::string> texts;
  size_t left = 0, right = 0;
  auto visit = [&](size_t i) {
    texts.push_back(show_element(xs[i], elem));
    auto [l, r] = alignment(xs[i], texts.back());
    left = std::max(left, l);
    right = std::max(right, r);
  };
  for (size_t i = 0; i < top; ++i) visit(i);
  for (size_t i = xs.size() - bottom; i < xs.size(); ++i) visit(i);
  auto row = [&](size_t i, size_t k) {
    size_t l = alignment(xs[i], texts[k]).first;
    out += "\n " + std::string(left - l, ' ') + texts[k];
  };
  for (size_t i = 0; i < top; ++i) row(i, i);
  if (bottom) {
    // print_matrix_vdots: the ⋮ under the aligned point, padded to the column's width.
    size_t l = left > 1 ? left - 1 : 0;
    size_t r = left + right > 1 + l ? left + right - 1 - l : 0;
    out += "\n " + std::string(l, ' ') + "\u22ee" + std::string(r, ' ');
    for (size_t k = 0; k < bottom; ++k) row(xs.size() - bottom + k, top + k);
  }
  return out;
}

}  // namespace

std::string display_value(const Value& v, int rows) {
  if (v.payload() == Payload::Function) {
    size_t n = v.as_function()->methods().size();
    return v.as_function()->name() + " (generic function with " + std::to_string(n) + (n == 1 ? " method)" : " methods)");
  }
  if (v.payload() == Payload::Object && is_vector_name(v.type()->name)) return display_vector(v, rows);
  return show_value(v);
}

}  // namespace tsr
