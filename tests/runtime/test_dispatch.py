"""The fast paths of dispatch: jit's cached call, eager ops' cache keys, the scalar transfer cache, and
eager grad reusing the passes and compiled parts of a repeated trace. Each checks results against NumPy."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax
from lintra.frontend import ad


def test_jit_outputs_know_their_device():
    x = jnp.asarray(np.ones(3, np.float32))
    out = lintra.jit(lambda a: (a * 2, a + 1))(x)
    assert out[0].device == x.device and out[1].devices() == {x.device}


def test_jit_cached_call_with_scalars_numpy_and_captures():
    w = jnp.asarray(np.array([1.0, 2.0, 3.0], np.float32))
    f = lintra.jit(lambda a, b, s: a * w + b * s)
    a, b = np.arange(3, dtype=np.float32), np.ones(3, np.float32)
    for s in (2.0, 5.0):          # same signature: one trace, then the cached executable
        np.testing.assert_allclose(np.asarray(f(a, jnp.asarray(b), s)), a * [1, 2, 3] + b * s)
    assert len(f._cache) == 1
    np.testing.assert_allclose(np.asarray(f(a, b, s=3)), a * [1, 2, 3] + 3)   # a weak int: a new signature


def test_eager_ops_with_attributes():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    for axes in [(0,), (1,), (0, 1)]:
        np.testing.assert_allclose(np.asarray(lax.reduce_sum(jnp.asarray(x), axes)), x.sum(axis=axes))
    np.testing.assert_array_equal(np.asarray(lax.broadcast_in_dim(jnp.asarray(x[0]), (2, 4), (1,))),
                                  np.broadcast_to(x[0], (2, 4)))
    # equal attribute values of different types are different keys (an int shift, a bool flag)
    y = jnp.asarray(np.array([1.5, -2.5], np.float32))
    np.testing.assert_array_equal(np.asarray(lax.convert_element_type(y, np.int32)), [1, -2])


def test_scalar_transfers_keep_sign_and_ignore_later_mutation():
    pos, neg = lintra.device_put(np.float32(0.0)), lintra.device_put(np.float32(-0.0))
    assert not np.signbit(np.asarray(pos)) and np.signbit(np.asarray(neg))
    a = np.array(4.0, np.float32)
    first = lintra.device_put(a)
    a[()] = 9.0
    assert float(first) == 4.0 and float(lintra.device_put(np.array(4.0, np.float32))) == 4.0
    assert float(lintra.device_put(a)) == 9.0
    x = jnp.asarray(np.ones(2, np.float32))
    np.testing.assert_array_equal(np.asarray(x * 2.0), [2, 2])
    np.testing.assert_array_equal(np.asarray(x * 3.0), [3, 3])
    np.testing.assert_array_equal(np.asarray(x * 3), [3, 3])


def _mlp_loss(p, x):
    return jnp.sum(jnp.tanh(x @ p["w"] + p["b"]) ** 2)


def _mlp_grad_np(p, x):
    h = np.tanh(x @ p["w"] + p["b"])
    d = 2 * h * (1 - h ** 2)
    return {"w": x.T @ d, "b": d.sum(0)}


@pytest.fixture(autouse=True)
def compile_repeated_traces_soon(monkeypatch):
    """Repeated eager traces run compiled from their third call on (not after 0.2 s of op-by-op runs)."""
    monkeypatch.setattr(ad, "_COMPILE_AFTER_SECONDS", 1e-9)


def test_repeated_eager_grad_reuses_the_linearized_ir():
    ad._linear_irs.clear()
    rng = np.random.default_rng(0)
    g = lintra.grad(_mlp_loss)
    for i in range(4):      # the last calls run compiled parts; each call has new values
        p = {"w": rng.standard_normal((3, 2)).astype(np.float32), "b": rng.standard_normal(2).astype(np.float32)}
        x = jnp.asarray(rng.standard_normal((5, 3)).astype(np.float32))   # an Array: an input (NumPy: a constant)
        got = g(p, x)
        want = _mlp_grad_np(p, np.asarray(x))
        for k in want:
            np.testing.assert_allclose(np.asarray(got[k]), want[k], rtol=2e-5, atol=1e-5)
    shared = [ir for ir in ad._linear_irs.values() if ir._executables]
    assert shared, "a repeated eager grad should run its parts compiled"


def test_repeated_eager_grad_follows_value_dependent_branches():
    def f(x):
        return jnp.sum(jnp.sin(x)) if float(jnp.sum(x)) > 0 else jnp.sum(x ** 3)
    for v in [1.0, 2.0, -1.0, -2.0, 3.0, -3.0, 0.5]:
        x = np.full(3, v, np.float32)
        want = np.cos(x) if x.sum() > 0 else 3 * x ** 2
        np.testing.assert_allclose(np.asarray(lintra.grad(f)(x)), want, rtol=1e-5)


def test_repeated_eager_grad_sees_changed_closures():
    x = np.array([0.5, -1.0, 2.0], np.float32)
    for scale in [1.0, 2.0, 2.0, 3.0, 3.0]:         # a Python float: a constant of the IR
        np.testing.assert_allclose(np.asarray(lintra.grad(lambda v: jnp.sum(scale * v ** 2))(x)), 2 * scale * x,
                                   rtol=1e-6)
    for w in [1.0, 2.0, 2.0, 5.0]:                   # an Array: an input the trace captures
        wa = jnp.asarray(np.full(3, w, np.float32))
        np.testing.assert_allclose(np.asarray(lintra.grad(lambda v: jnp.sum(wa * jnp.sin(v)))(x)), w * np.cos(x),
                                   rtol=1e-6)


def test_vjp_of_a_repeated_trace_inside_vmap_and_jit():
    a = np.array([[1.0, 2.0], [3.0, -1.0]], np.float32)
    v0 = np.array([0.3, -0.2], np.float32)
    rows = np.eye(2, dtype=np.float32)
    want = (a.T * (1 - np.tanh(a @ v0) ** 2)).T    # J = diag(1 - tanh^2) A; rows of the identity pull back J
    for _ in range(3):
        _, vjp_fun = lintra.vjp(lambda v: jnp.tanh(jnp.asarray(a) @ v), v0)
        np.testing.assert_allclose(np.asarray(lintra.vmap(vjp_fun)(rows)[0]), want, rtol=1e-5)
        np.testing.assert_allclose(np.asarray(lintra.jit(vjp_fun)(rows[1])[0]), want[1], rtol=1e-5)
        np.testing.assert_allclose(np.asarray(vjp_fun(rows[0])[0]), want[0], rtol=1e-5)
