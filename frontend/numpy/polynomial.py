"""Polynomials as coefficient arrays, highest power first (NumPy's np.poly* conventions, JAX's dtypes):
poly polyval polyfit polyadd polysub polymul polydiv polyder polyint vander trim_zeros."""
import operator

import numpy as np

from ...ir import types as T
from .. import lax
from ..core import ConcretizationError, bind1, concrete_value, is_value, type_of
from ._util import (asvalue, check_arraylike, convert, describe, full_like_type as _c, promote_args,
                    result_type_of)
from .creation import arange, ones, zeros
from .linalg import eigvals, lstsq
from .manipulation import stack
from .reductions import sum as _sum
from .ufuncs import add, multiply, power, subtract


def _vector(name, p):
    check_arraylike(name, p)
    p = asvalue(p)
    if p.type.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array of coefficients, got {describe(p)}")
    return p


def _static(name, what, n):
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"{name}: {what} must be a static integer, got {n!r}") from None
    if n < 0:
        raise ValueError(f"{name}: {what} must be non-negative, got {n}")
    return n


def _pad_front(p, n):
    k = type_of(p).shape[0]
    return p if k >= n else lax.pad(p, convert(0, type_of(p).dtype), [(n - k, 0, 0)])


def _trim_leading_zeros_concrete(name, p):
    try:
        v = np.asarray(concrete_value(p))
    except ConcretizationError:
        raise ConcretizationError(f"{name}: trim_leading_zeros=True needs concrete coefficients (the result's "
                                  f"shape depends on them); pass trim_leading_zeros=False under jit") from None
    nz = np.flatnonzero(v)
    start = int(nz[0]) if nz.size else max(v.shape[0] - 1, 0)
    return lax.slice_in_dim(p, start, v.shape[0])


def polyval(p, x, *, unroll=16):
    """p[0] * x**(n-1) + ... + p[n-1], by Horner's rule (coefficients along p's first axis, each broadcasting
    with x)."""
    check_arraylike("polyval", p, x)
    p = asvalue(p)
    if type_of(p).ndim == 0:
        raise ValueError(f"polyval: p must have at least one dimension (the coefficients), got {describe(p)}")
    d, weak = result_type_of(p, x)
    weak = weak and not is_value(p) and not isinstance(p, np.ndarray)   # as JAX: an array of coefficients is strong
    p, x = convert(p, d, weak), convert(x, d, weak)
    y = _c(x, 0)
    for i in range(type_of(p).shape[0]):
        y = add(multiply(y, x), lax.index_in_dim(p, i, keepdims=False))
    return y


def polyadd(a1, a2):
    a1, a2 = _aligned("polyadd", asvalue(a1), asvalue(a2))
    return add(a1, a2)


def polysub(a1, a2):
    a1, a2 = _aligned("polysub", asvalue(a1), asvalue(a2))
    return subtract(a1, a2)


def _aligned(name, a1, a2):
    """Two coefficient arrays padded at the front (the high powers) to one length."""
    check_arraylike(name, a1, a2)
    n = max(type_of(a1).shape[-1] if type_of(a1).ndim else 1, type_of(a2).shape[-1] if type_of(a2).ndim else 1)

    def pad(a):
        t = type_of(a)
        k = t.shape[-1] if t.ndim else 1
        if k == n:
            return a
        cfg = [(0, 0, 0)] * (t.ndim - 1) + [(n - k, 0, 0)]
        return lax.pad(a, convert(0, t.dtype), cfg)
    return pad(a1), pad(a2)


def _convolve_full(a, b):
    """Full 1-D convolution of coefficient vectors: sum_i pad(a[i] * b, shifted by i)."""
    n, m = type_of(a).shape[0], type_of(b).shape[0]
    out = None
    for i in range(n):
        term = lax.pad(multiply(lax.index_in_dim(a, i, keepdims=False), b), convert(0, type_of(b).dtype),
                       [(i, n - 1 - i, 0)])
        out = term if out is None else add(out, term)
    return out


