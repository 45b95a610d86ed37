"""bench/kernels peers: the same operations in numpy (OpenBLAS) and PyTorch CPU, same machine,
same run. Prints `peer name ms` lines; a peer that is not installed prints nothing."""
import ctypes, glob, os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from timing import best_ms

N = 16 * 1024 * 1024

try:
    import numpy as np
    rng = np.random.default_rng(1)
    x = rng.random(N, dtype=np.float32); b = rng.random(N, dtype=np.float32); y = np.empty_like(x)
    def triad():
        np.multiply(x, np.float32(2), out=y)
        np.add(y, b, out=y)
    print("numpy triad_16M", best_ms(triad, 10))
    print("numpy sum_16M", best_ms(lambda: x.sum(), 10))
    for m in (1024, 2048):
        a = rng.random((m, m), dtype=np.float32); c = rng.random((m, m), dtype=np.float32)
        print(f"numpy matmul_{m}", best_ms(lambda: a @ c, 6))
    core = "unknown"
    for lib in glob.glob("/usr/lib/x86_64-linux-gnu/openblas*/libopenblas*.so*") + \
               glob.glob("/usr/lib/x86_64-linux-gnu/libopenblas*.so*"):
        try:
            f = ctypes.CDLL(lib).openblas_get_corename
            f.restype = ctypes.c_char_p
            core = f().decode()
            break
        except (OSError, AttributeError):
            pass
    print("numpy openblas_core", core)
except ImportError:
    pass

try:
    import torch
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else torch.get_num_threads())
    torch.manual_seed(1)
    x = torch.rand(N); b = torch.rand(N); y = torch.empty(N)
    print("torch triad_16M", best_ms(lambda: torch.add(b, x, alpha=2.0, out=y), 10))
    print("torch sum_16M", best_ms(lambda: x.sum(), 10))
    print("torch gelu_16M", best_ms(lambda: torch.nn.functional.gelu(x, approximate="tanh"), 5))
    s = torch.rand(4096, 1024)
    print("torch softmax_4096x1024", best_ms(lambda: torch.softmax(s, dim=1), 5))
    for m in (1024, 2048):
        a = torch.rand(m, m); c = torch.rand(m, m)
        print(f"torch matmul_{m}", best_ms(lambda: a @ c, 6))
    xi = torch.rand(64, 32, 28, 28); wc = torch.rand(64, 32, 3, 3)
    print("torch conv2d_64x32x28x28", best_ms(lambda: torch.nn.functional.conv2d(xi, wc, padding=1), 5))
    p = torch.rand(4); q = torch.rand(4)
    def adds():
        for _ in range(100000):
            p + q
    print("torch add4_x100000", best_ms(adds, 3))
except ImportError:
    pass
