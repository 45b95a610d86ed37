"""bench/train peer: the same model, optimizer, batch size and data in PyTorch CPU eager, on the
same threads, data already in memory. Prints `torch name value` lines; nothing without torch.
    python3 bench/train/peers.py THREADS EPOCHS MODEL      (MODEL: mlp or cnn)"""
import gzip, os, sys, time

try:
    import numpy as np
    import torch
except ImportError:
    sys.exit(0)

threads = int(sys.argv[1]) if len(sys.argv) > 1 else torch.get_num_threads()
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
which = sys.argv[3] if len(sys.argv) > 3 else "mlp"
torch.set_num_threads(threads)
torch.manual_seed(0)
print("torch version", torch.__version__)

folder = os.path.join(os.environ.get("TSR_DATA", "/usr/share/datasets"), "fashion-mnist")


def idx(name, offset):
    with gzip.open(os.path.join(folder, name)) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


xtrain = torch.tensor(idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28), dtype=torch.float32) / 255
ytrain = torch.tensor(idx("train-labels-idx1-ubyte.gz", 8), dtype=torch.int64)
xtest = torch.tensor(idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28), dtype=torch.float32) / 255
ytest = torch.tensor(idx("t10k-labels-idx1-ubyte.gz", 8), dtype=torch.int64)

if which == "cnn":
    xtrain, xtest = xtrain.reshape(-1, 1, 28, 28), xtest.reshape(-1, 1, 28, 28)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                torch.nn.Flatten(), torch.nn.Linear(3136, 10))
else:
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
ce = torch.nn.functional.cross_entropy
n = xtrain.shape[0]
for epoch in range(1, epochs + 1):
    t0 = time.perf_counter()
    order = torch.randperm(n)
    for lo in range(0, n, 128):
        rows = order[lo:lo + 128]
        xb, yb = xtrain[rows], ytrain[rows]  # a batch copied, as a DataLoader's collation does
        opt.zero_grad(set_to_none=True)
        loss = ce(model(xb), yb)
        loss.backward()
        opt.step()
    print("torch epoch_s_%d %.4f" % (epoch, time.perf_counter() - t0))
    with open("/proc/self/statm") as f:
        print("torch rss_mb_%d %.1f" % (epoch, int(f.read().split()[1]) * os.sysconf("SC_PAGESIZE") / 2**20))
with torch.no_grad():
    print("torch test_accuracy %.4f" % (model(xtest).argmax(1) == ytest).float().mean().item())
