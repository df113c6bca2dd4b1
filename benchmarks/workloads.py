"""The benchmark workloads, written once against JAX's API and run on either library.

A library is a namespace `L` with `L.jax` (lintra or jax), `L.jnp` (its numpy) and `L.lax`. This module
imports neither library itself: benchmarks/side.py passes one in, in its own process, so JAX never enters
a process that runs Lintra.

Each workload's `setup(L)` returns a callable that runs one iteration and waits for its results, except
for workloads marked `awaited=False`: their callable returns its result unwaited, and `measure` waits on the
last call's result at the end of each round, inside the timed region, so the queued work is counted.
"""
import time
from typing import Callable, NamedTuple, Optional

import numpy as np


class Workload(NamedTuple):
    key: str
    title: str
    setup: Callable
    flops: Optional[float] = None     # per iteration, to report GFLOP/s
    fresh_process: bool = False       # timed once, in a new process (first calls)
    needs: Optional[str] = None       # an attribute path the library must have, e.g. "lax.scan"
    awaited: bool = True              # False: each call returns its result unwaited (see measure's `finish`)
    devices: int = 1                  # CPU devices its processes need (both sides get the same count)
    processes: int = 1                # >1: run as that many processes of one job on 127.0.0.1 (side.py)


def block(L, out):
    return L.jax.block_until_ready(out)


def device(L, tree):
    return L.jax.tree.map(L.jnp.asarray, tree)


# ---- the 3-layer MLP -------------------------------------------------------------------------------------

MLP_SIZES, MLP_BATCH = (256, 512, 512, 10), 128
SMALL_SIZES, SMALL_BATCH = (32, 64, 64, 10), 64


def mlp_data(sizes, batch, seed=0):
    rng = np.random.default_rng(seed)
    params = [(rng.standard_normal((m, n), np.float32) / np.sqrt(m), np.zeros(n, np.float32))
              for m, n in zip(sizes[:-1], sizes[1:])]
    x = rng.standard_normal((batch, sizes[0]), np.float32)
    y = rng.standard_normal((batch, sizes[-1]), np.float32)
    return params, x, y


def mlp_loss(L):
    jnp = L.jnp

    def loss(params, x, y):
        h = x
        for w, b in params[:-1]:
            h = jnp.tanh(h @ w + b)
        w, b = params[-1]
        return jnp.mean((h @ w + b - y) ** 2)
    return loss


def train_step(L):
    loss = mlp_loss(L)

    def step(params, x, y):
        g = L.jax.grad(loss)(params, x, y)
        return L.jax.tree.map(lambda p, d: p - 0.01 * d, params, g)
    return step


def mlp_first_call(L):
    params, x, y = device(L, mlp_data(MLP_SIZES, MLP_BATCH))
    block(L, L.lax.add(x, x))        # the backend is up before the clock starts
    step = L.jax.jit(train_step(L))
    return lambda: block(L, step(params, x, y))


def mlp_step(L):
    params, x, y = device(L, mlp_data(MLP_SIZES, MLP_BATCH))
    step = L.jax.jit(train_step(L))
    return lambda: block(L, step(params, x, y))


# ---- data-parallel MLP step on a mesh of CPU devices ----------------------------------------------------------

DP_DEVICES, DP_BATCH = 8, 1024


def _dp_step(L):
    """The MLP step jitted over a 1-D mesh: batch split over 'data', parameters replicated, with the
    arguments already laid out."""
    S = L.jax.sharding
    mesh = L.jax.make_mesh((DP_DEVICES,), ("data",), axis_types=(S.AxisType.Auto,))
    rep, data = S.NamedSharding(mesh, S.PartitionSpec()), S.NamedSharding(mesh, S.PartitionSpec("data"))
    params, x, y = mlp_data(MLP_SIZES, DP_BATCH)
    params, x, y = L.jax.device_put(params, rep), L.jax.device_put(x, data), L.jax.device_put(y, data)
    block(L, (params, x, y))         # the backend and the arrays are up before the clock starts
    step = L.jax.jit(train_step(L), in_shardings=(rep, data, data), out_shardings=rep)
    return lambda: block(L, step(params, x, y))


