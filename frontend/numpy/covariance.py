"""Covariance and correlation matrices: cov, corrcoef (NumPy's signatures, JAX's dtypes)."""
from ...ir import types as T
from ..core import type_of
from ._util import asvalue, check_arraylike, convert, describe, promote_args, to_dtype
from .manipulation import concatenate, reshape, transpose
from .matrices import diagonal
from .products import matmul
from .reductions import sum as _sum
from .ufuncs import clip, conjugate, divide, multiply, real, sqrt, subtract


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, dtype=None):
    """The covariance matrix of the variables in m's rows (columns if not rowvar), optionally with y's;
    fweights (integer repeat counts) and aweights weight the observations."""
    check_arraylike("cov", m)
    x, = promote_args("cov", m, kind="inexact")
    if type_of(x).ndim > 2:
        raise ValueError(f"cov: m has more than 2 dimensions: {describe(x)}")
    if dtype is not None:
        x = convert(x, to_dtype(dtype))
    x = reshape(x, (1, -1)) if type_of(x).ndim < 2 else x
    if not rowvar and type_of(x).shape[0] != 1:
        x = transpose(x)
    if y is not None:
        yv, = promote_args("cov", y, kind="inexact")
        yv = reshape(yv, (1, -1)) if type_of(yv).ndim < 2 else yv
        if not rowvar and type_of(yv).shape[0] != 1:
            yv = transpose(yv)
        x, yv = promote_args("cov", x, yv) if type_of(x).shape[1:] == type_of(yv).shape[1:] else (x, yv)
        x = concatenate([x, yv], axis=0)
    d = type_of(x).dtype
    n = type_of(x).shape[1]
    if ddof is None:
        ddof = 0 if bias else 1
    w = None
    if fweights is not None:
        w = convert(asvalue(fweights), d)
    if aweights is not None:
        a = convert(asvalue(aweights), d)
        w = a if w is None else multiply(w, a)
    if w is None:
        avg = divide(_sum(x, axis=1, keepdims=True), n)
        fact = convert(n - ddof, T.real_dtype(d))
        xc = subtract(x, avg)
    else:
        w_sum = _sum(w)
        avg = divide(_sum(multiply(x, w), axis=1, keepdims=True), w_sum)
        if ddof == 0:
            fact = w_sum
        elif aweights is None:
            fact = subtract(w_sum, ddof)
        else:
            fact = subtract(w_sum, divide(multiply(ddof, _sum(multiply(w, convert(asvalue(aweights), d)))), w_sum))
        xc = subtract(x, avg)
    xw = xc if w is None else multiply(xc, w)
    c = matmul(xw, conjugate(transpose(xc)))
    c = divide(c, fact)
    return _squeeze_scalar(c)


def _squeeze_scalar(c):
    """NumPy returns a 0-d result for a single variable."""
    return reshape(c, ()) if type_of(c).shape == (1, 1) else c


def corrcoef(x, y=None, rowvar=True, dtype=None):
    """Pearson correlation coefficients: cov normalised by the standard deviations, clipped to [-1, 1]."""
    c = cov(x, y, rowvar, dtype=dtype)
    if type_of(c).ndim == 0:
        return divide(c, c)
    d = diagonal(c)
    stddev = sqrt(real(d))
    c = divide(divide(c, reshape(stddev, (-1, 1))), reshape(stddev, (1, -1)))
    if T.is_complex(type_of(c).dtype):
        return c
    return clip(c, -1, 1)
