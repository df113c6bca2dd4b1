"""vmap against a Python loop: per-example gradients of a small loss, and a 128-row matrix-Jacobian
product, each eager and jitted.

Run: python benchmarks/vmap.py     (milliseconds per call, best of several repeats)
"""
import timeit

import numpy as np

import lintra
import lintra.numpy as jnp

rng = np.random.default_rng(0)
D, H, B = 16, 32, 32
params = {"w1": rng.standard_normal((D, H)).astype(np.float32) * 0.3,
          "w2": rng.standard_normal((H,)).astype(np.float32) * 0.3}
xs = rng.standard_normal((B, D)).astype(np.float32)
ys = rng.standard_normal((B,)).astype(np.float32)


def loss(p, x, y):
    return (jnp.dot(jnp.tanh(jnp.dot(x, p["w1"])), p["w2"]) - y) ** 2


per_example_vmap = lintra.vmap(lintra.grad(loss), in_axes=(None, 0, 0))


def per_example_loop(p, xs, ys):
    return [lintra.grad(loss)(p, xs[i], ys[i]) for i in range(xs.shape[0])]


jit_vmap = lintra.jit(per_example_vmap)
jit_grad = lintra.jit(lintra.grad(loss))


def per_example_jit_loop(p, xs, ys):
    return [jit_grad(p, xs[i], ys[i]) for i in range(xs.shape[0])]


# matrix-Jacobian product: 128 cotangent rows pulled back through f
A = rng.standard_normal((64, 64)).astype(np.float32) * 0.2
f = lambda v: jnp.tanh(jnp.dot(A, v))
v0 = rng.standard_normal(64).astype(np.float32)
rows = rng.standard_normal((128, 64)).astype(np.float32)
_, vjp_fun = lintra.vjp(f, v0)
mjp_vmap = lintra.vmap(vjp_fun)
mjp_jit_vmap = lintra.jit(mjp_vmap)
vjp_jit = lintra.jit(vjp_fun)


def timed_ms(fn, number):
    out = fn()
    lintra.block_until_ready(out)
    best = min(timeit.repeat(lambda: lintra.block_until_ready(fn()), number=number, repeat=3))
    return best / number * 1e3


def main():
    rows_out = [
        (f"per-example grads (B={B}), vmap, eager", timed_ms(lambda: per_example_vmap(params, xs, ys), 2)),
        (f"per-example grads (B={B}), Python loop, eager", timed_ms(lambda: per_example_loop(params, xs, ys), 1)),
        (f"per-example grads (B={B}), jit(vmap)", timed_ms(lambda: jit_vmap(params, xs, ys), 50)),
        (f"per-example grads (B={B}), loop of jit(grad)", timed_ms(lambda: per_example_jit_loop(params, xs, ys), 5)),
        ("128-row matrix-Jacobian product, vmap, eager", timed_ms(lambda: mjp_vmap(rows), 2)),
        ("128-row matrix-Jacobian product, Python loop, eager", timed_ms(lambda: [vjp_fun(r) for r in rows], 1)),
        ("128-row matrix-Jacobian product, jit(vmap)", timed_ms(lambda: mjp_jit_vmap(rows), 50)),
        ("128-row matrix-Jacobian product, loop of jit(vjp)", timed_ms(lambda: [vjp_jit(r) for r in rows], 5)),
    ]
    width = max(len(r[0]) for r in rows_out)
    print(f"{'workload':<{width}}  time (ms)")
    for name, ms in rows_out:
        print(f"{name:<{width}}  {ms:9.2f}")
    # the two formulations agree
    loop = per_example_loop(params, xs[:4], ys[:4])
    batched = per_example_vmap(params, xs[:4], ys[:4])
    np.testing.assert_allclose(np.asarray(batched["w1"][2]), np.asarray(loop[2]["w1"]), rtol=1e-4, atol=1e-6)


if __name__ == "__main__":
    main()
