"""Sorting, searching and value-dependent selection: sort argsort lexsort searchsorted digitize take
take_along_axis nonzero where argwhere flatnonzero count_nonzero unique bincount.

Results whose size depends on the values (nonzero, argwhere, unique, bincount) take a static `size=`
(and `fill_value=`) so that they trace, as in JAX; without one the input must be concrete.
"""
import operator

import numpy as np

from ...ir import types as T
from .. import dtypes as _dtypes
from .. import lax
from ..core import ConcretizationError, bind, bind1, concrete_value, constant, is_value, type_of
from ..words import wordwise
from ._util import (asvalue, broadcast_shapes, broadcast_to, canon_axis, check_arraylike, convert, describe,
                    promote_args, result_type_of)
from .manipulation import concatenate, moveaxis, ravel, reshape, stack
from .reductions import sum as _sum
from .ufuncs import _as_bool, isnan, remainder


def _index_dtype():
    return _dtypes.default_int()


def _flat_or_axis(name, a, axis):
    check_arraylike(name, a)
    a = asvalue(a)
    if axis is None:
        return ravel(a), 0
    return a, canon_axis(axis, a.type.ndim)


# ---- sorting -----------------------------------------------------------------------------------------

def sort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    """a sorted along axis (flattened when None), NaNs last; descending=True reverses the order."""
    if order is not None:
        raise TypeError("sort: the order argument (for structured arrays) is not supported")
    a, ax = _flat_or_axis("sort", a, axis)
    out = bind1("sort", a, dimension=ax, is_stable=bool(stable), num_keys=1)
    return bind1("rev", out, dimensions=(ax,)) if descending else out


def argsort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    """Indices that sort a along axis. Stable: equal elements keep their order, also when descending."""
    if order is not None:
        raise TypeError("argsort: the order argument (for structured arrays) is not supported")
    a, ax = _flat_or_axis("argsort", a, axis)
    n = a.type.shape[ax]
    if descending:    # sort the reversed array, then map positions back and reverse
        a = bind1("rev", a, dimensions=(ax,))
    iota = bind1("iota", dtype=_index_dtype(), shape=a.type.shape, dimension=ax)
    _, idx = bind("sort", a, iota, dimension=ax, is_stable=bool(stable) or descending, num_keys=1)
    if descending:
        idx = bind1("rev", bind1("sub", _full(idx, n - 1), idx), dimensions=(ax,))
    return idx


def _full(like, value):
    t = like.type
    c = convert(value, t.dtype)
    return bind1("broadcast_in_dim", c, shape=t.shape, broadcast_dimensions=()) if t.shape else c


def lexsort(keys, axis=-1):
    """Indices that sort by several keys: the last key is the primary one (as np.lexsort)."""
    keys = list(keys) if not is_value(keys) else [keys[i] for i in range(type_of(keys).shape[0])]
    if not keys:
        raise TypeError("lexsort: need a sequence of keys with length >= 1")
    check_arraylike("lexsort", *keys)
    shape = broadcast_shapes("lexsort", *keys)
    if not shape:
        raise TypeError("lexsort: keys must have at least one dimension")
    keys = [broadcast_to(asvalue(k), shape, "lexsort") for k in keys]
    ax = canon_axis(axis, len(shape))
    iota = bind1("iota", dtype=_index_dtype(), shape=shape, dimension=ax)
    return bind("sort", *keys[::-1], iota, dimension=ax, is_stable=True, num_keys=len(keys))[-1]


def _less(x, y):
    """NumPy's sort order as a comparison: NaNs after everything, complex by (real, imag)."""
    if T.is_complex(x.type.dtype):
        xr, yr, xi, yi = (bind1(p, v) for p, v in (("real", x), ("real", y), ("imag", x), ("imag", y)))
        return bind1("or", _less(xr, yr), bind1("and", bind1("eq", xr, yr), _less(xi, yi)))
    lt = bind1("lt", x, y)
    if T.is_float(x.type.dtype):
        return bind1("or", lt, bind1("and", bind1("ne", y, y), bind1("eq", x, x)))
    return lt


