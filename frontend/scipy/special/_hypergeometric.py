"""The confluent hypergeometric function 1F1(a; b; x) (hyp1f1), as jax.scipy.special computes it
(Pearson, Olver and Porter, arXiv:1407.7786): its power series for |x| < 100, the asymptotic series
beyond, special values at a == 0, a == b and b == 0; and the Gauss function 2F1(a, b; c; x) (hyp2f1) by
Cephes' case analysis (power series, terminating series, the digamma transformation near x = 1, closed
forms). Derivatives in the parameters by differentiated series, as JAX."""
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


# ---- 2F1 ------------------------------------------------------------------------------------------------

def _f(x, v):
    return jnp.asarray(v, type_of(x).dtype)


def _hyp2f1_terminal(a, b, c, x):
    """The terminating series when a (or b, swapped in) is a non-positive integer: |a| + 1 terms."""
    eps = float(np.finfo(type_of(x).dtype).eps) * 50
    ib = jnp.round(b)
    swap = (b < a) & (jnp.abs(b - ib) < eps) & ~((c % 1 == 0) & (c <= 0) & (c > b))
    a, b = jnp.where(swap, b, a), jnp.where(swap, a, b)
    a = jnp.abs(a)

    def body(state):
        i, total, term = state
        term = term * -(a - i + 1) / (c + i - 1) * (b + i - 1) / i * x
        return i + 1, total + term, term
    return while_loop(lambda s: s[0] < a + 1, body, (_f(x, 1), _f(x, 1), _f(x, 1)))[1]


def _hyp2f1_series(a, b, c, x):
    eps = float(np.finfo(type_of(x).dtype).eps)

    def body(state):
        total, k, term = state
        return total + term, k + 1, term * (a + k - 1) * (b + k - 1) / (c + k - 1) / k * x
    return while_loop(lambda s: (s[1] < 250) & (jnp.abs(s[2]) > eps * jnp.abs(s[0])), body,
                      (_f(x, 0), _f(x, 1), _f(x, 1)))[0]


def _hyp2f1_digamma_transform(a, b, c, x):
    """x near 1 with c - a - b (nearly) an integer: the digamma series of Abramowitz and Stegun 15.3.10-12
    (Cephes hys2f1), in s = 1 - x."""
    eps = float(np.finfo(type_of(x).dtype).eps)
    d = c - a - b
    s = 1 - x
    rd = jnp.round(d)
    e = jnp.where(rd >= 0, d, -d)
    d1 = jnp.where(rd >= 0, d, 0.0)
    d2 = jnp.where(rd >= 0, 0.0, d)
    ard = jnp.where(rd >= 0, rd, -rd).astype(np.int32)
    ax = jnp.log(s)
    y = (lax.digamma(_f(x, 1.0)) + lax.digamma(1.0 + e) - lax.digamma(a + d1) - lax.digamma(b + d1) - ax)
    y = y / gamma(e + 1.0)
    p = (a + d1) * (b + d1) * s / gamma(e + 2.0)

    def body(state):
        p, q, t, y = state
        r = (lax.digamma(1.0 + t) + lax.digamma(1.0 + t + e) - lax.digamma(a + t + d1) - lax.digamma(b + t + d1)
             - ax)
        q = p * r
        y = y + q
        p = p * s * (a + t + d1) / (t + 1.0)
        p = p * (b + t + d1) / (t + 1.0 + e)
        return p, q, t + 1.0, y
    _, _, _, y = while_loop(lambda st: (st[2] < 250) & (jnp.abs(st[1]) >= eps * jnp.abs(st[3])), body,
                            (p, y, _f(x, 1), y))

    def finite_sum(state):
        i, p, t, y1 = state
        r = 1.0 - e + t
        p = p * s * (a + t + d2) * (b + t + d2) / r
        t = t + 1.0
        return i + 1, p / t, t, y1 + p / t
    _, _, _, y1 = while_loop(lambda st: st[0] < ard, finite_sum,
                             (jnp.asarray(1, np.int32), _f(x, 1), _f(x, 0), _f(x, 1)))
    gc = gamma(c)
    y1 = y1 * gamma(e) * gc / (gamma(a + d1) * gamma(b + d1))
    y_sum = y * gc / (gamma(a + d2) * gamma(b + d2))
    y_sum = jnp.where((ard & 1) != 0, -y_sum, y_sum)
    q = s ** rd
    summed = jnp.where(rd > 0, y_sum * q + y1, y_sum + y1 * q)
    return jnp.where(rd == 0, y * gc / (gamma(a) * gamma(b)), summed)


