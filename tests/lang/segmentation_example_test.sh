#!/usr/bin/env bash
# examples/segmentation_transforms.tsr runs to the end and writes its three PNGs (and their
# caption files) into TSR_OUT.
#   segmentation_example_test.sh TSR EXAMPLE
set -u
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
TSR_OUT="$dir" "$1" run "$2" > "$dir/out.txt" 2>&1 || { cat "$dir/out.txt"; echo "FAIL: the example failed"; exit 1; }
for name in original transformed batch; do
  f="$dir/segmentation_$name.png"
  [ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || { echo "FAIL: $f is not a PNG"; exit 1; }
  [ -s "$f.txt" ] || { echo "FAIL: no captions beside $f"; exit 1; }
done
grep -q "wrote $dir/segmentation_original.png" "$dir/out.txt" || { cat "$dir/out.txt"; echo "FAIL: the example does not say where it wrote"; exit 1; }
echo "ok"
