"""The normal distribution N(loc, scale^2)."""
import numpy as np

from ... import numpy as jnp
from ..special import log_ndtr, ndtr, ndtri
from ._util import inexact


def logpdf(x, loc=0, scale=1):
    x, loc, scale = inexact("norm.logpdf", x, loc, scale)
    scale2 = scale * scale
    return (jnp.log(2 * np.pi * scale2) + (x - loc) ** 2 / scale2) / -2


def pdf(x, loc=0, scale=1):
    return jnp.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    x, loc, scale = inexact("norm.cdf", x, loc, scale)
    return ndtr((x - loc) / scale)


def logcdf(x, loc=0, scale=1):
    x, loc, scale = inexact("norm.logcdf", x, loc, scale)
    return log_ndtr((x - loc) / scale)


def sf(x, loc=0, scale=1):
    x, loc, scale = inexact("norm.sf", x, loc, scale)
    return cdf(-x, -loc, scale)


def logsf(x, loc=0, scale=1):
    x, loc, scale = inexact("norm.logsf", x, loc, scale)
    return logcdf(-x, -loc, scale)


def ppf(q, loc=0, scale=1):
    q, loc, scale = inexact("norm.ppf", q, loc, scale)
    return ndtri(q) * scale + loc


def isf(q, loc=0, scale=1):
    q, loc, scale = inexact("norm.isf", q, loc, scale)
    return ppf(1 - q, loc, scale)
