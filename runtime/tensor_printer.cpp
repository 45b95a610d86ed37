// Tensors as text, in the layout Julia's REPL uses for arrays, with a Tessera header:
//   2×3 Tensor{Float32, 2}:
//    1.0  2.0  3.0
//    4.0  5.0  6.0
// Vectors print one element a line; three or more dimensions print as matrices over the last
// two, each under its leading indices ([1, :, :] =). Large tensors leave out their middle.
#include <algorithm>

#include "runtime/tensor.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

namespace tsr {

namespace {

constexpr int64_t kMaxRows = 20;  // shown: first and last 10
constexpr int64_t kMaxCols = 12;  // shown: first and last 6

// The positions to show along a dimension of length n (-1 marks the cut).
std::vector<int64_t> shown(int64_t n, int64_t limit) {
  std::vector<int64_t> out;
  if (n <= limit) {
    for (int64_t i = 0; i < n; ++i) out.push_back(i);
    return out;
  }
  for (int64_t i = 0; i < limit / 2; ++i) out.push_back(i);
  out.push_back(-1);
  for (int64_t i = n - limit / 2; i < n; ++i) out.push_back(i);
  return out;
}

std::string element(TypeRegistry* types, const TensorObject& t, int64_t off) {
  (void)types;
  return show_value(load_element(*types, t, off), false);
}

// The matrix t[base..., :, :] (or the vector t[base..., :] when cols is false).
void matrix(TypeRegistry& types, const TensorObject& t, int64_t base, bool is_matrix, std::string& out) {
  int64_t nrows = t.shape[t.rank - (is_matrix ? 2 : 1)];
  int64_t ncols = is_matrix ? t.shape[t.rank - 1] : 1;
  int64_t rs = t.strides[t.rank - (is_matrix ? 2 : 1)], cs = is_matrix ? t.strides[t.rank - 1] : 0;
  std::vector<int64_t> rows = shown(nrows, kMaxRows), cols = shown(ncols, kMaxCols);
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> width(cols.size(), 1);
  for (int64_t r : rows) {
    std::vector<std::string> line;
    for (size_t c = 0; c < cols.size(); ++c) {
      std::string s = r < 0 ? (cols[c] < 0 ? "⋱" : "⋮") : cols[c] < 0 ? "…" : element(&types, t, base + r * rs + cols[c] * cs);
      width[c] = std::max(width[c], s.size() - (r < 0 || cols[c] < 0 ? 2 : 0));
      line.push_back(s);
    }
    cells.push_back(std::move(line));
  }
  for (const auto& line : cells) {
    std::string row;
    for (size_t c = 0; c < line.size(); ++c) {
      bool special = line[c] == "⋮" || line[c] == "…" || line[c] == "⋱";
      size_t w = special ? 1 : line[c].size();
      row += " " + std::string(width[c] - std::min(width[c], w), ' ') + line[c] + (c + 1 < line.size() ? " " : "");
    }
    while (!row.empty() && row.back() == ' ') row.pop_back();
    out += row + "\n";
  }
}

}  // namespace

std::string show_tensor(const Value& v) {
  const TensorObject& t = tensor_of(v);
  std::string dims;
  for (int i = 0; i < t.rank; ++i) dims += (i ? "×" : "") + std::to_string(t.shape[i]);
  std::string header = t.rank == 1 ? std::to_string(t.shape[0]) + "-element " + show_type(v.type())
                       : t.rank == 0 ? "0-dimensional " + show_type(v.type())
                                     : dims + " " + show_type(v.type());
  if (device_of(t) == Device::GPU) {
    header += " on the GPU";
    device_synchronize();  // its elements are read here, through unified memory
  }
  if (t.numel() == 0) return header;
  // Printing needs the registry only to name element types, which the tensor's type has.
  TypeRegistry& types = *const_cast<TypeRegistry*>(v.type()->name->registry);
  std::string out = header + ":\n";
  if (t.rank == 0) return out + " " + element(&types, t, t.offset);
  if (t.rank <= 2) {
    matrix(types, t, t.offset, t.rank == 2, out);
    out.pop_back();
    return out;
  }
  // Leading dimensions: one matrix each, the middle left out when there are many.
  int lead = t.rank - 2;
  int64_t count = 1;
  for (int i = 0; i < lead; ++i) count *= t.shape[i];
  std::vector<int64_t> which = shown(count, 6);
  for (int64_t k : which) {
    if (k < 0) {
      out += "\n⋮\n";
      continue;
    }
    std::string label = "[";
    int64_t rem = k, off = t.offset;
    std::vector<int64_t> idx(lead);
    for (int i = lead - 1; i >= 0; --i) {
      idx[i] = rem % t.shape[i];
      rem /= t.shape[i];
    }
    for (int i = 0; i < lead; ++i) {
      label += std::to_string(idx[i] + 1) + ", ";
      off += idx[i] * t.strides[i];
    }
    out += "\n" + label + ":, :] =\n";
    matrix(types, t, off, true, out);
  }
  out.pop_back();
  return out;
}

}  // namespace tsr
