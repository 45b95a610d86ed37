#!/usr/bin/env bash
# The main job (examples/train_fashion_mnist.tsr, what `make run` runs) for one epoch: it must
# print the model summary, a progress line and the epoch table, reach 80% test accuracy after
# that epoch, and reload its checkpoint into a model that scores the same.
#   main_job_test.sh TSR EXAMPLE
set -uo pipefail
tsr=$1 example=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out="$dir/out.txt"
TSR_EPOCHS=1 TSR_CHECKPOINT="$dir/mlp.safetensors" "$tsr" run "$example" > "$out" 2>&1
rc=$?
fail() { echo "main job: $1"; echo "--- its output:"; cat "$out"; exit 1; }
[ $rc -eq 0 ] || fail "exit status $rc"
grep -q "^Total params: 235,146" "$out" || fail "no model summary"
grep -q "^epoch 1/1 469/469" "$out" || fail "no progress line for the epoch"
grep -q "epoch  train loss  test loss  test accuracy  seconds" "$out" || fail "no epoch table"
acc=$(awk '$1 == "1" && $4 ~ /%$/ { sub("%", "", $4); print $4 }' "$out")
[ -n "$acc" ] || fail "no row for epoch 1"
awk -v a="$acc" 'BEGIN { exit !(a >= 80) }' || fail "test accuracy $acc% after one epoch (expected at least 80%)"
grep -q "reloaded into a new model: test accuracy .* (the same)" "$out" || fail "the reloaded checkpoint does not score the same"
[ -f "$dir/mlp.safetensors" ] || fail "no checkpoint file"
echo "main job: one epoch, test accuracy $acc%, checkpoint reloaded"
