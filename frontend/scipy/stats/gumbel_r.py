"""The right-skewed Gumbel (extreme value type I, maximum) distribution."""
import numpy as np

from ... import numpy as jnp
from ..special import xlogy
from ._util import inexact


def _log1mexp(x):
    """log(1 - e^-x) for x > 0, accurate at both ends."""
    return jnp.where(x > np.log(2), jnp.log1p(-jnp.exp(-x)), jnp.log(-jnp.expm1(-x)))


def logpdf(x, loc=0, scale=1):
    x, loc, scale = inexact("gumbel_r.logpdf", x, loc, scale)
    z = (x - loc) / scale
    return jnp.where(scale > 0, xlogy(-1, scale) - (z + jnp.exp(-z)), np.nan)


def pdf(x, loc=0, scale=1):
    return jnp.exp(logpdf(x, loc, scale))


def logcdf(x, loc=0, scale=1):
    x, loc, scale = inexact("gumbel_r.logcdf", x, loc, scale)
    return jnp.where(scale > 0, -jnp.exp(-(x - loc) / scale), np.nan)


def cdf(x, loc=0, scale=1):
    return jnp.exp(logcdf(x, loc, scale))


def ppf(p, loc=0, scale=1):
    p, loc, scale = inexact("gumbel_r.ppf", p, loc, scale)
    return jnp.where((p > 0) & (p < 1), loc - scale * jnp.log(xlogy(-1, p)), np.nan)


def sf(x, loc=0, scale=1):
    x, loc, scale = inexact("gumbel_r.sf", x, loc, scale)
    return jnp.where(scale > 0, 1 - jnp.exp(-jnp.exp((loc - x) / scale)), np.nan)


def logsf(x, loc=0, scale=1):
    x, loc, scale = inexact("gumbel_r.logsf", x, loc, scale)
    return jnp.where(scale > 0, _log1mexp(jnp.exp((loc - x) / scale)), np.nan)
