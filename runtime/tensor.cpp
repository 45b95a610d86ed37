#include "runtime/tensor.hpp"

#include <algorithm>

#include <cmath>
#include <cstring>
#include <memory>

#include "runtime/allocator.hpp"
#include "runtime/construct.hpp"
#include "runtime/errors.hpp"
#include "runtime/half.hpp"
#include "runtime/thread_pool.hpp"
#include "runtime/type_printer.hpp"

namespace tsr {

size_t dtype_size(DType d) {
  switch (d) {
    case DType::Float64: case DType::Int64: return 8;
    case DType::Float32: case DType::Int32: return 4;
    case DType::Float16: case DType::BFloat16: return 2;
    case DType::UInt8: case DType::Bool: return 1;
  }
  return 1;
}

const char* dtype_name(DType d) {
  switch (d) {
    case DType::Float32: return "Float32";
    case DType::Float64: return "Float64";
    case DType::Float16: return "Float16";
    case DType::BFloat16: return "BFloat16";
    case DType::Int32: return "Int32";
    case DType::Int64: return "Int64";
    case DType::UInt8: return "UInt8";
    case DType::Bool: return "Bool";
  }
  return "?";
}

std::optional<DType> dtype_of(const Type* t) {
  // By identity with the registry's own number types (a module may declare any name).
  auto dt = as_datatype(t);
  if (!dt || !dt->name->registry) return std::nullopt;
  for (DType d : {DType::Float32, DType::Float64, DType::Float16, DType::BFloat16, DType::Int32, DType::Int64,
                  DType::UInt8, DType::Bool})
    if (dt == element_type(*dt->name->registry, d)) return d;
  return std::nullopt;
}

const DataType* element_type(TypeRegistry& types, DType d) {
  switch (d) {
    case DType::Float32: return types.Float32;
    case DType::Float64: return types.Float64;
    case DType::Float16: return types.Float16;
    case DType::BFloat16: return types.BFloat16;
    case DType::Int32: return types.Int32;
    case DType::Int64: return types.Int64;
    case DType::UInt8: return types.UInt8;
    case DType::Bool: return types.Bool;
  }
  return nullptr;
}

namespace {
std::atomic<const DeviceMemory*> device_memory{nullptr};
std::atomic<Device> default_device_value{Device::CPU};
}  // namespace

const char* device_name(Device d) { return d == Device::GPU ? "GPU" : "CPU"; }
void set_device_memory(const DeviceMemory* m) { device_memory.store(m); }
Device default_device() { return default_device_value.load(std::memory_order_relaxed); }
void set_default_device(Device d) { default_device_value.store(d); }

void device_synchronize() {
  if (const DeviceMemory* m = device_memory.load(std::memory_order_acquire); m && m->synchronize) m->synchronize();
}

Storage* Storage::allocate(size_t bytes, Device device, bool zero) {
  const DeviceMemory* dm = nullptr;
  if (device == Device::GPU) {
    dm = device_memory.load(std::memory_order_acquire);
    if (!dm) throw ErrorException("a GPU tensor was asked for, but no GPU is in use (has_gpu() tells whether one is)");
  }
  auto* s = new Storage();
  s->bytes = bytes;
  s->device = device;
  if (dm) {
    try {
      s->data = dm->allocate(std::max<size_t>(bytes, 1));
      if (zero) dm->zero(s->data, bytes);
    } catch (...) {
      delete s;
      throw;
    }
    return s;
  }
  s->data = CachingAllocator::instance().allocate(std::max<size_t>(bytes, 1));
  if (zero) std::memset(s->data, 0, bytes);
  return s;
}

void Storage::release() {
  if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    if (device == Device::GPU) device_memory.load(std::memory_order_acquire)->release(data, std::max<size_t>(bytes, 1));
    else CachingAllocator::instance().release(data, std::max<size_t>(bytes, 1));
    delete this;
  }
}

int64_t TensorObject::numel() const {
  int64_t n = 1;
  for (int i = 0; i < rank; ++i) n *= shape[i];
  return n;
}

bool TensorObject::contiguous() const {
  int64_t expect = 1;
  for (int i = rank - 1; i >= 0; --i) {
    if (shape[i] != 1 && strides[i] != expect) return false;
    expect *= shape[i];
  }
  return true;
}

