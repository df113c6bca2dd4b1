"""The von Mises distribution on the circle with concentration kappa."""
import numpy as np

from ... import numpy as jnp
from ..special import i0e
from ._util import inexact


def logpdf(x, kappa):
    x, kappa = inexact("vonmises.logpdf", x, kappa)
    # log(2 pi I0(kappa)) = log(2 pi i0e(kappa)) + kappa, folded into the cosine term
    return jnp.where(kappa > 0, kappa * (jnp.cos(x) - 1) - jnp.log(2 * np.pi * i0e(kappa)), np.nan)


def pdf(x, kappa):
    return jnp.exp(logpdf(x, kappa))
