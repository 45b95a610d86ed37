#include "jit/gpu/device_launch.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <map>
#include <mutex>
#include <set>

#include "jit/compile_cache.hpp"
#include "jit/gpu/cuda_driver.hpp"
#include "jit/gpu/cuda_source.hpp"
#include "jit/gpu/device_memory.hpp"
#include "jit/gpu/nvptx.hpp"
#include "jit/gpu/nvrtc.hpp"
#include "jit/host_target.hpp"
#include "jit/verify_device_kernel.hpp"
#include "runtime/errors.hpp"
#include "runtime/type_printer.hpp"

namespace tsr::jit::gpu {

const std::string& gpu_backend() {
  static const std::string chosen = [] {
    const char* b = std::getenv("TSR_GPU_BACKEND");
    return std::string(b && *b ? b : "nvptx");
  }();
  if (chosen != "nvptx" && chosen != "nvrtc")
    throw ErrorException("TSR_GPU_BACKEND=" + chosen + ": the GPU backends are nvptx (LLVM's NVPTX target, the default) and nvrtc (CUDA C++ through NVRTC)");
  return chosen;
}

int device_arch() { return gpu_status().available ? std::min(gpu_status().sm, 90) : 80; }

uint64_t number_bits(const Value& v) {
  uint64_t bits = 0;
  switch (v.payload()) {
    case Payload::Float64: {
      double d = v.as_f64();
      std::memcpy(&bits, &d, sizeof d);
      break;
    }
    case Payload::Float32: {
      float f = v.as_f32();
      std::memcpy(&bits, &f, sizeof f);
      break;
    }
    case Payload::Half: bits = v.as_half_bits(); break;
    case Payload::Bool: bits = v.as_bool() ? 1 : 0; break;
    case Payload::Int: bits = static_cast<uint64_t>(v.as_int()); break;
    default: break;
  }
  return bits;
}

bool any_on_gpu(std::span<const Value> values) {
  for (const Value& v : values)
    if (is_tensor(v) && device_of(tensor_of(v)) == Device::GPU) return true;
  return false;
}

Device call_device(std::span<const Value> values, const std::string& what, const std::vector<std::string>* names) {
  int first = -1;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!is_tensor(values[i])) continue;
    Device d = device_of(tensor_of(values[i]));
    if (first < 0) {
      first = static_cast<int>(i);
      continue;
    }
    Device d0 = device_of(tensor_of(values[first]));
    if (d == d0) continue;
    auto name = [&](size_t k) {
      return names && k < names->size() && !(*names)[k].empty() ? "`" + (*names)[k] + "`" : "argument " + std::to_string(k + 1);
    };
    throw ArgumentError(what + ": its tensors are on different devices: " + name(first) + " is on the " + device_name(d0) + ", " +
                        name(i) + " on the " + device_name(d) + "; move one with gpu(x) or cpu(x)");
  }
  return first < 0 ? Device::CPU : device_of(tensor_of(values[first]));
}

namespace {

// ---- device code, through the compile cache ----

// SrcLoc's file names live as long as the process (sites read back from the cache point here).
const std::string* interned(const std::string& s) {
  static std::mutex mu;
  static std::set<std::string> names;
  std::lock_guard<std::mutex> lock(mu);
  return &*names.insert(s).first;
}

std::string escaped(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '\\') out += "\\\\";
    else if (ch == '\t') out += "\\t";
    else if (ch == '\n') out += "\\n";
    else out += ch;
  }
  return out;
}

std::string unescaped(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char n = s[++i];
    out += n == 't' ? '\t' : n == 'n' ? '\n' : n;
  }
  return out;
}

// The cache entry: "tsr-device-code 1", the entry's name, the number of error sites and one
// line per site (tab-separated), then the PTX.
std::string serialize(const DeviceCode& code) {
  std::string s = "tsr-device-code 1\n" + code.entry + "\n" + std::to_string(code.sites.size()) + "\n";
  for (const DeviceErrorSite& e : code.sites)
    s += escaped(e.kind) + "\t" + escaped(e.message) + "\t" + escaped(e.loc.file ? *e.loc.file : "") + "\t" + std::to_string(e.loc.line) + "\t" +
         std::to_string(e.loc.col) + "\t" + escaped(e.function) + "\n";
  return s + code.text;
}

