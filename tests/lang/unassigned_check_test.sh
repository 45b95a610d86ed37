#!/usr/bin/env bash
# The definite-assignment check costs nothing where every read is assigned: a function whose
# loop-body local is assigned before use has no UndefVarError path in its optimized code; one
# that reads a local on a path without an assignment has one (tests/lang/scope_unassigned_local.tsr).
set -u
tsr="$1"
fail() { echo "FAIL: $*"; exit 1; }
src='function total(xs)
  s = 0.0
  for x in xs
    t = 2x
    s += t
  end
  s
end
function maybe(c)
  if c
    m = 1
  end
  m
end
total([1.0]); maybe(true)'
err=$("$tsr" --no-cache --emit=llvm --function total -e "$src" 2>&1 >/dev/null) || fail "--emit=llvm exited $?"
grep -q 'tsr_raise_undef' <<< "$err" && fail "total checks for an unassigned local: $err"
err=$("$tsr" --no-cache --emit=llvm --function maybe -e "$src" 2>&1 >/dev/null) || fail "--emit=llvm exited $?"
grep -q 'tsr_raise_undef' <<< "$err" || fail "maybe does not check m: $err"
echo ok
