// The Devices built-ins of LANGUAGE.md: has_gpu(), gpu(x), cpu(x), device(x), and the GPU's
// synchronize(), gpu_elapsed(f) (CUDA.jl's CUDA.synchronize and CUDA.@elapsed), gpu_info() and
// gpu_memory().
// Without a GPU, gpu(x) says why, and cpu(x) and device(x) work as for CPU values.
#include "jit/abi.hpp"
#include "jit/builtin_registrar.hpp"
#include "jit/broadcast_leaves.hpp"
#include "jit/builtins.hpp"
#include "jit/gpu/cuda_driver.hpp"
#include "jit/gpu/device_memory.hpp"
#include "runtime/errors.hpp"
#include "runtime/type_printer.hpp"

namespace tsr::jit {

void register_gpu_builtins(Registrar& r) {
  TypeRegistry& t = r.t_;
  r.add("has_gpu", {}, {}, t.Bool, [&r](std::span<const Value>) { return r.boolean(gpu::gpu_status().available); });
  // A Vector of numbers is a CPU list, not a tensor (LANGUAGE.md keeps the two apart), so
  // gpu(Float32.(1:n)) would leave it where it is and every kernel on it would run on the CPU:
  // that is refused with the way to a device tensor instead. Inside a model it stays as it is.
  set_result_rule(r.add("gpu", {t.Any}, {"x"}, nullptr,
                        [&t](std::span<const Value> a) {
                          if (is_number_vector(a[0]))
                            throw ArgumentError("gpu: a " + show_type(a[0].type()) +
                                                " is a list of numbers, which stays on the CPU; make it a tensor first: "
                                                "gpu(tensor(v))");
                          return gpu::move_to(t, a[0], Device::GPU);
                        }),
                  ResultRule::SameAsFirst);
  set_result_rule(r.add("cpu", {t.Any}, {"x"}, nullptr, [&t](std::span<const Value> a) { return gpu::move_to(t, a[0], Device::CPU); }),
                  ResultRule::SameAsFirst);
  r.add("device", {t.Any}, {"x"}, t.Symbol, [&t](std::span<const Value> a) {
    return Value::from_object(t.Symbol, new StringObject(gpu::device_of_value(a[0]) == Device::GPU ? "gpu" : "cpu"));
  });
  // The GPU's name, architecture, multiprocessors and memory bandwidth in GB/s (the memory
  // clock's two transfers per cycle times the bus width): what a benchmark compares against.
  r.add("gpu_info", {}, {}, nullptr, [&t](std::span<const Value>) {
    gpu::require_gpu("gpu_info");
    const gpu::GpuStatus& s = gpu::gpu_status();
    double gbs = 2.0 * static_cast<double>(s.memory_clock_khz) * 1e3 * (s.memory_bus_bits / 8.0) / 1e9;
    return named_tuple_of(t, {"name", "sm", "multiprocessors", "bandwidth_gbs", "driver"},
                          {Value::from_object(t.String, new StringObject(s.device)), Value::from_int(t.Int64, s.sm),
                           Value::from_int(t.Int64, s.multiprocessors), Value::from_f64(t.Float64, gbs),
                           Value::from_int(t.Int64, s.driver_version)});
  });
  // The caching device allocator's figures and the device's free and total memory, in bytes
  // (CUDA.jl's CUDA.memory_status, PyTorch's torch.cuda.memory_allocated / memory_reserved).
  r.add("gpu_memory", {}, {}, nullptr, [&t](std::span<const Value>) {
    gpu::use_gpu("gpu_memory");
    gpu::DeviceAllocatorStats a = gpu::device_allocator_stats();
    size_t free_bytes = 0, total = 0;
    gpu::device_memory_info(&free_bytes, &total);
    auto n = [&t](uint64_t v) { return Value::from_int(t.Int64, static_cast<int64_t>(v)); };
    return named_tuple_of(t, {"in_use", "cached", "allocations", "cache_hits", "free", "total"},
                          {n(a.bytes_in_use), n(a.bytes_cached), n(a.allocations), n(a.cache_hits), n(free_bytes), n(total)});
  });
  r.add("synchronize", {}, {}, t.Nothing, [&t](std::span<const Value>) {
    gpu::use_gpu("synchronize");
    gpu::synchronize("synchronize");
    return Value::singleton(t.Nothing);
  });
  // Seconds the GPU spent on what f() queued, between two events on the stream.
  r.add("gpu_elapsed", {t.Any}, {"f"}, t.Float64, [&r, &t](std::span<const Value> a) {
    gpu::use_gpu("gpu_elapsed");
    gpu::EventPair e = gpu::events_create();
    struct Destroy {
      gpu::EventPair& e;
      ~Destroy() { gpu::events_destroy(e); }
    } destroy{e};  // on every way out, f's error included
    gpu::event_record(e.start);
    call_value(r.g_, a[0], nullptr, 0, nullptr, 0);
    gpu::event_record(e.stop);
    return Value::from_f64(t.Float64, gpu::events_elapsed_ms(e) / 1000.0);
  });
}

}  // namespace tsr::jit
