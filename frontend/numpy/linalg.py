"""lintra.numpy.linalg: NumPy's linear algebra with JAX's semantics, built on lintra.lax.linalg.

Matrices are the last two dimensions of an array and any leading dimensions are a batch (broadcast
between operands where NumPy broadcasts them). Integer and boolean inputs are promoted to the default
float type. Solves, inverses and determinants go through the LU factorization and triangular solves;
derivatives come from the factorizations' own rules (pinv has JAX's custom JVP).
"""
import builtins
import operator
from typing import NamedTuple

import numpy as np

from ...ir import types as T
from .. import dtypes as _dtypes
from .. import lax
from .. import lax_linalg
from ..core import type_of
from ..custom import custom_jvp
from ._util import asvalue, canon_axis, check_arraylike, convert, describe, result_type_of, to_inexact
from .creation import eye, ones
from .manipulation import broadcast_to, concatenate, expand_dims, moveaxis, swapaxes
from .matrices import trace
from .products import matmul
from .reductions import any as _any, cumprod, max as amax, min as amin, sum as _sum
from .searching import where
from .ufuncs import (abs as _abs, conj, divide, exp, greater, greater_equal, isinf, isnan, log, logical_or, multiply,
                     not_equal, power, real, sqrt)

__all__ = ["EigResult", "EighResult", "QRResult", "SVDResult", "SlogdetResult", "cholesky", "det", "eig", "eigh",
           "eigvals", "eigvalsh", "inv", "lstsq", "matrix_norm", "matrix_power", "matrix_rank", "norm", "pinv", "qr",
           "slogdet", "solve", "svd", "svdvals", "vector_norm"]


class EigResult(NamedTuple):
    eigenvalues: object
    eigenvectors: object


class EighResult(NamedTuple):
    eigenvalues: object
    eigenvectors: object


class QRResult(NamedTuple):
    Q: object
    R: object


class SVDResult(NamedTuple):
    U: object
    S: object
    Vh: object


class SlogdetResult(NamedTuple):
    sign: object
    logabsdet: object


# ---- helpers --------------------------------------------------------------------------------------------

def _inexact(name, *xs):
    """xs converted to their common dtype, made the default float if that is not inexact."""
    check_arraylike(name, *xs)
    d, _ = result_type_of(*xs)
    return [convert(x, to_inexact(d)) for x in xs]


def _matrices(name, x, square=False):
    t = type_of(x)
    if t.ndim < 2 or (square and t.shape[-1] != t.shape[-2]):
        raise ValueError(f"{name}: expected {'square ' if square else ''}matrices of shape (..., M, "
                         f"{'M' if square else 'N'}), got {describe(x)}")
    return t


def _mH(x):
    return conj(swapaxes(x, -1, -2)) if T.is_complex(type_of(x).dtype) else swapaxes(x, -1, -2)


def _diagonal(x):
    """The main diagonals of (..., n, n) matrices: every (n + 1)-th element of each flattened matrix."""
    t = type_of(x)
    n = t.shape[-1]
    flat = lax.reshape(x, t.shape[:-2] + (n * n,))
    nd = t.ndim - 1
    return lax.slice(flat, (0,) * nd, t.shape[:-2] + (n * n,), (1,) * (nd - 1) + (n + 1,))


def _parity_sign(pivots, dtype):
    """(-1) ** (the number of row swaps the LU pivots make), in dtype."""
    k = type_of(pivots).shape[-1]
    swaps = _sum(not_equal(pivots, lax.broadcasted_iota(np.int32, type_of(pivots).shape, pivots.ndim - 1)),
                 axis=-1, dtype=np.int32)
    return convert(lax.sub(1, lax.mul(2, lax.rem(swaps, 2))), dtype) if k else convert(np.ones((), np.int32), dtype)