TensorLayout tensor_layout() {
  static const TensorLayout layout = [] {
    TensorObject probe;
    auto at = [&](const void* field) {
      return static_cast<size_t>(static_cast<const char*>(field) - reinterpret_cast<const char*>(&probe));
    };
    return TensorLayout{at(&probe.base), at(&probe.shape[0]), at(&probe.strides[0])};
  }();
  return layout;
}

bool is_tensor(const Value& v) {
  const DataType* t = v.type();
  // Only tensors have these types (their objects are all TensorObjects).
  return t && (t->name->is_semantic || t->name->is_tensor) && t->name->payload == Payload::Object;
}

const TensorObject& tensor_of(const Value& v) {
  if (!is_tensor(v)) throw TypeError("expected a tensor, got a value of type " + show_type(v.type()));
  return *static_cast<TensorObject*>(v.as_object());
}

const DataType* tensor_type(TypeRegistry& types, const TypeName* kind, DType d, int rank) {
  if (!kind) kind = types.TensorName;
  // Kind{T, N}, interned once, by dtype and rank.
  size_t slot = static_cast<size_t>(d) * (kMaxRank + 1) + static_cast<size_t>(rank);
  auto& cache = kind->tensor_types;
  if (rank >= 0 && rank <= kMaxRank && cache.size() > slot && cache[slot]) return cache[slot];
  const Type* ps[] = {element_type(types, d), types.const_param(rank)};
  const DataType* t = types.apply(kind, ps);
  if (rank >= 0 && rank <= kMaxRank) {
    if (cache.size() <= slot) cache.resize(slot + 1, nullptr);
    cache[slot] = t;
  }
  return t;
}

namespace {

TensorObject* make_object(DType d, int rank) {
  if (rank > kMaxRank)
    throw ArgumentError("tensors have at most " + std::to_string(kMaxRank) + " dimensions, got " + std::to_string(rank));
  auto* t = new TensorObject();
  t->dtype = d;
  t->rank = rank;
  return t;
}

const TypeName* kind_of(const Value& v) { return v.type()->name; }

}  // namespace

Value new_tensor(TypeRegistry& types, DType d, std::span<const int64_t> shape, const TypeName* kind, bool zero, Device device) {
  // Owned here until the Value takes it: any error below (a bad dimension, an allocation the
  // host or the GPU refuses) frees it.
  std::unique_ptr<TensorObject> t(make_object(d, static_cast<int>(shape.size())));
  int64_t n = 1;
  bool too_big = false;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] < 0) {
      throw ArgumentError("invalid tensor dimension " + std::to_string(shape[i]) + ": dimensions must be ≥ 0");
    }
    t->shape[i] = shape[i];
    too_big = __builtin_mul_overflow(n, shape[i], &n) || too_big;
  }
  if (std::find(shape.begin(), shape.end(), int64_t(0)) != shape.end()) {
    n = 0;  // a dimension of 0: an empty tensor, whatever the others
    too_big = false;
  }
  // The element count and the bytes must fit in an Int64 (a product that wrapped would make
  // a small tensor that indexing then reads past).
  int64_t bytes = 0;
  if (too_big || __builtin_mul_overflow(n, static_cast<int64_t>(dtype_size(d)), &bytes)) {
    std::string dims;
    for (size_t i = 0; i < shape.size(); ++i) dims += (i ? "×" : "") + std::to_string(shape[i]);
    throw Error("OutOfMemoryError", "a " + dims + " tensor of " + dtype_name(d) + " has more elements than memory can hold");
  }
  int64_t stride = 1;
  for (int i = t->rank - 1; i >= 0; --i) {
    t->strides[i] = stride;
    stride *= t->shape[i];
  }
  t->storage = Storage::allocate(static_cast<size_t>(n) * dtype_size(d), device, zero);
  t->base = static_cast<char*>(t->storage->data);
  const DataType* type = tensor_type(types, kind, d, t->rank);
  return Value::from_object(type, t.release());
}

