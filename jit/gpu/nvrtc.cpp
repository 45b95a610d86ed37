#include "jit/gpu/nvrtc.hpp"

#include <dlfcn.h>

#include <mutex>
#include <vector>

#include "jit/gpu/nvptx.hpp"
#include "runtime/errors.hpp"

namespace tsr::jit::gpu {

namespace {

// The few entry points used, by their C signatures (nvrtc.h is not needed to build).
using Program = void*;
struct Nvrtc {
  void* lib = nullptr;
  std::string tried;
  int (*version)(int*, int*) = nullptr;
  const char* (*error_string)(int) = nullptr;
  int (*create)(Program*, const char*, const char*, int, const char* const*, const char* const*) = nullptr;
  int (*compile)(Program, int, const char* const*) = nullptr;
  int (*log_size)(Program, size_t*) = nullptr;
  int (*log)(Program, char*) = nullptr;
  int (*ptx_size)(Program, size_t*) = nullptr;
  int (*ptx)(Program, char*) = nullptr;
  int (*destroy)(Program*) = nullptr;
};

const Nvrtc& nvrtc() {
  static Nvrtc n;
  static std::once_flag once;
  std::call_once(once, [] {
    std::vector<std::string> names;
    std::string root = cuda_toolkit_root();
    if (!root.empty())
      for (const char* v : {"libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12"}) names.push_back(root + "/lib64/" + v);
    for (const char* v : {"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"}) names.push_back(v);
    for (const std::string& name : names) {
      n.tried += (n.tried.empty() ? "" : ", ") + name;
      if ((n.lib = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL))) break;
    }
    if (!n.lib) return;
    auto sym = [&](auto& f, const char* s) { f = reinterpret_cast<std::remove_reference_t<decltype(f)>>(dlsym(n.lib, s)); };
    sym(n.version, "nvrtcVersion");
    sym(n.error_string, "nvrtcGetErrorString");
    sym(n.create, "nvrtcCreateProgram");
    sym(n.compile, "nvrtcCompileProgram");
    sym(n.log_size, "nvrtcGetProgramLogSize");
    sym(n.log, "nvrtcGetProgramLog");
    sym(n.ptx_size, "nvrtcGetPTXSize");
    sym(n.ptx, "nvrtcGetPTX");
    sym(n.destroy, "nvrtcDestroyProgram");
    if (!n.version || !n.error_string || !n.create || !n.compile || !n.log_size || !n.log || !n.ptx_size || !n.ptx || !n.destroy)
      n.lib = nullptr;
  });
  return n;
}

}  // namespace

bool nvrtc_available(std::string* why) {
  const Nvrtc& n = nvrtc();
  if (!n.lib && why) *why = "NVRTC (libnvrtc) was not found; tried " + n.tried + ". Install the CUDA toolkit or set TSR_CUDA_HOME";
  return n.lib != nullptr;
}

std::string nvrtc_version() {
  const Nvrtc& n = nvrtc();
  if (!n.lib) return "";
  int major = 0, minor = 0;
  n.version(&major, &minor);
  return std::to_string(major) + "." + std::to_string(minor);
}

std::string nvrtc_compile(const std::string& source, const std::string& name, int sm) {
  std::string why;
  if (!nvrtc_available(&why)) throw ErrorException(why);
  const Nvrtc& n = nvrtc();
  Program prog = nullptr;
  if (int rc = n.create(&prog, source.c_str(), (name + ".cu").c_str(), 0, nullptr, nullptr))
    throw ErrorException(std::string("NVRTC could not take ") + name + ": " + n.error_string(rc));
  std::string arch = "--gpu-architecture=sm_" + std::to_string(sm);
  const char* opts[] = {arch.c_str(), "--std=c++17", "--device-as-default-execution-space"};
  int rc = n.compile(prog, 3, opts);
  size_t log_size = 0;
  n.log_size(prog, &log_size);
  std::string log(log_size, '\0');
  if (log_size) n.log(prog, log.data());
  while (!log.empty() && (log.back() == '\0' || log.back() == '\n')) log.pop_back();
  if (rc) {
    n.destroy(&prog);
    throw ErrorException("NVRTC could not compile " + name + " for sm_" + std::to_string(sm) + ": " + n.error_string(rc) + "\n" + log);
  }
  size_t size = 0;
  n.ptx_size(prog, &size);
  std::string ptx(size, '\0');
  n.ptx(prog, ptx.data());
  n.destroy(&prog);
  while (!ptx.empty() && ptx.back() == '\0') ptx.pop_back();
  return ptx;
}

}  // namespace tsr::jit::gpu
