#!/usr/bin/env python3
"""Prints stdlib/GPU.tsr's _gpu_matmul_quads!, whose 64 accumulators, loads and stores are
written out one by one (the kernel language has no arrays of registers):

    python3 tools/gen_gpu_matmul_quads.py   # then paste it over the kernel in stdlib/GPU.tsr

The 128x128 tile with 8x8 per work item as 2x2 quads of 4x4 (rows 4ty + 0..3 and
64 + 4ty + 0..3, columns likewise with tx). Shared memory holds the tiles as (8, 32, 4) arrays,
a quad's four values at neighbouring addresses, so the device code reads a quad with one
16-byte load.
"""
OWN = [0, 1, 2, 3, 64, 65, 66, 67]  # a work item's rows (or columns) past 4ty (or 4tx)


def quad(v, base):
    """Shared-memory index of owned row/column number v past `base` (ty or tx)."""
    o = OWN[v]
    return "{} + {}, {}".format(base, 1 + 16 * (o // 64), o % 4 + 1)


def tile_load(side, names, src_row, src_col, lim):
    """One element of a's or b's tile from global memory into its shared array."""
    p, r = names
    return ("            {s}s[{p} + 1, div({r}, 4) + 1, rem({r}, 4) + 1] = _tile_load({s}, {row}, {col}, {lim}, T)"
            .format(s=side, p=p, r=r, row=src_row, col=src_col, lim=lim))


def kernel():
    head = """@kernel function _gpu_matmul_quads!(c, a, b, m, k, n, ntj, nsplit, kchunk, ::Type{T}) where {T}
    g = @index(Group)
    l = @index(Local)
    tile = div(g - 1, nsplit)
    split = rem(g - 1, nsplit)
    i0 = div(tile, ntj) * 128
    j0 = rem(tile, ntj) * 128
    ty = div(l - 1, 16)
    tx = rem(l - 1, 16)
    as = @localmem T (8, 32, 4)   # as[p, q, e] = a[i0 + 4(q - 1) + e, p0 + p]: quads of rows
    bs = @localmem T (8, 32, 4)   # bs[p, q, e] = b[p0 + p, j0 + 4(q - 1) + e]"""
    lines = head.split("\n")
    for i in range(8):
        lines.append("    " + "; ".join("c%d%d = zero(T)" % (i, j) for j in range(8)))
    lines += ["    p0 = split * kchunk",
              "    kend = min(k, p0 + kchunk)",
              "    while p0 < kend",
              "        # 1024 elements of each tile, four per work item; zeros past the edges of a and b",
              "        for t in 0:3",
              "            e = (l - 1) + 256 * t",
              "            r = div(e, 8)",
              "            p = rem(e, 8)",
              tile_load("a", ("p", "r"), "i0 + r + 1", "p0 + p + 1", "m, k"),
              "            pb = div(e, 128)",
              "            s = rem(e, 128)",
              tile_load("b", ("pb", "s"), "p0 + pb + 1", "j0 + s + 1", "k, n"),
              "        end",
              "        @synchronize",
              "        @inbounds for p in 1:8",
              "            " + "; ".join("a%d = as[p, %s]" % (v, quad(v, "ty")) for v in range(8)),
              "            " + "; ".join("b%d = bs[p, %s]" % (v, quad(v, "tx")) for v in range(8))]
    for i in range(8):
        lines.append("            " + "; ".join("c{0}{1} = muladd(a{0}, b{1}, c{0}{1})".format(i, j) for j in range(8)))
    lines += ["        end", "        @synchronize", "        p0 += 8", "    end"]
    for i in range(8):
        for j in range(8):
            lines.append("    _tile_put!(c, nsplit, i0 + 4ty + %d, j0 + 4tx + %d, m, n, c%d%d)" % (OWN[i] + 1, OWN[j] + 1, i, j))
    lines += ["    return nothing", "end"]
    return "\n".join(lines)


if __name__ == "__main__":
    print(kernel())
