#include "jit/gpu/device_memory.hpp"

#include <map>
#include <unordered_map>
#include <unordered_set>
#include <mutex>
#include <vector>

#include "jit/gpu/cuda_driver.hpp"
#include "runtime/errors.hpp"
#include "runtime/type_registry.hpp"

namespace tsr::jit::gpu {

namespace {

// Blocks by rounded size: 512-byte steps below 1 MiB, 2 MiB steps above (as PyTorch's caching
// allocator rounds), so a training step's tensors of the same shapes reuse the last step's
// blocks instead of calling the driver (cuMemAllocManaged and cuMemFree synchronize).
size_t rounded(size_t bytes) {
  constexpr size_t small = 512, large = size_t(2) << 20;
  if (bytes < (size_t(1) << 20)) return (bytes + small - 1) / small * small;
  return (bytes + large - 1) / large * large;
}

struct DeviceAllocator {
  std::mutex mu;
  std::map<size_t, std::vector<DevicePtr>> free;  // by rounded size
  DeviceAllocatorStats stats;

  void* allocate(size_t bytes) {
    size_t size = rounded(bytes);
    {
      std::lock_guard<std::mutex> lock(mu);
      ++stats.allocations;
      auto it = free.find(size);
      if (it != free.end() && !it->second.empty()) {
        DevicePtr p = it->second.back();
        it->second.pop_back();
        ++stats.cache_hits;
        stats.bytes_cached -= size;
        stats.bytes_in_use += size;
        return reinterpret_cast<void*>(p);
      }
    }
    DevicePtr p = 0;
    try {
      p = driver_alloc(size);
    } catch (const Error& e) {
      if (e.kind() != "OutOfMemoryError") throw;
      trim();  // the cached blocks go back to the driver, then once more
      p = driver_alloc(size);
    }
    std::lock_guard<std::mutex> lock(mu);
    stats.bytes_in_use += size;
    return reinterpret_cast<void*>(p);
  }

  void release(void* p, size_t bytes) {
    size_t size = rounded(bytes);
    std::lock_guard<std::mutex> lock(mu);
    free[size].push_back(reinterpret_cast<DevicePtr>(p));
    stats.bytes_in_use -= size;
    stats.bytes_cached += size;
  }

