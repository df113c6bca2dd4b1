"""lintra.scipy.linalg against scipy.linalg (values, in float64; batched where JAX batches), and derivatives
of expm against finite differences and of expm_frechet against SciPy's."""
import numpy as np
import pytest
import scipy.linalg as sl

import lintra
import lintra.scipy.linalg as L
from lintra.test_util import check_grads

rng = np.random.default_rng(0)
A = rng.normal(size=(4, 4))
SPD = A @ A.T + 4 * np.eye(4)
B = rng.normal(size=(4, 2))
V = rng.normal(size=4)
RECT = rng.normal(size=(5, 3))
C = (rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))).astype(np.complex128)


def close(got, want, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(np.asarray(got), want, rtol=rtol, atol=atol)


@pytest.fixture(autouse=True)
def _x64(x64):
    yield


@pytest.mark.parametrize("lower", [False, True])
def test_cholesky_and_cho_solve(lower):
    close(L.cholesky(SPD, lower=lower), sl.cholesky(SPD, lower=lower))
    factor = L.cho_factor(SPD, lower=lower)
    assert factor[1] == lower
    close(L.cho_solve(factor, B), sl.cho_solve(sl.cho_factor(SPD, lower=lower), B))
    close(L.cho_solve(factor, V), np.linalg.solve(SPD, V))


@pytest.mark.parametrize("trans", [0, 1, 2, "T"])
@pytest.mark.parametrize("lower", [False, True])
def test_solve_triangular(trans, lower):
    t = np.tril(A) + 3 * np.eye(4) if lower else np.triu(A) + 3 * np.eye(4)
    close(L.solve_triangular(t, B, trans=trans, lower=lower), sl.solve_triangular(t, B, trans=trans, lower=lower))
    close(L.solve_triangular(t, V, lower=lower, unit_diagonal=True),
          sl.solve_triangular(t, V, lower=lower, unit_diagonal=True))


@pytest.mark.parametrize("assume_a", ["gen", "sym", "pos"])
def test_solve(assume_a):
    close(L.solve(SPD, B, assume_a=assume_a), sl.solve(SPD, B, assume_a=assume_a))
    with pytest.raises(ValueError, match="Expected assume_a to be one of"):
        L.solve(SPD, B, assume_a="banded")


def test_inv_det_eigh_svd_qr():
    close(L.inv(A), sl.inv(A))
    close(L.det(A), sl.det(A))
    w, v = L.eigh(SPD)
    close(w, sl.eigh(SPD)[0])
    close(np.asarray(v) @ np.diag(np.asarray(w)) @ np.asarray(v).T, SPD)
    close(L.eigh(SPD, eigvals_only=True), sl.eigh(SPD, eigvals_only=True))
    u, s, vh = L.svd(RECT, full_matrices=False)
    close(s, sl.svd(RECT, compute_uv=False))
    close(np.asarray(u) * np.asarray(s) @ np.asarray(vh), RECT)
    q, r = L.qr(RECT)
    assert q.shape == (5, 5) and r.shape == (5, 3)
    close(np.asarray(q) @ np.asarray(r), RECT)
    q, r = L.qr(RECT, mode="economic")
    assert q.shape == (5, 3)
    close(np.abs(np.asarray(r)), np.abs(sl.qr(RECT, mode="economic")[1]))
    r, = L.qr(RECT, mode="r")
    close(np.abs(np.asarray(r)), np.abs(sl.qr(RECT, mode="r")[0]))


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5)])
def test_lu(shape):
    a = rng.normal(size=shape)
    p, l, u = L.lu(a)
    wp, wl, wu = sl.lu(a)
    close(p, wp)
    close(l, wl)
    close(u, wu)
    pl, u2 = L.lu(a, permute_l=True)
    close(pl, wp @ wl)
    close(u2, wu)


@pytest.mark.parametrize("trans", [0, 1, 2])
def test_lu_factor_and_solve(trans):
    lu, piv = L.lu_factor(A)
    wlu, wpiv = sl.lu_factor(A)
    close(lu, wlu)
    np.testing.assert_array_equal(np.asarray(piv), wpiv)
    close(L.lu_solve((lu, piv), B, trans=trans), sl.lu_solve((wlu, wpiv), B, trans=trans))
    close(L.lu_solve((lu, piv), V, trans=trans), sl.lu_solve((wlu, wpiv), V, trans=trans))
    lu_c, piv_c = L.lu_factor(C)
    close(L.lu_solve((lu_c, piv_c), C[:, :2], trans=trans), sl.lu_solve(sl.lu_factor(C), C[:, :2], trans=trans))


@pytest.mark.parametrize("side", ["right", "left"])
def test_polar(side):
    u, p = L.polar(RECT if side == "right" else RECT.T, side=side)
    wu, wp = sl.polar(RECT if side == "right" else RECT.T, side=side)
    close(u, wu)
    close(p, wp)


