"""Sample statistics of lintra.scipy.stats: mode, rankdata and sem (jax.scipy.stats), with static output
shapes so that they trace under jit: counts and ranks come from sorting and binary search."""
import math
from typing import NamedTuple

import numpy as np

from ... import numpy as jnp
from ...batching import vmap
from ...control import cond
from ...core import type_of
from ...dtypes import default_float
from ...numpy._util import canon_axis, check_arraylike, promote_args


class ModeResult(NamedTuple):
    mode: object
    count: object


def _check_nan_policy(name, nan_policy, allowed=("propagate",)):
    if nan_policy not in ("propagate", "omit", "raise"):
        raise ValueError(f"Illegal nan_policy value {nan_policy!r}; expected one of {{'propagate', 'omit', 'raise'}}")
    if nan_policy not in allowed:
        raise NotImplementedError(f"{name}: nan_policy={nan_policy!r} is not implemented (as in JAX); check for NaNs "
                                  f"outside {name}")


def _mode_1d(x):
    """The most frequent value (the smallest on a tie) and its count."""
    s = jnp.sort(x)
    counts = jnp.searchsorted(s, s, side="right") - jnp.searchsorted(s, s, side="left")
    i = jnp.argmax(counts)
    return s[i], counts[i].astype(default_float())


def mode(a, axis=0, nan_policy="propagate", keepdims=False):
    """ModeResult(mode, count) along axis (over all elements when None)."""
    check_arraylike("mode", a)
    _check_nan_policy("mode", nan_policy)
    x = jnp.atleast_1d(jnp.asarray(a))
    shape = type_of(x).shape
    if axis is None:
        out_shape = (1,) * len(shape) if keepdims else ()
        x, axis = jnp.ravel(x), 0
    else:
        axis = canon_axis(axis, len(shape))
        out_shape = tuple(1 if i == axis else s for i, s in enumerate(shape)) if keepdims else \
            tuple(s for i, s in enumerate(shape) if i != axis)
    x = jnp.moveaxis(x, axis, 0)
    n = type_of(x).shape[0]
    x = jnp.reshape(x, (n, math.prod(type_of(x).shape[1:])))
    if n == 0:
        nan = jnp.full(out_shape, np.nan, default_float())
        return ModeResult(nan, jnp.zeros(out_shape, default_float()))
    vals, counts = vmap(_mode_1d, in_axes=1)(x)
    return ModeResult(jnp.reshape(vals, out_shape), jnp.reshape(counts, out_shape))


def _rank_1d(a, method):
    dt = default_float()
    s = jnp.sort(a)
    below = jnp.searchsorted(s, a, side="left")          # elements smaller than a_i
    upto = jnp.searchsorted(s, a, side="right")          # elements no larger than a_i
    if method == "ordinal":     # ties broken by position, as a stable sort would
        order = jnp.argsort(a, stable=True)
        out = jnp.zeros(type_of(a).shape, np.int32).at[order].set(jnp.arange(type_of(a).shape[0], dtype=np.int32))
        ranks = out + 1
    elif method == "dense":
        distinct = jnp.concatenate([jnp.ones((1,), np.int32), (s[1:] != s[:-1]).astype(np.int32)])
        ranks = jnp.cumsum(distinct)[upto - 1]
    elif method == "min":
        ranks = below + 1
    elif method == "max":
        ranks = upto
    else:
        ranks = 0.5 * (below + 1 + upto)
    ranks = jnp.asarray(ranks).astype(dt)
    return cond(jnp.any(jnp.isnan(a)), lambda r: jnp.full_like(r, np.nan), lambda r: r, ranks)


def rankdata(a, method="average", *, axis=None, nan_policy="propagate"):
    """Ranks from 1, ties by method: 'average', 'min', 'max', 'dense' or 'ordinal'; all NaN if a has a NaN."""
    check_arraylike("rankdata", a)
    _check_nan_policy("rankdata", nan_policy)
    if method not in ("average", "min", "max", "dense", "ordinal"):
        raise ValueError(f"unknown method '{method}'")
    a = jnp.asarray(a)
    if axis is None:
        return _rank_1d(jnp.ravel(a), method)
    axis = canon_axis(axis, type_of(a).ndim)
    x = jnp.moveaxis(a, axis, -1)
    shape = type_of(x).shape
    flat = jnp.reshape(x, (-1, shape[-1]))
    ranks = vmap(lambda r: _rank_1d(r, method))(flat)
    return jnp.moveaxis(jnp.reshape(ranks, shape), -1, axis)


def sem(a, axis=0, ddof=1, nan_policy="propagate", *, keepdims=False):
    """The standard error of the mean: std(ddof) / sqrt(n); with nan_policy='omit', over the non-NaN values."""
    b, = promote_args("sem", a, kind="inexact")
    if nan_policy == "propagate":
        size = type_of(b).size if axis is None else type_of(b).shape[axis]
        return jnp.std(b, axis, ddof=ddof, keepdims=keepdims) / np.sqrt(size).astype(type_of(b).dtype)
    if nan_policy == "omit":
        count = jnp.sum(~jnp.isnan(b), axis, keepdims=keepdims)
        return jnp.nanstd(b, axis, ddof=ddof, keepdims=keepdims) / jnp.sqrt(count).astype(type_of(b).dtype)
    raise ValueError(f"sem: nan_policy={nan_policy!r} is not supported (expected 'propagate' or 'omit')")
