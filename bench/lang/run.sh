#!/usr/bin/env bash
# bench/lang: Tessera against the same programs in C++ (g++ -O2) and CPython, in one run.
#   bench/lang/run.sh [build-dir]
# Prints, per program, the best in-process time of each (compilation excluded for Tessera),
# the ratio to C++, and the whole-process time of `tsr run examples/fib.tsr`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
[[ "$build" = /* ]] || build="$root/$build"
tsr="$build/dsl/tsr"
cxx="$build/bench/lang_cxx"
g++ -O2 -std=c++17 "$root/bench/lang/bench.cpp" -o "$cxx"
# clang++ too, when present: the same optimizer family as Tessera's LLVM backend.
clangxx=""
if command -v clang++ > /dev/null; then
  clangxx="$build/bench/lang_clang"
  clang++ -O2 -std=c++17 "$root/bench/lang/bench.cpp" -o "$clangxx"
fi
py=""
[ -x /usr/bin/python3 ] && py=/usr/bin/python3

printf 'bench/lang  (best of several runs, ms; ratio = Tessera / C++ -O2)\n\n'
printf '%-32s %10s %10s %8s %12s %8s %10s\n' program Tessera "g++ -O2" ratio "clang++ -O2" ratio CPython
row() {  # name tsr-script cxx-arg cxx-n
  local t c k="n/a" kr="n/a" p="n/a"
  t=$("$tsr" run "$root/bench/lang/$2")
  c=$("$cxx" "$3" "$4")
  if [ -n "$clangxx" ]; then
    k=$(printf '%.1f' "$("$clangxx" "$3" "$4")")
    kr=$(printf '%.2fx' "$(echo "$t / $k" | bc -l)")
  fi
  [ -n "$py" ] && p=$(printf '%.1f' "$("$py" "$root/bench/lang/bench.py" "$3")")
  printf '%-32s %10.1f %10.1f %7.2fx %12s %8s %10s\n' "$1" "$t" "$c" "$(echo "$t / $c" | bc -l)" "$k" "$kr" "$p"
}
row "fib(30), recursive" fib.tsr fib 30
row "sum of 1/i^2, 10^8 terms" sumsq.tsr sumsq 100000000
row "struct-heavy loop, 10^7 steps" structs.tsr structs 10000000
# Tessera's kernels run on every thread of the pool; the C++ and CPython matmuls on one.
row "kernel matmul 128^3, NTuple index" matmul_ntuple.tsr matmul 128
row "kernel matmul 128^3, linear index" matmul_linear.tsr matmul 128
row "Vector{Float64} loop, 10^6" vector_loop.tsr vsum 1000000
row "Tensor{Float64,1} loop, 10^6" tensor_loop.tsr vsum 1000000
row "scalar gradient by closures, 10^5" pullbacks.tsr pullbacks 100000

# Whole process: parse, load Base, compile (or load from the cache) and run examples/fib.tsr.
# Cold: an empty compile cache each time; warm: the cache filled by the run before. Median of 11.
whole() {  # cold|warm
  local times=() dir
  dir=$(mktemp -d)
  for k in $(seq 11); do
    [ "$1" = cold ] && rm -rf "$dir" && mkdir -p "$dir"
    [ "$1" = warm ] && TSR_CACHE_DIR="$dir" "$tsr" run "$root/examples/fib.tsr" > /dev/null
    local s e
    s=$(date +%s%N); TSR_CACHE_DIR="$dir" "$tsr" run "$root/examples/fib.tsr" > /dev/null; e=$(date +%s%N)
    times+=($(( (e - s) / 1000 )))
  done
  rm -rf "$dir"
  printf '%s\n' "${times[@]}" | sort -n | sed -n 6p
}
cold=$(whole cold); warm=$(whole warm)
printf '\n%-40s %8.3f s cold cache, %8.3f s warm cache\n' "tsr run examples/fib.tsr (whole process)" \
  "$(echo "$cold / 1000000" | bc -l)" "$(echo "$warm / 1000000" | bc -l)"

# Compile time of long top-level code (issue 9, item 16): the whole process with an empty
# compile cache, for N statements `xK = K + 1` and for one tuple literal of N elements; the
# same programs in CPython (which compiles to bytecode and interprets) beside them.
# Top-level code goes through LLVM's fast code generator, so both grow linearly.
gen() {  # statements|tuple N tsr|py
  python3 - "$@" <<'PY'
import sys
kind, n, lang = sys.argv[1], int(sys.argv[2]), sys.argv[3]
say = "println" if lang == "tsr" else "print"
if kind == "statements":
    print("".join(f"x{i} = {i} + 1\n" for i in range(n)) + f"{say}(x0)")
else:
    print("t = (" + ", ".join(str(i) for i in range(n)) + f")\n{say}(len(t))".replace("len", "length" if lang == "tsr" else "len"))
PY
}
seconds() {  # command...: wall seconds of one run
  local s e
  s=$(date +%s%N); "$@" > /dev/null; e=$(date +%s%N)
  echo "($e - $s) / 1000000000" | bc -l
}
printf '\n%-40s %10s %10s\n' "top-level code, whole process (s)" Tessera CPython
tmp=$(mktemp -d)
for spec in "statements 1000" "statements 10000" "statements 40000" "tuple 8000" "tuple 32000"; do
  set -- $spec
  gen "$1" "$2" tsr > "$tmp/p.tsr"
  gen "$1" "$2" py > "$tmp/p.py"
  t=$(seconds "$tsr" --no-cache "$tmp/p.tsr")
  p="n/a"
  [ -n "$py" ] && p=$(printf '%.3f' "$(seconds "$py" "$tmp/p.py")")
  printf '%-40s %10.3f %10s\n' "$2 $1" "$t" "$p"
done
rm -rf "$tmp"
