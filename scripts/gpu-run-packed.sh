#!/usr/bin/env bash
# On a GPU machine, from the repository's root, with the .dev/ of scripts/gpu-pack.sh: the
# `gpu` tests under both backends, @cuda_kernel, --device, the GPU benchmark against cuBLAS and
# PyTorch CUDA, the MLP epoch and the main job on the GPU; each step with its own time limit,
# none started after BUDGET seconds. With the `device` tool: run `bash .dev/run.sh`, carry .dev.
set -u
BUDGET=${BUDGET:-250}
root=$(pwd)
[ -n "${OUT:-}" ] && exec > >(tee "$OUT/log") 2>&1
start=$(date +%s)
mkdir -p /tmp/tsr && tar -xJf .dev/lib.tar.xz -C /tmp/tsr && tar -xJf .dev/bin.tar.xz -C /tmp/tsr || { echo "unpack failed"; exit 1; }
export LD_LIBRARY_PATH=/tmp/tsr/lib TSR_STDLIB="$root/stdlib" TSR_DATA="$root/.dev/data" TSR_CACHE_DIR=/tmp/tsrcache
export TSR_CUDA_HOME=${TSR_CUDA_HOME:-/usr/local/cuda} CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
tsr=/tmp/tsr/bin/tsr
nvidia-smi -L 2>/dev/null
step() {  # step NAME LIMIT COMMAND...
  local name=$1 lim=$2; shift 2
  local left=$(( BUDGET - ($(date +%s) - start) ))
  if [ $left -lt 15 ]; then echo "== $name: SKIPPED (budget spent)"; return; fi
  [ $lim -gt $left ] && lim=$left
  echo "== $name (limit ${lim}s)"
  local s=$(date +%s)
  timeout -k 5 $lim "$@"; local rc=$?
  echo "== $name: rc=$rc in $(( $(date +%s) - s ))s"
}
step gpu_vs_cpu_nvptx 60 tests/gpu/run_on_gpu.sh $tsr "$root/tests/gpu/gpu_vs_cpu.tsr" nvptx
step gpu_vs_cpu_nvrtc 60 tests/gpu/run_on_gpu.sh $tsr "$root/tests/gpu/gpu_vs_cpu.tsr" nvrtc
step cuda_kernel 30 tests/gpu/cuda_kernel.sh $tsr
step device_flag 30 tests/gpu/device_flag.sh $tsr
step bench 40 $tsr run bench/gpu/gpu_bench.tsr
step cublas 20 /tmp/tsr/bin/cublas_yardstick
step layouts_nvptx 30 env TSR_GPU_BACKEND=nvptx $tsr run bench/gpu/matmul_layouts.tsr nvptx
step layouts_nvrtc 30 env TSR_GPU_BACKEND=nvrtc $tsr run bench/gpu/matmul_layouts.tsr nvrtc
step mlp_gpu 60 env TSR_GPU_STATS=1 $tsr --device=gpu run bench/train/train.tsr mlp 3
step peers 60 env PYTHONUNBUFFERED=1 python3 bench/gpu/peers.py
step interop 20 $tsr --device=gpu run examples/cuda_interop.tsr
step main_job 60 $tsr --device=gpu run examples/train_fashion_mnist.tsr
echo "total $(( $(date +%s) - start ))s"
