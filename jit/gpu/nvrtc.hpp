// NVRTC, opened at run time with dlopen (never linked: a machine without the CUDA toolkit still
// runs everything else): CUDA C++ to PTX for one architecture.
#pragma once

#include <string>

namespace tsr::jit::gpu {

// Whether libnvrtc was found (TSR_CUDA_HOME/CUDA_HOME/the build's toolkit lib64, then the
// loader's path); `why` says what was tried when it was not.
bool nvrtc_available(std::string* why = nullptr);
// "13.0" (the compile cache keys device code on it); "" without NVRTC.
std::string nvrtc_version();
// The PTX NVRTC makes of `source` for sm_XX. Throws an ErrorException with NVRTC's log when
// it does not compile, and one saying where NVRTC was looked for when it is missing.
std::string nvrtc_compile(const std::string& source, const std::string& name, int sm);

}  // namespace tsr::jit::gpu
