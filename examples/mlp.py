"""Train a 2-layer MLP classifier on a 3-armed spiral: lintra.jit(lintra.value_and_grad(loss)) and Adam.

The data are generated with NumPy; the model, loss (lintra.nn.log_softmax), gradients and the optimiser
step run in Lintra. The script prints the falling loss and asserts accuracies above 90% on the training
points and on fresh points drawn from the same spirals.
"""
import time

import numpy as np

import lintra
import lintra.nn as nn
import lintra.numpy as jnp

CLASSES, PER_CLASS, HIDDEN, STEPS = 3, 200, 64, 300


def spiral(rng, classes=CLASSES, per_class=PER_CLASS, noise=0.2):
    """Points on `classes` interleaved spiral arms in the plane, labelled by arm."""
    xs, ys = [], []
    for k in range(classes):
        r = np.linspace(0.05, 1.0, per_class)
        theta = np.linspace(k * 4.0, (k + 1) * 4.0, per_class) + rng.normal(0.0, noise, per_class)
        xs.append(np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1))
        ys.append(np.full(per_class, k))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.int32)


def init(rng):
    def dense(n_in, n_out):
        return {"w": (rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)).astype(np.float32),
                "b": np.zeros(n_out, np.float32)}
    return {"hidden": dense(2, HIDDEN), "out": dense(HIDDEN, CLASSES)}


def logits(params, x):
    h = nn.relu(x @ params["hidden"]["w"] + params["hidden"]["b"])
    return h @ params["out"]["w"] + params["out"]["b"]


def loss(params, x, y):
    """Mean cross-entropy of the softmax over the classes."""
    logp = nn.log_softmax(logits(params, x))
    return -jnp.mean(jnp.sum(logp * nn.one_hot(y, CLASSES), axis=-1))


value_and_grad = lintra.jit(lintra.value_and_grad(loss))


@lintra.jit
def adam(params, grads, m, v, step, lr=0.02, b1=0.9, b2=0.999, eps=1e-8):
    m = lintra.tree.map(lambda m, g: b1 * m + (1 - b1) * g, m, grads)
    v = lintra.tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, v, grads)
    scale = lr * jnp.sqrt(1 - b2 ** step) / (1 - b1 ** step)
    params = lintra.tree.map(lambda p, m, v: p - scale * m / (jnp.sqrt(v) + eps), params, m, v)
    return params, m, v


@lintra.jit
def accuracy(params, x, y):
    return jnp.mean(jnp.argmax(logits(params, x), axis=-1) == y)


def main():
    rng = np.random.default_rng(0)
    x, y = spiral(rng)
    params = init(rng)
    m = lintra.tree.map(np.zeros_like, params)
    v = lintra.tree.map(np.zeros_like, params)
    start = time.perf_counter()
    losses = []
    for step in range(1, STEPS + 1):
        value, grads = value_and_grad(params, x, y)
        params, m, v = adam(params, grads, m, v, np.float32(step))
        losses.append(float(value))
        if step == 1 or step % 100 == 0:
            print(f"step {step:4d}  loss {losses[-1]:.4f}")
    acc = float(accuracy(params, x, y))
    test_acc = float(accuracy(params, *spiral(np.random.default_rng(1))))
    print(f"accuracy {acc:.1%} on the training points, {test_acc:.1%} on fresh points, after {STEPS} steps "
          f"({time.perf_counter() - start:.1f} s)")
    assert losses[-1] < 0.5 * losses[0], f"the loss did not fall enough: {losses[0]:.3f} -> {losses[-1]:.3f}"
    assert acc > 0.9 and test_acc > 0.9, f"accuracy {acc:.1%} (training), {test_acc:.1%} (fresh) is not above 90%"


if __name__ == "__main__":
    main()
