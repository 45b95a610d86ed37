#include "jit/gpu/device_code_dump.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>

#include "jit/gpu/cuda_source.hpp"
#include "jit/gpu/device_launch.hpp"
#include "jit/gpu/nvptx.hpp"
#include "jit/gpu/nvrtc.hpp"
#include "jit/verify_device_kernel.hpp"
#include "runtime/errors.hpp"
#include "runtime/type_printer.hpp"

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

namespace {

// What --emit shows and TSR_DEVICE_CODE_DIR keeps of one kernel or broadcast loop.
struct DeviceUnit {
  std::string entry;        // its entry's symbol
  std::string description;  // "kernel f(::T...) at file:line", "broadcast #bcast#3 at file:line"
  std::string name;         // what --function matches
  std::function<DeviceCode(int)> ptx;
  std::function<DeviceCode()> cuda;
  size_t slots = 0;  // the parameters launch passes (0: not launched by Tessera's packer)
};

void show_and_keep(Compiler& c, const DeviceUnit& u) {
  const std::string& emit = c.options().device_emit;
  const char* dir = code_dir();
  if (!emit.empty() && (c.options().dump_only.empty() || c.options().dump_only == u.name)) {
    c.count_shown();
    std::string header = "; ---- " + u.description + (emit == "ptx" ? " (PTX, sm_" + std::to_string(emit_arch()) + ")" : " (CUDA C++)");
    try {
      std::string text = emit == "ptx" ? u.ptx(emit_arch()).text : u.cuda().text;
      std::fprintf(stderr, "%s\n%s\n", header.c_str(), text.c_str());
    } catch (const Error& e) {
      std::fprintf(stderr, "%s\n; no device code: %s\n", header.c_str(), e.what());
    }
  }
  if (!dir) return;
  std::string base = std::string(dir) + "/" + u.entry;
  write_file(base + ".kernel", u.description + "\n");
  if (u.slots) write_file(base + ".slots", std::to_string(u.slots) + "\n");
  try {
    for (int sm : device_architectures()) write_file(base + ".sm_" + std::to_string(sm) + ".ptx", u.ptx(sm).text);
  } catch (const Error& e) {
    write_file(base + ".nvptx.error", std::string(e.what()) + "\n");
  }
  std::string source;
  try {
    source = u.cuda().text;
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
      write_file(base + ".nvrtc.sm_" + std::to_string(sm) + ".ptx", nvrtc_compile(source, u.entry, sm));
  } catch (const Error& e) {
    write_file(base + ".nvrtc.error", std::string(e.what()) + "\n");
  }
}

}  // namespace

void on_broadcast_compiled(Compiler& c, const BroadcastLoop& loop) {
  if (c.options().device_emit.empty() && !code_dir()) return;
  const SrcLoc& l = loop.f->body->loc;
  std::string leaves;
  for (size_t k = 0; k < loop.f->argtypes.size(); ++k)
    leaves += (k ? ", " : "") + std::string(k < loop.is_tensor.size() && loop.is_tensor[k] ? "tensor of " : "") + show_type(loop.f->argtypes[k]);
  DeviceUnit u{broadcast_entry_name(loop),
               "broadcast " + loop.f->body->name + "(" + leaves + ") at " + (l.file ? *l.file : std::string("?")) + ":" + std::to_string(l.line),
               loop.f->body->name,
               [&](int sm) { return broadcast_ptx(c, loop, sm); },
               [&] { return broadcast_cuda_source(c, loop); },
               broadcast_param_slots(loop)};
  show_and_keep(c, u);
}

void on_kernel_compiled(Compiler& c, Spec& kernel) {
  if (c.options().device_emit.empty() && !code_dir()) return;
  DeviceUnit u{device_entry_name(kernel), describe_kernel(kernel), kernel.body->name,
               [&](int sm) { return kernel_ptx(c, kernel, sm); },
               [&] { return kernel_cuda_source(c, kernel); },
               kernel_param_slots(kernel)};
  show_and_keep(c, u);
}

void on_cuda_kernel_defined(Compiler& c, const std::string& entry, const std::string& source, const std::string& description) {
  if (c.options().device_emit.empty() && !code_dir()) return;
  DeviceUnit u{entry, description, entry,
               [&](int sm) {
                 DeviceCode code;
                 code.entry = entry;
                 code.sm = sm;
                 code.text = nvrtc_compile(source, entry, sm);
                 return code;
               },
               [&] {
                 DeviceCode code;
                 code.entry = entry;
                 code.text = source;
                 return code;
               }};
  show_and_keep(c, u);
}

}  // namespace tsr::jit::gpu
