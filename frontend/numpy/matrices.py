"""Diagonals and triangles: diag diagflat diagonal trace tri tril triu kron."""
import operator

import numpy as np

from .. import dtypes as _dtypes
from ..core import bind1
from ._util import asvalue, broadcast_to, canon_axis, check_arraylike, convert, describe, to_dtype
from .indexing import getitem
from .manipulation import moveaxis, ravel, reshape
from .reductions import _no_out, sum_as
from .ufuncs import multiply


def _mask(rows, cols, k, lower):
    """bool[rows, cols]: True on and below (lower) or on and above the k-th diagonal."""
    i = bind1("iota", dtype=np.dtype(np.int32), shape=(rows, cols), dimension=0)
    j = bind1("iota", dtype=np.dtype(np.int32), shape=(rows, cols), dimension=1)
    shifted = bind1("add", i, broadcast_to(convert(int(k), np.int32), (rows, cols)))
    return bind1("ge" if lower else "le", shifted, j)


def _zeros_like(x):
    t = x.type
    return broadcast_to(convert(0, t.dtype, t.weak), t.shape)


def _triangle(name, m, k, lower):
    check_arraylike(name, m)
    m = asvalue(m)
    t = m.type
    if t.ndim == 0:
        raise ValueError(f"{name}: the input must have at least 1 dimension, got {describe(m)}")
    if t.ndim == 1:     # as NumPy: a vector is broadcast to a square matrix of its rows
        m = broadcast_to(m, (t.shape[0], t.shape[0]))
        t = m.type
    rows, cols = t.shape[-2:]
    mask = bind1("broadcast_in_dim", _mask(rows, cols, operator.index(k), lower), shape=t.shape,
                 broadcast_dimensions=(t.ndim - 2, t.ndim - 1))
    return bind1("select_n", mask, _zeros_like(m), m)


def tril(m, k=0):
    """m with the elements above the k-th diagonal zeroed (over the last two axes)."""
    return _triangle("tril", m, k, lower=True)


def triu(m, k=0):
    """m with the elements below the k-th diagonal zeroed (over the last two axes)."""
    return _triangle("triu", m, k, lower=False)


def tri(N, M=None, k=0, dtype=None):
    """An N x M array with ones at and below the k-th diagonal."""
    M = N if M is None else M
    d = to_dtype(dtype) if dtype is not None else _dtypes.default_float()
    return convert(_mask(operator.index(N), operator.index(M), operator.index(k), lower=True), d)


def diagonal(a, offset=0, axis1=0, axis2=1):
    """The k-th diagonal of the 2-D slices in the plane of axis1 and axis2, as a last axis."""
    check_arraylike("diagonal", a)
    a = asvalue(a)
    nd = a.type.ndim
    if nd < 2:
        raise ValueError(f"diagonal requires an array of at least two dimensions, got {describe(a)}")
    a1, a2 = canon_axis(axis1, nd, "axis1"), canon_axis(axis2, nd, "axis2")
    if a1 == a2:
        raise ValueError(f"diagonal: axis1 and axis2 cannot be the same (both {a1})")
    x = moveaxis(a, (a1, a2), (-2, -1))
    rows, cols = x.type.shape[-2:]
    offset = operator.index(offset)
    length = max(0, min(rows + min(offset, 0), cols - max(offset, 0)))
    i = np.arange(length, dtype=np.int32) - min(offset, 0)
    return getitem(x, (Ellipsis, i, i + offset))


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """The sum along the diagonal (of the 2-D slices in the plane of axis1 and axis2)."""
    _no_out(out)
    return sum_as("trace", diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


def diag(v, k=0):
    """A 1-D v gives the 2-D array with v on its k-th diagonal; a 2-D v gives its k-th diagonal."""
    check_arraylike("diag", v)
    v = asvalue(v)
    k = operator.index(k)
    if v.type.ndim == 2:
        return diagonal(v, k)
    if v.type.ndim != 1:
        raise ValueError(f"diag: the input must be 1-D or 2-D, got {describe(v)}")
    n = v.type.shape[0]
    size = n + abs(k)
    # row i holds v[i] when k >= 0 (column j holds v[j] when k < 0): pad v to size and broadcast it
    padded = bind1("pad", v, convert(0, v.type.dtype, v.type.weak), padding_config=((0, abs(k), 0),))
    spread = bind1("broadcast_in_dim", padded, shape=(size, size), broadcast_dimensions=(0 if k >= 0 else 1,))
    on_diag = bind1("and", _mask(size, size, k, lower=False), _mask(size, size, k, lower=True))
    return bind1("select_n", on_diag, _zeros_like(spread), spread)


def diagflat(v, k=0):
    """The flattened v on the k-th diagonal of a 2-D array."""
    return diag(ravel(v), k)


def kron(a, b):
    """The Kronecker product: blocks a[i, j, ...] * b."""
    check_arraylike("kron", a, b)
    a, b = asvalue(a), asvalue(b)
    nd = max(a.type.ndim, b.type.ndim)
    sa = (1,) * (nd - a.type.ndim) + a.type.shape
    sb = (1,) * (nd - b.type.ndim) + b.type.shape
    a = reshape(a, tuple(x for s in sa for x in (s, 1)))
    b = reshape(b, tuple(x for s in sb for x in (1, s)))
    return reshape(multiply(a, b), tuple(x * y for x, y in zip(sa, sb)))
