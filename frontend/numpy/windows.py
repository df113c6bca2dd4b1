"""Window functions for signal processing: bartlett blackman hamming hanning (NumPy's formulas, in the
default float type)."""
import operator

import numpy as np

from .. import dtypes as _dtypes
from ..core import constant


def _window(name, formula):
    def f(M):
        try:
            M = operator.index(M)
        except TypeError:
            raise TypeError(f"{name}: M must be a static integer, got {M!r}") from None
        d = _dtypes.default_float()
        if M <= 0:
            return constant(np.zeros((0,), d))
        if M == 1:
            return constant(np.ones((1,), d))
        n = np.arange(1 - M, M, 2, dtype=np.float64)    # symmetric sample points, as NumPy
        return constant(formula(n, M).astype(d))
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"jnp.{name}(M): the {name} window of M points (a constant: M is static)."
    return f


bartlett = _window("bartlett", lambda n, M: np.where(n <= 0, 1 + n / (M - 1), 1 - n / (M - 1)))
blackman = _window("blackman", lambda n, M: 0.42 + 0.5 * np.cos(np.pi * n / (M - 1))
                   + 0.08 * np.cos(2.0 * np.pi * n / (M - 1)))
hamming = _window("hamming", lambda n, M: 0.54 + 0.46 * np.cos(np.pi * n / (M - 1)))
hanning = _window("hanning", lambda n, M: 0.5 + 0.5 * np.cos(np.pi * n / (M - 1)))
