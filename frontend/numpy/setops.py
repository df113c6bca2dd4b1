"""Set operations on flattened arrays (JAX's: jit-able given size=, padded with fill_value): isin,
union1d intersect1d setdiff1d setxor1d, and the array API's unique_values/counts/inverse/all."""
from typing import NamedTuple

import numpy as np

from ...ir import types as T
from .. import lax
from ..core import bind1, type_of
from ._util import asvalue, broadcast_to, check_arraylike, convert, full_like_type as _c, result_type_of
from .manipulation import concatenate, ravel, reshape
from .reductions import any as _any
from .searching import _compact, _concrete_or_fail, _index_dtype, _static_size, sort, take, unique
from .ufuncs import isnan


class _UniqueAllResult(NamedTuple):
    values: object
    indices: object
    inverse_indices: object
    counts: object


class _UniqueCountsResult(NamedTuple):
    values: object
    counts: object


class _UniqueInverseResult(NamedTuple):
    values: object
    inverse_indices: object


def _equal_or_both_nan(a, b):
    eq = bind1("eq", a, b)
    if T.is_inexact(type_of(a).dtype):
        eq = bind1("or", eq, bind1("and", isnan(a), isnan(b)))
    return eq


def isin(element, test_elements, assume_unique=False, invert=False, *, method="auto"):
    """Elementwise: whether each element occurs in test_elements (compared all against all)."""
    check_arraylike("isin", element, test_elements)
    if method not in ("auto", "compare_all", "sort"):
        raise ValueError(f"isin: method must be 'auto', 'compare_all' or 'sort', got {method!r}")
    e, t = _common(asvalue(element), ravel(test_elements))
    shape = type_of(e).shape
    n = type_of(t).shape[0]
    ee = lax.broadcast_in_dim(e, shape + (n,), tuple(range(len(shape))))
    tt = lax.broadcast_in_dim(t, shape + (n,), (len(shape),))
    found = _any(bind1("eq", ee, tt), axis=-1) if n else broadcast_to(convert(False, np.bool_), shape)
    return bind1("not", found) if invert else found


def _common(*xs):
    d, weak = result_type_of(*xs)
    return [convert(x, d, weak) for x in xs]


def _select_sorted(name, values, mask, size, fill_value, default_fill):
    """values[mask] (values sorted, so the result is too), cut or padded to size with fill_value."""
    if size is None:
        m = _concrete_or_fail(name, mask, "size= (a static bound on the result's length) and fill_value=")
        size = int(np.count_nonzero(m))
    size = _static_size(name, size)
    d = type_of(values).dtype
    if type_of(values).shape[0] == 0:
        return broadcast_to(convert(0 if fill_value is None else fill_value, d), (size,))
    pos, count = _compact(mask, size)
    out = take(values, pos, mode="clip")
    valid = bind1("lt", bind1("iota", dtype=type_of(count).dtype, shape=(size,), dimension=0),
                  lax.broadcast_in_dim(count, (size,), ()))
    if fill_value is None:
        fill = default_fill(out) if size else out
    else:
        fill = broadcast_to(convert(asvalue(fill_value), d), (size,))
    return bind1("select_n", valid, fill, out) if size else out


def _first(out):
    return lax.broadcast_in_dim(lax.index_in_dim(out, 0, keepdims=False), type_of(out).shape, ())


def _unique_with_valid(name, ar):
    """(sorted unique values padded to len(ar), mask of the real ones, first indices)."""
    flat = ravel(ar)
    n = type_of(flat).shape[0]
    if n == 0:
        return flat, convert(np.zeros((0,), bool), np.bool_), convert(np.zeros((0,), np.int32), _index_dtype())
    u, idx, counts = unique(flat, return_index=True, return_counts=True, size=n)
    return u, bind1("gt", counts, _c(counts, 0)), idx


def union1d(ar1, ar2, *, size=None, fill_value=None):
    """The sorted unique values found in either array (padding: the smallest value, or fill_value)."""
    check_arraylike("union1d", ar1, ar2)
    a1, a2 = _common(ravel(ar1), ravel(ar2))
    return unique(concatenate([a1, a2]), size=size, fill_value=fill_value)


