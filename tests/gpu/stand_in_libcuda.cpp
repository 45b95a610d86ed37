// A stand-in for the CUDA driver (built as libcuda.so.1 in the build tree, found only through
// LD_LIBRARY_PATH by tests/gpu/stand_in_driver.sh): it lets the host side of Tessera's GPU
// runtime run on a machine without a GPU, which is every build machine here. It is not a GPU:
// memory is host memory and a launch runs nothing. What it does check is what a real driver
// would reject or what would corrupt a real run: every launch's function comes from a module
// whose PTX has that entry, its parameter array holds as many non-null pointers as the entry
// has parameters, its grid and block are in range, and memory is freed once and only memory it
// gave out. It writes one line per call that matters to $STAND_IN_CUDA_LOG, and a launch of an
// entry named in $STAND_IN_CUDA_FAIL sets the module's `tsr_error` to 1, as a device-side
// BoundsError would.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace {

struct Module {
  std::map<std::string, int> entries;  // name -> number of parameters
  uint64_t error_flag = 0;             // host memory for `tsr_error` and `tsr_error_at`, 0 when the PTX has none
};
struct Function {
  Module* module;
  std::string name;
  int params;
};

std::mutex mu;
std::map<uint64_t, size_t>& blocks() {
  static std::map<uint64_t, size_t> b;
  return b;
}

void log(const std::string& line) {
  const char* path = std::getenv("STAND_IN_CUDA_LOG");
  if (!path) return;
  std::lock_guard<std::mutex> lock(mu);
  if (FILE* f = std::fopen(path, "a")) {
    std::fprintf(f, "%s\n", line.c_str());
    std::fclose(f);
  }
}

// CUresult values a real driver returns for these cases.
constexpr int kSuccess = 0, kInvalidValue = 1, kInvalidImage = 200, kNotFound = 500, kInvalidHandle = 400, kLaunchOutOfResources = 701;

int fail(int rc, const std::string& why) {
  log("ERROR " + why);
  return rc;
}

// The entries of PTX text and their parameter counts: `.entry NAME(` then `.param` lines to `)`.
Module* parse(const char* ptx) {
  auto* m = new Module();
  std::string s(ptx);
  size_t at = 0;
  while ((at = s.find(".entry ", at)) != std::string::npos) {
    size_t open = s.find('(', at);
    size_t close = s.find("\n)", open);
    if (open == std::string::npos || close == std::string::npos) break;
    std::string name = s.substr(at + 7, open - at - 7);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\n')) name.pop_back();
    int params = 0;
    for (size_t p = s.find(".param", open); p != std::string::npos && p < close; p = s.find(".param", p + 1)) ++params;
    m->entries[name] = params;
    at = close;
  }
  if (s.find("tsr_error") != std::string::npos) {
    // `tsr_error` and, beside it, `tsr_error_at`: where a kernel writes its error, the flag
    // itself until the host points it at its mapped memory.
    auto* flag = static_cast<uint64_t*>(std::calloc(2, 8));
    flag[1] = reinterpret_cast<uint64_t>(flag);
    m->error_flag = reinterpret_cast<uint64_t>(flag);
  }
  return m;
}

}  // namespace

extern "C" {

int cuInit(unsigned) { return kSuccess; }
// NVRTC opens libcuda.so.1 too and asks for the driver's private export tables: there are none.
int cuGetExportTable(const void** table, const void*) {
  *table = nullptr;
  return 801;  // CUDA_ERROR_NOT_SUPPORTED
}
int cuDeviceGetCount(int* n) { *n = 1; return kSuccess; }
int cuDeviceGet(int* d, int i) { *d = i; return i == 0 ? kSuccess : kInvalidValue; }
int cuDeviceGetName(char* name, int len, int) {
  std::snprintf(name, static_cast<size_t>(len), "stand-in driver (no GPU)");
  return kSuccess;
}
int cuDeviceGetAttribute(int* v, int attr, int) {
  switch (attr) {
    case 75: *v = 9; break;        // compute capability major
    case 76: *v = 0; break;        // minor
    case 83: *v = 1; break;        // managed memory
    case 16: *v = 132; break;      // multiprocessors
    case 36: *v = 2619000; break;  // memory clock, kHz
    case 37: *v = 5120; break;     // bus width, bits
    default: *v = 0;
  }
  return kSuccess;
}
int cuDriverGetVersion(int* v) { *v = 12080; return kSuccess; }
int cuGetErrorName(int rc, const char** s) {
  *s = rc == kNotFound ? "CUDA_ERROR_NOT_FOUND" : rc == kInvalidValue ? "CUDA_ERROR_INVALID_VALUE" : "CUDA_ERROR_STAND_IN";
  return kSuccess;
}
int cuGetErrorString(int, const char** s) { *s = "reported by the stand-in driver"; return kSuccess; }
int cuDevicePrimaryCtxRetain(void** ctx, int) { static int c; *ctx = &c; return kSuccess; }
int cuCtxSetCurrent(void*) { return kSuccess; }
int cuCtxSynchronize() { return kSuccess; }

int cuMemAllocManaged(uint64_t* p, size_t bytes, unsigned flags) {
  if (flags != 1) return fail(kInvalidValue, "cuMemAllocManaged flags " + std::to_string(flags));
  void* m = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
  *p = reinterpret_cast<uint64_t>(m);
  {
    std::lock_guard<std::mutex> lock(mu);
    blocks()[*p] = bytes;
  }
  log("alloc " + std::to_string(bytes));
  return kSuccess;
}
// Device-only memory (the launches' scratch buffer): host memory here, as managed memory is.
int cuMemAlloc_v2(uint64_t* p, size_t bytes) {
  void* m = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
  *p = reinterpret_cast<uint64_t>(m);
  {
    std::lock_guard<std::mutex> lock(mu);
    blocks()[*p] = bytes;
  }
  log("alloc device " + std::to_string(bytes));
  return kSuccess;
}
// Pinned host memory, mapped: host memory, its device address the same pointer.
int cuMemHostAlloc(void** p, size_t bytes, unsigned flags) {
  if (flags & ~3u) return fail(kInvalidValue, "cuMemHostAlloc flags " + std::to_string(flags));
  *p = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
  log("host alloc " + std::to_string(bytes));
  return kSuccess;
}
int cuMemHostGetDevicePointer_v2(uint64_t* d, void* p, unsigned) {
  *d = reinterpret_cast<uint64_t>(p);
  return kSuccess;
}
int cuMemFree_v2(uint64_t p) {
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!blocks().erase(p)) return kInvalidValue;
  }
  std::free(reinterpret_cast<void*>(p));
  log("free");
  return kSuccess;
}
int cuMemcpyHtoD_v2(uint64_t d, const void* s, size_t n) { std::memcpy(reinterpret_cast<void*>(d), s, n); return kSuccess; }
int cuMemcpyDtoH_v2(void* d, uint64_t s, size_t n) { std::memcpy(d, reinterpret_cast<const void*>(s), n); return kSuccess; }
int cuMemsetD8_v2(uint64_t d, unsigned char v, size_t n) { std::memset(reinterpret_cast<void*>(d), v, n); return kSuccess; }
int cuMemsetD8Async(uint64_t d, unsigned char v, size_t n, void*) { std::memset(reinterpret_cast<void*>(d), v, n); return kSuccess; }
int cuMemGetInfo_v2(size_t* free_bytes, size_t* total) { *free_bytes = size_t(100) << 30; *total = size_t(141) << 30; return kSuccess; }

