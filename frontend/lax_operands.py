"""jax.lax's implicit broadcasting for binary ops (JAX 0.10.2, found by running it): a 0-d operand broadcasts
to the other's shape and operands of equal rank broadcast their size-1 dimensions; operands of different
nonzero ranks and incompatible shapes are refused with JAX's messages. Dtypes must still match."""
import builtins

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
