#!/usr/bin/env bash
# Cache entries that pass every check of the file but fail to load (truncated object, a bad
# ELF header, junk sections, entries swapped between keys) are discarded and compiled again:
# in every injected case the run and the next one print the right output.
set -u
tsr="$1"; inject="$2"; script="$3"
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
export TSR_CACHE_DIR="$dir"
fail() { echo "FAIL: $*"; exit 1; }
want=$("$tsr" --no-cache run "$script") || fail "reference run"
"$tsr" run "$script" > /dev/null || fail "filling the cache"
cases=0
for round in 1 2 3 4 5 6 7 8 9 10; do
  for mode in truncate badelf garbage swap; do
    mapfile -t entries < <(ls "$dir"/*.o | sort)
    n=${#entries[@]}
    a=${entries[$(( (round * 7) % n ))]}; b=${entries[$(( (round * 7 + 1) % n ))]}
    if [ "$mode" = swap ]; then "$inject" swap "$a" "$b"; else "$inject" "$mode" "$a"; fi || fail "injecting $mode"
    got=$("$tsr" run "$script" 2>&1) || fail "run after $mode of $(basename "$a"): $got"
    [ "$got" = "$want" ] || fail "output after $mode of $(basename "$a")"
    again=$("$tsr" run "$script" 2>&1) || fail "next run after $mode: $again"
    [ "$again" = "$want" ] || fail "output of the next run after $mode"
    cases=$((cases + 1))
  done
done
echo "compile cache: $cases injected load failures, each compiled again: ok"
