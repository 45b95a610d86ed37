#!/usr/bin/env bash
# Runs a `gpu`-labelled script on the GPU, under the backend named (nvptx or nvrtc); skipped
# (exit 77, which CTest reports as skipped, not passed) where no GPU and driver are found.
#   run_on_gpu.sh TSR SCRIPT BACKEND
set -u
tsr="$1"; script="$2"; backend="$3"
has=$("$tsr" -e 'print(has_gpu())' 2>&1)
if [ "$has" != true ]; then
  why=$("$tsr" -e 'try; gpu(zeros(1)); catch e; print(e.msg); end' 2>&1)
  echo "SKIP: no GPU: $why"
  exit 77
fi
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
cd "$(dirname "$script")" && TSR_GPU_BACKEND="$backend" TSR_CACHE_DIR="$dir" "$tsr" run "$(basename "$script")"
