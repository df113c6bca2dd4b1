"""The Poisson distribution with mean mu (k need not be integer-typed; non-integers have mass 0), and its
entropy."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ...core import type_of
from ..special import entr, gammaincc, xlogy
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


def _entropy_by_sum(mu, max_k, upper):
    """-sum_k p_k log p_k over k < min(max_k, upper(mu))."""
    k = jnp.arange(max_k, dtype=type_of(mu).dtype)[:, None]
    probs = pmf(k, mu, 0)
    return jnp.sum(entr(jnp.where(k < jnp.ceil(upper)[None, :], probs, 0.0)), axis=0)


def entropy(mu, loc=0):
    """The entropy of Poisson(mu): summed over the mass for mu < 100 (35 terms below 10, 250 below 100), the
    asymptotic 1/2 log(2 pi e mu) - 1 / (12 mu) beyond, 0 at mu = 0 (as JAX)."""
    mu, loc = inexact("poisson.entropy", mu, loc)
    shape = type_of(mu).shape
    flat = jnp.ravel(mu)
    small = _entropy_by_sum(flat, 35, flat + 20)
    medium = _entropy_by_sum(flat, 250, flat + 10 * jnp.sqrt(flat) + 20)
    safe = jnp.where(flat > 0, flat, 1.0)
    large = 0.5 * jnp.log(2 * np.pi * np.e * safe) - 1.0 / (12 * safe)
    out = jnp.where(flat == 0, 0.0, jnp.where(flat < 10, small, jnp.where(flat < 100, medium, large)))
    return jnp.reshape(out, shape)
