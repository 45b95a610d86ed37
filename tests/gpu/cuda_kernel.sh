#!/usr/bin/env bash
# @cuda_kernel without a GPU: NVRTC compiles the source where it is defined, so a compile error
# names the script's file and line (the source's own line numbers mapped onto the script's), a
# kernel not declared extern "C" is caught, and a good kernel defines a CudaKernel value whose
# launch says that it needs a GPU. With a GPU the launch runs and its result is checked.
#   cuda_kernel.sh TSR
# Skipped (exit 77) when NVRTC (the CUDA toolkit) is not installed.
set -u
tsr="$1"
cuda="${TSR_CUDA_HOME:-${CUDA_HOME:-/usr/local/cuda}}"
ls "$cuda"/lib64/libnvrtc.so* > /dev/null 2>&1 || { echo "SKIP: NVRTC is not installed at $cuda"; exit 77; }
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cat > "$dir/bad.tsr" <<'TSR'
x = 1
k = @cuda_kernel """
extern "C" __global__ void k(float* y) {
  y[0] = not_declared;
}
"""
TSR
out=$(cd "$dir" && "$tsr" run bad.tsr 2>&1); rc=$?
[ $rc = 1 ] || fail "a kernel that does not compile: exit $rc"
case "$out" in *"@cuda_kernel k at bad.tsr:2 does not compile"*) ;; *) fail "no definition site in: $out" ;; esac
case "$out" in *'bad.tsr:4: error: identifier "not_declared" is undefined'*) ;; *) fail "the error is not on the script's line 4: $out" ;; esac

cat > "$dir/mangled.tsr" <<'TSR'
k = @cuda_kernel "__global__ void k(float* y) { y[0] = 1.0f; }"
TSR
out=$(cd "$dir" && "$tsr" run mangled.tsr 2>&1)
case "$out" in *'declare it extern "C"'*) ;; *) fail "a mangled kernel name is not reported: $out" ;; esac

cat > "$dir/good.tsr" <<'TSR'
const saxpy = @cuda_kernel """
extern "C" __global__ void saxpy(float* y, const float* x, float a, long long n) {
  long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  if (i < n) y[i] += a * x[i];
}
"""
println(saxpy.name)
if has_gpu()
    x = gpu(Float32.(1:1000)); y = gpu(ones(Float32, 1000))
    launch(saxpy, 1000, y, x, 2f0, 1000; workgroup = 128)
    println(cpu(y) == 1f0 .+ 2f0 .* Float32.(1:1000) ? "ran" : "wrong result")
    try
        launch(saxpy, 1000, ones(Float32, 1000), x, 2f0, 1000)
    catch e
        println(occursin("is on the CPU; move it with gpu(x)", e.msg) ? "ran" : e.msg)
    end
else
    try
        launch(saxpy, 4, ones(Float32, 4), ones(Float32, 4), 2f0, 4)
    catch e
        println(occursin("no GPU is available", e.msg) ? "ran" : e.msg)
    end
    println("ran")
end
TSR
out=$(cd "$dir" && "$tsr" run good.tsr 2>&1); rc=$?
[ $rc = 0 ] && [ "$out" = "saxpy
ran
ran" ] || fail "good.tsr: exit $rc: $out"
# --emit=cuda shows the source; --emit=ptx NVRTC's PTX of it.
out=$(cd "$dir" && "$tsr" --emit=ptx run good.tsr 2>&1 >/dev/null)
case "$out" in *"@cuda_kernel saxpy at good.tsr:1 (PTX, sm_80)"*".entry saxpy("*) ;; *) fail "--emit=ptx: $out" ;; esac
echo "ok: @cuda_kernel"