def _pmap_dp_step(L):
    """The same data-parallel step written with pmap: each device's gradient of its batch slice, averaged
    with pmean; parameters replicated in and out (in_axes/out_axes None), inputs already laid out."""
    S, loss = L.jax.sharding, mlp_loss(L)

    def step(params, x, y):
        g = L.lax.pmean(L.jax.grad(loss)(params, x, y), "data")
        return L.jax.tree.map(lambda p, d: p - 0.01 * d, params, g)
    mesh = S.Mesh(L.jax.devices()[:DP_DEVICES], ("data",))
    rep, data = S.NamedSharding(mesh, S.PartitionSpec()), S.NamedSharding(mesh, S.PartitionSpec("data"))
    params, x, y = mlp_data(MLP_SIZES, DP_BATCH)
    x, y = x.reshape(DP_DEVICES, -1, x.shape[1]), y.reshape(DP_DEVICES, -1, y.shape[1])
    params, x, y = L.jax.device_put(params, rep), L.jax.device_put(x, data), L.jax.device_put(y, data)
    block(L, (params, x, y))
    f = L.jax.pmap(step, axis_name="data", in_axes=(None, 0, 0), out_axes=None)
    return lambda: block(L, f(params, x, y))
# ---- collectives: shard_map psum on one machine's mesh, and an all-reduce across processes ---------------------

PSUM_DEVICES, PSUM_BYTES = 8, 1 << 20
ALLREDUCE_PROCESSES, ALLREDUCE_CALLS = 2, 200


def _psum_fn(L, mesh):
    P = L.jax.sharding.PartitionSpec
    return L.jax.jit(L.jax.shard_map(lambda b: L.lax.psum(b, "x"), mesh=mesh, in_specs=P("x"), out_specs=P()))


def shard_map_psum(L):
    """jit(shard_map(psum)) of a 1 MiB f32 block per device over a 1-D mesh of PSUM_DEVICES CPU devices."""
    S = L.jax.sharding
    mesh = L.jax.make_mesh((PSUM_DEVICES,), ("x",), axis_types=(S.AxisType.Auto,))
    n = PSUM_BYTES // 4
    x = L.jax.device_put(np.ones(PSUM_DEVICES * n, np.float32), S.NamedSharding(mesh, S.PartitionSpec("x")))
    f = _psum_fn(L, mesh)
    block(L, f(x))
    return lambda: block(L, f(x))


def join_processes(L, address, num_processes, process_id):
    """This process joins a job of `num_processes` on one CPU device each, collectives over TCP (gloo)."""
    if L.name == "jax":
        L.jax.config.update("jax_cpu_collectives_implementation", "gloo")
    L.jax.distributed.initialize(address, num_processes=num_processes, process_id=process_id,
                                 initialization_timeout=60)