def _permute_rows(perm, b):
    """b[..., perm, :], as a product with the one-hot permutation matrix (linear in b, like any product)."""
    t = type_of(b)
    m = t.shape[-2]
    shape = type_of(perm).shape + (m,)
    hit = lax.eq(lax.broadcast_in_dim(perm, shape, tuple(range(len(shape) - 1))),
                 lax.broadcasted_iota(np.int32, shape, len(shape) - 1))
    return matmul(convert(hit, t.dtype), b)


# ---- factorizations ----------------------------------------------------------------------------------------

def cholesky(a, *, upper=False, symmetrize_input=True):
    """L with a = L L^H (lower triangular), or U = L^H with upper=True; NaNs where a is not positive
    definite. symmetrize_input: factor (a + a^H) / 2, as JAX does (else only a's lower triangle is read)."""
    a, = _inexact("cholesky", a)
    _matrices("cholesky", a, square=True)
    L = lax_linalg.cholesky(a, symmetrize_input=symmetrize_input)
    return _mH(L) if upper else L


def eig(a):
    """(eigenvalues, right eigenvectors as columns) of general square a, complex; CPU (LAPACK geev).
    Eigenvectors are not differentiable here (lax.linalg.eig's enable_eigvec_derivs opts in)."""
    a, = _inexact("jnp.linalg.eig", a)
    w, v = lax_linalg.eig(a, compute_left_eigenvectors=False)
    return EigResult(w, v)


def eigvals(a):
    """The complex eigenvalues of general square a (differentiable); CPU (LAPACK geev)."""
    a, = _inexact("jnp.linalg.eigvals", a)
    return lax_linalg.eig(a, compute_left_eigenvectors=False, compute_right_eigenvectors=False)[0]


def eigh(a, UPLO=None, symmetrize_input=True):
    """(eigenvalues ascending, eigenvectors as columns) of Hermitian a; UPLO ('L' or 'U') names the triangle
    read when symmetrize_input=False."""
    a, = _inexact("eigh", a)
    _matrices("eigh", a, square=True)
    if UPLO not in (None, "L", "U"):
        raise ValueError(f"eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
    v, w = lax_linalg.eigh(a, lower=UPLO != "U", symmetrize_input=symmetrize_input)
    return EighResult(w, v)


def eigvalsh(a, UPLO="L", *, symmetrize_input=True):
    """The eigenvalues of Hermitian a, ascending."""
    return eigh(a, UPLO, symmetrize_input).eigenvalues


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """(U, S, Vh) with a = U diag(S) Vh and S descending, or S alone (compute_uv=False). hermitian=True
    takes a Hermitian a's singular values from its eigendecomposition, as NumPy does."""
    a, = _inexact("svd", a)
    _matrices("svd", a)
    if hermitian:
        return _svd_hermitian(a, compute_uv)
    if not compute_uv:
        return lax_linalg.svd(a, full_matrices=False, compute_uv=False)
    return SVDResult(*lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=True))


def _svd_hermitian(a, compute_uv):
    """|eigenvalues| in descending order; U the eigenvectors in that order, Vh = (U sign(w))^H."""
    _matrices("svd", a, square=True)
    v, w = lax_linalg.eigh(a)
    s = _abs(w)
    nd = s.ndim
    order = lax.broadcasted_iota(np.int32, s.shape, nd - 1)
    s, order, sign = lax.sort((s, order, lax.sign(w)), dimension=nd - 1, num_keys=1)
    s, order, sign = (lax.rev(x, (nd - 1,)) for x in (s, order, sign))
    if not compute_uv:
        return s
    n = s.shape[-1]
    shape = s.shape[:-1] + (n, n)
    take = lax.eq(lax.broadcasted_iota(np.int32, shape, nd - 1),
                  lax.broadcast_in_dim(order, shape, tuple(range(nd - 1)) + (nd,)))
    u = matmul(v, convert(take, v.dtype))       # column j of u is column order[j] of v
    vh = _mH(lax.mul(u, lax.broadcast_in_dim(convert(sign, u.dtype), shape, tuple(range(nd - 1)) + (nd,))))
    return SVDResult(u, s, vh)


def svdvals(x):
    """The singular values of x, descending."""
    return svd(x, compute_uv=False)


