"""lax.fft and lax.FftType, as in jax.lax: one call of the fft primitive over the innermost dimensions."""
import enum

import numpy as np

from ..ir import types as T
from . import dtypes
from .core import bind1, type_of


class FftType(enum.IntEnum):
    """Which transform lax.fft computes."""
    FFT = 0      # complex -> complex
    IFFT = 1     # its inverse (scaled by 1/N)
    RFFT = 2     # real -> the non-negative frequencies
    IRFFT = 3    # the inverse of RFFT: non-negative frequencies -> real


def _fft_type(fft_type):
    if isinstance(fft_type, FftType):
        return fft_type
    if isinstance(fft_type, str) and fft_type.upper() in FftType.__members__:
        return FftType[fft_type.upper()]
    raise ValueError(f"unknown FFT type {fft_type!r}; expected a lax.FftType or one of 'fft', 'ifft', 'rfft', "
                     f"'irfft'")


def fft(x, fft_type, fft_lengths):
    """The FFT of x over its last len(fft_lengths) (1 to 3) dimensions. RFFT takes real input (integers and
    half floats are computed in f32/f64); the others take complex input (real input is made complex)."""
    typ = _fft_type(fft_type)
    lengths = tuple(int(n) for n in fft_lengths)
    t = type_of(x)
    wide = t.dtype in (np.float32, np.float64)    # the widths XLA transforms; others go to the default
    if typ == FftType.RFFT:
        if T.is_complex(t.dtype):
            raise TypeError(f"fft: RFFT takes real input, got a {T.dtype_name(t.dtype)}{list(t.shape)} array")
        target = t.dtype if wide else dtypes.default_float()
    else:
        target = t.dtype if T.is_complex(t.dtype) else T.complex_dtype(t.dtype) if wide else dtypes.default_complex()
    if t.dtype != target:
        x = bind1("convert_element_type", x, new_dtype=target, weak_type=False)
    if not lengths:
        return x
    return bind1("fft", x, fft_type=typ.name, fft_lengths=lengths)