Value tensor_view(TypeRegistry& types, const Value& v, std::span<const int64_t> shape, std::span<const int64_t> strides,
                  int64_t offset) {
  const TensorObject& src = tensor_of(v);
  TensorObject* t = make_object(src.dtype, static_cast<int>(shape.size()));
  for (size_t i = 0; i < shape.size(); ++i) {
    t->shape[i] = shape[i];
    t->strides[i] = strides[i];
  }
  t->offset = offset;
  t->storage = src.storage;
  t->storage->retain();
  t->base = static_cast<char*>(t->storage->data) + offset * static_cast<int64_t>(dtype_size(src.dtype));
  return Value::from_object(tensor_type(types, kind_of(v), src.dtype, t->rank), t);
}

Value retag(TypeRegistry& types, const Value& v, const TypeName* kind) {
  const TensorObject& src = tensor_of(v);
  std::vector<int64_t> shape(src.shape, src.shape + src.rank), strides(src.strides, src.strides + src.rank);
  Value out = tensor_view(types, v, shape, strides, src.offset);
  const DataType* t = tensor_type(types, kind, src.dtype, src.rank);
  out.as_object()->retain();
  return Value::from_object(t, out.as_object());
}

const TypeName* shared_kind(TypeRegistry& types, std::span<const Value> values) {
  const TypeName* kind = nullptr;
  for (const Value& v : values) {
    if (!is_tensor(v) || v.type()->name == types.TensorName) continue;
    kind = kind ? types.semantic_join(kind, v.type()->name) : v.type()->name;
  }
  return kind ? kind : types.TensorName;
}

Value load_element(TypeRegistry& types, const TensorObject& t, int64_t off) {
  const char* p = static_cast<const char*>(t.storage->data) + off * static_cast<int64_t>(dtype_size(t.dtype));
  const DataType* et = element_type(types, t.dtype);
  switch (t.dtype) {
    case DType::Float32: { float x; std::memcpy(&x, p, 4); return Value::from_f32(et, x); }
    case DType::Float64: { double x; std::memcpy(&x, p, 8); return Value::from_f64(et, x); }
    case DType::Float16:
    case DType::BFloat16: { uint16_t x; std::memcpy(&x, p, 2); return Value::from_half_bits(et, x); }
    case DType::Int32: { int32_t x; std::memcpy(&x, p, 4); return Value::from_int(et, x); }
    case DType::Int64: { int64_t x; std::memcpy(&x, p, 8); return Value::from_int(et, x); }
    case DType::UInt8: return Value::from_int(et, static_cast<uint8_t>(*p));
    case DType::Bool: return Value::from_bool(et, *p != 0);
  }
  return Value();
}

void store_element(TypeRegistry& types, const TensorObject& t, int64_t off, const Value& v) {
  char* p = static_cast<char*>(t.storage->data) + off * static_cast<int64_t>(dtype_size(t.dtype));
  const DataType* et = element_type(types, t.dtype);
  if (t.dtype == DType::Float16 || t.dtype == DType::BFloat16) {
    if (!is_number_type(v.type()))
      throw MethodError("Cannot `convert` an object of type " + show_type(v.type()) + " to an object of type " + show_type(et));
    uint16_t bits = convert_number(types, et, v).as_half_bits();
    std::memcpy(p, &bits, 2);
    return;
  }
  if (!is_number_type(v.type()))
    throw MethodError("Cannot `convert` an object of type " + show_type(v.type()) + " to an object of type " + show_type(et));
  Value x = convert_number(types, et, v);
  switch (t.dtype) {
    case DType::Float32: { float f = x.as_f32(); std::memcpy(p, &f, 4); break; }
    case DType::Float64: { double f = x.as_f64(); std::memcpy(p, &f, 8); break; }
    case DType::Int32: { int32_t i = static_cast<int32_t>(x.as_int()); std::memcpy(p, &i, 4); break; }
    case DType::Int64: { int64_t i = x.as_int(); std::memcpy(p, &i, 8); break; }
    case DType::UInt8: *p = static_cast<char>(x.as_int()); break;
    case DType::Bool: *p = x.as_bool() ? 1 : 0; break;
    default: break;
  }
}

