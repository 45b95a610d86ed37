// The CUDA driver (libcuda.so.1), opened with dlopen at run time and never linked: a machine
// without a GPU or driver runs everything else, and says so when a script asks for the GPU.
// Every CUresult becomes a Tessera error with the driver's name for it.
#pragma once

#include <string>

namespace tsr::jit::gpu {

// The driver's state on this machine, probed once: a usable device, or why there is none.
struct GpuStatus {
  bool available = false;
  std::string why;      // "libcuda.so.1 was not found (no NVIDIA driver)", "cuInit: CUDA_ERROR_NO_DEVICE"
  std::string device;   // the first device's name
  int sm = 0;           // its compute capability, as 80 or 90
  int driver_version = 0;
};
const GpuStatus& gpu_status();

// Raises an ErrorException "what: CUDA_ERROR_X (the driver's description)" when rc != 0.
void check_cuda(int rc, const char* what);

}  // namespace tsr::jit::gpu
