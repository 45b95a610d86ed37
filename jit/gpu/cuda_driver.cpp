#include "jit/gpu/cuda_driver.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <vector>

#include "runtime/errors.hpp"

namespace tsr::jit::gpu {

namespace {

// The driver API's entry points used, by their C signatures (cuda.h is not needed to build).
// Handles (CUcontext, CUmodule, CUfunction, CUstream, CUevent) are opaque pointers,
// CUdeviceptr is a 64-bit integer, CUdevice an int.
struct Driver {
  void* lib = nullptr;
  int (*init)(unsigned) = nullptr;
  int (*device_count)(int*) = nullptr;
  int (*device_get)(int*, int) = nullptr;
  int (*device_name)(char*, int, int) = nullptr;
  int (*device_attribute)(int*, int, int) = nullptr;
  int (*driver_version)(int*) = nullptr;
  int (*error_name)(int, const char**) = nullptr;
  int (*error_string)(int, const char**) = nullptr;
  int (*primary_ctx_retain)(void**, int) = nullptr;
  int (*ctx_set_current)(void*) = nullptr;
  int (*ctx_synchronize)() = nullptr;
  int (*mem_alloc_managed)(uint64_t*, size_t, unsigned) = nullptr;
  int (*mem_free)(uint64_t) = nullptr;
  int (*memcpy_htod)(uint64_t, const void*, size_t) = nullptr;
  int (*memcpy_dtoh)(void*, uint64_t, size_t) = nullptr;
  int (*memset_d8)(uint64_t, unsigned char, size_t) = nullptr;
  int (*memset_d8_async)(uint64_t, unsigned char, size_t, void*) = nullptr;
  int (*mem_alloc)(uint64_t*, size_t) = nullptr;
  int (*mem_host_alloc)(void**, size_t, unsigned) = nullptr;
  int (*mem_host_device_pointer)(uint64_t*, void*, unsigned) = nullptr;
  int (*mem_get_info)(size_t*, size_t*) = nullptr;
  int (*module_load_data_ex)(void**, const void*, unsigned, int*, void**) = nullptr;
  int (*module_get_function)(void**, void*, const char*) = nullptr;
  int (*module_get_global)(uint64_t*, size_t*, void*, const char*) = nullptr;
  int (*func_get_attribute)(int*, int, void*) = nullptr;
  int (*launch_kernel)(void*, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void*, void**, void**) = nullptr;
  int (*stream_create)(void**, unsigned) = nullptr;
  int (*stream_synchronize)(void*) = nullptr;
  int (*event_create)(void**, unsigned) = nullptr;
  int (*event_record)(void*, void*) = nullptr;
  int (*event_synchronize)(void*) = nullptr;
  int (*event_elapsed_time)(float*, void*, void*) = nullptr;
  int (*event_destroy)(void*) = nullptr;
};

Driver& driver() {
  static Driver d;
  static std::once_flag once;
  std::call_once(once, [] {
    d.lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!d.lib) return;
    auto sym = [&](auto& f, const char* s) { f = reinterpret_cast<std::remove_reference_t<decltype(f)>>(dlsym(d.lib, s)); };
    sym(d.init, "cuInit");
    sym(d.device_count, "cuDeviceGetCount");
    sym(d.device_get, "cuDeviceGet");
    sym(d.device_name, "cuDeviceGetName");
    sym(d.device_attribute, "cuDeviceGetAttribute");
    sym(d.driver_version, "cuDriverGetVersion");
    sym(d.error_name, "cuGetErrorName");
    sym(d.error_string, "cuGetErrorString");
    sym(d.primary_ctx_retain, "cuDevicePrimaryCtxRetain");
    sym(d.ctx_set_current, "cuCtxSetCurrent");
    sym(d.ctx_synchronize, "cuCtxSynchronize");
    sym(d.mem_alloc_managed, "cuMemAllocManaged");
    sym(d.mem_free, "cuMemFree_v2");
    sym(d.memcpy_htod, "cuMemcpyHtoD_v2");
    sym(d.memcpy_dtoh, "cuMemcpyDtoH_v2");
    sym(d.memset_d8, "cuMemsetD8_v2");
    sym(d.memset_d8_async, "cuMemsetD8Async");
    sym(d.mem_alloc, "cuMemAlloc_v2");
    sym(d.mem_host_alloc, "cuMemHostAlloc");
    sym(d.mem_host_device_pointer, "cuMemHostGetDevicePointer_v2");
    sym(d.mem_get_info, "cuMemGetInfo_v2");
    sym(d.module_load_data_ex, "cuModuleLoadDataEx");
    sym(d.module_get_function, "cuModuleGetFunction");
    sym(d.module_get_global, "cuModuleGetGlobal_v2");
    sym(d.func_get_attribute, "cuFuncGetAttribute");
    sym(d.launch_kernel, "cuLaunchKernel");
    sym(d.stream_create, "cuStreamCreate");
    sym(d.stream_synchronize, "cuStreamSynchronize");
    sym(d.event_create, "cuEventCreate");
    sym(d.event_record, "cuEventRecord");
    sym(d.event_synchronize, "cuEventSynchronize");
    sym(d.event_elapsed_time, "cuEventElapsedTime");
    sym(d.event_destroy, "cuEventDestroy_v2");
  });
  return d;
}

std::string error_text(int rc) {
  Driver& d = driver();
  const char* name = nullptr;
  const char* text = nullptr;
  if (d.error_name) d.error_name(rc, &name);
  if (d.error_string) d.error_string(rc, &text);
  std::string s = name ? name : "CUDA error " + std::to_string(rc);
  if (text) s += std::string(" (") + text + ")";
  return s;
}

// Attributes (CUdevice_attribute, CUfunction_attribute) and flags by the driver API's numbers.
constexpr int kAttrMultiprocessors = 16, kAttrMemoryClock = 36, kAttrBusWidth = 37, kAttrMajor = 75, kAttrMinor = 76,
              kAttrManagedMemory = 83;
constexpr int kFuncMaxThreads = 0, kFuncNumRegs = 4;
constexpr unsigned kMemAttachGlobal = 1;
constexpr int kJitInfoLog = 3, kJitInfoLogSize = 4, kJitErrorLog = 5, kJitErrorLogSize = 6;

// The context and stream, made on first use; every entry below makes the context current on
// the calling thread first (a DataLoader's thread may move a batch to the GPU).
struct Context {
  void* ctx = nullptr;
  void* stream = nullptr;
};

Context& context() {
  static Context c;
  static std::once_flag once;
  std::call_once(once, [] {
    require_gpu("the GPU");
    Driver& d = driver();
    int dev = 0;
    check_cuda(d.device_get(&dev, 0), "cuDeviceGet");
    check_cuda(d.primary_ctx_retain(&c.ctx, dev), "cuDevicePrimaryCtxRetain");
    check_cuda(d.ctx_set_current(c.ctx), "cuCtxSetCurrent");
    // A blocking stream: the driver's synchronous copies on the null stream stay ordered after
    // the launches on it.
    check_cuda(d.stream_create(&c.stream, 0), "cuStreamCreate");
  });
  thread_local bool current = false;
  if (!current) {
    check_cuda(driver().ctx_set_current(c.ctx), "cuCtxSetCurrent");
    current = true;
  }
  return c;
}

// TSR_GPU_STATS=1: how many calls of each kind went to the driver and the host's time in them
// (a launch's is its queueing; a synchronize's, the wait for the GPU), printed at exit: where a
// step's time goes when it is not in the kernels.
struct CallStats {
  const char* name;
  uint64_t calls = 0, ns = 0, bytes = 0;
};
enum StatKind { kLaunch, kSync, kToDevice, kToHost, kMemset, kAlloc, kFree, kStatKinds };
CallStats stats[kStatKinds] = {{"launches"}, {"synchronizes"}, {"copies to the GPU"}, {"copies to the CPU"}, {"memsets"},
                               {"allocations"}, {"frees"}};
struct KernelStats {
  uint64_t calls = 0, ns = 0;
};
std::map<std::string, KernelStats>& kernel_stats() {
  static auto* m = new std::map<std::string, KernelStats>();  // read by the exit handler
  return *m;
}
bool stats_on() {
  static const bool on = [] {
    const char* v = std::getenv("TSR_GPU_STATS");
    if (!v || !*v || std::string(v) == "0") return false;
    std::atexit([] {
      std::fprintf(stderr, "tsr: GPU driver calls (TSR_GPU_STATS):\n");
      for (const CallStats& c : stats)
        if (c.calls)
          std::fprintf(stderr, "  %-18s %9llu calls %10.3f ms host time%s\n", c.name, static_cast<unsigned long long>(c.calls), c.ns / 1e6,
                       c.bytes ? (" " + std::to_string(c.bytes) + " bytes").c_str() : "");
      // Each kernel's launches, their time from the launch to the end of the wait for them
      // (launches are synchronous), the longest first.
      std::vector<std::pair<std::string, KernelStats>> ks(kernel_stats().begin(), kernel_stats().end());
      std::sort(ks.begin(), ks.end(), [](const auto& a, const auto& b) { return a.second.ns > b.second.ns; });
      std::fprintf(stderr, "tsr: kernels on the GPU, launch to finish (TSR_GPU_STATS):\n");
      for (size_t i = 0; i < ks.size() && i < 40; ++i)
        std::fprintf(stderr, "  %9llu launches %10.3f ms %8.1f us each  %s\n", static_cast<unsigned long long>(ks[i].second.calls),
                     ks[i].second.ns / 1e6, ks[i].second.ns / 1e3 / static_cast<double>(ks[i].second.calls), ks[i].first.c_str());
    });
    return true;
  }();
  return on;
}
uint64_t ns_since(std::chrono::steady_clock::time_point t0) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count());
}
// Counts one call while it lives (the driver is called from one thread at a time).
struct Counted {
  StatKind kind;
  size_t bytes;
  std::chrono::steady_clock::time_point t0;
  explicit Counted(StatKind k, size_t b = 0) : kind(k), bytes(b), t0(stats_on() ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{}) {}
  ~Counted() {
    if (!stats_on()) return;
    CallStats& c = stats[kind];
    c.calls++;
    c.bytes += bytes;
    c.ns += ns_since(t0);
  }
};

}  // namespace


