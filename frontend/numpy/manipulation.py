"""Shape manipulation: reshape, transpose, squeeze, expand_dims, concatenate, stack, broadcasting helpers."""
import operator

import numpy as np

from ..core import bind1, type_of
from ..explicit import out_sharding_attrs, with_out_sharding
from ..words import is_words, wordwise
from ._util import (asvalue, broadcast_shapes as _broadcast_shapes, broadcast_to as _broadcast_to, canon_axes,
                    canon_axis, check_arraylike, convert, describe, ensure_value_list, prod_int, result_type_of,
                    to_dtype)


def shape(a):
    if is_words(a):
        return a.shape
    return type_of(a).shape if not isinstance(a, (list, tuple)) else np.shape(a)


def broadcast_shapes(*shapes):
    """The shape that arrays of these shapes (tuples, or ints for 1-D) broadcast to, as a tuple."""
    shapes = [(int(s),) if isinstance(s, (int, np.integer)) else tuple(int(d) for d in s) for s in shapes]
    try:
        return tuple(int(d) for d in np.broadcast_shapes(*shapes))
    except ValueError:
        raise ValueError(f"Incompatible shapes for broadcasting: shapes={shapes}") from None


def ndim(a):
    return len(shape(a))


def size(a, axis=None):
    s = shape(a)
    return prod_int(s) if axis is None else s[canon_axis(axis, len(s))]


def _resolve_shape(a, newshape):
    t = type_of(a)
    if not isinstance(newshape, (tuple, list)):
        newshape = (newshape,)
    try:
        dims = [operator.index(d) for d in newshape]
    except TypeError:
        raise TypeError(f"reshape: new shape must be a sequence of integers, got {newshape!r}") from None
    unknown = [i for i, d in enumerate(dims) if d == -1]
    if len(unknown) > 1 or any(d < -1 for d in dims):
        raise ValueError(f"reshape: new shape {tuple(dims)} may contain at most one -1 and no other negative "
                         f"sizes")
    if unknown:
        known = prod_int([d for d in dims if d != -1])
        if known == 0 or t.size % known:
            raise ValueError(f"cannot reshape array of shape {t.shape} (size {t.size}) into shape {tuple(dims)}")
        dims[unknown[0]] = t.size // known
    if prod_int(dims) != t.size:
        raise ValueError(f"cannot reshape array of shape {t.shape} (size {t.size}) into shape {tuple(dims)} "
                         f"(size {prod_int(dims)})")
    return tuple(dims)


@wordwise()
def reshape(a, shape=None, order="C", *, newshape=None, out_sharding=None):
    """`a` with a new shape of the same size; one dimension may be -1 (inferred). out_sharding: the result's
    sharding over Explicit mesh axes (needed where the operand's leaves it ambiguous)."""
    check_arraylike("reshape", a)
    if shape is None:
        shape = newshape
    if shape is None:
        raise TypeError("reshape: missing the new shape")
    a = asvalue(a)
    dims = _resolve_shape(a, shape)
    if out_sharding is not None:
        if order != "C":
            raise ValueError(f"reshape: out_sharding needs order='C', got order={order!r}")
        return bind1("reshape", a, new_sizes=dims, **out_sharding_attrs(out_sharding, len(dims), "reshape"))
    if order == "C":
        return a if a.type.shape == dims else bind1("reshape", a, new_sizes=dims)
    if order == "F":   # column-major: reverse the axes, reshape, reverse back
        flipped = bind1("reshape", transpose(a), new_sizes=dims[::-1])
        return transpose(flipped)
    raise ValueError(f"reshape: order must be 'C' or 'F', got {order!r}")


@wordwise()
def ravel(a, order="C"):
    return reshape(a, (-1,), order)


@wordwise()
def transpose(a, axes=None):
    """Permute the axes (reverse them when axes is None)."""
    check_arraylike("transpose", a)
    a = asvalue(a)
    nd = a.type.ndim
    if axes is None:
        perm = tuple(range(nd))[::-1]
    else:
        axes = tuple(axes)
        if len(axes) != nd:
            raise ValueError(f"transpose: axes {axes} don't match array {describe(a)}: expected a permutation "
                             f"of {nd} axes")
        perm = tuple(canon_axis(ax, nd) for ax in axes)
        if len(set(perm)) != nd:
            raise ValueError(f"transpose: repeated axis in axes {axes} for {describe(a)}")
    return a if perm == tuple(range(nd)) else bind1("transpose", a, permutation=perm)


@wordwise()
def permute_dims(a, axes):
    return transpose(a, axes)


@wordwise()
def swapaxes(a, axis1, axis2):
    check_arraylike("swapaxes", a)
    nd = type_of(a).ndim
    perm = list(range(nd))
    i, j = canon_axis(axis1, nd), canon_axis(axis2, nd)
    perm[i], perm[j] = perm[j], perm[i]
    return transpose(a, perm)


