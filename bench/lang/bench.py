# The same programs in CPython, for a feel (smaller sizes, scaled up linearly).
import sys, time

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

which = sys.argv[1]
t0 = time.perf_counter()
if which == "fib":
    fib(30); scale = 1
elif which == "sumsq":
    sumsq(10**7); scale = 10
else:
    walk(10**6); scale = 10
print((time.perf_counter() - t0) * 1000 * scale)
