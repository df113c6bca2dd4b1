"""Special matrices of lintra.scipy.linalg: block_diag, toeplitz, hankel, circulant, companion, fiedler,
hilbert and its inverse, helmert, hadamard, pascal and its inverse, leslie, the convolution matrix and the DFT
matrix (1-D generators; toeplitz, hankel and circulant also take
batches of them along leading axes, as JAX)."""
import math
import operator

import numpy as np

from ... import lax
from ... import numpy as jnp
from ...core import type_of
from ...dtypes import default_float
from ...numpy._util import check_arraylike, describe, promote_args
from ..special import comb


def block_diag(*arrs):
    """The arrays (at most 2-D) as the blocks of a block-diagonal matrix."""
    if not arrs:
        arrs = (jnp.zeros((1, 0)),)
    check_arraylike("block_diag", *arrs)
    dt = np.result_type(*[type_of(jnp.asarray(a)).dtype for a in arrs])
    arrs = [jnp.asarray(a).astype(dt) for a in arrs]
    for i, a in enumerate(arrs):
        if type_of(a).ndim > 2:
            raise ValueError(f"block_diag: arguments must have at most 2 dimensions, got {describe(a)} at "
                             f"argument {i}")
    arrs = [jnp.atleast_2d(a) for a in arrs]
    total = sum(type_of(a).shape[1] for a in arrs)
    rows, col = [], 0
    for a in arrs:
        cols = type_of(a).shape[1]
        rows.append(jnp.pad(a, ((0, 0), (col, total - cols - col))))
        col += cols
    return jnp.concatenate(rows, axis=0)


def _index_matrix(c, r, index):
    """out[..., i, j] = concat(c, r)[..., index(i, j)] for a static integer index table."""
    return jnp.take(jnp.concatenate([c, r], axis=-1), jnp.asarray(index), axis=-1)


def toeplitz(c, r=None):
    """The Toeplitz matrix with first column c and first row r (r[0] ignored; r = conj(c) if None)."""
    check_arraylike("toeplitz", c, *(() if r is None else (r,)))
    c = jnp.atleast_1d(jnp.asarray(c))
    r = jnp.conj(c) if r is None else jnp.atleast_1d(jnp.asarray(r))
    dt = jnp.result_type(c, r)
    c, r = c.astype(dt), r.astype(dt)
    m, n = type_of(c).shape[-1], type_of(r).shape[-1]
    i, j = np.arange(m)[:, None], np.arange(n)[None, :]
    return _index_matrix(c, r, np.where(i >= j, i - j, m + j - i))


def hankel(c, r=None):
    """The Hankel matrix with first column c and last row r (r[0] ignored; zeros if None)."""
    check_arraylike("hankel", c, *(() if r is None else (r,)))
    c = jnp.asarray(c)
    r = jnp.zeros_like(c) if r is None else jnp.asarray(r)
    if type_of(c).ndim == 0 or type_of(r).ndim == 0:
        raise ValueError(f"hankel: c and r must be at least 1-dimensional, got {describe(c)} and {describe(r)}")
    dt = jnp.result_type(c, r)
    c, r = c.astype(dt), r.astype(dt)
    m, n = type_of(c).shape[-1], type_of(r).shape[-1]
    i, j = np.arange(m)[:, None], np.arange(n)[None, :]
    s = i + j       # c[s] while s < m, then r[s - m + 1], which sits at m + (s - m + 1) in concat(c, r)
    return _index_matrix(c, r, np.where(s < m, s, s + 1))


def circulant(c):
    """The circulant matrix with first column c."""
    check_arraylike("circulant", c)
    c = jnp.atleast_1d(jnp.asarray(c))
    n = type_of(c).shape[-1]
    i, j = np.arange(n)[:, None], np.arange(n)[None, :]
    return jnp.take(c, jnp.asarray((i - j) % n), axis=-1)


def companion(a):
    """The companion matrix of the polynomial with coefficients a (highest degree first)."""
    a, = promote_args("companion", a, kind="inexact")
    a = jnp.atleast_1d(a)
    n = type_of(a).shape[-1]
    if n < 2:
        raise ValueError(f"companion: the length of `a` along the last axis must be at least 2; got {describe(a)}")
    first_row = -a[..., 1:] / a[..., :1]
    below = jnp.broadcast_to(jnp.eye(n - 2, n - 1, dtype=type_of(a).dtype), type_of(a).shape[:-1] + (n - 2, n - 1))
    return jnp.concatenate([first_row[..., None, :], below], axis=-2)


