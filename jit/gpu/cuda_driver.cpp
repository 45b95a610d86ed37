#include "jit/gpu/cuda_driver.hpp"

#include <dlfcn.h>

#include <mutex>

#include "runtime/errors.hpp"

namespace tsr::jit::gpu {

namespace {

// The driver API's entry points used, by their C signatures (cuda.h is not needed to build).
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

}  // namespace

void check_cuda(int rc, const char* what) {
  if (rc != 0) throw ErrorException(std::string(what) + ": " + error_text(rc));
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
    if (!d.init || !d.device_count || !d.device_get || !d.device_name || !d.device_attribute) {
      s.why = "libcuda.so.1 lacks the driver API entry points Tessera needs";
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
    int major = 0, minor = 0;
    d.device_attribute(&major, 75, dev);  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
    d.device_attribute(&minor, 76, dev);  // ..._MINOR
    if (d.driver_version) d.driver_version(&s.driver_version);
    s.device = name;
    s.sm = major * 10 + minor;
    s.available = true;
  });
  return s;
}

}  // namespace tsr::jit::gpu
