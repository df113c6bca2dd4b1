"""lintra.scipy.signal: SciPy's N-d convolutions and cross-correlations on Lintra arrays, as JAX computes
them: `convolve`/`correlate` (and their 2-D forms) as one lax.conv_general_dilated, `fftconvolve` through
FFTs of the full output's size. Modes: 'full' (default), 'same' (centred, in1's size), 'valid'."""
import operator

from ..ir import types as T
from . import numpy as jnp
from .batching import vmap
from .core import type_of
from .lax import dynamic_slice, rev
from .lax_conv import conv_general_dilated
from .numpy._util import canon_axis, check_arraylike, convert, describe, result_type_of
from . import dtypes as _dtypes

__all__ = ["convolve", "convolve2d", "correlate", "correlate2d", "fftconvolve"]

_MODES = ("full", "same", "valid")


def _inexact(name, *xs):
    check_arraylike(name, *xs)
    d, weak = result_type_of(*xs)
    if not T.is_inexact(d):
        d, weak = _dtypes.default_float(), False
    return [convert(x, d, weak) for x in xs]


def _convolve_nd(in1, in2, mode, precision):
    if mode not in _MODES:
        raise ValueError(f"mode must be one of ['full', 'same', 'valid'], got {mode!r}")
    s1, s2 = type_of(in1).shape, type_of(in2).shape
    if len(s1) != len(s2):
        raise ValueError(f"in1 and in2 must have the same number of dimensions, got {describe(in1)} and "
                         f"{describe(in2)}")
    if 0 in s1 or 0 in s2:
        raise ValueError(f"zero-size arrays not supported in convolutions, got shapes {s1} and {s2}.")
    in1, in2 = _inexact("convolve", in1, in2)
    no_swap, swap = all(a >= b for a, b in zip(s1, s2)), all(a <= b for a, b in zip(s1, s2))
    if not (no_swap or swap):
        raise ValueError("One input must be smaller than the other in every dimension.")
    shape_o = s2
    if swap:
        in1, in2 = in2, in1
    shape = type_of(in2).shape
    in2 = rev(in2, tuple(range(len(shape))))
    if mode == "valid":
        padding = [(0, 0)] * len(shape)
    elif mode == "same":
        padding = [(s - 1 - (so - 1) // 2, s - so + (so - 1) // 2) for s, so in zip(shape, shape_o)]
    else:
        padding = [(s - 1, s - 1) for s in shape]
    out = conv_general_dilated(in1[None, None], in2[None, None], (1,) * len(shape), padding, precision=precision)
    return out[0, 0]


def convolve(in1, in2, mode="full", method="auto", *, precision=None):
    """scipy.signal.convolve: the N-d convolution of in1 and in2 (of one rank); method 'auto'/'direct' (one
    convolution) or 'fft'."""
    if method == "fft":
        return fftconvolve(in1, in2, mode=mode)
    if method not in ("auto", "direct"):
        raise ValueError(f"Got method={method!r}; expected 'auto', 'fft', or 'direct'.")
    return _convolve_nd(in1, in2, mode, precision)


def _check_2d(name, in1, in2, boundary, fillvalue):
    if boundary != "fill" or fillvalue != 0:
        raise NotImplementedError(f"{name}() only supports boundary='fill', fillvalue=0")
    if type_of(in1).ndim != 2 or type_of(in2).ndim != 2:
        raise ValueError(f"{name}() only supports 2-dimensional inputs, got {describe(in1)} and {describe(in2)}")


def convolve2d(in1, in2, mode="full", boundary="fill", fillvalue=0, *, precision=None):
    """scipy.signal.convolve2d with zero fill at the boundary (the only boundary JAX supports)."""
    check_arraylike("convolve2d", in1, in2)
    _check_2d("convolve2d", in1, in2, boundary, fillvalue)
    return _convolve_nd(in1, in2, mode, precision)


def correlate(in1, in2, mode="full", method="auto", *, precision=None):
    """scipy.signal.correlate: the N-d cross-correlation, a convolution with in2 flipped and conjugated."""
    check_arraylike("correlate", in1, in2)
    flipped = jnp.flip(jnp.conj(in2))
    return convolve(in1, flipped, mode, precision=precision, method=method)


def correlate2d(in1, in2, mode="full", boundary="fill", fillvalue=0, *, precision=None):
    """scipy.signal.correlate2d with zero fill at the boundary."""
    check_arraylike("correlate2d", in1, in2)
    _check_2d("correlate2d", in1, in2, boundary, fillvalue)
    s1, s2 = type_of(in1).shape, type_of(in2).shape
    swap = all(a <= b for a, b in zip(s1, s2))
    same_shape = s1 == s2
    conv = lambda a, b: _convolve_nd(a, b, mode, precision)
    if mode == "same" or (mode == "valid" and not (swap and not same_shape)) or (mode == "full" and not swap):
        return jnp.flip(conv(jnp.flip(in1), jnp.conj(in2)))
    if mode == "valid":
        return conv(jnp.flip(in2), jnp.conj(in1))
    return jnp.conj(conv(jnp.flip(in2), jnp.conj(in1)))


def _fftconvolve_unbatched(in1, in2, mode):
    s1, s2 = type_of(in1).shape, type_of(in2).shape
    full_shape = tuple(a + b - 1 for a, b in zip(s1, s2))
    if mode == "valid":
        no_swap, swap = all(a >= b for a, b in zip(s1, s2)), all(a <= b for a, b in zip(s1, s2))
        if not (no_swap or swap):
            raise ValueError("For 'valid' mode, One input must be at least as large as the other in every "
                             "dimension.")
        if swap:
            in1, in2, s1, s2 = in2, in1, s2, s1
    if all(a == 1 or b == 1 for a, b in zip(s1, s2)):
        conv = in1 * in2
    elif T.is_complex(type_of(in1).dtype):
        conv = jnp.fft.ifftn(jnp.fft.fftn(in1, full_shape) * jnp.fft.fftn(in2, full_shape), full_shape)
    else:
        conv = jnp.fft.irfftn(jnp.fft.rfftn(in1, full_shape) * jnp.fft.rfftn(in2, full_shape), full_shape)
    out_shape = {"full": full_shape, "same": s1, "valid": tuple(a - b + 1 for a, b in zip(s1, s2))}[mode]
    conv = jnp.broadcast_to(conv, full_shape)
    return dynamic_slice(conv, tuple((f - o) // 2 for f, o in zip(full_shape, out_shape)), out_shape)


def fftconvolve(in1, in2, mode="full", axes=None):
    """scipy.signal.fftconvolve: the N-d convolution through FFTs (over `axes`, mapping over the others,
    which must agree in size)."""
    in1, in2 = _inexact("fftconvolve", in1, in2)
    t1, t2 = type_of(in1), type_of(in2)
    if t1.ndim != t2.ndim:
        raise ValueError(f"in1 and in2 should have the same dimensionality, got {describe(in1)} and "
                         f"{describe(in2)}")
    if mode not in _MODES:
        raise ValueError(f"mode must be one of ['same', 'full', 'valid'], got {mode!r}")
    f = lambda a, b: _fftconvolve_unbatched(a, b, mode)
    if axes is None:
        return f(in1, in2)
    axes = (axes,) if isinstance(axes, int) else tuple(axes)
    axes = tuple(canon_axis(operator.index(a), t1.ndim) for a in axes)
    mapped = sorted(set(range(t1.ndim)) - set(axes))
    if any(t1.shape[i] != t2.shape[i] for i in mapped):
        raise ValueError(f"mapped axes must have same shape; got in1.shape={t1.shape} in2.shape={t2.shape} "
                         f"axes={axes}")
    for ax in mapped:
        f = vmap(f, in_axes=ax, out_axes=ax)
    return f(in1, in2)
