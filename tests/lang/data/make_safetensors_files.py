#!/usr/bin/python3
"""Writes the safetensors files that tests/lang/nn_checkpoint_*.tsr and tests/error/nn_load_*.tsr
read, with the independent writer of tests/checkpoint/safetensors_ref.py (numpy). Run from this
folder: /usr/bin/python3 make_safetensors_files.py (the files are checked in; this says how they
were made). ckpt_small holds the tensors of Chain(Dense(2 => 3, relu), Dense(3 => 1)); the
others are it, cut short or tampered with, or with other names, sizes or element types."""
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "checkpoint"))
import safetensors_ref  # noqa: E402

SMALL = {
    "layers.1.weight": np.array([[0.5, -1.0], [2.0, 0.25], [-0.5, 1.5]], dtype=np.float32),
    "layers.1.bias": np.array([0.125, -0.25, 0.5], dtype=np.float32),
    "layers.2.weight": np.array([[1.0, -2.0, 0.5]], dtype=np.float32),
    "layers.2.bias": np.array([0.25], dtype=np.float32),
}


def write(name, blob):
    with open(name, "wb") as f:
        f.write(blob)


def retouch_header(blob, old, new):
    """blob with `old` replaced by `new` (as long) inside its JSON header."""
    assert len(old) == len(new) and blob.count(old) == 1
    return blob.replace(old, new)


small = safetensors_ref.encode(SMALL, {"made_by": "make_safetensors_files.py"})
write("ckpt_small.safetensors", small)
write("ckpt_truncated.safetensors", small[:-6])
write("ckpt_header_length.safetensors", struct.pack("<Q", 1 << 40) + small[8:])
# A flipped byte: the ':' after a name becomes ';'.
write("ckpt_bad_json.safetensors", retouch_header(small, b'"layers.2.bias": {', b'"layers.2.bias"; {'))
# layers.1.bias (bytes 24..36) made to start 4 bytes early, inside layers.1.weight.
write("ckpt_overlap.safetensors", retouch_header(small, b"[24, 36]", b"[20, 32]"))
# layers.2.weight's shape says 4 elements where its offsets hold 3.
write("ckpt_size_mismatch.safetensors", retouch_header(small, b'"shape": [1, 3]', b'"shape": [1, 4]'))

renamed = dict(SMALL)
renamed["layers.3.weight"] = renamed.pop("layers.2.weight")
renamed["extra"] = np.zeros(2, dtype=np.int64)
del renamed["layers.2.bias"]
safetensors_ref.write("ckpt_renamed.safetensors", renamed)

other = dict(SMALL)
other["layers.1.weight"] = SMALL["layers.1.weight"].astype(np.float64)
other["layers.2.weight"] = np.zeros((2, 3), dtype=np.float32)
safetensors_ref.write("ckpt_other_types.safetensors", other)
