"""The timing of the Python peers in bench/*/peers.py: the best of `reps` runs in ms, after one
run that warms caches (as the Tessera side's best_ms, which also skips its compiling run)."""
import time


def best_ms(f, reps):
    f()
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        f()
        best = min(best, time.perf_counter_ns() - t0)
    return best / 1e6
