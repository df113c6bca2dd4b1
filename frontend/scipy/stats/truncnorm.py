"""The normal distribution truncated to [a, b] (in standard units: a and b are (bound - loc) / scale)."""
import numpy as np

from ... import numpy as jnp
from ..special import log_ndtr, logsumexp, ndtr
from .norm import logpdf as _norm_logpdf
from ._util import inexact


def _log_diff(x, y):
    """log(exp(x) - exp(y))."""
    return logsumexp(jnp.stack([x, y]), b=jnp.stack([jnp.ones_like(x), -jnp.ones_like(y)]), axis=0)


def _log_gauss_mass(a, b):
    """log(ndtr(b) - ndtr(a)), computed in the tail where a and b lie on one side of 0."""
    a, b = jnp.broadcast_arrays(a, b)
    left, right = b <= 0, a > 0
    central = ~(left | right)
    a_tail, b_tail = jnp.where(right, -b, a), jnp.where(right, -a, b)
    tail = _log_diff(log_ndtr(b_tail), log_ndtr(a_tail))
    return jnp.where(central, jnp.log1p(-ndtr(a) - ndtr(-b)), tail)


def logpdf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = inexact("truncnorm.logpdf", x, a, b, loc, scale)
    val = _norm_logpdf(x, loc, scale) - _log_gauss_mass(a, b)
    y = (x - loc) / scale
    val = jnp.where((y < a) | (y > b), -np.inf, val)
    return jnp.where(a >= b, np.nan, val)


def pdf(x, a, b, loc=0, scale=1):
    return jnp.exp(logpdf(x, a, b, loc, scale))


def logcdf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = inexact("truncnorm.logcdf", x, a, b, loc, scale)
    x, a, b = jnp.broadcast_arrays(x, a, b)
    x = (x - loc) / scale
    mass = _log_gauss_mass(a, b)
    log_cdf = _log_gauss_mass(a, x) - mass
    log_sf = _log_gauss_mass(x, b) - mass
    # near 1, log1p(-sf) avoids the cancellation in log_cdf (as SciPy)
    out = jnp.where(x >= b, 0., jnp.where(x <= a, -np.inf,
                                          jnp.where(log_cdf > -0.1, jnp.log1p(-jnp.exp(log_sf)), log_cdf)))
    return jnp.where(a >= b, np.nan, out)


def cdf(x, a, b, loc=0, scale=1):
    return jnp.exp(logcdf(x, a, b, loc, scale))


def logsf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = inexact("truncnorm.logsf", x, a, b, loc, scale)
    return logcdf(-x, -b, -a, -loc, scale)


def sf(x, a, b, loc=0, scale=1):
    return jnp.exp(logsf(x, a, b, loc, scale))
