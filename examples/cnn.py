"""Train a small convolutional classifier on synthetic images: lintra.jit(lintra.value_and_grad(loss)).

Each 12x12 image holds one noisy stroke — a horizontal bar, a vertical bar, a diagonal or an anti-diagonal,
at a random place — and the label says which. The model is two 3x3 convolutions (lax.conv_general_dilated,
NHWC), each followed by a ReLU and a 2x2 max-pool (lax.reduce_window), then a dense layer. Gradients flow
through the convolution's transposes and the pooling's select-and-scatter; Adam comes from
lintra.example_libraries.optimizers (JAX's jax.example_libraries). The script prints the falling
loss and asserts accuracies above 90% on the training images and on fresh ones (it reaches 100% and
about 95.8%).
"""
import time

import numpy as np

import lintra
import lintra.nn as nn
import lintra.numpy as jnp
from lintra import lax
from lintra.example_libraries import optimizers

SIZE, CLASSES, PER_CLASS, STEPS = 12, 4, 256, 100
DN = ("NHWC", "HWIO", "NHWC")


def strokes(rng, per_class=PER_CLASS, noise=0.3):
    """Images of one stroke of length 5 each (class 0: horizontal, 1: vertical, 2: diagonal, 3: anti-diagonal)."""
    steps = {0: (0, 1), 1: (1, 0), 2: (1, 1), 3: (1, -1)}
    xs, ys = [], []
    for label, (di, dj) in steps.items():
        for _ in range(per_class):
            img = rng.normal(0.0, noise, (SIZE, SIZE))
            i0 = rng.integers(0, SIZE - 4 * di)
            j0 = rng.integers(4 if dj < 0 else 0, SIZE - 4 * max(dj, 0))
            for k in range(5):
                img[i0 + k * di, j0 + k * dj] += 1.0
            xs.append(img)
            ys.append(label)
    x = np.asarray(xs, np.float32)[..., None]           # NHWC with one channel
    return x, np.asarray(ys, np.int32)


def init(rng):
    def he(shape, fan_in):
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
    return {"conv1": {"w": he((3, 3, 1, 8), 9), "b": np.zeros(8, np.float32)},
            "conv2": {"w": he((3, 3, 8, 16), 72), "b": np.zeros(16, np.float32)},
            "dense": {"w": he((3 * 3 * 16, CLASSES), 144), "b": np.zeros(CLASSES, np.float32)}}


def conv_relu_pool(x, layer):
    y = lax.conv_general_dilated(x, layer["w"], (1, 1), "SAME", dimension_numbers=DN) + layer["b"]
    return lax.reduce_window(nn.relu(y), -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


def logits(params, x):
    h = conv_relu_pool(conv_relu_pool(x, params["conv1"]), params["conv2"])      # 12 -> 6 -> 3
    h = h.reshape(h.shape[0], -1)
    return h @ params["dense"]["w"] + params["dense"]["b"]


def loss(params, x, y):
    """Mean cross-entropy of the softmax over the classes."""
    logp = nn.log_softmax(logits(params, x))
    return -jnp.mean(jnp.sum(logp * nn.one_hot(y, CLASSES), axis=-1))


value_and_grad = lintra.jit(lintra.value_and_grad(loss))


opt_init, opt_update, get_params = optimizers.adam(0.01)
update = lintra.jit(opt_update)


@lintra.jit
def accuracy(params, x, y):
    return jnp.mean(jnp.argmax(logits(params, x), axis=-1) == y)


def main():
    rng = np.random.default_rng(0)
    x, y = strokes(rng)
    state = opt_init(init(rng))
    start = time.perf_counter()
    losses = []
    for step in range(1, STEPS + 1):
        value, grads = value_and_grad(get_params(state), x, y)
        state = update(step - 1, grads, state)
        losses.append(float(value))
        if step == 1 or step % 50 == 0:
            print(f"step {step:4d}  loss {losses[-1]:.4f}")
    params = get_params(state)
    acc = float(accuracy(params, x, y))
    test_acc = float(accuracy(params, *strokes(np.random.default_rng(1))))
    print(f"accuracy {acc:.1%} on the training images, {test_acc:.1%} on fresh images, after {STEPS} steps "
          f"({time.perf_counter() - start:.1f} s)")
    assert losses[-1] < 0.2 * losses[0], f"the loss did not fall enough: {losses[0]:.3f} -> {losses[-1]:.3f}"
    assert acc > 0.9 and test_acc > 0.9, f"accuracy {acc:.1%} (training), {test_acc:.1%} (fresh) is not above 90%"


if __name__ == "__main__":
    main()
