#!/usr/bin/env bash
# Every kernel specialization that tests/jit/stdlib_kernels.tsr and examples/*.tsr launch, every
# adjoint kernel of the gradient scripts of tests/lang (autodiff_kernel*.tsr), and
# every fused broadcast loop of those and of the broadcast scripts of tests/lang, goes through
# both GPU backends (TSR_DEVICE_CODE_DIR: jit/gpu/device_code_dump.hpp): LLVM NVPTX's
# PTX and NVRTC's PTX of the printed CUDA C++, each for sm_80 and sm_90, and the CUDA
# toolkit's ptxas must accept every one. Prints registers and spills per kernel; fails on a
# spill in the GPU's matmul and in the reduction kernels (the CPU-tuned register-blocked
# kernels _mm_kernel! and _conv_kernel! spill on a GPU and are only reported: the GPU has its
# own matmul, _gpu_matmul_tiles!). Each entry's parameters in the PTX must be the ones launch
# packs for it (jit/gpu/device_launch.hpp, kernel_param_slots): as many, each a scalar.
#   device_code.sh TSR SOURCE_DIR
# Skipped (exit 77) when the CUDA toolkit (ptxas, libdevice) is not installed.
set -u
tsr="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; src="$(cd "$2" && pwd)"
cuda="${TSR_CUDA_HOME:-${CUDA_HOME:-/usr/local/cuda}}"
ptxas="$cuda/bin/ptxas"
if [ ! -x "$ptxas" ] || [ ! -e "$cuda/nvvm/libdevice/libdevice.10.bc" ]; then
  echo "SKIP: the CUDA toolkit (ptxas, nvvm/libdevice) is not installed at $cuda"; exit 77
fi
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/code"
export TSR_CACHE_DIR="$dir/cache"
fail() { echo "FAIL: $*"; exit 1; }
n=0
for script in "$src/tests/jit/stdlib_kernels.tsr" "$src"/examples/*.tsr "$src"/tests/lang/*broadcast*.tsr \
              "$src"/tests/lang/autodiff_kernel*.tsr; do
  # A folder per script: entry names are unique within a process only.
  n=$((n + 1)); export TSR_DEVICE_CODE_DIR="$dir/code/$n"; mkdir -p "$TSR_DEVICE_CODE_DIR"
  case "$script" in */examples/*) grep -q "@kernel\|@cuda_kernel" "$script" || continue ;; esac
  # The broadcast scripts test errors too: what matters here is the device code of what ran.
  (cd "$(dirname "$script")" && "$tsr" run "$script" > /dev/null 2> "$dir/one" < /dev/null)
  rc=$?
  case "$script" in */tests/lang/*) ;; *) [ $rc = 0 ] || { cat "$dir/one"; fail "$script failed"; } ;; esac
done
cd "$dir/code"
for sub in */; do for f in "$sub"*; do [ -e "$f" ] || continue; mv "$f" "${sub%/}_${f#"$sub"}"; done; rmdir "$sub"; done
kernels=$(ls *.kernel 2>/dev/null | wc -l)
[ "$kernels" -gt 40 ] || fail "only $kernels kernel specializations were launched"
status=0
checked=0
cpu_only=0
for e in *.error; do
  [ -e "$e" ] || continue
  # A broadcast of what a GPU cannot hold (strings, boxed values) stays on the CPU: listed.
  if grep -q "^broadcast " "${e%%.*}.kernel" && grep -q "cannot run on a GPU:" "$e"; then
    case "$e" in *.nvptx.error) echo "CPU ONLY: $(cat "${e%%.*}.kernel"): $(sed -n 2p "$e" | sed 's/^ *//')"; cpu_only=$((cpu_only + 1)) ;; esac
    continue
  fi
  echo "FAIL: $(cat "${e%%.*}.kernel"): no device code ($e):"; sed 's/^/  /' "$e"; status=1
done
for s in *.nvrtc.skipped; do
  [ -e "$s" ] || continue
  echo "FAIL: NVRTC was not found though the toolkit is installed: $(cat "$s")"; status=1; break
