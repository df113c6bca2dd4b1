"""lintra.numpy.fft: NumPy's FFT API (n/s, axis/axes, norm) on the fft primitive, as jax.numpy.fft.

Transforms run over the innermost dimensions, so the requested axes are moved there and back. Input is
cropped or zero-padded to the requested lengths first. XLA transforms at most 3 dimensions at once;
more are done as a sequence of transforms of at most 3 (the DFT is separable).
"""
import operator

import numpy as np

from ...ir import types as T
from .. import dtypes as _dtypes
from .. import lax, lax_fft
from ..core import bind1
from ..lax_fft import FftType
from ._util import asvalue, canon_axis, check_arraylike, convert
from .creation import asarray
from .layout import roll
from .manipulation import moveaxis

_NORMS = (None, "backward", "ortho", "forward")


def _norm_factor(name, norm, lengths):
    """The factor the unnormalised XLA result is multiplied by (XLA's inverses already divide by N)."""
    if norm not in _NORMS:
        raise ValueError(f"{name}: invalid norm value {norm!r}; should be 'backward', 'ortho' or 'forward'")
    if norm in (None, "backward"):
        return None
    n = float(np.prod(lengths))
    inverse = name.startswith("i")
    if norm == "ortho":
        return np.sqrt(n) if inverse else 1 / np.sqrt(n)
    return n if inverse else 1 / n


def _crop_or_pad(x, shape):
    t = x.type
    if t.shape == tuple(shape):
        return x
    small = tuple(min(a, b) for a, b in zip(t.shape, shape))
    if small != t.shape:
        x = lax.slice(x, (0,) * t.ndim, small)
    if small != tuple(shape):
        zero = convert(0, t.dtype)
        x = lax.pad(x, zero, [(0, n - m, 0) for n, m in zip(shape, small)])
    return x


def _transform(x, typ, lengths):
    """lax.fft over the last len(lengths) dimensions, in steps of at most 3."""
    if len(lengths) <= 3:
        return lax_fft.fft(x, typ, lengths)
    k = 2 if len(lengths) == 4 else 3     # as JAX: 4 dimensions as two 2-D transforms
    nd, m = x.type.ndim, len(lengths)
    src = tuple(range(nd - m, nd - k))
    dst = tuple(range(nd - m + k, nd))
    if typ in (FftType.FFT, FftType.RFFT):
        x = lax_fft.fft(x, typ, lengths[-k:])
        return moveaxis(_transform(moveaxis(x, src, dst), FftType.FFT, lengths[:-k]), dst, src)
    x = moveaxis(_transform(moveaxis(x, src, dst), FftType.IFFT, lengths[:-k]), dst, src)
    return lax_fft.fft(x, typ, lengths[-k:])


def _fft_core(name, typ, a, s, axes, norm):
    full = f"lintra.numpy.fft.{name}"
    check_arraylike(full, a)
    x = asvalue(a)
    if T.is_bool(x.type.dtype):
        x = convert(x, _dtypes.default_int())
    nd = x.type.ndim
    if s is not None:
        s = tuple(operator.index(n) for n in s)
        if any(n <= 0 for n in s):
            raise ValueError(f"{full}: invalid transform lengths s={s}; they must be positive")
    if s is not None and axes is not None and len(s) != len(axes):
        raise ValueError(f"{full}: shape s={s} and axes={tuple(axes)} have different lengths")
    if axes is None:
        axes = tuple(range(nd)) if s is None else tuple(range(nd - len(s), nd))
    axes = tuple(canon_axis(ax, nd) for ax in axes)
    if len(set(axes)) != len(axes):
        raise ValueError(f"{full} does not support repeated axes, got axes {axes} for an array of rank {nd}")
    if not axes:
        return lax_fft.fft(x, typ, ())
    inner = tuple(range(nd - len(axes), nd))
    x = moveaxis(x, axes, inner)
    shape = x.type.shape
    if s is not None:
        in_shape = list(shape)
        in_shape[nd - len(axes):] = s
        if typ == FftType.IRFFT:
            in_shape[-1] = s[-1] // 2 + 1
        x = _crop_or_pad(x, in_shape)
        lengths = s
    elif typ == FftType.IRFFT:
        lengths = tuple(shape[nd - len(axes):-1]) + (2 * (shape[-1] - 1),)
        if lengths[-1] <= 0:
            raise ValueError(f"{full}: invalid number of data points ({lengths[-1]}) for an axis of length "
                             f"{shape[-1]}; pass n (or s)")
    else:
        lengths = tuple(shape[nd - len(axes):])
        if any(n == 0 for n in lengths):
            raise ValueError(f"{full}: invalid number of data points (0) along axes {axes}")
    out = _transform(x, typ, lengths)
    factor = _norm_factor(name, norm, lengths)
    if factor is not None:
        out = bind1("mul", out, _scalar_like(out, factor))
    return moveaxis(out, inner, axes)


def _scalar_like(x, value):
    t = x.type
    c = convert(np.asarray(value, t.dtype), t.dtype)
    return bind1("broadcast_in_dim", c, shape=t.shape, broadcast_dimensions=()) if t.shape else c