def searchsorted(a, v, side="left", sorter=None, *, method="scan"):
    """Where v's elements would be inserted into the sorted 1-D a to keep it sorted: the first such
    position ('left') or the last ('right'). method 'scan' is a binary search (log2 n gathers);
    'compare_all' compares every pair (fast for short a)."""
    check_arraylike("searchsorted", a, v)
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
    if method not in ("scan", "scan_unrolled", "sort", "compare_all"):
        raise ValueError(f"searchsorted: method must be 'scan', 'scan_unrolled', 'sort' or 'compare_all', got "
                         f"{method!r}")
    a, v = asvalue(a), asvalue(v)
    if a.type.ndim != 1:
        raise ValueError(f"searchsorted: a must be 1-D, got {describe(a)}")
    if sorter is not None:
        a = take(a, sorter, mode="clip")
    d, weak = result_type_of(a, v)
    a, v = convert(a, d), convert(v, d, weak)
    n = a.type.shape[0]
    out_dtype = _index_dtype()

    def goes_right(elem, value):     # does `value` belong after `elem`?
        return _less(elem, value) if side == "left" else bind1("not", _less(value, elem))

    if method in ("sort", "compare_all") or n == 0:
        vs = v.type.shape
        grid = vs + (n,)
        ab = bind1("broadcast_in_dim", a, shape=grid, broadcast_dimensions=(len(vs),))
        vb = bind1("broadcast_in_dim", v, shape=grid, broadcast_dimensions=tuple(range(len(vs))))
        return bind1("reduce_sum", convert(goes_right(ab, vb), out_dtype), axes=(len(vs),))
    lo = convert(np.zeros(v.type.shape, out_dtype), out_dtype)
    hi = _full(lo, n)
    one = _full(lo, 1)
    for _ in range(int(np.ceil(np.log2(n + 1)))):
        active = bind1("lt", lo, hi)
        mid = bind1("div", bind1("add", lo, hi), _full(lo, 2))
        elem = take(a, mid, mode="clip")
        right = bind1("and", active, goes_right(elem, v))
        left = bind1("and", active, bind1("not", right))
        lo = bind1("select_n", right, lo, bind1("add", mid, one))
        hi = bind1("select_n", left, hi, mid)
    return lo


def digitize(x, bins, right=False):
    """The index of the bin each x falls in, for increasing or decreasing bins, as np.digitize."""
    check_arraylike("digitize", x, bins)
    bins = asvalue(bins)
    if bins.type.ndim != 1:
        raise ValueError(f"digitize: bins must be 1-D, got {describe(bins)}")
    n = bins.type.shape[0]
    side = "left" if right else "right"
    if n == 0:
        return convert(np.zeros(type_of(x).shape, _index_dtype()), _index_dtype())
    increasing = searchsorted(bins, x, side=side)
    if n == 1:
        return increasing
    # decreasing bins count from the end of the reversed bins; which applies may depend on traced bins
    decreasing = bind1("sub", _full(increasing, n), searchsorted(bind1("rev", bins, dimensions=(0,)), x, side=side))
    first, last = bins[0], bins[n - 1]
    is_decreasing = bind1("broadcast_in_dim", bind1("lt", last, first), shape=increasing.type.shape,
                          broadcast_dimensions=())
    return bind1("select_n", is_decreasing, increasing, decreasing)


# ---- take ---------------------------------------------------------------------------------------------

def _mode(name, mode, indices, extra=()):
    """The gather mode for a NumPy/JAX take mode: None and 'fill' fill, 'clip' clamps, and for
    take_along_axis (extra) also 'drop' (= 'fill') and 'promise_in_bounds' (XLA's clamp). 'wrap' and 'raise'
    (checked at once on concrete indices) are NumPy's; JAX 0.10.2 has 'wrap' for take only, 'raise' not."""
    if mode is None or mode == "fill" or (mode == "drop" and "drop" in extra):
        return lax.GatherScatterMode.FILL_OR_DROP
    if mode == "clip":
        return lax.GatherScatterMode.CLIP
    if mode == "promise_in_bounds" and mode in extra:
        return lax.GatherScatterMode.PROMISE_IN_BOUNDS
    if mode == "wrap":
        return "wrap"
    if mode == "raise":
        if is_value(indices) and concrete_value(indices) is None:
            raise ValueError(f"{name}: mode='raise' needs concrete indices (bounds cannot be checked under jit); "
                             f"use mode='fill', 'clip' or 'wrap'")
        return "raise"
    raise ValueError(f"{name}: invalid mode {mode!r}; expected 'fill', 'clip', 'wrap', 'raise'"
                     + "".join(f", {m!r}" for m in extra))


