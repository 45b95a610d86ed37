#!/usr/bin/env bash
# Builds the whole-program fuzzer (clang, libFuzzer + AddressSanitizer + UBSan, all of
# Tessera compiled with them, in build-fuzz/) and runs it for the given number of seconds
# (default 60), starting from the conformance scripts as corpus. Exit status is libFuzzer's:
# non-zero when it found a crash (the input is saved in build-fuzz/programs).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
build="$root/build-fuzz"
command -v clang++ >/dev/null || { echo "run_programs.sh: clang++ not found (install clang) — fuzzing skipped"; exit 0; }
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DTESSERA_SANITIZE=ON -DTESSERA_FUZZ=ON \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ > "$build.configure.log" 2>&1 \
  || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j"${JOBS:-2}" --target program_fuzzer
out="$build/programs"
mkdir -p "$out/corpus" "$out/lines"
cp "$root"/tests/lang/*.tsr "$out/corpus/"
cp "$root"/tests/lang/*.tsr "$root"/tests/error/*.tsr "$out/lines/"
cd "$out"
# Programs that loop forever or allocate without end are not crashes: in fork mode -timeout
# and -rss_limit_mb end those inputs and fuzzing goes on (-ignore_timeouts, -ignore_ooms); a
# crash still stops the run. The caught StackOverflowError handles deep recursion.
TSR_FUZZ_CORPUS="$out/lines" TSR_CACHE_DIR="$out/cache" ASAN_OPTIONS=detect_leaks=0:allow_user_segv_handler=1 \
  "$build/tests/fuzz/program_fuzzer" -fork=1 -ignore_timeouts=1 -ignore_ooms=1 -max_total_time="$seconds" \
  -max_len=8192 -timeout=20 -rss_limit_mb=4096 corpus
