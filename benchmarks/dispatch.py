"""Dispatch overheads: a cached jit call of a tiny function, one eager op, and raw PJRT execute for scale.

Run: python benchmarks/dispatch.py   (prints microseconds per call; best of several repeats)
"""
import timeit

import numpy as np

import lintra
import lintra.numpy as jnp
from lintra import lax
from lintra.runtime import pjrt


def best_us(fn, number=2000, repeat=7):
    fn()
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def main():
    x = jnp.asarray(np.arange(3, dtype=np.float32))
    y = jnp.asarray(np.ones(3, dtype=np.float32))
    f = lintra.jit(lambda a, b: lax.add(lax.mul(a, b), b))
    g = lintra.jit(f.fun)
    exe = g._traced(g._signature((x, y), {})[0])
    g(x, y)
    raw = exe.executable.compiled
    rows = [
        ("jit dispatch, cached f(x, y) = x*y + y on f32[3]", best_us(lambda: f(x, y).block_until_ready())),
        ("eager op, lax.add on f32[3]", best_us(lambda: lax.add(x, y).block_until_ready())),
        ("raw PJRT execute of the same executable", best_us(lambda: pjrt.execute(raw, [x._buf, y._buf])[0]
                                                             .block_until_ready())),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'workload':<{width}}  time (us)")
    for name, us in rows:
        print(f"{name:<{width}}  {us:9.1f}")


if __name__ == "__main__":
    main()
