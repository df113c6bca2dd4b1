"""Numerics of the primitives that carry regions (call, custom rules) and of stop_gradient."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax

COVERED_PRIMITIVES = {"call", "custom_jvp_call", "custom_vjp_call", "custom_vjp_lin", "stop_gradient"}


def _prims(f, *args):
    return [op.prim for op in lintra.make_ir(f)(*args).body.walk()]


def test_call_runs_the_callee_eagerly_and_jitted():
    inner = lintra.jit(lambda x, y: jnp.sin(x) * y)
    outer = lambda x: inner(x, 2.0) + inner(x, 3.0)
    x = np.linspace(-1, 1, 4).astype(np.float32)
    assert _prims(outer, x).count("call") == 2
    np.testing.assert_allclose(np.asarray(lintra.jit(outer)(x)), 5 * np.sin(x), rtol=1e-6)


def test_call_inside_a_concrete_trace_is_evaluated():
    inner = lintra.jit(lambda x: jnp.exp(x))
    np.testing.assert_allclose(float(lintra.grad(lambda x: inner(x) * x)(0.5)), np.exp(0.5) * 1.5, rtol=1e-6)


@lintra.custom_jvp
def _softplus(x):
    return jnp.log1p(jnp.exp(x))


_softplus.defjvps(lambda t, out, x: t * lax.logistic(x))


def test_custom_jvp_call_computes_the_function():
    x = np.array([-3.0, 0.0, 4.0], np.float32)
    f = lambda v: _softplus(v) * 2.0
    assert "custom_jvp_call" in _prims(f, x)
    np.testing.assert_allclose(np.asarray(lintra.jit(f)(x)), 2 * np.log1p(np.exp(x)), rtol=1e-6)


@lintra.custom_vjp
def _cube(x):
    return x * x * x


_cube.defvjp(lambda x: (x * x * x, x), lambda x, g: (3.0 * x * x * g,))


def test_custom_vjp_call_and_lin():
    x = np.array([1.0, -2.0], np.float32)
    assert "custom_vjp_call" in _prims(lambda v: _cube(v), x)
    np.testing.assert_allclose(np.asarray(lintra.jit(lambda v: _cube(v))(x)), x ** 3)
    # custom_vjp_lin carries the tangent map; only its transpose (the user's bwd) ever runs
    g = lintra.grad(lambda v: jnp.sum(_cube(v)))
    assert "custom_vjp_lin" not in _prims(g, x)
    np.testing.assert_allclose(np.asarray(g(x)), 3 * x ** 2)
    with pytest.raises(TypeError, match="forward-mode"):
        lintra.jvp(_cube, (x,), (x,))


def test_stop_gradient_is_identity_forwards():
    x = np.array([1.5, -0.5], np.float32)
    np.testing.assert_array_equal(np.asarray(lintra.jit(lax.stop_gradient)(x)), x)
    np.testing.assert_array_equal(np.asarray(lax.stop_gradient(jnp.asarray(x))), x)
    assert float(lintra.grad(lambda v: lax.stop_gradient(v) * v)(3.0)) == 3.0
