"""`lintra.flatten_util.ravel_pytree`: a pytree of arrays as one 1-D array, and the function back."""
import functools

import numpy as np

from . import dtypes, lax, tree
from .core import type_of


class _HashablePartial:
    """A partial that compares and hashes by function code and arguments, so the unravel functions of two
    trees of one structure are equal, as in JAX (and usable as a static jit argument)."""

    def __init__(self, f, *args):
        self.f, self.args = f, args

    def __eq__(self, other):
        return type(other) is _HashablePartial and self.f.__code__ == other.f.__code__ and self.args == other.args

    def __hash__(self):
        return hash((self.f.__code__, self.args))

    def __call__(self, *args):
        return self.f(*self.args, *args)


def ravel_pytree(pytree):
    """(1-D array of every leaf raveled and concatenated, unravel); leaves of mixed dtypes are converted to
    their promoted dtype and unravel converts them back (and then insists on that dtype). With one dtype
    no conversion happens, so unravel accepts any dtype, as in JAX."""
    leaves, treedef = tree.flatten(pytree)
    flat, unravel_list = _ravel_list(leaves)
    return flat, _HashablePartial(_unravel_pytree, treedef, unravel_list)


def _unravel_pytree(treedef, unravel_list, flat):
    return treedef.unflatten(unravel_list(flat))


def _ravel_list(xs):
    if not xs:
        return lax.full([0], 0, "float32"), lambda _: []
    # A leaf's dtype ignores weak type (a Python float is float32 here), as JAX's dtypes.dtype does.
    from_dtypes = tuple(type_of(x).dtype for x in xs)
    to_dtype = functools.reduce(dtypes.promote_types, from_dtypes)
    sizes = tuple(int(np.prod(type_of(x).shape)) for x in xs)
    shapes = tuple(type_of(x).shape for x in xs)
    if all(d == to_dtype for d in from_dtypes):
        flat = lax.concatenate([lax.reshape(x, (n,)) for x, n in zip(xs, sizes)], 0)
        return flat, _HashablePartial(_unravel_single_dtype, sizes, shapes)
    flat = lax.concatenate([lax.reshape(lax.convert_element_type(x, to_dtype), (n,)) for x, n in zip(xs, sizes)], 0)
    return flat, _HashablePartial(_unravel_list, sizes, shapes, from_dtypes, to_dtype)


def _chunks(sizes, shapes, arr):
    offsets = np.cumsum((0,) + sizes)
    return [lax.reshape(lax.slice_in_dim(arr, int(a), int(b)), shape)
            for a, b, shape in zip(offsets[:-1], offsets[1:], shapes)]


def _unravel_single_dtype(sizes, shapes, arr):
    return _chunks(sizes, shapes, arr)


def _unravel_list(sizes, shapes, from_dtypes, to_dtype, arr):
    if type_of(arr).dtype != to_dtype:
        raise TypeError(f"unravel function given array of dtype {type_of(arr).dtype}, but expected dtype {to_dtype}")
    return [lax.convert_element_type(c, d) for c, d in zip(_chunks(sizes, shapes, arr), from_dtypes)]
