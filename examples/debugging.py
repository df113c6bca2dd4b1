"""Looking inside a Lintra program: host callbacks that run from compiled code, a SciPy function called
from a jitted and differentiated computation, and the program itself at each stage.

Run: python examples/debugging.py
"""
import numpy as np
import scipy.special

import lintra
import lintra.numpy as jnp

# 1. debug.print inside jit(vmap(grad(f))): it prints the primal values, once per example, from the compiled
#    program (an XLA host callback), in program order.


def loss(w, x):
    y = jnp.tanh(jnp.dot(w, x))
    lintra.debug.print("x = {x}, tanh(w . x) = {y:.4f}", x=x, y=y)
    return y ** 2


w = np.array([0.5, -0.25], np.float32)
xs = np.array([[1.0, 2.0], [3.0, -1.0]], np.float32)
per_example = lintra.jit(lintra.vmap(lintra.grad(loss), in_axes=(None, 0)))(w, xs)
print("per-example gradients:\n", per_example)
y = np.tanh(xs @ w)
np.testing.assert_allclose(np.asarray(per_example), (2 * y * (1 - y ** 2))[:, None] * xs, rtol=1e-5)

# 2. pure_callback into SciPy, differentiable through a custom_jvp rule: the Bessel function I0 and its
#    derivative I1, computed by SciPy on the host inside a jitted gradient.


@lintra.custom_jvp
def bessel_i0(x):
    out = lintra.ShapeDtypeStruct(x.shape, x.dtype)
    return lintra.pure_callback(lambda v: scipy.special.i0(v).astype(v.dtype), out, x, vmap_method="sequential")


@bessel_i0.defjvp
def _bessel_i0_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    out = lintra.ShapeDtypeStruct(x.shape, x.dtype)
    i1 = lintra.pure_callback(lambda v: scipy.special.i1(v).astype(v.dtype), out, x, vmap_method="sequential")
    return bessel_i0(x), i1 * t


v = np.linspace(0.0, 2.0, 5, dtype=np.float32)
grads = lintra.jit(lintra.grad(lambda a: jnp.sum(bessel_i0(a))))(v)
print("d/dx I0(x) at", v, "=", grads)
np.testing.assert_allclose(np.asarray(grads), scipy.special.i1(v), rtol=1e-6)

# 3. The program at each stage: Lintra's IR (make_jaxpr), the StableHLO it lowers to, and what XLA compiled
#    (its optimized HLO and cost estimate).


def predict(w, x):
    return jnp.tanh(x @ w)


w2, x2 = np.ones((3, 2), np.float32), np.ones((4, 3), np.float32)
print(lintra.make_jaxpr(predict)(w2, x2))
lowered = lintra.jit(predict).lower(w2, x2)
print(lowered.as_text())
compiled = lowered.compile()
cost = compiled.cost_analysis()
print("XLA's estimate:", {k: cost[k] for k in ("flops", "bytes accessed") if k in cost})
assert cost["flops"] >= 2 * 4 * 3 * 2          # the matmul's multiply-adds, at least
np.testing.assert_allclose(np.asarray(compiled(w2, x2)), np.tanh(x2 @ w2), rtol=1e-6)
print("OK: debugging tour")
