#!/usr/bin/env bash
# What the compile cache trusts (docs/reliability.md): folders it creates are 0700; a folder
# that another user owns or may write is refused with a warning (the program still runs,
# without the cache); entries that are links, FIFOs or not regular files are never read.
set -u
tsr="$1"
dir=$(mktemp -d); trap 'chmod -R u+rwx "$dir"; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
code='f(x) = x * 2; println(f(21))'
uid=$(id -u)

# No HOME, no XDG_CACHE_HOME: a per-user folder in $TMPDIR, created 0700.
out=$(env -u HOME -u XDG_CACHE_HOME -u TSR_CACHE_DIR TMPDIR="$dir" "$tsr" -e "$code" 2>&1) || fail "tmp fallback run: $out"
[ "$out" = 42 ] || fail "tmp fallback output: $out"
for d in "$dir/tessera-cache-$uid" "$dir/tessera-cache-$uid/v1"; do
  [ "$(stat -c %a "$d")" = 700 ] || fail "$d is not 0700"
done
ls "$dir/tessera-cache-$uid/v1"/*.o > /dev/null 2>&1 || fail "nothing was cached"

# A folder others may write: refused, with a warning, and nothing is read from or written to it.
mkdir -p "$dir/open/v1"; chmod 777 "$dir/open/v1"
out=$(TSR_CACHE_DIR="$dir/open/v1" "$tsr" -e "$code" 2>&1) || fail "group-writable run: $out"
[ "$out" = "tsr: warning: the compile cache folder $dir/open/v1 is writable by other users; compiling without the cache
42" ] || fail "group-writable folder: $out"
ls "$dir/open/v1"/*.o > /dev/null 2>&1 && fail "wrote into a folder others may write"

# A folder owned by another user (only root can make one to test with).
if [ "$uid" = 0 ]; then
  mkdir -p "$dir/theirs/v1"; chmod 700 "$dir/theirs/v1"; chown 65534 "$dir/theirs/v1"
  out=$(TSR_CACHE_DIR="$dir/theirs/v1" "$tsr" -e "$code" 2>&1) || fail "foreign folder run: $out"
  [ "$out" = "tsr: warning: the compile cache folder $dir/theirs/v1 is owned by another user; compiling without the cache
42" ] || fail "foreign folder: $out"
  # ... and a folder of ours whose entries are another user's files: not loaded.
  mkdir -p "$dir/foreign-entries"; chmod 700 "$dir/foreign-entries"
  TSR_CACHE_DIR="$dir/foreign-entries" "$tsr" -e "$code" > /dev/null || fail "filling foreign-entries"
  chown 65534 "$dir/foreign-entries"/*.o
  out=$(TSR_CACHE_DIR="$dir/foreign-entries" TSR_LOG_COMPILES=1 "$tsr" -e "$code" 2>&1) || fail "foreign entries run"
  echo "$out" | grep -q "cache hit" && fail "loaded an entry owned by another user"
fi

# A symbolic link at the place of a folder: refused.
mkdir -p "$dir/real"; ln -s "$dir/real" "$dir/link"
out=$(TSR_CACHE_DIR="$dir/link" "$tsr" -e "$code" 2>&1) || fail "symlinked folder run: $out"
[ "$out" = "tsr: warning: the compile cache folder $dir/link is a symbolic link; compiling without the cache
42" ] || fail "symlinked folder: $out"

# Entries replaced by links (to a valid entry elsewhere), FIFOs and folders: never opened
# through, never blocking; compiled afresh.
c="$dir/entries"; mkdir -m 700 "$c"
TSR_CACHE_DIR="$c" "$tsr" -e "$code" > /dev/null || fail "filling the cache"
mkdir -m 700 "$dir/elsewhere"; cp -p "$c"/*.o "$dir/elsewhere/"
mapfile -t entries < <(ls "$c"/*.o)
i=0
for e in "${entries[@]}"; do
  rm "$e"
  case $((i % 3)) in
    0) ln -s "$dir/elsewhere/$(basename "$e")" "$e" ;;
    1) mkfifo "$e" ;;
    2) mkdir "$e" ;;
  esac
  i=$((i + 1))
done
out=$(TSR_CACHE_DIR="$c" TSR_LOG_COMPILES=1 timeout 60 "$tsr" -e "$code" 2>&1) || fail "run over links and FIFOs (status $?)"
echo "$out" | grep -q "cache hit" && fail "an entry was read through a link, FIFO or folder"
[ "$(echo "$out" | grep -v '^\[compile\]')" = 42 ] || fail "output over links and FIFOs: $out"
echo "compile cache trust: 0700 folders, foreign/open/linked folders refused, links and FIFOs never read: ok"