std::optional<DeviceCode> deserialize(const std::string& s, int sm) {
  size_t at = 0;
  auto line = [&](std::string& out) {
    size_t nl = s.find('\n', at);
    if (nl == std::string::npos) return false;
    out = s.substr(at, nl - at);
    at = nl + 1;
    return true;
  };
  std::string magic, count;
  DeviceCode code;
  code.sm = sm;
  if (!line(magic) || magic != "tsr-device-code 1" || !line(code.entry) || !line(count)) return std::nullopt;
  size_t n = std::strtoul(count.c_str(), nullptr, 10);
  for (size_t i = 0; i < n; ++i) {
    std::string l;
    if (!line(l)) return std::nullopt;
    std::vector<std::string> f;
    for (size_t p = 0;;) {
      size_t tab = l.find('\t', p);
      f.push_back(l.substr(p, tab == std::string::npos ? std::string::npos : tab - p));
      if (tab == std::string::npos) break;
      p = tab + 1;
    }
    if (f.size() != 6) return std::nullopt;
    DeviceErrorSite e{unescaped(f[0]), unescaped(f[1]), SrcLoc{}, unescaped(f[5])};
    std::string file = unescaped(f[2]);
    e.loc.file = file.empty() ? nullptr : interned(file);
    e.loc.line = static_cast<uint32_t>(std::strtoul(f[3].c_str(), nullptr, 10));
    e.loc.col = static_cast<uint32_t>(std::strtoul(f[4].c_str(), nullptr, 10));
    code.sites.push_back(std::move(e));
  }
  code.text = s.substr(at);
  return code;
}

DeviceCode cached_code(Compiler& c, const std::string& key_text, const std::function<DeviceCode()>& make) {
  std::optional<std::string> dir = c.options().use_cache ? usable_cache_dir() : std::nullopt;
  std::string path;
  if (dir) {
    path = *dir + "/" + cache_key(key_text) + ".ptx";
    if (auto bytes = read_cache_file(path))
      if (auto code = deserialize(*bytes, device_arch())) return *code;
  }
  DeviceCode code = make();
  if (dir) write_cache_file(path, serialize(code));
  return code;
}

// What the device code depends on besides the IR.
std::string device_identity() {
  // The ABI between the launches and the device code (bumped when it changes, so that a
  // cache of older device code is not launched with a newer ABI): 2 = broadcasts without a
  // meta array take kLinearPerItem elements a work item; errors go through tsr_error_at.
  return "device code abi 2\nbackend " + gpu_backend() + "\nsm_" + std::to_string(device_arch()) + "\nllvm " + host_target().llvm_version +
         "\nnvrtc " + (gpu_backend() == "nvrtc" ? nvrtc_version() : std::string("-")) + "\n";
}

DeviceCode make_code(const std::function<DeviceCode(int)>& ptx, const std::function<DeviceCode()>& cuda) {
  int sm = device_arch();
  if (gpu_backend() == "nvptx") return ptx(sm);
  DeviceCode code = cuda();
  code.text = nvrtc_compile(code.text, code.entry, sm);
  code.sm = sm;
  return code;
}

// ---- loaded modules ----

struct DeviceKernel {
  LoadedModule module;
  std::vector<DeviceErrorSite> sites;
  std::string what;  // "kernel f(...) at file:line", for errors
};

std::mutex loaded_mu;
std::map<std::string, DeviceKernel>& loaded() {
  static auto* m = new std::map<std::string, DeviceKernel>();  // modules outlive the statics
  return *m;
}

// The kernel loaded, or nullptr when no device code can be made for it (verify-kernel's
// problems, a construct a backend does not write yet): then it runs on the CPU, over the
// unified memory, and a warning says so once per kernel.
const DeviceKernel* load(const std::string& key, const std::string& what, const std::function<DeviceCode()>& code) {
  static std::map<std::string, std::string> cpu_only;
  {
    std::lock_guard<std::mutex> lock(loaded_mu);
    if (auto it = loaded().find(key); it != loaded().end()) return &it->second;
    if (cpu_only.count(key)) return nullptr;
  }
  DeviceCode dc;
  try {
    dc = code();
  } catch (const ErrorException& e) {
    std::fprintf(stderr, "tsr: warning: %s runs on the CPU, over its GPU tensors' unified memory: %s\n", what.c_str(), e.message().c_str());
    std::lock_guard<std::mutex> lock(loaded_mu);
    cpu_only.emplace(key, e.message());
    return nullptr;
  }
  DeviceKernel k{load_module(dc.text, dc.entry, what), std::move(dc.sites), what};
  std::lock_guard<std::mutex> lock(loaded_mu);
  return &loaded().emplace(key, std::move(k)).first->second;
}