def qr(a, mode="reduced"):
    """(Q, R) with a = Q R: mode 'reduced' gives Q (..., M, K) and R (..., K, N) with K = min(M, N),
    'complete' Q (..., M, M) and R (..., M, N), and 'r' only the reduced R."""
    a, = _inexact("qr", a)
    _matrices("qr", a)
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"qr: unsupported mode {mode!r}; expected 'reduced', 'complete' or 'r'")
    q, r = lax_linalg.qr(a, full_matrices=mode == "complete")
    return r if mode == "r" else QRResult(q, r)


# ---- solves, inverses and determinants ------------------------------------------------------------------------

def solve(a, b):
    """x with a @ x = b for square a (..., M, M): b is a vector (M,) when 1-D, else matrices (..., M, K),
    as in NumPy 2. Leading dimensions broadcast. Through a's LU factorization with partial pivoting."""
    a, b = _inexact("solve", a, b)
    at, bt = _matrices("solve", a, square=True), type_of(b)
    m = at.shape[-1]
    vector = bt.ndim == 1
    if vector:
        b = lax.expand_dims(b, (1,))
        bt = type_of(b)
    if bt.ndim < 2 or bt.shape[-2] != m:
        raise ValueError(f"solve: b must be a vector of shape ({m},) or matrices of shape (..., {m}, K) for a of "
                         f"shape {at.shape}, got {describe(b)}")
    try:
        batch = np.broadcast_shapes(at.shape[:-2], bt.shape[:-2])
    except ValueError:
        raise ValueError(f"solve: the batch dimensions of a {describe(a)} and b {describe(b)} do not "
                         f"broadcast") from None
    a = broadcast_to(a, batch + at.shape[-2:])
    b = broadcast_to(b, batch + bt.shape[-2:])
    lu, _, perm = lax_linalg.lu(a)
    x = lax_linalg.triangular_solve(lu, _permute_rows(perm, b), left_side=True, lower=True, unit_diagonal=True)
    x = lax_linalg.triangular_solve(lu, x, left_side=True, lower=False)
    return lax.squeeze(x, (x.ndim - 1,)) if vector else x


def inv(a):
    """The inverse of each square matrix of a (solving against the identity)."""
    a, = _inexact("inv", a)
    t = _matrices("inv", a, square=True)
    return solve(a, broadcast_to(eye(t.shape[-1], dtype=t.dtype), t.shape))


def slogdet(a):
    """(sign, log|det a|) from a's LU factorization; sign is 0 and logabsdet -inf for singular a. For
    complex a, sign is a complex number of modulus 1."""
    a, = _inexact("slogdet", a)
    t = _matrices("slogdet", a, square=True)
    lu, pivots, _ = lax_linalg.lu(a)
    diag = _diagonal(lu)
    zero = lax.reduce_or(lax.eq(diag, 0), (diag.ndim - 1,))
    mag = _abs(diag)
    if T.is_complex(t.dtype):
        sign = lax.reduce_prod(lax.div(diag, convert(mag, t.dtype)), (diag.ndim - 1,))
    else:
        sign = lax.reduce_prod(lax.sign(diag), (diag.ndim - 1,))
    sign = multiply(sign, _parity_sign(pivots, t.dtype))
    sign = where(zero, convert(np.zeros((), t.dtype), t.dtype), sign)
    logdet = where(zero, -np.inf, _sum(log(mag), axis=-1))
    return SlogdetResult(sign, logdet)


def det(a):
    """The determinant of each square matrix of a. As in JAX: 2x2 and 3x3 matrices by their closed forms
    (differentiated as products), larger ones as sign * exp(logabsdet) from the LU factorization, whose
    derivative is the adjugate's (well defined at singular matrices too)."""
    a, = _inexact("det", a)
    n = _matrices("det", a, square=True).shape[-1]
    e = lambda i, j: a[..., i, j]
    if n == 2:
        return e(0, 0) * e(1, 1) - e(0, 1) * e(1, 0)
    if n == 3:
        return (e(0, 0) * e(1, 1) * e(2, 2) + e(0, 1) * e(1, 2) * e(2, 0) + e(0, 2) * e(1, 0) * e(2, 1)
                - e(0, 2) * e(1, 1) * e(2, 0) - e(0, 0) * e(1, 2) * e(2, 1) - e(0, 1) * e(1, 0) * e(2, 2))
    return _det(a)


