#include "jit/gpu/device_code_dump.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "jit/gpu/cuda_source.hpp"
#include "jit/gpu/nvptx.hpp"
#include "jit/gpu/nvrtc.hpp"
#include "jit/verify_device_kernel.hpp"
#include "runtime/errors.hpp"

namespace tsr::jit::gpu {

namespace {

const char* code_dir() {
  static const char* dir = [] {
    const char* d = std::getenv("TSR_DEVICE_CODE_DIR");
    return d && *d ? d : nullptr;
  }();
  return dir;
}

// The architecture --emit=ptx shows: TSR_GPU_ARCH=sm_90 (or 90), sm_80 by default.
int emit_arch() {
  const char* a = std::getenv("TSR_GPU_ARCH");
  if (!a || !*a) return 80;
  std::string s = a;
  if (s.rfind("sm_", 0) == 0) s = s.substr(3);
  int sm = std::atoi(s.c_str());
  return sm >= 80 ? sm : 80;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

}  // namespace

void on_kernel_compiled(Compiler& c, Spec& kernel) {
  const std::string& emit = c.options().device_emit;
  const char* dir = code_dir();
  if (emit.empty() && !dir) return;
  if (!emit.empty() && (c.options().dump_only.empty() || c.options().dump_only == kernel.body->name)) {
    c.count_shown();
    std::string header = "; ---- " + describe_kernel(kernel) + (emit == "ptx" ? " (PTX, sm_" + std::to_string(emit_arch()) + ")" : " (CUDA C++)");
    try {
      std::string text = emit == "ptx" ? kernel_ptx(c, kernel, emit_arch()).text : kernel_cuda_source(c, kernel).text;
      std::fprintf(stderr, "%s\n%s\n", header.c_str(), text.c_str());
    } catch (const Error& e) {
      std::fprintf(stderr, "%s\n; no device code: %s\n", header.c_str(), e.what());
    }
  }
  if (!dir) return;
  std::string base = std::string(dir) + "/" + device_entry_name(kernel);
  write_file(base + ".kernel", describe_kernel(kernel) + "\n");
  try {
    for (int sm : device_architectures()) write_file(base + ".sm_" + std::to_string(sm) + ".ptx", kernel_ptx(c, kernel, sm).text);
  } catch (const Error& e) {
    write_file(base + ".nvptx.error", std::string(e.what()) + "\n");
  }
  std::string source;
  try {
    source = kernel_cuda_source(c, kernel).text;
    write_file(base + ".cu", source);
  } catch (const Error& e) {
    write_file(base + ".cuda.error", std::string(e.what()) + "\n");
    return;
  }
  // NVRTC's PTX of the source, for ptxas to check as it checks LLVM's.
  std::string why;
  if (!nvrtc_available(&why)) {
    write_file(base + ".nvrtc.skipped", why + "\n");
    return;
  }
  try {
    for (int sm : device_architectures())
      write_file(base + ".nvrtc.sm_" + std::to_string(sm) + ".ptx", nvrtc_compile(source, device_entry_name(kernel), sm));
  } catch (const Error& e) {
    write_file(base + ".nvrtc.error", std::string(e.what()) + "\n");
  }
}

}  // namespace tsr::jit::gpu
