"""The linear-algebra primitives against NumPy, each row bound directly (eagerly) on a batch of matrices.

CASES is the coverage: one row per primitive and attribute setting that changes what it computes, run on
the dtypes the row lists (64-bit ones with x64 enabled). Factorizations are checked by the properties
that define them (reconstruction, orthonormality, triangularity) and by NumPy's values where those are
unique (eigenvalues, singular values, |diag R|, the Cholesky factor, solves) and SciPy's LU factors.
"""
import zlib
from typing import Callable, NamedTuple

import numpy as np
import pytest
import scipy.linalg

from lintra.frontend.core import bind

F32, F64, C64, C128 = (np.dtype(d) for d in ("float32", "float64", "complex64", "complex128"))
ALL = (F32, F64, C64, C128)
TOL = {F32: 2e-5, C64: 2e-5, F64: 1e-12, C128: 1e-12}
BATCH = (2,)




def _random(rng, dtype, shape):
    x = rng.standard_normal(shape)
    if dtype.kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def _mH(x):
    return np.conj(np.swapaxes(x, -1, -2))


def _close(actual, expected, dtype, scale=1.0):
    tol = TOL[dtype] * scale
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=tol, atol=tol)


def _orthonormal_columns(q, dtype):
    k = q.shape[-1]
    _close(_mH(q) @ q, np.broadcast_to(np.eye(k), q.shape[:-2] + (k, k)), dtype, 10)


# ---- cases ------------------------------------------------------------------------------------------------

class Case(NamedTuple):
    name: str
    prim: str
    attrs: dict
    args: Callable      # (rng, dtype) -> operands
    check: Callable     # (operands, outputs, dtype) -> asserts
    dtypes: tuple = ALL


def hpd(rng, dtype, n=3):
    x = _random(rng, dtype, BATCH + (n, n))
    return ((x @ _mH(x) + n * np.eye(n)).astype(dtype),)


def check_cholesky(ops, outs, dt):
    a, (L,) = ops[0], outs
    _close(L, np.linalg.cholesky(a), dt, 10)
    assert np.all(np.triu(L, 1) == 0)


def triangular(attrs):
    left = attrs["left_side"]

    def args(rng, dt):
        a = _random(rng, dt, BATCH + (3, 3)) + 3 * np.eye(3, dtype=dt)
        b = _random(rng, dt, BATCH + ((3, 2) if left else (2, 3)))
        return a.astype(dt), b

    def check(ops, outs, dt):
        a, b = ops
        tri = np.tril(a) if attrs["lower"] else np.triu(a)
        if attrs["unit_diagonal"]:
            tri = tri - np.diagonal(tri, axis1=-2, axis2=-1)[..., None] * np.eye(3) + np.eye(3)
        op = np.swapaxes(tri, -1, -2) if attrs["transpose_a"] else tri
        op = np.conj(op) if attrs["conjugate_a"] else op
        ref = np.linalg.solve(op, b) if left else np.swapaxes(np.linalg.solve(np.swapaxes(op, -1, -2),
                                                                              np.swapaxes(b, -1, -2)), -1, -2)
        _close(outs[0], ref, dt, 10)
    return args, check


def _tri_case(name, dtypes=ALL, **kw):
    attrs = dict(left_side=False, lower=False, transpose_a=False, conjugate_a=False, unit_diagonal=False)
    attrs.update(kw)
    return Case(name, "triangular_solve", attrs, *triangular(attrs), dtypes=dtypes)


def check_eigh(lower):
    def check(ops, outs, dt):
        a, (v, w) = ops[0], outs
        _close(w, np.linalg.eigvalsh(a, UPLO="L" if lower else "U"), dt, 10)
        tri = np.tril(a, -1) if lower else np.triu(a, 1)        # the triangle read; LAPACK takes diag as real
        herm = tri + _mH(tri) + np.real(np.diagonal(a, axis1=-2, axis2=-1))[..., None] * np.eye(3)
        _close(herm @ v, v * w[..., None, :], dt, 10)
        _orthonormal_columns(v, dt)
    return check


def general(shape):
    return lambda rng, dt: (_random(rng, dt, BATCH + shape),)


def check_svd(full, compute_uv):
    def check(ops, outs, dt):
        x = ops[0]
        m, n = x.shape[-2:]
        k = min(m, n)
        _close(outs[0], np.linalg.svd(x, compute_uv=False), dt, 10)
        if not compute_uv:
            assert len(outs) == 1
            return
        s, u, vh = outs
        assert u.shape[-2:] == (m, m if full else k) and vh.shape[-2:] == (n if full else k, n)
        _close((u[..., :k] * s[..., None, :]) @ vh[..., :k, :], x, dt, 10)
        _orthonormal_columns(u, dt)
        _orthonormal_columns(_mH(vh), dt)
    return check


def check_qr(full):
    def check(ops, outs, dt):
        x, (q, r) = ops[0], outs
        m, n = x.shape[-2:]
        k = m if full else min(m, n)
        assert q.shape[-2:] == (m, k) and r.shape[-2:] == (k, n)
        _close(q @ r, x, dt, 10)
        _orthonormal_columns(q, dt)
        assert np.all(np.tril(r, -1) == 0)
        ref = np.linalg.qr(x, mode="complete" if full else "reduced").R
        _close(np.abs(np.diagonal(r, axis1=-2, axis2=-1)), np.abs(np.diagonal(ref, axis1=-2, axis2=-1)), dt, 10)
    return check


