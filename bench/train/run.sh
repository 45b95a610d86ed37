#!/usr/bin/env bash
# bench/train: training Fashion-MNIST models in Tessera against PyTorch CPU eager, both in this
# run on this machine, same model, data in memory, batch 128, Adam(1e-3), the same threads.
#   bench/train/run.sh [build-dir] [epochs] [cnn-epochs]
# Epoch times are the mean of the epochs after the first (the first also compiles); "x torch"
# is PyTorch's time over Tessera's, so above 1 means Tessera is faster. Time to first batch is
# the whole process (start, data load, compile, one step) with an empty compile cache and then
# with the warm one.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
[[ "$build" = /* ]] || build="$root/$build"
epochs=${2:-3}
cnn_epochs=${3:-2}
threads=${TSR_NUM_THREADS:-$(nproc)}
out=$(mktemp)
cache=$(mktemp -d)
trap 'rm -rf "$out" "$cache"' EXIT
tsr="$build/dsl/tsr"

# Time to first batch: an empty compile cache, then the one that run filled.
for kind in cold warm; do
  t0=$(date +%s.%N)
  TSR_CACHE_DIR="$cache" "$tsr" run "$root/bench/train/first_batch.tsr"
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v k="$kind" 'BEGIN { printf "tessera first_batch_%s %.3f\n", k, b - a }' >> "$out"
done
for model in mlp cnn; do
  n=$epochs; [ $model = cnn ] && n=$cnn_epochs
  [ "$n" -gt 0 ] || continue
  TSR_NUM_THREADS=$threads "$tsr" run "$root/bench/train/train.tsr" $model "$n" | sed "s/^/tessera ${model}_/" >> "$out"
  if [ -x /usr/bin/python3 ]; then
    # Without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which slow OpenBLAS down here: the peer at its best.
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "$root/bench/train/peers.py" "$threads" "$n" $model \
      | sed "s/^torch /torch ${model}_/" >> "$out" || true
  fi
done
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)

awk -v threads="$threads" -v blas="$blas" -v epochs="$epochs" -v cnn_epochs="$cnn_epochs" '
  { v[$1 " " $2] = $3 }
  function fig(who, name) { return (who " " name) in v ? v[who " " name] : "" }
  function num(x) { return x == "" ? "-" : sprintf("%.3f", x) }
  function pct(x) { return x == "" ? "-" : sprintf("%.2f%%", 100 * x) }
  function ratio(a, b) { return (a == "" || b == "") ? "-" : sprintf("%.2fx", a / b) }
  function later_mean(who, model,   s, k, e, n) {
    s = 0; k = 0; n = model == "cnn" ? cnn_epochs : epochs
    for (e = 2; e <= n; e++) if (fig(who, model "_epoch_s_" e) != "") { s += fig(who, model "_epoch_s_" e); k++ }
    return k ? s / k : fig(who, model "_epoch_s_1")
  }
  END {
    printf "bench/train  (%d threads, batch 128, Adam 1e-3, %d MLP and %d CNN epochs; x torch = PyTorch / Tessera)\n", threads, epochs, cnn_epochs
    tv = fig("torch", "mlp_version"); if (tv == "") tv = fig("torch", "cnn_version")  # either model may be skipped
    if (tv == "") print "PEER MISSING: PyTorch is not installed (apt-get install python3-torch); no torch column"
    else printf "peer: PyTorch %s (eager), BLAS %s\n", tv, blas
    printf "\n%-46s %10s %10s %8s\n", "figure", "Tessera", "PyTorch", "x torch"
    t = later_mean("tessera", "mlp"); p = later_mean("torch", "mlp")
    printf "%-46s %10s %10s %8s\n", "MLP 784-256-128-10: epoch s (after the first)", num(t), num(p), ratio(p, t)
    printf "%-46s %10s %10s %8s\n", "  first epoch s", num(fig("tessera", "mlp_epoch_s_1")), num(fig("torch", "mlp_epoch_s_1")), ""
    printf "%-46s %10s %10s\n", "  test accuracy after the last epoch", pct(fig("tessera", "mlp_test_accuracy")), pct(fig("torch", "mlp_test_accuracy"))
    printf "%-46s %10s %10s\n", "  RSS after epoch 1, MiB", num(fig("tessera", "mlp_rss_mb_1")), num(fig("torch", "mlp_rss_mb_1"))
    printf "%-46s %10s %10s\n", "  RSS after the last epoch, MiB", num(fig("tessera", "mlp_rss_mb_" epochs)), num(fig("torch", "mlp_rss_mb_" epochs))
    t = later_mean("tessera", "cnn"); p = later_mean("torch", "cnn")
    printf "%-46s %10s %10s %8s\n", "CNN conv 32, 64 + pooling: epoch s", num(t), num(p), ratio(p, t)
    printf "%-46s %10s %10s %8s\n", "  first epoch s", num(fig("tessera", "cnn_epoch_s_1")), num(fig("torch", "cnn_epoch_s_1")), ""
    printf "%-46s %10s %10s\n", "  test accuracy after the last epoch", pct(fig("tessera", "cnn_test_accuracy")), pct(fig("torch", "cnn_test_accuracy"))
    printf "%-46s %10s %10s\n", "  RSS after the last epoch, MiB", num(fig("tessera", "cnn_rss_mb_" cnn_epochs)), num(fig("torch", "cnn_rss_mb_" cnn_epochs))
    printf "%-46s %10s\n", "time to first batch, empty compile cache, s", num(fig("tessera", "first_batch_cold"))
    printf "%-46s %10s\n", "time to first batch, warm compile cache, s", num(fig("tessera", "first_batch_warm"))
  }' "$out"
