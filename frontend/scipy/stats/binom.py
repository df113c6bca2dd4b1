"""The binomial distribution of n trials with success probability p."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ..special import xlog1py, xlogy
from ._util import inexact


def logpmf(k, n, p, loc=0):
    k, n, p, loc = inexact("binom.logpmf", k, n, p, loc)
    y = k - loc
    comb_term = lax.lgamma(n + 1) - (lax.lgamma(y + 1) + lax.lgamma(n - y + 1))
    log_linear = xlogy(y, p) + xlog1py(n - y, -p)
    log_probs = jnp.where(((y == 0) & (n == 0)) | (log_linear == 0), 0., comb_term + log_linear)
    return jnp.where((k >= loc) & (k < loc + n + 1), log_probs, -np.inf)


def pmf(k, n, p, loc=0):
    return jnp.exp(logpmf(k, n, p, loc))