def fiedler(a):
    """The Fiedler matrix |a_i - a_j|."""
    check_arraylike("fiedler", a)
    a = jnp.atleast_1d(jnp.asarray(a))
    return jnp.abs(a[..., :, None] - a[..., None, :])


def hilbert(n):
    """The n x n Hilbert matrix 1 / (i + j + 1)."""
    a = lax.broadcasted_iota(default_float(), (n, 1), 0)
    return 1 / (a + a.T + 1)


def helmert(n, full=False):
    """The Helmert matrix (n - 1 rows, or n with full, the first being 1/sqrt(n))."""
    if n < 1:
        raise ValueError(f"helmert: n must be a positive integer; got {n}")
    i, j = np.arange(n - 1)[:, None], np.arange(n)[None, :]
    k = (i + 1).astype(np.float64)
    denom = np.sqrt(k * (k + 1))
    h = np.where(j <= i, 1.0 / denom, np.where(j == i + 1, -k / denom, 0.0))
    if full:
        h = np.concatenate([np.full((1, n), 1.0 / np.sqrt(n)), h], axis=0)
    return jnp.asarray(h.astype(default_float()))


def hadamard(n, dtype=int):
    """The n x n Hadamard matrix (Sylvester's construction), n a power of 2."""
    if n < 1 or not math.log2(n).is_integer():
        raise ValueError(f"hadamard: n must be a positive power of 2; got {n}")
    h = np.ones((1, 1))
    for _ in range(int(math.log2(n))):
        h = np.block([[h, h], [h, -h]])
    return jnp.asarray(h, dtype=dtype)


def dft(n, scale=None, *, dtype=None):
    """The n x n discrete Fourier transform matrix exp(-2 pi i jk / n), scaled by 1/sqrt(n) ('sqrtn') or 1/n."""
    if scale not in (None, "sqrtn", "n"):
        raise ValueError(f"dft: scale must be None, 'sqrtn', or 'n'; got {scale!r}")
    dtype = np.dtype(dtype) if dtype is not None else np.result_type(default_float(), np.complex64)
    if dtype.kind != "c":
        raise ValueError(f"dft: dtype must be a complex floating-point type; got {dtype}")
    a = np.arange(n)
    omegas = np.exp(-2j * np.pi * a[:, None] * a[None, :] / n)
    omegas = omegas / {None: 1, "sqrtn": np.sqrt(n), "n": n}[scale]
    return jnp.asarray(omegas.astype(dtype))


def _binom(n, k):
    return jnp.exp(lax.lgamma(n + 1.0) - lax.lgamma(n - k + 1.0) - lax.lgamma(k + 1.0))


def _pascal_kind(name, kind):
    kind = "symmetric" if kind is None else kind
    if kind not in ("symmetric", "lower", "upper"):
        raise ValueError(f"{name}: expected kind to be one of ['symmetric', 'lower', 'upper']; got {kind!r}")
    return kind


def pascal(n, kind=None):
    """The n x n Pascal matrix of binomial coefficients: 'lower' L, 'upper' L^T or 'symmetric' L L^T
    (float32, as JAX computes it)."""
    kind = _pascal_kind("pascal", kind)
    a = jnp.arange(n, dtype=np.float32)
    lower = _binom(a[:, None], a[None, :])
    return {"lower": lower, "upper": lower.T}.get(kind, jnp.dot(lower, lower.T) if n else lower)


def invpascal(n, kind=None):
    """The inverse of pascal(n, kind): L^-1 has entries (-1)^(i-j) C(i, j)."""
    kind = _pascal_kind("invpascal", kind)
    a = jnp.arange(n, dtype=default_float())
    i, j = a[:, None], a[None, :]
    inv_lower = ((-1.0) ** (i - j)) * _binom(i, j)
    return {"lower": inv_lower, "upper": inv_lower.T}.get(kind, jnp.dot(inv_lower.T, inv_lower))


def invhilbert(n):
    """The inverse of the n x n Hilbert matrix, in closed form."""
    a = jnp.arange(n, dtype=default_float())
    i, j = a[:, None], a[None, :]
    s = i + j
    return (-1.0) ** s * (s + 1.0) * comb(n + i, n - j - 1) * comb(n + j, n - i - 1) * comb(s, i) ** 2


