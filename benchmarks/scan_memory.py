"""Memory against time for reverse mode through a long loop: grad of a 1,000-step scan of a small recurrent
cell h <- tanh(W h + U x + b), as a plain scan, with a checkpointed body (lintra.checkpoint), and as
lintra.checkpointed_scan with k = 4, 16, 32 checkpoints per level.

Residual bytes are what the forward pass keeps for the backward pass (lintra.residual_bytes: the inputs the
linear part reads count too, so the xs and the weights are in every row). Times are for the jitted gradient:
the first call (trace, passes, XLA compile, run) and the best of several later calls.

Run: python benchmarks/scan_memory.py [--steps N] [--hidden H] [--rounds R]
"""
import argparse
import time

import numpy as np

import lintra
import lintra.numpy as jnp
from lintra import lax


def make_loss(xs, variant, k=None):
    def loss(params):
        w, u, b = params

        def step(h, x):
            h = jnp.tanh(jnp.dot(w, h) + jnp.dot(u, x) + b)
            return h, jnp.sum(h)
        if variant == "checkpoint body":
            step = lintra.checkpoint(step)
        h0 = jnp.zeros(w.shape[0], w.dtype)
        if variant == "checkpointed_scan":
            h, ys = lintra.checkpointed_scan(step, h0, xs, checkpoints=k)
        else:
            h, ys = lax.scan(step, h0, xs)
        return jnp.sum(h * h) + 0.01 * jnp.sum(ys)
    return loss


def measure(loss, params, rounds):
    grad = lintra.jit(lintra.grad(loss))
    t0 = time.perf_counter()
    g = lintra.block_until_ready(grad(params))
    first = time.perf_counter() - t0
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        lintra.block_until_ready(grad(params))
        best = min(best, time.perf_counter() - t0)
    return g, first, best


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--hidden", type=int, default=16)
    p.add_argument("--inputs", type=int, default=4)
    p.add_argument("--rounds", type=int, default=10)
    args = p.parse_args(argv)
    rng = np.random.default_rng(0)
    h, d, n = args.hidden, args.inputs, args.steps
    params = ((rng.normal(size=(h, h)) / np.sqrt(h)).astype(np.float32),
              (rng.normal(size=(h, d)) / np.sqrt(d)).astype(np.float32), np.zeros(h, np.float32))
    xs = jnp.asarray(rng.normal(size=(n, d)).astype(np.float32))
    inputs = xs.nbytes + sum(a.nbytes for a in params)
    rows = [("scan", "plain", None), ("scan, checkpoint body", "checkpoint body", None)] + \
        [(f"checkpointed_scan k={k}", "checkpointed_scan", k) for k in (4, 16, 32)]
    print(f"grad through a {n}-step scan of tanh(W h + U x + b), h: f32[{h}], x: f32[{d}]; the xs and weights "
          f"alone are {inputs} bytes; one carry is {4 * h} bytes")
    header = f"{'variant':<26}{'residual bytes':>16}{'beyond inputs':>15}{'vs plain':>10}{'first call (s)':>16}" \
             f"{'grad (ms)':>11}{'max |g - g_plain|':>19}"
    print(header)
    print("-" * len(header))
    plain_bytes = plain_grad = None
    for name, variant, k in rows:
        loss = make_loss(xs, variant, k)
        nbytes = lintra.residual_bytes(loss, params)
        g, first, best = measure(loss, params, args.rounds)
        g = [np.asarray(x) for x in g]
        if plain_grad is None:
            plain_bytes, plain_grad = nbytes, g
        err = max(float(np.max(np.abs(a - b))) for a, b in zip(g, plain_grad))
        print(f"{name:<26}{nbytes:>16,}{nbytes - inputs:>15,}{nbytes / plain_bytes:>10.3f}{first:>16.2f}"
              f"{best * 1e3:>11.2f}{err:>19.2e}")


if __name__ == "__main__":
    main()