@custom_jvp
def _det(a):
    sign, logdet = slogdet(a)
    return multiply(sign, convert(exp(logdet), type_of(sign).dtype))


@_det.defjvp
def _det_jvp(primals, tangents):
    (a,), (da,) = primals, tangents
    y, z = _cofactor_solve(a, da)
    return y, trace(z, axis1=-2, axis2=-1)


def _cofactor_solve(a, b):
    """(det a, adj(a) @ b) for square a and b of the same shape, singular a included (the adjugate is
    det(a) a^-1 where that exists, rank one at rank n-1, zero below). With a = P L U: adj(a) b =
    prod(diag U) U^-1 L^-1 P^-1 b. Replacing u_nn by 1 / prod(u_ii, i < n) makes the last back-substitution
    step multiply by that product instead of dividing by u_nn, so rank n-1 is exact; every other row is
    scaled by det(a), which is 0 there. Where even the modified U is singular (rank < n-1), the adjugate
    is 0."""
    n = type_of(a).shape[-1]
    if n == 1:
        return a[..., 0, 0], b
    lu, pivots, perm = lax_linalg.lu(a)
    partial = multiply(cumprod(_diagonal(lu), axis=-1), expand_dims(_parity_sign(pivots, type_of(a).dtype), -1))
    lu = lu.at[..., -1, -1].set(divide(1, partial[..., -2]))
    probe = lax_linalg.triangular_solve(lu, ones(type_of(a).shape[:-1], type_of(a).dtype), left_side=True)
    degenerate = expand_dims(_any(logical_or(isnan(probe), isinf(probe)), axis=-1), (-2, -1))
    x = where(degenerate, 0, b)
    x = lax_linalg.triangular_solve(lu, _permute_rows(perm, x), left_side=True, lower=True, unit_diagonal=True)
    x = concatenate([multiply(x[..., :-1, :], partial[..., -1, None, None]), x[..., -1:, :]], axis=-2)
    x = lax_linalg.triangular_solve(lu, x, left_side=True, lower=False)
    return partial[..., -1], where(degenerate, 0, x)


def matrix_power(a, n):
    """a multiplied by itself n times (by repeated squaring); a's inverse to the -n for negative n, the
    identity for n == 0."""
    check_arraylike("matrix_power", a)
    a = asvalue(a)
    t = _matrices("matrix_power", a, square=True)
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"matrix_power: exponent must be an integer, got {n!r}") from None
    if n == 0:
        return broadcast_to(eye(t.shape[-1], dtype=t.dtype), t.shape)
    if n < 0:
        a, n = inv(a), -n
    result, z = None, None
    while n > 0:
        z = a if z is None else matmul(z, z)
        n, bit = divmod(n, 2)
        if bit:
            result = z if result is None else matmul(result, z)
    return result


@custom_jvp
def _pinv(a, rtol):
    u, s, vh = lax_linalg.svd(conj(a) if T.is_complex(type_of(a).dtype) else a, full_matrices=False)
    nd = type_of(s).ndim
    cutoff = multiply(rtol, lax.slice_in_dim(s, 0, 1, axis=nd - 1))
    s = convert(where(greater(s, cutoff), s, np.inf), type_of(u).dtype)
    # conj(a) = conj(U) S conj(Vh), so pinv(a) = V S^-1 U^H = vh^T (u^T / s)
    return matmul(swapaxes(vh, -1, -2), divide(swapaxes(u, -1, -2), expand_dims(s, -1)))


