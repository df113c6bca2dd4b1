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
