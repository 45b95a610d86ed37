"""A small safetensors reader and writer written from the format's description alone
(https://huggingface.co/docs/safetensors), independent of Tessera's C++ one: the tests check
Tessera's files against it and feed Tessera files it wrote. Needs numpy.

Format: 8 bytes N (unsigned little-endian), N bytes of JSON {name: {"dtype", "shape",
"data_offsets": [begin, end]}, "__metadata__": {str: str}}, then the data; offsets count from
the start of the data; tensors are row-major, little-endian, and cover the data exactly."""
import json
import struct

import numpy as np

DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
          "U8": np.uint8, "BOOL": np.bool_}
# numpy has no bfloat16: BF16 tensors are read as their raw uint16 bits.
BF16 = "BF16"


class FormatError(Exception):
    pass


def read(path):
    """(tensors, metadata, header): tensors a dict name -> numpy array in file order; header the
    parsed JSON; raises FormatError for anything that breaks the format."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise FormatError("shorter than 8 bytes")
    (n,) = struct.unpack("<Q", blob[:8])
    if 8 + n > len(blob):
        raise FormatError("header length past the end")
    raw = blob[8:8 + n]
    if not raw.startswith(b"{"):
        raise FormatError("header does not start with {")
    pairs_seen = []

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise FormatError("duplicate keys")
        pairs_seen.append(keys)
        return dict(pairs)

    header = json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates)
    data = blob[8 + n:]
    metadata = header.pop("__metadata__", {})
    for k, v in metadata.items():
        if not isinstance(v, str):
            raise FormatError("metadata value of %r is not a string" % k)
    entries = sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"]))
    end = 0
    tensors = {}
    for name, e in entries:
        if set(e) != {"dtype", "shape", "data_offsets"}:
            raise FormatError("entry %r has fields %r" % (name, sorted(e)))
        begin, stop = e["data_offsets"]
        if begin != end:
            raise FormatError("tensor %r starts at %d, not at %d" % (name, begin, end))
        dtype = np.uint16 if e["dtype"] == BF16 else DTYPES[e["dtype"]]
        count = int(np.prod(e["shape"], dtype=np.int64))
        if stop - begin != count * np.dtype(dtype).itemsize:
            raise FormatError("tensor %r has %d bytes for its shape" % (name, stop - begin))
        arr = np.frombuffer(data[begin:stop], dtype=np.dtype(dtype).newbyteorder("<")).reshape(e["shape"])
        tensors[name] = arr
        end = stop
    if end != len(data):
        raise FormatError("the tensors cover %d of %d data bytes" % (end, len(data)))
    return tensors, metadata, header


def dtype_name(arr):
    for name, t in DTYPES.items():
        if arr.dtype == np.dtype(t):
            return name
    raise FormatError("no safetensors dtype for %s" % arr.dtype)


def encode(tensors, metadata=None, order=None):
    """The bytes of a safetensors file holding tensors (a dict name -> numpy array, or
    (dtype name, array of its raw bits) for a dtype numpy lacks such as BF16; data in
    `order`, default the dict's), its JSON keys in reverse order to show that readers must not
    depend on it."""
    order = list(order or tensors)
    header, chunks, offset = {}, [], 0
    for name in order:
        value = tensors[name]
        dtype, arr = value if isinstance(value, tuple) else (None, value)  # ("BF16", its uint16 bits)
        arr = np.ascontiguousarray(arr)
        raw = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": dtype or dtype_name(arr), "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    keys = list(reversed(list(header)))
    doc = {k: header[k] for k in keys}
    if metadata:
        doc = {"__metadata__": dict(metadata), **doc}
    text = json.dumps(doc).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def write(path, tensors, metadata=None, order=None):
    with open(path, "wb") as f:
        f.write(encode(tensors, metadata, order))
