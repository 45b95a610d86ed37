#!/usr/bin/env bash
# bench/data: time to load Fashion-MNIST train (60,000 images, gzip'd IDX) and one shuffled
# pass of a DataLoader (batch 128) in Tessera, beside numpy (python3 gzip + numpy.frombuffer,
# fancy indexing per batch) measured in this same run on this machine.
#   bench/data/run.sh [build-dir]
# Times are the best of 5 runs in ms; "x numpy" is numpy's time over Tessera's (above 1:
# Tessera is faster). Needs dataset-fashion-mnist (scripts/install-deps.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
[[ "$build" = /* ]] || build="$root/$build"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if [ ! -f "${TSR_DATA:-/usr/share/datasets}/fashion-mnist/train-images-idx3-ubyte.gz" ]; then
  echo "bench/data: no Fashion-MNIST files (apt-get install dataset-fashion-mnist); skipped"
  exit 0
fi
"$build/dsl/tsr" run "$root/bench/data/load.tsr" >> "$out"
if [ -x /usr/bin/python3 ]; then /usr/bin/python3 "$root/bench/data/peers.py" >> "$out" || true; fi
awk '
  { v[$1 " " $2] = $3 }
  function row(name, label,   t, n) {
    t = v["tessera " name]; n = v["numpy " name]
    printf "%-44s %10.1f %10s %8s\n", label, t, n == "" ? "-" : sprintf("%.1f", n), n == "" ? "-" : sprintf("%.2fx", n / t)
  }
  END {
    printf "%-44s %10s %10s %8s\n", "operation (ms, best of 5)", "Tessera", "numpy", "x numpy"
    row("read_train_images", "read train-images-idx3-ubyte.gz (47 MB)")
    row("fashion_mnist_train", "FashionMNIST(:train): images and labels")
    row("dataloader_pass_128", "one shuffled pass, batch 128 (469 batches)")
  }' "$out"
