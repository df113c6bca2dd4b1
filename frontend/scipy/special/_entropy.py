"""Entropy-like functions of lintra.scipy.special (entr, rel_entr, kl_div) and the Box-Cox transforms,
with jax.scipy.special's conventions at 0 and for negative arguments."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ...core import type_of
from ...custom import custom_jvp
from ...numpy._util import promote_args
from ....ir import types as T
from ._basic import xlogy


def _real(name, *xs):
    xs = promote_args(name, *xs, kind="inexact")
    if T.is_complex(type_of(xs[0]).dtype):
        raise ValueError(f"{name} does not support complex-valued inputs (got {type_of(xs[0])})")
    return xs


@custom_jvp
def _xlogx(x):
    return xlogy(x, x)


_xlogx.defjvps(lambda g, ans, x: g * (lax.log(x) + 1))


def entr(x):
    """-x log x for x > 0, 0 at 0, -inf for x < 0."""
    x, = _real("entr", x)
    return jnp.where(x < 0, -np.inf, -_xlogx(x))


def rel_entr(p, q):
    """p log(p / q) for p, q > 0; 0 where p == 0 and q >= 0; inf elsewhere."""
    p, q = _real("rel_entr", p, q)
    both_positive = (p > 0) & (q > 0)
    p_zero = (p == 0) & (q >= 0)
    safe_p, safe_q = jnp.where(both_positive, p, 1), jnp.where(both_positive, q, 1)
    value = _xlogx(safe_p) - xlogy(safe_p, safe_q)
    return jnp.where(both_positive, value, jnp.where(p_zero, 0.0, np.inf))


def kl_div(p, q):
    """rel_entr(p, q) - p + q."""
    p, q = _real("kl_div", p, q)
    return rel_entr(p, q) - p + q


def _boxcox(name, log):
    def f(x, lmbda):
        x, lmbda = promote_args(name, x, lmbda, kind="inexact")
        zero = lmbda == 0
        safe = jnp.where(zero, jnp.ones_like(lmbda), lmbda)
        log_x = log(x)
        return jnp.where(zero, log_x, jnp.expm1(safe * log_x) / safe)
    f.__name__ = f.__qualname__ = name
    return f


boxcox = _boxcox("boxcox", jnp.log)
boxcox.__doc__ = "The Box-Cox transform (x^lmbda - 1) / lmbda, log(x) where lmbda == 0."
boxcox1p = _boxcox("boxcox1p", jnp.log1p)
boxcox1p.__doc__ = "The Box-Cox transform of 1 + x: ((1 + x)^lmbda - 1) / lmbda, log1p(x) where lmbda == 0."