@_pinv.defjvp
def _pinv_jvp(primals, tangents):
    """JAX's rule (Golub and Pereyra 1973), exact where the rank does not change."""
    (a, rtol), (da, _) = primals, tangents
    p = _pinv(a, rtol)
    m, n = type_of(a).shape[-2:]
    pH, daH = _mH(p), _mH(da)
    if m >= n:
        s = matmul(matmul(p, pH), daH)
        t = matmul(matmul(daH, pH), p)
        dp = (-matmul(matmul(p, da), p) + s - matmul(matmul(s, a), p) + t - matmul(matmul(p, a), t))
    else:
        s = matmul(p, matmul(pH, daH))
        t = matmul(daH, matmul(pH, p))
        dp = (-matmul(p, matmul(da, p)) + s - matmul(s, matmul(a, p)) + t - matmul(p, matmul(a, t)))
    return p, dp


def pinv(a, rtol=None, hermitian=False, *, rcond=None):
    """The Moore-Penrose pseudo-inverse, from the SVD: singular values at most rtol times the largest are
    dropped (rtol defaults to 10 max(M, N) eps; rcond is NumPy's older name). Its derivative is JAX's
    custom rule. (hermitian is accepted for compatibility; the SVD is used either way.)"""
    a, = _inexact("pinv", a)
    t = _matrices("pinv", a)
    rtol = rcond if rtol is None else rtol
    if rtol is None:
        rtol = 10.0 * builtins.max(t.shape[-2:]) * np.finfo(T.real_dtype(t.dtype)).eps
    rtol = convert(rtol, T.real_dtype(t.dtype))
    if rtol.ndim:       # one per matrix: broadcast against the singular values' batch
        rtol = lax.expand_dims(rtol, (rtol.ndim,))
    return _pinv(a, rtol)


def lstsq(a, b, rcond=None, *, numpy_resid=False):
    """(x, residuals, rank, singular values) minimising |a x - b|, through a's SVD, for a (M, N) and b (M,)
    or (M, K). residuals are the squared residual norms of each column of b (NumPy returns an empty array
    when rank < N or M <= N; numpy_resid=True does too, which needs a concrete rank)."""
    a, b = _inexact("lstsq", a, b)
    at, bt = type_of(a), type_of(b)
    if at.ndim != 2 or bt.ndim not in (1, 2) or bt.shape[0] != at.shape[0]:
        raise ValueError(f"lstsq: a must be a matrix (M, N) and b of shape (M,) or (M, K), got a {describe(a)} "
                         f"and b {describe(b)}")
    vector = bt.ndim == 1
    if vector:
        b = lax.expand_dims(b, (1,))
    m, n = at.shape
    eps = np.finfo(T.real_dtype(at.dtype)).eps
    rcond = eps * builtins.max(m, n) if rcond is None else (eps if rcond < 0 else rcond)
    u, s, vh = lax_linalg.svd(a, full_matrices=False)
    if s.shape[0] == 0:
        rank = convert(np.zeros((), np.int32), _dtypes.default_int())
        x = lax.full((n,) + b.shape[1:], 0, at.dtype)
    else:
        keep = greater_equal(s, multiply(convert(rcond, s.dtype), lax.slice_in_dim(s, 0, 1)))
        rank = _sum(keep, dtype=_dtypes.default_int())
        safe_s = convert(where(keep, s, 1), at.dtype)
        s_inv = expand_dims(where(keep, divide(1, safe_s), 0), 1)
        x = matmul(_mH(vh), multiply(s_inv, matmul(_mH(u), b)))
    if numpy_resid and (int(rank) < n or m <= n):
        resid = lax.full((0,), 0, T.real_dtype(at.dtype))
    else:
        resid = power(vector_norm(lax.sub(b, matmul(a, x)), axis=0), 2)
    if vector:
        x = lax.squeeze(x, (1,))
    return x, resid, rank, s


