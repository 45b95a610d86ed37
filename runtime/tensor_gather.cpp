// Selecting a tensor's elements by lists of positions and by masks: t[[1, 3], :],
// t[randperm(n), :], t[t .> 0], and the assignments t[mask] = 0, t[idx, :] = u. Julia's
// getindex copies for such indices, and so does this (ranges and integers give views,
// runtime/tensor.cpp).
//
// Order: a mask of the tensor's own shape (or a 1-d one of its length) selects in row-major
// order, the order of Tessera's linear indices t[k] and of t[:], so t[mask] == t[:][mask[:]]
// holds as it does in Julia (whose order is column-major, as its storage is). On 1-d tensors
// the two orders are the same: x[x .> 0] is exactly Julia's.
#include <cstring>

#include "runtime/errors.hpp"
#include "runtime/tensor.hpp"

namespace tsr {

bool selects_by_copy(std::span<const TensorIndex> idx) {
  for (const TensorIndex& x : idx)
    if (x.kind == TensorIndex::List || x.kind == TensorIndex::Mask) return true;
  return false;
}

namespace {

// Where the selected elements sit in the storage (element offsets), in the row-major order
// of the result, and the result's shape.
struct Selection {
  std::vector<int64_t> offsets;
  std::vector<int64_t> shape;
};

std::vector<int64_t> mask_positions(const TensorIndex& x) {
  std::vector<int64_t> out;
  for (size_t k = 0; k < x.mask.size(); ++k)
    if (x.mask[k]) out.push_back(static_cast<int64_t>(k) + 1);
  return out;
}

// The positions (1-based) one index selects along a dimension of length n.
std::vector<int64_t> positions_along(const Value& v, const TensorObject& t, std::span<const TensorIndex> idx,
                                     const TensorIndex& x, int64_t n) {
  std::vector<int64_t> pos;
  switch (x.kind) {
    case TensorIndex::Int: pos.push_back(x.start); break;
    case TensorIndex::All:
      for (int64_t k = 1; k <= n; ++k) pos.push_back(k);
      break;
    case TensorIndex::Range:
      if (x.step > 0)
        for (int64_t k = x.start; k <= x.stop; k += x.step) pos.push_back(k);
      else
        for (int64_t k = x.start; k >= x.stop; k += x.step) pos.push_back(k);
      break;
    case TensorIndex::List: pos = x.list; break;
    case TensorIndex::Mask:
      if (x.mask_shape.size() != 1)
        throw ArgumentError("a Bool index with several dimensions must be the tensor's only index");
      if (x.mask_shape[0] != n) tensor_bounds_error(v, t, idx);
      pos = mask_positions(x);
      break;
  }
  for (int64_t p : pos)
    if (p < 1 || p > n) tensor_bounds_error(v, t, idx);
  return pos;
}

Selection select(const Value& v, std::span<const TensorIndex> idx) {
  const TensorObject& t = tensor_of(v);
  Selection s;
  if (idx.size() == 1 && (t.rank != 1 || idx[0].kind == TensorIndex::Mask)) {
    // One index: linear positions (row-major). A mask has the tensor's shape or its length.
    const TensorIndex& x = idx[0];
    int64_t n = t.numel();
    std::vector<int64_t> pos;
    if (x.kind == TensorIndex::Mask) {
      bool same_shape = static_cast<int>(x.mask_shape.size()) == t.rank &&
                        std::equal(x.mask_shape.begin(), x.mask_shape.end(), t.shape);
      bool flat = x.mask_shape.size() == 1 && x.mask_shape[0] == n;
      if (!same_shape && !flat) tensor_bounds_error(v, t, idx);
      pos = mask_positions(x);
    } else {
      pos = x.list;
      for (int64_t p : pos)
        if (p < 1 || p > n) tensor_bounds_error(v, t, idx);
    }
    s.shape.push_back(static_cast<int64_t>(pos.size()));
    for (int64_t p : pos) s.offsets.push_back(storage_offset(t, p - 1));
    return s;
  }
  if (static_cast<int>(idx.size()) != t.rank)
    throw ArgumentError("a " + std::to_string(t.rank) + "-dimensional tensor needs " + std::to_string(t.rank) +
                        " indices, got " + std::to_string(idx.size()));
  // Per dimension: the offsets it contributes; an integer drops its dimension.
  int64_t base = t.offset;
  std::vector<std::vector<int64_t>> kept;
  for (int i = 0; i < t.rank; ++i) {
    std::vector<int64_t> pos = positions_along(v, t, idx, idx[i], t.shape[i]);
    if (idx[i].kind == TensorIndex::Int) {
      base += (pos[0] - 1) * t.strides[i];
      continue;
    }
    std::vector<int64_t> offs;
    for (int64_t p : pos) offs.push_back((p - 1) * t.strides[i]);
    s.shape.push_back(static_cast<int64_t>(offs.size()));
    kept.push_back(std::move(offs));
  }
  int64_t total = 1;
  for (int64_t d : s.shape) total *= d;
  if (total == 0) return s;
  // Row-major: the last kept dimension varies fastest.
  std::vector<size_t> at(kept.size(), 0);
  s.offsets.reserve(static_cast<size_t>(total));
  for (int64_t k = 0; k < total; ++k) {
    int64_t off = base;
    for (size_t d = 0; d < kept.size(); ++d) off += kept[d][at[d]];
    s.offsets.push_back(off);
    for (size_t d = kept.size(); d-- > 0;) {
      if (++at[d] < kept[d].size()) break;
      at[d] = 0;
    }
  }
  return s;
}

std::string shape_text(const int64_t* shape, size_t rank) {
  std::string s;
  for (size_t i = 0; i < rank; ++i) s += (i ? "×" : "") + std::to_string(shape[i]);
  return s;
}

}  // namespace

Value tensor_gather(TypeRegistry& types, const Value& v, std::span<const TensorIndex> idx) {
  const TensorObject& t = tensor_of(v);
  Selection s = select(v, idx);
  Value out = new_tensor(types, t.dtype, s.shape, v.type()->name);
  const TensorObject& o = tensor_of(out);
  size_t es = dtype_size(t.dtype);
  const char* from = static_cast<const char*>(t.storage->data);
  for (size_t k = 0; k < s.offsets.size(); ++k)
    std::memcpy(o.base + k * es, from + s.offsets[k] * static_cast<int64_t>(es), es);
  return out;
}

void tensor_scatter(TypeRegistry& types, const Value& v, std::span<const TensorIndex> idx, const Value& x) {
  const TensorObject& t = tensor_of(v);
  Selection s = select(v, idx);
  if (!is_tensor(x)) {
    for (int64_t off : s.offsets) store_element(types, t, off, x);
    return;
  }
  const TensorObject& from = tensor_of(x);
  int64_t n = static_cast<int64_t>(s.offsets.size());
  bool fits = s.shape.size() == 1 ? from.numel() == n
                                   : static_cast<size_t>(from.rank) == s.shape.size() &&
                                         std::equal(s.shape.begin(), s.shape.end(), from.shape);
  if (!fits) {
    // Julia's setindex_shape_check messages.
    if (s.shape.size() == 1)
      throw Error("DimensionMismatch",
                  "tried to assign " + std::to_string(from.numel()) + " elements to " + std::to_string(n) + " destinations");
    throw Error("DimensionMismatch", "tried to assign " + shape_text(from.shape, static_cast<size_t>(from.rank)) +
                                         " array to " + shape_text(s.shape.data(), s.shape.size()) + " destination");
  }
  // The source may share storage with the target (t[idx] = t[1:3]): read from a copy.
  Value src = from.storage == t.storage ? tensor_copy(types, x) : x;
  const TensorObject& o = tensor_of(src);
  for (int64_t k = 0; k < n; ++k)
    store_element(types, t, s.offsets[static_cast<size_t>(k)], load_element(types, o, storage_offset(o, k)));
}

}  // namespace tsr
