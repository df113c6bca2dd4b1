"""A tour of Lintra's automatic differentiation: every derivative below is an IR pass (jvp, then
linearize, then transpose), and the printed numbers are checked against closed forms."""
from functools import partial

import numpy as np

import lintra
import lintra.numpy as jnp
from lintra import lax


def show(title, value, expected):
    value = np.asarray(value)
    ok = np.allclose(value, expected, rtol=1e-4, atol=1e-5)
    print(f"{title:<48} {np.array2string(value, precision=4, suppress_small=True):<40} {'ok' if ok else 'MISMATCH'}")
    assert ok, (title, value, expected)


x = np.array([0.3, -1.2, 0.8], np.float32)

# 1. gradients and the IR they come from
f = lambda v: jnp.sum(jnp.sin(v) * v)
show("grad of sum(sin(x) x)", lintra.grad(f)(x), np.cos(x) * x + np.sin(x))
print("\nThe reverse-mode IR of that gradient (make_ir(grad(f))):")
print(lintra.make_ir(lintra.grad(f))(x))

# 2. Hessian of x.x
show("hessian of x.x", lintra.hessian(lambda v: jnp.dot(v, v))(x), 2 * np.eye(3))

# 3. Hessian-vector products three ways
g = lambda v: jnp.sum(jnp.sin(v) * v ** 2)
v = np.array([1.0, 0.5, -2.0], np.float32)
closed = (2 * np.sin(x) + 4 * x * np.cos(x) - x ** 2 * np.sin(x)) * v
show("HVP forward-over-reverse", lintra.jvp(lintra.grad(g), (x,), (v,))[1], closed)
show("HVP reverse-over-forward", lintra.grad(lambda y: lintra.jvp(g, (y,), (v,))[1])(x), closed)
show("HVP reverse-over-reverse", lintra.grad(lambda y: jnp.vdot(lintra.grad(g)(y), v))(x), closed)


# 4. TD(0) with stop_gradient: the bootstrapped target is held fixed
def td_loss(theta, s_tm1, r_t, s_t):
    target = r_t + lax.stop_gradient(jnp.tanh(jnp.dot(theta, s_t)))
    return (target - jnp.tanh(jnp.dot(theta, s_tm1))) ** 2


theta, s0, s1 = np.array([0.1, -0.2, 0.3], np.float32), np.array([1.0, 2.0, -1.0], np.float32), np.ones(3, np.float32)
v0, v1 = np.tanh(theta @ s0), np.tanh(theta @ s1)
show("TD(0) gradient", lintra.grad(td_loss)(theta, s0, 0.5, s1), -2 * (0.5 + v1 - v0) * (1 - v0 ** 2) * s0)


# 5. straight-through estimator
def ste_round(y):
    return y - lax.stop_gradient(y) + lax.stop_gradient(jnp.round(y))


show("straight-through round: jacobian", lintra.jacfwd(ste_round)(x), np.eye(3))


# 6. custom_jvp: a numerically stable log(1 + exp(x))
@lintra.custom_jvp
def log1pexp(y):
    return jnp.log(1.0 + jnp.exp(y))


@log1pexp.defjvp
def _log1pexp_jvp(primals, tangents):
    y, = primals
    return log1pexp(y), tangents[0] * (1.0 - 1.0 / (1.0 + jnp.exp(y)))


show("grad log1pexp at 100 (custom_jvp)", lintra.grad(log1pexp)(100.0), 1.0)


# 7. custom_vjp: gradient clipping
@partial(lintra.custom_vjp, nondiff_argnums=(0,))
def clip_gradient(bound, y):
    return y


clip_gradient.defvjp(lambda bound, y: (y, None), lambda bound, _, ct: (jnp.clip(ct, -bound, bound),))
show("grad through clip_gradient(0.5)", lintra.grad(lambda y: jnp.sum(clip_gradient(0.5, y) * 3.0))(x), [0.5] * 3)

# 8. Jacobians of dict-valued parameters
params = {"w": np.array([[1.0, 2.0], [3.0, 4.0]], np.float32), "b": np.array([0.5, -0.5], np.float32)}
jac = lintra.jacrev(lambda p: jnp.tanh(jnp.dot(p["w"], np.array([1.0, -1.0], np.float32)) + p["b"]))(params)
d = 1 - np.tanh(params["w"] @ [1.0, -1.0] + params["b"]) ** 2
show("jacrev w.r.t. params['b']", jac["b"], np.diag(d))

# 9. Python control flow outside jit differentiates the path taken
def double_until_ten(y):
    while y < 10.0:
        y = y * 2.0
    return y


show("grad of a while loop (3 -> 6 -> 12, so 4x)", lintra.grad(double_until_ten)(3.0), 4.0)
