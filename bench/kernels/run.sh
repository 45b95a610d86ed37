#!/usr/bin/env bash
# bench/kernels: the stdlib's tensor operations against a STREAM triad in C, numpy/OpenBLAS
# and PyTorch CPU, all measured in this one run on this machine.
#   bench/kernels/run.sh [build-dir]
# Times are the best of several runs in ms (compilation excluded); "x peer" is the peer's time
# over Tessera's, so above 1 means Tessera is faster.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
[[ "$build" = /* ]] || build="$root/$build"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

gcc -O3 -march=native -fopenmp "$root/bench/kernels/triad.c" -o "$out/triad"
"$build/dsl/tsr" run "$root/bench/kernels/kernels.tsr" | sed 's/^/tessera /' > "$out/all"
"$out/triad" | sed 's/^/c /' >> "$out/all"
if [ -x /usr/bin/python3 ]; then
  # The machines set OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which slow OpenBLAS down here:
  # the peer runs without them, at its best.
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "$root/bench/kernels/peers.py" "$(nproc)" \
    >> "$out/all" 2> /dev/null || true
fi

awk -v threads="$(nproc)" '
  { v[$1 " " $2] = $3 }
  function fig(who, name) { return (who " " name) in v ? v[who " " name] : "" }
  function ms(x) { return x == "" ? "-" : sprintf("%.3f", x) }
  function ratio(peer, t) { return (peer == "" || t == "") ? "-" : sprintf("%.2fx", peer / t) }
  function row(name, label, unit, amount,   t, c, n, p, rate) {
    t = fig("tessera", name); c = fig("c", name); n = fig("numpy", name); p = fig("torch", name)
    rate = (t == "" || amount == 0) ? "" : sprintf("%.1f %s", amount / (t * 1e6), unit)
    printf "%-26s %10s %12s %10s %7s %10s %7s %10s %7s\n", label, ms(t), rate, ms(c), ratio(c, t), ms(n), ratio(n, t), ms(p), ratio(p, t)
  }
  END {
    printf "bench/kernels  (%d threads; best ms; x peer = peer time / Tessera time)\n\n", threads
    printf "%-26s %10s %12s %10s %7s %10s %7s %10s %7s\n", "operation", "Tessera", "rate", "C/OpenMP", "x C", "numpy", "x np", "PyTorch", "x torch"
    n = 16 * 1024 * 1024
    row("triad_16M", "y .= 2f0 .* x .+ b, 16M", "GB/s", 12 * n)
    row("sum_16M", "sum, 16M Float32", "GB/s", 4 * n)
    row("gelu_16M", "gelu, 16M Float32", "GB/s", 8 * n)
    row("softmax_4096x1024", "softmax, 4096x1024", "GB/s", 8 * 4096 * 1024)
    row("matmul_1024", "matmul 1024^3 Float32", "GFLOP/s", 2 * 1024 ^ 3)
    row("matmul_2048", "matmul 2048^3 Float32", "GFLOP/s", 2 * 2048 ^ 3)
    row("conv2d_64x32x28x28", "conv2d 64x32x28x28, 3x3x64", "GFLOP/s", 2 * 64 * 64 * 32 * 9 * 28 * 28)
    t = fig("tessera", "add4_x100000"); p = fig("torch", "add4_x100000")
    printf "%-26s %9s us %12s %10s %7s %10s %7s %9s us %7s\n", "a .+ b, 4 elements (per op)", t == "" ? "-" : sprintf("%.3f", t / 100), "", "-", "-", "-", "-", p == "" ? "-" : sprintf("%.3f", p / 100), ratio(p, t)
    printf "\nOpenBLAS kernel used by numpy: %s\n", fig("numpy", "openblas_core") == "" ? "n/a" : fig("numpy", "openblas_core")
  }' "$out/all"
