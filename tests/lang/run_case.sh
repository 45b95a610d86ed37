#!/usr/bin/env bash
# Runs one conformance test: tsr run NAME.tsr from the test's folder, comparing stdout, stderr
# and the exit status exactly with NAME.expected (format: tests/lang/README.md). For a REPL
# test, NAME.in, the file is piped into `tsr` with no script instead.
set -u
tsr="$1"; script="$2"
dir=$(dirname "$script"); name=$(basename "$script"); name=${name%.*}
expected="$dir/$name.expected"
[ -f "$expected" ] || { echo "no $expected"; exit 1; }
want_exit=$(sed -n 's/^exit: //p' "$expected" | head -1)
want_out=$(awk '/^--- stdout$/{f=1;next} /^--- stderr$/{f=0} f' "$expected")
want_err=$(awk '/^--- stderr$/{f=1;next} f' "$expected")
tmp=$(mktemp -d)
# A script that overflows the stack on purpose says `# sanitize: leaks after stack overflow`:
# the overflow cuts the stack without running the C++ destructors of the abandoned frames, so
# their heap objects are never freed (by design: docs/reliability.md). Under `make sanitize`
# LeakSanitizer is off for such a script alone; everything else it checks stays on.
if grep -q '^# sanitize: leaks after stack overflow' "$script" 2>/dev/null && [ -n "${ASAN_OPTIONS:-}" ]; then
  export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0"
fi
# A script that runs past the limit is a failure (a hang). The limit leaves the heaviest
# scripts (tensor_arith_shapes: about 10 s alone, compiling hundreds of broadcast loops with an
# empty cache) room on a machine whose two cores are busy with other work.
limit=${TSR_TEST_TIMEOUT:-150}
if [ "${script##*.}" = in ]; then
  (cd "$dir" && timeout "$limit" "$tsr" < "$name.in" > "$tmp/out" 2> "$tmp/err"); got_exit=$?
else
  (cd "$dir" && timeout "$limit" "$tsr" run "$name.tsr" > "$tmp/out" 2> "$tmp/err" < /dev/null); got_exit=$?
fi
ok=1
[ "$got_exit" = "$want_exit" ] || { echo "exit status: expected $want_exit, got $got_exit"; ok=0; }
[ "$(cat "$tmp/out")" = "$want_out" ] || { echo "--- stdout differs"; diff <(echo "$want_out") "$tmp/out" | head -20; ok=0; }
[ "$(cat "$tmp/err")" = "$want_err" ] || { echo "--- stderr differs"; diff <(echo "$want_err") "$tmp/err" | head -20; ok=0; }
rm -rf "$tmp"
[ $ok = 1 ]
