"""Column-pivoted QR (LAPACK geqp3 on CPU, as JAX): lax.linalg.qr(pivoting=True), scipy.linalg.qr and
qr_multiply with pivoting=True. a[..., :, p] = q r, |diag(r)| non-increasing, p int32 and equal to SciPy's
(both call geqp3); every mode and dtype, batched and vmapped; derivatives against finite differences."""
import numpy as np
import pytest
import scipy.linalg as sl

import lintra
import lintra.scipy.linalg as L
from lintra import lax
from lintra.test_util import check_grads

rng = np.random.default_rng(5)
TOL = {np.float32: 1e-4, np.float64: 1e-12, np.complex64: 1e-4, np.complex128: 1e-12}


def _matrix(shape, dtype):
    a = rng.normal(size=shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.normal(size=shape)
    return a.astype(dtype)


def _check_factors(a, q, r, p, tol):
    a, q, r, p = (np.asarray(v) for v in (a, q, r, p))
    assert p.dtype == np.int32 and sorted(p.tolist()) == list(range(a.shape[-1]))
    np.testing.assert_allclose(q @ r, a[:, p], atol=tol * 10 * np.abs(a).max())
    np.testing.assert_allclose(q.conj().T @ q, np.eye(q.shape[1]), atol=tol * 10)
    assert np.abs(np.tril(r, -1)).max(initial=0) == 0
    d = np.abs(np.diagonal(r))
    assert np.all(d[:-1] >= d[1:] * (1 - tol)), d


@pytest.mark.parametrize("dtype", list(TOL), ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", [(4, 4), (6, 3), (3, 5)])
@pytest.mark.parametrize("mode", ["full", "economic", "r"])
def test_scipy_qr_pivoting(dtype, shape, mode, x64):
    a = _matrix(shape, dtype)
    out = L.qr(a, pivoting=True, mode=mode)
    m, n = shape
    k = min(m, n)
    want = sl.qr(a, pivoting=True, mode=mode)
    np.testing.assert_array_equal(np.asarray(out[-1]), want[-1])
    if mode == "r":
        r, p = out
        assert r.shape == (m, n) and r.dtype == dtype
        want_r = np.vstack([want[0], np.zeros((m - want[0].shape[0], n))])     # SciPy's r is (k, n)
        np.testing.assert_allclose(np.abs(np.asarray(r)), np.abs(want_r), atol=TOL[dtype] * 10 * np.abs(a).max())
        return
    q, r, p = out
    assert q.shape == ((m, m) if mode == "full" else (m, k)) and r.shape == ((m, n) if mode == "full" else (k, n))
    assert q.dtype == dtype and r.dtype == dtype
    _check_factors(a, q, r, p, TOL[dtype])
    # Q's columns and R's rows are unique up to a phase, and LAPACK picks the same one as SciPy
    np.testing.assert_allclose(np.asarray(r), want[1], atol=TOL[dtype] * 10 * np.abs(a).max())


def test_integer_input_and_rank_deficient(x64):
    a = np.array([[1, 2, 3], [2, 4, 6], [1, 0, 1], [0, 1, 1]])      # column 2 = column 0 + column 1
    q, r, p = L.qr(a, pivoting=True)
    assert q.dtype == np.float64
    _check_factors(a.astype(np.float64), q, r, p, 1e-12)
    assert abs(np.asarray(r)[2, 2]) < 1e-12
    np.testing.assert_array_equal(np.asarray(p), sl.qr(a.astype(float), pivoting=True)[2])


def test_lax_qr_pivoting_batched_and_vmapped(x64):
    a = _matrix((3, 5, 4), np.float64)
    q, r, p = lax.linalg.qr(a, pivoting=True, full_matrices=False)
    assert p.shape == (3, 4) and p.dtype == np.int32
    for i in range(3):
        _check_factors(a[i], q[i], r[i], p[i], 1e-12)
        np.testing.assert_array_equal(np.asarray(p[i]), sl.qr(a[i], pivoting=True)[2])
    qv, rv, pv = lintra.vmap(lambda x: lax.linalg.qr(x, pivoting=True, full_matrices=False), in_axes=2)(
        np.moveaxis(a, 0, 2))
    np.testing.assert_array_equal(np.asarray(pv), np.asarray(p))
    np.testing.assert_allclose(np.asarray(rv), np.asarray(r), atol=1e-12)
    assert len(lax.linalg.qr(a[0])) == 2


# wide: JAX 0.10.2 computes dR2 from the unpermuted x[:, m:] and misses finite differences there; Lintra
# uses Q R2 (the permuted columns) instead
@pytest.mark.parametrize("shape,full", [((4, 4), False), ((6, 3), False), ((6, 3), True), ((3, 5), False),
                                        ((2, 3, 5), True), ((2, 5, 3), True)])
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_qr_pivoting_derivatives(shape, full, dtype, x64):
    a = _matrix(shape, dtype)
    check_grads(lambda x: lax.linalg.qr(x, pivoting=True, full_matrices=full)[:2], (a,), order=1)
    # the permutation is piecewise constant: no tangent, and a derivative through a[:, p] stays consistent
    p_dot = lintra.jvp(lambda x: lax.linalg.qr(x, pivoting=True, full_matrices=full)[2], (a,), (a,))[1]
    assert p_dot.dtype == lintra.dtypes.float0


@pytest.mark.parametrize("mode", ["left", "right"])
@pytest.mark.parametrize("conjugate", [False, True])
@pytest.mark.parametrize("shape", [(5, 3), (3, 5)])
def test_qr_multiply_pivoting(mode, conjugate, shape, x64):
    a = _matrix(shape, np.complex128)
    m, n = shape
    c = _matrix((min(m, n), 2) if mode == "left" else (2, m), np.complex128)
    got_cq, got_r, got_p = L.qr_multiply(a, c, mode=mode, conjugate=conjugate, pivoting=True)
    want_cq, want_r, want_p = sl.qr_multiply(a, c, mode=mode, conjugate=conjugate, pivoting=True)
    np.testing.assert_array_equal(np.asarray(got_p), want_p)
    assert got_p.dtype == np.int32
    np.testing.assert_allclose(np.asarray(got_cq), want_cq, atol=1e-12)
    np.testing.assert_allclose(np.asarray(got_r), want_r, atol=1e-12)