def leslie(f, s):
    """The Leslie matrix: fecundities f on the first row, survival rates s on the subdiagonal."""
    check_arraylike("leslie", f, s)
    f, s = jnp.atleast_1d(jnp.asarray(f)), jnp.atleast_1d(jnp.asarray(s))
    n = type_of(f).shape[-1]
    if n < 2:
        raise ValueError(f"leslie: the length of f along the last axis must be at least 2; got {describe(f)}")
    if type_of(s).shape[-1] != n - 1:
        raise ValueError(f"leslie: the length of s must be one less than the length of f; got f {describe(f)} and "
                         f"s {describe(s)}")
    dt = jnp.result_type(f, s)
    below = jnp.eye(n - 1, n, dtype=dt) * s.astype(dt)[..., :, None]
    return jnp.concatenate([f.astype(dt)[..., None, :], below], axis=-2)


def convolution_matrix(a, n, mode="full"):
    """The matrix A with A @ v == numpy.convolve(a, v, mode) for v of length n."""
    n = operator.index(n)
    if n <= 0:
        raise ValueError(f"convolution_matrix: n must be a positive integer; got {n}")
    check_arraylike("convolution_matrix", a)
    a = jnp.asarray(a)
    if type_of(a).ndim == 0:
        raise ValueError("convolution_matrix: a must be at least 1-dimensional, got a scalar")
    m = type_of(a).shape[-1]
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"convolution_matrix: mode must be one of 'full', 'valid', 'same'; got {mode!r}")
    pad = [(0, 0)] * (type_of(a).ndim - 1) + [(0, n - 1)]
    az, raz = jnp.pad(a, pad), jnp.pad(jnp.flip(a, axis=-1), pad)
    length = m + n - 1
    if mode == "same":
        trim = min(n, m) - 1
        tb, te = trim // 2, trim - trim // 2
    elif mode == "valid":
        tb = te = min(n, m) - 1
    else:
        tb = te = 0
    return toeplitz(az[..., tb:length - te], raz[..., length - n - tb:length - tb])


def _fiedler_companion_1d(a):
    """The pentadiagonal layout: c[0, 0] = -a1, c[1, 0] = 1; for even i, c[i, i+1] = -a[i+2], c[i, i+2] = 1 and
    (i >= 2) c[i, i-1] = -a[i+1]; for odd i >= 3, c[i, i-2] = 1 (a normalized by a[0])."""
    n = type_of(a).shape[0] - 1
    if n == 0:
        return jnp.zeros((0, 0), type_of(a).dtype)
    a = a / a[0]
    if n == 1:
        return -jnp.reshape(a[1:], (1, 1))
    i, j = np.arange(n)[:, None], np.arange(n)[None, :]
    even, odd = i % 2 == 0, i % 2 == 1
    super_val, sub_val = -a[jnp.asarray(np.minimum(i + 2, n))], -a[jnp.asarray(np.minimum(i + 1, n))]
    out = jnp.zeros((n, n), type_of(a).dtype)
    for mask, value in [((i == 0) & (j == 0), -a[1]), ((i == 1) & (j == 0), 1), ((j == i + 1) & even, super_val),
                        ((j == i + 2) & even, 1), ((j == i - 1) & even & (i >= 2), sub_val),
                        ((j == i - 2) & odd & (i >= 3), 1)]:
        out = jnp.where(jnp.asarray(mask), value, out)
    return out


def fiedler_companion(a):
    """Fiedler's pentadiagonal companion matrix of the polynomial with coefficients a (highest degree first):
    its eigenvalues are the polynomial's roots."""
    a, = promote_args("fiedler_companion", a, kind="inexact")
    a = jnp.atleast_1d(a)
    shape = type_of(a).shape
    if shape[-1] == 0:
        raise ValueError(f"fiedler_companion requires the last axis of 'a' to have nonzero length, got {describe(a)}")
    if len(shape) == 1:
        return _fiedler_companion_1d(a)
    flat = jnp.reshape(a, (-1, shape[-1]))
    out = jnp.stack([_fiedler_companion_1d(flat[k]) for k in range(type_of(flat).shape[0])])
    return jnp.reshape(out, shape[:-1] + type_of(out).shape[-2:])
