"""Reductions: sum prod max min mean var std any all argmax argmin cumsum cumprod (axis, keepdims, dtype)."""
import builtins

import numpy as np

from ...ir import types as T
from .. import dtypes as _dtypes
from ..core import bind1, type_of
from ._util import asvalue, canon_axes, canon_axis, check_arraylike, convert, describe, prod_int, to_dtype

_F32 = np.dtype(np.float32)


def _default_uint():
    return np.dtype(np.uint64 if _dtypes.config.enable_x64 else np.uint32)


def _promote_integers(d):
    """As jnp.sum: bools and integers narrower than the default integer sum in the default integer."""
    if T.is_bool(d):
        return _dtypes.default_int()
    if T.is_int(d):
        wide = _dtypes.default_int() if T.is_signed(d) else _default_uint()
        return wide if d.itemsize < wide.itemsize else d
    return d


def _upcast_f16(d):
    return _F32 if d in (np.float16, _dtypes.bfloat16) else d


def _keepdims(out, shape, axes):
    return bind1("reshape", out, new_sizes=tuple(1 if i in axes else n for i, n in enumerate(shape)))


def _reduce(name, prim, a, axis, dtype, keepdims, promote_integers=False, upcast=False, bool_prim=None,
            identity=True):
    check_arraylike(name, a)
    a = asvalue(a)
    t = a.type
    axes = canon_axes(axis, t.ndim)
    if not identity and builtins.any(t.shape[ax] == 0 for ax in axes):
        raise ValueError(f"{name}: zero-size array {describe(a)} to reduction operation {name} over axes "
                         f"{list(axes)}, which has no identity")
    out_dtype = to_dtype(dtype) if dtype is not None else \
        (_promote_integers(t.dtype) if promote_integers else t.dtype)
    comp = _upcast_f16(out_dtype) if upcast else out_dtype
    if T.is_bool(comp) and bool_prim is not None:
        prim = bool_prim
    out = convert(bind1(prim, convert(a, comp), axes=axes), out_dtype)
    return _keepdims(out, t.shape, axes) if keepdims else out


def sum(a, axis=None, dtype=None, out=None, keepdims=False):
    _no_out(out)
    return _reduce("sum", "reduce_sum", a, axis, dtype, keepdims, promote_integers=True, upcast=True,
                   bool_prim="reduce_or")


def prod(a, axis=None, dtype=None, out=None, keepdims=False):
    _no_out(out)
    return _reduce("prod", "reduce_prod", a, axis, dtype, keepdims, promote_integers=True, upcast=True,
                   bool_prim="reduce_and")


def max(a, axis=None, out=None, keepdims=False):
    _no_out(out)
    return _reduce("max", "reduce_max", a, axis, None, keepdims, identity=False)


def min(a, axis=None, out=None, keepdims=False):
    _no_out(out)
    return _reduce("min", "reduce_min", a, axis, None, keepdims, identity=False)


amax, amin = max, min


def any(a, axis=None, out=None, keepdims=False):
    _no_out(out)
    return _reduce("any", "reduce_or", a, axis, np.bool_, keepdims)


def all(a, axis=None, out=None, keepdims=False):
    _no_out(out)
    return _reduce("all", "reduce_and", a, axis, np.bool_, keepdims)


def _no_out(out):
    if out is not None:
        raise ValueError("the out argument is not supported: Lintra arrays are immutable; use the return value")


def _count(shape, axes):
    return prod_int([shape[ax] for ax in axes])


def mean(a, axis=None, dtype=None, out=None, keepdims=False):
    """The average over `axis`; integer inputs give the default float dtype."""
    _no_out(out)
    check_arraylike("mean", a)
    t = type_of(a)
    axes = canon_axes(axis, t.ndim)
    out_dtype = to_dtype(dtype) if dtype is not None else \
        (t.dtype if T.is_inexact(t.dtype) else _dtypes.default_float())
    comp = _upcast_f16(out_dtype)
    total = _reduce("mean", "reduce_sum", a, axes, comp, keepdims)
    n = convert(_count(t.shape, axes), comp)
    return convert(bind1("div", total, _bcast(n, type_of(total).shape)), out_dtype)


