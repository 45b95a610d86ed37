// The CUDA driver (libcuda.so.1), opened with dlopen at run time and never linked: a machine
// without a GPU or driver runs everything else, and says so when a script asks for the GPU.
// Every CUresult becomes a Tessera error with the driver's name for it.
//
// One device (the first), its primary context (made current on each thread that calls in),
// and one stream that launches and copies go to, in order.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tsr::jit::gpu {

// The driver's state on this machine, probed once: a usable device, or why there is none.
struct GpuStatus {
  bool available = false;
  std::string why;      // "libcuda.so.1 was not found (no NVIDIA driver)", "cuInit: CUDA_ERROR_NO_DEVICE"
  std::string device;   // the first device's name
  int sm = 0;           // its compute capability, as 80 or 90
  int driver_version = 0;
  int multiprocessors = 0;
  int64_t memory_clock_khz = 0;  // for the bandwidth a benchmark compares against
  int memory_bus_bits = 0;
};
const GpuStatus& gpu_status();

// Raises an ErrorException "what: CUDA_ERROR_X (the driver's description)" when rc != 0.
void check_cuda(int rc, const char* what);

// Raises an ErrorException saying why there is no GPU (what: the operation that needed one)
// unless gpu_status().available.
void require_gpu(const std::string& what);

// ---- memory (unified: the CPU may read and write it too, so a CPU operation on a device
// tensor is slow but right, never a crash) ----
using DevicePtr = uint64_t;
DevicePtr driver_alloc(size_t bytes);  // cuMemAllocManaged
void driver_free(DevicePtr p);
void copy_to_device(DevicePtr dst, const void* src, size_t bytes);
void copy_to_host(void* dst, DevicePtr src, size_t bytes);
void zero_device(DevicePtr dst, size_t bytes);
// A buffer of plain device memory (cuMemAlloc, not managed) of at least `bytes`, reused by
// every launch (launches wait for their kernels, so one at a time uses it): a broadcast's meta
// array goes there, where a copy into managed memory cost 28 us on an H200. 0 when the driver
// cannot give one (the caller then uses a device tensor).
DevicePtr launch_scratch(size_t bytes);
// Free and total device memory in bytes.
void device_memory_info(size_t* free_bytes, size_t* total_bytes);

// ---- modules and launches ----
struct LoadedModule {
  void* module = nullptr;    // CUmodule
  void* function = nullptr;  // CUfunction of the entry
  DevicePtr error_flag = 0;  // the module's `tsr_error` global (0 when it has none)
  // The host's mapped flag that `tsr_error_at` points to instead (null: read error_flag with a
  // copy). Every module shares it: a launch's error is read before the next launch.
  volatile int64_t* host_error = nullptr;
  int registers = 0;         // per thread, as the driver reports
  int max_threads = 0;       // per block for this function
};
// Loads PTX (the driver compiles it for the device) and finds `entry` and `tsr_error`.
// `what` names the kernel in errors, which carry the driver's JIT log.
LoadedModule load_module(const std::string& ptx, const std::string& entry, const std::string& what);
// Launches `items` work items on the stream, in blocks of `block` threads (at most 1024, and
// what the kernel can run in one); params point at each parameter's bytes.
void launch_kernel(const LoadedModule& m, int64_t items, int64_t block, std::vector<void*>& params, const std::string& what);
// Waits for everything on the stream (what: the kernel, for the error a fault reports).
void synchronize(const std::string& what);

// TSR_GPU_STATS=1: the driver's calls are counted and timed, and so is each kernel's launch
// to finish (count_kernel: from t0 to now, nothing when the stats are off), and the counts
// are printed at exit.
void count_kernel(const std::string& what, std::chrono::steady_clock::time_point t0);

// ---- events: GPU-side timing ----
struct EventPair {
  void* start = nullptr;
  void* stop = nullptr;
};
EventPair events_create();
void event_record(void* event);
// Milliseconds between the two, once stop has happened (waits for it).
float events_elapsed_ms(const EventPair& e);
void events_destroy(EventPair& e);

}  // namespace tsr::jit::gpu
