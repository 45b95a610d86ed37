#!/usr/bin/env python3
"""Writes the small IDX files that tests/lang/data_idx_*.tsr and tests/error/data_idx_*.tsr read.
Run from this folder: python3 make_idx_files.py (the files are checked in; this says how they
were made). Format: 0x00 0x00, a type code, the number of dimensions, the dimensions as
big-endian uint32, then the elements big-endian, row-major."""
import gzip
import struct


def idx(code, dims, fmt, values):
    head = bytes([0, 0, code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)
    return head + struct.pack(">" + fmt * len(values), *values)


def write(name, data):
    with open(name, "wb") as f:
        f.write(data)


def write_gz(name, data):
    # mtime=0: the same bytes each time the script runs.
    with open(name, "wb") as f:
        f.write(gzip.compress(data, mtime=0))


u8 = idx(0x08, [2, 3], "B", [1, 2, 3, 250, 0, 255])
write("u8_2x3.idx", u8)
write_gz("u8_2x3.idx.gz", u8)
write("i32_2x2.idx", idx(0x0C, [2, 2], "i", [-1, 2, 70000, -70000]))
write_gz("f32_3.idx.gz", idx(0x0D, [3], "f", [1.5, -0.25, 1e10]))
write("f64_1x2x2.idx", idx(0x0E, [1, 2, 2], "d", [0.1, -2.0, 3.5, 1e-300]))
# Malformed: data cut short, a gzip stream cut short, bytes after the data, no IDX header,
# a type code with no tensor type (Int16), zero dimensions, a header cut short.
write("truncated.idx", u8[:-2])
big = idx(0x08, [100, 6], "B", [i * 7 % 256 for i in range(600)])
write("truncated_stream.idx.gz", gzip.compress(big, mtime=0)[:-40])
write("extra_bytes.idx", u8 + b"\x07\x07\x07")
write("not_idx.idx", b"PK\x03\x04 this is a zip file")
write("int16.idx", idx(0x0B, [2], "h", [1, -1]))
write("no_dims.idx", bytes([0, 0, 0x08, 0]))
write("short_header.idx", bytes([0, 0, 0x08, 2, 0, 0, 0]))

# A stand-in MNIST test split for TSR_DATA (tests/lang/data_mnist_tsr_data.tsr): 3 images of
# 28×28 whose pixel (r, c) of image k is (k + r + c) % 256, labels 7, 0, 9 (1-based: 8, 1, 10).
import os
os.makedirs("mnist", exist_ok=True)
pixels = [(k + r + c) % 256 for k in range(3) for r in range(28) for c in range(28)]
write_gz("mnist/t10k-images-idx3-ubyte.gz", idx(0x08, [3, 28, 28], "B", pixels))
write_gz("mnist/t10k-labels-idx1-ubyte.gz", idx(0x08, [3], "B", [7, 0, 9]))
write_gz("mnist/train-images-idx3-ubyte.gz", idx(0x08, [2, 28, 28], "B", pixels[: 2 * 784]))
write_gz("mnist/train-labels-idx1-ubyte.gz", idx(0x08, [3], "B", [1, 2, 3]))  # one label too many
