"""Array creation and shape manipulation against NumPy, eagerly and under jit."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp

X = np.arange(24, dtype=np.float32).reshape(2, 3, 4)


def creations(m):
    return [m.zeros((2, 3)), m.ones(4, dtype=m.int8), m.full((2, 2), 7), m.arange(5), m.eye(3),
            m.array([[1, 2], [3, 4]]), m.linspace(0, 1, 5),
            # from here on, under jit only (each eager op compiles once; the eager path is the same code)
            m.full(3, 2.5, m.float16), m.arange(2, 11, 3), m.arange(1.0, 2.0, 0.25),
            m.arange(5, 1, -2), m.linspace(-1, 1, 4, endpoint=False), m.linspace(2, 3, 1),
            m.linspace(np.zeros(2), np.ones(2), 3, axis=1), m.linspace(0, 10, 4, dtype=m.int32), m.eye(2, 4, k=1),
            m.eye(3, k=-1, dtype=m.int32), m.identity(2, dtype=bool), m.asarray((1.5, 2)), m.array(3.0, ndmin=2)]


def test_creation_matches_numpy():
    want = creations(np)
    narrowed = {np.dtype(np.float64): np.float32, np.dtype(np.int64): np.int32}
    for got_all in (creations(jnp)[:7], lintra.jit(lambda: creations(jnp))()):
        for got, w in zip(got_all, want):
            np.testing.assert_allclose(np.asarray(got), w, rtol=1e-6, atol=1e-7)
            assert got.shape == w.shape and got.dtype == narrowed.get(w.dtype, w.dtype)


def test_creation_weak_types_and_likes():
    assert jnp.full(3, 2).weak_type and not jnp.full(3, np.int32(2)).weak_type
    assert not jnp.zeros(2).weak_type and jnp.zeros(2).dtype == np.float32
    w = jnp.asarray(1.5)
    assert jnp.zeros_like(w).weak_type and not jnp.ones_like(w, dtype=jnp.float16).weak_type
    like = jnp.full_like(jnp.ones((2, 3), jnp.int8), 3, shape=(4,))
    assert like.dtype == np.int8 and like.tolist() == [3, 3, 3, 3]
    assert jnp.ones_like(X).dtype == np.float32 and jnp.empty_like(X).shape == X.shape
    # np.empty's contents are whatever memory held, so only its type can be compared
    assert jnp.empty((1, 2)).shape == (1, 2) and jnp.empty((1, 2)).dtype == np.float32
    mixed = jnp.asarray([jnp.ones(2, jnp.float16), np.array([1, 2], np.int8)])
    assert mixed.dtype == np.float16 and mixed.shape == (2, 2) and not mixed.weak_type
    assert jnp.asarray([1, 2.5]).dtype == np.float32 and jnp.asarray([True, False]).dtype == np.bool_
    traced = lintra.jit(lambda a, b: jnp.array([a, b, 3.0]))(np.float32(1), np.float32(2))
    assert traced.tolist() == [1, 2, 3]
    start, step = jnp.linspace(0.0, 1.0, 5, retstep=True)
    assert float(step) == 0.25


def test_reshape_transpose_and_friends():
    def f(m, x):
        return (m.reshape(x, (4, -1)), x.reshape(6, 4), x.reshape(-1), m.reshape(x, (4, 6), order="F"),
                m.transpose(x), x.transpose(2, 0, 1), x.T, m.swapaxes(x, 0, 2), m.moveaxis(x, 0, -1),
                m.moveaxis(x, [0, 1], [-1, 0]), m.squeeze(x[:1, :, :1]), m.squeeze(x[:1], axis=0),
                m.expand_dims(x, 1), m.expand_dims(x, (0, -1)), m.ravel(x), x.ravel(), x.flatten(),
                m.broadcast_to(x[0, 0], (2, 4)), m.atleast_2d(x[0, 0, 0]), m.atleast_1d(x[0, 0, 0]),
                m.atleast_3d(x[0, 0]), m.permute_dims(x, (1, 0, 2)) if m is jnp else np.transpose(x, (1, 0, 2)))
    want = f(np, X)
    for got_all in (f(jnp, jnp.asarray(X)), lintra.jit(lambda x: f(jnp, x))(X)):
        for got, w in zip(got_all, want):
            assert got.shape == w.shape
            np.testing.assert_array_equal(np.asarray(got), w)
    assert jnp.shape(X) == (2, 3, 4) and jnp.ndim(X) == 3 and jnp.size(X) == 24 and jnp.size(X, 1) == 3
    assert jnp.shape([[1, 2]]) == (1, 2) and jnp.ndim(2.0) == 0
    xs = jnp.broadcast_arrays(jnp.ones((2, 1)), jnp.zeros(3))
    assert [a.shape for a in xs] == [(2, 3), (2, 3)]
    m = jnp.ones((2, 3, 4)).mT
    assert m.shape == (2, 4, 3)


def test_concatenate_and_stack():
    a, b = X[0], X[1] * -1
    def f(m, a, b):
        return (m.concatenate([a, b]), m.concatenate((a, b), axis=1), m.concatenate([a, b], axis=None),
                m.stack([a, b]), m.stack([a, b], axis=-1), m.vstack([a[0], b[0]]), m.hstack([a[0], b[0]]),
                m.hstack([a, b]), m.vstack([a, b]))
    want = f(np, a, b)
    for got_all in (f(jnp, jnp.asarray(a), jnp.asarray(b)), lintra.jit(lambda a, b: f(jnp, a, b))(a, b)):
        for got, w in zip(got_all, want):
            np.testing.assert_array_equal(np.asarray(got), w)
    out = jnp.concatenate([jnp.ones(2, jnp.int8), jnp.ones(1, jnp.float16)])
    assert out.dtype == np.float16
    assert jnp.stack([jnp.asarray(1.0), jnp.asarray(2.0)]).weak_type


def test_shape_errors_are_clear():
    x = jnp.asarray(X)
    with pytest.raises(ValueError, match=r"cannot reshape array of shape \(2, 3, 4\) \(size 24\) into shape "
                                         r"\(5, 5\)"):
        x.reshape(5, 5)
    with pytest.raises(ValueError, match=r"cannot reshape array of shape \(2, 3, 4\) \(size 24\) into shape "
                                         r"\(5, -1\)"):
        x.reshape(5, -1)
    with pytest.raises(ValueError, match="at most one -1"):
        x.reshape(-1, -1)
    with pytest.raises(ValueError, match=r"axes \(1, 0\) don't match array f32\[2,3,4\]"):
        x.transpose(1, 0)
    with pytest.raises(ValueError, match="cannot select an axis to squeeze out which has size not equal to one"):
        jnp.squeeze(x, 1)
    with pytest.raises(ValueError, match="along dimension 1, the array at index 0 has size 3 and the array at "
                                         "index 1 has size 2"):
        jnp.concatenate([x, x[:, :2]])
    with pytest.raises(ValueError, match="zero-dimensional arrays cannot be concatenated"):
        jnp.concatenate([jnp.asarray(1.0), jnp.asarray(2.0)])
    with pytest.raises(ValueError, match="all input arrays must have the same shape"):
        jnp.stack([x, x[0]])
    with pytest.raises(ValueError, match=r"cannot broadcast f32\[2,3,4\] to shape \(3, 4\)"):
        jnp.broadcast_to(x, (3, 4))
    with pytest.raises(np.exceptions.AxisError):
        jnp.expand_dims(x, 5)
    with pytest.raises(lintra.ConcretizationError, match="arange: stop must be a concrete value"):
        lintra.jit(lambda n: jnp.arange(n))(3)
    with pytest.raises(ValueError, match="inhomogeneous|different shapes"):
        jnp.asarray([jnp.ones(2), jnp.ones(3)])