def polymul(a1, a2, *, trim_leading_zeros=False):
    """The product polynomial (in the default inexact type, as JAX, which computes it by convolution)."""
    a1, a2 = _vector("polymul", a1), _vector("polymul", a2)
    a1, a2 = promote_args("polymul", a1, a2, kind="inexact") if type_of(a1).shape == type_of(a2).shape else \
        _promote_separately("polymul", a1, a2)
    if trim_leading_zeros:
        a1, a2 = _trim_leading_zeros_concrete("polymul", a1), _trim_leading_zeros_concrete("polymul", a2)
    if type_of(a1).shape[0] == 0 or type_of(a2).shape[0] == 0:
        return zeros((0,), type_of(a1).dtype)
    return _convolve_full(a1, a2)


def _promote_separately(name, *xs):
    d, weak = result_type_of(*xs)
    if not T.is_inexact(d):
        d = promote_args(name, convert(asvalue(xs[0]), d), kind="inexact")[0].type.dtype
    return [convert(x, d) for x in xs]


def polydiv(u, v, *, trim_leading_zeros=False):
    """(quotient, remainder) of polynomial long division, in the inexact type; the remainder keeps u's length."""
    u, v = _vector("polydiv", u), _vector("polydiv", v)
    u, v = _promote_separately("polydiv", u, v)
    if trim_leading_zeros:
        u, v = _trim_leading_zeros_concrete("polydiv", u), _trim_leading_zeros_concrete("polydiv", v)
    n, m = type_of(u).shape[0], type_of(v).shape[0]
    scale = bind1("div", _c(lax.index_in_dim(v, 0, keepdims=False), 1), lax.index_in_dim(v, 0, keepdims=False))
    q_len = max(n - m + 1, 1)
    q = []
    for k in range(n - m + 1):
        d = multiply(scale, lax.index_in_dim(u, k, keepdims=False))
        q.append(d)
        # u[k:k+m] -= d * v
        upd = bind1("sub", lax.slice_in_dim(u, k, k + m), multiply(d, v))
        u = lax.dynamic_update_slice_in_dim(u, upd, k, 0)
    quot = stack(q) if q else zeros((q_len,), type_of(u).dtype)
    return quot, u


def polyder(p, m=1):
    """The m-th derivative's coefficients (along p's first axis; inexact dtype, as JAX)."""
    check_arraylike("polyder", p)
    p = asvalue(p)
    if type_of(p).ndim == 0:
        raise ValueError(f"polyder: p must have at least one dimension (the coefficients), got {describe(p)}")
    m = _static("polyder", "the order m", m)
    p, = promote_args("polyder", p, kind="inexact")
    for _ in range(m):
        n = type_of(p).shape[0]
        if n <= 1:
            return zeros((0,) + type_of(p).shape[1:], type_of(p).dtype)
        powers = convert(arange(n - 1, 0, -1), type_of(p).dtype)
        powers = lax.broadcast_in_dim(powers, (n - 1,) + type_of(p).shape[1:], (0,))
        p = multiply(lax.slice_in_dim(p, 0, n - 1), powers)
    return p


def polyint(p, m=1, k=None):
    """The m-th antiderivative's coefficients, with integration constants k (a scalar or m values, the
    first for the first integration)."""
    p = _vector("polyint", p)
    m = _static("polyint", "the order m", m)
    p, = promote_args("polyint", p, kind="inexact")
    dtype = type_of(p).dtype
    if k is None:
        k = zeros((m,), dtype)
    else:
        check_arraylike("polyint", k)
        k = asvalue(k)
        if type_of(k).ndim == 0:
            k = lax.broadcast_in_dim(convert(k, dtype), (m,), ())
        if type_of(k).shape != (m,):
            raise ValueError(f"polyint: k must be a scalar or have m={m} values, got {describe(k)}")
        k = convert(k, dtype)
    for i in range(m):
        n = type_of(p).shape[0]
        divisors = convert(arange(n, 0, -1), dtype)
        p = lax.concatenate([bind1("div", p, divisors) if n else p,
                             lax.reshape(lax.index_in_dim(k, i, keepdims=False), (1,))], 0)
    return p


