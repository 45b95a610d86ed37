"""bench/gpu peers: PyTorch CUDA eager on the same work as gpu_bench.tsr and the MLP epoch of
bench/train (Fashion-MNIST 784-256-128-10, Adam 1e-3, batch 128, data on the GPU).
Prints "torch NAME VALUE" lines, or "torch missing REASON" when PyTorch has no CUDA here."""
import gzip
import os
import struct
import sys
import time

try:
    import torch
except ImportError:
    print("torch missing PyTorch is not installed")
    sys.exit(0)
if not torch.cuda.is_available():
    print("torch missing PyTorch", torch.__version__, "has no CUDA device here")
    sys.exit(0)
dev = torch.device("cuda")
print("torch version", torch.__version__)


def gpu_ms(f, reps):
    """Milliseconds per call of f, as gpu_bench.tsr times: a first call, then the median of
    five rounds of reps calls, each round between events."""
    f()
    torch.cuda.synchronize()
    rounds = []
    for _ in range(5):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(reps):
            f()
        stop.record()
        torch.cuda.synchronize()
        rounds.append(start.elapsed_time(stop) / reps)
    return sorted(rounds)[2]


n = 1 << 26
x = torch.rand(n, device=dev)
y = torch.rand(n, device=dev)
ms = gpu_ms(lambda: y.copy_(2 * x + y), 20)
print("torch elementwise_gbs", 3 * 4 * n / (ms / 1e3) / 1e9)
a = torch.randn(4096, 4096, device=dev)
b = torch.randn(4096, 4096, device=dev)
torch.backends.cuda.matmul.allow_tf32 = False
ms = gpu_ms(lambda: a @ b, 5)
print("torch matmul_gflops", 2 * 4096**3 / (ms / 1e3) / 1e9)
s = torch.randn(4096, 1024, device=dev)
print("torch softmax_ms", gpu_ms(lambda: torch.softmax(s, dim=1), 20))


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)


folder = os.path.join(os.environ.get("TSR_DATA", "/usr/share/datasets"), "fashion-mnist")
try:
    images = idx(os.path.join(folder, "train-images-idx3-ubyte.gz")).float().div(255).reshape(-1, 784).to(dev)
    labels = idx(os.path.join(folder, "train-labels-idx1-ubyte.gz")).long().to(dev)
except OSError as e:
    print("torch missing the Fashion-MNIST files:", e)
    sys.exit(0)
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(),
                            torch.nn.Linear(128, 10)).to(dev)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(1, 4):
    torch.cuda.synchronize()
    t0 = time.time()
    perm = torch.randperm(images.shape[0], device=dev)
    for i in range(0, images.shape[0], 128):
        idx_ = perm[i:i + 128]
        loss = torch.nn.functional.cross_entropy(model(images[idx_]), labels[idx_])
        opt.zero_grad()
        loss.backward()
        opt.step()
    torch.cuda.synchronize()
    print(f"torch mlp_epoch_s_{epoch}", time.time() - t0)
