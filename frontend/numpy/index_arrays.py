"""Index arrays and index-driven updates: diag/tril/triu/mask indices, ravel_multi_index, unravel_index,
choose select piecewise compress extract, and the out-of-place forms of put place put_along_axis
fill_diagonal (inplace=True is refused: Lintra arrays are immutable, as JAX's)."""
import operator

import numpy as np

from ...ir import types as T
from .. import dtypes as _dtypes
from ..core import ConcretizationError, bind1, concrete_value, constant, type_of
from ._util import (asvalue, broadcast_shapes, broadcast_to, canon_axis, check_arraylike, convert, describe,
                    full_like_type, promote_args, select as _select)
from .creation import ones
from .indexing import getitem, scatter
from .manipulation import moveaxis, ravel, reshape, stack
from .searching import _index_dtype, nonzero, take, take_along_axis


def _int(name, what, x):
    try:
        return operator.index(x)
    except TypeError:
        raise TypeError(f"{name}: {what} must be a static integer, got {x!r}") from None


def _index_consts(*arrays):
    return tuple(constant(np.asarray(a).astype(_index_dtype())) for a in arrays)


def diag_indices(n, ndim=2):
    """ndim copies of arange(n): the indices of the main diagonal of an (n,)*ndim array."""
    n, ndim = _int("diag_indices", "n", n), _int("diag_indices", "ndim", ndim)
    if n < 0 or ndim < 0:
        raise ValueError(f"diag_indices: n and ndim must be non-negative, got n={n}, ndim={ndim}")
    return _index_consts(*([np.arange(n)] * ndim))


def diag_indices_from(arr):
    t = type_of(arr)
    if t.ndim < 2 or len(set(t.shape)) != 1:
        raise ValueError(f"diag_indices_from: input must be at least 2-D with all dimensions equal, got "
                         f"{describe(arr)}")
    return diag_indices(t.shape[0], t.ndim)


def tril_indices(n, k=0, m=None):
    return _index_consts(*np.tril_indices(_int("tril_indices", "n", n), _int("tril_indices", "k", k), m))


def triu_indices(n, k=0, m=None):
    return _index_consts(*np.triu_indices(_int("triu_indices", "n", n), _int("triu_indices", "k", k), m))


def _matrix_shape(name, arr):
    t = type_of(arr)
    if t.ndim != 2:
        raise ValueError(f"{name} requires a 2-D array, got {describe(arr)}")
    return t.shape


def tril_indices_from(arr, k=0):
    n, m = _matrix_shape("tril_indices_from", arr)
    return tril_indices(n, k, m)


def triu_indices_from(arr, k=0):
    n, m = _matrix_shape("triu_indices_from", arr)
    return triu_indices(n, k, m)


def mask_indices(n, mask_func, k=0, *, size=None):
    """The indices where mask_func(ones((n, n)), k) is nonzero (e.g. mask_func=jnp.triu)."""
    mask = mask_func(ones((_int("mask_indices", "n", n),) * 2, np.int32), k)
    return nonzero(mask, size=size)


def ravel_multi_index(multi_index, dims, mode="raise", order="C", *, dtype=None):
    """Flat indices of the given coordinates into an array of shape dims (mode 'clip' or 'wrap' under jit;
    'raise' checks concrete indices)."""
    dims = tuple(_int("ravel_multi_index", "dims", d) for d in dims)
    if len(multi_index) != len(dims):
        raise ValueError(f"ravel_multi_index: got {len(multi_index)} index arrays for {len(dims)} dims")
    if order not in ("C", "F"):
        raise ValueError(f"ravel_multi_index: order must be 'C' or 'F', got {order!r}")
    check_arraylike("ravel_multi_index", *multi_index)
    idx = promote_args("ravel_multi_index", *multi_index)
    if not all(T.is_int(type_of(i).dtype) for i in idx):
        raise TypeError(f"ravel_multi_index: only integer indices are allowed, got "
                        f"{', '.join(describe(i) for i in idx)}")
    out_dtype = _dtypes.canonicalize_dtype(dtype) if dtype is not None else type_of(idx[0]).dtype
    idx = [convert(i, out_dtype) for i in idx]
    if mode == "raise":
        for i, n in zip(idx, dims):
            v = np.asarray(concrete_value(i))
            if np.any((v < 0) | (v >= n)):
                raise ValueError("ravel_multi_index: invalid entry in coordinates array (mode='raise'); use "
                                 "mode='clip' or 'wrap' under jit")
    elif mode == "clip":
        idx = [bind1("clamp", _c(i, 0), i, _c(i, n - 1)) for i, n in zip(idx, dims)]
    elif mode == "wrap":
        idx = [_mod(i, n) for i, n in zip(idx, dims)]
    else:
        raise ValueError(f"ravel_multi_index: mode must be 'raise', 'clip' or 'wrap', got {mode!r}")
    order_dims = list(range(len(dims)))[::-1] if order == "C" else list(range(len(dims)))
    out, stride = None, 1
    for d in order_dims:
        term = bind1("mul", idx[d], _c(idx[d], stride))
        out = term if out is None else bind1("add", out, term)
        stride *= dims[d]
    return out


