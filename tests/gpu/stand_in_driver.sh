#!/usr/bin/env bash
# The host side of the GPU runtime, run against the stand-in driver (tests/gpu/stand_in_libcuda.cpp,
# put first on LD_LIBRARY_PATH): no GPU runs anything here, so what is checked is the plumbing
# a real GPU would need right: the driver's entry points found and called, device tensors
# allocated, copied both ways and freed through the caching allocator, printing, broadcasts and
# kernels launched with the parameters their PTX entries take (the stand-in checks each launch
# against the entry), a device-side error raised at its launch with the kernel's line, device
# code kept in the compile cache, both backends, @cuda_kernel, --device=gpu, gpu_elapsed.
# Results of launches are not checked: nothing computes them. Last, the `gpu` test's script in
# plumbing mode (TSR_GPU_PLUMBING=1): every operation's result on the GPU, every launch accepted.
#   stand_in_driver.sh TSR STAND_IN_DIR
# Skipped (exit 77) without the CUDA toolkit (device code needs libdevice and NVRTC).
set -u
tsr="$1"; stand_in="$2"
cuda="${TSR_CUDA_HOME:-${CUDA_HOME:-/usr/local/cuda}}"
if [ ! -e "$cuda/nvvm/libdevice/libdevice.10.bc" ]; then echo "SKIP: the CUDA toolkit is not installed at $cuda"; exit 77; fi
[ -e "$stand_in/libcuda.so.1" ] || { echo "FAIL: no stand-in driver at $stand_in"; exit 1; }
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; [ -f "$dir/log" ] && tail -20 "$dir/log"; exit 1; }
export LD_LIBRARY_PATH="$stand_in${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export STAND_IN_CUDA_LOG="$dir/log" TSR_CACHE_DIR="$dir/cache"

cat > "$dir/plumbing.tsr" <<'TSR'
using Data
println(has_gpu(), " ", gpu_info().name, " sm_", gpu_info().sm)
x = rand(Float32, 1000, 3)
g = gpu(x)
println(device(g), " ", device(x), " ", cpu(g) == x, " ", typeof(g))
m = (w = x, b = [1, 2], n = 3)
mg = gpu(m)
println(device(mg), " ", device(mg.w), " ", mg.b == [1, 2], " ", cpu(mg).w == x)
mutable struct Link
    next::Any
    w::Any
end
l = Link(nothing, x); l.next = l
lg = gpu(l)
lc = cpu(lg)
println(device(lg), " ", lg.next === lg, " ", device(l), " ", lc.w == x)
l.next = nothing; lg.next = nothing; lc.next = nothing  # values are reference-counted: the cycles are broken so that they are freed
println(gpu(Float32.(ones(3)) .* Float32[1, 2, 3]))
y = g .* 2f0 .+ 1f0
println(device(y), " ", size(y))
@kernel function shifted!(out, a, s)
    i = @index(Global)
    out[i] = a[i + s] * 2f0
end
out = gpu(zeros(Float32, 999))
launch(shifted!, 999, out, gpu(rand(Float32, 1000)), 1; workgroup = 128)
println(device(out))
try
    g .+ x
catch e
    println(e.msg)
end
for i in 1:50
    t = g .* Float32(i)
end
println(gpu_elapsed(() -> g .+ g) > 0)
m = gpu_memory()
println(m.cache_hits > 0, " ", m.in_use > 0, " ", m.total > m.free > 0)
synchronize()
saxpy = @cuda_kernel """
extern "C" __global__ void saxpy(float* y, const float* x, float a, long long n) {
  long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  if (i < n) y[i] += a * x[i];
}
"""
launch(saxpy, 3000, gpu(ones(Float32, 3000)), g, 2f0, 3000)
try
    DataLoader((gpu(ones(Float32, 4, 2)), tensor([1, 2, 3, 4])))
catch e
    println(e.msg)
end
batch = first(DataLoader((gpu(ones(Float32, 4, 2)), gpu(tensor([1, 2, 3, 4]))); batchsize = 3))
println(device(batch[1]), " ", size(batch[1]), " ", device(batch[2]), " ", typeof(batch[2]))
println("done")
TSR
out=$(cd "$dir" && "$tsr" run plumbing.tsr 2>&1); rc=$?
[ $rc = 0 ] || fail "plumbing.tsr: exit $rc: $out"
expected="true stand-in driver (no GPU) sm_90
gpu cpu true Tensor{Float32, 2}
gpu gpu true true
gpu true cpu true
3-element Tensor{Float32, 1} on the GPU:
 1.0
 2.0
 3.0
