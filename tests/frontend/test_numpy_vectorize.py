"""jnp.vectorize and jnp.apply_along_axis, against NumPy's and JAX 0.10.2's results."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra.test_util import check_grads


def test_vectorize_with_signature_broadcasts_loop_dims():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(5, 2, 3)).astype(np.float32), rng.normal(size=3).astype(np.float32)
    f = jnp.vectorize(lambda m, v: m @ v, signature="(m,n),(n)->(m)")
    np.testing.assert_allclose(np.asarray(f(a, b)), np.vectorize(lambda m, v: m @ v, signature="(m,n),(n)->(m)")(a, b),
                               rtol=1e-5)
    with pytest.raises(ValueError, match="inconsistent size for core dimension 'n': 4 vs 3"):
        f(np.ones((2, 3)), np.ones(4))


def test_vectorize_elementwise_excluded_and_tuple_outputs():
    g = jnp.vectorize(lambda x, p: x ** p, excluded={1})
    np.testing.assert_array_equal(np.asarray(g(jnp.arange(3.0), 2)), [0., 1., 4.])
    add = jnp.vectorize(lambda x, y: x + y)
    np.testing.assert_array_equal(np.asarray(add(np.ones((2, 1)), np.arange(3.0))), np.ones((2, 1)) + np.arange(3.0))
    a, b = jnp.vectorize(lambda x: (x, x * 2))(jnp.arange(2))
    assert a.tolist() == [0, 1] and b.tolist() == [0, 2]
    # a Python branch on a scalar would fail under vmap; jnp.where is the vectorizable form
    h = lintra.jit(jnp.vectorize(lambda x: jnp.where(x > 0, x, 0.0)))
    np.testing.assert_array_equal(np.asarray(h(np.array([-1., 2.], np.float32))), [0., 2.])


def test_apply_along_axis_matches_numpy():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    for axis in range(-3, 3):
        for f in (lambda v: v.sum(), lambda v: v[::-1] * 2, lambda v: jnp.outer(v, v)):
            want = np.apply_along_axis(lambda v: np.asarray(f(jnp.asarray(v))), axis, x)
            np.testing.assert_allclose(np.asarray(jnp.apply_along_axis(f, axis, x)), want)
    check_grads(lambda v: jnp.apply_along_axis(lambda r: jnp.sum(r ** 3), 1, v), (x[0] / 10,), order=2,
                modes=["fwd", "rev"])


def test_frompyfunc_ufunc_methods_match_jax():
    # expected values from JAX 0.10.2 for the same calls
    u = jnp.frompyfunc(lambda x, y: x * y + 1, 2, 1)
    assert (u.nin, u.nout, u.nargs, u.identity, repr(u)) == (2, 1, 2, None, "<jnp.ufunc '<lambda>'>")
    a = jnp.arange(1, 7).reshape(2, 3)
    assert u(a, 2).tolist() == [[3, 5, 7], [9, 11, 13]]
    assert u.outer(jnp.arange(2), jnp.arange(3)).tolist() == [[1, 1, 1], [1, 2, 3]]
    assert u.reduce(a).tolist() == [5, 11, 19]
    assert u.reduce(a, axis=1).tolist() == [10, 127]
    assert int(u.reduce(a, axis=None)) == 1237
    assert u.reduce(a, axis=1, initial=5).tolist() == [40, 637]
    assert u.accumulate(a, axis=1).tolist() == [[1, 3, 10], [4, 21, 127]]
    assert u.reduceat(jnp.arange(6), jnp.array([0, 2, 3])).tolist() == [1, 2, 66]
    assert u.at(jnp.zeros(4, int), jnp.array([0, 0, 2]), 3, inplace=False).tolist() == [4, 0, 1, 0]
    with pytest.raises(ValueError, match="does not have an identity"):
        u.reduce(a, axis=1, where=jnp.array([True, False, True]))
    v = jnp.frompyfunc(lambda x, y: x + y, 2, 1, identity=0)
    assert v.reduce(a, axis=1, where=jnp.array([True, False, True])).tolist() == [4, 10]
    assert float(v.reduce(jnp.zeros((0,)))) == 0.0
    assert v.reduce(a, keepdims=True, axis=0).tolist() == [[5, 7, 9]]
    w = jnp.frompyfunc(lambda x: (x, x * 2), 1, 2)
    assert [r.tolist() for r in w(jnp.arange(3))] == [[0, 1, 2], [0, 2, 4]]


def test_ufunc_reduce_under_jit_and_grad():
    u = jnp.frompyfunc(lambda x, y: x * y + 1, 2, 1)
    assert lintra.jit(lambda x: u.reduce(x, axis=1))(jnp.arange(1, 7).reshape(2, 3)).tolist() == [10, 127]
    g = lintra.grad(lambda x: u.reduce(x, axis=None))(jnp.arange(1.0, 4.0))
    np.testing.assert_allclose(np.asarray(g), [6., 3., 3.])       # d/dx of (x0 x1 + 1) x2 + 1
    check_grads(lambda x: u.accumulate(x), (np.array([0.5, -1.0, 2.0], np.float32),), order=2,
                modes=["fwd", "rev"])
