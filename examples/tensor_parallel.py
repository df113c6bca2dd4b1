"""Megatron-style tensor parallelism on a 4x2 mesh of CPU devices ('data', 'model'): a 2-layer MLP whose
hidden layer is split over 'model' (W1 P(None, 'model'), b1 P('model'), W2 P('model', None)) while the batch
is split over 'data'. One jit(step, in_shardings=..., out_shardings=...) is compiled as a single SPMD
program; XLA inserts the all-reduces over 'model' (the second matmul's partial sums) and 'data' (gradients).
The same model is written a second time with shard_map and explicit collectives, as Megatron-LM writes it:
each device computes on its blocks, the row-parallel layer's partial sums are psum'd over 'model' and the
loss is pmean'd over 'data'; grad differentiates that per-device program (with check_vma's types, the
replicated b2 and the weights' cotangents are summed where JAX sums them).

    python examples/tensor_parallel.py

The script asks for 8 CPU devices (LINTRA_NUM_CPU_DEVICES=8, unless already set) before importing Lintra,
trains the same model from the same start on one device, prints the three runs' losses per step and exits
non-zero unless they agree within 1e-6 relative.
"""
import os
import sys

os.environ.setdefault("LINTRA_NUM_CPU_DEVICES", "8")

import numpy as np  # noqa: E402

import lintra  # noqa: E402
import lintra.numpy as jnp  # noqa: E402
from lintra import lax  # noqa: E402
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


def block_loss(params, x, y):
    """One device's part of `loss` in shard_map: x, y its batch rows; W1, b1 its hidden units; W2 their rows."""
    h = jnp.tanh(x @ params["W1"] + params["b1"])      # column-parallel: no communication
    out = lax.psum(h @ params["W2"], "model") + params["b2"]    # row-parallel: sum the partial products
    return lax.pmean(jnp.mean((out - y) ** 2), "data")  # every batch block is the same size


PARAM_SPECS = {"W1": P(None, "model"), "b1": P("model"), "W2": P("model", None), "b2": P()}


def shard_map_loss(mesh):
    return lintra.shard_map(block_loss, mesh=mesh, in_specs=(PARAM_SPECS, P("data"), P("data")), out_specs=P())


def step_of(loss):
    def step(params, x, y):
        value, grads = lintra.value_and_grad(loss)(params, x, y)
        return lintra.tree.map(lambda p, g: p - LR * g, params, grads), value
    return step


step = step_of(loss)


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
    param_shardings = {k: NamedSharding(mesh, spec) for k, spec in PARAM_SPECS.items()}
    shardings = dict(in_shardings=(param_shardings, shard("data"), shard("data")),
                     out_shardings=(param_shardings, shard()))
    tp_batches = [(lintra.device_put(x, shard("data")), lintra.device_put(y, shard("data"))) for x, y in batches]
    tp, tp_params = train(lintra.jit(step, **shardings), lintra.device_put(params, param_shardings), tp_batches)
    sm, sm_params = train(lintra.jit(step_of(shard_map_loss(mesh)), **shardings),
                          lintra.device_put(params, param_shardings), tp_batches)
    single, single_params = train(lintra.jit(step), params, batches)

    print(f"{'step':>4}  {'jit, 4x2 mesh':>13}  {'shard_map':>12}  {'1 device':>12}  {'rel. diff':>9}")
    worst = 0.0
    for i, (a, c, b) in enumerate(zip(tp, sm, single)):
        rel = max(abs(a - b), abs(c - b)) / abs(b)
        worst = max(worst, rel)
        print(f"{i:4d}  {a:13.8f}  {c:12.8f}  {b:12.8f}  {rel:9.2e}")
    print("W1 shards:", [s.data.shape for s in tp_params["W1"].addressable_shards][:2], "...",
          tp_params["W1"].sharding.spec)
    for name, p in (("jit", tp_params), ("shard_map", sm_params)):
        if p["W1"].sharding != param_shardings["W1"] or p["W2"].sharding != param_shardings["W2"]:
            sys.exit(f"FAIL: the updated weights of the {name} run did not keep their shardings")
    if worst > 1e-6 or not tp[-1] < tp[0]:
        sys.exit(f"FAIL: tensor-parallel losses differ from the 1-device run by {worst:.2e} relative (or did not fall)")
    print(f"OK: tensor-parallel losses (jit with shardings, and shard_map) equal the 1-device run (max relative "
          f"difference {worst:.2e})")


if __name__ == "__main__":
    main()