// After the launch: waits, then raises the first error a work item reported.
void finish(const DeviceKernel& k) {
  synchronize("running " + k.what);
  if (!k.module.error_flag) return;
  int64_t flag = 0;
  if (k.module.host_error) {
    flag = *k.module.host_error;  // the host's mapped flag: the launch has finished, so it is written
    if (flag != 0) *k.module.host_error = 0;  // the next launch starts clean
  } else {
    copy_to_host(&flag, k.module.error_flag, sizeof flag);
    int64_t zero = 0;
    if (flag != 0) copy_to_device(k.module.error_flag, &zero, sizeof zero);
  }
  if (flag == 0) return;
  if (flag < 1 || static_cast<size_t>(flag) > k.sites.size())
    throw InternalError(k.what + " reported error site " + std::to_string(flag) + " of " + std::to_string(k.sites.size()));
  const DeviceErrorSite& s = k.sites[static_cast<size_t>(flag - 1)];
  std::string at = (s.loc.file ? *s.loc.file : std::string("?")) + ":" + std::to_string(s.loc.line);
  throw Error(s.kind, s.message + " (in " + (s.function.empty() ? k.what : s.function) + " at " + at + ", on the GPU)");
}

// ---- parameters: each in an 8-byte slot (every parameter is at most 8 bytes); the driver
// reads as many bytes as the kernel's parameter has, the low ones on this little-endian host.

struct Params {
  std::vector<uint64_t> slots;
  void push(uint64_t v) { slots.push_back(v); }
  // A value of type t as the entry takes it (ParamFlattener, device_gen.cpp): v null counts
  // the slots only (zeros in them), which is what the tests compare with the PTX.
  void push_value(const Value* v, const Type* t) {
    int rank = 0;
    if (is_device_tensor(t, &rank)) {
      const TensorObject* o = v ? &tensor_of(*v) : nullptr;
      push(o ? reinterpret_cast<uint64_t>(o->base) : 0);
      for (int k = 0; k < rank; ++k) push(o ? static_cast<uint64_t>(o->shape[k]) : 0);
      for (int k = 0; k < rank; ++k) push(o ? static_cast<uint64_t>(o->strides[k]) : 0);
      return;
    }
    if (is_bits(t) && !is_inline_struct(t)) {
      push(v ? number_bits(*v) : 0);  // Nothing: an unused byte
      return;
    }
    if (is_device_aggregate(t)) {
      const auto& types = aggregate_fields(t);
      const std::vector<Value>* fields = v ? &v->as_struct().fields : nullptr;
      for (size_t i = 0; i < types.size(); ++i) push_value(fields && i < fields->size() ? &(*fields)[i] : nullptr, types[i]);
    }
    // Constants (types, functions) have no parameter.
  }
  // The launch's Int64s after the kernel's arguments: total, the ndrange's three dimensions, its rank.
  void push_ndrange(const std::vector<int64_t>& dims) {
    int64_t total = 1;
    for (int64_t d : dims) total *= d;
    push(static_cast<uint64_t>(total));
    for (size_t k = 0; k < 3; ++k) push(static_cast<uint64_t>(k < dims.size() ? dims[k] : 1));
    push(static_cast<uint64_t>(dims.size()));
  }
  // A broadcast loop's: the outputs' pointers, the leaves (a tensor's pointer, a scalar's
  // value), the element count and the meta array's pointer. vals null counts.
  void push_broadcast(const BroadcastLoop& loop, const Value* vals, int64_t total, uint64_t meta) {
    size_t nout = loop.outs.size();
    for (size_t i = 0; i < nout + loop.is_tensor.size(); ++i) {
      if (i < nout || loop.is_tensor[i - nout]) push(vals ? reinterpret_cast<uint64_t>(tensor_of(vals[i]).base) : 0);
      else push_value(vals ? &vals[i] : nullptr, loop.f->argtypes[i - nout]);
    }
    push(static_cast<uint64_t>(total));
    push(meta);
  }
  std::vector<void*> pointers() {
    std::vector<void*> p;
    for (uint64_t& s : slots) p.push_back(&s);
    return p;
  }
};

// Whether the meta array (rank, the result's extents, then each value's strides; see the CPU's
// broadcast loop) says that every tensor has the result's row-major strides, dimensions of
// extent 1 aside: then element i of the result is element i of each tensor.
bool laid_out_as_result(const BroadcastLoop& loop, std::span<const int64_t> meta) {
  if (meta.empty()) return false;
  int64_t rank = meta[0];
  size_t nout = loop.outs.size(), nv = nout + loop.is_tensor.size();
  if (rank < 0 || meta.size() < static_cast<size_t>(1 + rank + rank * static_cast<int64_t>(nv))) return false;
  std::vector<int64_t> dense(static_cast<size_t>(rank));
  int64_t s = 1;
  for (int64_t d = rank - 1; d >= 0; --d) {
    dense[static_cast<size_t>(d)] = s;
    s *= meta[static_cast<size_t>(1 + d)];
  }
  for (size_t v = 0; v < nv; ++v) {
    if (v >= nout && !loop.is_tensor[v - nout]) continue;
    for (int64_t d = 0; d < rank; ++d)
      if (meta[static_cast<size_t>(1 + d)] != 1 && meta[static_cast<size_t>(1 + rank + rank * static_cast<int64_t>(v) + d)] != dense[static_cast<size_t>(d)])
        return false;
  }
  return true;
}

}  // namespace