void count_kernel(const std::string& what, std::chrono::steady_clock::time_point t0) {
  if (!stats_on()) return;
  KernelStats& k = kernel_stats()[what];
  k.calls++;
  k.ns += ns_since(t0);
}

void check_cuda(int rc, const char* what) {
  if (rc == 0) return;
  std::string msg = std::string(what) + ": " + error_text(rc);
  // A fault in a kernel leaves the context unusable: every later call fails the same way.
  if (rc == 700 || rc == 714 || rc == 715 || rc == 716 || rc == 719)
    msg += "; the GPU context cannot be used after this error, so the process must be restarted";
  throw ErrorException(msg);
}

const GpuStatus& gpu_status() {
  static GpuStatus s;
  static std::once_flag once;
  std::call_once(once, [] {
    Driver& d = driver();
    if (!d.lib) {
      s.why = "libcuda.so.1 was not found: this machine has no NVIDIA driver";
      return;
    }
    if (!d.init || !d.device_count || !d.device_get || !d.device_name || !d.device_attribute || !d.primary_ctx_retain ||
        !d.ctx_set_current || !d.ctx_synchronize || !d.mem_alloc_managed || !d.mem_free || !d.memcpy_htod || !d.memcpy_dtoh ||
        !d.memset_d8 || !d.mem_get_info || !d.module_load_data_ex || !d.module_get_function ||
        !d.module_get_global || !d.func_get_attribute || !d.launch_kernel || !d.stream_create || !d.stream_synchronize ||
        !d.event_create || !d.event_record || !d.event_synchronize || !d.event_elapsed_time || !d.event_destroy) {
      s.why = "libcuda.so.1 lacks the driver API entry points Tessera needs (a driver for CUDA 12 or newer is)";
      return;
    }
    if (int rc = d.init(0)) {
      s.why = "cuInit failed: " + error_text(rc);
      return;
    }
    int count = 0;
    if (int rc = d.device_count(&count); rc || count == 0) {
      s.why = rc ? "cuDeviceGetCount failed: " + error_text(rc) : "the NVIDIA driver found no GPU";
      return;
    }
    int dev = 0;
    d.device_get(&dev, 0);
    char name[256] = {};
    d.device_name(name, sizeof name, dev);
    int major = 0, minor = 0, managed = 0, clock = 0;
    d.device_attribute(&major, kAttrMajor, dev);
    d.device_attribute(&minor, kAttrMinor, dev);
    d.device_attribute(&managed, kAttrManagedMemory, dev);
    d.device_attribute(&s.multiprocessors, kAttrMultiprocessors, dev);
    d.device_attribute(&clock, kAttrMemoryClock, dev);
    d.device_attribute(&s.memory_bus_bits, kAttrBusWidth, dev);
    s.memory_clock_khz = clock;
    if (d.driver_version) d.driver_version(&s.driver_version);
    s.device = name;
    s.sm = major * 10 + minor;
    if (s.sm < 80) {
      s.why = std::string(name) + " is sm_" + std::to_string(s.sm) + "; Tessera's device code needs sm_80 or newer";
      return;
    }
    if (!managed) {
      s.why = std::string(name) + " does not support managed memory, which Tessera's device tensors use";
      return;
    }
    s.available = true;
  });
  return s;
}

