#!/usr/bin/env bash
# tsr --device / TSR_DEVICE: cpu runs as always; gpu stops with exit 2 and says what is missing
# (a GPU and driver here, or device tensors where there is one); other names are usage errors.
#   device_flag.sh TSR
set -u
tsr="$1"
fail() { echo "FAIL: $*"; exit 1; }
[ "$("$tsr" --device=cpu -e 'println(1 + 1)')" = 2 ] || fail "--device=cpu did not run"
[ "$(TSR_DEVICE=cpu "$tsr" -e 'println(1 + 1)')" = 2 ] || fail "TSR_DEVICE=cpu did not run"
expected="no GPU is available"
[ "$("$tsr" -e 'print(has_gpu())')" = true ] && expected="device tensors are not implemented yet"
for how in "--device=gpu" "--device gpu" "TSR_DEVICE=gpu"; do
  case "$how" in
    TSR_DEVICE=*) out=$(env "$how" "$tsr" -e 'println(1)' 2>&1); rc=$? ;;
    *) out=$("$tsr" $how -e 'println(1)' 2>&1); rc=$? ;;
  esac
  [ $rc = 2 ] || fail "$how: exit $rc, expected 2"
  case "$out" in *"$expected"*) ;; *) fail "$how: '$out' does not say '$expected'" ;; esac
  case "$out" in 1*) fail "$how ran the code on the CPU" ;; esac
done
out=$(TSR_DEVICE=tpu "$tsr" -e 'println(1)' 2>&1); rc=$?
[ $rc = 2 ] && [ "$out" = "tsr: TSR_DEVICE=tpu: the device is cpu or gpu" ] || fail "TSR_DEVICE=tpu: $rc '$out'"
"$tsr" --device=tpu -e 1 > /dev/null 2>&1 && fail "--device=tpu accepted"
echo "ok: --device and TSR_DEVICE"