def _normalize_indices(name, idx, n, mode, wrap_negative=True):
    """Integer indices with negative ones counted from the end (and wrapped or bounds-checked)."""
    if isinstance(idx, (list, tuple)):
        idx = np.asarray(idx)
    t = type_of(idx)
    if not (T.is_int(t.dtype) or (isinstance(idx, np.ndarray) and idx.size == 0)):
        raise TypeError(f"{name}: indices must be integers, got {describe(idx)}")
    if mode == "raise":
        value = np.asarray(concrete_value(idx) if is_value(idx) else idx)
        if value.size and (value.min() < -n or value.max() >= n):
            raise IndexError(f"{name}: index {int(value.min() if value.min() < -n else value.max())} is out of "
                             f"bounds for axis with size {n}")
    d = _index_dtype() if t.dtype.itemsize < 4 or not T.is_int(t.dtype) else t.dtype
    idx = convert(idx, d)
    if mode == "wrap":
        return remainder(idx, max(n, 1))
    if T.is_signed(d) and wrap_negative:
        return bind1("select_n", bind1("lt", idx, _full(idx, 0)), idx, bind1("add", idx, _full(idx, n)))
    return idx


@wordwise()
def take(a, indices, axis=None, out=None, mode=None, unique_indices=False, indices_are_sorted=False,
         fill_value=None):
    """Elements of a at `indices` along axis (of the flattened a when None). Out-of-bounds indices: mode
    'fill' (the default, as JAX) gives fill_value (NaN for inexact dtypes), 'clip' clamps, 'wrap' wraps,
    'raise' checks concrete indices. As JAX, negative indices count from the end except with 'clip' (-1
    clamps to 0)."""
    if out is not None:
        raise ValueError("take: the out argument is not supported: Lintra arrays are immutable")
    a, ax = _flat_or_axis("take", a, axis)
    t = a.type
    n = t.shape[ax]
    m = _mode("take", mode, indices)
    idx = _normalize_indices("take", indices, n, m, wrap_negative=m is not lax.GatherScatterMode.CLIP)
    gmode = lax.GatherScatterMode.CLIP if m in ("wrap", "raise") else m
    it = idx.type
    if n == 0 and gmode is lax.GatherScatterMode.CLIP:
        raise IndexError(f"take: cannot take from an empty axis {ax} of {describe(a)} with mode {mode!r}")
    offset = tuple(range(ax)) + tuple(range(ax + it.ndim, t.ndim - 1 + it.ndim))
    dn = lax.GatherDimensionNumbers(offset_dims=offset, collapsed_slice_dims=(ax,), start_index_map=(ax,))
    sizes = t.shape[:ax] + (1,) + t.shape[ax + 1:]
    return lax.gather(a, reshape(idx, it.shape + (1,)), dn, sizes, mode=gmode, fill_value=fill_value,
                      unique_indices=unique_indices, indices_are_sorted=indices_are_sorted)


