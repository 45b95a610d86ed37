#!/usr/bin/env bash
# read_idx keeps an uncompressed copy of a gzip'd IDX file in the cache folder's data/ and reads
# it on the next runs (jit/idx_cache.hpp): the output never changes; a damaged copy, and one of
# a source that changed, are made again; without a usable folder nothing is kept.
set -u
tsr="$1"; data="$2"
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
export TSR_CACHE_DIR="$dir/cache" TSR_LOG_COMPILES=1
printf 'using Data\nx = read_idx(ARGS[1])\nprintln(eltype(x), size(x), " ", vec(x))\n' > "$dir/read.tsr"
run() { "$tsr" run "$dir/read.tsr" "$1" 2> "$dir/log"; }
cp "$data/u8_2x3.idx.gz" "$dir/a.idx.gz"
first=$(run "$dir/a.idx.gz") || fail "first read"
grep -q "no uncompressed copy" "$dir/log" || fail "the first read should make the copy"
copies=("$TSR_CACHE_DIR"/data/*.idx)
[ ${#copies[@]} -eq 1 ] && [ -f "${copies[0]}" ] || fail "no copy in $TSR_CACHE_DIR/data"
second=$(run "$dir/a.idx.gz") || fail "second read"
grep -q "uncompressed copy read" "$dir/log" || fail "the second read should read the copy"
[ "$first" = "$second" ] || fail "the copy read '$second', the source '$first'"
# A damaged copy (its last byte, the data's) is not trusted: the source is read and the copy made again.
printf '\x7f' | dd of="${copies[0]}" bs=1 seek=$(( $(stat -c %s "${copies[0]}") - 1 )) conv=notrunc status=none
third=$(run "$dir/a.idx.gz") || fail "read with a damaged copy"
grep -q "damaged" "$dir/log" || fail "the damaged copy was not noticed"
[ "$first" = "$third" ] || fail "a damaged copy changed the output: '$third'"
run "$dir/a.idx.gz" > /dev/null && grep -q "uncompressed copy read" "$dir/log" || fail "the copy was not made again"
# The source changes (another file under the same name): its data, not the copy's.
cp "$data/f32_3.idx.gz" "$dir/a.idx.gz"
fourth=$(run "$dir/a.idx.gz") || fail "read of the changed source"
direct=$(TSR_CACHE_DIR="$dir/other" "$tsr" run "$dir/read.tsr" "$data/f32_3.idx.gz" 2> /dev/null)
[ "$fourth" = "$direct" ] || fail "after the source changed: '$fourth', expected '$direct'"
[ "$(run "$dir/a.idx.gz")" = "$direct" ] && grep -q "uncompressed copy read" "$dir/log" || fail "Float32 data from the copy"
# A temporary copy left by a process killed while writing it (its pid gone) is removed.
rm -f "$TSR_CACHE_DIR"/data/*.idx
touch "${copies[0]}.tmp999999999"
run "$dir/a.idx.gz" > /dev/null || fail "read with a stale temporary"
[ -e "${copies[0]}.tmp999999999" ] && fail "the stale temporary copy was not removed"
# No usable folder (data/ is a file): read as before, nothing kept.
mkdir -p "$dir/plain" && touch "$dir/plain/data"
[ "$(TSR_CACHE_DIR="$dir/plain" "$tsr" run "$dir/read.tsr" "$dir/a.idx.gz" 2> /dev/null)" = "$direct" ] || fail "without a data folder"
echo "uncompressed IDX copies: made, read, damaged and outdated ones made again, stale temporaries removed: ok"
