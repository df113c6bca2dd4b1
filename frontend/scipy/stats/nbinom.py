"""The negative binomial distribution (failures before the n-th success)."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ..special import xlogy
from ._util import inexact


def logpmf(k, n, p, loc=0):
    k, n, p, loc = inexact("nbinom.logpmf", k, n, p, loc)
    y = k - loc
    comb_term = lax.lgamma(y + n) - lax.lgamma(n) - lax.lgamma(y + 1)
    return jnp.where(k < loc, -np.inf, comb_term + xlogy(n, p) + xlogy(y, 1 - p))


def pmf(k, n, p, loc=0):
    return jnp.exp(logpmf(k, n, p, loc))
