// bench/gpu's yardstick for the GPU matmul: cuBLAS's SGEMM on 4096^3 Float32, called through
// dlopen (libcublas is never linked, and Tessera itself never calls it: this is only what its
// own tiled kernel is measured against). Prints "cublas matmul_gflops X", or "cublas missing
// REASON" where the driver or cuBLAS is not found.
#include <dlfcn.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

template <class F>
bool sym(void* lib, F& f, const char* name) {
  f = reinterpret_cast<F>(dlsym(lib, name));
  return f != nullptr;
}

int missing(const std::string& why) {
  std::printf("cublas missing %s\n", why.c_str());
  return 0;
}

}  // namespace

int main() {
  void* cuda = dlopen("libcuda.so.1", RTLD_NOW);
  if (!cuda) return missing("libcuda.so.1 (no NVIDIA driver)");
  std::vector<std::string> names{"libcublas.so", "libcublas.so.13", "libcublas.so.12"};
  if (const char* home = std::getenv("CUDA_HOME")) names.insert(names.begin(), std::string(home) + "/lib64/libcublas.so");
  names.insert(names.begin(), "/usr/local/cuda/lib64/libcublas.so");
  void* blas = nullptr;
  for (const auto& n : names)
    if ((blas = dlopen(n.c_str(), RTLD_NOW))) break;
  if (!blas) return missing("libcublas.so (the CUDA toolkit's cuBLAS)");
  int (*init)(unsigned);
  int (*device_get)(int*, int);
  int (*ctx_retain)(void**, int);
  int (*ctx_set)(void*);
  int (*ctx_sync)();
  int (*mem_alloc)(uint64_t*, size_t);
  int (*memset)(uint64_t, unsigned char, size_t);
  int (*create)(void**);
  int (*sgemm)(void*, int, int, int, int, int, const float*, const float*, int, const float*, int, const float*, float*, int);
  if (!sym(cuda, init, "cuInit") || !sym(cuda, device_get, "cuDeviceGet") || !sym(cuda, ctx_retain, "cuDevicePrimaryCtxRetain") ||
      !sym(cuda, ctx_set, "cuCtxSetCurrent") || !sym(cuda, ctx_sync, "cuCtxSynchronize") || !sym(cuda, mem_alloc, "cuMemAlloc_v2") ||
      !sym(cuda, memset, "cuMemsetD8_v2") || !sym(blas, create, "cublasCreate_v2") || !sym(blas, sgemm, "cublasSgemm_v2"))
    return missing("an entry point of the driver or cuBLAS");
  int dev = 0;
  void* ctx = nullptr;
  if (init(0) || device_get(&dev, 0) || ctx_retain(&ctx, dev) || ctx_set(ctx)) return missing("a usable GPU (cuInit failed)");
  const int n = 4096;
  size_t bytes = size_t(n) * n * sizeof(float);
  uint64_t a = 0, b = 0, c = 0;
  if (mem_alloc(&a, bytes) || mem_alloc(&b, bytes) || mem_alloc(&c, bytes)) return missing("GPU memory for 3 x 64 MiB");
  memset(a, 0x3c, bytes);  // about 0.0115 in every element: finite, no denormals
  memset(b, 0x3c, bytes);
  void* handle = nullptr;
  if (create(&handle)) return missing("a cuBLAS handle");
  float alpha = 1, beta = 0;
  auto run = [&] {
    // Column-major C = A B with no transposes (CUBLAS_OP_N = 0).
    return sgemm(handle, 0, 0, n, n, n, &alpha, reinterpret_cast<float*>(a), n, reinterpret_cast<float*>(b), n, &beta,
                 reinterpret_cast<float*>(c), n);
  };
  if (run() || ctx_sync()) return missing("a working cublasSgemm");
  const int reps = 10;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) run();
  ctx_sync();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("cublas matmul_gflops %.1f\n", 2.0 * n * n * double(n) * reps / s / 1e9);
  return 0;
}