void require_gpu(const std::string& what) {
  const GpuStatus& s = gpu_status();
  if (!s.available)
    throw ErrorException(what + ": no GPU is available (" + s.why + "): has_gpu() tells whether one is, and everything else runs on the CPU");
}

DevicePtr driver_alloc(size_t bytes) {
  context();
  Counted counted(kAlloc, bytes);
  // Managed memory would let an allocation exceed what the device has free (pages then move
  // between the CPU and the GPU; on some machines asking for more than is free hangs the GPU):
  // as PyTorch's cudaMalloc does, more than is free is an out-of-memory error, which the
  // caching allocator answers by returning its cache and trying once more.
  size_t free_bytes = 0, total = 0;
  bool known = driver().mem_get_info(&free_bytes, &total) == 0;
  DevicePtr p = 0;
  int rc = known && bytes > free_bytes ? 2 : driver().mem_alloc_managed(&p, bytes ? bytes : 1, kMemAttachGlobal);
  if (rc == 2)  // CUDA_ERROR_OUT_OF_MEMORY
    throw Error("OutOfMemoryError", "the GPU could not allocate " + std::to_string(bytes) + " bytes (" + std::to_string(free_bytes >> 20) +
                                        " MiB free of " + std::to_string(total >> 20) + " MiB)");
  check_cuda(rc, "cuMemAllocManaged");
  return p;
}

