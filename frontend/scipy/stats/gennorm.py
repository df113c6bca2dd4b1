"""The generalized normal distribution with shape beta (density proportional to exp(-|x|^beta))."""
from ... import lax
from ... import numpy as jnp
from ..special import gammainc
from ._util import inexact


def logpdf(x, beta):
    x, beta = inexact("gennorm.logpdf", x, beta)
    return jnp.log(0.5 * beta) - lax.lgamma(1 / beta) - jnp.abs(x) ** beta


def pdf(x, beta):
    return jnp.exp(logpdf(x, beta))


def cdf(x, beta):
    x, beta = inexact("gennorm.cdf", x, beta)
    return 0.5 * (1 + jnp.sign(x) * gammainc(1 / beta, jnp.abs(x) ** beta))