  void trim() {
    std::map<size_t, std::vector<DevicePtr>> blocks;
    {
      std::lock_guard<std::mutex> lock(mu);
      blocks.swap(free);
      stats.bytes_cached = 0;
    }
    for (auto& [size, ptrs] : blocks)
      for (DevicePtr p : ptrs) driver_free(p);
  }
};

DeviceAllocator& allocator() {
  static auto* a = new DeviceAllocator();  // never destroyed: storages may outlive statics
  return *a;
}

const DeviceMemory kDeviceMemory{
    [](size_t bytes) { return allocator().allocate(bytes); },
    [](void* p, size_t bytes) { allocator().release(p, bytes); },
    [](void* p, size_t bytes) { zero_device(reinterpret_cast<DevicePtr>(p), bytes); },
    [] { synchronize("waiting for the GPU"); },
};

bool movable_struct(const DataType* dt) {
  const TypeName* n = dt->name;
  if (n->payload != Payload::Object || n->is_tensor || n->is_semantic) return false;
  return n->is_tuple || n->is_named_tuple || is_vector_name(n) || !n->field_names.empty();
}

}  // namespace

void use_gpu(const std::string& what) {
  static std::once_flag once;
  require_gpu(what);
  std::call_once(once, [] { set_device_memory(&kDeviceMemory); });
}

DeviceAllocatorStats device_allocator_stats() {
  std::lock_guard<std::mutex> lock(allocator().mu);
  return allocator().stats;
}

namespace {

// move_to's walk: each struct object moved once (a model may share a layer, or refer to itself:
// the copy keeps that), what holds nothing to move kept as it is, and a nesting deeper than
// this refused rather than overflowing the stack (the moving walk follows the checking one,
// so it is no deeper).
constexpr int kMaxDepth = 10000;

// Whether x holds a tensor that is not on d (each object answered once; one met again while
// its answer is pending is a cycle, which adds nothing).
bool needs_move(const Value& x, Device d, std::unordered_map<const Object*, bool>& needs, int depth) {
  if (is_tensor(x)) return device_of(tensor_of(x)) != d;
  const DataType* dt = x.type();
  if (!dt || !movable_struct(dt)) return false;
  if (auto it = needs.find(x.as_object()); it != needs.end()) return it->second;
  if (depth > kMaxDepth)
    throw ArgumentError(std::string(d == Device::GPU ? "gpu" : "cpu") + ": the value nests structs more than " + std::to_string(kMaxDepth) +
                        " deep");
  needs.emplace(x.as_object(), false);
  bool any = false;
  for (const Value& f : x.as_struct().fields) any = needs_move(f, d, needs, depth + 1) || any;
  needs[x.as_object()] = any;
  return any;
}

Value move_value(TypeRegistry& types, const Value& x, Device d, std::unordered_map<const Object*, Value>& moved,
                 std::unordered_map<const Object*, bool>& needs) {
  if (is_tensor(x)) {
    const TensorObject& src = tensor_of(x);
    if (device_of(src) == d) return x;
    if (auto it = moved.find(x.as_object()); it != moved.end()) return it->second;
    // A contiguous copy on this side first, then one copy of its bytes across.
    Value here = src.contiguous() ? x : tensor_copy(types, x);
    const TensorObject& c = tensor_of(here);
    std::vector<int64_t> shape(c.shape, c.shape + c.rank);
    Value out = new_tensor(types, c.dtype, shape, x.type()->name->is_tensor ? nullptr : x.type()->name, false, d);
    size_t bytes = static_cast<size_t>(c.numel()) * dtype_size(c.dtype);
    const TensorObject& o = tensor_of(out);
    if (d == Device::GPU) copy_to_device(reinterpret_cast<DevicePtr>(o.data()), c.data(), bytes);
    else copy_to_host(o.data(), reinterpret_cast<DevicePtr>(c.data()), bytes);
    moved.emplace(x.as_object(), out);
    return out;
  }
  const DataType* dt = x.type();
  // What holds nothing to move stays itself (shared, as before).
  if (!dt || !movable_struct(dt) || !needs[x.as_object()]) return x;
  if (auto it = moved.find(x.as_object()); it != moved.end()) return it->second;
  // The copy is known before its fields are moved, so a field that leads back here gets it.
  auto* obj = new StructObject();
  Value copy = Value::from_object(dt, obj);
  moved.emplace(x.as_object(), copy);
  const auto& fields = x.as_struct().fields;
  obj->fields.reserve(fields.size());
  for (const Value& f : fields) obj->fields.push_back(move_value(types, f, d, moved, needs));
  return copy;
}

// device_of_value's walk.
bool find_device(const Value& x, Device& d, std::unordered_set<const Object*>& seen) {
  if (is_tensor(x)) {
    d = device_of(tensor_of(x));
    return true;
  }
  const DataType* dt = x.type();
  if (!dt || !movable_struct(dt) || !seen.insert(x.as_object()).second) return false;
  for (const Value& f : x.as_struct().fields)
    if (find_device(f, d, seen)) return true;
  return false;
}

}  // namespace

Device device_of_value(const Value& x) {
  Device d = Device::CPU;
  std::unordered_set<const Object*> seen;
  find_device(x, d, seen);
  return d;
}

Value move_to(TypeRegistry& types, const Value& x, Device d) {
  if (d == Device::GPU) use_gpu("gpu");
  std::unordered_map<const Object*, bool> needs;
  if (!needs_move(x, d, needs, 0)) return x;
  std::unordered_map<const Object*, Value> moved;
  return move_value(types, x, d, moved, needs);
}

}  // namespace tsr::jit::gpu