void driver_free(DevicePtr p) {
  context();
  Counted counted(kFree);
  // The stream may still use the block: freeing waits for it (cuMemFree synchronizes).
  check_cuda(driver().mem_free(p), "cuMemFree");
}

void copy_to_device(DevicePtr dst, const void* src, size_t bytes) {
  context();
  Counted counted(kToDevice, bytes);
  if (bytes) check_cuda(driver().memcpy_htod(dst, src, bytes), "cuMemcpyHtoD");
}

void copy_to_host(void* dst, DevicePtr src, size_t bytes) {
  context();
  Counted counted(kToHost, bytes);
  if (bytes) check_cuda(driver().memcpy_dtoh(dst, src, bytes), "cuMemcpyDtoH");
}

void zero_device(DevicePtr dst, size_t bytes) {
  Context& c = context();
  Counted counted(kMemset, bytes);
  if (!bytes) return;
  // On the stream, then a wait for it: cuMemsetD8 on the legacy stream took 22 us a call on an
  // H200 (a training step zeroes a few dozen tensors); the wait keeps it finished before any
  // CPU access to the unified memory, as the synchronous call did.
  if (driver().memset_d8_async) {
    check_cuda(driver().memset_d8_async(dst, 0, bytes, c.stream), "cuMemsetD8Async");
    check_cuda(driver().stream_synchronize(c.stream), "cuMemsetD8Async");
    return;
  }
  check_cuda(driver().memset_d8(dst, 0, bytes), "cuMemsetD8");
}

DevicePtr launch_scratch(size_t bytes) {
  static DevicePtr buf = 0;
  static size_t size = 0;
  if (bytes <= size) return buf;
  if (!driver().mem_alloc) return 0;
  context();
  // The old buffer is not freed: a kernel that read it has finished (launches wait), but one
  // buffer of the largest size asked for is all this ever holds, so it is simply kept.
  size_t want = std::max<size_t>(bytes, 64 << 10);
  DevicePtr p = 0;
  if (driver().mem_alloc(&p, want) != 0) return 0;
  buf = p;
  size = want;
  return buf;
}

void device_memory_info(size_t* free_bytes, size_t* total_bytes) {
  context();
  check_cuda(driver().mem_get_info(free_bytes, total_bytes), "cuMemGetInfo");
}

namespace {

// One int64 of pinned host memory that the GPU can write (cuMemHostAlloc, mapped), and its
// device address; {nullptr, 0} when the driver does not give one.
std::pair<volatile int64_t*, DevicePtr> mapped_error_flag() {
  static std::pair<volatile int64_t*, DevicePtr> flag = [] {
    Driver& d = driver();
    void* host = nullptr;
    DevicePtr device = 0;
    constexpr unsigned kHostAllocPortable = 1, kHostAllocDeviceMap = 2;
    if (!d.mem_host_alloc || !d.mem_host_device_pointer || d.mem_host_alloc(&host, 64, kHostAllocPortable | kHostAllocDeviceMap) != 0)
      return std::pair<volatile int64_t*, DevicePtr>{nullptr, 0};
    if (d.mem_host_device_pointer(&device, host, 0) != 0) return std::pair<volatile int64_t*, DevicePtr>{nullptr, 0};
    *static_cast<volatile int64_t*>(host) = 0;
    return std::pair<volatile int64_t*, DevicePtr>{static_cast<volatile int64_t*>(host), device};
  }();
  return flag;
}

}  // namespace

