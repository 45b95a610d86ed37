#!/usr/bin/env bash
# bench/data/transforms.sh: a Fashion-MNIST epoch of the MLP with and without FlipLR +
# Normalize applied to every batch on the fly (bench/data/transforms.tsr), as a table.
# Target (issue 14): the transforms add at most 10% to the epoch.
#   bench/data/transforms.sh [build-dir] [rounds]     (rounds: epochs of each kind, 3)
# Run it on a quiet machine: epochs alternate, and the medians are compared.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
[[ "$build" = /* ]] || build="$root/$build"
if [ ! -f "${TSR_DATA:-/usr/share/datasets}/fashion-mnist/train-images-idx3-ubyte.gz" ]; then
  echo "bench/data/transforms: no Fashion-MNIST files (apt-get install dataset-fashion-mnist); skipped"
  exit 0
fi
"$build/dsl/tsr" run "$root/bench/data/transforms.tsr" "${2:-3}" | awk '
  { v[$1] = $2 }
  END {
    printf "%-46s %8s\n", "MLP epoch, batch 128 (median, s)", "seconds"
    printf "%-46s %8.3f\n", "plain", v["epoch_s_plain"]
    printf "%-46s %8.3f\n", "FlipLR + Normalize per batch (encode_batch)", v["epoch_s_flip_normalize"]
    printf "%-46s %7.1f%%  (target: at most 10%%)\n", "added", v["added_percent"]
    printf "%-46s %8.3f\n", "the transforms alone, over an epoch", v["transforms_only_s"]
    printf "runs: plain %s; with transforms %s\n", v["plain_runs"], v["flip_normalize_runs"]
  }'
