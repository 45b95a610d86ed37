#!/usr/bin/env bash
# bench/autodiff: Tessera's gradients against their forward passes and against PyTorch CPU's
# eager autograd, all measured in this one run on this machine.
#   bench/autodiff/run.sh [build-dir]
# Times are the best of several runs in ms (compilation excluded); "x torch" is PyTorch's time
# over Tessera's, so above 1 means Tessera is faster.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
[[ "$build" = /* ]] || build="$root/$build"
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$build/dsl/tsr" run "$root/bench/autodiff/autodiff.tsr" | sed 's/^/tessera /' > "$out"
if [ -x /usr/bin/python3 ]; then
  # The machines set OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which slow OpenBLAS (and PyTorch
  # on it) down here: the peer runs without them, at its best.
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "$root/bench/autodiff/peers.py" "$(nproc)" \
    >> "$out" 2> /dev/null || true
fi
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)

awk -v threads="$(nproc)" -v blas="$blas" '
  { v[$1 " " $2] = $3 }
  function fig(who, name) { return (who " " name) in v ? v[who " " name] : "" }
  function num(x) { return x == "" ? "-" : sprintf("%.3f", x) }
  function ratio(a, b) { return (a == "" || b == "") ? "-" : sprintf("%.2fx", a / b) }
  # A forward figure and its gradient: both sides, x torch, and the gradient over the forward.
  function pair(flabel, fname, glabel, gname,    f, g) {
    f = fig("tessera", fname); g = fig("tessera", gname)
    printf "%-44s %10s %10s %8s %12s\n", flabel, num(f), num(fig("torch", fname)), ratio(fig("torch", fname), f), ""
    printf "%-44s %10s %10s %8s %12s\n", glabel, num(g), num(fig("torch", gname)), ratio(fig("torch", gname), g), ratio(g, f)
  }
  END {
    printf "bench/autodiff  (%d threads; best of several runs; x torch = PyTorch / Tessera)\n", threads
    tv = fig("torch", "version")
    if (tv == "") print "PEER MISSING: PyTorch is not installed (apt-get install python3-torch); no torch column"
    else printf "peer: PyTorch %s (eager autograd), BLAS %s\n", tv, blas
    printf "\n%-44s %10s %10s %8s %12s\n", "figure", "Tessera", "PyTorch", "x torch", "grad/forward"
    pair("MLP 784-256-128-10, batch 128: forward ms", "mlp_forward", "  gradient (forward + backward) ms", "mlp_gradient")
    pair("sum(x .* w .+ tanh.(x)), 16M Float32: fwd ms", "ew_forward_16M", "  gradient ms", "ew_gradient_16M")
    pair("@kernel stencil, 1M Float32: forward ms", "kernel_edge_forward", "  gradient (adjoint kernel) ms", "kernel_edge_gradient")
    pair("@kernel row logsumexp, 4096x40: forward ms", "kernel_lse_forward", "  gradient (loops checkpointed) ms", "kernel_lse_gradient")
    pair("  the same over 4096x200: forward ms", "kernel_lse200_forward", "  gradient ms", "kernel_lse200_gradient")
    po = fig("tessera", "perop_us")
    printf "%-44s %10s %10s %8s %12s\n", "per op, gradient of 100 tanh on 4 floats, us", num(po), num(fig("torch", "perop_us")), ratio(fig("torch", "perop_us"), po), ""
    printf "%-44s %10s\n", "RSS after 100 MLP gradients, MiB", num(fig("tessera", "rss_after_100_mb"))
    printf "%-44s %10s\n", "RSS after 1,100 MLP gradients, MiB", num(fig("tessera", "rss_after_1100_mb"))
  }' "$out"
