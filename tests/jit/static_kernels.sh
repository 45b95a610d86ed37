#!/usr/bin/env bash
# Every @kernel of stdlib/*.tsr, stdlib/*/*.tsr (module NN) and examples/*.tsr, launched with
# typical argument types, is compiled without a dynamic call (one `tsr --emit=ir` would mark
# [dynamic]): such a call dispatches at run time, under the runtime's lock, in every work item.
# The calls come from verify_device_kernel's report (jit/verify_device_kernel.cpp), which
# TSR_CHECK_KERNELS=1 makes name every kernel specialization it checks, fit for a GPU or not.
#   static_kernels.sh TSR SOURCE_DIR
# Fails listing kernel, line and call for each dynamic call, and names any kernel the scripts
# did not launch (tests/jit/stdlib_kernels.tsr must launch each new stdlib kernel).
set -u
tsr="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; src="$(cd "$2" && pwd)"
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
export TSR_CHECK_KERNELS=1 TSR_CACHE_DIR="$dir/cache"
fail() { echo "FAIL: $*"; exit 1; }
# The check itself must see dynamic calls where there are some.
(cd "$src/tests/lang" && "$tsr" run kernels_dynamic_calls.tsr > /dev/null 2> "$dir/self") || fail "kernels_dynamic_calls.tsr failed"
grep -q "kernels_dynamic_calls.tsr:13: a dynamic call: twice(::Any)" "$dir/self" ||
  { cat "$dir/self"; fail "TSR_CHECK_KERNELS did not report the dynamic calls of kernels_dynamic_calls.tsr"; }
: > "$dir/report"
for script in "$src/tests/jit/stdlib_kernels.tsr" "$src"/examples/*.tsr; do
  grep -q "@kernel" "$script" || continue
  "$tsr" run "$script" > /dev/null 2> "$dir/one" || { cat "$dir/one"; fail "$script failed"; }
  cat "$dir/one" >> "$dir/report"
done
status=0
if grep -q "dynamic call" "$dir/report"; then
  echo "FAIL: kernels with dynamic calls:"
  awk '/^(WARNING: )?kernel /{k=$0} /dynamic call/{if (k != shown) {print k; shown = k} print}' "$dir/report"
  status=1
fi
for f in "$src"/stdlib/*.tsr "$src"/stdlib/*/*.tsr "$src"/examples/*.tsr; do
  for name in $(sed -n 's/^@kernel function \([^(]*\)(.*/\1/p' "$f"); do
    grep -qF "kernel $name(" "$dir/report" || { echo "FAIL: $name ($(basename "$f")) was never launched by the check's scripts"; status=1; }
  done
done
[ $status = 0 ] && echo "$(grep -c '^\(WARNING: \)\?kernel ' "$dir/report") kernel specializations, no dynamic calls"
exit $status
