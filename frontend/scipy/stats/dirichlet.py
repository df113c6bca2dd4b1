"""The Dirichlet distribution with concentrations alpha (x's first axis runs over the categories; it may
omit the last one, which is then 1 - sum)."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ...core import type_of
from ..special import xlogy
from ._util import inexact_dtype


def logpdf(x, alpha):
    x, alpha = inexact_dtype("dirichlet.logpdf", x, alpha)
    xs, as_ = type_of(x).shape, type_of(alpha).shape
    if len(as_) != 1:
        raise ValueError(f"dirichlet.logpdf: `alpha` must be one-dimensional; got alpha.shape={as_}")
    if not xs or xs[0] not in (as_[0], as_[0] - 1):
        raise ValueError(f"dirichlet.logpdf: `x` must have either the same number of entries as `alpha` or "
                         f"one entry fewer; got x.shape={xs}, alpha.shape={as_}")
    if xs[0] != as_[0]:
        x = jnp.concatenate([x, 1 - x.sum(0, keepdims=True)], axis=0)
    normalizer = jnp.sum(lax.lgamma(alpha)) - lax.lgamma(jnp.sum(alpha))
    alpha = jnp.reshape(alpha, as_ + (1,) * (len(xs) - 1))
    log_probs = jnp.sum(xlogy(alpha - 1, x), axis=0) - normalizer
    simplex = jnp.all(x > 0, axis=0) & (jnp.abs(jnp.sum(x, axis=0) - 1) < 1e-6)
    return jnp.where(simplex, log_probs, -np.inf)


def pdf(x, alpha):
    return jnp.exp(logpdf(x, alpha))