def check_lu(ops, outs, dt):
    x, (lu, pivots, perm) = ops[0], outs
    m, n = x.shape[-2:]
    k = min(m, n)
    assert pivots.dtype == perm.dtype == np.int32
    for i in np.ndindex(x.shape[:-2]):
        ref_p = np.arange(m)
        for j, p in enumerate(pivots[i]):           # LAPACK's row swaps, in order
            ref_p[[j, p]] = ref_p[[p, j]]
        np.testing.assert_array_equal(perm[i], ref_p)
        L = np.tril(lu[i][:, :k], -1) + np.eye(m, k)
        U = np.triu(lu[i][:k, :])
        _close(L @ U, x[i][perm[i]], dt, 10)
        ref_lu, ref_piv = scipy.linalg.lu_factor(x[i])
        np.testing.assert_array_equal(pivots[i], ref_piv[:k])
        _close(lu[i], ref_lu, dt, 10)


CASES = [
    Case("cholesky", "cholesky", {}, hpd, check_cholesky, (F32, C128)),
    _tri_case("left_lower", (F32, C128), left_side=True, lower=True),
    _tri_case("left_upper_transpose", (F64, C64), left_side=True, transpose_a=True),
    _tri_case("left_lower_adjoint", (C128,), left_side=True, lower=True, transpose_a=True, conjugate_a=True),
    _tri_case("left_upper_conjugate", (C64,), left_side=True, conjugate_a=True),
    _tri_case("right_upper", (F32,)),
    _tri_case("right_lower_transpose_unit", (F64,), lower=True, transpose_a=True, unit_diagonal=True),
    Case("eigh_lower", "eigh", {"lower": True}, hpd, check_eigh(True)),
    Case("eigh_upper", "eigh", {"lower": False}, general((3, 3)), check_eigh(False), (F32, C64)),
    Case("svd_thin_tall", "svd", {"full_matrices": False, "compute_uv": True}, general((4, 3)), check_svd(False, True)),
    Case("svd_full_wide", "svd", {"full_matrices": True, "compute_uv": True}, general((2, 4)), check_svd(True, True)),
    Case("svd_values", "svd", {"full_matrices": False, "compute_uv": False}, general((3, 4)),
         check_svd(False, False), (F32, C64)),
    Case("qr_thin_tall", "qr", {"full_matrices": False}, general((4, 3)), check_qr(False)),
    Case("qr_full_tall", "qr", {"full_matrices": True}, general((4, 2)), check_qr(True), (F32, C128)),
    Case("qr_wide", "qr", {"full_matrices": False}, general((2, 4)), check_qr(False), (F64, C64)),
    Case("lu_square", "lu", {}, general((4, 4)), check_lu, (F32, C128)),
    Case("lu_tall", "lu", {}, general((4, 2)), check_lu, (F64, C64)),
    Case("lu_wide", "lu", {}, general((2, 3)), check_lu, (F32, C128)),
]
COVERED_PRIMITIVES = {c.prim for c in CASES}

PARAMS = [pytest.param(c, dt, id=f"{c.name}-{dt.name}") for c in CASES for dt in c.dtypes]


@pytest.mark.parametrize("case,dtype", PARAMS)
def test_primitive(case, dtype, request):
    if dtype in (F64, C128):
        request.getfixturevalue("x64")
    rng = np.random.default_rng(zlib.crc32(case.name.encode()))
    ops = case.args(rng, dtype)
    outs = [np.asarray(o) for o in bind(case.prim, *ops, **case.attrs)]
    case.check(ops, outs, dtype)


def test_failed_factorizations_are_nan():
    """As JAX: LAPACK's failure (here: a matrix that is not positive definite) gives NaNs, not garbage."""
    bad = np.array([[1.0, 2.0], [2.0, 1.0]], np.float32)
    L, = bind("cholesky", np.stack([bad, np.eye(2, dtype=np.float32)]))
    L = np.asarray(L)
    assert np.isnan(L[0]).any() and np.allclose(L[1], np.eye(2))
    nan = np.full((2, 2), np.nan, np.float32)
    _, w = bind("eigh", np.stack([nan, np.eye(2, dtype=np.float32)]), lower=True)
    w = np.asarray(w)
    assert np.isnan(w[0]).all() and np.allclose(w[1], 1)


@pytest.mark.parametrize("prim,attrs,shape,dtype,match", [
    ("cholesky", {}, (3, 4), F32, "square"),
    ("eigh", {}, (3,), F32, r"shape \[\.\.\., m, m\]"),
    ("svd", {}, (2, 2), np.dtype(np.int32), "f32, f64, c64 or c128"),
    ("lu", {}, (2, 2), np.dtype(np.float16), "f32, f64, c64 or c128"),
])
def test_type_rules_reject(prim, attrs, shape, dtype, match):
    with pytest.raises(TypeError, match=match):
        bind(prim, np.ones(shape, dtype), **attrs)


def test_triangular_solve_shapes_must_agree():
    a, b = np.eye(3, dtype=np.float32), np.ones((2, 3), np.float32)
    with pytest.raises(TypeError, match="left_side=True"):
        bind("triangular_solve", a, b, left_side=True)
    with pytest.raises(TypeError, match="same dtype|dtype"):
        bind("triangular_solve", a, b.T.astype(np.complex64), left_side=True)
