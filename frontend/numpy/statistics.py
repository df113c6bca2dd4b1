"""Order statistics and NaN-ignoring reductions: quantile percentile median (and their nan* forms),
average, nansum nanprod nanmax nanmin nanmean nanvar nanstd.

Quantiles sort along the reduced axes and read the sorted values at positions q * (n - 1), as NumPy's
methods say (linear, lower, higher, midpoint, nearest); q may be traced, and the result is
differentiable in `a` (through sort) and in `q` (through the interpolation weight).
"""
import numpy as np

from ...ir import types as T
from .. import dtypes as _dtypes
from ..core import bind1, type_of
from ._util import (asvalue, broadcast_to, canon_axes, canon_axis, check_arraylike, convert, describe, promote_args,
                    prod_int)
from .manipulation import moveaxis, reshape
from .reductions import (argmax as _argmax, argmin as _argmin, max as _max, mean, min as _min, prod_as, sum as _sum,
                         sum_as)
from .searching import take_along_axis
from .ufuncs import isnan
from ._util import full_like_type as _c, select as _where

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _to_end(a, axis):
    """a with the reduced axes merged into one last axis; also the kept shape for keepdims."""
    t = a.type
    axes = canon_axes(axis, t.ndim)
    rest = [i for i in range(t.ndim) if i not in axes]
    x = moveaxis(a, axes, tuple(range(t.ndim - len(axes), t.ndim))) if axes else a
    n = prod_int([t.shape[i] for i in axes])
    x = reshape(x, tuple(t.shape[i] for i in rest) + (n,))
    kept = tuple(1 if i in axes else s for i, s in enumerate(t.shape))
    return x, kept


def _quantile(name, a, q, axis, method, keepdims, ignore_nan, scale=1.0):
    q = np.asarray(q) if isinstance(q, (list, tuple)) else q
    check_arraylike(name, a, q)
    if method not in _METHODS:
        raise ValueError(f"{name}: method must be one of {', '.join(_METHODS)}, got {method!r}")
    a, = promote_args(name, a, kind="inexact")
    if T.is_complex(a.type.dtype):
        raise TypeError(f"{name}: complex arguments have no ordering; got {describe(a)}")
    d = a.type.dtype
    q = convert(q, d)
    if scale != 1.0:
        q = bind1("div", q, _c(q, scale))
    q = bind1("clamp", _c(q, 0), q, _c(q, 1))     # as JAX 0.10.2: q outside [0, 1] reads the min or max
    x, kept = _to_end(a, axis)
    n = x.type.shape[-1]
    if n == 0:
        raise ValueError(f"{name}: cannot take a quantile of the empty axes {axis!r} of {describe(a)}")
    batch, qshape = x.type.shape[:-1], q.type.shape
    full = qshape + batch
    srt = bind1("sort", x, dimension=x.type.ndim - 1, is_stable=True, num_keys=1)
    if ignore_nan:
        count = bind1("reduce_sum", convert(bind1("not", isnan(x)), d), axes=(x.type.ndim - 1,))
    else:
        count = broadcast_to(convert(n, d), batch)
    count_b = bind1("broadcast_in_dim", count, shape=full, broadcast_dimensions=tuple(range(len(qshape), len(full))))
    q_b = bind1("broadcast_in_dim", q, shape=full, broadcast_dimensions=tuple(range(len(qshape))))
    last = bind1("max", bind1("sub", count_b, _c(count_b, 1)), _c(count_b, 0))
    pos = bind1("mul", q_b, last)
    lo_f = bind1("min", bind1("max", bind1("floor", pos), _c(pos, 0)), last)
    hi_f = bind1("min", bind1("ceil", pos), last)
    values = bind1("broadcast_in_dim", srt, shape=full + (n,),
                   broadcast_dimensions=tuple(range(len(qshape), len(full) + 1)))

    def at(i_f):
        i = convert(i_f, _dtypes.default_int())
        return reshape(take_along_axis(values, reshape(i, full + (1,)), axis=-1, mode="clip"), full)

    if method == "lower":
        out = at(lo_f)
    elif method == "higher":
        out = at(hi_f)
    elif method == "nearest":
        out = at(bind1("min", bind1("round", pos, rounding_method=1), last))
    else:
        lo, hi = at(lo_f), at(hi_f)
        if method == "midpoint":
            out = bind1("mul", bind1("add", lo, hi), _c(lo, 0.5))
        else:   # NumPy's lerp: from the nearer end, so that t = 0 and t = 1 give the end points exactly
            t = bind1("sub", pos, lo_f)
            diff = bind1("sub", hi, lo)
            from_lo = bind1("add", lo, bind1("mul", diff, t))
            from_hi = bind1("sub", hi, bind1("mul", diff, bind1("sub", _c(t, 1), t)))
            out = _where(bind1("ge", t, _c(t, 0.5)), from_hi, from_lo)
    if ignore_nan:   # an all-NaN slice has no quantile
        out = _where(bind1("eq", count_b, _c(count_b, 0)), _c(out, np.nan), out)
    else:            # NaNs sort last: any NaN in the slice makes its quantile NaN
        has_nan = bind1("broadcast_in_dim", isnan(bind1("slice", srt, start_indices=(0,) * (srt.type.ndim - 1) +
                                                         (n - 1,), limit_indices=srt.type.shape)),
                        shape=full + (1,), broadcast_dimensions=tuple(range(len(qshape), len(full) + 1)))
        out = _where(reshape(has_nan, full), _c(out, np.nan), out)
    if keepdims:
        out = reshape(out, qshape + kept)
    return out


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
             interpolation=None):
    """The q-th quantiles (q in [0, 1], any shape: the result's leading dimensions) over axis."""
    _no_out(out)
    return _quantile("quantile", a, q, axis, interpolation or method, keepdims, ignore_nan=False)