namespace {

// Rows [row0, row1) of src (its last dimension; a 0-d tensor is one row of one element) into
// dst, contiguous: each row's start found by stepping an index over the outer dimensions,
// its elements copied in one memcpy where they are adjacent, else by a strided loop.
template <class E>
void copy_rows(const TensorObject& src, E* dst, int64_t row0, int64_t row1) {
  int outer_rank = std::max(src.rank - 1, 0);
  int64_t inner = src.rank ? src.shape[src.rank - 1] : 1;
  int64_t step = src.rank ? src.strides[src.rank - 1] : 0;
  const E* base = reinterpret_cast<const E*>(src.storage->data) + src.offset;
  std::vector<int64_t> idx(outer_rank, 0);
  for (int64_t q = row0, i = outer_rank - 1; i >= 0; --i) {
    idx[i] = q % src.shape[i];
    q /= src.shape[i];
  }
  for (int64_t row = row0; row < row1; ++row) {
    int64_t off = 0;
    for (int i = 0; i < outer_rank; ++i) off += idx[i] * src.strides[i];
    const E* s = base + off;
    E* d = dst + row * inner;
    if (step == 1) {
      std::memcpy(d, s, static_cast<size_t>(inner) * sizeof(E));
    } else {
      for (int64_t j = 0; j < inner; ++j) d[j] = s[j * step];
    }
    for (int i = outer_rank - 1; i >= 0; --i) {
      if (++idx[i] < src.shape[i]) break;
      idx[i] = 0;
    }
  }
}

template <class E>
void copy_contiguous(const TensorObject& src, char* dst) {
  int64_t inner = src.rank ? src.shape[src.rank - 1] : 1;
  int64_t rows = inner == 0 ? 0 : src.numel() / inner;
  E* out = reinterpret_cast<E*>(dst);
  // Large copies (a permuted batch: 1.6M floats took 10 ms one element at a time) in row
  // ranges on the thread pool; small ones here.
  constexpr int64_t kParallelElements = int64_t{1} << 16;
  int64_t tasks = src.numel() >= kParallelElements ? std::min<int64_t>(rows, 4 * num_threads()) : 1;
  if (tasks <= 1) {
    copy_rows<E>(src, out, 0, rows);
    return;
  }
  parallel_for(tasks, [&](int64_t t) { copy_rows<E>(src, out, rows * t / tasks, rows * (t + 1) / tasks); });
}

}  // namespace

Value tensor_copy(TypeRegistry& types, const Value& v) {
  const TensorObject& src = tensor_of(v);
  std::vector<int64_t> shape(src.shape, src.shape + src.rank);
  Value out = new_tensor(types, src.dtype, shape, kind_of(v), false, device_of(src));  // every element copied below
  const TensorObject& dst = tensor_of(out);
  if (src.numel() == 0) return out;
  if (device_of(src) == Device::GPU) device_synchronize();
  switch (dtype_size(src.dtype)) {
    case 1: copy_contiguous<uint8_t>(src, dst.data()); break;
    case 2: copy_contiguous<uint16_t>(src, dst.data()); break;
    case 4: copy_contiguous<uint32_t>(src, dst.data()); break;
    case 8: copy_contiguous<uint64_t>(src, dst.data()); break;
    default: throw InternalError("tensor_copy: an element of " + std::to_string(dtype_size(src.dtype)) + " bytes");
  }
  return out;
}

int64_t storage_offset(const TensorObject& t, int64_t position) {
  int64_t off = t.offset;
  for (int i = t.rank - 1; i >= 0; --i) {
    off += position % t.shape[i] * t.strides[i];
    position /= t.shape[i];
  }
  return off;
}

