#!/usr/bin/python3
"""The safetensors files of Tessera against an independent reader and writer (safetensors_ref.py,
numpy) and, where /usr/bin/python3 has it, torch: python_interop.py TSR, run in a scratch folder.
Tessera writes (tessera_writes.tsr), Python reads and compares every value and runs the model;
Python writes (its own encoder), Tessera loads and compares (tessera_reads.tsr). With torch, a
CNN with BatchNorm goes both ways too (tessera_cnn.tsr), running statistics included."""
import os
import subprocess
import sys

import numpy as np

import safetensors_ref as st

HERE = os.path.dirname(os.path.abspath(__file__))
TSR = sys.argv[1]
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def run_tsr(script, *args):
    r = subprocess.run([TSR, "run", os.path.join(HERE, script), *args], capture_output=True, text=True)
    sys.stdout.write(r.stdout)
    if r.returncode != 0:
        sys.stdout.write(r.stderr)
        sys.exit("tsr run %s failed with status %d" % (script, r.returncode))
    return r.stdout


def torch_or_none():
    try:
        import torch
        return torch
    except ImportError:
        print("note: torch is not importable here: the numpy forward pass stands in for it")
        return None


def zero_based(name):
    """Tessera's 1-based positions (layers.2.weight) as PyTorch's 0-based ones (layers.1.weight)."""
    return ".".join(str(int(p) - 1) if p.isdigit() else p for p in name.split("."))


def mlp_numpy(sd, x):
    h = x.reshape(x.shape[0], -1).astype(np.float32)
    h = np.maximum(h @ sd["layers.2.weight"].T + sd["layers.2.bias"], 0)
    return h @ sd["layers.3.weight"].T + sd["layers.3.bias"]


def torch_mlp(torch):
    class MLP(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.ModuleList([torch.nn.Flatten(), torch.nn.Linear(12, 8), torch.nn.Linear(8, 3)])

        def forward(self, x):
            return self.layers[2](torch.relu(self.layers[1](self.layers[0](x))))
    return MLP()


a = np.arange(1, 25, dtype=np.float64).reshape(2, 3, 4)
DTYPES = {"f64": a, "f32": a.astype(np.float32), "f16": a.astype(np.float16), "i64": a.astype(np.int64) - 12,
          "i32": a.astype(np.int32), "u8": a.astype(np.uint8), "bool": a > 12, "permuted": a.transpose(2, 0, 1)}
BF16_BITS = (a.astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)  # exact: small integers

# ---- Tessera writes, Python reads ----
run_tsr("tessera_writes.tsr")
weights, meta, header = st.read("model.safetensors")
check(list(weights) == ["layers.2.weight", "layers.2.bias", "layers.3.weight", "layers.3.bias"],
      "model.safetensors holds the MLP's tensors in model order: %s" % list(weights))
check(meta == {"format": "pt", "note": "é \" \\ end"}, "its __metadata__ reads back: %r" % meta)
check(all(v.dtype == np.float32 for v in weights.values()) and weights["layers.2.weight"].shape == (8, 12),
      "weights are F32 with PyTorch's (out, in) shapes")
with open("model.safetensors", "rb") as f:
    n = int.from_bytes(f.read(8), "little")
check((8 + n) % 8 == 0, "the data starts 8-byte aligned (header of %d bytes)" % n)
io, _, _ = st.read("io.safetensors")
y = mlp_numpy(weights, io["x"])
check(np.allclose(y, io["y"], atol=1e-5), "numpy's forward pass with the saved weights gives Tessera's output")
torch = torch_or_none()
if torch is not None:
    m = torch_mlp(torch)
    m.load_state_dict({zero_based(k): torch.from_numpy(v.copy()) for k, v in weights.items()}, strict=True)
    with torch.no_grad():
        ty = m(torch.from_numpy(io["x"].copy())).numpy()
    check(np.allclose(ty, io["y"], atol=1e-5), "torch.nn loads the weights (strict) and gives Tessera's output")
dt, _, _ = st.read("dtypes.safetensors")
for name, want in DTYPES.items():
    got = dt[name]
    check(got.dtype == want.dtype and got.shape == want.shape and np.array_equal(got, want),
          "%s: %s %s equal to numpy's" % (name, got.dtype, got.shape))
check(np.array_equal(dt["bf16"], BF16_BITS), "bf16: the bits of bfloat16")
check(np.array_equal(dt["slice"], a[:, 1, :]), "slice: a view with gaps written as its contiguous copy")
check(dt["scalar"].shape == () and dt["scalar"] == np.float32(2.5), "scalar: a 0-d tensor")
check(dt["empty"].shape == (0, 3), "empty: a (0, 3) tensor")
if torch is not None:
    t = torch.from_numpy(dt["f32"].copy())
    check(t.shape == torch.Size([2, 3, 4]) and float(t.sum()) == 300.0, "torch reads the F32 values")

# ---- Python writes, Tessera reads ----
rng = np.random.default_rng(3)
if torch is not None:
    torch.manual_seed(3)
    m = torch_mlp(torch)
    sd = {k: v.detach().numpy() for k, v in m.state_dict().items()}
    ours = {".".join(str(int(p) + 1) if p.isdigit() else p for p in k.split(".")): v for k, v in sd.items()}
    x = rng.standard_normal((4, 3, 4)).astype(np.float32)
    with torch.no_grad():
        y = m(torch.from_numpy(x)).numpy()
else:
    ours = {"layers.2.weight": rng.standard_normal((8, 12)), "layers.2.bias": rng.standard_normal(8),
            "layers.3.weight": rng.standard_normal((3, 8)), "layers.3.bias": rng.standard_normal(3)}
    ours = {k: v.astype(np.float32) for k, v in ours.items()}
    x = rng.standard_normal((4, 3, 4)).astype(np.float32)
    y = mlp_numpy(ours, x)
# Data in another order than the model's, JSON keys reversed: the reader must not depend on either.
st.write("from_python.safetensors", ours, {"format": "pt"}, order=sorted(ours))
st.write("from_python_io.safetensors", {"x": x, "y": y.astype(np.float32)})
dtypes = dict(DTYPES)
dtypes["permuted"] = np.ascontiguousarray(dtypes["permuted"])
dtypes["bf16"] = (st.BF16, BF16_BITS)
st.write("dtypes_from_python.safetensors", dtypes)
out = run_tsr("tessera_reads.tsr")
check("max difference from Python's output: below 1e-5" in out, "Tessera loads Python's weights and gives its output")
check('Dict("format" => "pt")' in out, "Tessera reads Python's __metadata__")
said = {line.split(" ")[0]: line for line in out.splitlines()}
for name in list(DTYPES) + ["bf16"]:
    check(said.get(name, "").endswith(" equal"), "Tessera reads %s as Python wrote it: %s" % (name, said.get(name)))

# ---- a CNN with BatchNorm (running statistics as buffers), both ways, through torch ----
def torch_cnn(torch):
    nn = torch.nn

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.MaxPool2d(2),
                                         nn.Flatten(), nn.Linear(64, 3)])

        def forward(self, x):
            x = self.layers[1](torch.relu(self.layers[0](x)))
            return self.layers[4](self.layers[3](self.layers[2](x)))
    return CNN()


