// The Devices built-ins of LANGUAGE.md: has_gpu(), gpu(x), cpu(x), device(x). Tensors live on
// the CPU; gpu(x) says why it cannot move them: there is no GPU or driver here, or (with one)
// that device tensors are not built yet.
#include "jit/builtin_registrar.hpp"
#include "jit/gpu/cuda_driver.hpp"
#include "runtime/errors.hpp"

namespace tsr::jit {

void register_gpu_builtins(Registrar& r) {
  TypeRegistry& t = r.t_;
  r.add("has_gpu", {}, {}, t.Bool, [&r](std::span<const Value>) { return r.boolean(gpu::gpu_status().available); });
  r.add("gpu", {t.Any}, {"x"}, nullptr, [](std::span<const Value>) -> Value {
    const gpu::GpuStatus& s = gpu::gpu_status();
    if (!s.available)
      throw ErrorException("gpu: no GPU is available (" + s.why + "): has_gpu() tells whether one is, and everything else runs on the CPU");
    throw ErrorException("gpu: found " + s.device + " (sm_" + std::to_string(s.sm) +
                         "), but device tensors are not implemented yet: kernels compile to PTX (tsr --emit=ptx) and run on the CPU");
  });
  // Everything lives on the CPU: cpu(x) is x itself, as Flux's cpu is for arrays already there.
  r.add("cpu", {t.Any}, {"x"}, nullptr, [](std::span<const Value> a) { return a[0]; });
  r.add("device", {t.Any}, {"x"}, t.Symbol, [&t](std::span<const Value>) {
    return Value::from_object(t.Symbol, new StringObject("cpu"));
  });
}

}  // namespace tsr::jit
