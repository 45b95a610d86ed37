# The same programs in CPython, for a feel (smaller sizes, scaled up linearly).
import math, sys, time

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

def sumsq(n):
    s = 0.0
    for i in range(1, n + 1):
        s += 1.0 / (i * i)
    return s

class Vec2:
    __slots__ = ("x", "y")
    def __init__(self, x, y):
        self.x, self.y = x, y

def walk(n):
    p, step, acc = Vec2(0.0, 0.0), Vec2(0.5, 0.25), 0.0
    for _ in range(n):
        p = Vec2(p.x + step.x, p.y + step.y)
        acc += p.x * step.x + p.y * step.y
    return acc

def matmul(a, b, n):
    c = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            acc = 0.0
            for k in range(n):
                acc += a[i][k] * b[k][j]
            c[i][j] = acc
    return c

def vsum(v):
    s = 0.0
    for i in range(len(v)):
        s += v[i]
    return s

# A scalar gradient by hand-written pullbacks (closures), as reverse-mode AD makes them.
def mul_pb(a, b):
    return a * b, lambda dy: (dy * b, dy * a)

def sin_pb(x):
    return math.sin(x), lambda dy: (dy * math.cos(x),)

def f_pb(x, y):
    t, pb1 = mul_pb(x, y)
    z, pb2 = sin_pb(t)
    def back(dz):
        (dt,) = pb2(dz)
        return pb1(dt)
    return z, back

def pullbacks(n):
    s = 0.0
    for _ in range(n):
        z, back = f_pb(2.0, 3.0)
        s += back(1.0)[0]
    return s

which = sys.argv[1]
t0 = time.perf_counter()
if which == "fib":
    fib(30); scale = 1
elif which == "sumsq":
    sumsq(10**7); scale = 10
elif which == "structs":
    walk(10**6); scale = 10
elif which == "matmul":
    ones = [[1.0] * 64 for _ in range(64)]
    t0 = time.perf_counter()
    matmul(ones, ones, 64); scale = 8  # 64³ of the 128³ work
elif which == "vsum":
    v = [1.0] * 10**5
    t0 = time.perf_counter()
    vsum(v); scale = 10
elif which == "pullbacks":
    pullbacks(10**5); scale = 1
print((time.perf_counter() - t0) * 1000 * scale)
