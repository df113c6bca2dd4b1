"""The multinomial distribution of n trials over categories with probabilities p (x: integer counts)."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ...core import type_of
from ..special import xlogy
from ._util import inexact


def logpmf(x, n, p):
    p, = inexact("multinomial.logpmf", p)
    x, n = jnp.asarray(x), jnp.asarray(n)
    if not (np.issubdtype(type_of(x).dtype, np.integer) and np.issubdtype(type_of(n).dtype, np.integer)):
        raise ValueError(f"x and n must be of integer type; got x.dtype={type_of(x).dtype}, "
                         f"n.dtype={type_of(n).dtype}")
    dt = type_of(p).dtype
    x, n = x.astype(dt), n.astype(dt)
    log_probs = lax.lgamma(n + 1) + jnp.sum(xlogy(x, p) - lax.lgamma(x + 1), axis=-1)
    return jnp.where(jnp.sum(x) == n, log_probs, -np.inf)


def pmf(x, n, p):
    return jnp.exp(logpmf(x, n, p))
