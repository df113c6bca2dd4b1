"""Polynomial and set functions of jax.numpy: values and dtypes as JAX 0.10.2 gives them (recorded literally),
NumPy as reference where they agree, jit with size=, derivatives against finite differences."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra.test_util import check_grads

P = np.array([1, 2, 3], np.int32)
Q = np.array([2, 0], np.int32)
F = np.array([1., -3., 2.], np.float32)


def _same(r, want, dtype):
    assert r.dtype == np.dtype(dtype), (r.dtype, dtype)
    np.testing.assert_allclose(np.asarray(r), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("f, want, dtype", [
    (lambda: jnp.polyval(P, np.array([1, 2], np.int32)), [6, 11], np.int32),
    (lambda: jnp.polyval(P, 2.5), 14.25, np.float32),
    (lambda: jnp.polyval(F, np.array([[1., 2.]], np.float32)), [[0., 0.]], np.float32),
    (lambda: jnp.polyadd(P, Q), [1, 4, 3], np.int32),
    (lambda: jnp.polysub(Q, P), [-1, 0, -3], np.int32),
    (lambda: jnp.polyadd(np.ones((2, 2), np.float32), Q), [[3., 1.], [3., 1.]], np.float32),
    (lambda: jnp.polymul(P, Q), [2., 4., 6., 0.], np.float32),
    (lambda: jnp.polymul(np.array([0, 1, 2]), Q), [0., 2., 4., 0.], np.float32),
    (lambda: jnp.polymul(np.array([0, 1, 2]), Q, trim_leading_zeros=True), [2., 4., 0.], np.float32),
    (lambda: jnp.polydiv(P, Q)[0], [0.5, 1.], np.float32),
    (lambda: jnp.polydiv(P, Q)[1], [0., 0., 3.], np.float32),
    (lambda: jnp.polydiv(F, np.array([1., -1.], np.float32))[0], [1., -2.], np.float32),
    (lambda: jnp.polyder(P), [2., 2.], np.float32),
    (lambda: jnp.polyder(np.array([1, 2, 3, 4]), 2), [6., 4.], np.float32),
    (lambda: jnp.polyder(P, 0), [1., 2., 3.], np.float32),
    (lambda: jnp.polyint(P), [1 / 3, 1., 3., 0.], np.float32),
    (lambda: jnp.polyint(F, 2, k=3), [1 / 12, -0.5, 1., 3., 3.], np.float32),
    (lambda: jnp.poly(np.array([1, 2])), [1., -3., 2.], np.float32),
    (lambda: jnp.poly(F), [1., 0., -7., 6.], np.float32),
    (lambda: jnp.poly(np.array([1j, -1j], np.complex64)), [1, 0, 1], np.complex64),   # JAX keeps complex
    (lambda: jnp.polyfit(np.arange(5.), np.arange(5.) ** 2, 2), [1., 0., 0.], np.float32),
    (lambda: jnp.vander(P), [[1, 1, 1], [4, 2, 1], [9, 3, 1]], np.int32),
    (lambda: jnp.vander(F, 2, increasing=True), [[1., 1.], [1., -3.], [1., 2.]], np.float32),
    (lambda: jnp.trim_zeros(np.array([0, 0, 1, 2, 0])), [1, 2], np.int32),
    (lambda: jnp.trim_zeros(np.array([0, 0, 1, 2, 0]), "f"), [1, 2, 0], np.int32),
])
def test_polynomials_match_jax(f, want, dtype):
    _same(f(), want, dtype)


def test_polynomials_against_numpy():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=5), rng.normal(size=3)
    np.testing.assert_allclose(np.asarray(jnp.polymul(a, b)), np.polymul(a, b), rtol=1e-5)
    q, r = jnp.polydiv(a, b)
    nq, nr = np.polydiv(a, b)
    np.testing.assert_allclose(np.asarray(q), nq, rtol=1e-4)
    np.testing.assert_allclose(np.asarray(r)[-len(nr):], nr, rtol=1e-3, atol=1e-5)
    x = np.linspace(-1, 1, 20)
    y = 0.5 * x ** 3 - x + 0.25 + 0.01 * rng.normal(size=20)
    np.testing.assert_allclose(np.asarray(jnp.polyfit(x, y, 3)), np.polyfit(x, y, 3), rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(np.asarray(jnp.polyfit(x, y, 2, w=np.abs(x) + 1)),
                               np.polyfit(x, y, 2, w=np.abs(x) + 1), rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(np.asarray(jnp.polyint(a, 3, k=np.array([1., 2., 3.]))), np.polyint(a, 3, k=[1., 2., 3.]),
                               rtol=1e-5)


def test_polynomials_under_jit():
    f = lintra.jit(lambda p, x: (jnp.polyval(p, x), jnp.polyder(p), jnp.polymul(p, p)))
    v, d, m = f(F, np.float32(2.0))
    np.testing.assert_allclose(np.asarray(v), np.polyval(F, 2.0))
    np.testing.assert_allclose(np.asarray(d), np.polyder(F))
    np.testing.assert_allclose(np.asarray(m), np.polymul(F, F))


def test_poly_of_a_matrix_is_its_characteristic_polynomial():
    # recorded from JAX 0.10.2: jnp.round(jnp.poly(x)) for this x is [1, -11, 9, -15] as complex64
    x = np.array([[2, 1, 5], [3, 4, 7], [1, 3, 5]])
    got = jnp.poly(x)
    assert got.dtype == np.complex64
    np.testing.assert_allclose(np.asarray(got), np.poly(x), rtol=1e-5, atol=1e-4)
    with pytest.raises(ValueError, match="1d or non-empty square 2d"):
        jnp.poly(np.ones((2, 3)))


@pytest.mark.parametrize("f", [
    lambda p: jnp.polyval(p, p[1]),
    lambda p: jnp.polymul(p, p[::-1]),
    lambda p: jnp.polyint(jnp.polyder(p) * p[0]),
    lambda p: jnp.poly(p),
    lambda p: jnp.polydiv(p, p[1:])[0],
    lambda p: jnp.vander(p, 4),
    lambda p: jnp.polyfit(jnp.arange(3.0), p, 1),
])
def test_polynomial_gradients(f):
    check_grads(f, (np.array([0.7, -1.3, 2.1], np.float32),), order=2, modes=["fwd", "rev"], rtol=2e-2,
                atol=2e-2)


A = np.array([5, 1, 3, 3, 7], np.int32)
B = np.array([3, 4, 5, 5, 9, 2], np.int32)


@pytest.mark.parametrize("f, want", [
    (lambda: jnp.union1d(A, B), [[1, 2, 3, 4, 5, 7, 9]]),
    (lambda: jnp.union1d(A, B, size=9), [[1, 2, 3, 4, 5, 7, 9, 1, 1]]),
    (lambda: jnp.union1d(A, B, size=9, fill_value=-1), [[1, 2, 3, 4, 5, 7, 9, -1, -1]]),
    (lambda: jnp.union1d(A, B, size=3), [[1, 2, 3]]),
    (lambda: jnp.intersect1d(A, B), [[3, 5]]),
    (lambda: jnp.intersect1d(A, B, size=4), [[3, 5, 3, 3]]),
    (lambda: jnp.intersect1d(A, B, return_indices=True), [[3, 5], [2, 0], [0, 2]]),
    (lambda: jnp.intersect1d(A, B, return_indices=True, size=3, fill_value=0), [[3, 5, 0], [2, 0, 5], [0, 2, 6]]),
    (lambda: jnp.intersect1d(A.reshape(5, 1), B), [[3, 5]]),
    (lambda: jnp.setdiff1d(A, B), [[1, 7]]),
    (lambda: jnp.setdiff1d(A, B, size=4), [[1, 7, 0, 0]]),
    (lambda: jnp.setdiff1d(A, A, size=2), [[0, 0]]),
    (lambda: jnp.setxor1d(A, B), [[1, 2, 4, 7, 9]]),
    (lambda: jnp.setxor1d(A, B, size=7), [[1, 2, 4, 7, 9, 1, 1]]),
    (lambda: jnp.isin(A, B), [[True, False, True, True, False]]),
    (lambda: jnp.isin(A.reshape(1, 5), B, invert=True), [[[False, True, False, False, True]]]),
    (lambda: jnp.unique_values(A), [[1, 3, 5, 7]]),
    (lambda: jnp.unique_counts(A), [[1, 3, 5, 7], [1, 2, 1, 1]]),
    (lambda: jnp.unique_inverse(A.reshape(1, 5)), [[1, 3, 5, 7], [[2, 0, 1, 1, 3]]]),
    (lambda: jnp.unique_all(A), [[1, 3, 5, 7], [1, 2, 0, 4], [2, 0, 1, 1, 3], [1, 2, 1, 1]]),
])
def test_set_operations_match_jax(f, want):
    got = f()
    got = got if isinstance(got, tuple) else (got,)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.dtype in (np.int32, np.bool_)
        np.testing.assert_array_equal(np.asarray(g), w)


def test_set_operation_results_have_named_fields():
    r = jnp.unique_all(A)
    assert r._fields == ("values", "indices", "inverse_indices", "counts")
    assert jnp.unique_counts(A)._fields == ("values", "counts")
    assert jnp.unique_inverse(A)._fields == ("values", "inverse_indices")


def test_set_operations_with_nan_and_under_jit():
    r = jnp.union1d(np.array([1., np.nan], np.float32), np.array([np.nan, 2.], np.float32))
    np.testing.assert_array_equal(np.asarray(r), [1., 2., np.nan])
    f = lintra.jit(lambda a, b: (jnp.setxor1d(a, b, size=7), jnp.intersect1d(a, b, size=3, return_indices=True),
                                 jnp.setdiff1d(a, b, size=4), jnp.union1d(a, b, size=8)))
    xor, (inter, i1, i2), diff, union = f(A, B)
    np.testing.assert_array_equal(np.asarray(xor), [1, 2, 4, 7, 9, 1, 1])
    np.testing.assert_array_equal(np.asarray(inter), [3, 5, 3])
    np.testing.assert_array_equal(np.asarray(i1), [2, 0, 5])
    np.testing.assert_array_equal(np.asarray(i2), [0, 2, 6])
    np.testing.assert_array_equal(np.asarray(diff), [1, 7, 0, 0])
    np.testing.assert_array_equal(np.asarray(union), [1, 2, 3, 4, 5, 7, 9, 1])


def test_set_operations_against_numpy_random():
    rng = np.random.default_rng(1)
    for _ in range(5):
        a, b = rng.integers(0, 12, size=9), rng.integers(0, 12, size=7)
        for ours, ref in [(jnp.union1d, np.union1d), (jnp.intersect1d, np.intersect1d),
                          (jnp.setdiff1d, np.setdiff1d), (jnp.setxor1d, np.setxor1d)]:
            np.testing.assert_array_equal(np.asarray(ours(a, b)), ref(a, b))
        np.testing.assert_array_equal(np.asarray(jnp.isin(a, b)), np.isin(a, b))


def _match(got, want, tol):
    """Every root of want has one of got within tol (relative to the largest root), and vice versa."""
    scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
    assert got.shape == want.shape
    assert all(np.min(np.abs(got - w)) <= tol * scale for w in want)
    assert all(np.min(np.abs(want - g)) <= tol * scale for g in got)


def test_roots_against_numpy():
    rng = np.random.default_rng(0)
    for n in range(1, 10):
        for _ in range(3):
            p = rng.normal(size=n + 1).astype(np.float32)
            got = jnp.roots(p)
            assert got.dtype == np.complex64
            _match(np.asarray(got), np.roots(p.astype(np.float64)), 1e-4)
    _match(np.asarray(jnp.roots(np.array([1, 0, 1]))), np.array([1j, -1j]), 1e-6)
    _match(np.asarray(jnp.roots(np.array([2., -6., 4., 0.]))), np.array([2., 1., 0.]), 1e-5)
    _match(np.asarray(jnp.roots(np.array([0., 0., 1., -3., 2.]))), np.array([2., 1.]), 1e-5)   # strip_zeros
    # a double root converges only to about sqrt(eps), as eigenvalue methods do
    _match(np.asarray(jnp.roots(np.array([1., -2., 1.]))), np.array([1., 1.]), 1e-3)
    assert jnp.roots(np.array([5.])).shape == (0,)


def test_roots_without_stripping_is_jittable_with_nan_for_leading_zeros():
    # JAX 0.10.2: roots([0, 1, -3, 2], strip_zeros=False) == [1, 2, nan] (in some order)
    f = lintra.jit(lambda p: jnp.roots(p, strip_zeros=False))
    r = np.asarray(f(np.array([0., 1., -3., 2.], np.float32)))
    assert np.isnan(r).sum() == 1
    _match(r[~np.isnan(r)], np.array([1., 2.]), 1e-5)
    assert np.isnan(np.asarray(jnp.roots(np.zeros(3), strip_zeros=False))).all()


def test_roots_gradient():
    # the roots' sum is -p1/p0 (Vieta), so its gradient is (p1/p0**2, -1/p0, 0); JAX 0.10.2 gives (-3, -1, 0) here
    g = lintra.grad(lambda p: jnp.roots(p).real.sum())(np.array([1., -3., 2.], np.float32))
    np.testing.assert_allclose(np.asarray(g), [-3., -1., 0.], atol=1e-4)


def test_unique_pads_indices_as_jax():
    # JAX 0.10.2 pads return_index with the first unique value's index, whatever fill_value is
    vals, idx = jnp.unique(np.array([4, 2, 9]), return_index=True, size=5, fill_value=-1)
    assert vals.tolist() == [2, 4, 9, -1, -1] and idx.tolist() == [1, 0, 2, 1, 1]
    assert jnp.unique_all(A, size=5, fill_value=0).indices.tolist() == [1, 2, 0, 4, 1]