def _one_axis(name, typ):
    def f(a, n=None, axis=-1, norm=None):
        if axis is None:
            raise TypeError(f"lintra.numpy.fft.{name}: axis must be an integer, not None")
        return _fft_core(name, typ, a, None if n is None else (n,), (axis,), norm)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"np.fft.{name}(a, n=None, axis=-1, norm=None)."
    return f


def _two_axes(name, typ):
    def f(a, s=None, axes=(-2, -1), norm=None):
        if len(axes) != 2:
            raise ValueError(f"lintra.numpy.fft.{name} takes exactly 2 axes, got axes={tuple(axes)}")
        return _fft_core(name, typ, a, s, axes, norm)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"np.fft.{name}(a, s=None, axes=(-2, -1), norm=None)."
    return f


def _n_axes(name, typ):
    def f(a, s=None, axes=None, norm=None):
        return _fft_core(name, typ, a, s, axes, norm)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"np.fft.{name}(a, s=None, axes=None, norm=None): all axes (or the last len(s)) by default."
    return f


fft, ifft, rfft, irfft = (_one_axis(n, t) for n, t in (("fft", FftType.FFT), ("ifft", FftType.IFFT),
                                                         ("rfft", FftType.RFFT), ("irfft", FftType.IRFFT)))
fft2, ifft2, rfft2, irfft2 = (_two_axes(n, t) for n, t in (("fft2", FftType.FFT), ("ifft2", FftType.IFFT),
                                                             ("rfft2", FftType.RFFT), ("irfft2", FftType.IRFFT)))
fftn, ifftn, rfftn, irfftn = (_n_axes(n, t) for n, t in (("fftn", FftType.FFT), ("ifftn", FftType.IFFT),
                                                         ("rfftn", FftType.RFFT), ("irfftn", FftType.IRFFT)))


def hfft(a, n=None, axis=-1, norm=None):
    """The FFT of a Hermitian-symmetric signal given by its first half (a real spectrum)."""
    check_arraylike("lintra.numpy.fft.hfft", a)
    x = asvalue(a)
    nn = n if n is not None else 2 * (x.type.shape[canon_axis(axis, x.type.ndim)] - 1)
    swapped = {None: "forward", "backward": "forward", "forward": "backward", "ortho": "ortho"}.get(norm, norm)
    return irfft(bind1("conj", _complex(x)), nn, axis, swapped)


def ihfft(a, n=None, axis=-1, norm=None):
    """The inverse of hfft: the first half of the inverse FFT of a real signal."""
    swapped = {None: "forward", "backward": "forward", "forward": "backward", "ortho": "ortho"}.get(norm, norm)
    return bind1("conj", rfft(a, n, axis, swapped))


def _complex(x):
    d = x.type.dtype
    if T.is_complex(d):
        return x
    return convert(x, T.complex_dtype(d) if d in (np.float32, np.float64) else _dtypes.default_complex())


# ---- frequencies and shifts ------------------------------------------------------------------------

def _freq_dtype(dtype):
    return _dtypes.default_float() if dtype is None else _dtypes.canonicalize_dtype(dtype)


def fftfreq(n, d=1.0, *, dtype=None):
    """Sample frequencies of an n-point FFT with sample spacing d: [0, 1, ..., -1] / (d n)."""
    n = operator.index(n)
    if n <= 0:
        raise ValueError(f"fftfreq: n must be a positive integer, got {n}")
    k = np.concatenate([np.arange(0, (n - 1) // 2 + 1), np.arange(-(n // 2), 0)])
    return _scaled(k, n, d, _freq_dtype(dtype))


def rfftfreq(n, d=1.0, *, dtype=None):
    """Sample frequencies of an n-point RFFT: [0, 1, ..., n // 2] / (d n)."""
    n = operator.index(n)
    if n <= 0:
        raise ValueError(f"rfftfreq: n must be a positive integer, got {n}")
    return _scaled(np.arange(0, n // 2 + 1), n, d, _freq_dtype(dtype))


def _scaled(k, n, d, dtype):
    ks = asarray(k.astype(dtype))
    return bind1("div", ks, _times(ks, d, n))


def _times(like, d, n):
    """d * n as an array of like's type (d may be a traced scalar)."""
    t = like.type
    dn = bind1("mul", convert(d, t.dtype), convert(float(n), t.dtype))
    return bind1("broadcast_in_dim", dn, shape=t.shape, broadcast_dimensions=())


def _shift(name, x, axes, sign):
    check_arraylike(f"lintra.numpy.fft.{name}", x)
    x = asvalue(x)
    nd = x.type.ndim
    axes = tuple(range(nd)) if axes is None else \
        tuple(canon_axis(a, nd) for a in ((axes,) if isinstance(axes, (int, np.integer)) else axes))
    shifts = tuple(sign * (x.type.shape[a] // 2) for a in axes)
    return roll(x, shifts, axes)


def fftshift(x, axes=None):
    """Move the zero frequency to the centre (roll by n // 2 along each axis)."""
    return _shift("fftshift", x, axes, 1)


def ifftshift(x, axes=None):
    """The inverse of fftshift (roll by -(n // 2))."""
    return _shift("ifftshift", x, axes, -1)