def _c(x, v):
    return full_like_type(x, v)


def _mod(i, n):
    r = bind1("rem", i, _c(i, n))
    return _select(bind1("lt", r, _c(r, 0)), bind1("add", r, _c(r, n)), r)


def unravel_index(indices, shape):
    """The coordinates of flat indices in an array of `shape` (out-of-range indices are clipped, as JAX;
    negative ones count from the end)."""
    check_arraylike("unravel_index", indices)
    shape = tuple(_int("unravel_index", "shape", s) for s in (shape if np.ndim(shape) else (shape,)))
    i = asvalue(indices)
    if not T.is_int(type_of(i).dtype):
        raise TypeError(f"unravel_index: only integer indices are allowed, got {describe(i)}")
    total = int(np.prod(shape, dtype=np.int64))
    i = _select(bind1("lt", i, _c(i, 0)), bind1("add", i, _c(i, total)), i)
    i = bind1("clamp", _c(i, 0), i, _c(i, max(total - 1, 0)))
    out = []
    for k, n in enumerate(shape):
        stride = int(np.prod(shape[k + 1:], dtype=np.int64))
        q = bind1("div", i, _c(i, stride)) if stride != 1 else i
        out.append(bind1("rem", q, _c(q, n)) if k else q)
    return tuple(out)


def choose(a, choices, out=None, mode="raise"):
    """out[i] = choices[a[i]][i] (a and the choices broadcast together); mode 'raise' (checked when a is
    concrete), 'wrap' or 'clip'."""
    if out is not None:
        raise ValueError("choose: the out argument is not supported: Lintra arrays are immutable")
    check_arraylike("choose", a, *choices)
    a = asvalue(a)
    if not T.is_int(type_of(a).dtype):
        raise TypeError(f"choose: a must be an integer array, got {describe(a)}")
    cs = promote_args("choose", *choices) if len(choices) else []
    n = len(cs)
    shape = broadcast_shapes("choose", a, *cs)
    a = broadcast_to(a, shape)
    if mode == "raise":
        try:
            v = np.asarray(concrete_value(a))
        except ConcretizationError:
            raise ConcretizationError("choose: mode='raise' needs concrete indices; use mode='clip' or 'wrap' "
                                      "under jit") from None
        if np.any((v < 0) | (v >= n)):
            raise ValueError(f"choose: invalid entry in choice array (indices must be in [0, {n}))")
    elif mode == "wrap":
        a = _mod(a, n)
    elif mode == "clip":
        a = bind1("clamp", _c(a, 0), a, _c(a, n - 1))
    else:
        raise ValueError(f"choose: mode must be 'raise', 'wrap' or 'clip', got {mode!r}")
    stacked = stack([broadcast_to(convert(c, type_of(c).dtype), shape) for c in cs])    # strong, as JAX's
    return getitem(take_along_axis(stacked, reshape(convert(a, _index_dtype()), (1,) + shape), axis=0), 0)