namespace {
std::string dims_text(const int64_t* shape, int rank) {
  std::string s = "(";
  for (int i = 0; i < rank; ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (rank == 1 ? ",)" : ")");
}
}  // namespace

Value reshape(TypeRegistry& types, const Value& v, std::span<const int64_t> shape_in) {
  const TensorObject& src = tensor_of(v);
  std::vector<int64_t> shape(shape_in.begin(), shape_in.end());
  int64_t known = 1, unknown = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (unknown >= 0) throw ArgumentError("reshape: only one dimension may be -1 (inferred)");
      unknown = static_cast<int64_t>(i);
    } else if (shape[i] < 0) {
      throw ArgumentError("reshape: invalid dimension " + std::to_string(shape[i]));
    } else if (__builtin_mul_overflow(known, shape[i], &known)) {
      known = 0;  // no tensor has that many elements: the size check below refuses it
    }
  }
  if (unknown >= 0 && known > 0 && src.numel() % known == 0) shape[unknown] = src.numel() / known;
  int64_t total = 1;
  bool wrapped = false;
  for (int64_t s : shape) wrapped = __builtin_mul_overflow(total, s, &total) || wrapped;
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) total = 0, wrapped = false;  // a 0 makes it 0
  if (wrapped || total != src.numel())
    throw Error("DimensionMismatch", "new dimensions " + dims_text(shape.data(), static_cast<int>(shape.size())) +
                                         " must be consistent with array size " + std::to_string(src.numel()));
  Value base = src.contiguous() ? v : tensor_copy(types, v);
  std::vector<int64_t> strides(shape.size());
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return tensor_view(types, base, shape, strides, tensor_of(base).offset);
}

Value permutedims(TypeRegistry& types, const Value& v, std::span<const int64_t> perm) {
  const TensorObject& src = tensor_of(v);
  if (static_cast<int>(perm.size()) != src.rank)
    throw ArgumentError("permutedims: the permutation has " + std::to_string(perm.size()) + " entries for a " +
                        std::to_string(src.rank) + "-dimensional tensor");
  std::vector<bool> seen(src.rank, false);
  std::vector<int64_t> shape, strides;
  for (int64_t p : perm) {
    if (p < 1 || p > src.rank || seen[p - 1])
      throw ArgumentError("permutedims: not a permutation of 1:" + std::to_string(src.rank));
    seen[p - 1] = true;
    shape.push_back(src.shape[p - 1]);
    strides.push_back(src.strides[p - 1]);
  }
  return tensor_view(types, v, shape, strides, src.offset);
}

std::string index_text(const TensorIndex& x) {
  switch (x.kind) {
    case TensorIndex::Int: return std::to_string(x.start);
    case TensorIndex::All: return ":";
    case TensorIndex::Range:
      return std::to_string(x.start) + ":" + (x.step != 1 ? std::to_string(x.step) + ":" : "") + std::to_string(x.stop);
    case TensorIndex::List: {
      std::string s = "[";
      for (size_t k = 0; k < x.list.size(); ++k) s += (k ? ", " : "") + std::to_string(x.list[k]);
      return s + "]";
    }
    case TensorIndex::Mask: {
      std::string dims;
      for (size_t k = 0; k < x.mask_shape.size(); ++k) dims += (k ? "×" : "") + std::to_string(x.mask_shape[k]);
      return dims + (x.mask_shape.size() == 1 ? "-element " : " ") + x.mask_type;
    }
  }
  return "";
}

[[noreturn]] void tensor_bounds_error(const Value& v, const TensorObject& t, std::span<const TensorIndex> idx) {
  std::string at;
  for (size_t i = 0; i < idx.size(); ++i) at += (i ? ", " : "") + index_text(idx[i]);
  // As Julia says it: "attempt to access 4-element Vector{Float32} at index [5]".
  std::string dims;
  for (int i = 0; i < t.rank; ++i) dims += (i ? "×" : "") + std::to_string(t.shape[i]);
  if (t.rank == 1) dims += "-element";
  throw Error("BoundsError", "attempt to access " + dims + " " + show_type(v.type()) + " at index [" + at + "]");
}

int64_t element_offset(const Value& v, std::span<const int64_t> idx) {
  const TensorObject& t = tensor_of(v);
  if (static_cast<int>(idx.size()) != t.rank)
    throw ArgumentError("a " + std::to_string(t.rank) + "-dimensional tensor needs " + std::to_string(t.rank) +
                        " indices, got " + std::to_string(idx.size()));
  int64_t off = t.offset;
  for (int i = 0; i < t.rank; ++i) {
    if (idx[i] < 1 || idx[i] > t.shape[i]) {
      std::vector<TensorIndex> at;
      for (int64_t k : idx) at.push_back(TensorIndex::of(TensorIndex::Int, k, k));
      tensor_bounds_error(v, t, at);
    }
    off += (idx[i] - 1) * t.strides[i];
  }
  return off;
}

