#!/usr/bin/env bash
# Builds the parser fuzzer with clang (libFuzzer + AddressSanitizer + UBSan) and runs it for
# the given number of seconds (default 60), starting from the conformance scripts as corpus.
# Exit status is libFuzzer's: non-zero when it found a crash (the input is saved in build/fuzz).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
out="$root/build/fuzz"
mkdir -p "$out/corpus"
CXX=${CXX_FUZZ:-clang++}
command -v "$CXX" >/dev/null || { echo "run.sh: $CXX not found (install clang) — fuzzing skipped"; exit 0; }
"$CXX" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -I"$root" \
  "$root/tests/fuzz/parser_fuzzer.cpp" "$root"/dsl/syntax/*.cpp -lfmt -o "$out/parser_fuzzer"
cp "$root"/tests/lang/*.tsr "$root"/tests/error/*.tsr "$out/corpus/" 2>/dev/null || true
cd "$out"
./parser_fuzzer -max_total_time="$seconds" -max_len=4096 -timeout=10 corpus
