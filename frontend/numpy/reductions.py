"""Reductions: sum prod max min ptp mean var std any all argmax argmin cumsum cumprod (axis, keepdims, dtype,
and initial=/where=/promote_integers= as JAX has them)."""
import builtins

import numpy as np

from ...ir import types as T
from .. import dtypes as _dtypes
from ..core import bind1, type_of
from ._util import (asvalue, broadcast_to, canon_axes, canon_axis, check_arraylike, convert, describe,
                    full_like_type, prod_int, select, shape_of, to_dtype, to_inexact)

_F32 = np.dtype(np.float32)


def _default_uint():
    return np.dtype(np.uint64 if _dtypes.config.enable_x64 else np.uint32)


def _promote_integers(d, name="this reduction"):
    """As jnp.sum: bools and integers narrower than the default integer sum in the default integer."""
    if T.is_bool(d):
        return _dtypes.default_int()
    if T.is_small_int(d):   # JAX 0.10.2 fails here too (np.iinfo knows no int4), so code for it never relies on it
        keep = ", or promote_integers=False" if name in ("sum", "prod") else ""
        raise ValueError(f"{name}: cannot promote {d} to the default integer (nor can JAX 0.10.2); pass an explicit "
                         f"dtype=, e.g. dtype='int32'{keep}")
    if T.is_int(d):
        wide = _dtypes.default_int() if T.is_signed(d) else _default_uint()
        return wide if d.itemsize < wide.itemsize else d
    return d


def _upcast_f16(d):
    return _F32 if d in (np.float16, _dtypes.bfloat16) else d


def _keepdims(out, shape, axes):
    return bind1("reshape", out, new_sizes=tuple(1 if i in axes else n for i, n in enumerate(shape)))


# the binary op each reduction folds with, and its identity (a function of the dtype)
_COMBINE = {"reduce_sum": "add", "reduce_prod": "mul", "reduce_max": "max", "reduce_min": "min",
            "reduce_or": "or", "reduce_and": "and"}


def _identity(prim, d):
    if prim in ("reduce_sum", "reduce_or"):
        return 0
    if prim in ("reduce_prod", "reduce_and"):
        return 1
    lowest = prim == "reduce_max"
    if T.is_bool(d):
        return not lowest
    if T.is_int(d):
        info = T.iinfo(d)
        return int(info.min if lowest else info.max)
    return -np.inf if lowest else np.inf


def _where_mask(name, where, shape):
    """`where=` as a bool mask of `shape` (NumPy broadcasting)."""
    check_arraylike(name, where)
    mask = convert(asvalue(where), np.bool_)
    return broadcast_to(mask, shape, f"{name} (where=)")


def _reduce(name, prim, a, axis, dtype, keepdims, promote_integers=False, upcast=False, bool_prim=None,
            identity=True, initial=None, where=None):
    check_arraylike(name, a)
    a = asvalue(a)
    t = a.type
    axes = canon_axes(axis, t.ndim)
    if not identity and initial is None:
        if where is not None:
            raise ValueError(f"reduction operation {name} does not have an identity, so to use a where mask one "
                             f"has to specify 'initial'")
        if builtins.any(t.shape[ax] == 0 for ax in axes):
            raise ValueError(f"{name}: zero-size array {describe(a)} to reduction operation {name} over axes "
                             f"{list(axes)}, which has no identity")
    if dtype is not None:
        out_dtype = to_dtype(dtype)
    elif promote_integers:
        out_dtype = _promote_integers(t.dtype, name)
    elif T.is_bool(t.dtype) and prim in ("reduce_sum", "reduce_prod"):
        out_dtype = _dtypes.default_int()     # as JAX: bools sum as integers even without promotion
    else:
        out_dtype = t.dtype
    comp = _upcast_f16(out_dtype) if upcast else out_dtype
    if T.is_bool(comp) and bool_prim is not None:
        prim = bool_prim
    x = convert(a, comp)
    if where is not None:
        x = select(_where_mask(name, where, t.shape), x, full_like_type(x, _identity(prim, comp)))
    out = bind1(prim, x, axes=axes)
    if initial is not None:
        out = bind1(_COMBINE[prim], out, full_like_type(out, _initial_value(name, initial, comp)))
    out = convert(out, out_dtype)
    return _keepdims(out, t.shape, axes) if keepdims else out


def _initial_value(name, initial, dtype):
    if shape_of(initial):
        raise ValueError(f"{name}: initial must be a scalar, got {describe(initial)}")
    return convert(asvalue(initial), dtype)


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None, promote_integers=True):
    """The sum over `axis`; narrow integers and bools sum in the default integer unless promote_integers=False."""
    _no_out(out)
    return sum_as("sum", a, axis, dtype, keepdims, initial, where, promote_integers)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None, promote_integers=True):
    _no_out(out)
    return prod_as("prod", a, axis, dtype, keepdims, initial, where, promote_integers)


