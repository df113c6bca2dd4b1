"""The uniform distribution on [loc, loc + scale]."""
import numpy as np

from ... import numpy as jnp
from ._util import inexact


def logpdf(x, loc=0, scale=1):
    x, loc, scale = inexact("uniform.logpdf", x, loc, scale)
    return jnp.where((x > loc + scale) | (x < loc), -np.inf, -jnp.log(scale))


def pdf(x, loc=0, scale=1):
    return jnp.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    x, loc, scale = inexact("uniform.cdf", x, loc, scale)
    return jnp.where(x < loc, 0, jnp.where(x > loc + scale, 1, (x - loc) / scale))


def ppf(q, loc=0, scale=1):
    q, loc, scale = inexact("uniform.ppf", q, loc, scale)
    return jnp.where(jnp.isnan(q) | (q < 0) | (q > 1), np.nan, loc + scale * q)