@pytest.mark.parametrize("scale", [0.01, 0.3, 1.0, 3.0, 40.0])
def test_expm(scale):
    close(L.expm(scale * A), sl.expm(scale * A), rtol=1e-9)
    close(L.expm(scale * C), sl.expm(scale * C), rtol=1e-9)
    close(L.expm(np.triu(scale * A), upper_triangular=True), sl.expm(np.triu(scale * A)), rtol=1e-9)


def test_expm_float32_batched_and_too_large():
    a = (0.5 * A).astype(np.float32)
    got = L.expm(np.stack([a, 2 * a]))
    assert got.dtype == np.float32 and got.shape == (2, 4, 4)
    close(got[1], sl.expm(2 * a.astype(np.float64)), rtol=2e-5, atol=2e-5)
    assert np.isnan(np.asarray(L.expm(1e7 * A))).all()


def test_expm_frechet_and_gradient():
    e = rng.normal(size=(4, 4))
    expm_a, frechet = L.expm_frechet(0.7 * A, e)
    wexpm, wfrechet = sl.expm_frechet(0.7 * A, e)
    close(expm_a, wexpm, rtol=1e-9)
    close(frechet, wfrechet, rtol=1e-8)
    close(L.expm_frechet(0.7 * A, e, compute_expm=False), wfrechet, rtol=1e-8)
    check_grads(lambda a: L.expm(a), (0.7 * A,), order=1)


@pytest.mark.parametrize("output", ["real", "complex"])
def test_schur(output):
    t, z = (np.asarray(v) for v in L.schur(A, output=output))
    close(z @ t @ z.conj().T, A)
    wt, _ = sl.schur(A, output=output)
    close(np.sort_complex(np.linalg.eigvals(t)), np.sort_complex(np.linalg.eigvals(wt)))
    assert (t.dtype.kind == "c") == (output == "complex")


def test_sqrtm():
    # the principal root is unique where no eigenvalue is real and negative
    for a in (SPD, A + 4 * np.eye(4), np.array([[1., 2., 3.], [2., 4., 2.], [3., 2., 1.]]), C):
        got = np.asarray(L.sqrtm(a))
        assert got.dtype == np.complex128
        close(got, sl.sqrtm(a).astype(np.complex128), rtol=1e-8, atol=1e-10)
    root = np.asarray(L.sqrtm(A))
    close(root @ root, A, atol=1e-10)
    with pytest.raises(NotImplementedError, match="blocksize > 1"):
        L.sqrtm(SPD, blocksize=2)


def test_solve_sylvester():
    b = rng.normal(size=(3, 3))
    c = rng.normal(size=(4, 3))
    x = np.asarray(L.solve_sylvester(A, b, c))
    assert x.dtype == np.float64
    close(x, sl.solve_sylvester(A, b, c), rtol=1e-9)
    ca = A + 1j * rng.normal(size=(4, 4))
    x = np.asarray(L.solve_sylvester(ca, b, c + 0j))
    close(ca @ x + x @ b, c, atol=1e-12)          # (SciPy 1.x mishandles complex A with a real B here)
    close(x, sl.solve_sylvester(ca, b + 0j, c + 0j), rtol=1e-9)
    batched = L.solve_sylvester(np.stack([A, 2 * A]), b, c)
    close(batched[1], sl.solve_sylvester(2 * A, b, c), rtol=1e-9)
    assert np.isnan(np.asarray(L.solve_sylvester(np.eye(2), -np.eye(2), np.ones((2, 2))))).all()
    with pytest.raises(ValueError, match="Unrecognized method"):
        L.solve_sylvester(A, b, c, method="qz")


def test_solve_sylvester_eigen():
    b = rng.normal(size=(3, 3))
    c = rng.normal(size=(4, 3))
    x = np.asarray(L.solve_sylvester(A, b, c, method="eigen"))
    assert x.dtype == np.float64
    close(x, sl.solve_sylvester(A, b, c), rtol=1e-8, atol=1e-10)
    ca = A + 1j * rng.normal(size=(4, 4))
    x = np.asarray(L.solve_sylvester(ca, b + 0j, c + 0j, method="eigen"))
    assert x.dtype == np.complex128
    close(x, sl.solve_sylvester(ca, b + 0j, c + 0j), rtol=1e-8, atol=1e-10)
    batched = L.solve_sylvester(np.stack([A, 2 * A]), b, c, method="eigen")
    close(batched[1], sl.solve_sylvester(2 * A, b, c), rtol=1e-8, atol=1e-10)
    assert np.isnan(np.asarray(L.solve_sylvester(np.eye(2), -np.eye(2), np.ones((2, 2)), method="eigen"))).all()
    # JAX 0.10.2's docstring example: A = [[1, 2], [3, 4]], B = [[5, 6], [7, 8]], C = [[6, 8], [10, 12]]
    got = L.solve_sylvester(np.array([[1., 2], [3, 4]]), np.array([[5., 6], [7, 8]]), np.array([[6., 8], [10, 12]]),
                            method="eigen")
    close(got, [[1, 0], [0, 1]], atol=1e-10)


