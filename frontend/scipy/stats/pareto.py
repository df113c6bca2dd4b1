"""The Pareto distribution with shape b (support x >= loc + scale)."""
import numpy as np

from ... import numpy as jnp
from ._util import inexact


def logpdf(x, b, loc=0, scale=1):
    x, b, loc, scale = inexact("pareto.logpdf", x, b, loc, scale)
    y = (x - loc) / scale
    return jnp.where(x < loc + scale, -np.inf, -(jnp.log(scale / b) + (b + 1) * jnp.log(y)))


def pdf(x, b, loc=0, scale=1):
    return jnp.exp(logpdf(x, b, loc, scale))


def cdf(x, b, loc=0, scale=1):
    x, b, loc, scale = inexact("pareto.cdf", x, b, loc, scale)
    y = (x - loc) / scale
    return jnp.where(x < loc + scale, 0, 1 - y ** -b)


def logcdf(x, b, loc=0, scale=1):
    x, b, loc, scale = inexact("pareto.logcdf", x, b, loc, scale)
    y = (x - loc) / scale
    return jnp.where(x < loc + scale, -np.inf, jnp.log1p(-(y ** -b)))


def logsf(x, b, loc=0, scale=1):
    x, b, loc, scale = inexact("pareto.logsf", x, b, loc, scale)
    y = (x - loc) / scale
    return jnp.where(x < loc + scale, 0, -b * jnp.log(y))


def sf(x, b, loc=0, scale=1):
    return jnp.exp(logsf(x, b, loc, scale))


def ppf(q, b, loc=0, scale=1):
    q, b, loc, scale = inexact("pareto.ppf", q, b, loc, scale)
    return jnp.where(jnp.isnan(q) | (q < 0) | (q > 1), np.nan, loc + scale * (1 - q) ** (-1 / b))
