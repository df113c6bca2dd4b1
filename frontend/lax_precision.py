"""lax.reduce_precision: round to a float format with fewer exponent and mantissa bits, keeping the dtype
(JAX 0.10.2's checks and messages)."""
import operator

import numpy as np

from ..ir import types as T
from .core import bind1, type_of


def _bits(value, name):
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{name} argument of lax.reduce_precision must be an integer, got {value!r} of type "
                        f"{type(value).__name__}") from None


def reduce_precision(operand, exponent_bits, mantissa_bits):
    """operand rounded (to nearest, ties to even) to the values a float with `exponent_bits` exponent and
    `mantissa_bits` mantissa bits holds, overflowing to infinity; e.g. (8, 7) is bfloat16's format."""
    exponent_bits = _bits(exponent_bits, "exponent_bits")
    mantissa_bits = _bits(mantissa_bits, "mantissa_bits")
    t = type_of(operand)
    if not T.is_float(t.dtype):
        raise TypeError(f"reduce_precision does not accept dtype {np.dtype(t.dtype).name}. Accepted dtypes are "
                        f"subtypes of floating.")
    if exponent_bits < 1:
        raise ValueError(f"reduce_precision: exponent_bits must be positive; got {exponent_bits}")
    if mantissa_bits < 0:
        raise ValueError(f"reduce_precision: mantissa_bits must be non-negative; got {mantissa_bits}")
    return bind1("reduce_precision", operand, exponent_bits=exponent_bits, mantissa_bits=mantissa_bits)
