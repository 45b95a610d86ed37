#!/usr/bin/env python3
"""Prints stdlib/GPU.tsr's _gpu_matmul_quads!, whose 64 accumulators, loads and stores are
written out one by one (the kernel language has no arrays of registers):

    python3 tools/gen_gpu_matmul_quads.py   # then paste it over the kernel in stdlib/GPU.tsr

The 128x128 tile with 8x8 per work item as 2x2 quads of 4x4 (rows 4ty + 0..3 and
64 + 4ty + 0..3, columns likewise with tx). Shared memory holds the tiles as (8, 32, 4) arrays,
a quad's four values at neighbouring addresses, so the device code reads a quad with one
16-byte load.

    python3 tools/gen_gpu_matmul_quads.py --prefetch   # _gpu_matmul_quads_prefetch!

The same with two buffers of each tile: the next step's elements are loaded from global memory
into registers before the multiply-adds of this one (their latency hidden behind them) and
stored into the other buffer after, one barrier a step where the single buffer takes two.
"""
import sys
OWN = [0, 1, 2, 3, 64, 65, 66, 67]  # a work item's rows (or columns) past 4ty (or 4tx)


def quad(v, base):
    """Shared-memory index of owned row/column number v past `base` (ty or tx)."""
    o = OWN[v]
    return "{} + {}, {}".format(base, 1 + 16 * (o // 64), o % 4 + 1)


def tile_load(side, names, src_row, src_col, lim, buf=""):
    """One element of a's or b's tile from global memory into its shared array (`buf`: the
    buffer's index and a comma, with two)."""
    p, r = names
    return ("{s}s[{buf}{p} + 1, div({r}, 4) + 1, rem({r}, 4) + 1] = _tile_load({s}, {row}, {col}, {lim}, T)"
            .format(s=side, buf=buf, p=p, r=r, row=src_row, col=src_col, lim=lim))


def tile_loads(indent, buf, p0):
    """The four elements of each tile that a work item moves for the step at k = p0 + 1."""
    pad = " " * indent
    return [pad + "for t in 0:3",
            pad + "    e = (l - 1) + 256 * t",
            pad + "    r = div(e, 8)",
            pad + "    p = rem(e, 8)",
            pad + "    " + tile_load("a", ("p", "r"), "i0 + r + 1", p0 + " + p + 1", "m, k", buf),
            pad + "    pb = div(e, 128)",
            pad + "    s = rem(e, 128)",
            pad + "    " + tile_load("b", ("pb", "s"), p0 + " + pb + 1", "j0 + s + 1", "k, n", buf),
            pad + "end"]


def prefetched(indent, p0, into_registers):
    """The prefetching kernel's step loads: from global memory into registers ra_t, rb_t, or
    from those registers into the other buffer."""
    pad = " " * indent
    out = []
    for t in range(4):
        e = "(l - 1) + %d" % (256 * t)
        if into_registers:
            out.append(pad + "ra%d = _tile_load(a, i0 + div(%s, 8) + 1, %s + rem(%s, 8) + 1, m, k, T)" % (t, e, p0, e))
            out.append(pad + "rb%d = _tile_load(b, %s + div(%s, 128) + 1, j0 + rem(%s, 128) + 1, k, n, T)" % (t, p0, e, e))
        else:
            out.append(pad + "as[nb, rem(%s, 8) + 1, div(div(%s, 8), 4) + 1, rem(div(%s, 8), 4) + 1] = ra%d" % (e, e, e, t))
            out.append(pad + "bs[nb, div(%s, 128) + 1, div(rem(%s, 128), 4) + 1, rem(rem(%s, 128), 4) + 1] = rb%d" % (e, e, e, t))
    return out


def kernel(prefetch=False):
    name = "_gpu_matmul_quads_prefetch!" if prefetch else "_gpu_matmul_quads!"
    shape = "(2, 8, 32, 4)" if prefetch else "(8, 32, 4)"
    at = "buf, " if prefetch else ""
    lines = ["@kernel function %s(c, a, b, m, k, n, ntj, nsplit, kchunk, ::Type{T}) where {T}" % name,
             "    g = @index(Group)",
             "    l = @index(Local)",
             "    tile = div(g - 1, nsplit)",
             "    split = rem(g - 1, nsplit)",
             "    i0 = div(tile, ntj) * 128",
             "    j0 = rem(tile, ntj) * 128",
             "    ty = div(l - 1, 16)",
             "    tx = rem(l - 1, 16)",
             "    as = @localmem T %s   # as[%sp, q, e] = a[i0 + 4(q - 1) + e, p0 + p]: quads of rows" % (shape, at),
             "    bs = @localmem T %s   # bs[%sp, q, e] = b[p0 + p, j0 + 4(q - 1) + e]" % (shape, at)]
    for i in range(8):
        lines.append("    " + "; ".join("c%d%d = zero(T)" % (i, j) for j in range(8)))
    lines += ["    p0 = split * kchunk",
              "    kend = min(k, p0 + kchunk)"]
    if prefetch:
        lines += ["    # the first step's tiles into buffer 1",
                  "    if p0 < kend"]
        lines += tile_loads(8, "1, ", "p0")
        lines += ["    end",
                  "    @synchronize",
                  "    buf = 1",
                  "    while p0 < kend",
                  "        nxt = p0 + 8",
                  "        nb = 3 - buf",
                  "        ra0 = zero(T); ra1 = zero(T); ra2 = zero(T); ra3 = zero(T); rb0 = zero(T); rb1 = zero(T); rb2 = zero(T); rb3 = zero(T)",
                  "        if nxt < kend   # the next step's elements, in flight during this step's multiply-adds"]
        lines += prefetched(12, "nxt", True)
        lines += ["        end"]
    else:
        lines += ["    while p0 < kend",
                  "        # 1024 elements of each tile, four per work item; zeros past the edges of a and b"]
        lines += tile_loads(8, "", "p0")
        lines += ["        @synchronize"]
    lines += ["        @inbounds for p in 1:8",
              "            " + "; ".join("a%d = as[%sp, %s]" % (v, at, quad(v, "ty")) for v in range(8)),
              "            " + "; ".join("b%d = bs[%sp, %s]" % (v, at, quad(v, "tx")) for v in range(8))]
    for i in range(8):
        lines.append("            " + "; ".join("c{0}{1} = muladd(a{0}, b{1}, c{0}{1})".format(i, j) for j in range(8)))
    lines += ["        end"]
    if prefetch:
        lines += ["        if nxt < kend   # into the buffer this step did not read: the last step's readers are past the barrier"]
        lines += prefetched(12, "nxt", False)
        lines += ["        end",
                  "        @synchronize",
                  "        buf = nb",
                  "        p0 = nxt",
                  "    end"]
    else:
        lines += ["        @synchronize", "        p0 += 8", "    end"]
    for i in range(8):
        for j in range(8):
            lines.append("    _tile_put!(c, nsplit, i0 + 4ty + %d, j0 + 4tx + %d, m, n, c%d%d)" % (OWN[i] + 1, OWN[j] + 1, i, j))
    lines += ["    return nothing", "end"]
    return "\n".join(lines)


if __name__ == "__main__":
    print(kernel(prefetch="--prefetch" in sys.argv[1:]))