@wordwise()
def take_along_axis(arr, indices, axis=-1, mode=None, fill_value=None, *, wrap_negative_indices=None):
    """out[..., j, ...] = arr[..., indices[..., j, ...], ...] along axis; the other dimensions of arr and
    indices broadcast together. axis=None takes from the flattened arr with 1-D indices. Negative indices
    count from the end unless wrap_negative_indices=False (its default, as JAX: mode != 'promise_in_bounds')."""
    check_arraylike("take_along_axis", arr, indices)
    arr = asvalue(arr)
    if axis is None:
        if type_of(indices).ndim != 1:
            raise ValueError(f"take_along_axis: with axis=None, indices must be 1-D, got {describe(indices)}")
        arr, axis = ravel(arr), 0
    t = arr.type
    if type_of(indices).ndim != t.ndim:
        raise ValueError(f"take_along_axis: indices {describe(indices)} and arr {describe(arr)} must have the "
                         f"same number of dimensions")
    ax = canon_axis(axis, t.ndim)
    n = t.shape[ax]
    m = _mode("take_along_axis", mode, indices, extra=("drop", "promise_in_bounds"))
    if wrap_negative_indices is None:
        wrap_negative_indices = mode != "promise_in_bounds"
    idx = _normalize_indices("take_along_axis", indices, n, m, wrap_negative_indices)
    gmode = lax.GatherScatterMode.CLIP if m in ("wrap", "raise") else m
    ishape = idx.type.shape
    try:
        common = [int(np.broadcast_shapes((a,), (b,))[0]) if i != ax else None
                  for i, (a, b) in enumerate(zip(t.shape, ishape))]
    except ValueError:
        raise ValueError(f"take_along_axis: indices {describe(indices)} and arr {describe(arr)} do not "
                         f"broadcast together outside axis {ax}") from None
    arr = broadcast_to(arr, tuple(n if i == ax else c for i, c in enumerate(common)), "take_along_axis")
    idx = broadcast_to(idx, tuple(ishape[ax] if i == ax else c for i, c in enumerate(common)), "take_along_axis")
    others = tuple(i for i in range(t.ndim) if i != ax)
    dn = lax.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(ax,), start_index_map=(ax,),
                                    operand_batching_dims=others, start_indices_batching_dims=others)
    return lax.gather(arr, reshape(idx, idx.type.shape + (1,)), dn, (1,) * t.ndim, mode=gmode,
                      fill_value=fill_value)


# ---- value-dependent sizes ------------------------------------------------------------------------------

def _static_size(name, size):
    try:
        size = operator.index(size)
    except TypeError:
        raise TypeError(f"{name}: size must be a static integer, got {size!r}") from None
    if size < 0:
        raise ValueError(f"{name}: size must be non-negative, got {size}")
    return size


def _concrete_or_fail(name, a, hint="size= (a static upper bound) and, if needed, fill_value="):
    """a's value as a NumPy array (a host value, or a concrete array or tracer), for sizes that depend on it."""
    value = concrete_value(a) if is_value(a) else a
    if value is None:
        raise ConcretizationError(f"{name}: the size of the result depends on the values of the traced "
                                  f"{describe(a)} argument, so it cannot be computed under jit; pass {hint}")
    return np.asarray(value)


def _fill_values(name, fill_value, n):
    if fill_value is None:
        return [0] * n
    if isinstance(fill_value, (tuple, list)):
        if len(fill_value) != n:
            raise ValueError(f"{name}: fill_value must be a scalar or a tuple of length {n}, got {fill_value!r}")
        return list(fill_value)
    return [fill_value] * n


def _compact(mask_flat, size):
    """The positions of the true entries of the 1-D mask, in order, padded (or cut) to `size`;
    and the number of true entries. Each true entry is scattered to its rank among the true ones."""
    d = _index_dtype()
    m = convert(mask_flat, d)
    rank = bind1("sub", bind1("cumsum", m, axis=0, reverse=False), _full(m, 1))
    # entries that are false, or beyond `size`, go to the out-of-bounds position `size` and are dropped
    target = bind1("select_n", convert(mask_flat, np.bool_), _full(rank, size), rank)
    n = mask_flat.type.shape[0]
    positions = bind1("iota", dtype=d, shape=(n,), dimension=0)
    zeros = convert(np.zeros((size,), d), d)
    dn = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
                                     scatter_dims_to_operand_dims=(0,))
    out = lax.scatter(zeros, reshape(target, (n, 1)), positions, dn)
    return out, bind1("reduce_sum", m, axes=(0,))


def nonzero(a, *, size=None, fill_value=None):
    """Indices of the nonzero elements of a, one array per dimension. With size=, each holds exactly
    `size` entries: cut, or padded with fill_value (0 by default; a tuple gives one per dimension)."""
    check_arraylike("nonzero", a)
    if type_of(a).ndim == 0:
        raise ValueError("nonzero: calling nonzero on 0-d arrays is not allowed; use atleast_1d(a).nonzero()")
    if size is None:
        value = _concrete_or_fail("nonzero", a)
        return tuple(constant(i.astype(_index_dtype())) for i in np.nonzero(value))
    a = asvalue(a)
    t = a.type
    size = _static_size("nonzero", size)
    mask = a if T.is_bool(t.dtype) else bind1("ne", a, _full(a, 0))
    flat, count = _compact(ravel(mask), size)
    fills = _fill_values("nonzero", fill_value, t.ndim)
    valid = bind1("lt", bind1("iota", dtype=_index_dtype(), shape=(size,), dimension=0),
                  bind1("broadcast_in_dim", count, shape=(size,), broadcast_dimensions=()))
    out = []
    strides = [int(np.prod(t.shape[k + 1:], dtype=np.int64)) for k in range(t.ndim)]
    for dim, (n, s) in enumerate(zip(t.shape, strides)):
        i = bind1("div", flat, _full(flat, s)) if s != 1 else flat
        i = bind1("rem", i, _full(i, n)) if dim else i
        out.append(bind1("select_n", valid, _full(i, fills[dim]), i))
    return tuple(out)


