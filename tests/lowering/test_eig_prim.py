"""The general eigendecomposition (lax.linalg.eig, jnp.linalg.eig/eigvals; LAPACK geev on CPU, as JAX):
values against SciPy's (the same LAPACK routine, so even the eigenvectors' normalisation agrees), A vr =
vr diag(w) and vl^H A = diag(w) vl^H, every dtype, batched and vmapped; eigenvalue derivatives, and
eigenvector derivatives with enable_eigvec_derivs, against finite differences; JAX's errors (recorded from
JAX 0.10.2)."""
import numpy as np
import pytest
import scipy.linalg as sl

import lintra
import lintra.numpy as jnp
from lintra import lax
from lintra.ir.ad.jvp_rules import NotDifferentiableError
from lintra.test_util import check_grads

COVERED_PRIMITIVES = {"eig"}
COVERED_BATCH_PRIMITIVES = {"eig"}
COVERED_AD_PRIMITIVES = {"eig"}

rng = np.random.default_rng(11)
TOL = {np.float32: 1e-4, np.float64: 1e-11, np.complex64: 1e-4, np.complex128: 1e-11}
COMPLEX = {np.float32: np.complex64, np.float64: np.complex128, np.complex64: np.complex64,
           np.complex128: np.complex128}


def _matrix(shape, dtype):
    a = rng.normal(size=shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.normal(size=shape)
    return a.astype(dtype)


@pytest.mark.parametrize("dtype", list(TOL), ids=lambda d: np.dtype(d).name)
def test_eig_values_and_vectors(dtype, x64):
    a = _matrix((5, 5), dtype)
    w, vl, vr = (np.asarray(v) for v in lax.linalg.eig(a))
    assert w.dtype == vl.dtype == vr.dtype == COMPLEX[dtype] and w.shape == (5,) and vr.shape == (5, 5)
    tol = TOL[dtype] * 10
    np.testing.assert_allclose(a @ vr, vr * w, atol=tol)
    np.testing.assert_allclose(vl.conj().T @ a, w[:, None] * vl.conj().T, atol=tol)
    want_w, want_vl, want_vr = sl.eig(a.astype(COMPLEX[dtype] if np.dtype(dtype).kind == "c" else a.dtype),
                                      left=True, right=True)
    np.testing.assert_allclose(w, want_w, atol=tol)
    np.testing.assert_allclose(vr, want_vr, atol=tol * 10)
    np.testing.assert_allclose(vl, want_vl, atol=tol * 10)


def test_options_and_numpy_wrappers(x64):
    a = _matrix((4, 4), np.float64)
    assert len(lax.linalg.eig(a, compute_left_eigenvectors=False)) == 2
    assert len(lax.linalg.eig(a, compute_right_eigenvectors=False)) == 2
    w_only, = lax.linalg.eig(a, compute_left_eigenvectors=False, compute_right_eigenvectors=False)
    np.testing.assert_allclose(np.asarray(w_only), sl.eigvals(a), atol=1e-12)
    res = jnp.linalg.eig(a)
    assert isinstance(res, jnp.linalg.EigResult)
    np.testing.assert_allclose(np.asarray(res.eigenvectors), sl.eig(a)[1], atol=1e-11)
    # integers promote to the default float, as in JAX (recorded: eigvals([[0, 1], [-1, 0]]) = [1j, -1j], c64)
    lintra.config.update("enable_x64", False)
    w = jnp.linalg.eigvals(np.array([[0, 1], [-1, 0]]))
    assert w.dtype == np.complex64
    np.testing.assert_allclose(np.asarray(w), [1j, -1j], atol=1e-6)
    w = lintra.jit(jnp.linalg.eigvals)(np.eye(3, dtype=np.float32) * 2)
    np.testing.assert_allclose(np.asarray(w), [2, 2, 2], atol=1e-6)


def test_batched_and_vmapped(x64):
    a = _matrix((2, 3, 4, 4), np.complex128)
    w, vr = lax.linalg.eig(a, compute_left_eigenvectors=False)
    assert w.shape == (2, 3, 4) and vr.shape == (2, 3, 4, 4)
    for i in range(2):
        for j in range(3):
            wi, vri = lax.linalg.eig(a[i, j], compute_left_eigenvectors=False)
            np.testing.assert_allclose(np.asarray(w[i, j]), np.asarray(wi), atol=1e-12)
            np.testing.assert_allclose(np.asarray(vr[i, j]), np.asarray(vri), atol=1e-12)
    wv = lintra.vmap(jnp.linalg.eigvals, in_axes=1)(a)
    np.testing.assert_allclose(np.asarray(wv), np.swapaxes(np.asarray(w), 0, 1), atol=1e-12)


def test_errors():
    with pytest.raises(ValueError, match=r"The input to eig must be a square matrix. Got shape \(2, 3\)"):
        jnp.linalg.eig(np.ones((2, 3)))
    with pytest.raises(TypeError, match=r"Input 0 to eig must have rank at least 2, but got shape=\(3,\)"):
        jnp.linalg.eigvals(np.ones(3))
    with pytest.raises(NotDifferentiableError, match="enable_eigvec_derivs=True"):
        lintra.grad(lambda a: jnp.abs(jnp.linalg.eig(a)[1]).sum())(np.eye(2, dtype=np.float32) + 1)


def _well_separated(dtype, n=4):
    """A matrix with distinct eigenvalues (a similarity transform of a spread-out diagonal)."""
    s = _matrix((n, n), dtype) + n * np.eye(n)
    d = np.diag(np.arange(1, n + 1) * 1.5).astype(dtype)
    return (s @ d @ np.linalg.inv(s)).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.complex128], ids=["f64", "c128"])
def test_eigenvalue_derivatives(dtype, x64):
    a = _well_separated(dtype)
    check_grads(jnp.linalg.eigvals, (a,), order=1, rtol=1e-5, atol=1e-5)
    # second order differentiates eigenvectors: refused, as in JAX 0.10.2 (jax.hessian raises there too)
    with pytest.raises(NotDifferentiableError, match="enable_eigvec_derivs"):
        lintra.hessian(lambda a: jnp.linalg.eigvals(a).real.sum())(a)
    # JAX 0.10.2: grad(eigvals(a).real.sum()) at [[1, 2], [3, 4]] is the identity (the trace's gradient)
    g = lintra.grad(lambda a: jnp.linalg.eigvals(a).real.sum())(np.array([[1., 2], [3, 4]]))
    np.testing.assert_allclose(np.asarray(g), np.eye(2), atol=1e-12)
    # a complex matrix with a complex-conjugate pair from a real one
    r = np.array([[0.5, -2.0, 0.1], [1.5, 0.2, 0.3], [0.0, 0.4, 2.0]])
    check_grads(jnp.linalg.eigvals, (r,), order=1)


@pytest.mark.parametrize("dtype", [np.float64, np.complex128], ids=["f64", "c128"])
@pytest.mark.parametrize("left, right", [(False, True), (True, False), (True, True)])
def test_eigenvector_derivatives(dtype, left, right, x64):
    a = _well_separated(dtype)
    f = lambda x: lax.linalg.eig(x, compute_left_eigenvectors=left, compute_right_eigenvectors=right,
                                 enable_eigvec_derivs=True)
    check_grads(f, (a,), order=1, rtol=1e-5, atol=1e-5)