size_t kernel_param_slots(const Spec& kernel) {
  Params p;
  for (size_t i = 0; i + kKernelIndexArgCount < kernel.argtypes.size(); ++i) p.push_value(nullptr, kernel.argtypes[i]);
  p.push_ndrange({1});
  return p.slots.size();
}

size_t broadcast_param_slots(const BroadcastLoop& loop) {
  Params p;
  p.push_broadcast(loop, nullptr, 0, 0);
  return p.slots.size();
}

bool launch_on_gpu(Compiler& c, Spec& kernel, std::span<const Value> args, const std::vector<int64_t>& dims, int64_t workgroup) {
  use_gpu("launch");
  std::string what = describe_kernel(kernel);
  std::string key = "kernel " + std::to_string(reinterpret_cast<uintptr_t>(&kernel)) + " " + gpu_backend();
  const DeviceKernel* loaded_kernel = load(key, what, [&] {
    std::string text = c.cache_text({&kernel}, true) + "kernel " + device_entry_name(kernel) + " noalias " +
                       std::to_string(kernel.layout.noalias) + " contiguous " + std::to_string(kernel.layout.contiguous) + "\n" + device_identity();
    return cached_code(c, text, [&] {
      return make_code([&](int sm) { return kernel_ptx(c, kernel, sm); }, [&] { return kernel_cuda_source(c, kernel); });
    });
  });
  if (!loaded_kernel) return false;
  const DeviceKernel& k = *loaded_kernel;
  size_t nuser = kernel.argtypes.size() - kKernelIndexArgCount;
  Params p;
  for (size_t i = 0; i < nuser && i < args.size(); ++i) p.push_value(&args[i], kernel.argtypes[i]);
  p.push_ndrange(dims);
  int64_t total = 1;
  for (int64_t d : dims) total *= d;
  std::vector<void*> params = p.pointers();
  auto t0 = std::chrono::steady_clock::now();
  launch_kernel(k.module, total, workgroup, params, what);
  finish(k);
  count_kernel(what, t0);
  return true;
}

bool broadcast_on_gpu(Compiler& c, const BroadcastLoop& loop, const Value* vals, size_t nvals, std::span<const int64_t> meta,
                      int64_t total) {
  use_gpu("broadcast");
  const SrcLoc& l = loop.f->body->loc;
  std::string what = "the broadcast of " + loop.f->body->name + " at " + (l.file ? *l.file : std::string("?")) + ":" + std::to_string(l.line);
  const DeviceKernel* loaded_loop = load("broadcast " + loop.name + " " + gpu_backend(), what, [&] {
    std::string text = c.cache_text({loop.f}, true) + "broadcast " + broadcast_entry_name(loop) + " of " + loop.key + "\n" + device_identity();
    return cached_code(c, text, [&] {
      return make_code([&](int sm) { return broadcast_ptx(c, loop, sm); }, [&] { return broadcast_cuda_source(c, loop); });
    });
  });
  if (!loaded_loop) return false;
  const DeviceKernel& k = *loaded_loop;
  if (nvals != loop.outs.size() + loop.is_tensor.size()) throw InternalError("a broadcast loop launched with the wrong number of values");
  // The meta array goes to the device for the launch, unless every tensor is laid out as the
  // result is (the common case: same shapes, contiguous): then the kernel takes a null pointer
  // and indexes each tensor linearly, and nothing is copied.
  Value meta_t;
  uint64_t meta_ptr = 0;
  if (!laid_out_as_result(loop, meta)) {
    size_t bytes = meta.size() * sizeof(int64_t);
    DevicePtr scratch = launch_scratch(bytes);
    if (!scratch) {
      meta_t = new_tensor(c.types(), DType::Int64, std::vector<int64_t>{static_cast<int64_t>(meta.size())}, nullptr, false, Device::GPU);
      scratch = reinterpret_cast<DevicePtr>(tensor_of(meta_t).base);
    }
    copy_to_device(scratch, meta.data(), bytes);
    meta_ptr = static_cast<uint64_t>(scratch);
  }
  Params p;
  p.push_broadcast(loop, vals, total, meta_ptr);
  std::vector<void*> params = p.pointers();
  auto t0 = std::chrono::steady_clock::now();
  // Without a meta array each work item takes kLinearPerItem elements (generate_broadcast).
  int64_t items = meta_ptr ? total : (total + kLinearPerItem - 1) / kLinearPerItem;
  launch_kernel(k.module, items, 256, params, what);
  finish(k);
  count_kernel(what, t0);
  return true;
}

}  // namespace tsr::jit::gpu
