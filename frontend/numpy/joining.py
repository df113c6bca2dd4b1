"""Joining, splitting off and reshaping helpers: append insert delete resize block column_stack dstack unstack
rollaxis matrix_transpose."""
import operator

import numpy as np

from ..core import ConcretizationError, concrete_value, type_of
from ._util import asvalue, broadcast_to, canon_axis, check_arraylike, convert, describe, ensure_value_list
from .indexing import getitem, scatter
from .layout import tile
from .manipulation import atleast_3d, concatenate, moveaxis, ravel, reshape, swapaxes
from .searching import take


def append(arr, values, axis=None):
    """arr followed by values (both flattened when axis is None), in their promoted dtype."""
    check_arraylike("append", arr, values)
    if axis is None:
        return concatenate([ravel(arr), ravel(values)])
    return concatenate([asvalue(arr), asvalue(values)], axis=axis)


def _static_indices(name, obj, n):
    """A concrete index, index array or slice along a dimension of size n, as sorted positions in range(n)."""
    if isinstance(obj, slice):
        return np.arange(n)[obj]
    try:
        idx = np.asarray(concrete_value(obj) if hasattr(obj, "dtype") and not isinstance(obj, np.ndarray)
                         else obj)
    except ConcretizationError:
        raise ConcretizationError(f"{name}: the indices decide the result's shape, so they must be concrete "
                                  f"(static), not traced") from None
    if idx.dtype == bool:
        raise TypeError(f"{name}: boolean indices are not supported; use jnp.where to make index arrays")
    if not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"{name}: indices must be integers, got {idx.dtype}")
    if np.any((idx < -n) | (idx >= n)):
        raise IndexError(f"{name}: index {idx.tolist()} is out of bounds for an axis of size {n}")
    return idx % n if n else idx


def delete(arr, obj, axis=None, *, assume_unique_indices=False):
    """arr without the entries obj (an index, indices or a slice) along axis (of the flattened arr if None)."""
    check_arraylike("delete", arr)
    a = ravel(arr) if axis is None else asvalue(arr)
    ax = 0 if axis is None else canon_axis(axis, type_of(a).ndim)
    n = type_of(a).shape[ax]
    drop = _static_indices("delete", obj, n)
    keep = np.setdiff1d(np.arange(n), drop)
    return take(a, convert(keep.astype(np.int32), np.int32), axis=ax)


def insert(arr, obj, values, axis=None):
    """arr with values inserted before the given index or indices along axis (flattened arr if None); values
    are cast to arr's dtype."""
    check_arraylike("insert", arr, values)
    a = ravel(arr) if axis is None else asvalue(arr)
    ax = 0 if axis is None else canon_axis(axis, type_of(a).ndim)
    n = type_of(a).shape[ax]
    scalar_index = not isinstance(obj, slice) and np.ndim(obj) == 0
    if isinstance(obj, slice):
        where = np.arange(n)[obj]
    else:
        where = np.asarray(obj)
        if not np.issubdtype(where.dtype, np.integer):
            raise TypeError(f"insert: indices must be integers, got {obj!r}")
        if np.any((where < -n) | (where > n)):
            raise IndexError(f"insert: index {where.tolist()} is out of bounds for an axis of size {n}")
        where = np.where(where < 0, where + n, where)
    v = convert(asvalue(values), type_of(a).dtype)
    moved = moveaxis(a, ax, 0)
    nd = type_of(a).ndim
    if scalar_index:
        # as NumPy: values get at least arr's rank (leading 1s), then their first axis becomes `axis`
        vt = type_of(v)
        if vt.ndim < nd:
            v = reshape(v, (1,) * (nd - vt.ndim) + vt.shape)
        v = moveaxis(v, 0, ax)
        where = np.full(type_of(v).shape[ax], int(where))
    target = list(type_of(a).shape)
    target[ax] = where.size
    vv = moveaxis(broadcast_to(v, tuple(target), "insert"), ax, 0)
    k = where.size
    # final positions: the j-th inserted value (in stable order of where) goes to where_sorted[j] + j
    order = np.argsort(where, kind="stable")
    new_pos = np.empty(k, np.int64)
    new_pos[order] = where[order] + np.arange(k)
    old_pos = np.setdiff1d(np.arange(n + k), new_pos)
    src = np.empty(n + k, np.int64)
    src[old_pos] = np.arange(n)
    src[new_pos] = n + np.arange(k)
    joined = concatenate([moved, vv], axis=0)
    out = take(joined, convert(src.astype(np.int32), np.int32), axis=0)
    return moveaxis(out, 0, ax)


