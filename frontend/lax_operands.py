"""jax.lax's implicit broadcasting for binary ops (JAX 0.10.2, found by running it): a 0-d operand broadcasts
to the other's shape and operands of equal rank broadcast their size-1 dimensions; operands of different
nonzero ranks and incompatible shapes are refused with JAX's messages. Dtypes must still match."""
import builtins
import operator

import numpy as np

from ..ir import types as T
from . import dtypes
from .core import bind1, type_of


def broadcast_operands(name, x, y):
    sx, sy = type_of(x).shape, type_of(y).shape
    if sx == sy:
        return x, y
    if sx and sy and len(sx) != len(sy):
        raise TypeError(f"{name}: arrays must have the same number of dimensions, got {{{len(sx)}, {len(sy)}}}")
    try:
        shape = np.broadcast_shapes(sx, sy)
    except ValueError:
        raise TypeError(f"{name} got incompatible shapes for broadcasting: {sx}, {sy}.") from None
    return tuple(_broadcast(v, shape) for v in (x, y))


def broadcast_shapes(*shapes):
    """jax.lax.broadcast_shapes: the NumPy broadcast of shapes given as sequences of ints (not bare ints),
    with JAX 0.10.2's errors."""
    if not shapes:
        raise TypeError("broadcast_shapes: at least one shape is required")
    canon = []
    for shape in shapes:
        try:
            dims = tuple(operator.index(d) for d in shape)
        except TypeError:
            raise TypeError(f"Shapes must be 1D sequences of concrete values of integer type, got {shape!r}.") \
                from None
        if any(d < 0 for d in dims):
            raise TypeError(f"Only non-negative indices are allowed when broadcasting static shapes, but got shape "
                            f"{shape!r}.")
        canon.append(dims)
    try:
        return tuple(int(d) for d in np.broadcast_shapes(*canon))
    except ValueError:
        raise ValueError(f"Incompatible shapes for broadcasting: shapes={list(shapes)}") from None


def _broadcast(v, shape):
    nd = type_of(v).ndim
    if type_of(v).shape == shape:
        return v
    return bind1("broadcast_in_dim", v, shape=shape, broadcast_dimensions=tuple(range(len(shape) - nd, len(shape))))


def check_scalar_kinds(name, dtype, xs):
    """Refuse a Python float next to an integer or bool array, and a Python complex next to a real one: JAX
    0.10.2 gives such a scalar its own dtype and refuses the mismatch (Lintra would otherwise round it)."""
    for x in xs:
        lost = (isinstance(x, float) and not T.is_inexact(dtype)) or \
            (isinstance(x, builtins.complex) and not T.is_complex(dtype))
        if lost:
            got = dtypes.python_scalar_dtype(x)
            raise TypeError(f"lax.{name} requires arguments to have the same dtypes, got {np.dtype(dtype).name}, "
                            f"{got.name} (the Python scalar {x!r}). (Tip: the jax.numpy function for this "
                            f"operation does automatic type promotion on inputs).")