def allreduce_processes(L):
    """psum of each process's 1 MiB f32 array across the processes of the job (one device each), as
    jit(shard_map(psum)) over a mesh of every process's device; every process runs the same calls."""
    import importlib
    mu = importlib.import_module(L.jax.__name__ + ".experimental.multihost_utils")
    S = L.jax.sharding
    mesh = S.Mesh(np.array(L.jax.devices()), ("x",))
    x = mu.host_local_array_to_global_array(np.ones(PSUM_BYTES // 4, np.float32), mesh, S.PartitionSpec("x"))
    f = _psum_fn(L, mesh)
    block(L, f(x))
    return lambda: block(L, f(x))


def mlp_eager_grad(L):
    params, x, y = device(L, mlp_data(MLP_SIZES, MLP_BATCH))
    g = L.jax.grad(mlp_loss(L))
    return lambda: block(L, g(params, x, y))


def _per_example(L):
    params, x, y = device(L, mlp_data(SMALL_SIZES, SMALL_BATCH))
    loss = mlp_loss(L)
    return L.jax.vmap(L.jax.grad(lambda p, xi, yi: loss(p, xi[None], yi[None])), in_axes=(None, 0, 0)), \
        (params, x, y)


def per_example_jit(L):
    f, args = _per_example(L)
    f = L.jax.jit(f)
    return lambda: block(L, f(*args))


def per_example_eager(L):
    f, args = _per_example(L)
    return lambda: block(L, f(*args))


TINY_BATCH, TINY_N = 8, 4


def per_example_tiny(L):
    """Per-example gradients of a linear model's squared error: w f32[4], x f32[8,4], y f32[8]."""
    jax, jnp = L.jax, L.jnp
    rng = np.random.default_rng(5)
    w, x, y = device(L, (rng.standard_normal(TINY_N, np.float32), rng.standard_normal((TINY_BATCH, TINY_N),
                         np.float32), rng.standard_normal(TINY_BATCH, np.float32)))

    def loss(w, xi, yi):
        return (jnp.dot(xi, w) - yi) ** 2
    f = jax.jit(jax.vmap(jax.grad(loss), in_axes=(None, 0, 0)))
    return lambda: block(L, f(w, x, y))


# ---- Hessian-vector products -----------------------------------------------------------------------------

HVP_N = 512


def _hvp(L, mode):
    jax, jnp = L.jax, L.jnp
    rng = np.random.default_rng(1)
    a = jnp.asarray(rng.standard_normal((HVP_N, HVP_N), np.float32) / np.sqrt(HVP_N))
    x, v = (jnp.asarray(rng.standard_normal(HVP_N, np.float32)) for _ in range(2))

    def f(x):
        return jnp.sum(jnp.tanh(a @ x) ** 2) + jnp.sum(jnp.sin(x))

    hvp = {
        "fwd-rev": lambda x, v: jax.jvp(jax.grad(f), (x,), (v,))[1],
        "rev-fwd": lambda x, v: jax.grad(lambda y: jax.jvp(f, (y,), (v,))[1])(x),
        "rev-rev": lambda x, v: jax.grad(lambda y: jnp.vdot(jax.grad(f)(y), v))(x),
    }[mode]
    hvp = jax.jit(hvp)
    return lambda: block(L, hvp(x, v))


HVP_SMALL_SHAPE = (30, 40)


def hvp_small(L):
    """A small jitted HVP, forward-over-reverse, of f(x) = sum(tanh(x)**2): dispatch-sized, not compute."""
    jax, jnp = L.jax, L.jnp
    rng = np.random.default_rng(6)
    x, v = (jnp.asarray(rng.standard_normal(HVP_SMALL_SHAPE, np.float32)) for _ in range(2))

    def f(x):
        return jnp.sum(jnp.tanh(x) ** 2)
    hvp = jax.jit(lambda x, v: jax.jvp(jax.grad(f), (x,), (v,))[1])
    return lambda: block(L, hvp(x, v))


# ---- matrix-Jacobian product: 128 cotangent rows pulled back through one vjp -----------------------------

MJP_ROWS, MJP_N = 128, 64


def _mjp(L):
    jax, jnp = L.jax, L.jnp
    rng = np.random.default_rng(2)
    a = jnp.asarray(rng.standard_normal((MJP_N, MJP_N), np.float32) * 0.2)
    v0 = jnp.asarray(rng.standard_normal(MJP_N, np.float32))
    rows = jnp.asarray(rng.standard_normal((MJP_ROWS, MJP_N), np.float32))
    _, vjp_fun = jax.vjp(lambda v: jnp.tanh(a @ v), v0)
    return vjp_fun, rows


def mjp_vmap(L):
    vjp_fun, rows = _mjp(L)
    f = L.jax.vmap(vjp_fun)
    return lambda: block(L, f(rows))


def mjp_loop(L):
    vjp_fun, rows = _mjp(L)
    return lambda: block(L, [vjp_fun(rows[i]) for i in range(MJP_ROWS)])


def mjp_jit_vmap(L):
    vjp_fun, rows = _mjp(L)
    f = L.jax.jit(L.jax.vmap(vjp_fun))
    return lambda: block(L, f(rows))


# ---- dispatch ----------------------------------------------------------------------------------------------

def _xy(L):
    return L.jnp.asarray(np.arange(3, dtype=np.float32)), L.jnp.asarray(np.ones(3, np.float32))


def jit_dispatch(L):
    x, y = _xy(L)
    lax = L.lax
    f = L.jax.jit(lambda a, b: lax.add(lax.mul(a, b), b))
    return lambda: f(x, y).block_until_ready()


def eager_op(L):
    x, y = _xy(L)
    add = L.lax.add
    return lambda: add(x, y).block_until_ready()


def eager_jnp_sin(L):
    """One eager jnp.sin per call, not awaited: the result is returned for `measure` to wait on once."""
    x, _ = _xy(L)
    sin = L.jnp.sin
    return lambda: sin(x)


PIPELINE_OPS, PIPELINE_N = 100, 1000


def pipelined_eager(L):
    """100 chained eager jnp ops (sin, *1.0001, tanh, +0.5, repeated: values stay bounded), awaited once."""
    jnp = L.jnp
    x0 = jnp.asarray(np.linspace(-1, 1, PIPELINE_N, dtype=np.float32))
    ops = [jnp.sin, lambda a: a * 1.0001, jnp.tanh, lambda a: a + 0.5]

    def run():
        x = x0
        for i in range(PIPELINE_OPS):
            x = ops[i % len(ops)](x)
        return x.block_until_ready()
    return run


# ---- a large matmul --------------------------------------------------------------------------------------

MATMUL_N = 2048


def matmul(L):
    rng = np.random.default_rng(3)
    a, b = (L.jnp.asarray(rng.standard_normal((MATMUL_N, MATMUL_N), np.float32)) for _ in range(2))
    f = L.jax.jit(L.jnp.matmul)
    return lambda: f(a, b).block_until_ready()


# ---- grad through a long scan ----------------------------------------------------------------------------

SCAN_STEPS, SCAN_N = 1000, 16


def scan_grad(L):
    jax, jnp, lax = L.jax, L.jnp, L.lax
    rng = np.random.default_rng(4)
    c0 = jnp.asarray(rng.standard_normal(SCAN_N, np.float32))
    xs = jnp.asarray(rng.standard_normal((SCAN_STEPS, SCAN_N), np.float32) * 0.1)

    def loss(c0, xs):
        c, _ = lax.scan(lambda c, x: (jnp.tanh(0.9 * c + x), None), c0, xs)
        return jnp.sum(c ** 2)
    g = jax.jit(jax.grad(loss, argnums=(0, 1)))
    return lambda: block(L, g(c0, xs))


# ---- convolutions: a small CNN's training step, and a ResNet-sized convolution ------------------------------

CNN_BATCH, CNN_SIZE, CNN_CLASSES = 32, 28, 10
CONV_N, CONV_HW, CONV_C = 8, 56, 64
CONV_FLOPS = 2.0 * CONV_N * CONV_HW * CONV_HW * CONV_C * CONV_C * 9
NHWC = ("NHWC", "HWIO", "NHWC")


def cnn_step(L):
    """One SGD step of conv(1->32) -> relu -> 2x2 max-pool -> conv(32->64) -> relu -> max-pool -> dense."""
    jax, jnp, lax = L.jax, L.jnp, L.lax
    rng = np.random.default_rng(5)
    he = lambda shape, fan_in: (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
    params = device(L, {"c1": he((3, 3, 1, 32), 9), "c2": he((3, 3, 32, 64), 288),
                        "d": he((7 * 7 * 64, CNN_CLASSES), 7 * 7 * 64)})
    x = jnp.asarray(rng.standard_normal((CNN_BATCH, CNN_SIZE, CNN_SIZE, 1)).astype(np.float32))
    y = jnp.asarray(np.eye(CNN_CLASSES, dtype=np.float32)[rng.integers(0, CNN_CLASSES, CNN_BATCH)])

    def block_(h, w):
        h = jnp.maximum(lax.conv_general_dilated(h, w, (1, 1), "SAME", dimension_numbers=NHWC), 0.0)
        return lax.reduce_window(h, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")

    def loss(p, x, y):
        h = block_(block_(x, p["c1"]), p["c2"])
        logits = h.reshape(h.shape[0], -1) @ p["d"]
        return -jnp.mean(jnp.sum(jax.nn.log_softmax(logits) * y, axis=-1))

    @jax.jit
    def step(p, x, y):
        value, g = jax.value_and_grad(loss)(p, x, y)
        return value, jax.tree.map(lambda a, b: a - 0.01 * b, p, g)
    return lambda: block(L, step(params, x, y))


def _conv_resnet(L):
    rng = np.random.default_rng(6)
    x = L.jnp.asarray(rng.standard_normal((CONV_N, CONV_HW, CONV_HW, CONV_C)).astype(np.float32))
    w = L.jnp.asarray((rng.standard_normal((3, 3, CONV_C, CONV_C)) / 24).astype(np.float32))
    conv = lambda x, w: L.lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=NHWC)
    return x, w, conv


def conv_forward(L):
    x, w, conv = _conv_resnet(L)
    f = L.jax.jit(conv)
    return lambda: block(L, f(x, w))


def conv_grad(L):
    """The forward convolution and both of its transposes (w.r.t. the input and the kernel)."""
    x, w, conv = _conv_resnet(L)
    g = L.jax.jit(L.jax.grad(lambda x, w: L.jnp.sum(conv(x, w) ** 2), argnums=(0, 1)))
    return lambda: block(L, g(x, w))


# ---- an optax training loop (examples/optax_mlp.py's step) -------------------------------------------------

OPTAX_SIZES, OPTAX_BATCH = (3, 128, 128, 1), 256


def optax_step_fn(L):
    """jit(value_and_grad) of an MLP's MSE, then optax: clip_by_global_norm(1) and Adam on a warmup-cosine
    schedule, as examples/optax_mlp.py."""
    jax, jnp, optax = L.jax, L.jnp, L.optax
    schedule = optax.warmup_cosine_decay_schedule(0.0, 3e-3, 100, 1500, 1e-5)
    optimizer = optax.chain(optax.clip_by_global_norm(1.0), optax.adam(schedule))

    def loss(params, x, y):
        for layer in params[:-1]:
            x = jax.nn.gelu(x @ layer["w"] + layer["b"])
        return jnp.mean((x @ params[-1]["w"] + params[-1]["b"] - y) ** 2)

    @jax.jit
    def step(params, opt_state, x, y):
        value, grads = jax.value_and_grad(loss)(params, x, y)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, value

    rng = np.random.default_rng(7)
    params = device(L, [{"w": (rng.standard_normal((m, n)) * np.sqrt(2.0 / m)).astype(np.float32),
                         "b": np.zeros(n, np.float32)} for m, n in zip(OPTAX_SIZES[:-1], OPTAX_SIZES[1:])])
    x = jnp.asarray(rng.uniform(-1, 1, (OPTAX_BATCH, OPTAX_SIZES[0])).astype(np.float32))
    y = jnp.asarray(rng.uniform(-1, 1, (OPTAX_BATCH, 1)).astype(np.float32))
    opt_state = optimizer.init(params)
    block(L, opt_state)
    return lambda: block(L, step(params, opt_state, x, y))


WORKLOADS = [
    Workload("jit_dispatch", "jit dispatch: cached f(x, y) = x*y + y, f32[3]", jit_dispatch),
    Workload("eager_op", "eager op: lax.add, f32[3], awaited", eager_op),
    Workload("eager_jnp_sin", "eager op: jnp.sin, f32[3], not awaited", eager_jnp_sin, awaited=False),
    Workload("pipelined_eager", f"pipelined eager: {PIPELINE_OPS} chained jnp ops, f32[{PIPELINE_N}], awaited once",
             pipelined_eager),
    Workload("mlp_first", "MLP step, first call (trace+passes+lower+compile)", mlp_first_call,
             fresh_process=True),
    Workload("mlp_first_cached", "MLP step, first call, 2nd process (disk cache)", mlp_first_call,
             fresh_process=True),
    Workload("mlp_step", "MLP step, jit(grad), steady state", mlp_step),
    Workload("dp_step", f"DP MLP step, {DP_DEVICES} CPU devices, batch {DP_BATCH} over 'data', steady state",
             _dp_step, devices=DP_DEVICES),
    Workload("dp_first", f"DP MLP step, {DP_DEVICES} CPU devices, first call", _dp_step, fresh_process=True,
             devices=DP_DEVICES),
    Workload("pmap_dp_step", f"DP MLP step as pmap + pmean, {DP_DEVICES} CPU devices, batch {DP_BATCH}, steady "
             f"state", _pmap_dp_step, devices=DP_DEVICES),
    Workload("shard_map_psum", f"shard_map psum, 1 MiB per device, {PSUM_DEVICES} CPU devices, jit, steady state",
             shard_map_psum, devices=PSUM_DEVICES),
    Workload("allreduce_2proc", f"all-reduce 1 MiB across {ALLREDUCE_PROCESSES} processes (gloo, 127.0.0.1), "
             f"jit(shard_map(psum)), {ALLREDUCE_CALLS} calls", allreduce_processes, processes=ALLREDUCE_PROCESSES),
    Workload("mlp_eager_grad", "MLP grad, eager", mlp_eager_grad),
    Workload("per_example_jit", f"per-example grads (B={SMALL_BATCH}), jit(vmap(grad))", per_example_jit),
    Workload("per_example_eager", f"per-example grads (B={SMALL_BATCH}), vmap(grad), eager", per_example_eager),
    Workload("per_example_tiny", f"per-example grads, tiny (B={TINY_BATCH}, w f32[{TINY_N}]), jit(vmap(grad))",
             per_example_tiny),
    Workload("hvp_small", f"HVP forward-over-reverse, jit, f32[{HVP_SMALL_SHAPE[0]},{HVP_SMALL_SHAPE[1]}]",
             hvp_small),
    Workload("hvp_fwd_rev", f"HVP forward-over-reverse, jit, n={HVP_N}", lambda L: _hvp(L, "fwd-rev")),
    Workload("hvp_rev_fwd", f"HVP reverse-over-forward, jit, n={HVP_N}", lambda L: _hvp(L, "rev-fwd")),
    Workload("hvp_rev_rev", f"HVP reverse-over-reverse, jit, n={HVP_N}", lambda L: _hvp(L, "rev-rev")),
    Workload("mjp_vmap", f"{MJP_ROWS}-row matrix-Jacobian product, vmap, eager", mjp_vmap),
    Workload("mjp_loop", f"{MJP_ROWS}-row matrix-Jacobian product, loop, eager", mjp_loop),
    Workload("mjp_jit_vmap", f"{MJP_ROWS}-row matrix-Jacobian product, jit(vmap)", mjp_jit_vmap),
    Workload("matmul", f"matmul f32[{MATMUL_N},{MATMUL_N}] @ f32[{MATMUL_N},{MATMUL_N}], jit", matmul,
             flops=2.0 * MATMUL_N ** 3),
    Workload("scan_grad", f"grad through a {SCAN_STEPS}-step scan, jit", scan_grad, needs="lax.scan"),
    Workload("cnn_step", f"CNN training step (2 conv + max-pool + dense, batch {CNN_BATCH}, "
             f"{CNN_SIZE}x{CNN_SIZE}), jit", cnn_step, needs="lax.conv_general_dilated"),
    Workload("conv_forward", f"conv_general_dilated f32[{CONV_N},{CONV_HW},{CONV_HW},{CONV_C}] * "
             f"f32[3,3,{CONV_C},{CONV_C}], jit", conv_forward, flops=CONV_FLOPS, needs="lax.conv_general_dilated"),
    Workload("conv_grad", "conv_general_dilated, the same, grad w.r.t. input and kernel, jit", conv_grad,
             flops=3 * CONV_FLOPS, needs="lax.conv_general_dilated"),
    Workload("optax_step", "optax MLP step (clip_by_global_norm + adam, cosine schedule), jit, steady state",
             optax_step_fn, needs="optax.adam"),
    Workload("optax_first", "optax MLP step, first call (trace+passes+lower+compile)", optax_step_fn,
             fresh_process=True, needs="optax.adam"),
]
BY_KEY = {w.key: w for w in WORKLOADS}


def has(L, path):
    obj = L
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return False
    return True


def measure_fixed(fn, number, repeat=3):
    """As measure, with the same `number` calls per round in every process of a multi-process job (each call
    of a collective waits for the others; adaptive counts would leave one process waiting forever)."""
    fn()
    best = None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(number):
            fn()
        t, c = (time.perf_counter() - t0) / number, (time.process_time() - c0) / number
        best = (t, c) if best is None else (min(best[0], t), min(best[1], c))
    return {"seconds": best[0], "cpu_seconds": best[1]}


def measure(fn, min_time=0.2, repeat=5, finish=None):
    """Per-call times `{"seconds": wall, "cpu_seconds": process CPU}`, each the best of `repeat` rounds of
    enough calls to last `min_time` (both clocks read around the same loop; the two bests may come from
    different rounds). Process CPU time counts every thread of the process (the runtime's too).
    `finish(out)`, when given, is called on the last call's result inside each timed round: for workloads
    whose calls return without waiting, it waits for the queued work."""
    def round_(number):
        t0, c0 = time.perf_counter(), time.process_time()
        out = None
        for _ in range(number):
            out = fn()
        if finish is not None:
            finish(out)
        return time.perf_counter() - t0, time.process_time() - c0

    round_(1)
    number = 1
    while True:
        t, c = round_(number)
        if t >= min_time or number >= 1 << 20:
            break
        number = max(number * 2, int(number * min_time / max(t, 1e-9) * 1.1))
    wall, cpu = t / number, c / number
    for _ in range(repeat - 1):
        t, c = round_(number)
        wall, cpu = min(wall, t / number), min(cpu, c / number)
    return {"seconds": wall, "cpu_seconds": cpu}


def time_once(fn):
    """Wall seconds of one call (first calls: timed once, in a fresh process)."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0
