"""Data-parallel training of an MLP on 8 CPU devices: the batch split over the mesh axis 'data', the
parameters replicated, one jit(step, in_shardings=..., out_shardings=...) compiled as a single SPMD program
(XLA inserts the all-reduce of the gradients).

    python examples/data_parallel.py

The script asks for 8 CPU devices (LINTRA_NUM_CPU_DEVICES=8, unless already set) before importing Lintra,
trains the same model from the same start on one device, prints both losses per step and exits non-zero
unless they agree within 1e-6 relative.
"""
import os
import sys

os.environ.setdefault("LINTRA_NUM_CPU_DEVICES", "8")

import numpy as np  # noqa: E402

import lintra  # noqa: E402
import lintra.numpy as jnp  # noqa: E402
from lintra.sharding import AxisType, NamedSharding, PartitionSpec as P  # noqa: E402

SIZES, BATCH, STEPS, LR = (16, 64, 64, 4), 64, 20, 0.1


def init(rng):
    return [(rng.standard_normal((m, n)).astype(np.float32) / np.sqrt(m), np.zeros(n, np.float32))
            for m, n in zip(SIZES[:-1], SIZES[1:])]


def loss(params, x, y):
    h = x
    for w, b in params[:-1]:
        h = jnp.tanh(h @ w + b)
    w, b = params[-1]
    return jnp.mean((h @ w + b - y) ** 2)


def step(params, x, y):
    value, grads = lintra.value_and_grad(loss)(params, x, y)
    return lintra.tree.map(lambda p, g: p - LR * g, params, grads), value


def train(step, params, batches):
    losses = []
    for x, y in batches:
        params, value = step(params, x, y)
        losses.append(float(value))
    return losses


def main():
    n = lintra.device_count()
    if n < 8:
        sys.exit(f"data_parallel.py needs 8 devices, found {n} (LINTRA_NUM_CPU_DEVICES={os.environ['LINTRA_NUM_CPU_DEVICES']})")
    rng = np.random.default_rng(0)
    params = init(rng)
    true_w = rng.standard_normal((SIZES[0], SIZES[-1])).astype(np.float32)
    batches = []
    for _ in range(STEPS):
        x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
        batches.append((x, np.sin(x @ true_w)))

    mesh = lintra.make_mesh((8,), ("data",), axis_types=(AxisType.Auto,))   # XLA propagates the layouts
    replicated, by_batch = NamedSharding(mesh, P()), NamedSharding(mesh, P("data"))
    dp_step = lintra.jit(step, in_shardings=(replicated, by_batch, by_batch), out_shardings=(replicated, replicated))
    dp_batches = [(lintra.device_put(x, by_batch), lintra.device_put(y, by_batch)) for x, y in batches]
    dp = train(dp_step, lintra.device_put(params, replicated), dp_batches)
    single = train(lintra.jit(step), params, batches)

    print(f"{'step':>4}  {'8 devices':>12}  {'1 device':>12}  {'rel. diff':>9}")
    worst = 0.0
    for i, (a, b) in enumerate(zip(dp, single)):
        rel = abs(a - b) / abs(b)
        worst = max(worst, rel)
        print(f"{i:4d}  {a:12.8f}  {b:12.8f}  {rel:9.2e}")
    if worst > 1e-6 or not dp[-1] < dp[0]:
        sys.exit(f"FAIL: data-parallel losses differ from the 1-device run by {worst:.2e} relative (or did not fall)")
    print(f"OK: data-parallel losses equal the 1-device run (max relative difference {worst:.2e})")


if __name__ == "__main__":
    main()
