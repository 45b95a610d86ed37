#!/usr/bin/env bash
# Golden tests of the compiler's passes: tsr --emit=PASS --function FN SCRIPT against
# SCRIPT.FN.PASS.txt in this folder. Scripts are compiled with --stop-after=PASS (nothing
# runs), unless their first line is `# golden: runs` (kernels are compiled when launched).
# Symbol, closure and fused-function numbers (tsr.norm2.41, ##lambda#31, #bcast#64) depend on
# what Base defines, so they are written tsr.norm2.N, ##lambda#N and #bcast#N.
#   run.sh TSR GOLDEN.txt          compare
#   UPDATE=1 run.sh TSR GOLDEN.txt rewrite the golden file from this build (then read the diff)
set -u
tsr=$1
golden=$2
here="$(cd "$(dirname "$0")" && pwd)"
name=$(basename "$golden" .txt)
script=${name%%.*}.tsr
rest=${name#*.}
fn=${rest%.*}
pass=${rest##*.}
args=(--no-cache --emit="$pass" --function "$fn")
head -1 "$here/$script" | grep -q '^# golden: runs' || args+=(--stop-after="$pass")
got=$(mktemp); trap 'rm -f "$got" "$got.raw"' EXIT
(cd "$here" && "$tsr" "${args[@]}" "$script" 2> "$got.raw" > /dev/null)
rc=$?
[ $rc -eq 0 ] || { cat "$got.raw"; echo "FAIL: tsr ${args[*]} $script exited $rc"; exit 1; }
sed -E -e 's/ +;/ ;/g' -e 's/(tsr\.[A-Za-z0-9_]+)\.[0-9]+/\1.N/g' -e 's/##lambda#[0-9]+/##lambda#N/g' -e 's/#bcast#[0-9]+/#bcast#N/g' "$got.raw" > "$got"
if [ "${UPDATE:-0}" = 1 ]; then cp "$got" "$here/$name.txt"; echo "wrote $name.txt"; exit 0; fi
if ! diff "$got" "$here/$name.txt"; then
  echo "FAIL: tsr ${args[*]} $script differs from $name.txt (above: < got, > expected)"
  exit 1
fi
echo ok
