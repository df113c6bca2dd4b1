"""NaN-ignoring functions not in statistics.py (fmax, fmin, nancumsum, nancumprod) and
the array API's cumulative_sum/cumulative_prod."""
from ...ir import types as T
from ..core import type_of
from ._util import asvalue, canon_axis, check_arraylike, full_like_type as _c, promote_args, select as _where
from .creation import full
from .manipulation import concatenate
from .reductions import _promote_integers, cumprod, cumsum
from .ufuncs import isnan, maximum, minimum


def _nan_preferring_other(name, pick):
    def f(x1, x2):
        x1, x2 = promote_args(name, x1, x2)
        if not T.is_inexact(type_of(x1).dtype):
            return pick(x1, x2)
        return _where(isnan(x1), x2, _where(isnan(x2), x1, pick(x1, x2)))
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"jnp.{name}: elementwise {pick.__name__}, ignoring a NaN where only one operand is NaN."
    return f


fmax = _nan_preferring_other("fmax", maximum)
fmin = _nan_preferring_other("fmin", minimum)


def _nan_cumulative(name, cum, fill):
    def f(a, axis=None, dtype=None, out=None):
        check_arraylike(name, a)
        a = asvalue(a)
        if T.is_inexact(a.type.dtype):
            a = _where(isnan(a), _c(a, fill), a)
        return cum(a, axis=axis, dtype=dtype, out=out)
    f.__name__ = f.__qualname__ = name
    return f


nancumsum = _nan_cumulative("nancumsum", cumsum, 0)
nancumprod = _nan_cumulative("nancumprod", cumprod, 1)


def _cumulative_with_initial(name, cum, initial):
    def f(x, /, *, axis=None, dtype=None, include_initial=False):
        check_arraylike(name, x)
        x = asvalue(x)
        if axis is None:
            if x.type.ndim > 1:
                raise ValueError(f"{name}: axis must be specified for an array of rank {x.type.ndim} "
                                 f"({x.type})")
            axis = 0
        if x.type.ndim == 0:
            raise ValueError(f"{name}: the input must have at least one dimension, got a 0-d array")
        ax = canon_axis(axis, x.type.ndim)
        # as JAX 0.10.2: cumulative_sum widens narrow integers as jnp.sum does; cumulative_prod, like cumprod,
        # widens only bools
        widen = cum is cumsum and dtype is None
        out = cum(x, axis=ax, dtype=_promote_integers(x.type.dtype, name) if widen else dtype)
        if not include_initial:
            return out
        t = type_of(out)
        first = full(tuple(1 if i == ax else n for i, n in enumerate(t.shape)), initial, t.dtype)
        return concatenate([first, out], axis=ax)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"jnp.{name} (the array API's): {cum.__name__} along axis, optionally starting with {initial}."
    return f


cumulative_sum = _cumulative_with_initial("cumulative_sum", cumsum, 0)
cumulative_prod = _cumulative_with_initial("cumulative_prod", cumprod, 1)