def matrix_rank(M, rtol=None, *, tol=None):
    """The number of singular values above tol (default: rtol times the largest, rtol = max(M, N) eps)."""
    M, = _inexact("matrix_rank", M)
    t = type_of(M)
    if t.ndim < 2:
        return convert(lax.ne(_sum(_abs(M)), 0) if t.ndim == 1 else lax.ne(M, 0), _dtypes.default_int())
    s = svd(M, compute_uv=False)
    per_matrix = lambda v: expand_dims(v, -1) if type_of(v).ndim else v     # against s's last axis
    if tol is None:
        rtol = builtins.max(t.shape[-2:]) * np.finfo(T.real_dtype(t.dtype)).eps if rtol is None else rtol
        tol = multiply(amax(s, axis=-1, keepdims=True), per_matrix(convert(rtol, s.dtype)))
    else:
        tol = per_matrix(convert(tol, s.dtype))
    return _sum(greater(s, tol), axis=-1, dtype=_dtypes.default_int())


# ---- norms ----------------------------------------------------------------------------------------------------

def _sum_sq(x, axis, keepdims):
    return _sum(real(lax.mul(x, conj(x))) if T.is_complex(x.dtype) else lax.mul(x, x), axis=axis, keepdims=keepdims)


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """The vector p-norm of x along `axis` (all of x by default): ord 2, 1, inf, -inf, 0 (the count of
    nonzeros) or any other p (sum |x|^p)^(1/p)."""
    x, = _inexact("vector_norm", x)
    if axis is None:
        axis = tuple(range(x.ndim))
    if ord is None or ord == 2:
        return sqrt(_sum_sq(x, axis, keepdims))
    if isinstance(ord, str):
        raise ValueError(f"Invalid order {ord!r} for vector norm" + (" (use numpy.inf)" if "inf" in ord else ""))
    if ord == np.inf:
        return amax(_abs(x), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return amin(_abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:
        return _sum(not_equal(x, 0), axis=axis, keepdims=keepdims, dtype=T.real_dtype(x.dtype))
    if ord == 1:
        return _sum(_abs(x), axis=axis, keepdims=keepdims)
    p = float(ord)
    return power(_sum(power(_abs(x), p), axis=axis, keepdims=keepdims), 1.0 / p)


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """The matrix norm of each matrix (the last two axes) of x."""
    return norm(x, ord, axis=(-2, -1), keepdims=keepdims)


def norm(x, ord=None, axis=None, keepdims=False):
    """NumPy's norm: of vectors (one axis, or 1-D x) or matrices (two axes, or 2-D x). Matrix orders:
    'fro' (default), 'nuc', 1, -1, 2, -2, inf, -inf; with axis=None and ord=None any x gives the
    2-norm of all its elements."""
    x, = _inexact("norm", x)
    nd = x.ndim
    if axis is None:
        if ord is None:
            return sqrt(_sum_sq(x, None, keepdims))
        axis = tuple(range(nd))
    axes = tuple(canon_axis(a, nd) for a in (axis if isinstance(axis, (tuple, list)) else (axis,)))
    if len(axes) == 1:
        return vector_norm(x, axis=axes, keepdims=keepdims, ord=2 if ord is None else ord)
    if len(axes) != 2 or axes[0] == axes[1]:
        raise ValueError(f"norm: improper axes {axis!r} for {describe(x)}: pass one axis for a vector norm or "
                         f"two different axes for a matrix norm")
    row, col = axes
    if ord is None or ord in ("f", "fro"):
        return sqrt(_sum_sq(x, axes, keepdims))
    if ord in (1, -1, np.inf, -np.inf):
        inner, outer = (row, col) if ord in (1, -1) else (col, row)
        if not keepdims and outer > inner:
            outer -= 1
        pick = amax if ord > 0 else amin
        return pick(_sum(_abs(x), axis=inner, keepdims=keepdims), axis=outer, keepdims=keepdims)
    if ord in ("nuc", 2, -2):
        s = svd(moveaxis(x, axes, (-2, -1)), compute_uv=False)
        y = amax(s, axis=-1) if ord == 2 else amin(s, axis=-1) if ord == -2 else _sum(s, axis=-1)
        return expand_dims(y, axes) if keepdims else y
    raise ValueError(f"norm: invalid order {ord!r} for a matrix norm")
