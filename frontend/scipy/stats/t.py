"""Student's t distribution with df degrees of freedom."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ._util import inexact


def logpdf(x, df, loc=0, scale=1):
    x, df, loc, scale = inexact("t.logpdf", x, df, loc, scale)
    y = (x - loc) / scale
    half_df = df / 2
    half_df1 = half_df + 0.5
    normalizer = lax.lgamma(half_df) + jnp.log(scale * scale * np.pi * df) / 2 - lax.lgamma(half_df1)
    return -(normalizer + half_df1 * jnp.log1p(y * y / df))


def pdf(x, df, loc=0, scale=1):
    return jnp.exp(logpdf(x, df, loc, scale))