# sum and prod for the functions built on them (nansum, nanprod, trace): errors name the function called
def sum_as(name, a, axis=None, dtype=None, keepdims=False, initial=None, where=None, promote_integers=True):
    return _reduce(name, "reduce_sum", a, axis, dtype, keepdims, promote_integers=promote_integers,
                   upcast=True, bool_prim="reduce_or", initial=initial, where=where)


def prod_as(name, a, axis=None, dtype=None, keepdims=False, initial=None, where=None, promote_integers=True):
    return _reduce(name, "reduce_prod", a, axis, dtype, keepdims, promote_integers=promote_integers,
                   upcast=True, bool_prim="reduce_and", initial=initial, where=where)


def max(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    _no_out(out)
    return _reduce("max", "reduce_max", a, axis, None, keepdims, identity=False, initial=initial, where=where)


def min(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    _no_out(out)
    return _reduce("min", "reduce_min", a, axis, None, keepdims, identity=False, initial=initial, where=where)


amax, amin = max, min


def any(a, axis=None, out=None, keepdims=False, *, where=None):
    _no_out(out)
    return _reduce("any", "reduce_or", a, axis, np.bool_, keepdims, where=where)


def all(a, axis=None, out=None, keepdims=False, *, where=None):
    _no_out(out)
    return _reduce("all", "reduce_and", a, axis, np.bool_, keepdims, where=where)


def ptp(a, axis=None, out=None, keepdims=False):
    """max - min over `axis` (the peak-to-peak range), in a's dtype."""
    _no_out(out)
    return bind1("sub", max(a, axis, keepdims=keepdims), min(a, axis, keepdims=keepdims))


def _no_out(out):
    if out is not None:
        raise ValueError("the out argument is not supported: Lintra arrays are immutable; use the return value")


def _count(shape, axes):
    return prod_int([shape[ax] for ax in axes])


def _count_of(name, shape, axes, where, keepdims, dtype):
    """How many elements each reduction sees: a Python int, or with where= an array of counts."""
    if where is None:
        return _count(shape, axes)
    return _reduce(name, "reduce_sum", convert(_where_mask(name, where, shape), dtype), axes, dtype, keepdims)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    """The average over `axis` (over the elements where `where` is True); integers give the default float."""
    _no_out(out)
    check_arraylike("mean", a)
    t = type_of(a)
    axes = canon_axes(axis, t.ndim)
    out_dtype = to_dtype(dtype) if dtype is not None else \
        to_inexact(t.dtype)
    comp = _upcast_f16(out_dtype)
    total = _reduce("mean", "reduce_sum", a, axes, comp, keepdims, where=where)
    n = _count_of("mean", t.shape, axes, where, keepdims, T.real_dtype(comp))
    n = convert(n, comp) if where is not None else _bcast(convert(n, comp), type_of(total).shape)
    return convert(bind1("div", total, n), out_dtype)


def _bcast(scalar, shape):
    return scalar if not shape else bind1("broadcast_in_dim", scalar, shape=tuple(shape), broadcast_dimensions=())


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, mean=None, correction=None):
    """The variance: mean squared deviation (from `mean` if given), divided by (n - ddof)."""
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
        out_dtype = comp = to_inexact(t.dtype)
    if T.is_small_int(comp):     # JAX's var ends in where(n > 0, result, nan): no 1- or 2-bit integer holds NaN
        _dtypes.promote((_dtypes.default_float(), True), (comp, False))
    comp = _upcast_f16(comp)
    x = convert(a, comp)
    centre = _mean(x, axes, keepdims=True, where=where) if mean is None else convert(asvalue(mean), comp)
    centered = bind1("sub", x, broadcast_to(centre, t.shape, "var (mean=)"))
    if T.is_complex(comp):
        sq = bind1("real", bind1("mul", centered, bind1("conj", centered)))
    else:
        sq = bind1("mul", centered, centered)
    total = _reduce("var", "reduce_sum", sq, axes, None, keepdims, where=where)
    rt = type_of(total).dtype
    n = _count_of("var", t.shape, axes, where, keepdims, rt)
    if where is None:
        n = _bcast(convert(n - ddof, rt), type_of(total).shape)
    else:
        n = bind1("sub", n, full_like_type(n, ddof))
    return convert(bind1("div", total, n), T.real_dtype(out_dtype))


_mean = mean


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, mean=None, correction=None):
    return bind1("sqrt", var(a, axis, dtype, out, ddof, keepdims, where=where, mean=mean, correction=correction))


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
    # as JAX 0.10.2: only bools widen (to the default int); int8 stays int8, unlike jnp.sum
    out_dtype = to_dtype(dtype) if dtype is not None else \
        (_dtypes.default_int() if T.is_bool(t.dtype) else t.dtype)
    return bind1(prim, convert(a, out_dtype), axis=ax, reverse=False)


def cumsum(a, axis=None, dtype=None, out=None):
    """Running sums along `axis` (the flattened array when axis is None)."""
    _no_out(out)
    return _cumulative("cumsum", "cumsum", a, axis, dtype)


def cumprod(a, axis=None, dtype=None, out=None):
    _no_out(out)
    return _cumulative("cumprod", "cumprod", a, axis, dtype)