Value tensor_index(TypeRegistry& types, const Value& v, std::span<const TensorIndex> idx) {
  if (selects_by_copy(idx)) return tensor_gather(types, v, idx);
  const TensorObject& t = tensor_of(v);
  if (static_cast<int>(idx.size()) != t.rank) {
    if (!(idx.size() == 1 && idx[0].kind == TensorIndex::Int))
      throw ArgumentError("a " + std::to_string(t.rank) + "-dimensional tensor needs " + std::to_string(t.rank) +
                          " indices, got " + std::to_string(idx.size()));
    // Linear indexing, row-major: t[k].
    int64_t k = idx[0].start;
    if (k < 1 || k > t.numel()) tensor_bounds_error(v, t, idx);
    int64_t off = t.offset, rem = k - 1;
    for (int i = t.rank - 1; i >= 0; --i) {
      off += (rem % t.shape[i]) * t.strides[i];
      rem /= t.shape[i];
    }
    return load_element(types, t, off);
  }
  std::vector<int64_t> shape, strides;
  int64_t off = t.offset;
  bool scalar = true;
  for (int i = 0; i < t.rank; ++i) {
    const TensorIndex& x = idx[i];
    if (x.kind == TensorIndex::Int) {
      if (x.start < 1 || x.start > t.shape[i]) tensor_bounds_error(v, t, idx);
      off += (x.start - 1) * t.strides[i];
      continue;
    }
    scalar = false;
    if (x.kind == TensorIndex::All) {
      shape.push_back(t.shape[i]);
      strides.push_back(t.strides[i]);
      continue;
    }
    int64_t len = x.step > 0 ? (x.stop >= x.start ? (x.stop - x.start) / x.step + 1 : 0)
                             : (x.stop <= x.start ? (x.start - x.stop) / (-x.step) + 1 : 0);
    if (len > 0) {
      int64_t last = x.start + (len - 1) * x.step;
      if (x.start < 1 || x.start > t.shape[i] || last < 1 || last > t.shape[i]) tensor_bounds_error(v, t, idx);
      off += (x.start - 1) * t.strides[i];
    }
    shape.push_back(len);
    strides.push_back(t.strides[i] * x.step);
  }
  if (scalar) return load_element(types, t, off);
  return tensor_view(types, v, shape, strides, off);
}

void tensor_set_index(TypeRegistry& types, const Value& v, std::span<const TensorIndex> idx, const Value& x) {
  if (selects_by_copy(idx)) return tensor_scatter(types, v, idx, x);
  Value target = tensor_index(types, v, idx);
  const TensorObject& t = tensor_of(v);
  if (!is_tensor(target)) {
    // Every index an integer (one: a linear index): find the element again and store it.
    if (static_cast<int>(idx.size()) == t.rank) {
      std::vector<int64_t> at;
      for (const TensorIndex& i : idx) at.push_back(i.start);
      store_element(types, t, element_offset(v, at), x);
    } else {
      store_element(types, t, storage_offset(t, idx[0].start - 1), x);
    }
    return;
  }
  // A slice: set to a tensor of its shape (t[1:2, :] = u, as Julia's setindex!), or every
  // element to a scalar (as t[2, :] .= v would).
  const TensorObject& s = tensor_of(target);
  if (!is_tensor(x)) {
    for (int64_t k = 0, n = s.numel(); k < n; ++k) store_element(types, s, storage_offset(s, k), x);
    return;
  }
  const TensorObject& from = tensor_of(x);
  if (from.rank != s.rank || !std::equal(s.shape, s.shape + s.rank, from.shape))
    throw Error("DimensionMismatch", "tried to assign a tensor of shape " + dims_text(from.shape, from.rank) +
                                         " to a slice of shape " + dims_text(s.shape, s.rank));
  // The source may share storage with the slice (t[1:2, :] = t[2:3, :]): read from a copy.
  Value src = from.storage == s.storage ? tensor_copy(types, x) : x;
  const TensorObject& o = tensor_of(src);
  for (int64_t k = 0, n = s.numel(); k < n; ++k)
    store_element(types, s, storage_offset(s, k), load_element(types, o, storage_offset(o, k)));
}

}  // namespace tsr