@wordwise(values=(1, 2))
def where(condition, x=None, y=None, /, *, size=None, fill_value=None):
    """where(condition, x, y): x where condition is true, else y (broadcast together). where(condition) is
    nonzero(condition, size=size, fill_value=fill_value)."""
    if x is None and y is None:
        return nonzero(condition, size=size, fill_value=fill_value)
    if x is None or y is None:
        raise ValueError("where: either both x and y must be given, or neither (the one-argument form is "
                         "nonzero(condition))")
    check_arraylike("where", condition, x, y)
    x, y = promote_args("where", x, y)
    shape = broadcast_shapes("where", condition, x)
    cond = broadcast_to(_as_bool(condition), shape, "where")
    return bind1("select_n", cond, broadcast_to(y, shape, "where"), broadcast_to(x, shape, "where"))


def flatnonzero(a, *, size=None, fill_value=None):
    """Indices of the nonzero elements of the flattened a."""
    check_arraylike("flatnonzero", a)
    return nonzero(ravel(a) if is_value(a) else np.ravel(a), size=size, fill_value=fill_value)[0]


def argwhere(a, *, size=None, fill_value=None):
    """The indices of the nonzero elements as rows of an (N, a.ndim) array."""
    check_arraylike("argwhere", a)
    nd = type_of(a).ndim
    if nd == 0:
        a = reshape(a, (1,)) if is_value(a) else np.reshape(a, (1,))
    idx = nonzero(a, size=size, fill_value=fill_value)
    out = stack(idx, axis=1)
    return lax.slice_in_dim(out, 0, 0, axis=1) if nd == 0 else out


def count_nonzero(a, axis=None, keepdims=False):
    check_arraylike("count_nonzero", a)
    a = asvalue(a)
    mask = a if T.is_bool(a.type.dtype) else bind1("ne", a, _full(a, 0))
    return _sum(mask, axis=axis, dtype=_index_dtype(), keepdims=keepdims)


