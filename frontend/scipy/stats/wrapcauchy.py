"""The wrapped Cauchy distribution on [0, 2 pi] with shape c in (0, 1)."""
import numpy as np

from ... import numpy as jnp
from ._util import inexact


def logpdf(x, c):
    x, c = inexact("wrapcauchy.logpdf", x, c)
    inside = jnp.log(1 - c * c) - np.log(2 * np.pi) - jnp.log(1 + c * c - 2 * c * jnp.cos(x))
    return jnp.where((c > 0) & (c < 1), jnp.where((x >= 0) & (x <= 2 * np.pi), inside, -np.inf), np.nan)


def pdf(x, c):
    return jnp.exp(logpdf(x, c))
