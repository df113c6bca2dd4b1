"""lintra.scipy.linalg.eigh_tridiagonal: eigenvalues against scipy.linalg.eigh_tridiagonal (all, and by index
range), eigenvectors checked as T V = V diag(w) with V orthonormal (also for clusters of equal eigenvalues,
and Hermitian complex input), under jit; JAX 0.10.2's errors and recorded values."""
import numpy as np
import pytest
import scipy.linalg as sl

import lintra
import lintra.scipy.linalg as L

rng = np.random.default_rng(2)
TOL = {np.float32: 2e-5, np.float64: 1e-13}


def _dense(d, e):
    return np.diag(d) + np.diag(e, 1) + np.diag(np.conj(e), -1)


def _check_vectors(d, e, w, v, tol, ortho_tol=None):
    t, w, v = _dense(d, e), np.asarray(w), np.asarray(v)
    scale = np.abs(t).max()
    np.testing.assert_allclose(t @ v, v * w, atol=tol * 20 * scale * len(d))
    np.testing.assert_allclose(v.conj().T @ v, np.eye(v.shape[1]), atol=ortho_tol or tol * 20 * len(d))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("n", [2, 7, 30])
def test_values_and_vectors(dtype, n, x64):
    d, e = rng.normal(size=n).astype(dtype), rng.normal(size=n - 1).astype(dtype)
    w = L.eigh_tridiagonal(d, e, eigvals_only=True)
    assert w.dtype == dtype and w.shape == (n,)
    want = sl.eigh_tridiagonal(d.astype(np.float64), e.astype(np.float64), eigvals_only=True)
    np.testing.assert_allclose(np.asarray(w), want, atol=TOL[dtype] * 10 * np.abs(want).max())
    w2, v = lintra.jit(L.eigh_tridiagonal)(d, e)
    np.testing.assert_array_equal(np.asarray(w2), np.asarray(w))
    assert v.dtype == dtype and v.shape == (n, n)
    _check_vectors(d, e, w2, v, TOL[dtype])


def test_select_by_index_and_tol(x64):
    d, e = rng.normal(size=9), rng.normal(size=8)
    got = L.eigh_tridiagonal(d, e, eigvals_only=True, select="i", select_range=(2, 5))
    np.testing.assert_allclose(np.asarray(got), sl.eigh_tridiagonal(d, e, eigvals_only=True, select="i",
                                                                    select_range=(2, 5)), atol=1e-13)
    w, v = L.eigh_tridiagonal(d, e, select="i", select_range=(0, 3))
    assert v.shape == (9, 4)
    _check_vectors(d, e, w, v, 1e-13)
    coarse = L.eigh_tridiagonal(d, e, eigvals_only=True, tol=1e-3)
    np.testing.assert_allclose(np.asarray(coarse), sl.eigh_tridiagonal(d, e, eigvals_only=True), atol=1e-3)


def test_clusters_and_hermitian(x64):
    # a block diagonal matrix (zero off-diagonals) with a triple eigenvalue: its eigenvectors span a subspace
    d, e = np.array([1.0, 1.0, 2.0, 1.0, 3.0]), np.array([0.0, 0.0, 0.0, 0.0])
    w, v = L.eigh_tridiagonal(d, e)
    np.testing.assert_allclose(np.asarray(w), [1, 1, 1, 2, 3], atol=1e-14)
    _check_vectors(d, e, w, v, 1e-13)
    # Wilkinson's W21+: pairs of eigenvalues agreeing to many digits; a pair just too far apart to count as a
    # cluster comes out orthogonal to eps / gap only (JAX 0.10.2's vectors: 9.9e-11 off)
    d, e = np.abs(np.arange(-10.0, 11.0)), np.ones(20)
    w, v = L.eigh_tridiagonal(d, e)
    np.testing.assert_allclose(np.asarray(w), np.linalg.eigvalsh(_dense(d, e)), atol=1e-12)
    _check_vectors(d, e, w, v, 1e-13, ortho_tol=1e-9)
    # Hermitian: complex e, real eigenvalues, complex eigenvectors
    d, e = (rng.normal(size=6) + 0j), rng.normal(size=5) + 1j * rng.normal(size=5)
    w, v = L.eigh_tridiagonal(d, e)
    assert w.dtype == np.float64 and v.dtype == np.complex128
    np.testing.assert_allclose(np.asarray(w), np.linalg.eigvalsh(_dense(d, e)), atol=1e-12)
    _check_vectors(d, e, w, v, 1e-13)


def test_recorded_from_jax():
    # the docstring example of JAX 0.10.2 (float32), its eigenvalues and, from the default key, its vectors
    d, e = np.array([1., 2., 3., 4.], np.float32), np.ones(3, np.float32)
    w, v = L.eigh_tridiagonal(d, e)
    np.testing.assert_allclose(np.asarray(w), [0.2547188, 1.8227171, 3.1772828, 4.745281], rtol=1e-6)
    jax_v = [[0.7779505, 0.55327106, -0.29117376, 0.06246512], [-0.5797919, 0.45518553, -0.6339677, 0.23394944],
             [0.23394947, -0.63396764, -0.45518556, 0.5797919], [-0.06246513, 0.29117376, 0.5532711, 0.7779506]]
    # eigenvectors are unique up to sign: compare up to sign, column by column
    signs = np.sign(np.sum(np.asarray(v) * jax_v, axis=0))
    np.testing.assert_allclose(np.asarray(v) * signs, jax_v, atol=1e-5)
    w1, v1 = L.eigh_tridiagonal(np.array([2.], np.float32), np.zeros(0, np.float32))
    np.testing.assert_array_equal(np.asarray(w1), [2.0])
    np.testing.assert_array_equal(np.asarray(v1), [[1.0]])


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(select="v"), NotImplementedError, r"select='v'\) is not implemented"),
    (dict(select="i"), ValueError, "for select='i', select_range must be specified"),
    (dict(select="x"), ValueError, "select must have a value in"),
    (dict(select="i", select_range=(2, 1)), ValueError, "Got empty index range in select_range"),
])
def test_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        L.eigh_tridiagonal(np.ones(3, np.float32), np.ones(2, np.float32), eigvals_only=True, **kwargs)


def test_dtype_errors():
    with pytest.raises(TypeError, match="must have same dtype, got float32 and int32"):
        L.eigh_tridiagonal(np.ones(3, np.float32), np.ones(2, np.int32))
    with pytest.raises(TypeError, match="Only float32 and float64 inputs are supported"):
        L.eigh_tridiagonal(np.ones(3, np.int32), np.ones(2, np.int32))
    with pytest.raises(ValueError, match=r"e a vector \(n - 1,\)"):
        L.eigh_tridiagonal(np.ones(3, np.float32), np.ones(3, np.float32))