def poly(seq_of_zeros):
    """The monic polynomial whose roots are the given values (1-D input; inexact dtype, complex stays complex)."""
    check_arraylike("poly", seq_of_zeros)
    z = asvalue(seq_of_zeros)
    if z.type.ndim == 2 and z.type.shape[0] == z.type.shape[1] != 0:
        z = eigvals(z)      # the characteristic polynomial of a square matrix (complex, as in JAX)
    if z.type.ndim != 1:
        raise ValueError(f"poly: input must be 1d or non-empty square 2d array, got {describe(z)}")
    z, = promote_args("poly", z, kind="inexact")
    a = ones((1,), type_of(z).dtype)
    for i in range(type_of(z).shape[0]):
        root = lax.index_in_dim(z, i, keepdims=True)
        a = _convolve_full(a, lax.concatenate([ones((1,), type_of(z).dtype), bind1("neg", root)], 0))
    return a


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix: column j is x**(N-1-j) (x**j if increasing); x's dtype (ints stay ints)."""
    x = _vector("vander", x)
    n = type_of(x).shape[0] if N is None else _static("vander", "N", N)
    powers = arange(n) if increasing else arange(n - 1, -1, -1)
    if n == 0:
        return zeros((type_of(x).shape[0], 0), type_of(x).dtype)
    cols = [power(x, int(k)) for k in np.asarray(powers)]
    return stack(cols, axis=1)


def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """Least-squares polynomial coefficients of degree deg (highest power first), through vander and lstsq."""
    check_arraylike("polyfit", x, y)
    deg = _static("polyfit", "deg", deg)
    x, = promote_args("polyfit", x, kind="inexact")
    y, = promote_args("polyfit", y, kind="inexact")
    x, y = [convert(v, result_type_of(x, y)[0]) for v in (x, y)]
    if type_of(x).ndim != 1 or type_of(y).ndim not in (1, 2) or type_of(y).shape[0] != type_of(x).shape[0]:
        raise ValueError(f"polyfit: expected x 1-D and y of shape (len(x),) or (len(x), K), got {describe(x)} "
                         f"and {describe(y)}")
    n = type_of(x).shape[0]
    rcond = n * np.finfo(type_of(x).dtype).eps if rcond is None else rcond
    lhs = vander(x, deg + 1)
    rhs = y
    if w is not None:
        w = convert(asvalue(w), type_of(x).dtype)
        lhs = multiply(lhs, lax.expand_dims(w, (1,)))
        rhs = multiply(rhs, w if type_of(rhs).ndim == 1 else lax.expand_dims(w, (1,)))
    # scale the columns for conditioning, as NumPy does
    scale = bind1("sqrt", _sum(multiply(lhs, lhs), axis=0))
    c, resids, rank, s = lstsq(bind1("div", lhs, lax.broadcast_in_dim(scale, type_of(lhs).shape, (1,))), rhs,
                               rcond)
    c = bind1("div", c, scale if type_of(c).ndim == 1 else lax.broadcast_in_dim(scale, type_of(c).shape, (0,)))
    if full:
        return c, resids, rank, s, convert(rcond, type_of(x).dtype)
    if cov:
        raise ValueError("polyfit: cov=True is not supported by Lintra; use full=True and compute the covariance "
                         "from the residuals")
    return c


def trim_zeros(filt, trim="fb", axis=None):
    """filt without its leading ('f') and/or trailing ('b') zeros; needs concrete values (the result's shape
    depends on them)."""
    check_arraylike("trim_zeros", filt)
    f = asvalue(filt)
    try:
        v = np.asarray(concrete_value(f))
    except ConcretizationError:
        raise ConcretizationError("trim_zeros: the result's shape depends on the values of filt, so it needs "
                                  "concrete (not traced) input") from None
    if v.ndim != 1 or axis not in (None, 0, -1):
        raise ValueError(f"trim_zeros: expected 1-D input, got {describe(f)}")
    nz = np.flatnonzero(v)
    if nz.size == 0:
        return lax.slice_in_dim(f, 0, 0)
    start = int(nz[0]) if "f" in trim.lower() else 0
    stop = int(nz[-1]) + 1 if "b" in trim.lower() else v.shape[0]
    return lax.slice_in_dim(f, start, stop)
