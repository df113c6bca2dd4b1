"""The confluent hypergeometric function 1F1(a; b; x) (hyp1f1), as jax.scipy.special computes it
(Pearson, Olver and Porter, arXiv:1407.7786): its power series for |x| < 100, the asymptotic series
beyond, special values at a == 0, a == b and b == 0; derivatives in a and b by differentiated series."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ...control import cond, while_loop
from ...core import type_of
from ...custom import custom_jvp
from ...numpy._util import promote_args
from ._gamma import gamma
from ._util import elementwise


def _series(update, term0, sum0):
    """sum0 + sum_k contributions, term_(k+1) = term_k * ratio(k), until the term is below eps of the sum
    (at most 250 terms); update(sum, k, term) -> (sum, term)."""
    eps = float(np.finfo(type_of(term0).dtype).eps)

    def body(state):
        total, k, term = state
        total, term = update(total, k, term)
        return total, k + 1, term

    def keep_going(state):
        total, k, term = state
        return (k < 250) & (jnp.abs(term) / jnp.abs(total) > eps)
    one = jnp.ones_like(term0)
    return while_loop(keep_going, body, (sum0 + 0 * one, one, term0))[0]


def _power_series(a, b, x):
    return _series(lambda s, k, t: (s + t, t * (a + k) / (b + k) * x / (k + 1)), a / b * x, 1.0)


def _asymptotic(a, b, x):
    s = _series(lambda s, k, t: (s + t, t * (b - a + k) * (1 - a + k) / (k + 1) / x), (b - a) * (1 - a) / x, 1.0)
    return gamma(b) / gamma(a) * jnp.exp(x) * x ** (a - b) * s


def _hyp1f1_scalar(a, b, x):
    result = cond(jnp.abs(x) < 100, lambda args: _power_series(*args), lambda args: _asymptotic(*args), (a, b, x))
    index = ((a == 0) * 1 + ((a == b) & (a != 0)) * 2 + ((b == 0) & (a != 0)) * 3).astype(np.int32)
    return lax.select_n(index, result, jnp.ones_like(x), jnp.exp(x), jnp.full_like(x, np.inf))


def _d_da(a, b, x):
    return _series(lambda s, k, t: (s + t * (lax.digamma(a + k) - lax.digamma(a)),
                                    t * (a + k) / (b + k) * x / (k + 1)), a / b * x, 0.0)


def _d_db(a, b, x):
    return _series(lambda s, k, t: (s + t * (lax.digamma(b) - lax.digamma(b + k)),
                                    t * (a + k) / (b + k) * x / (k + 1)), a / b * x, 0.0)


@custom_jvp
def _hyp1f1(a, b, x):
    return elementwise(_hyp1f1_scalar)(a, b, x)


_hyp1f1.defjvps(lambda g, ans, a, b, x: elementwise(_d_da)(a, b, x) * g,
                lambda g, ans, a, b, x: elementwise(_d_db)(a, b, x) * g,
                lambda g, ans, a, b, x: a / b * _hyp1f1(a + 1, b + 1, x) * g)


def hyp1f1(a, b, x):
    """1F1(a; b; x) = sum_k (a)_k / (b)_k x^k / k! for real arguments."""
    a, b, x = promote_args("hyp1f1", a, b, x, kind="inexact")
    if np.issubdtype(type_of(x).dtype, np.complexfloating):
        raise ValueError(f"hyp1f1 does not support complex-valued inputs (got {type_of(x)})")
    return _hyp1f1(a, b, x)
