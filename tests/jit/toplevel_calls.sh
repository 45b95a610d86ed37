#!/usr/bin/env bash
# Top-level statements that are only calls of built-in functions on literals (`const K = 8`, a
# docstring, include("file.tsr")) run without being compiled; the rest is compiled as before,
# and an error in such a statement is reported as one in compiled code is.
set -u
tsr="$1"
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$dir"
printf 'const J = 2\n' > inc.tsr
printf 'const K = 8\n"""\nf(x): x times K\n"""\nf(x) = x * K\ninclude("inc.tsr")\nprintln(f(J))\n' > main.tsr
out=$(TSR_LOG_COMPILES=1 "$tsr" --no-cache run main.tsr 2> log) || { cat log; fail "main.tsr exited $?"; }
[ "$out" = "16" ] || fail "main.tsr printed '$out', expected 16"
grep -q "top-level at main.tsr:7" log || { cat log; fail "the println statement was not compiled"; }
for at in main.tsr:1 main.tsr:2 main.tsr:6 inc.tsr:1; do
  grep -q "top-level at $at in" log && { cat log; fail "the calls on literals at $at were compiled"; }
done
printf 'const A = 1\ninclude("missing.tsr")\nprintln("not reached")\n' > bad.tsr
out=$("$tsr" --no-cache run bad.tsr 2> err); rc=$?
[ $rc -eq 1 ] || fail "bad.tsr exited $rc, expected 1"
[ -z "$out" ] || fail "a statement after the failed include ran: $out"
grep -q 'ERROR: include("missing.tsr") failed' err || { cat err; fail "no error for the include"; }
grep -q "\[1\] top-level at bad.tsr:2" err || { cat err; fail "the error's stack trace does not name bad.tsr:2"; }
echo "top-level calls on literals: run uncompiled, errors reported: ok"
