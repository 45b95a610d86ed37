// launch(kernel, ndrange, args...; workgroup = 256): runs a @kernel over an ndrange where its
// tensors are: on the GPU (jit/gpu/device_launch.hpp), or on the CPU. There the ndrange is
// cut into work-groups, and runs of work-groups are handed to the thread pool; each runs the
// kernel's compiled range function, which loops over its indices calling the kernel body
// (inlined by LLVM). Errors raised in the body (a BoundsError, say) stop the
// launch and come back as the launch's error.
#include <algorithm>

#include "jit/abi.hpp"
#include "jit/builtin_registrar.hpp"
#include "jit/compiler.hpp"
#include "jit/gpu/cuda_kernel.hpp"
#include "jit/gpu/device_code_dump.hpp"
#include "jit/gpu/device_launch.hpp"
#include "jit/kernel_groups.hpp"
#include "runtime/errors.hpp"
#include "runtime/tensor.hpp"
#include "runtime/thread_pool.hpp"
#include "runtime/type_printer.hpp"
#include "runtime/value_printer.hpp"

namespace tsr::jit {

void Compiler::register_launch() {
  Registrar r(globals_);
  TypeRegistry& t = types();
  r.add("launch", {t.Any, t.Any, t.vararg(t.Any)}, {"kernel", "ndrange", "args"}, t.Nothing,
        [this](std::span<const Value> a) { return launch(a); }, {"workgroup"});
  register_kernel_builtins(r);
  r.add("__cuda_kernel", {t.String, t.String, t.String, t.Int64, t.Int64}, {"entry", "source", "file", "line", "first_line"}, nullptr,
        [this](std::span<const Value> a) { return gpu::define_cuda_kernel(*this, a); });
}

Value Compiler::launch(std::span<const Value> a) {
  TypeRegistry& t = types();
  // A trailing keyword carrier holds workgroup = n.
  int64_t workgroup = 256;
  if (has_kwargs(a.data(), a.size())) {
    const auto& kw = a.back().as_struct().fields;
    for (size_t i = 0; i + 1 < kw.size(); i += 2) {
      if (kw[i + 1].type()->name->payload != Payload::Int || kw[i + 1].as_int() < 1)
        throw ArgumentError("launch: workgroup must be a positive integer, got " + show_value(kw[i + 1]));
      workgroup = kw[i + 1].as_int();
    }
    a = a.first(a.size() - 1);
  }
  // The ndrange: n, or a tuple of up to three dimensions.
  std::vector<int64_t> dims;
  const Value& nd = a[1];
  if (nd.type()->name->payload == Payload::Int) dims.push_back(nd.as_int());
  else if (nd.type()->name->is_tuple)
    for (const Value& d : nd.as_struct().fields) {
      if (d.type()->name->payload != Payload::Int) throw ArgumentError("launch: the ndrange holds integers, got " + show_value(nd));
      dims.push_back(d.as_int());
    }
  if (dims.empty() || dims.size() > 3)
    throw ArgumentError("launch: the ndrange is an integer or a tuple of one to three integers, got " + show_value(nd));
  int64_t total = 1;
  for (int64_t d : dims) {
    if (d < 0) throw ArgumentError("launch: ndrange dimensions must be ≥ 0, got " + show_value(nd));
    // Items are counted (and indexed) in Int64: a larger ndrange would wrap and run a few.
    if (__builtin_mul_overflow(total, d, &total))
      throw ArgumentError("launch: the ndrange " + show_value(nd) + " has more work items than an Int64 can count");
  }
  // A @cuda_kernel: CUDA C++ source, for the GPU only.
  if (gpu::is_cuda_kernel(a[0])) {
    if (total > 0) gpu::launch_cuda_kernel(*this, a[0], a.subspan(2), dims, workgroup);
    return Value::singleton(t.Nothing);
  }
  if (a[0].payload() != Payload::Function || !is_kernel(a[0].as_function()))
    throw ArgumentError("launch: " + (a[0].payload() == Payload::Function ? a[0].as_function()->name() + " is not a @kernel function"
                                                                           : "a @kernel function or a @cuda_kernel is launched, not a " +
                                                                                 show_type(a[0].type())));
  GenericFunction* f = a[0].as_function();
  // The kernel's arguments, and the index arguments every kernel body takes after them.
  std::span<const Value> args = a.subspan(2);
  std::vector<const Type*> argtypes;
  for (const Value& v : args) argtypes.push_back(v.payload() == Payload::Type ? t.type_of_type(v.as_type()) : v.type());
  const Method* m = nullptr;
  LaunchHit* hit = nullptr;
  {
    // The key holds the argument types while the method is looked up (no copy of them on the
    // launches that find it), and gives them back after.
    size_t given = argtypes.size();
    argtypes.insert(argtypes.end(), 6, t.Int64);
    LaunchKey key{f, f->epoch(), std::move(argtypes)};
    if (auto found = launch_methods_.find(key); found != launch_methods_.end()) {
      hit = &found->second;
      m = hit->method;
      argtypes = std::move(key.argtypes);
    } else {
      try {
        m = f->which(key.argtypes);
      } catch (const MethodError&) {
        std::string call = f->name() + "(";
        for (size_t i = 0; i < given; ++i) call += (i ? ", ::" : "::") + show_type(key.argtypes[i]);
        throw MethodError("no kernel method matching " + call + ")");
      }
      argtypes = key.argtypes;
      hit = &launch_methods_.emplace(std::move(key), LaunchHit{m, {}, nullptr}).first->second;
    }
  }
  if (total == 0) return Value::singleton(t.Nothing);
  // Which tensor arguments are contiguous: the kernel is specialized on that too.
  // And whether the tensor arguments' storages are pairwise distinct (no two alias).
  ArgLayout layout;
  layout.noalias = true;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!is_tensor(args[i])) continue;
    const TensorObject& ti = tensor_of(args[i]);
    if (ti.contiguous() && i < ArgLayout::kMaxArgs) layout.contiguous |= uint64_t(1) << i;
    for (size_t j = 0; j < i; ++j)
      if (is_tensor(args[j]) && tensor_of(args[j]).storage == ti.storage) layout.noalias = false;
  }
  Spec* s = hit->spec;
  if (!s || !(hit->layout == layout) || !s->compiled || stale_edge(*s)) {
    s = specialize(m, argtypes, layout);
    bool fresh = !s->compiled;
    if (!s->compiled) s->kernel = true;
    if (!s->kernel) throw InternalError("a kernel specialization compiled without its range function");
    compile(s);
    if (fresh) gpu::on_kernel_compiled(*this, *s);
    hit->spec = s;
    hit->layout = layout;
  }
  // It runs where its tensors are: on the GPU when they are there (all of them), unless no
  // device code can be made for it (then here, over their unified memory, after a warning).
  if (gpu::any_on_gpu(args) && gpu::call_device(args, "launch(" + f->name() + ", ...)", &m->arg_names) == Device::GPU &&
      gpu::launch_on_gpu(*this, *s, args, dims, workgroup))
    return Value::singleton(t.Nothing);
  int64_t n1 = dims[0], n2 = dims.size() > 1 ? dims[1] : 1, n3 = dims.size() > 2 ? dims[2] : 1;
  int64_t rank = static_cast<int64_t>(dims.size());
  // Rounded up without forming total + workgroup - 1 (which may not fit near typemax(Int)).
  int64_t groups = total / workgroup + (total % workgroup != 0);
  // Runs of work-groups per task: a few tasks per thread, so uneven ones balance out.
  int64_t per_task = std::max<int64_t>(1, groups / (4 * num_threads()));
  auto range = s->cpu.kernel_range;
  // The frame a stack overflow in the kernel names (its frames are abandoned, not unwound).
  if (s->cpu.launch_frame.empty()) {
    const SrcLoc& at = s->def->body->loc;
    s->cpu.launch_frame = s->def->body->name + " at " + (at.file ? *at.file : std::string("?")) + ":" + std::to_string(at.line);
  }
  const std::string& frame = s->cpu.launch_frame;
  if (s->body->uses_barrier || s->body->uses_localmem) {
    // Work-groups one at a time per thread: shared @localmem, barriers between the items.
    if (s->body->uses_barrier && workgroup > kMaxBarrierGroup)
      throw ArgumentError("launch: a kernel with @synchronize takes work-groups of at most " + std::to_string(kMaxBarrierGroup) +
                          " work items (as on a GPU), got workgroup = " + std::to_string(workgroup));
    GroupLaunch l{range, args.data(), n1, n2, n3, workgroup, rank, total, s->body->uses_barrier, &frame};
    int64_t items_per_task = 0;
    if (__builtin_mul_overflow(per_task, workgroup, &items_per_task)) items_per_task = total;
    run_chunks_parallel(total, items_per_task, [&](int64_t lo, int64_t hi) { run_work_groups(l, lo, hi); }, &frame);
    return Value::singleton(t.Nothing);
  }
  // Without shared memory or barriers the work-groups need not stay whole: a few chunks per
  // thread, so that a small ndrange of heavy work items (a row block each) still uses them all.
  int64_t tasks = 4 * static_cast<int64_t>(num_threads());
  int64_t chunk = std::max<int64_t>(1, total / tasks + (total % tasks != 0));
  run_chunks_parallel(total, chunk, [&](int64_t lo, int64_t hi) { range(args.data(), lo, hi, n1, n2, n3, workgroup, rank); },
                      &frame);
  return Value::singleton(t.Nothing);
}

}  // namespace tsr::jit
