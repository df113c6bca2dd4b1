"""The geometric distribution (trials up to the first success, k >= 1)."""
import numpy as np

from ... import numpy as jnp
from ..special import xlog1py
from ._util import inexact


def logpmf(k, p, loc=0):
    k, p, loc = inexact("geom.logpmf", k, p, loc)
    x = k - loc
    return jnp.where(x <= 0, -np.inf, xlog1py(x - 1, -p) + jnp.log(p))


def pmf(k, p, loc=0):
    return jnp.exp(logpmf(k, p, loc))
