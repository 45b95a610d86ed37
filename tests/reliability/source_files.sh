#!/usr/bin/env bash
# tsr refuses what is not a script: devices (/dev/zero used to abort with bad_alloc), FIFOs,
# folders (used to run nothing and exit 0) and files over the size limit, each with its reason.
set -u
tsr="$1"
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
expect() {  # expect STATUS MESSAGE -- ARGS...
  local want_rc="$1" want="$2"; shift 3
  got=$(timeout 30 "$tsr" "$@" 2>&1); rc=$?
  [ "$rc" = "$want_rc" ] || fail "tsr $*: exit $rc, expected $want_rc ($got)"
  [ "$got" = "$want" ] || fail "tsr $*: printed
$got
expected
$want"
}
expect 2 "tsr: cannot read /dev/zero: '/dev/zero' is not a regular file (a device, FIFO or socket)" -- run /dev/zero
expect 2 "tsr: cannot read /dev/urandom: '/dev/urandom' is not a regular file (a device, FIFO or socket)" -- /dev/urandom
mkfifo "$dir/pipe.tsr"
expect 2 "tsr: cannot read $dir/pipe.tsr: '$dir/pipe.tsr' is not a regular file (a device, FIFO or socket)" -- run "$dir/pipe.tsr"
expect 2 "tsr: cannot read $dir: '$dir' is a directory" -- run "$dir"
truncate -s 65M "$dir/huge.tsr"
expect 2 "tsr: cannot read $dir/huge.tsr: '$dir/huge.tsr' is 68157440 bytes, over the limit of 64 MiB for a source file" -- run "$dir/huge.tsr"
echo "source files: devices, FIFOs, folders and huge files refused: ok"
