"""The Poisson distribution with mean mu (k need not be integer-typed; non-integers have mass 0)."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ..special import gammaincc, xlogy
from ._util import inexact


def logpmf(k, mu, loc=0):
    k, mu, loc = inexact("poisson.logpmf", k, mu, loc)
    x = k - loc
    log_probs = xlogy(x, mu) - lax.lgamma(x + 1) - mu
    return jnp.where((x < 0) | (jnp.round(k) != k), -np.inf, log_probs)


def pmf(k, mu, loc=0):
    return jnp.exp(logpmf(k, mu, loc))


def cdf(k, mu, loc=0):
    k, mu, loc = inexact("poisson.cdf", k, mu, loc)
    x = k - loc
    return jnp.where(x < 0, 0, gammaincc(jnp.floor(1 + x), mu))
