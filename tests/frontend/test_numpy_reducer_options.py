"""Reducer options initial=, where=, promote_integers=, dtype=, mean= as JAX 0.10.2 has them; expected values
and dtypes were read off JAX 0.10.2 and NumPy."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra.test_util import check_grads

X = np.array([[1., 5., 3.], [4., 2., 6.]], np.float32)
M = np.array([[True, False, True], [False, False, False]])


def _eq(r, want, dtype):
    assert r.dtype == np.dtype(dtype), (r.dtype, dtype)
    np.testing.assert_allclose(np.asarray(r), want, rtol=1e-6)


@pytest.mark.parametrize("f, want, dtype", [
    (lambda: jnp.max(X, axis=1, where=M, initial=-1.), [3., -1.], np.float32),
    (lambda: jnp.max(X, axis=1, initial=4.5), [5., 6.], np.float32),
    (lambda: jnp.min(X, axis=0, where=M, initial=10.), [1., 10., 3.], np.float32),
    (lambda: jnp.sum(X, axis=1, where=M, initial=10), [14., 10.], np.float32),
    (lambda: jnp.prod(X, axis=0, where=M), [1., 1., 3.], np.float32),
    (lambda: jnp.any(X > 2, axis=1, where=M), [True, False], np.bool_),
    (lambda: jnp.all(X > 2, axis=1, where=M), [False, True], np.bool_),
    (lambda: jnp.mean(X, axis=1, where=M), [2., np.nan], np.float32),
    (lambda: jnp.mean(X, axis=1, where=M, keepdims=True), [[2.], [np.nan]], np.float32),
    (lambda: jnp.var(X, where=M), 1.0, np.float32),
    (lambda: jnp.std(X, axis=1, where=M), [1., np.nan], np.float32),
    (lambda: jnp.var(X, axis=1, mean=X.mean(1, keepdims=True)), X.var(1), np.float32),
    (lambda: jnp.sum(X, axis=1, where=np.array([True, False, True])), [4., 10.], np.float32),
    (lambda: jnp.min(np.zeros((0,), np.float32), initial=3.), 3., np.float32),
    (lambda: jnp.nansum(np.array([1., np.nan, 3.], np.float32), where=np.array([True, True, False]), initial=2.),
     3., np.float32),
    (lambda: jnp.nanmax(np.array([1., np.nan, 3.], np.float32), where=np.array([True, True, False]), initial=0.),
     1., np.float32),
    (lambda: jnp.nanmean(np.array([1., np.nan, 3.], np.float32), where=np.array([True, True, False])), 1.,
     np.float32),
    (lambda: jnp.nanvar(np.array([1., np.nan, 3., 6.], np.float32), where=np.array([True, True, False, True])),
     6.25, np.float32),
])
def test_where_and_initial_match_jax(f, want, dtype):
    _eq(f(), want, dtype)


I8 = np.array([1, 2, 100], np.int8)


@pytest.mark.parametrize("f, want, dtype", [
    (lambda: jnp.sum(I8, promote_integers=False), 103, np.int8),
    (lambda: jnp.sum(I8), 103, np.int32),
    (lambda: jnp.prod(I8, promote_integers=False), -56, np.int8),     # wraps in int8, as JAX
    (lambda: jnp.sum(I8, initial=3), 106, np.int32),
    (lambda: jnp.max(I8, initial=50), 100, np.int8),
    (lambda: jnp.sum(np.array([True, True]), promote_integers=False), 2, np.int32),
    (lambda: jnp.mean(I8, where=np.array([True, True, False])), 1.5, np.float32),
    (lambda: jnp.sum(I8, dtype=np.float32), 103., np.float32),
])
def test_integer_promotion_and_dtype_match_jax(f, want, dtype):
    _eq(f(), want, dtype)


def test_max_with_where_needs_initial():
    with pytest.raises(ValueError, match="does not have an identity"):
        jnp.max(X, where=M)


def test_where_under_jit_and_gradients():
    f = lintra.jit(lambda x: jnp.sum(x * x, axis=1, where=M, initial=1.0))
    np.testing.assert_allclose(np.asarray(f(X)), [11., 1.])
    g = lintra.grad(lambda x: jnp.mean(x, where=M))(X)
    np.testing.assert_allclose(np.asarray(g), M / M.sum())
    check_grads(lambda x: jnp.var(x, axis=1, where=np.array([True, False, True])), (X,), order=2,
                modes=["fwd", "rev"])
    check_grads(lambda x: jnp.max(x, axis=0, where=M, initial=-10.0), (X,), order=1, modes=["fwd", "rev"])
