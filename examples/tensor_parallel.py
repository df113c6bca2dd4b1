"""Megatron-style tensor parallelism on a 4x2 mesh of CPU devices ('data', 'model'): a 2-layer MLP whose
hidden layer is split over 'model' (W1 P(None, 'model'), b1 P('model'), W2 P('model', None)) while the batch
is split over 'data'. One jit(step, in_shardings=..., out_shardings=...) is compiled as a single SPMD
program; XLA inserts the all-reduces over 'model' (the second matmul's partial sums) and 'data' (gradients).

    python examples/tensor_parallel.py

The script asks for 8 CPU devices (LINTRA_NUM_CPU_DEVICES=8, unless already set) before importing Lintra,
trains the same model from the same start on one device, prints both losses per step and exits non-zero
unless they agree within 1e-6 relative. (The same model written with explicit collectives in shard_map is
to come with shard_map itself.)
"""
import os
import sys

os.environ.setdefault("LINTRA_NUM_CPU_DEVICES", "8")

import numpy as np  # noqa: E402

import lintra  # noqa: E402
import lintra.numpy as jnp  # noqa: E402
from lintra.sharding import AxisType, NamedSharding, PartitionSpec as P  # noqa: E402

D_IN, HIDDEN, D_OUT, BATCH, STEPS, LR = 16, 64, 4, 32, 20, 0.1


def init(rng):
    return {"W1": rng.standard_normal((D_IN, HIDDEN)).astype(np.float32) / np.sqrt(D_IN),
            "b1": np.zeros(HIDDEN, np.float32),
            "W2": rng.standard_normal((HIDDEN, D_OUT)).astype(np.float32) / np.sqrt(HIDDEN),
            "b2": np.zeros(D_OUT, np.float32)}


def loss(params, x, y):
    h = jnp.tanh(x @ params["W1"] + params["b1"])      # column-parallel: each 'model' shard its hidden units
    out = h @ params["W2"] + params["b2"]               # row-parallel: partial sums all-reduced over 'model'
    return jnp.mean((out - y) ** 2)


def step(params, x, y):
    value, grads = lintra.value_and_grad(loss)(params, x, y)
    return lintra.tree.map(lambda p, g: p - LR * g, params, grads), value


def train(step, params, batches):
    losses = []
    for x, y in batches:
        params, value = step(params, x, y)
        losses.append(float(value))
    return losses, params


def main():
    n = lintra.device_count()
    if n < 8:
        sys.exit(f"tensor_parallel.py needs 8 devices, found {n} (LINTRA_NUM_CPU_DEVICES={os.environ['LINTRA_NUM_CPU_DEVICES']})")
    rng = np.random.default_rng(0)
    params = init(rng)
    true_w = rng.standard_normal((D_IN, D_OUT)).astype(np.float32)
    batches = []
    for _ in range(STEPS):
        x = rng.standard_normal((BATCH, D_IN)).astype(np.float32)
        batches.append((x, np.sin(x @ true_w)))

    # Auto axes: XLA propagates the layouts (with Explicit ones, the row-parallel matmul's contracting
    # dimension split over 'model' on both sides would need an out_sharding, as in JAX)
    mesh = lintra.make_mesh((4, 2), ("data", "model"), axis_types=(AxisType.Auto,) * 2)
    shard = lambda *spec: NamedSharding(mesh, P(*spec))
    param_shardings = {"W1": shard(None, "model"), "b1": shard("model"), "W2": shard("model", None), "b2": shard()}
    tp_step = lintra.jit(step, in_shardings=(param_shardings, shard("data"), shard("data")),
                         out_shardings=(param_shardings, shard()))
    tp_batches = [(lintra.device_put(x, shard("data")), lintra.device_put(y, shard("data"))) for x, y in batches]
    tp, tp_params = train(tp_step, lintra.device_put(params, param_shardings), tp_batches)
    single, single_params = train(lintra.jit(step), params, batches)

    print(f"{'step':>4}  {'4x2 mesh':>12}  {'1 device':>12}  {'rel. diff':>9}")
    worst = 0.0
    for i, (a, b) in enumerate(zip(tp, single)):
        rel = abs(a - b) / abs(b)
        worst = max(worst, rel)
        print(f"{i:4d}  {a:12.8f}  {b:12.8f}  {rel:9.2e}")
    print("W1 shards:", [s.data.shape for s in tp_params["W1"].addressable_shards][:2], "...",
          tp_params["W1"].sharding.spec)
    if tp_params["W1"].sharding != param_shardings["W1"] or tp_params["W2"].sharding != param_shardings["W2"]:
        sys.exit("FAIL: the updated weights did not keep their shardings")
    if worst > 1e-6 or not tp[-1] < tp[0]:
        sys.exit(f"FAIL: tensor-parallel losses differ from the 1-device run by {worst:.2e} relative (or did not fall)")
    print(f"OK: tensor-parallel losses equal the 1-device run (max relative difference {worst:.2e})")


if __name__ == "__main__":
    main()
