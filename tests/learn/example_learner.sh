#!/usr/bin/env bash
# examples/train_fashion_mnist_learner.tsr for one epoch: the summary, a progress line and the
# epoch table, at least 80% test accuracy, and its run in TSR_RUNS_DIR, listed as finished by
# `tsr runs`. Skipped (77) without Debian's dataset-fashion-mnist.
#   example_learner.sh TSR EXAMPLE
set -uo pipefail
tsr=$1 example=$2
[ -d "${TSR_DATA:-/usr/share/datasets}/fashion-mnist" ] || { echo "example: no Fashion-MNIST files (skipped)"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out="$dir/out.txt"
fail() { echo "learner example: $1"; echo "--- its output:"; cat "$out"; exit 1; }
TSR_EPOCHS=1 TSR_RUNS_DIR="$dir/runs" "$tsr" run "$example" > "$out" 2>&1 || fail "exit status $?"
grep -q "^Total params: 235,146" "$out" || fail "no model summary"
grep -q "^epoch 1/1 469/469" "$out" || fail "no progress line"
grep -Eq '^epoch +train_loss +valid_loss +accuracy +time$' "$out" || fail "no epoch table"
acc=$(awk '$1 == "1" && NF == 5 { print $4 }' "$out")
[ -n "$acc" ] || fail "no row for epoch 1"
awk -v a="$acc" 'BEGIN { exit !(a >= 0.8) }' || fail "test accuracy $acc after one epoch (expected at least 0.8)"
TSR_RUNS_DIR="$dir/runs" "$tsr" runs > "$dir/list.txt" 2>&1
grep -q '^train_fashion_mnist_learner-1 .* finished .* accuracy=' "$dir/list.txt" || { cat "$dir/list.txt"; fail "the run is not listed as finished"; }
echo "learner example: one epoch, test accuracy $acc, run tracked"
