#!/usr/bin/env bash
# One command for a machine with an NVIDIA GPU: builds Tessera, runs the tests labelled `gpu`
# (every stdlib operation, gradient and optimizer step on the GPU against the CPU, under both
# backends) and the other GPU tests, then the GPU benchmark, and prints a table with the
# targets of issue 13: fused element-wise at least 80% of the device's bandwidth, matmul at
# least 70% of cuBLAS, the MLP training epoch faster than PyTorch eager (where PyTorch has CUDA).
#   scripts/gpu-check.sh [build-dir]
# Exits 1 when a test fails, 77 when there is no GPU here (it says why).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
[[ "$build" = /* ]] || build="$root/$build"
jobs=$(nproc)

# The Debian packages it builds with, where dpkg is (install-deps.sh installs only what is missing).
if command -v dpkg-query > /dev/null; then "$root/scripts/install-deps.sh" || echo "install-deps.sh failed: building with what is here"; fi
echo "== build ($build)"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release > "$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j"$jobs" 2>&1 | tail -3
tsr="$build/dsl/tsr"
[ -x "$tsr" ] || { echo "the build made no $tsr"; exit 1; }
if [ "$("$tsr" -e 'print(has_gpu())')" != true ]; then
  echo "no GPU: $("$tsr" -e 'try; gpu(zeros(1)); catch e; print(e.msg); end')"
  exit 77
fi

echo "== tests (ctest -L gpu, and the other GPU tests)"
status=0
(cd "$build" && ctest -L gpu --output-on-failure -j2) || status=1
(cd "$build" && ctest -R '^gpu |cuda_interop' --output-on-failure -j"$jobs") || status=1

echo "== benchmark"
out=$(mktemp); cache=$(mktemp -d); trap 'rm -rf "$out" "$cache"' EXIT
TSR_CACHE_DIR="$cache" "$tsr" run "$root/bench/gpu/gpu_bench.tsr" >> "$out" || status=1
# The three 128x128 layouts under each backend (their register counts differ: see the file).
for backend in nvptx nvrtc; do
  TSR_CACHE_DIR="$cache" TSR_GPU_BACKEND=$backend "$tsr" run "$root/bench/gpu/matmul_layouts.tsr" $backend >> "$out" || status=1
done
"$build/bench/cublas_yardstick" >> "$out"
python=/usr/bin/python3; [ -x "$python" ] || python=python3
"$python" "$root/bench/gpu/peers.py" >> "$out" 2>&1 || echo "torch missing peers.py failed" >> "$out"
# The MLP epoch of bench/train with every tensor on the GPU (tsr --device=gpu).
TSR_CACHE_DIR="$cache" "$tsr" --device=gpu run "$root/bench/train/train.tsr" mlp 3 | sed 's/^/tessera mlp_/' >> "$out" || status=1

awk '
  { key = $1 " " $2; $1 = ""; $2 = ""; sub(/^  */, ""); v[key] = $0 }
  function f(k) { return k in v ? v[k] : "" }
  function num(x) { return x == "" ? "-" : sprintf("%.1f", x) }
  function later(who,   s, k, e) { s = 0; k = 0; for (e = 2; e <= 3; e++) if (f(who " mlp_epoch_s_" e) != "") { s += f(who " mlp_epoch_s_" e); k++ } return k ? s / k : "" }
  function verdict(ok) { return ok ? "met" : "NOT met" }
  END {
    printf "GPU: %s (sm_%s), bandwidth %.0f GB/s\n", f("device name"), f("device sm"), f("device bandwidth_gbs")
    if (f("torch version") != "") printf "peer: PyTorch %s (CUDA, eager)\n", f("torch version")
    else printf "PEER MISSING: %s\n", f("torch missing")
    if (f("cublas matmul_gflops") == "") printf "YARDSTICK MISSING: cuBLAS: %s\n", f("cublas missing")
    printf "\n%-34s %10s %10s %10s  %s\n", "figure", "Tessera", "yardstick", "ratio", "target"
    e = f("tessera elementwise_gbs"); bw = f("device bandwidth_gbs")
    printf "%-34s %10s %10s %9.0f%%  >= 80%% of bandwidth: %s\n", "fused element-wise GB/s", num(e), num(bw), 100 * e / bw, verdict(e >= 0.8 * bw)
    if (f("torch elementwise_gbs") != "") printf "%-34s %10s %10s\n", "  PyTorch element-wise GB/s", "", num(f("torch elementwise_gbs"))
    m = f("tessera matmul_gflops"); cb = f("cublas matmul_gflops")
    if (cb != "") printf "%-34s %10s %10s %9.0f%%  >= 70%% of cuBLAS: %s\n", "matmul 4096^3 GFLOP/s", num(m), num(cb), 100 * m / cb, verdict(m >= 0.7 * cb)
    else printf "%-34s %10s %10s %10s  unmeasured (no cuBLAS)\n", "matmul 4096^3 GFLOP/s", num(m), "-", "-"
    q = f("tessera matmul_quads_gflops")
    if (q != "" && cb != "") printf "%-34s %10s %10s %9.0f%%  (the quads layout, stdlib/GPU.tsr)\n", "  quads layout GFLOP/s", num(q), num(cb), 100 * q / cb
    q = f("tessera matmul_quads_prefetch_gflops")
    if (q != "" && cb != "") printf "%-34s %10s %10s %9.0f%%  (quads, two buffers, prefetch)\n", "  quads + prefetch GFLOP/s", num(q), num(cb), 100 * q / cb
    for (bi = 1; bi <= 2; bi++) {
      be = bi == 1 ? "nvptx" : "nvrtc"
      split("strided quads quads_prefetch", lay, " ")
      for (li = 1; li <= 3; li++) {
        q = f("tessera matmul_" lay[li] "_" be "_gflops")
        if (q != "" && cb != "") printf "%-34s %10s %10s %9.0f%%\n", "  " lay[li] " (" be ") GFLOP/s", num(q), num(cb), 100 * q / cb
      }
    }
    s = f("tessera softmax_ms"); ts = f("torch softmax_ms")
    printf "%-34s %10.3f %10s %10s\n", "softmax 4096x1024 ms", s, ts == "" ? "-" : sprintf("%.3f", ts), ts == "" ? "-" : sprintf("%.2fx", ts / s)
    t = later("tessera"); p = later("torch")
    if (p != "") printf "%-34s %10.3f %10.3f %9.2fx  faster than PyTorch: %s\n", "MLP epoch s (Fashion-MNIST)", t, p, p / t, verdict(t < p)
    else printf "%-34s %10s %10s %10s  unmeasured (no PyTorch CUDA)\n", "MLP epoch s (Fashion-MNIST)", t == "" ? "-" : sprintf("%.3f", t), "-", "-"
  }' "$out"
exit $status