def _hyp2f1_terminal_or_series(a, b, c, x):
    eps = float(np.finfo(type_of(x).dtype).eps) * 50
    d = c - a - b
    neg_int = ((a <= 0) & (jnp.abs(a - jnp.round(a)) < eps)) | ((b <= 0) & (jnp.abs(b - jnp.round(b)) < eps))
    index = jnp.where((x > 0.9) & ~neg_int, jnp.where(jnp.abs(d - jnp.round(d)) >= eps, 0, 1),
                      jnp.where(neg_int, 2, 0)).astype(np.int32)
    return lax.select_n(index, _hyp2f1_series(a, b, c, x), _hyp2f1_digamma_transform(a, b, c, x),
                        _hyp2f1_terminal(a, b, c, x))


def _hyp2f1_scalar(a, b, c, x):
    eps = float(np.finfo(type_of(x).dtype).eps) * 50
    d = c - a - b
    s = 1 - x
    ca, cb = c - a, c - b
    near_int_d = jnp.abs(d - jnp.round(d)) >= eps
    index = jnp.where((x == 0) | (((a == 0) | (b == 0)) & (c != 0)), 0,
            jnp.where((c == 0) | ((c < 0) & (c % 1 == 0)), 1,                              # noqa: E128
            jnp.where((d <= -1) & ~(near_int_d & (s < 0)), 2,                                 # noqa: E128
            jnp.where((d <= 0) & (x == 1), 1,                                                 # noqa: E128
            jnp.where((x < 1) & (b == c), 3,                                                  # noqa: E128
            jnp.where((x < 1) & (a == c), 4,                                                  # noqa: E128
            jnp.where(x > 1, 1, jnp.where(x == 1, 5, 6)))))))).astype(np.int32)               # noqa: E128
    return lax.select_n(index, jnp.ones_like(x), jnp.full_like(x, np.inf),
                        s ** d * _hyp2f1_terminal_or_series(ca, cb, c, x), s ** (-a), s ** (-b),
                        gamma(c) * gamma(d) / (gamma(ca) * gamma(cb)), _hyp2f1_terminal_or_series(a, b, c, x))


def _hyp2f1_param_derivative(which):
    """d/da, d/db or d/dc of the power series: sum_k term_k (digamma(p + k) - digamma(p)) (negated for c)."""
    def scalar(a, b, c, x):
        p = {"a": a, "b": b, "c": c}[which]
        sign = -1.0 if which == "c" else 1.0
        return _series(lambda s, k, t: (s + sign * t * (lax.digamma(p + k) - lax.digamma(p)),
                                        t * (a + k) * (b + k) / (c + k) / (k + 1) * x), a * b / c * x, 0.0)
    return elementwise(scalar)


@custom_jvp
def _hyp2f1(a, b, c, x):
    return elementwise(_hyp2f1_scalar)(a, b, c, x)


_hyp2f1.defjvps(lambda g, ans, a, b, c, x: _hyp2f1_param_derivative("a")(a, b, c, x) * g,
                lambda g, ans, a, b, c, x: _hyp2f1_param_derivative("b")(a, b, c, x) * g,
                lambda g, ans, a, b, c, x: _hyp2f1_param_derivative("c")(a, b, c, x) * g,
                lambda g, ans, a, b, c, x: a * b / c * _hyp2f1(a + 1, b + 1, c + 1, x) * g)


def hyp2f1(a, b, c, x):
    """The Gauss hypergeometric function 2F1(a, b; c; x) for real arguments and x <= 1 (inf beyond, as JAX)."""
    a, b, c, x = promote_args("hyp2f1", a, b, c, x, kind="inexact")
    if np.issubdtype(type_of(x).dtype, np.complexfloating):
        raise ValueError(f"hyp2f1 does not support complex-valued inputs (got {type_of(x)})")
    return _hyp2f1(a, b, c, x)