def _bcast(scalar, shape):
    return scalar if not shape else bind1("broadcast_in_dim", scalar, shape=tuple(shape), broadcast_dimensions=())


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, correction=None):
    """The variance: mean squared deviation, divided by (n - ddof)."""
    _no_out(out)
    check_arraylike("var", a)
    if correction is not None:
        ddof = correction
    t = type_of(a)
    axes = canon_axes(axis, t.ndim)
    if dtype is not None:
        out_dtype = comp = to_dtype(dtype)
    elif T.is_inexact(t.dtype):
        out_dtype, comp = T.real_dtype(t.dtype), t.dtype
    else:
        out_dtype = comp = _dtypes.default_float()
    comp = _upcast_f16(comp)
    x = convert(a, comp)
    centered = bind1("sub", x, bind1("broadcast_in_dim", mean(x, axes, keepdims=True), shape=t.shape,
                                     broadcast_dimensions=tuple(range(t.ndim))))
    if T.is_complex(comp):
        sq = bind1("real", bind1("mul", centered, bind1("conj", centered)))
    else:
        sq = bind1("mul", centered, centered)
    total = _reduce("var", "reduce_sum", sq, axes, None, keepdims)
    n = convert(_count(t.shape, axes) - ddof, type_of(total).dtype)
    return convert(bind1("div", total, _bcast(n, type_of(total).shape)), T.real_dtype(out_dtype))


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, correction=None):
    return bind1("sqrt", var(a, axis, dtype, out, ddof, keepdims, correction=correction))


def _arg_reduce(name, a, axis, keepdims):
    check_arraylike(name, a)
    a = asvalue(a)
    t = a.type
    if T.is_complex(t.dtype):
        raise TypeError(f"{name}: complex arguments have no ordering; got {describe(a)}")
    if axis is None:
        if t.size == 0:
            raise ValueError(f"{name}: attempt to get {name} of an empty sequence")
        flat = bind1("reshape", a, new_sizes=(t.size,))
        out = bind1(name, flat, axes=(0,), index_dtype=_dtypes.default_int())
        return bind1("reshape", out, new_sizes=(1,) * t.ndim) if keepdims else out
    ax = canon_axis(axis, t.ndim)
    if t.shape[ax] == 0:
        raise ValueError(f"{name}: attempt to get {name} of an empty sequence (axis {ax} of {describe(a)})")
    out = bind1(name, a, axes=(ax,), index_dtype=_dtypes.default_int())
    return _keepdims(out, t.shape, (ax,)) if keepdims else out


def argmax(a, axis=None, out=None, keepdims=False):
    """Index of the first maximum (NaN counts as the maximum, as in NumPy)."""
    _no_out(out)
    return _arg_reduce("argmax", a, axis, keepdims)


def argmin(a, axis=None, out=None, keepdims=False):
    _no_out(out)
    return _arg_reduce("argmin", a, axis, keepdims)


def _cumulative(name, prim, a, axis, dtype):
    check_arraylike(name, a)
    a = asvalue(a)
    t = a.type
    if axis is None:
        a, axis = bind1("reshape", a, new_sizes=(t.size,)), 0
    ax = canon_axis(axis, type_of(a).ndim)
    out_dtype = to_dtype(dtype) if dtype is not None else _promote_integers(t.dtype)
    return bind1(prim, convert(a, out_dtype), axis=ax, reverse=False)


def cumsum(a, axis=None, dtype=None, out=None):
    """Running sums along `axis` (the flattened array when axis is None)."""
    _no_out(out)
    return _cumulative("cumsum", "cumsum", a, axis, dtype)


def cumprod(a, axis=None, dtype=None, out=None):
    _no_out(out)
    return _cumulative("cumprod", "cumprod", a, axis, dtype)
