// Tensors: dense, row-major, with shape and strides (views share storage), an element type
// (dtype), and a device. Storage comes from the caching allocator, 64-byte aligned, and is
// reference-counted separately from the tensor objects that view it.
//
// A tensor value's Tessera type is Tensor{T, N} or a semantic type with the same parameters
// (TensorImage{Float32, 3}); the object is the same either way, so re-tagging is free.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/type_registry.hpp"
#include "runtime/value.hpp"

namespace tsr {

enum class DType : uint8_t { Float32, Float64, Float16, BFloat16, Int32, Int64, UInt8, Bool };
enum class Device : uint8_t { CPU, GPU };
const char* device_name(Device d);  // "CPU", "GPU"

// Device memory, provided by the GPU layer (jit/gpu/device_memory.cpp) once a GPU is found:
// the runtime allocates, zeroes and frees a GPU storage through it. The memory is unified
// (the CPU may read and write it, slowly), so no CPU path crashes on a device tensor.
struct DeviceMemory {
  void* (*allocate)(size_t bytes) = nullptr;
  void (*release)(void* p, size_t bytes) = nullptr;
  void (*zero)(void* p, size_t bytes) = nullptr;
  // Waits for the device's queued work: before the CPU reads or writes device memory.
  void (*synchronize)() = nullptr;
};
void set_device_memory(const DeviceMemory* m);
// Before CPU code touches device memory (printing, element access): waits for the GPU.
void device_synchronize();
// Where new tensors go (tsr --device=gpu makes it the GPU); the CPU unless set.
Device default_device();
void set_default_device(Device d);

size_t dtype_size(DType d);
const char* dtype_name(DType d);
std::optional<DType> dtype_of(const Type* element_type);
const DataType* element_type(TypeRegistry& types, DType d);

struct Storage {
  std::atomic<uint32_t> refs{1};
  void* data = nullptr;
  size_t bytes = 0;
  Device device = Device::CPU;
  // Zero-filled unless `zero` is false (for buffers the caller overwrites in full).
  static Storage* allocate(size_t bytes, Device device = Device::CPU, bool zero = true);
  void retain() { refs.fetch_add(1, std::memory_order_relaxed); }
  void release();
};

constexpr int kMaxRank = 8;

struct TensorObject : Object {
  Storage* storage = nullptr;
  DType dtype = DType::Float32;
  int rank = 0;
  int64_t shape[kMaxRank] = {};
  int64_t strides[kMaxRank] = {};  // in elements
  int64_t offset = 0;              // in elements
  char* base = nullptr;            // the first element: storage->data + offset * dtype_size
  ~TensorObject() override {
    if (storage) storage->release();
  }
  int64_t numel() const;
  bool contiguous() const;
  char* data() const { return base; }
};

// Where compiled code finds a tensor's first element, shape and strides inside its object
// (bytes from the start of the TensorObject); these never change once a tensor is made.
struct TensorLayout {
  size_t base, shape, strides;
};
TensorLayout tensor_layout();

// Is this value a tensor (Tensor or a semantic type)?
bool is_tensor(const Value& v);
const TensorObject& tensor_of(const Value& v);

// The Tessera type of a tensor: `kind` is Tensor's name or a semantic type's.
const DataType* tensor_type(TypeRegistry& types, const TypeName* kind, DType d, int rank);

// A new zero-filled contiguous tensor.
Value new_tensor(TypeRegistry& types, DType d, std::span<const int64_t> shape, const TypeName* kind = nullptr,
                 bool zero = true, Device device = default_device());
// The device a tensor's storage is on.
inline Device device_of(const TensorObject& t) { return t.storage ? t.storage->device : Device::CPU; }
// A view of t's storage with another shape/strides/offset (same dtype and kind).
Value tensor_view(TypeRegistry& types, const Value& t, std::span<const int64_t> shape,
                  std::span<const int64_t> strides, int64_t offset);
// The same tensor, re-tagged with another kind (TensorImage(t), Tensor(img)): no copy.
Value retag(TypeRegistry& types, const Value& t, const TypeName* kind);
// LANGUAGE.md's retention rule: the semantic type that the tensors among `values` share (the
// join in the lattice; plain Tensors and non-tensors are neutral), or Tensor when none has one.
const TypeName* shared_kind(TypeRegistry& types, std::span<const Value> values);
// A contiguous copy, on t's device.
Value tensor_copy(TypeRegistry& types, const Value& t);

// The storage offset of the element at a 0-based row-major position (views included).
int64_t storage_offset(const TensorObject& t, int64_t position);
// Elements as Tessera values, by 0-based linear offset into storage.
Value load_element(TypeRegistry& types, const TensorObject& t, int64_t element_offset);
// Stores a number, converted to the tensor's dtype (InexactError when it does not fit).
void store_element(TypeRegistry& types, const TensorObject& t, int64_t element_offset, const Value& v);

// reshape (a view when contiguous, else a copy), row-major, with one dimension -1 allowed.
Value reshape(TypeRegistry& types, const Value& t, std::span<const int64_t> shape);
// permutedims with a 1-based permutation: a view.
Value permutedims(TypeRegistry& types, const Value& t, std::span<const int64_t> perm);

// One index per dimension: an integer (1-based; the dimension is dropped), a range or a colon.
// A List (integers: t[[1, 3], :], t[randperm(n), :]) or a Mask (Bools: t[t .> 0]) selects
// by copying (runtime/tensor_gather.cpp), as Julia's getindex does for such indices.
struct TensorIndex {
  enum Kind { Int, Range, All, List, Mask } kind = All;
  int64_t start = 1, step = 1, stop = 0;  // 1-based, inclusive
  std::vector<int64_t> list;               // List: the positions, 1-based
  std::vector<uint8_t> mask;               // Mask: one Bool per element, row-major
  std::vector<int64_t> mask_shape;         // Mask: its shape
  std::string mask_type;                   // Mask: its type as printed (Vector{Bool}), for errors
  static TensorIndex of(Kind kind, int64_t start, int64_t stop) {
    TensorIndex i;
    i.kind = kind;
    i.start = start;
    i.stop = stop;
    return i;
  }
};
bool selects_by_copy(std::span<const TensorIndex> idx);
// An index as Julia's BoundsError shows it: `1:3`, `[1, 5]` for a list, the summary of a mask.
std::string index_text(const TensorIndex& x);
// BoundsError: attempt to access 2×3 Tensor{Float32, 2} at index [3, :].
[[noreturn]] void tensor_bounds_error(const Value& t, const TensorObject& obj, std::span<const TensorIndex> idx);
// t[I...] with a List or a Mask among I: a new tensor (a 1-d one for a single mask, in
// row-major order); BoundsError (as Julia words it) for positions outside.
Value tensor_gather(TypeRegistry& types, const Value& t, std::span<const TensorIndex> idx);
// t[I...] = x for the same indices: x a number (every selected element) or a tensor with as
// many elements, in the order tensor_gather would give them.
void tensor_scatter(TypeRegistry& types, const Value& t, std::span<const TensorIndex> idx, const Value& x);
// t[i, j, ...] as a view (a scalar value when every index is an integer).
Value tensor_index(TypeRegistry& types, const Value& t, std::span<const TensorIndex> idx);
// Where t[i1, ..., in] (1-based, one integer per dimension) sits in t's storage, in elements
// (what load_element and store_element take); a BoundsError naming the shape and the index
// when one is outside.
int64_t element_offset(const Value& t, std::span<const int64_t> idx);
void tensor_set_index(TypeRegistry& types, const Value& t, std::span<const TensorIndex> idx, const Value& v);

// Counter-based random numbers (Philox-4x32-10): element i of a draw depends only on the seed,
// the draw's number and i, so results are the same whatever the number of threads.
void fill_rand(TypeRegistry& types, const Value& t, uint64_t seed, uint64_t draw);
void fill_randn(TypeRegistry& types, const Value& t, uint64_t seed, uint64_t draw);

// The printed form: a header (`2×3 Tensor{Float32, 2}:`) and the elements, the middle of
// large tensors left out.
std::string show_tensor(const Value& t);

}  // namespace tsr