def resize(a, new_shape):
    """a's flattened entries repeated (cyclically) to fill new_shape."""
    check_arraylike("resize", a)
    shape = (new_shape,) if isinstance(new_shape, (int, np.integer)) else tuple(operator.index(s) for s in new_shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"resize: all elements of new_shape must be non-negative, got {shape}")
    flat = ravel(a)
    size = int(np.prod(shape, dtype=np.int64))
    n = type_of(flat).shape[0]
    if n == 0:
        return reshape(convert(np.zeros(size), type_of(flat).dtype), shape)
    reps = -(-size // n)
    return reshape(getitem(tile(flat, reps), slice(0, size)), shape)


def block(arrays):
    """Assemble an array from nested lists of blocks (the innermost lists join along the last axis)."""
    def depth(x):
        return 1 + depth(x[0]) if isinstance(x, list) and x else (1 if isinstance(x, list) else 0)
    if isinstance(arrays, tuple):
        raise TypeError("block: arrays must be nested lists, not tuples")
    d = depth(arrays)
    ndim = max(_max_ndim(arrays), d)

    def assemble(x, level):
        if isinstance(x, list):
            if not x:
                raise ValueError("block: lists cannot be empty")
            parts = [assemble(e, level + 1) for e in x]
            return concatenate(parts, axis=-(d - level))
        v = asvalue(x)
        return reshape(v, (1,) * (ndim - type_of(v).ndim) + type_of(v).shape)
    return assemble(arrays, 0) if isinstance(arrays, list) else asvalue(arrays)


def _max_ndim(x):
    if isinstance(x, list):
        return max((_max_ndim(e) for e in x), default=0)
    return type_of(x).ndim


def column_stack(tup):
    """1-D arrays become columns; 2-D arrays are joined as they are, along axis 1."""
    arrays = ensure_value_list("column_stack", tup)
    cols = [reshape(a, (-1, 1)) if type_of(a).ndim < 2 else asvalue(a) for a in arrays]
    return concatenate(cols, axis=1)


def dstack(tup, dtype=None):
    """Join along the third axis, after making every array at least 3-D."""
    arrays = ensure_value_list("dstack", tup)
    parts = [atleast_3d(a) for a in arrays]
    return concatenate(parts, axis=2, dtype=dtype)


def unstack(x, /, *, axis=0):
    """The slices of x along axis, as a tuple."""
    check_arraylike("unstack", x)
    x = asvalue(x)
    if type_of(x).ndim == 0:
        raise ValueError(f"unstack requires an array of rank at least 1, got {describe(x)}")
    ax = canon_axis(axis, type_of(x).ndim)
    moved = moveaxis(x, ax, 0)
    return tuple(getitem(moved, i) for i in range(type_of(moved).shape[0]))


def rollaxis(a, axis, start=0):
    """NumPy's older moveaxis: axis is moved to be before position start."""
    check_arraylike("rollaxis", a)
    nd = type_of(a).ndim
    ax = canon_axis(axis, nd)
    if not -nd <= start <= nd:
        raise ValueError(f"rollaxis: start={start} must be in [{-nd}, {nd}]")
    start = start + nd if start < 0 else start
    if ax < start:
        start -= 1
    return moveaxis(a, ax, start) if ax != start else asvalue(a)


def matrix_transpose(x, /):
    """x with its last two axes swapped."""
    check_arraylike("matrix_transpose", x)
    if type_of(x).ndim < 2:
        raise ValueError(f"matrix_transpose requires an array of rank at least 2, got {describe(x)}")
    return swapaxes(x, -1, -2)
