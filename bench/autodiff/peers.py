"""bench/autodiff peers: the same gradients in PyTorch CPU (eager autograd), same machine, same
run. Prints `torch name value` lines; prints nothing when PyTorch is not installed."""
import os, resource, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from timing import best_ms

try:
    import torch
except ImportError:
    sys.exit(0)
torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else torch.get_num_threads())
torch.manual_seed(1)
print("torch version", torch.__version__)

m = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(),
                        torch.nn.Linear(128, 10))
x = torch.rand(128, 784)
y = torch.randint(0, 10, (128,))
ce = torch.nn.functional.cross_entropy


def forward():
    with torch.no_grad():
        return ce(m(x), y)


def grad():
    m.zero_grad(set_to_none=True)
    ce(m(x), y).backward()


print("torch mlp_forward", best_ms(forward, 30))
print("torch mlp_gradient", best_ms(grad, 30))

n = 16 * 1024 * 1024
a = torch.rand(n)
b = torch.rand(n)


def ew_forward():
    with torch.no_grad():
        return (a * b + torch.tanh(a)).sum()


def ew_grad():
    a1 = a.detach().requires_grad_()
    b1 = b.detach().requires_grad_()
    (a1 * b1 + torch.tanh(a1)).sum().backward()


print("torch ew_forward_16M", best_ms(ew_forward, 5))
print("torch ew_gradient_16M", best_ms(ew_grad, 5))

# The user kernels of autodiff.tsr written as PyTorch ops (what a PyTorch user writes instead).
e = torch.rand(1024 * 1024)


def edge(x):
    left = torch.cat([torch.zeros(1), x[:-1]])
    y = 0.5 * x * x + 0.25 * left
    return (y * y).sum()


def edge_forward():
    with torch.no_grad():
        return edge(e)


def edge_grad():
    edge(e.detach().requires_grad_()).backward()


r = torch.rand(4096, 40)


def lse_forward():
    with torch.no_grad():
        return torch.logsumexp(r, 1).sum()


def lse_grad():
    torch.logsumexp(r.detach().requires_grad_(), 1).sum().backward()


print("torch kernel_edge_forward", best_ms(edge_forward, 10))
print("torch kernel_edge_gradient", best_ms(edge_grad, 10))
print("torch kernel_lse_forward", best_ms(lse_forward, 10))
print("torch kernel_lse_gradient", best_ms(lse_grad, 10))
r = torch.rand(4096, 200)
print("torch kernel_lse200_forward", best_ms(lse_forward, 5))
print("torch kernel_lse200_gradient", best_ms(lse_grad, 5))

small = torch.rand(4)


def chain():
    x = small.detach().requires_grad_()
    h = x
    for _ in range(100):
        h = torch.tanh(h)
    h.sum().backward()


print("torch perop_us", best_ms(chain, 30) * 1000 / 101)