def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
                interpolation=None):
    """quantile ignoring NaNs (NaN where a slice holds only NaNs)."""
    _no_out(out)
    return _quantile("nanquantile", a, q, axis, interpolation or method, keepdims, ignore_nan=True)


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
               interpolation=None):
    """The q-th percentiles (q in [0, 100]) over axis."""
    _no_out(out)
    return _quantile("percentile", a, q, axis, interpolation or method, keepdims, ignore_nan=False, scale=100.0)


def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
                  interpolation=None):
    _no_out(out)
    return _quantile("nanpercentile", a, q, axis, interpolation or method, keepdims, ignore_nan=True, scale=100.0)


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The median over axis: the middle value, or the mean of the two middle values."""
    _no_out(out)
    return _quantile("median", a, 0.5, axis, "midpoint", keepdims, ignore_nan=False)


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    _no_out(out)
    return _quantile("nanmedian", a, 0.5, axis, "midpoint", keepdims, ignore_nan=True)


def _no_out(out):
    if out is not None:
        raise ValueError("the out argument is not supported: Lintra arrays are immutable; use the return value")


# ---- NaN-ignoring reductions ---------------------------------------------------------------------------

def _replace_nan(a, value):
    a = asvalue(a)
    if not T.is_inexact(a.type.dtype):
        return a
    return _where(isnan(a), _c(a, value), a)


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """sum, counting NaNs as zero."""
    check_arraylike("nansum", a)
    _no_out(out)
    return sum_as("nansum", _replace_nan(a, 0), axis, dtype, keepdims, initial, where)


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """prod, counting NaNs as one."""
    check_arraylike("nanprod", a)
    _no_out(out)
    return prod_as("nanprod", _replace_nan(a, 1), axis, dtype, keepdims, initial, where)


def _nan_extremum(name, a, axis, keepdims, fill, prim, initial, where):
    """As JAX: NaNs (a complex number with a NaN part counts as one) become `fill` (-inf or +inf, with a zero
    imaginary part), as do elements `where` leaves out; the reduction takes `initial` in too; a slice of only
    NaNs gives NaN (nan+0j for complex)."""
    check_arraylike(name, a)
    a = asvalue(a)
    t = a.type
    axes = canon_axes(axis, t.ndim)
    if initial is None and where is None:
        if not T.is_inexact(t.dtype):
            return (_max if prim == "reduce_max" else _min)(a, axis=axis, keepdims=keepdims)
        if any(t.shape[ax] == 0 for ax in axes):
            raise ValueError(f"{name}: zero-size array {describe(a)} to reduction operation {name[3:]} over axes "
                             f"{list(axes)}, which has no identity")
    nan = isnan(a)
    filled = _where(nan, _c(a, fill), a) if T.is_inexact(t.dtype) else a
    if where is not None:
        where = broadcast_to(convert(where, np.bool_), t.shape)
        filled = _where(where, filled, _c(a, fill))
        nan = bind1("or", nan, bind1("not", where))
    out = bind1(prim, filled, axes=axes)
    if initial is not None:
        out = bind1("max" if prim == "reduce_max" else "min", out, _c(out, initial))
    if T.is_inexact(t.dtype):
        out = _where(bind1("reduce_and", nan, axes=axes), _c(out, np.nan), out)
    return reshape(out, tuple(1 if i in axes else n for i, n in enumerate(t.shape))) if keepdims else out


def nanmax(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """max ignoring NaNs (NaN where a slice holds only NaNs)."""
    _no_out(out)
    return _nan_extremum("nanmax", a, axis, keepdims, -np.inf, "reduce_max", initial, where)


def nanmin(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """min ignoring NaNs (NaN where a slice holds only NaNs)."""
    _no_out(out)
    return _nan_extremum("nanmin", a, axis, keepdims, np.inf, "reduce_min", initial, where)


def _nan_arg(name, a, axis, keepdims, fill, arg):
    """As JAX: the index of the extremum ignoring NaNs, -1 where a slice holds only NaNs."""
    check_arraylike(name, a)
    a = asvalue(a)
    t = a.type
    if T.is_complex(t.dtype):
        raise TypeError(f"{name}: complex arguments have no ordering; got {describe(a)}")
    if not T.is_float(t.dtype):
        return arg(a, axis=axis, keepdims=bool(keepdims))
    nan = isnan(a)
    res = arg(_where(nan, _c(a, fill), a), axis=axis, keepdims=bool(keepdims))
    all_nan = bind1("reduce_and", nan, axes=canon_axes(axis, t.ndim))
    all_nan = reshape(all_nan, type_of(res).shape)
    return _where(all_nan, _c(res, -1), res)


def nanargmax(a, axis=None, out=None, keepdims=None):
    """Index of the first maximum ignoring NaNs (-1 where a slice holds only NaNs)."""
    _no_out(out)
    return _nan_arg("nanargmax", a, axis, keepdims, -np.inf, _argmax)


def nanargmin(a, axis=None, out=None, keepdims=None):
    """Index of the first minimum ignoring NaNs (-1 where a slice holds only NaNs)."""
    _no_out(out)
    return _nan_arg("nanargmin", a, axis, keepdims, np.inf, _argmin)


def _nan_count(a, axis, keepdims, dtype, where=None):
    return _sum(bind1("not", isnan(a)), axis=axis, dtype=dtype, keepdims=keepdims, where=where)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, where=None):
    """mean over the non-NaN elements (NaN where there are none)."""
    _no_out(out)
    check_arraylike("nanmean", a)
    a = asvalue(a)
    if not T.is_inexact(a.type.dtype):
        return mean(a, axis=axis, dtype=dtype, keepdims=keepdims, where=where)
    total = nansum(a, axis=axis, dtype=dtype, keepdims=keepdims, where=where)
    count = _nan_count(a, axis, keepdims, T.real_dtype(type_of(total).dtype), where)
    return bind1("div", total, convert(count, type_of(total).dtype))


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, mean=None):
    """var over the non-NaN elements (around `mean` if given), divided by (count - ddof)."""
    _no_out(out)
    check_arraylike("nanvar", a)
    a, = promote_args("nanvar", a, kind="inexact")
    if dtype is not None:
        a = convert(a, dtype)
    centre = nanmean(a, axis=axis, keepdims=True, where=where) if mean is None else \
        convert(asvalue(mean), a.type.dtype)
    # NaNs are zeroed in the deviations themselves, so that no NaN meets a zero cotangent in reverse mode
    centered = _where(isnan(a), _c(a, 0), bind1("sub", a, broadcast_to(centre, a.type.shape)))
    if T.is_complex(a.type.dtype):
        sq = bind1("real", bind1("mul", centered, bind1("conj", centered)))
    else:
        sq = bind1("mul", centered, centered)
    total = nansum(sq, axis=axis, keepdims=keepdims, where=where)
    count = _nan_count(a, axis, keepdims, type_of(total).dtype, where)
    denom = bind1("max", bind1("sub", count, _c(count, ddof)), _c(count, 0))
    return bind1("div", total, denom)


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, mean=None):
    return bind1("sqrt", nanvar(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims, where=where,
                                mean=mean))


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    """The weighted mean sum(a * w) / sum(w) over axis (weights of a's shape, or 1-D along one axis)."""
    check_arraylike("average", a)
    if weights is None:
        avg = mean(a, axis=axis, keepdims=keepdims)
        if not returned:
            return avg
        t = type_of(a)
        count = prod_int([t.shape[i] for i in canon_axes(axis, t.ndim)])
        return avg, broadcast_to(convert(count, type_of(avg).dtype), type_of(avg).shape)
    check_arraylike("average", weights)
    a, w = asvalue(a), asvalue(weights)
    t = a.type
    if w.type.shape != t.shape:
        if axis is None or isinstance(axis, (tuple, list)) or w.type.ndim != 1:
            raise ValueError(f"average: weights {describe(w)} differ in shape from a {describe(a)}; then they "
                             f"must be 1-D and axis a single integer")
        ax = canon_axis(axis, t.ndim)
        if w.type.shape[0] != t.shape[ax]:
            raise ValueError(f"average: weights of length {w.type.shape[0]} do not match axis {ax} of "
                             f"{describe(a)}")
        w = bind1("broadcast_in_dim", w, shape=t.shape, broadcast_dimensions=(ax,))
    a, w = promote_args("average", a, w, kind="inexact")
    total_w = _sum(w, axis=axis, keepdims=keepdims)
    avg = bind1("div", _sum(bind1("mul", a, w), axis=axis, keepdims=keepdims), total_w)
    return (avg, total_w) if returned else avg