if torch is not None:
    run_tsr("tessera_cnn.tsr", "write")
    weights, _, _ = st.read("cnn.safetensors")
    check([k for k in weights if "running" in k] == ["layers.2.running_mean", "layers.2.running_var"],
          "the BatchNorm's running statistics are saved as buffers")
    m = torch_cnn(torch)
    result = m.load_state_dict({zero_based(k): torch.from_numpy(v.copy()) for k, v in weights.items()}, strict=False)
    # (torch 1.13 fills in a missing num_batches_tracked itself; later versions list it.)
    check(set(result.missing_keys) <= {"layers.1.num_batches_tracked"} and not result.unexpected_keys,
          "torch loads the CNN (nothing missing but num_batches_tracked): %s" % (result,))
    io, _, _ = st.read("cnn_io.safetensors")
    m.eval()
    with torch.no_grad():
        ty = m(torch.from_numpy(io["x"].copy())).numpy()
    check(np.allclose(ty, io["y"], atol=1e-5), "torch's CNN in eval mode gives Tessera's output in test mode")

    torch.manual_seed(5)
    m = torch_cnn(torch)
    m.train()
    with torch.no_grad():
        m(torch.randn(8, 1, 8, 8) + 1)  # running statistics away from 0 and 1
    m.eval()
    sd = {k: v.detach().numpy() for k, v in m.state_dict().items()}
    st.write("from_torch_cnn.safetensors",
             {".".join(str(int(p) + 1) if p.isdigit() else p for p in k.split(".")): v for k, v in sd.items()})
    x = torch.randn(2, 1, 8, 8)
    with torch.no_grad():
        y = m(x).numpy()
    st.write("from_torch_cnn_io.safetensors", {"x": x.numpy(), "y": y})
    out = run_tsr("tessera_cnn.tsr", "read")
    check("CNN's difference from torch's output: below 1e-5" in out,
          "Tessera loads torch's CNN, num_batches_tracked passed over (strict = false), and gives its output")

if failures:
    sys.exit("%d checks failed" % len(failures))
print("all checks passed")
