"""Host-side helpers of jax.numpy: printing, file and buffer I/O (through NumPy, then onto the device),
scalar and dtype predicates, index tricks (s_, index_exp, mgrid, ogrid, r_, c_), fromfunction,
apply_over_axes."""
import operator

import numpy as np

from ...ir import types as T
from ..core import is_value, type_of
from ._util import asvalue, check_arraylike, describe, np_dtype
from .creation import arange, asarray, linspace
from .layout import indices
from .manipulation import concatenate, expand_dims, reshape, transpose

# printing: NumPy's options are the ones Lintra arrays print with
get_printoptions, set_printoptions, printoptions = np.get_printoptions, np.set_printoptions, np.printoptions
# index expressions are plain Python objects: NumPy's helpers build them
index_exp, s_ = np.index_exp, np.s_
iterable = np.iterable
save, savez = np.save, np.savez


def array_str(a, max_line_width=None, precision=None, suppress_small=None):
    return np.array_str(np.asarray(a), max_line_width, precision, suppress_small)


def array_repr(arr, max_line_width=None, precision=None, suppress_small=None):
    return repr(asarray(arr))


def load(file, *args, **kwargs):
    """np.load, with arrays placed on the device as Lintra arrays."""
    out = np.load(file, *args, **kwargs)
    return asarray(out) if isinstance(out, np.ndarray) and out.dtype != object else out


def frombuffer(buffer, dtype=float, count=-1, offset=0):
    return asarray(np.frombuffer(buffer, dtype=dtype, count=count, offset=offset))


def fromstring(string, dtype=float, count=-1, *, sep):
    return asarray(np.fromstring(string, dtype=dtype, count=count, sep=sep))


def fromfile(file, dtype=float, count=-1, sep="", offset=0):
    return asarray(np.fromfile(file, dtype=dtype, count=count, sep=sep, offset=offset))


def fromiter(iter, dtype, count=-1):
    return asarray(np.fromiter(iter, dtype=dtype, count=count))


def from_dlpack(x, /, *, device=None, copy=None):
    """An array from any DLPack exporter (through a host copy)."""
    return asarray(np.from_dlpack(x))


def isscalar(element) -> bool:
    """True for Python and NumPy scalars and for 0-d arrays (Lintra's included), as jnp.isscalar."""
    if is_value(element) or isinstance(element, np.ndarray):
        return type_of(element).ndim == 0
    return isinstance(element, (bool, int, float, complex)) or bool(np.isscalar(element))


_KINDS = {
    "bool": T.is_bool,
    "signed integer": lambda d: T.is_int(d) and T.is_signed(d),
    "unsigned integer": lambda d: T.is_int(d) and not T.is_signed(d),
    "integral": T.is_int,
    "real floating": T.is_float,
    "complex floating": T.is_complex,
    "numeric": lambda d: T.is_int(d) or T.is_inexact(d),
}


def isdtype(dtype, kind) -> bool:
    """The array API's dtype test: kind is a dtype, a kind name ('bool', 'signed integer', 'unsigned integer',
    'integral', 'real floating', 'complex floating', 'numeric') or a tuple of them."""
    d = np_dtype(dtype)
    kinds = kind if isinstance(kind, tuple) else (kind,)
    for k in kinds:
        if isinstance(k, str):
            if k not in _KINDS:
                raise ValueError(f"isdtype: unknown kind {k!r}; expected one of {sorted(_KINDS)} or a dtype")
            if _KINDS[k](d):
                return True
        elif d == np_dtype(k):
            return True
    return False


def fromfunction(function, shape, *, dtype=float, **kwargs):
    """function(*index_grids): called once on the index grids of `shape` (as NumPy; JAX maps it over the
    elements with vmap, which gives the same result for elementwise functions)."""
    grids = indices(tuple(operator.index(s) for s in shape), dtype=dtype)
    return function(*[grids[i] for i in range(len(shape))], **kwargs)


def apply_over_axes(func, a, axes):
    """func(a, axis) applied for each axis in turn, keeping the reduced axes (as length 1)."""
    check_arraylike("apply_over_axes", a)
    a = asvalue(a)
    for axis in ((axes,) if isinstance(axes, int) else axes):
        res = func(a, axis)
        if type_of(res).ndim == type_of(a).ndim:
            a = res
        elif type_of(res).ndim == type_of(a).ndim - 1:
            a = expand_dims(res, axis)
        else:
            raise ValueError(f"apply_over_axes: function is not returning an array of the correct shape, got "
                             f"{describe(res)} from {describe(a)}")
    return a


def _slice_values(s):
    """The values of a static slice used in mgrid/ogrid/r_ (an imaginary step is a number of points)."""
    start = 0 if s.start is None else s.start
    step = 1 if s.step is None else s.step
    if isinstance(step, complex):
        return linspace(start, s.stop, int(abs(step)))
    return arange(start, s.stop, step)


class _Grid:
    def __init__(self, sparse):
        self.sparse = sparse

    def __getitem__(self, key):
        single = isinstance(key, slice)
        keys = (key,) if single else tuple(key)
        axes = [_slice_values(k) for k in keys]
        if single:
            return axes[0]
        dtype = np.result_type(*[type_of(a).dtype for a in axes])
        n = len(axes)
        out = []
        for i, a in enumerate(axes):
            a = reshape(asarray(a, dtype), tuple(-1 if j == i else 1 for j in range(n)))
            out.append(a)
        if self.sparse:
            return tuple(out)
        shape = tuple(type_of(a).shape[0] for a in axes)
        from .manipulation import broadcast_to, stack
        return stack([broadcast_to(a, shape) for a in out])


mgrid, ogrid = _Grid(sparse=False), _Grid(sparse=True)


class _Concatenator:
    """r_ and c_: concatenate slices (as aranges), scalars and arrays along an axis; a leading string
    'axis[,ndmin[,trans1d]]' sets the axis, the minimum rank and where 1-D items' axis goes."""

    def __init__(self, axis, ndmin, trans1d):
        self.default = (axis, ndmin, trans1d)

    def __getitem__(self, key):
        items = key if isinstance(key, tuple) else (key,)
        axis, ndmin, trans1d = self.default
        if items and isinstance(items[0], str):
            parts = items[0].split(",")
            if parts[0] in ("r", "c"):
                raise ValueError(f"r_/c_: the matrix directive {items[0]!r} is not supported (as in JAX)")
            try:
                vals = [int(p) for p in parts]
            except ValueError:
                raise ValueError(f"r_/c_: could not understand directive {items[0]!r}") from None
            axis, ndmin, trans1d = (vals + [ndmin, trans1d][len(vals) - 1:])[:3]   # missing fields: defaults
            items = items[1:]
        arrays = []
        for item in items:
            a = _slice_values(item) if isinstance(item, slice) else asarray(item)
            nd = type_of(a).ndim
            if nd < ndmin:
                a = reshape(a, (1,) * (ndmin - nd) + type_of(a).shape)
                if trans1d != -1:
                    k2, k1 = ndmin - nd, trans1d
                    k1 = k1 + k2 + 1 if k1 < 0 else k1
                    defaxes = list(range(ndmin))
                    a = transpose(a, defaxes[:k1] + defaxes[k2:] + defaxes[k1:k2])
            arrays.append(a)
        return concatenate(arrays, axis=axis)


r_ = _Concatenator(0, 1, -1)
c_ = _Concatenator(-1, 2, 0)