def _not_equal(x, y, equal_nan):
    ne = bind1("ne", x, y)
    if equal_nan and T.is_inexact(x.type.dtype):
        ne = bind1("and", ne, bind1("not", bind1("and", isnan(x), isnan(y))))
    return ne


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *, equal_nan=True,
           size=None, fill_value=None, sorted=True):
    """The sorted unique elements of ar (of its slices along axis), as np.unique, optionally with the
    index of each one's first occurrence, the inverse map and the counts. With size=, the unique values
    are cut or padded to `size` entries (padded with fill_value, by default the smallest unique value);
    padded indices and counts are 0."""
    check_arraylike("unique", ar)
    if size is None:    # NumPy counts the unique values of a concrete input
        value = _concrete_or_fail("unique", ar)
        size = np.unique(value.reshape(-1) if axis is None else value, axis=axis, equal_nan=equal_nan).shape[
            0 if axis is None else canon_axis(axis, value.ndim)]
    ar = asvalue(ar)
    if axis is None:
        rows, ax = reshape(ravel(ar), (-1, 1)), None
    else:
        ax = canon_axis(axis, ar.type.ndim)
        moved = moveaxis(ar, ax, 0)
        rows = reshape(moved, (moved.type.shape[0], -1)) if moved.type.shape[0] else \
            reshape(moved, (0, int(np.prod(moved.type.shape[1:], dtype=np.int64))))
    n, width = rows.type.shape
    d = _index_dtype()
    perm = lexsort([rows[:, j] for j in range(width)][::-1], axis=0) if width else \
        bind1("iota", dtype=d, shape=(n,), dimension=0)
    srt = take(rows, perm, axis=0, mode="clip") if n else rows
    if n:
        diff = _not_equal(lax.slice_in_dim(srt, 1, n), lax.slice_in_dim(srt, 0, n - 1), equal_nan)
        diff = bind1("reduce_or", diff, axes=(1,)) if width else convert(np.zeros((n - 1,), bool), np.bool_)
        new = concatenate([convert(np.ones((1,), bool), np.bool_), diff])
    else:
        new = convert(np.zeros((0,), bool), np.bool_)
    size = _static_size("unique", size)
    group = bind1("sub", bind1("cumsum", convert(new, d), axis=0, reverse=False), _full(convert(new, d), 1)) \
        if n else convert(np.zeros((0,), d), d)
    first, count = _compact(new, size) if n else (convert(np.zeros((size,), d), d), convert(0, d))
    valid = bind1("lt", bind1("iota", dtype=d, shape=(size,), dimension=0),
                  bind1("broadcast_in_dim", count, shape=(size,), broadcast_dimensions=()))
    values = take(srt, first, axis=0, mode="clip") if n else \
        convert(np.zeros((size, width), ar.type.dtype), ar.type.dtype)
    if n:
        fill = take(values, convert(0, d), axis=0, mode="clip") if fill_value is None else \
            broadcast_to(convert(fill_value, ar.type.dtype), (width,))
        values = bind1("select_n", bind1("broadcast_in_dim", valid, shape=(size, width), broadcast_dimensions=(0,)),
                       bind1("broadcast_in_dim", fill, shape=(size, width), broadcast_dimensions=(1,)), values)
    if ax is None:
        values = reshape(values, (size,))
    else:
        rest = moveaxis(ar, ax, 0).type.shape[1:]
        values = moveaxis(reshape(values, (size,) + rest), 0, ax)
    extras = []
    zero = _full(convert(np.zeros((size,), d), d), 0)
    if return_index:
        extras.append(bind1("select_n", valid, zero, take(perm, first, mode="clip")) if n else zero)
    if return_inverse:
        inv = convert(np.zeros((n,), d), d)
        if n:
            dn = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
                                             scatter_dims_to_operand_dims=(0,))
            inv = lax.scatter(inv, reshape(perm, (n, 1)), group, dn)
        extras.append(reshape(inv, ar.type.shape) if ax is None else inv)
    if return_counts:
        counts = zero
        if n:
            dn = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
                                             scatter_dims_to_operand_dims=(0,))
            counts = lax.scatter_add(zero, reshape(group, (n, 1)), _full(group, 1), dn)
        extras.append(counts)
    return (values, *extras) if extras else values


def bincount(x, weights=None, minlength=0, *, length=None):
    """Occurrences of each non-negative integer in x (summed weights, if given). The result's length is
    max(x) + 1 (at least minlength), which needs a concrete x; or pass length= (values beyond it are
    dropped)."""
    check_arraylike("bincount", x)
    t = type_of(x)
    if t.ndim != 1 or not T.is_int(t.dtype) and not T.is_bool(t.dtype):
        raise TypeError(f"bincount: x must be a 1-D array of non-negative integers, got {describe(x)}")
    if length is None:
        value = _concrete_or_fail("bincount", x, "length= (a static number of bins)")
        if value.size and value.min() < 0:
            raise ValueError("bincount: x must contain non-negative integers only")
        length = max(int(value.max()) + 1 if value.size else 0, operator.index(minlength))
    length = _static_size("bincount", length)
    x = asvalue(x)
    if weights is None:
        w = convert(np.ones(x.type.shape, _index_dtype()), _index_dtype())
    else:
        check_arraylike("bincount", weights)
        w = broadcast_to(asvalue(weights), x.type.shape, "bincount")
    zeros = convert(np.zeros((length,), w.type.dtype), w.type.dtype)
    n = x.type.shape[0]
    idx = convert(x, _index_dtype())
    # negative values must not count from the end: send them out of bounds, where they are dropped
    idx = bind1("select_n", bind1("lt", idx, _full(idx, 0)), idx, _full(idx, length))
    dn = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
                                     scatter_dims_to_operand_dims=(0,))
    return lax.scatter_add(zeros, reshape(idx, (n, 1)), w, dn) if n else zeros

