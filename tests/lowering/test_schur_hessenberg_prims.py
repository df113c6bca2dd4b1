"""The schur and hessenberg primitives (LAPACK gees and gehrd on CPU): x = Z T Z^H with Z unitary and T
upper triangular (complex) or quasi-triangular (real), with SciPy's eigenvalues on T's diagonal blocks;
hessenberg's packed form equal to SciPy's H; in every dtype, batched; their batching rules against a loop;
their derivatives undefined, as in JAX."""
import numpy as np
import pytest
import scipy.linalg as sl

import lintra
from lintra import lax
from lintra.ir.ad.jvp_rules import NotDifferentiableError

COVERED_PRIMITIVES = {"schur", "hessenberg"}
COVERED_BATCH_PRIMITIVES = {"schur", "hessenberg"}
COVERED_AD_PRIMITIVES = {"schur", "hessenberg"}

rng = np.random.default_rng(3)
TOL = {np.float32: 1e-4, np.float64: 1e-11, np.complex64: 1e-4, np.complex128: 1e-11}


def _matrix(dtype, shape=(4, 4)):
    a = rng.normal(size=shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.normal(size=shape)
    return a.astype(dtype)


def _eigs_of_quasi_triangular(t):
    return np.sort_complex(np.linalg.eigvals(t))


@pytest.mark.parametrize("dtype", list(TOL), ids=lambda d: np.dtype(d).name)
def test_schur_factors(dtype, x64):
    a = _matrix(dtype)
    t, z = (np.asarray(v) for v in lax.linalg.schur(a))
    assert t.dtype == dtype and z.dtype == dtype
    tol = TOL[dtype]
    np.testing.assert_allclose(z @ t @ z.conj().T, a, atol=tol * 10)
    np.testing.assert_allclose(z.conj().T @ z, np.eye(4), atol=tol * 10)
    below = np.tril(t, -1 if np.dtype(dtype).kind == "c" else -2)
    assert np.abs(below).max() == 0
    np.testing.assert_allclose(_eigs_of_quasi_triangular(t), np.sort_complex(sl.eigvals(a)), atol=tol * 100)


def test_schur_batched_and_vmapped(x64):
    a = _matrix(np.float64, (3, 4, 4))
    t, z = lax.linalg.schur(a)
    for i in range(3):
        ti, zi = lax.linalg.schur(a[i])
        np.testing.assert_array_equal(np.asarray(t[i]), np.asarray(ti))
        np.testing.assert_array_equal(np.asarray(z[i]), np.asarray(zi))
    tv, zv = lintra.vmap(lax.linalg.schur, in_axes=1, out_axes=0)(np.moveaxis(a, 0, 1))
    np.testing.assert_array_equal(np.asarray(tv), np.asarray(t))
    assert len(lax.linalg.schur(a[0], compute_schur_vectors=False)) == 1


def test_schur_has_no_derivative():
    with pytest.raises(NotDifferentiableError, match="Differentiation rule for 'schur' not implemented"):
        lintra.jvp(lambda a: lax.linalg.schur(a)[0], (np.eye(3, dtype=np.float32),), (np.eye(3, dtype=np.float32),))
    with pytest.raises(NotImplementedError, match="sort feature"):
        lax.linalg.schur(np.eye(3, dtype=np.float32), sort_eig_vals=True)


@pytest.mark.parametrize("dtype", list(TOL), ids=lambda d: np.dtype(d).name)
def test_hessenberg(dtype, x64):
    a = _matrix(dtype, (5, 5))
    packed, taus = lax.linalg.hessenberg(a)
    assert packed.dtype == dtype and taus.shape == (4,)
    np.testing.assert_allclose(np.triu(np.asarray(packed), -1), sl.hessenberg(a.astype(np.complex128 if
                               np.dtype(dtype).kind == "c" else np.float64)), atol=TOL[dtype] * 100)
    batch = _matrix(dtype, (3, 5, 5))
    packed_b, taus_b = lintra.vmap(lax.linalg.hessenberg)(batch)
    for i in range(3):
        p_i, t_i = lax.linalg.hessenberg(batch[i])
        np.testing.assert_array_equal(np.asarray(packed_b[i]), np.asarray(p_i))
        np.testing.assert_array_equal(np.asarray(taus_b[i]), np.asarray(t_i))
    with pytest.raises(NotDifferentiableError, match="Differentiation rule for 'hessenberg' not implemented"):
        lintra.jvp(lambda a: lax.linalg.hessenberg(a)[0], (np.eye(3),), (np.eye(3),))
