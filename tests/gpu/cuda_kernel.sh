#!/usr/bin/env bash
# @cuda_kernel without a GPU: NVRTC compiles the source where it is defined, so a compile error
# names the script's file and line (the source's own line numbers mapped onto the script's), a
# kernel not declared extern "C" is caught, a launch's arguments are checked against the
# entry's parameters, and a good kernel defines a CudaKernel value whose launch says that it
# needs a GPU. With a GPU the launch runs and its result is checked.
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
    x = gpu(tensor(Float32.(1:1000))); y = gpu(ones(Float32, 1000))
    launch(saxpy, 1000, y, x, 2f0, 1000; workgroup = 128)
    println(cpu(y) ≈ 1f0 .+ 2f0 .* Float32.(1:1000) ? "ran" : "wrong result")  # nvcc contracts to an FMA
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
# The arguments are checked against the entry's parameters (from NVRTC's PTX) before anything
# is launched, with or without a GPU: their number, each one's width, what can be passed.
cat > "$dir/args.tsr" <<'TSR'
const saxpy = @cuda_kernel """
extern "C" __global__ void saxpy(float* y, const float* x, float a, long long n) { }
"""
y = ones(Float32, 4)
for args in ((y, y, 2f0), (y, y, 2.0, 4), (y, y, 2f0, Int32(4)), (y, y, 2f0, "4"))
    try
        launch(saxpy, 4, args...)
    catch e
        println(e.msg)
    end
end
TSR
out=$(cd "$dir" && "$tsr" run args.tsr 2>&1)
expected='launch: @cuda_kernel saxpy (args.tsr:1) takes 4 parameters, got 3 arguments after the ndrange
launch: @cuda_kernel saxpy (args.tsr:1)'"'"'s parameter 3 is 4 bytes (a float or int), and argument 3, a Float64, is 8 (pass an Int32 or a Float32)
launch: @cuda_kernel saxpy (args.tsr:1)'"'"'s parameter 4 is 8 bytes (a pointer, double or long long), and argument 4, an Int32, is 4 (pass an Int64, a Float64 or a tensor)
launch: @cuda_kernel saxpy (args.tsr:1) takes tensors and numbers; argument 4 is a String'
[ "$out" = "$expected" ] || fail "the arguments' checks printed:
$out"
# --emit=cuda shows the source; --emit=ptx NVRTC's PTX of it.
out=$(cd "$dir" && "$tsr" --emit=ptx run good.tsr 2>&1 >/dev/null)
case "$out" in *"@cuda_kernel saxpy at good.tsr:1 (PTX, sm_80)"*".entry saxpy("*) ;; *) fail "--emit=ptx: $out" ;; esac
echo "ok: @cuda_kernel"
