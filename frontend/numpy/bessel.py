"""The modified Bessel function of the first kind of order 0, i0, and the Kaiser window built on it.

i0 is computed in Lintra's own terms (no special-function primitive): its power series
sum_k (x^2/4)^k / (k!)^2 for |x| <= 20, and the asymptotic expansion
e^|x| / sqrt(2 pi |x|) * sum_k ((2k-1)!!)^2 / (k! 8^k |x|^k) beyond. Both are truncated where their terms fall
below float64 precision, and each branch only ever sees arguments from its own domain, so neither
overflows into the other's gradient. Derivatives come from differentiating these expressions."""
import math
import operator

import numpy as np

from ...ir import types as T
from ..core import bind1, constant, type_of
from ._util import check_arraylike, convert, describe, full_like_type as _c, promote_args, select as _where

_SWITCH = 20.0
_SERIES_TERMS = 40       # (x^2/4)^k / (k!)^2 < 1e-23 of i0(20) at k = 40
_ASYMPTOTIC_TERMS = 25   # the asymptotic terms at |x| = 20 reach 1e-17 relative by k = 25


def _series(x):
    q = bind1("mul", bind1("mul", x, x), _c(x, 0.25))
    term, total = _c(x, 1.0), _c(x, 1.0)
    for k in range(1, _SERIES_TERMS):
        term = bind1("mul", term, bind1("mul", q, _c(x, 1.0 / (k * k))))
        total = bind1("add", total, term)
    return total


def _asymptotic(ax):
    coeffs = [1.0]
    for k in range(1, _ASYMPTOTIC_TERMS):
        coeffs.append(coeffs[-1] * (2 * k - 1) ** 2 / (8.0 * k))
    inv = bind1("div", _c(ax, 1.0), ax)
    poly = _c(ax, coeffs[-1])
    for c in reversed(coeffs[:-1]):     # Horner in 1/|x|
        poly = bind1("add", bind1("mul", poly, inv), _c(ax, c))
    log_scale = bind1("sub", ax, bind1("mul", _c(ax, 0.5), bind1("log", bind1("mul", ax, _c(ax, 2 * math.pi)))))
    return bind1("mul", bind1("exp", log_scale), poly)


def i0(x):
    """The modified Bessel function I0 (real input; integers compute in the default float)."""
    check_arraylike("i0", x)
    x, = promote_args("i0", x, kind="inexact")
    if T.is_complex(type_of(x).dtype):
        raise ValueError(f"i0: complex input is not supported (as in JAX); got {describe(x)}")
    narrow = type_of(x).dtype in (np.dtype(np.float16), np.dtype(T.dtype("bf16")))
    out_dtype, weak = type_of(x).dtype, type_of(x).weak
    if narrow:       # as JAX: half-precision inputs compute in float32
        x = convert(x, np.float32)
    ax = bind1("abs", x)
    small = bind1("le", ax, _c(ax, _SWITCH))
    near = _where(small, ax, _c(ax, 0.0))           # each branch sees only its own domain
    far = _where(small, _c(ax, 2 * _SWITCH), ax)
    return convert(_where(small, _series(near), _asymptotic(far)), out_dtype, weak)


def kaiser(M, beta):
    """The Kaiser window of M points with shape parameter beta (beta may be traced)."""
    try:
        M = operator.index(M)
    except TypeError:
        raise TypeError(f"kaiser: M must be a static integer, got {M!r}") from None
    check_arraylike("kaiser", beta)
    beta, = promote_args("kaiser", beta, kind="inexact")
    if M <= 0:
        return bind1("broadcast_in_dim", _c(beta, 0.0), shape=(0,), broadcast_dimensions=())
    if M == 1:
        return bind1("broadcast_in_dim", _c(beta, 1.0), shape=(1,), broadcast_dimensions=())
    alpha = (M - 1) / 2.0
    n = np.arange(M, dtype=np.float64)
    r = np.sqrt(np.maximum(1.0 - ((n - alpha) / alpha) ** 2, 0.0))
    rv = constant(r.astype(type_of(beta).dtype))
    b = bind1("broadcast_in_dim", beta, shape=(M,), broadcast_dimensions=())
    return bind1("div", i0(bind1("mul", b, rv)), bind1("broadcast_in_dim", i0(beta), shape=(M,),
                                                         broadcast_dimensions=()))