@wordwise()
def moveaxis(a, source, destination):
    """Move axes `source` to positions `destination`; the other axes keep their order."""
    check_arraylike("moveaxis", a)
    nd = type_of(a).ndim
    src = [source] if isinstance(source, (int, np.integer)) else list(source)
    dst = [destination] if isinstance(destination, (int, np.integer)) else list(destination)
    if len(src) != len(dst):
        raise ValueError(f"moveaxis: source {source!r} and destination {destination!r} must have the same number "
                         f"of elements")
    src = [canon_axis(s, nd, "source") for s in src]
    dst = [canon_axis(d, nd, "destination") for d in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ValueError("moveaxis: repeated axis in source or destination")
    rest = [i for i in range(nd) if i not in src]
    perm = [None] * nd
    for s, d in zip(src, dst):
        perm[d] = s
    it = iter(rest)
    return transpose(a, [p if p is not None else next(it) for p in perm])


@wordwise()
def squeeze(a, axis=None):
    """Remove axes of length one (all of them, or those in `axis`, which must have length one)."""
    check_arraylike("squeeze", a)
    a = asvalue(a)
    t = a.type
    if axis is None:
        axes = tuple(i for i, n in enumerate(t.shape) if n == 1)
    else:
        axes = canon_axes(axis, t.ndim)
        bad = [ax for ax in axes if t.shape[ax] != 1]
        if bad:
            raise ValueError(f"squeeze: cannot select an axis to squeeze out which has size not equal to one: "
                             f"axis {bad[0]} of {describe(a)} has size {t.shape[bad[0]]}")
    if not axes:
        return a
    return bind1("reshape", a, new_sizes=tuple(n for i, n in enumerate(t.shape) if i not in axes))


@wordwise()
def expand_dims(a, axis):
    """Insert axes of length one at the positions `axis` (in the result)."""
    check_arraylike("expand_dims", a)
    a = asvalue(a)
    t = a.type
    n_new = len(axis) if isinstance(axis, (tuple, list)) else 1
    axes = canon_axes(axis, t.ndim + n_new)
    it = iter(t.shape)
    return bind1("reshape", a, new_sizes=tuple(1 if i in axes else next(it) for i in range(t.ndim + n_new)))


@wordwise(values=slice(0, None))
def atleast_1d(*arys):
    out = [asvalue(a) if type_of(a).ndim >= 1 else reshape(a, (1,)) for a in arys]
    return out[0] if len(out) == 1 else out


@wordwise(values=slice(0, None))
def atleast_2d(*arys):
    out = []
    for a in arys:
        nd = type_of(a).ndim
        out.append(asvalue(a) if nd >= 2 else reshape(a, (1,) * (2 - nd) + type_of(a).shape))
    return out[0] if len(out) == 1 else out


@wordwise(values=slice(0, None))
def atleast_3d(*arys):
    out = []
    for a in arys:
        s = type_of(a).shape
        new = {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}.get(len(s), s)
        out.append(reshape(a, new))
    return out[0] if len(out) == 1 else out


@wordwise()
def concatenate(arrays, axis=0, dtype=None):
    """Join arrays along an existing axis (after flattening them when axis is None)."""
    arrays = ensure_value_list("concatenate", arrays)
    if not arrays:
        raise ValueError("concatenate: need at least one array to concatenate")
    check_arraylike("concatenate", *arrays)
    if axis is None:
        arrays, axis = [ravel(a) for a in arrays], 0
    shapes = [type_of(a).shape for a in arrays]
    if any(len(s) == 0 for s in shapes):
        raise ValueError("concatenate: zero-dimensional arrays cannot be concatenated")
    nd = len(shapes[0])
    ax = canon_axis(axis, nd)
    for i, s in enumerate(shapes):
        if len(s) != nd:
            raise ValueError(f"concatenate: all the input arrays must have the same number of dimensions, but the "
                             f"array at index 0 is {describe(arrays[0])} and the array at index {i} is "
                             f"{describe(arrays[i])}")
        for d in range(nd):
            if d != ax and s[d] != shapes[0][d]:
                raise ValueError(f"concatenate: all the input array dimensions except for the concatenation axis "
                                 f"must match exactly, but along dimension {d}, the array at index 0 has size "
                                 f"{shapes[0][d]} and the array at index {i} has size {s[d]}")
    if dtype is not None:
        d, weak = to_dtype(dtype), False
    else:
        d, weak = result_type_of(*arrays)
    arrays = [convert(a, d, weak) for a in arrays]
    return arrays[0] if len(arrays) == 1 else bind1("concatenate", *arrays, dimension=ax)


@wordwise()
def stack(arrays, axis=0, dtype=None):
    """Join arrays of one shape along a new axis."""
    arrays = ensure_value_list("stack", arrays)
    if not arrays:
        raise ValueError("stack: need at least one array to stack")
    check_arraylike("stack", *arrays)
    shapes = {type_of(a).shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError(f"stack: all input arrays must have the same shape, got "
                         f"{', '.join(describe(a) for a in arrays)}")
    nd = len(next(iter(shapes)))
    ax = canon_axis(axis, nd + 1)
    return concatenate([expand_dims(a, ax) for a in arrays], ax, dtype)


@wordwise()
def vstack(tup, dtype=None):
    return concatenate([atleast_2d(a) for a in ensure_value_list("vstack", tup)], 0, dtype)


@wordwise()
def hstack(tup, dtype=None):
    arrs = [atleast_1d(a) for a in ensure_value_list("hstack", tup)]
    return concatenate(arrs, 0 if arrs and type_of(arrs[0]).ndim == 1 else 1, dtype)


@wordwise()
def broadcast_to(array, shape, *, out_sharding=None):
    check_arraylike("broadcast_to", array)
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return with_out_sharding(_broadcast_to(array, shape), out_sharding, "broadcast_to")


@wordwise(values=slice(0, None))
def broadcast_arrays(*args):
    check_arraylike("broadcast_arrays", *args)
    s = _broadcast_shapes("broadcast_arrays", *args)
    return [_broadcast_to(a, s) for a in args]
