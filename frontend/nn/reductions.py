"""jax.nn's functions over axes: softmax and log_softmax (with where=), logsumexp, logmeanexp, standardize,
one_hot.

softmax subtracts the maximum before exponentiating and has JAX's custom JVP y * (t - sum(y * t)); the
shifts by the maximum carry no derivative (they do not change the value).
"""
import operator

import numpy as np

from ...ir import types as T
from .. import dtypes as _dtypes
from .. import numpy as jnp
from ..core import bind1
from ..config import config
from ..custom import custom_jvp
from ..numpy._util import asvalue, broadcast_to, canon_axes, canon_axis, check_arraylike, convert, \
    full_like_type as _c, promote_args, select as _where

__all__ = ["softmax", "log_softmax", "logsumexp", "logmeanexp", "standardize", "one_hot"]


def _inexact(name, x):
    x, = promote_args(name, x, kind="inexact")
    return x


def _axes(x, axis):
    return canon_axes(axis, x.type.ndim)


def _keep(reduced, x, axes):
    """A value reduced over axes, broadcast back to x's shape."""
    return bind1("broadcast_in_dim", reduced, shape=x.type.shape,
                 broadcast_dimensions=tuple(i for i in range(x.type.ndim) if i not in axes))


def _sum(x, axes):
    """A sum over axes as jnp.sum computes it: 16-bit floats accumulate in float32 (JAX's rule), then round."""
    return asvalue(jnp.sum(x, axis=axes))


def _softmax_fun(x, axes):
    x_max = bind1("reduce_max", x, axes=axes)
    unnormalized = bind1("exp", bind1("sub", x, _keep(x_max, x, axes)))
    return bind1("div", unnormalized, _keep(_sum(unnormalized, axes), x, axes))


_softmax = custom_jvp(_softmax_fun, nondiff_argnums=(1,))


@_softmax.defjvp
def _softmax_jvp(axes, primals, tangents):
    (x,), (t,) = primals, tangents
    y = _softmax(x, axes)
    inner = _keep(_sum(bind1("mul", y, t), axes), x, axes)
    return y, bind1("mul", y, bind1("sub", t, inner))


def softmax(x, axis=-1, where=None):
    """exp(x) / sum(exp(x)) over axis (an int, a tuple, or None for all), computed as exp(x - max x).
    With `where`, only the selected elements take part; the others are 0. As in JAX 0.10.2, the formula is
    differentiated (around the gradient-stopped maximum) unless config `jax_softmax_custom_jvp` is set, when
    the custom JVP y * (t - sum(y * t)) is used (without `where`)."""
    check_arraylike("softmax", x)
    x = _inexact("softmax", x)
    axes = _axes(x, axis)
    if x.type.size == 0:
        return x
    if where is None and config.softmax_custom_jvp:
        return _softmax(x, axes)
    mask = None if where is None else broadcast_to(asvalue(where), x.type.shape)
    x_safe = x if mask is None else _where(mask, x, _c(x, -np.inf))
    x_max = bind1("stop_gradient", bind1("reduce_max", x_safe, axes=axes))
    unnormalized = bind1("exp", bind1("sub", x_safe, _keep(x_max, x, axes)))
    if mask is not None:
        unnormalized = _where(mask, unnormalized, _c(x, 0))
    out = bind1("div", unnormalized, _keep(_sum(unnormalized, axes), x, axes))
    return out if mask is None else _where(mask, out, _c(x, 0))


