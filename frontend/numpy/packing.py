"""Bit packing and partial sorts: packbits unpackbits partition argpartition."""
import operator

import numpy as np

from ...ir import types as T
from .. import lax
from ..core import bind1, constant, type_of
from ._util import asvalue, canon_axis, check_arraylike, convert, describe
from .manipulation import concatenate, moveaxis, ravel, reshape
from .reductions import sum as _sum
from .searching import argsort, sort

_BIG = np.array([128, 64, 32, 16, 8, 4, 2, 1], np.uint8)


def _bit_weights(bitorder):
    if bitorder not in ("big", "little"):
        raise ValueError(f"bitorder must be 'big' or 'little', got {bitorder!r}")
    return _BIG if bitorder == "big" else _BIG[::-1].copy()


def packbits(a, axis=None, bitorder="big"):
    """The truth values of a packed 8 to a uint8 along axis (flattened a if None), zero-padded at the end."""
    check_arraylike("packbits", a)
    a = asvalue(a)
    d = type_of(a).dtype
    if not (T.is_int(d) or T.is_bool(d)):
        raise TypeError(f"packbits: expected an integer or boolean array, got {describe(a)}")
    weights = _bit_weights(bitorder)
    bits = convert(bind1("ne", a, convert(np.zeros(type_of(a).shape, d), d)) if not T.is_bool(d) else a, np.uint8)
    if axis is None:
        bits, axis = ravel(bits), 0
    ax = canon_axis(axis, type_of(bits).ndim)
    bits = moveaxis(bits, ax, -1)
    n = type_of(bits).shape[-1]
    pad = -n % 8
    if pad:
        bits = lax.pad(bits, convert(0, np.uint8), [(0, 0, 0)] * (type_of(bits).ndim - 1) + [(0, pad, 0)])
    groups = reshape(bits, type_of(bits).shape[:-1] + ((n + pad) // 8, 8))
    packed = _sum(bind1("mul", groups, lax.broadcast_in_dim(constant(weights), type_of(groups).shape,
                                                             (type_of(groups).ndim - 1,))),
                  axis=-1, dtype=np.uint8)
    return moveaxis(packed, -1, ax)


def unpackbits(a, axis=None, count=None, bitorder="big"):
    """The bits of a uint8 array as 0/1 uint8 values along axis (flattened a if None); count keeps the first
    count bits (negative: drops that many from the end; beyond the bits: zero-pads)."""
    check_arraylike("unpackbits", a)
    a = asvalue(a)
    if type_of(a).dtype != np.uint8:
        raise TypeError(f"unpackbits: expected a uint8 array, got {describe(a)}")
    weights = _bit_weights(bitorder)
    if axis is None:
        a, axis = ravel(a), 0
    ax = canon_axis(axis, type_of(a).ndim)
    a = moveaxis(a, ax, -1)
    shape = type_of(a).shape
    full = shape + (8,)
    w = lax.broadcast_in_dim(constant(weights), full, (len(full) - 1,))
    bits = convert(bind1("ne", bind1("and", lax.broadcast_in_dim(a, full, tuple(range(len(shape)))), w),
                         convert(np.zeros(full, np.uint8), np.uint8)), np.uint8)
    bits = reshape(bits, shape[:-1] + (shape[-1] * 8,))
    if count is not None:
        count = operator.index(count)
        n = shape[-1] * 8
        keep = count if count >= 0 else max(n + count, 0)
        if keep <= n:
            bits = lax.slice_in_dim(bits, 0, keep, axis=type_of(bits).ndim - 1)
        else:
            bits = lax.pad(bits, convert(0, np.uint8), [(0, 0, 0)] * (type_of(bits).ndim - 1) + [(0, keep - n, 0)])
    return moveaxis(bits, -1, ax)


def _partition_order(x, kth, axis):
    """Sorted x along axis rearranged as JAX's partition returns it: the kth+1 smallest ascending, then the
    rest in descending order."""
    n = type_of(x).shape[axis]
    k = operator.index(kth)
    if not -n <= k < n:
        raise ValueError(f"partition: kth={kth} is out of bounds for an axis of size {n}")
    k %= n
    low = lax.slice_in_dim(x, 0, k + 1, axis=axis)
    high = lax.rev(lax.slice_in_dim(x, k + 1, n, axis=axis), (axis,))
    return concatenate([low, high], axis=axis)


def partition(a, kth, axis=-1):
    """a rearranged so that a[kth] holds the value it would have sorted, smaller values before it and larger
    ones after (JAX's arrangement: the lower part ascending, the upper part descending)."""
    check_arraylike("partition", a)
    ax = canon_axis(axis, type_of(a).ndim)
    return _partition_order(sort(a, axis=ax), kth, ax)


def argpartition(a, kth, axis=-1):
    """The indices that partition(a, kth, axis) takes from a."""
    check_arraylike("argpartition", a)
    ax = canon_axis(axis, type_of(a).ndim)
    return _partition_order(convert(argsort(a, axis=ax), np.int32), kth, ax)     # int32 as JAX's, even with x64
