#!/usr/bin/env bash
# `tsr --emit=ir` of a kernel (kernel_ir.tsr) against the golden kernel_ir.ir: work-item
# indices, barriers and @localmem are kernel IR nodes, which a GPU backend reads alone.
#   kernel_ir_emit.sh TSR
set -u
here="$(cd "$(dirname "$0")" && pwd)"
got=$(mktemp); trap 'rm -f "$got"' EXIT
(cd "$here" && "$1" --no-cache --emit=ir --function 'tile!' kernel_ir.tsr 2> "$got" > /dev/null) || { echo "FAIL: tsr exited $?"; exit 1; }
if ! diff "$got" "$here/kernel_ir.ir"; then
  echo "FAIL: --emit=ir of tile! differs from kernel_ir.ir (above: < got, > expected)"
  exit 1
fi
echo ok