def log_softmax(x, axis=-1, where=None):
    """x - logsumexp(x) over axis, computed around the (gradient-stopped) maximum. With `where`, the
    elements not selected are -inf."""
    check_arraylike("log_softmax", x)
    x = _inexact("log_softmax", x)
    axes = _axes(x, axis)
    mask = None if where is None else broadcast_to(asvalue(where), x.type.shape)
    x_safe = x if mask is None else _where(mask, x, _c(x, -np.inf))
    x_max = bind1("stop_gradient", bind1("reduce_max", x_safe, axes=axes)) if x.type.size else None
    shifted = bind1("sub", x_safe, _keep(x_max, x, axes)) if x_max is not None else x_safe
    exp = bind1("exp", shifted)
    if mask is not None:
        exp = _where(mask, exp, _c(exp, 0))
    out = bind1("sub", shifted, _keep(bind1("log", _sum(exp, axes)), x, axes))
    return out if mask is None else _where(mask, out, _c(out, -np.inf))


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=None):
    """log(sum(b * exp(a))) over axis, computed around the maximum so that it neither overflows nor
    underflows. With return_sign, returns (log|sum|, sign(sum)); otherwise a negative sum gives NaN."""
    check_arraylike("logsumexp", a)
    if where is not None:
        check_arraylike("logsumexp", where)
        a = jnp.where(where, a, 0)
    if b is not None:
        check_arraylike("logsumexp", b)
        a, b = promote_args("logsumexp", a, b, kind="inexact")
        a = _where(bind1("ne", b, _c(b, 0)), a, _c(a, -np.inf))
    else:
        a, = promote_args("logsumexp", a, kind="inexact")
    t = a.type
    axes = canon_axes(axis, t.ndim)
    mask = None if where is None else broadcast_to(asvalue(where), t.shape)
    real = jnp.real(a)
    masked = real if mask is None else _where(mask, real, _c(real, -np.inf))
    amax = bind1("reduce_max", masked, axes=axes) if t.size else \
        broadcast_to(convert(-np.inf, real.type.dtype), tuple(n for i, n in enumerate(t.shape) if i not in axes))
    # the shift does not change the value, so it carries no derivative; infinite maxima shift by 0
    amax = bind1("stop_gradient", _where(bind1("is_finite", amax), amax, _c(amax, 0)))
    amax_b = bind1("broadcast_in_dim", amax, shape=t.shape,
                   broadcast_dimensions=tuple(i for i in range(t.ndim) if i not in axes))
    exp_a = bind1("exp", bind1("sub", a, convert(amax_b, t.dtype)))
    if b is not None:
        exp_a = bind1("mul", exp_a, b)
    if mask is not None:
        exp_a = _where(mask, exp_a, _c(exp_a, 0))
    sumexp = _sum(exp_a, axes)
    sign = bind1("sign", sumexp)
    if return_sign or not T.is_complex(t.dtype):
        sumexp = bind1("abs", sumexp)
    out = bind1("add", bind1("log", sumexp), convert(amax, sumexp.type.dtype))
    if keepdims:
        kept = tuple(1 if i in axes else n for i, n in enumerate(t.shape))
        out, sign = jnp.reshape(out, kept), jnp.reshape(sign, kept)
    if return_sign:
        return out, sign
    if b is not None and not T.is_complex(out.type.dtype):
        out = _where(bind1("lt", sign, _c(sign, 0)), _c(out, np.nan), out)
    return out


def standardize(x, axis=-1, mean=None, variance=None, epsilon=1e-5, where=None, *, algorithm="fast"):
    """(x - mean) / sqrt(variance + epsilon) over axis. The variance is mean(x**2) - mean(x)**2 clipped at
    0 ('fast', JAX's default) or mean((x - mean)**2) ('stable')."""
    check_arraylike("standardize", x)
    x = _inexact("standardize", x)
    axes = _axes(x, axis)
    w = None if where is None else broadcast_to(asvalue(where), x.type.shape)

    def avg(v):
        if w is None:
            return jnp.mean(v, axis=axes, keepdims=True)
        vz = _where(w, v, _c(v, 0))
        count = jnp.sum(w, axis=axes, keepdims=True, dtype=v.type.dtype)
        return bind1("div", jnp.sum(vz, axis=axes, keepdims=True), count)

    if mean is None:
        mean = avg(x)
    if variance is None:
        if algorithm == "stable":
            variance = avg(jnp.square(jnp.subtract(x, mean)))
        elif algorithm == "fast":
            variance = jnp.maximum(jnp.subtract(avg(jnp.square(x)), jnp.square(mean)), 0)
        else:
            raise ValueError(f"standardize: unknown algorithm {algorithm!r}; expected 'fast' or 'stable'")
    return jnp.multiply(jnp.subtract(x, mean), jnp.reciprocal(jnp.sqrt(jnp.add(variance, epsilon))))


def one_hot(x, num_classes, *, dtype=None, axis=-1):
    """One-hot vectors: out[..., k, ...] = (x[...] == k) along a new axis of length num_classes (entries
    of x outside [0, num_classes) give all zeros)."""
    check_arraylike("one_hot", x)
    x = asvalue(x)
    try:
        num_classes = operator.index(num_classes)
    except TypeError:
        raise TypeError(f"one_hot: num_classes must be a static integer, got {num_classes!r}") from None
    d = _dtypes.default_float() if dtype is None else _dtypes.canonicalize_dtype(dtype)
    nd = x.type.ndim
    ax = canon_axis(axis, nd + 1)
    shape = x.type.shape[:ax] + (num_classes,) + x.type.shape[ax:]
    xd = x.type.dtype if not T.is_bool(x.type.dtype) else np.dtype(np.int32)
    classes = bind1("iota", dtype=xd, shape=shape, dimension=ax)
    xb = bind1("broadcast_in_dim", convert(x, xd), shape=shape,
               broadcast_dimensions=tuple(i for i in range(nd + 1) if i != ax))
    return convert(bind1("eq", xb, classes), d)



def logmeanexp(x, axis=None, where=None, keepdims=False):
    """log(mean(exp(x))) over axis = logsumexp(x) - log(n), n the number of (selected) elements."""
    check_arraylike("logmeanexp", x)
    lse = logsumexp(x, axis=axis, where=where, keepdims=keepdims)
    if where is None:
        shape = asvalue(x).type.shape
        count = int(np.prod([shape[i] for i in canon_axes(axis, len(shape))], dtype=np.int64))
        count = convert(count, lse.type.dtype)
    else:
        count = jnp.sum(jnp.broadcast_to(where, jnp.shape(x)), axis=axis, dtype=lse.type.dtype, keepdims=keepdims)
    return jnp.subtract(lse, jnp.log(count))
