"""Reductions (axis, keepdims, dtype) against NumPy, eagerly and under jit, with JAX's result dtypes."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp

X = np.array([[3.0, -1.0, 4.0, 1.5], [-5.0, 9.0, 2.0, 6.0], [5.0, 3.0, -5.0, 8.0]], np.float32)


def both(f, *args):
    return [f(*[jnp.asarray(a) for a in args]), lintra.jit(f)(*args)]


CASES = [
    ("sum", {}), ("sum", {"axis": 0}), ("sum", {"axis": -1, "keepdims": True}), ("sum", {"axis": (0, 1)}),
    ("prod", {"axis": 1}), ("max", {}), ("max", {"axis": 0, "keepdims": True}), ("min", {"axis": 1}),
    ("mean", {}), ("mean", {"axis": 0}), ("var", {"axis": 1}), ("var", {"ddof": 1}),
    ("std", {"axis": 0, "keepdims": True}), ("argmax", {}), ("argmax", {"axis": 0}), ("argmin", {"axis": 1}),
    ("argmin", {"axis": 1, "keepdims": True}), ("cumsum", {}), ("cumsum", {"axis": 0}), ("cumprod", {"axis": 1}),
    ("any", {"axis": 0}), ("all", {}), ("all", {"axis": 1, "keepdims": True}),
]


def test_reductions_match_numpy():
    def f(m, x, cases):
        return [getattr(m, name)(x > 0 if name in ("any", "all") else x, **kw) for name, kw in cases]
    eager = CASES[::3]    # each eager op compiles once: a sample suffices for the eager path
    for cases, outs in ((CASES, lintra.jit(lambda x: f(jnp, x, CASES))(X)), (eager, f(jnp, jnp.asarray(X), eager))):
        for (name, kw), got, want in zip(cases, outs, f(np, X, cases)):
            assert got.shape == want.shape, (name, kw)
            np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6, err_msg=f"{name} {kw}")


def test_methods_match_functions():
    x = jnp.asarray(X)
    np.testing.assert_allclose(x.sum(axis=1), X.sum(axis=1))
    np.testing.assert_allclose(x.mean(0, keepdims=True), X.mean(0, keepdims=True))
    assert x.argmax() == X.argmax() and x.max() == X.max() and x.min(axis=0).tolist() == X.min(axis=0).tolist()
    np.testing.assert_allclose(x.std(), X.std(), rtol=1e-6)
    np.testing.assert_allclose(x.var(correction=1), X.var(ddof=1), rtol=1e-6)


def test_result_dtypes_follow_jax():
    ints = np.array([[1, 2], [3, 4]], np.int8)
    out = both(lambda a: (jnp.sum(a), jnp.prod(a, axis=0), jnp.cumsum(a), jnp.max(a), jnp.mean(a),
                          jnp.sum(a > 2), jnp.sum(a, dtype=jnp.int8), jnp.var(a), jnp.argmax(a, axis=1)), ints)
    for got in out:
        # cumsum keeps int8 (JAX 0.10.2: only bools widen in cumulative reductions)
        assert [o.dtype for o in got] == [np.int32, np.int32, np.int8, np.int8, np.float32, np.int32, np.int8,
                                          np.float32, np.int32]
        assert got[0] == 10 and got[5] == 2 and got[4] == 2.5 and got[7] == 1.25
    u = jnp.asarray(np.array([200, 100], np.uint8))
    assert jnp.sum(u).dtype == np.uint32 and int(jnp.sum(u)) == 300
    h = np.array([1.0, 2.0, 3.0], np.float16)
    assert jnp.sum(jnp.asarray(h)).dtype == np.float16 and jnp.mean(h).dtype == np.float16
    assert not jnp.sum(jnp.asarray(2.0)).weak_type
    c = np.array([1 + 1j, 3 - 1j], np.complex64)
    assert jnp.var(c).dtype == np.float32 and float(jnp.var(c)) == pytest.approx(np.var(c))


def test_nan_and_empty_reductions():
    y = np.array([1.0, np.nan, 3.0], np.float32)
    outs = both(lambda a: (jnp.max(a), jnp.argmax(a), jnp.argmin(a), jnp.sum(a[:0]), jnp.prod(a[:0])), y)
    for m, amax, amin, s, p in outs:
        assert np.isnan(m) and int(amax) == 1 and int(amin) == 1 and float(s) == 0 and float(p) == 1
    with pytest.raises(ValueError, match="zero-size array.*max.*no identity"):
        jnp.max(jnp.zeros((0, 2)), axis=0)
    with pytest.raises(ValueError, match="argmax of an empty sequence"):
        jnp.argmax(jnp.zeros(0))


def test_bad_axes_raise_numpy_errors():
    x = jnp.asarray(X)
    with pytest.raises(np.exceptions.AxisError, match="axis 2 is out of bounds for array of dimension 2"):
        jnp.sum(x, axis=2)
    with pytest.raises(ValueError, match="repeated axis"):
        jnp.sum(x, axis=(0, -2))
    with pytest.raises(TypeError, match="axis must be an integer"):
        jnp.argmax(x, axis=1.0)
    with pytest.raises(TypeError, match="sum requires ndarray or scalar arguments, got list"):
        jnp.sum([1, 2])