gpu (1000, 3)
gpu
a broadcast: its tensors are on different devices: argument 1 is on the GPU, argument 2 on the CPU; move one with gpu(x) or cpu(x)
true
true true true
DataLoader: the tensors are on different devices (gpu, cpu); move them all with gpu(x) or cpu(x)
gpu (3, 2) gpu Tensor{Int64, 1}
done"
[ "$out" = "$expected" ] || fail "plumbing.tsr printed:
$out
expected:
$expected"
grep -q "^ERROR" "$dir/log" && fail "the stand-in driver refused a call"
grep -q "^launch tsr_bcast_" "$dir/log" || fail "no broadcast was launched"
grep -q "^launch tsr_kernel_shifted__[0-9]* grid 8 block 128 " "$dir/log" || fail "shifted! was not launched as 8 blocks of 128"
grep -q "^launch saxpy grid 12 block 256 params 4" "$dir/log" || fail "the @cuda_kernel was not launched as 12 blocks of 256 with 4 parameters"
# 50 broadcasts of the same shape reuse the caching allocator's blocks.
allocs=$(grep -c "^alloc" "$dir/log")
[ "$allocs" -lt 30 ] || fail "$allocs allocations from the driver: the caching allocator did not reuse blocks"
ls "$dir/cache"/*.ptx > /dev/null 2>&1 || fail "no device code in the compile cache"
# A second run loads the device code from the cache (the same entries, no compile needed).
: > "$dir/log"
(cd "$dir" && "$tsr" run plumbing.tsr > /dev/null 2>&1) || fail "the second run (device code from the cache) failed"
grep -q "^launch tsr_kernel_shifted__" "$dir/log" || fail "the second run did not launch shifted!"

# More than the device has free (the stand-in says 100 GiB) is an OutOfMemoryError before
# any managed memory is asked for (oversubscribing it can hang a GPU); the next allocation works.
out=$(cd "$dir" && "$tsr" --device=gpu -e 'try; zeros(Float32, 30_000_000_000); catch e; println(typeof(e), ": ", e.msg); end; println(device(zeros(Float32, 10)))' 2>&1)
[ "$out" = "OutOfMemoryError: the GPU could not allocate 120001134592 bytes (102400 MiB free of 144384 MiB)
gpu" ] || fail "an allocation beyond the free memory: $out"

# A work item's error (the stand-in sets tsr_error as a failed bounds check would): raised at
# the launch with the kernel's line, and the next launch runs clean.
cat > "$dir/error.tsr" <<'TSR'
@kernel function store!(out, a)
    i = @index(Global)
    out[i] = a[i]
end
a = gpu(rand(Float32, 10)); out = gpu(zeros(Float32, 10))
try
    launch(store!, 10, out, a)
catch e
    println(typeof(e), ": ", occursin("(in store! at error.tsr:", e.msg) && occursin("on the GPU)", e.msg))
end
TSR
out=$(cd "$dir" && STAND_IN_CUDA_FAIL=store "$tsr" run error.tsr 2>&1)
[ "$out" = "BoundsError: true" ] || fail "a device-side error: $out"

# The CUDA C++ backend: NVRTC's PTX goes to the driver the same way.
: > "$dir/log"
out=$(cd "$dir" && TSR_GPU_BACKEND=nvrtc "$tsr" run plumbing.tsr 2>&1); rc=$?
[ $rc = 0 ] && [ "$out" = "$expected" ] || fail "TSR_GPU_BACKEND=nvrtc: exit $rc: $out"
grep -q "^ERROR" "$dir/log" && fail "the stand-in driver refused a call under nvrtc"
out=$(cd "$dir" && TSR_GPU_BACKEND=cuda "$tsr" run plumbing.tsr 2>&1)
case "$out" in *"TSR_GPU_BACKEND=cuda: the GPU backends are nvptx"*) ;; *) fail "TSR_GPU_BACKEND=cuda: $out" ;; esac

# --device=gpu: new tensors on the GPU, and a small training step through the stdlib.
out=$(cd "$dir" && "$tsr" --device=gpu -e 'using NN; m = Dense(4 => 2); x = rand(Float32, 3, 4); g = gradient(m -> sum(m(x)), m)[1]; println(device(zeros(2)), " ", device(m.weight), " ", device(g.weight))' 2>&1)
[ "$out" = "gpu gpu gpu" ] || fail "--device=gpu: $out"
grep -q "^ERROR" "$dir/log" && fail "the stand-in driver refused a call under --device=gpu"
# The `gpu` test's script in plumbing mode: every stdlib operation, gradient and optimizer step
# it runs keeps its results on the GPU, with every launch accepted by the stand-in.
: > "$dir/log"
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here" && TSR_GPU_PLUMBING=1 "$tsr" run gpu_vs_cpu.tsr 2>&1); rc=$?
[ $rc = 0 ] && case "$out" in *"gpu: all checks passed") true ;; *) false ;; esac || fail "gpu_vs_cpu.tsr in plumbing mode: exit $rc: $(echo "$out" | tail -5)"
case "$out" in *"runs on the CPU"*) fail "a stdlib kernel had no device code: $(echo "$out" | grep 'runs on the CPU' | head -3)" ;; esac
grep -q "^ERROR" "$dir/log" && fail "the stand-in driver refused a call in gpu_vs_cpu.tsr"
echo "ok: the GPU runtime's host side against the stand-in driver ($(grep -c '^launch' "$dir/log") launches in the last run)"
