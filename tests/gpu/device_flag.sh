#!/usr/bin/env bash
# tsr --device / TSR_DEVICE: cpu runs as always; gpu makes new tensors on the GPU where there is
# one, and stops with exit 2 saying what is missing where there is none; other names are usage
# errors.
#   device_flag.sh TSR
set -u
tsr="$1"
fail() { echo "FAIL: $*"; exit 1; }
[ "$("$tsr" --device=cpu -e 'println(1 + 1)')" = 2 ] || fail "--device=cpu did not run"
[ "$(TSR_DEVICE=cpu "$tsr" -e 'println(1 + 1)')" = 2 ] || fail "TSR_DEVICE=cpu did not run"
# `run` may come first, before tsr's options, as LANGUAGE.md writes `tsr run --device=gpu FILE`.
script=$(mktemp --suffix=.tsr); trap 'rm -f "$script"' EXIT
echo 'println(device(zeros(2)), " ", ARGS)' > "$script"
[ "$("$tsr" run --device=cpu "$script" --device=gpu x)" = 'cpu ["--device=gpu", "x"]' ] || fail "tsr run --device=cpu FILE ARGS did not run"
if [ "$("$tsr" -e 'print(has_gpu())')" = true ]; then
  for how in "--device=gpu" "--device gpu" "TSR_DEVICE=gpu"; do
    case "$how" in
      TSR_DEVICE=*) out=$(env "$how" "$tsr" -e 'println(device(zeros(2)), " ", sum(ones(4) .* 2f0))' 2>&1); rc=$? ;;
      *) out=$("$tsr" $how -e 'println(device(zeros(2)), " ", sum(ones(4) .* 2f0))' 2>&1); rc=$? ;;
    esac
    [ $rc = 0 ] && [ "$out" = "gpu 8.0" ] || fail "$how: exit $rc, '$out' (expected 'gpu 8.0')"
  done
  [ "$("$tsr" run --device=gpu "$script")" = "gpu String[]" ] || fail "tsr run --device=gpu FILE"
else
  for how in "--device=gpu" "--device gpu" "TSR_DEVICE=gpu"; do
    case "$how" in
      TSR_DEVICE=*) out=$(env "$how" "$tsr" -e 'println(1)' 2>&1); rc=$? ;;
      *) out=$("$tsr" $how -e 'println(1)' 2>&1); rc=$? ;;
    esac
    [ $rc = 2 ] || fail "$how: exit $rc, expected 2"
    case "$out" in *"no GPU is available"*) ;; *) fail "$how: '$out' does not say 'no GPU is available'" ;; esac
    case "$out" in 1*) fail "$how ran the code on the CPU" ;; esac
  done
  "$tsr" run --device=gpu "$script" > /dev/null 2>&1 && fail "tsr run --device=gpu FILE ran without a GPU"
fi
out=$(TSR_DEVICE=tpu "$tsr" -e 'println(1)' 2>&1); rc=$?
[ $rc = 2 ] && [ "$out" = "tsr: TSR_DEVICE=tpu: the device is cpu or gpu" ] || fail "TSR_DEVICE=tpu: $rc '$out'"
"$tsr" --device=tpu -e 1 > /dev/null 2>&1 && fail "--device=tpu accepted"
echo "ok: --device and TSR_DEVICE"