def intersect1d(ar1, ar2, assume_unique=False, return_indices=False, *, size=None, fill_value=None):
    """The sorted unique values found in both arrays; with return_indices, also each one's first index in
    ar1 and in ar2 (padded with len(ar1) and len(ar2))."""
    check_arraylike("intersect1d", ar1, ar2)
    a1, a2 = _common(ravel(ar1), ravel(ar2))
    u1, valid1, idx1 = _unique_with_valid("intersect1d", a1)
    mask = bind1("and", valid1, isin(u1, a2)) if type_of(u1).shape[0] else valid1
    out = _select_sorted("intersect1d", u1, mask, size, fill_value, _first)
    if not return_indices:
        return out
    k = type_of(out).shape[0]
    n1, n2 = type_of(a1).shape[0], type_of(a2).shape[0]
    d = _index_dtype()
    pos, count = _compact(mask, k) if type_of(mask).shape[0] else (convert(np.zeros((k,), np.int32), d), 0)
    valid = bind1("lt", bind1("iota", dtype=d, shape=(k,), dimension=0), lax.broadcast_in_dim(
        convert(count, d), (k,), ()))
    i1 = bind1("select_n", valid, _c(pos, n1), take(idx1, pos, mode="clip")) if n1 else _c(pos, n1)
    # the first index in ar2 of each value: the smallest position where ar2 equals it
    hits = bind1("eq", lax.broadcast_in_dim(out, (k, n2), (0,)), lax.broadcast_in_dim(a2, (k, n2), (1,)))
    iota2 = bind1("iota", dtype=d, shape=(k, n2), dimension=1)
    first2 = bind1("reduce_min", bind1("select_n", hits, _c(iota2, n2), iota2), axes=(1,)) if n2 else _c(pos, 0)
    i2 = bind1("select_n", valid, _c(first2, n2), first2)
    return out, i1, i2


def setdiff1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    """The sorted unique values of ar1 not in ar2 (padding: 0, or fill_value)."""
    check_arraylike("setdiff1d", ar1, ar2)
    a1, a2 = _common(ravel(ar1), ravel(ar2))
    u1, valid1, _ = _unique_with_valid("setdiff1d", a1)
    mask = bind1("and", valid1, isin(u1, a2, invert=True)) if type_of(u1).shape[0] else valid1
    out = _select_sorted("setdiff1d", u1, mask, size, fill_value, lambda out: _c(out, 0))
    return convert(out, type_of(asvalue(ar1)).dtype)      # as JAX: a subset of ar1, in ar1's dtype


def setxor1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    """The sorted unique values found in exactly one of the arrays (padding: the smallest, or fill_value)."""
    check_arraylike("setxor1d", ar1, ar2)
    a1, a2 = _common(ravel(ar1), ravel(ar2))
    u1, v1, _ = _unique_with_valid("setxor1d", a1)
    u2, v2, _ = _unique_with_valid("setxor1d", a2)
    m1 = bind1("and", v1, isin(u1, a2, invert=True)) if type_of(u1).shape[0] else v1
    m2 = bind1("and", v2, isin(u2, a1, invert=True)) if type_of(u2).shape[0] else v2
    vals, mask = concatenate([u1, u2]), concatenate([m1, m2])
    if type_of(vals).shape[0] == 0:
        return _select_sorted("setxor1d", vals, mask, size, fill_value, _first)
    # sort the kept values first (key: not kept), by value; then they are a sorted prefix
    key = convert(bind1("not", mask), np.int32)
    _, vals, mask = lax.sort((key, vals, mask), num_keys=2)
    return _select_sorted("setxor1d", vals, mask, size, fill_value, _first)


def unique_values(x, /, *, size=None, fill_value=None):
    return unique(x, size=size, fill_value=fill_value)


def unique_counts(x, /, *, size=None, fill_value=None):
    return _UniqueCountsResult(*unique(x, return_counts=True, size=size, fill_value=fill_value))


def unique_inverse(x, /, *, size=None, fill_value=None):
    values, inverse = unique(x, return_inverse=True, size=size, fill_value=fill_value)
    return _UniqueInverseResult(values, reshape(inverse, type_of(x).shape))


def unique_all(x, /, *, size=None, fill_value=None):
    values, indices, inverse, counts = unique(x, return_index=True, return_inverse=True, return_counts=True,
                                              size=size, fill_value=fill_value)
    return _UniqueAllResult(values, indices, reshape(inverse, type_of(x).shape), counts)
