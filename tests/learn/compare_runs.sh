#!/usr/bin/env bash
# `tsr runs compare` on two fits that differ only in their learning rate: the table of settings
# that differ has the learning rate (and nothing that is the same in both), and the final
# metrics stand side by side.
#   compare_runs.sh TSR
set -uo pipefail
tsr=$1
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "compare runs: $1"; [ -f "$dir/cmp.txt" ] && cat "$dir/cmp.txt"; exit 1; }
cp "$here/fits.tsr" "$dir/" && cd "$dir" || exit 1  # outside any repository: git.json holds no diff
FITS_NAME=rate FITS_RATES=0.1,0.001 FITS_EPOCHS=2 "$tsr" run fits.tsr > out.txt 2>&1 || fail "the script failed: $(cat out.txt)"
"$tsr" runs compare rate-1 rate-2 > cmp.txt 2>&1 || fail "tsr runs compare failed"
grep -q '^Settings that differ' cmp.txt || fail "no settings table"
grep -Eq '^config\.lr +0\.1 +0\.001$' cmp.txt || fail "the learning rates are not side by side"
grep -Eq '^config\.opt +Adam\(0\.1\) +Adam\(0\.001\)$' cmp.txt || fail "the optimizers are not side by side"
grep -q '^config.n_epoch' cmp.txt && fail "a setting that is the same (n_epoch) is listed as differing"
grep -Eq '^valid_loss +[0-9.]+ +[0-9.]+$' cmp.txt || fail "no final valid_loss of both"
a=$(awk '$1 == "valid_loss" { print $2 }' cmp.txt) b=$(awk '$1 == "valid_loss" { print $3 }' cmp.txt)
[ "$a" != "$b" ] || fail "both runs have the same final valid_loss"
"$tsr" runs compare rate-1 nope-7 > missing.txt 2>&1 && fail "a missing run was not an error"
grep -q 'no run named "nope-7"' missing.txt || fail "the missing run's message: $(cat missing.txt)"
echo "compare runs: the learning rates and final losses side by side"
