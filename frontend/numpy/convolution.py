"""jnp.convolve and jnp.correlate: one-dimensional discrete convolution and cross-correlation, computed as
one lax.conv_general_dilated (as JAX computes them)."""
from ...ir import types as T
from .. import dtypes as _dtypes
from ..core import type_of
from ..lax import rev, slice as lax_slice
from ..lax_conv import conv_general_dilated
from ._util import check_arraylike, convert, describe, result_type_of, to_dtype
from .manipulation import reshape
from .ufuncs import conjugate


def _promote(name, x, y, preferred):
    check_arraylike(name, x, y)
    d, weak = result_type_of(x, y)
    if preferred is None and not T.is_inexact(d):   # NumPy's convolutions compute in floating point
        d, weak = _dtypes.default_float(), False
    return convert(x, d, weak), convert(y, d, weak)


def _conv1d(name, x, y, mode, precision, preferred_element_type):
    check_arraylike(name, x, y)
    if type_of(x).ndim != 1 or type_of(y).ndim != 1:
        raise ValueError(f"{name}() only support 1-dimensional inputs, got {describe(x)} and {describe(y)}")
    x, y = _promote(name, x, y, preferred_element_type)
    nx, ny = type_of(x).shape[0], type_of(y).shape[0]
    if nx == 0 or ny == 0:
        raise ValueError(f"{name}: inputs cannot be empty, got shapes {type_of(x).shape} and {type_of(y).shape}.")
    reverse_out = False
    if name == "correlate":
        y = conjugate(y)
        if nx < ny:
            x, y, reverse_out = y, x, True
    else:
        if nx < ny:
            x, y = y, x
        y = rev(y, (0,))
    k = type_of(y).shape[0]
    padding = {"valid": (0, 0), "same": (k // 2, k - k // 2 - 1), "full": (k - 1, k - 1)}.get(mode)
    if padding is None:
        raise ValueError(f"mode must be one of ['full', 'same', 'valid'], got {mode!r}")
    out = conv_general_dilated(reshape(x, (1, 1, -1)), reshape(y, (1, 1, -1)), (1,), [padding], precision=precision,
                               preferred_element_type=None if preferred_element_type is None else
                               to_dtype(preferred_element_type))
    n = type_of(out).shape[2]
    out = reshape(lax_slice(out, (0, 0, 0), (1, 1, n)), (n,))
    return rev(out, (0,)) if reverse_out else out


def convolve(a, v, mode="full", *, precision=None, preferred_element_type=None):
    """The discrete linear convolution of two 1-D arrays; mode 'full' (default), 'same' or 'valid'."""
    return _conv1d("convolve", a, v, mode, precision, preferred_element_type)


def correlate(a, v, mode="valid", *, precision=None, preferred_element_type=None):
    """The cross-correlation of two 1-D arrays, sum_n a[n + k] conj(v[n]); mode 'valid' (default), 'same' or
    'full'."""
    return _conv1d("correlate", a, v, mode, precision, preferred_element_type)
