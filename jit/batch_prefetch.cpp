// DataLoader's batches prepared on another thread (stdlib/Data.tsr):
//   __prefetch_rows(data, order, lo, hi) starts copying rows order[lo:hi] (all rows lo:hi when
//   order is nothing) of each tensor of the tuple `data` into new tensors, and returns at once;
//   __take_batch(p) waits for that copy and gives the tuple of new tensors.
// Why this is safe with the runtime's threading model (runtime/thread_pool.hpp: its shared
// state is single-threaded): everything touching the runtime — checking the arguments, making
// the output tensors, reference counts of Values — happens here on the calling thread. The
// other threads only copy bytes between storages: the sources, kept alive by the batch, and
// the outputs, which nobody sees before __take_batch has waited for the copy. The kernel pool's
// workers copy in their idle time between launches (run_when_idle, runtime/thread_pool.hpp):
// a training step's serial glue leaves them idle for a third of it, and a copier thread of its
// own took a core from a matmul's worker on these 2-core machines (the MLP's epoch was 0.02-0.04 s
// slower with it than with copying on the main thread). __take_batch copies what is left. A script that writes into
// the source tensors while a loop over the loader runs races with that copy; docs/language.md
// says not to.
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "jit/builtin_registrar.hpp"
#include "runtime/errors.hpp"
#include "runtime/thread_pool.hpp"

namespace tsr::jit {

namespace {

// One batch being copied; the tensors it will hold, and the copy's completion.
struct PendingBatch : StructObject {
  std::vector<Value> sources, outputs;
  const DataType* tuple_type = nullptr;
  std::shared_ptr<BackgroundWork> copy;
  bool taken = false;
  ~PendingBatch() override {
    if (copy) copy->finish();  // the sources must outlive the copy
  }
};

const DataType*& pending_type() {
  static const DataType* t = nullptr;
  return t;
}

struct RowCopy {
  const char* src;
  char* dst;
  size_t row_bytes;
};

Value prefetch_rows(TypeRegistry& t, std::span<const Value> a) {
  const Value& data = a[0];
  if (!data.type()->name->is_tuple) throw ArgumentError("DataLoader: the data is a tuple of tensors, such as (x, y)");
  const auto& items = data.as_struct().fields;
  int64_t lo = a[2].as_int(), hi = a[3].as_int();
  std::vector<int64_t> rows;  // 0-based source rows, in batch order
  for (int64_t i = lo; i <= hi; ++i) rows.push_back(i - 1);
  if (a[1].type() != t.Nothing) {
    if (!is_tensor(a[1]) || tensor_of(a[1]).dtype != DType::Int64 || tensor_of(a[1]).rank != 1)
      throw ArgumentError("DataLoader: the order is a Tensor{Int64, 1}");
    const TensorObject& order = tensor_of(a[1]);
    for (int64_t& r : rows) {
      if (r < 0 || r >= order.shape[0]) throw ArgumentError("DataLoader: batch position outside the order");
      r = *reinterpret_cast<const int64_t*>(order.data() + storage_offset(order, r) * sizeof(int64_t)) - 1;
    }
  }
  auto* p = new PendingBatch();
  Value batch = Value::from_object(pending_type(), p);
  std::vector<RowCopy> copies;
  std::vector<const Type*> types;
  for (const Value& x : items) {
    if (!is_tensor(x)) throw ArgumentError("DataLoader: the data is a tuple of tensors, such as (x, y)");
    const TensorObject& src = tensor_of(x);
    if (src.rank < 1) throw ArgumentError("DataLoader: a 0-dimensional tensor has no rows to batch");
    for (int64_t r : rows)
      if (r < 0 || r >= src.shape[0]) throw ArgumentError("DataLoader: row " + std::to_string(r + 1) + " outside the data");
    std::vector<int64_t> shape(src.shape, src.shape + src.rank);
    shape[0] = static_cast<int64_t>(rows.size());
    if (src.contiguous()) {
      Value out = new_tensor(t, src.dtype, shape, x.type()->name, /*zero=*/false);
      p->sources.push_back(x);
      copies.push_back({src.data(), tensor_of(out).data(), src.numel() / std::max<int64_t>(src.shape[0], 1) * dtype_size(src.dtype)});
      p->outputs.push_back(out);
    } else {
      // A view with gaps: gathered now, on this thread (correct, not prefetched).
      std::vector<TensorIndex> idx(src.rank, TensorIndex::of(TensorIndex::All, 1, 0));
      idx[0].kind = TensorIndex::List;
      for (int64_t r : rows) idx[0].list.push_back(r + 1);
      p->outputs.push_back(tensor_gather(t, x, idx));
    }
    types.push_back(p->outputs.back().type());
  }
  p->tuple_type = t.tuple(types);
  if (!copies.empty()) {
    // Pieces of about 16 KB (5 rows of a Fashion-MNIST image batch): a piece under way when a
    // launch comes delays the worker's part of it by a few microseconds at most (pieces of 64 KB
    // cost the MLP's epoch 0.50 s against 0.49).
    size_t batch_row_bytes = 0;
    for (const RowCopy& c : copies) batch_row_bytes += c.row_bytes;
    int64_t per_piece = std::max<int64_t>(1, static_cast<int64_t>((16 << 10) / std::max<size_t>(batch_row_bytes, 1)));
    int64_t n = static_cast<int64_t>(rows.size());
    p->copy = run_when_idle((n + per_piece - 1) / per_piece,
                            [copies = std::move(copies), rows = std::move(rows), per_piece, n](int64_t piece) {
                              int64_t lo = piece * per_piece, hi = std::min(n, lo + per_piece);
                              for (const RowCopy& c : copies)
                                for (int64_t k = lo; k < hi; ++k)
                                  std::memcpy(c.dst + k * c.row_bytes, c.src + rows[k] * c.row_bytes, c.row_bytes);
                            });
  }
  return batch;
}

Value take_batch(std::span<const Value> a) {
  auto* p = a[0].type() == pending_type() ? dynamic_cast<PendingBatch*>(a[0].as_object()) : nullptr;
  if (!p) no_method("__take_batch", a);
  if (p->taken) throw ArgumentError("DataLoader: this batch was already taken");
  if (p->copy) p->copy->finish();
  p->taken = true;
  auto* tuple = new StructObject();
  tuple->fields = std::move(p->outputs);
  p->sources.clear();
  return Value::from_object(p->tuple_type, tuple);
}

}  // namespace

void register_batch_prefetch(Registrar& r) {
  TypeRegistry& t = r.t_;
  pending_type() = declare_struct(t, "__PendingBatch", t.Any, {}, {}, true);
  r.add("__prefetch_rows", {t.Any, t.Any, t.Int64, t.Int64}, {"data", "order", "lo", "hi"}, nullptr,
        [&t](std::span<const Value> a) { return prefetch_rows(t, a); });
  r.add("__take_batch", {t.Any}, {"p"}, nullptr, take_batch);
}

}  // namespace tsr::jit