@pytest.mark.parametrize("mode", ["left", "right"])
@pytest.mark.parametrize("conjugate", [False, True])
@pytest.mark.parametrize("shape", [(5, 3), (3, 5)])
def test_qr_multiply(mode, conjugate, shape):
    a = rng.normal(size=shape) + 1j * rng.normal(size=shape)
    m, n = shape
    c = rng.normal(size=(min(m, n), 2) if mode == "left" else (2, m)) + 0j
    got_cq, got_r = L.qr_multiply(a, c, mode=mode, conjugate=conjugate)
    want_cq, want_r = sl.qr_multiply(a, c, mode=mode, conjugate=conjugate)
    # Q and R are unique up to unit phases per column of Q / row of R; LAPACK gives both the same ones
    close(got_cq, want_cq)
    close(got_r, want_r)
    v = rng.normal(size=min(m, n) if mode == "left" else m)
    close(L.qr_multiply(a.real, v, mode=mode)[0], sl.qr_multiply(a.real, v, mode=mode)[0])


def test_funm():
    import lintra.numpy as jnp
    close(L.funm(A, jnp.exp), sl.funm(A, np.exp), rtol=1e-9, atol=1e-12)
    close(L.funm(A, jnp.exp), sl.expm(A), rtol=1e-9, atol=1e-12)
    f, err = L.funm(A, jnp.sin, disp=False)
    want_f, want_err = sl.funm(A, np.sin, disp=False)
    close(f, want_f, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(float(err), want_err, rtol=1e-6)
    with pytest.raises(ValueError, match="expected a square matrix"):
        L.funm(RECT, jnp.exp)


def test_hessenberg():
    for a in (A, C):
        h, q = L.hessenberg(a, calc_q=True)
        want_h, want_q = sl.hessenberg(a, calc_q=True)
        close(h, want_h)
        close(q, want_q)
        close(L.hessenberg(a), want_h)
    hb, qb = L.hessenberg(np.stack([A, 2 * A]), calc_q=True)
    close(qb[1], sl.hessenberg(2 * A, calc_q=True)[1])


def test_rsf2csf():
    a = rng.normal(size=(5, 5))
    t, z = sl.schur(a)
    got_t, got_z = L.rsf2csf(t, z)
    want_t, want_z = sl.rsf2csf(t, z)
    close(got_t, want_t)
    close(got_z, want_z)
    close(np.asarray(got_z) @ np.asarray(got_t) @ np.asarray(got_z).conj().T, a)
    bt, bz = L.rsf2csf(np.stack([t, t]), np.stack([z, z]))
    close(bt[1], want_t)


def test_special_matrices():
    c, r = np.array([1., 2., 3.]), np.array([1., 5., 6., 7.])
    close(L.toeplitz(c, r), sl.toeplitz(c, r))
    close(L.toeplitz(C[0]), sl.toeplitz(C[0]))
    close(L.hankel(c, r), sl.hankel(c, r))
    close(L.hankel(c), sl.hankel(c))
    close(L.circulant(r), sl.circulant(r))
    close(L.companion(r), sl.companion(r))
    close(L.fiedler(r), sl.fiedler(r))
    close(L.hilbert(4), sl.hilbert(4))
    close(L.helmert(5, full=True), sl.helmert(5, full=True))
    close(L.hadamard(8), sl.hadamard(8))
    close(L.dft(5, scale="sqrtn"), sl.dft(5, scale="sqrtn"))
    close(L.block_diag(A[:2, :3], np.array([[7.]]), V), sl.block_diag(A[:2, :3], np.array([[7.]]), V))
    close(L.invhilbert(5), sl.invhilbert(5), rtol=1e-9)
    for kind in ("symmetric", "lower", "upper"):
        close(L.pascal(6, kind), sl.pascal(6, kind), rtol=2e-6)   # float32 through lgamma, as JAX
        close(L.invpascal(6, kind), sl.invpascal(6, kind), rtol=1e-9)
    f, s = np.array([0.1, 2.0, 1.0, 0.1]), np.array([0.2, 0.8, 0.7])
    close(L.leslie(f, s), sl.leslie(f, s))
    for mode in ("full", "same", "valid"):
        close(L.convolution_matrix(np.array([1., 2., 3.]), 5, mode), sl.convolution_matrix([1., 2., 3.], 5, mode))
    for coeffs in ([2.0], [2.0, 3.0], [1.0, -2.0, 3.0, 0.5], [1.0, 2.0, -3.0, 4.0, 5.0, -1.0]):
        close(L.fiedler_companion(np.array(coeffs)), sl.fiedler_companion(coeffs).reshape(
            (len(coeffs) - 1, len(coeffs) - 1)))
    with pytest.raises(ValueError, match="at most 2 dimensions"):
        L.block_diag(np.ones((2, 2, 2)))
