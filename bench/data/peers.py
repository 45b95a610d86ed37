"""bench/data peer: the same loads in numpy (python3's gzip + numpy.frombuffer), same machine,
same run. Prints `numpy NAME ms` lines; nothing when numpy is not installed."""
import gzip, os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from timing import best_ms

try:
    import numpy as np
except ImportError:
    sys.exit(0)
folder = os.environ.get("TSR_DATA", "/usr/share/datasets") + "/fashion-mnist/"

def read_idx(path):
    # The header of the MNIST files: magic (type code and dimensions), then the dimensions.
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)

def train():
    x = read_idx(folder + "train-images-idx3-ubyte.gz")
    y = read_idx(folder + "train-labels-idx1-ubyte.gz").astype(np.int64) + 1
    return x, y

print("numpy read_train_images", best_ms(lambda: read_idx(folder + "train-images-idx3-ubyte.gz"), 5))
print("numpy fashion_mnist_train", best_ms(train, 5))
x, y = train()
rng = np.random.default_rng(1)

def one_pass(bs=128):
    # What a DataLoader does per epoch: a permutation, then each batch's rows copied out.
    perm = rng.permutation(len(x))
    n = 0
    for lo in range(0, len(x), bs):
        idx = perm[lo:lo + bs]
        xb, yb = x[idx], y[idx]
        n += len(xb)
    return n

print("numpy dataloader_pass_128", best_ms(one_pass, 5))