def select(condlist, choicelist, default=0):
    """The value of the first true condition's choice, element by element; default where none holds."""
    if len(condlist) != len(choicelist):
        raise ValueError(f"select: condlist and choicelist must have the same length, got {len(condlist)} and "
                         f"{len(choicelist)}")
    if len(condlist) == 0:
        raise ValueError("select: condlist must not be empty")
    check_arraylike("select", *condlist, *choicelist, default)
    vals = promote_args("select", default, *choicelist)
    conds = [convert(asvalue(c), np.bool_) for c in condlist]
    shape = type_of(vals[0]).shape
    for c in conds:
        shape = np.broadcast_shapes(shape, type_of(c).shape)
    out = broadcast_to(vals[0], shape)
    for c, v in reversed(list(zip(conds, vals[1:]))):
        if not T.is_bool(type_of(c).dtype):
            raise TypeError(f"select: condlist entries must be boolean, got {describe(c)}")
        out = _select(broadcast_to(c, shape), broadcast_to(v, shape), out)
    return out


def piecewise(x, condlist, funclist, *args, **kw):
    """funclist[i](x) where condlist[i] holds (the last true one wins); one extra function or value is the
    default. Every function is evaluated on all of x, and the results selected."""
    check_arraylike("piecewise", x)
    x = asvalue(x)
    if isinstance(condlist, (list, tuple)):
        conds = [broadcast_to(convert(asvalue(c), np.bool_), type_of(x).shape) for c in condlist]
    else:
        c = convert(asvalue(condlist), np.bool_)
        conds = [c] if type_of(c).shape == type_of(x).shape else [getitem(c, i) for i in range(type_of(c).shape[0])]
    n = len(conds)
    if len(funclist) not in (n, n + 1):
        raise ValueError(f"piecewise: with {n} conditions, funclist must have {n} or {n + 1} entries, got "
                         f"{len(funclist)}")

    def value(f):
        v = f(x, *args, **kw) if callable(f) else f
        return broadcast_to(convert(asvalue(v), type_of(x).dtype), type_of(x).shape)
    out = value(funclist[n]) if len(funclist) == n + 1 else _c(x, 0)
    for c, f in zip(conds, funclist[:n]):
        out = _select(c, value(f), out)
    return out


def compress(condition, a, axis=None, *, size=None, fill_value=0, out=None):
    """The slices of a along axis (flattened a if None) where condition is true; with size=, padded or cut."""
    if out is not None:
        raise ValueError("compress: the out argument is not supported: Lintra arrays are immutable")
    check_arraylike("compress", condition, a)
    cond = ravel(convert(asvalue(condition), np.bool_))
    arr = ravel(a) if axis is None else asvalue(a)
    ax = 0 if axis is None else canon_axis(axis, type_of(arr).ndim)
    n = type_of(arr).shape[ax]
    k = type_of(cond).shape[0]
    if k > n:
        cond = getitem(cond, slice(0, n))
    elif k < n:     # as NumPy: the slices past len(condition) are dropped
        arr = moveaxis(getitem(moveaxis(arr, ax, 0), slice(0, k)), 0, ax)
    idx, = nonzero(cond, size=size, fill_value=type_of(cond).shape[0] if size is not None else None)
    moved = moveaxis(arr, ax, 0)
    picked = take(moved, idx, axis=0, mode="fill", fill_value=fill_value)
    return moveaxis(picked, 0, ax)


def extract(condition, arr, *, size=None, fill_value=0):
    """The entries of the flattened arr where the flattened condition is true (nonzero)."""
    check_arraylike("extract", condition, arr)
    c = asvalue(condition)
    c = c if T.is_bool(type_of(c).dtype) else bind1("ne", c, _c(c, 0))
    return compress(ravel(c), ravel(arr), size=size, fill_value=fill_value)


def _no_inplace(name, inplace):
    if inplace:
        raise ValueError(f"{name}: Lintra arrays are immutable, so {name} cannot modify its input in place; "
                         f"pass inplace=False and use the returned array")