LoadedModule load_module(const std::string& ptx, const std::string& entry, const std::string& what) {
  context();
  Driver& d = driver();
  LoadedModule m;
  char info[8192] = {}, errors[8192] = {};
  int options[4] = {kJitInfoLog, kJitInfoLogSize, kJitErrorLog, kJitErrorLogSize};
  void* values[4] = {info, reinterpret_cast<void*>(uintptr_t(sizeof info)), errors, reinterpret_cast<void*>(uintptr_t(sizeof errors))};
  if (int rc = d.module_load_data_ex(&m.module, ptx.c_str(), 4, options, values)) {
    std::string log = errors;
    throw ErrorException("the driver could not load the device code of " + what + ": " + error_text(rc) + (log.empty() ? "" : "\n" + log));
  }
  check_cuda(d.module_get_function(&m.function, m.module, entry.c_str()), ("cuModuleGetFunction " + entry).c_str());
  size_t bytes = 0;
  if (d.module_get_global(&m.error_flag, &bytes, m.module, "tsr_error") != 0) m.error_flag = 0;
  // Errors to the host's mapped flag: read after the launch without a copy (a copy of the
  // 8 bytes after each launch cost 10 us on an H200).
  DevicePtr at = 0;
  if (m.error_flag && d.module_get_global(&at, &bytes, m.module, "tsr_error_at") == 0 && bytes == 8)
    if (auto [host, device] = mapped_error_flag(); host) {
      check_cuda(d.memcpy_htod(at, &device, sizeof device), "cuMemcpyHtoD tsr_error_at");
      m.host_error = host;
    }
  d.func_get_attribute(&m.registers, kFuncNumRegs, m.function);
  d.func_get_attribute(&m.max_threads, kFuncMaxThreads, m.function);
  return m;
}

void launch_kernel(const LoadedModule& m, int64_t items, int64_t block, std::vector<void*>& params, const std::string& what) {
  Context& c = context();
  if (block > 1024)
    throw ArgumentError("launch: a GPU runs work-groups of at most 1024 work items, got workgroup = " + std::to_string(block));
  uint64_t grid = static_cast<uint64_t>(items / block + (items % block != 0));
  if (grid == 0) return;
  if (grid > 0x7fffffffu)
    throw ArgumentError(what + ": " + std::to_string(grid) + " work-groups are more than a GPU launch takes (2^31 - 1)");
  if (m.max_threads && block > m.max_threads)
    throw ArgumentError(what + ": workgroup = " + std::to_string(block) + " is more than this kernel can run in one block on " +
                        gpu_status().device + " (" + std::to_string(m.max_threads) + " threads, with " + std::to_string(m.registers) +
                        " registers each)");
  Counted counted(kLaunch);
  int rc = driver().launch_kernel(m.function, static_cast<unsigned>(grid), 1, 1, static_cast<unsigned>(block), 1, 1, 0, c.stream,
                                  params.empty() ? nullptr : params.data(), nullptr);
  check_cuda(rc, ("launching " + what).c_str());
}

void synchronize(const std::string& what) {
  Context& c = context();
  Counted counted(kSync);
  check_cuda(driver().stream_synchronize(c.stream), what.c_str());
}

EventPair events_create() {
  context();
  EventPair e;
  check_cuda(driver().event_create(&e.start, 0), "cuEventCreate");
  check_cuda(driver().event_create(&e.stop, 0), "cuEventCreate");
  return e;
}

void event_record(void* event) { check_cuda(driver().event_record(event, context().stream), "cuEventRecord"); }

float events_elapsed_ms(const EventPair& e) {
  context();
  check_cuda(driver().event_synchronize(e.stop), "cuEventSynchronize");
  float ms = 0;
  check_cuda(driver().event_elapsed_time(&ms, e.start, e.stop), "cuEventElapsedTime");
  return ms;
}

void events_destroy(EventPair& e) {
  if (e.start) driver().event_destroy(e.start);
  if (e.stop) driver().event_destroy(e.stop);
  e = {};
}

}  // namespace tsr::jit::gpu
