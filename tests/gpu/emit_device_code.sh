#!/usr/bin/env bash
# tsr --emit=ptx and --emit=cuda: each kernel's device code as it is first launched (to
# standard error; the script still runs and prints its output), one kernel with --function,
# TSR_GPU_ARCH choosing the architecture, and a kernel a GPU cannot run named with its reason.
#   emit_device_code.sh TSR
set -u
tsr="$1"
[ -e "${TSR_CUDA_HOME:-${CUDA_HOME:-/usr/local/cuda}}/nvvm/libdevice/libdevice.10.bc" ] || { echo "SKIP: no CUDA toolkit"; exit 77; }
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
export TSR_CACHE_DIR="$dir/cache"
fail() { echo "FAIL: $*"; exit 1; }
cat > "$dir/k.tsr" <<'TSR'
@kernel function axpy!(y, a, x)
    i = @index(Global)
    y[i] = a * x[i] + y[i]
end
@kernel function scale!(y, a)
    i = @index(Global)
    y[i] = a * y[i]
end
@kernel function boxes!(y)
    i = @index(Global)
    v = [1.0, 2.0]
    y[i] = v[1]
end
x = ones(Float32, 100); y = zeros(Float32, 100)
launch(axpy!, 100, y, 2f0, x)
launch(scale!, 100, y, 3f0)
launch(boxes!, 100, y)
z = y .* 2f0 .+ sqrt.(x)
println(sum(y))
TSR
"$tsr" --emit=ptx "$dir/k.tsr" > "$dir/out" 2> "$dir/err" || { cat "$dir/err"; fail "--emit=ptx failed"; }
[ "$(cat "$dir/out")" = "100.0" ] || fail "the script's output changed under --emit=ptx: $(cat "$dir/out")"
grep -q "^; ---- kernel axpy!(::Tensor{Float32, 1}, ::Float32, ::Tensor{Float32, 1}) at .*k.tsr:1 (PTX, sm_80)" "$dir/err" || { cat "$dir/err"; fail "no header for axpy!"; }
grep -q "^.target sm_80" "$dir/err" || fail "no .target sm_80"
grep -q "^; ---- broadcast #bcast(tensor of Float32, tensor of Float32) at .*k.tsr:18 (PTX, sm_80)" "$dir/err" || { cat "$dir/err"; fail "no header for the broadcast"; }
grep -q "^.visible .entry tsr_bcast_" "$dir/err" || fail "no entry for the broadcast"
grep -q "^.visible .entry tsr_kernel_axpy__" "$dir/err" || fail "no entry for axpy!"
grep -q "fma.rn.f32" "$dir/err" || fail "a * x + y is not one fma"
grep -q "^.visible .global .align 8 .u64 tsr_error" "$dir/err" || fail "no error flag"
grep -q "no device code: .*kernel boxes!(::Tensor{Float32, 1}) at .*k.tsr:9 cannot run on a GPU:" "$dir/err" || { cat "$dir/err"; fail "boxes! not named"; }
grep -q "k.tsr:11: allocates a Vector{Float64}" "$dir/err" || { cat "$dir/err"; fail "boxes!'s reason not given"; }
TSR_GPU_ARCH=sm_90 "$tsr" --emit=ptx --function scale! "$dir/k.tsr" > /dev/null 2> "$dir/err90" || fail "--function scale! failed"
grep -q "^.target sm_90" "$dir/err90" || fail "TSR_GPU_ARCH=sm_90 ignored"
grep -q "axpy" "$dir/err90" && fail "--function scale! showed axpy!"
grep -q "^.visible .entry tsr_kernel_scale__" "$dir/err90" || fail "no entry for scale!"
"$tsr" --emit=cuda --function axpy! "$dir/k.tsr" > /dev/null 2> "$dir/cu" || fail "--emit=cuda failed"
grep -q '^extern "C" __global__ void tsr_kernel_axpy__[0-9]*(float\* __restrict__ p0_data' "$dir/cu" || { cat "$dir/cu"; fail "no CUDA C++ entry"; }
grep -q "tsr_raise(" "$dir/cu" || fail "no bounds check in the CUDA C++"
# A kernel's gradient whose adjoint calls the derivative of a helper that keeps a tape (a loop
# carrying a variable assigned before it on some paths only): named, with the way out.
cat > "$dir/h.tsr" <<'TSR'
function odd(v)
    if v > 0
        s = v
    end
    for k in 1:2
        s = s * v
    end
    return s
end
@kernel function act!(y, x)
    i = @index(Global)
    y[i] = odd(x[i]) * 2
end
f(x) = (y = zero(x); launch(act!, length(x), y, x); sum(y))
println(gradient(f, [1.0 2.0][1, :])[1])
TSR
"$tsr" --emit=ptx --function '∂act!' "$dir/h.tsr" > "$dir/hout" 2> "$dir/herr" || { cat "$dir/herr"; fail "--emit=ptx of h.tsr failed"; }
grep -q "no device code: .*kernel ∂act!" "$dir/herr" || { cat "$dir/herr"; fail "∂act! not named"; }
grep -q "hint: the derivative of odd, which the kernel calls, keeps a tape on the heap" "$dir/herr" || { cat "$dir/herr"; fail "no hint naming odd"; }
echo "ok: --emit=ptx (sm_80, sm_90, --function) and --emit=cuda"