def put(a, ind, v, mode=None, *, inplace=True):
    """a with the flat positions ind set to v (v repeated cyclically, as NumPy)."""
    _no_inplace("put", inplace)
    check_arraylike("put", a, ind, v)
    a = asvalue(a)
    flat = ravel(a)
    ind = ravel(ind)
    k = type_of(ind).shape[0]
    vals = ravel(convert(asvalue(v), type_of(a).dtype))
    m = type_of(vals).shape[0]
    if m and m != k:
        vals = take(vals, convert(np.arange(k) % m, np.int32))
    if mode in (None, "fill", "drop"):
        smode = "drop"
    elif mode == "clip":
        smode = "clip"
    elif mode == "wrap":
        ind, smode = _mod(ind, type_of(flat).shape[0]), "clip"
    else:
        raise ValueError(f"put: mode must be None, 'clip', 'wrap' or 'fill', got {mode!r}")
    return reshape(scatter(flat, ind, vals, "set", mode=smode), type_of(a).shape)


def place(arr, mask, vals, *, inplace=True):
    """arr with the entries where mask is true replaced, in order, by vals (repeated cyclically); needs a
    concrete mask, as NumPy's placement depends on its count."""
    _no_inplace("place", inplace)
    check_arraylike("place", arr, mask, vals)
    a = asvalue(arr)
    m = ravel(broadcast_to(convert(asvalue(mask), np.bool_), type_of(a).shape))
    positions, = nonzero(m)
    k = type_of(positions).shape[0]
    vals = ravel(convert(asvalue(vals), type_of(a).dtype))
    n = type_of(vals).shape[0]
    if k and n == 0:
        raise ValueError("place: cannot place from an empty vals array into a non-empty selection")
    if k:
        vals = take(vals, convert(np.arange(k) % n, np.int32))
        return reshape(scatter(ravel(a), positions, vals, "set"), type_of(a).shape)
    return a


def put_along_axis(arr, indices, values, axis, inplace=True, *, mode=None):
    """arr with arr[..., indices[..., j, ...], ...] = values along axis (the out-of-place form)."""
    _no_inplace("put_along_axis", inplace)
    check_arraylike("put_along_axis", arr, indices, values)
    a = asvalue(arr)
    if axis is None:
        return reshape(put_along_axis(ravel(a), ravel(indices), ravel(values), 0, inplace=False, mode=mode),
                       type_of(a).shape)
    ax = canon_axis(axis, type_of(a).ndim)
    idx = convert(asvalue(indices), _index_dtype())
    it = type_of(idx)
    if it.ndim != type_of(a).ndim:
        raise ValueError(f"put_along_axis: indices must have the same rank as arr, got {describe(idx)} for "
                         f"{describe(a)}")
    shape = tuple(it.shape[d] if d == ax else np.broadcast_shapes((it.shape[d],), (type_of(a).shape[d],))[0]
                  for d in range(it.ndim))
    idx = broadcast_to(idx, shape)
    grids = []
    for d in range(len(shape)):
        if d == ax:
            grids.append(idx)
        else:
            grids.append(bind1("iota", dtype=_index_dtype(), shape=shape, dimension=d))
    return scatter(a, tuple(grids), values, "set", mode=mode)


def fill_diagonal(a, val, wrap=False, *, inplace=True):
    """a with its main diagonal (a[i, i, ...]) set to val (repeated cyclically); for tall 2-D matrices,
    wrap=True restarts the diagonal every n+1 rows, as NumPy."""
    _no_inplace("fill_diagonal", inplace)
    check_arraylike("fill_diagonal", a, val)
    a = asvalue(a)
    t = a.type
    if t.ndim < 2:
        raise ValueError(f"fill_diagonal: array must be at least 2-d, got {describe(a)}")
    if t.ndim > 2 and len(set(t.shape)) != 1:
        raise ValueError(f"fill_diagonal: all dimensions of input must be of equal length, got {describe(a)}")
    if t.ndim == 2:
        n, m = t.shape
        step = m + 1
        end = n * m if wrap else min(n, m) * m
        flat_pos = np.arange(0, end, step)
    else:
        n = t.shape[0]
        step = int(sum(n ** k for k in range(t.ndim)))
        flat_pos = np.arange(n) * step
    k = flat_pos.size
    vals = ravel(convert(asvalue(val), t.dtype))
    nv = type_of(vals).shape[0]
    vals = take(vals, convert(np.arange(k) % max(nv, 1), np.int32)) if k else vals
    if not k:
        return a
    return reshape(scatter(ravel(a), constant(flat_pos.astype(_index_dtype())), vals, "set"), t.shape)
