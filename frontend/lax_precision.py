"""lax.reduce_precision: round to a float format with fewer exponent and mantissa bits, keeping the dtype
(JAX 0.10.2's checks and messages)."""
import numpy as np

from ..ir import types as T
from .core import bind1, type_of
from .lax import _index


def reduce_precision(operand, exponent_bits, mantissa_bits):
    """operand rounded (to nearest, ties to even) to the values a float with `exponent_bits` exponent and
    `mantissa_bits` mantissa bits holds, overflowing to infinity; e.g. (8, 7) is bfloat16's format."""
    exponent_bits = _index(exponent_bits, "exponent_bits argument of lax.reduce_precision")
    mantissa_bits = _index(mantissa_bits, "mantissa_bits argument of lax.reduce_precision")
    t = type_of(operand)
    if not T.is_float(t.dtype):
        raise TypeError(f"reduce_precision does not accept dtype {np.dtype(t.dtype).name}. Accepted dtypes are "
                        f"subtypes of floating.")
    if exponent_bits < 1:
        raise ValueError(f"reduce_precision: exponent_bits must be positive; got {exponent_bits}")
    if mantissa_bits < 0:
        raise ValueError(f"reduce_precision: mantissa_bits must be non-negative; got {mantissa_bits}")
    return bind1("reduce_precision", operand, exponent_bits=exponent_bits, mantissa_bits=mantissa_bits)
