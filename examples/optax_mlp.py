"""An optax training loop written exactly as for JAX; run it on Lintra with

    python -m lintra.compat examples/optax_mlp.py

(or on JAX itself with `python examples/optax_mlp.py`, where jax and optax are installed).

A 2-hidden-layer MLP regresses y = sin(3 x0) * cos(2 x1) + 0.5 x2^2 from synthetic data. The optimiser is
optax's Adam on a warmup-cosine learning-rate schedule, after clipping the gradients' global norm to 1, and
each step is jit(value_and_grad). The script prints the falling loss and asserts that the held-out mean
squared error ends below 0.01 (the target's variance is about 0.24).
"""
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

SIZES, BATCH, STEPS = (3, 128, 128, 1), 256, 1500


def data(rng, n):
    x = rng.uniform(-1.0, 1.0, (n, 3)).astype(np.float32)
    y = np.sin(3 * x[:, 0]) * np.cos(2 * x[:, 1]) + 0.5 * x[:, 2] ** 2
    return x, y[:, None].astype(np.float32)


def init(key, sizes=SIZES):
    params = []
    for k, (m, n) in zip(jax.random.split(key, len(sizes) - 1), zip(sizes[:-1], sizes[1:])):
        params.append({"w": jax.random.normal(k, (m, n)) * jnp.sqrt(2.0 / m), "b": jnp.zeros(n)})
    return params


def predict(params, x):
    for layer in params[:-1]:
        x = jax.nn.gelu(x @ layer["w"] + layer["b"])
    return x @ params[-1]["w"] + params[-1]["b"]


def loss(params, x, y):
    return jnp.mean((predict(params, x) - y) ** 2)


schedule = optax.warmup_cosine_decay_schedule(init_value=0.0, peak_value=3e-3, warmup_steps=100,
                                              decay_steps=STEPS, end_value=1e-5)
optimizer = optax.chain(optax.clip_by_global_norm(1.0), optax.adam(schedule))


@jax.jit
def step(params, opt_state, x, y):
    value, grads = jax.value_and_grad(loss)(params, x, y)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, value


def main():
    rng = np.random.default_rng(0)
    x_train, y_train = data(rng, 4096)
    x_test, y_test = data(rng, 1024)
    params = init(jax.random.key(0))
    opt_state = optimizer.init(params)
    start = time.perf_counter()
    for i in range(STEPS):
        idx = rng.integers(0, len(x_train), BATCH)
        params, opt_state, value = step(params, opt_state, x_train[idx], y_train[idx])
        if i % 300 == 0 or i == STEPS - 1:
            print(f"step {i:4d}  loss {float(value):.5f}  lr {float(schedule(i)):.2e}")
    test_mse = float(loss(params, x_test, y_test))
    print(f"held-out MSE {test_mse:.5f} after {STEPS} steps ({time.perf_counter() - start:.1f} s)")
    assert test_mse < 0.01, test_mse


if __name__ == "__main__":
    main()