int cuModuleLoadDataEx(void** module, const void* image, unsigned, int*, void**) {
  Module* m = parse(static_cast<const char*>(image));
  if (m->entries.empty()) return fail(kInvalidImage, "cuModuleLoadDataEx: PTX without an entry");
  *module = m;
  for (auto& [name, n] : m->entries) log("load " + name + " params " + std::to_string(n));
  return kSuccess;
}
int cuModuleGetFunction(void** f, void* module, const char* name) {
  auto* m = static_cast<Module*>(module);
  auto it = m->entries.find(name);
  if (it == m->entries.end()) return fail(kNotFound, std::string("cuModuleGetFunction ") + name);
  *f = new Function{m, name, it->second};
  return kSuccess;
}
int cuModuleGetGlobal_v2(uint64_t* p, size_t* bytes, void* module, const char* name) {
  auto* m = static_cast<Module*>(module);
  if (!m->error_flag) return kNotFound;
  if (std::string(name) == "tsr_error") {
    *p = m->error_flag;
  } else if (std::string(name) == "tsr_error_at") {
    *p = m->error_flag + 8;  // the stand-in's module keeps the pointer beside the flag
  } else {
    return kNotFound;
  }
  if (bytes) *bytes = 8;
  return kSuccess;
}
int cuFuncGetAttribute(int* v, int attr, void*) {
  *v = attr == 0 ? 1024 : attr == 4 ? 32 : 0;
  return kSuccess;
}
int cuLaunchKernel(void* fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz, unsigned shared,
                   void*, void** params, void** extra) {
  auto* f = static_cast<Function*>(fn);
  if (!f) return fail(kInvalidHandle, "cuLaunchKernel without a function");
  if (gx == 0 || gy != 1 || gz != 1 || bx == 0 || bx > 1024 || by != 1 || bz != 1 || shared != 0 || extra)
    return fail(kInvalidValue, "cuLaunchKernel " + f->name + ": grid " + std::to_string(gx) + " block " + std::to_string(bx));
  if (f->params > 0 && !params) return fail(kInvalidValue, "cuLaunchKernel " + f->name + ": no parameters");
  for (int i = 0; i < f->params; ++i)
    if (!params[i]) return fail(kInvalidValue, "cuLaunchKernel " + f->name + ": parameter " + std::to_string(i) + " is null");
  log("launch " + f->name + " grid " + std::to_string(gx) + " block " + std::to_string(bx) + " params " + std::to_string(f->params));
  if (const char* which = std::getenv("STAND_IN_CUDA_FAIL"); which && f->name.find(which) != std::string::npos) {
    if (!f->module->error_flag) return fail(kLaunchOutOfResources, f->name + " has no tsr_error to report through");
    *reinterpret_cast<int64_t*>(reinterpret_cast<uint64_t*>(f->module->error_flag)[1]) = 1;  // through tsr_error_at
  }
  return kSuccess;
}
int cuStreamCreate(void** s, unsigned) { static int st; *s = &st; return kSuccess; }
int cuStreamSynchronize(void*) { return kSuccess; }
int cuEventCreate(void** e, unsigned) { *e = new int(0); return kSuccess; }
int cuEventRecord(void*, void*) { return kSuccess; }
int cuEventSynchronize(void*) { return kSuccess; }
int cuEventElapsedTime(float* ms, void*, void*) { *ms = 1.5f; return kSuccess; }
int cuEventDestroy_v2(void* e) { delete static_cast<int*>(e); return kSuccess; }

}  // extern "C"