done
printf "%-40s %-6s %-7s %5s %6s\n" kernel arch backend regs spills
for k in *.kernel; do
  base="${k%.kernel}"
  [ -e "$base.sm_80.ptx" ] || [ -e "$base.nvptx.error" ] || continue
  ls "$base".*.error > /dev/null 2>&1 && continue
  name=$(sed 's/^\(kernel\|broadcast\) \([^(]*\)(.*/\2/' "$k")
  for sm in 80 90; do
    for backend in nvptx nvrtc; do
      ptx="$base.sm_$sm.ptx"; [ $backend = nvrtc ] && ptx="$base.nvrtc.sm_$sm.ptx"
      [ -e "$ptx" ] || { echo "FAIL: $(cat "$k"): no $backend PTX for sm_$sm"; status=1; continue; }
      if ! "$ptxas" -arch=sm_$sm -v -o /dev/null "$ptx" > "$dir/ptxas" 2>&1; then
        echo "FAIL: ptxas rejected the $backend PTX of $(cat "$k") for sm_$sm:"; sed 's/^/  /' "$dir/ptxas" | head -20; status=1; continue
      fi
      # The entry takes what launch packs: as many parameters, each a scalar of at most 8 bytes.
      if [ -e "$base.slots" ]; then
        want=$(cat "$base.slots")
        got=$(awk '/\.entry /{f=1; next} f && /\.param/{n++} f && /^\)/{print n + 0; exit}' "$ptx")
        [ "$got" = "$want" ] || { echo "FAIL: $(cat "$k"): its $backend entry for sm_$sm takes $got parameters, launch passes $want"; status=1; }
        awk '/\.entry /{f=1; next} f && /\.param/ && /\[/{bad=1} f && /^\)/{exit} END{exit !bad}' "$ptx" &&
          { echo "FAIL: $(cat "$k"): its $backend entry takes an aggregate by value, which launch does not pack"; status=1; }
        checked=$((checked + 1))
      fi
      # The quads layout exists for its 16-byte shared-memory loads (stdlib/GPU.tsr): each
      # backend must make them (LLVM's only after the alignment of shared memory is inferred).
      if case "$name" in _gpu_matmul_quads*) true ;; *) false ;; esac && { grep -q "ld\.shared\.f32" "$ptx" || ! grep -q "ld\.shared\.v4\.f32" "$ptx"; }; then
        echo "FAIL: $name reads shared memory with scalar loads on sm_$sm ($backend): $(grep -c 'ld\.shared\.f32' "$ptx") of them"; status=1
      fi
      regs=$(sed -n 's/.*Used \([0-9]*\) registers.*/\1/p' "$dir/ptxas" | head -1)
      spills=$(sed -n 's/.* \([0-9]*\) bytes spill stores.*/\1/p' "$dir/ptxas" | head -1)
      printf "%-40s sm_%-3s %-7s %5s %6s\n" "$name" "$sm" "$backend" "${regs:-?}" "${spills:-0}"
      if [ "${spills:-0}" != 0 ]; then
        case "$name" in
          _mm_kernel!|_conv_kernel!) ;;  # CPU-tuned register blocks: reported, not run on a GPU
          *) case "$name" in
               *matmul*|*reduce*|*fold*|*sum*|*softmax*|*argmax*) echo "FAIL: $name spills $spills bytes on sm_$sm ($backend)"; status=1 ;;
             esac ;;
        esac
      fi
    done
  done
done
[ "$checked" -gt 100 ] || { echo "FAIL: only $checked entries had their parameters checked against launch's"; status=1; }
adjoints=$(grep -l "^kernel ∂" *.kernel 2>/dev/null | wc -l)
[ "$adjoints" -ge 12 ] || { echo "FAIL: only $adjoints adjoint kernels were launched"; status=1; }
[ $status = 0 ] && echo "$checked entries take the parameters launch packs for them"
[ $status = 0 ] && echo "$((kernels - cpu_only)) kernel specializations and broadcast loops ($adjoints of them adjoint kernels; $cpu_only broadcasts of values a GPU cannot hold left out): PTX from LLVM NVPTX and from NVRTC for sm_80 and sm_90, all accepted by ptxas"
exit $status
