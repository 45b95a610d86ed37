#!/usr/bin/env bash
# tsr --emit=ast|ir|llvm FILE --function NAME shows NAME alone (every method, or every
# specialization the run compiled); a name no function has, or one never called, is an error.
set -u
tsr="$1"; file="$(dirname "$0")/helpers/emit_function.tsr"
fail() { echo "FAIL: $*"; exit 1; }
out=$("$tsr" --emit=ast "$file" --function area) || fail "--emit=ast exited $?"
[ "$(grep -c '^(function' <<< "$out")" = 2 ] || fail "ast: want the 2 methods of area, got: $out"
grep -q 'perimeter' <<< "$out" && fail "ast shows perimeter"
err=$("$tsr" --no-cache --emit=ir --function area "$file" 2>&1 >/dev/null) || fail "--emit=ir exited $?"
for sig in 'area(s::Square)' 'area(r::Int64)' 'area(r::Float64)'; do
  grep -qF "$sig" <<< "$err" || fail "ir: no $sig in: $err"
done
grep -q 'perimeter\|top-level' <<< "$err" && fail "ir shows more than area: $err"
err=$("$tsr" --no-cache --emit=llvm "$file" --function perimeter 2>&1 >/dev/null) || fail "--emit=llvm exited $?"
[ "$(grep -c '^define' <<< "$err")" -ge 1 ] || fail "llvm: no function shown"
grep '^define' <<< "$err" | grep -qv 'perimeter' && fail "llvm shows more than perimeter: $err"
err=$("$tsr" --emit=ir "$file" --function nosuch 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && grep -q 'no function is named `nosuch`' <<< "$err" || fail "unknown name: rc $rc, $err"
err=$("$tsr" --emit=llvm "$file" --function unused 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && grep -q 'never called it' <<< "$err" || fail "never called: rc $rc, $err"
err=$("$tsr" --emit=ast "$file" --function nosuch 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && grep -q 'defines no function named `nosuch`' <<< "$err" || fail "ast, unknown name: rc $rc, $err"
echo ok
