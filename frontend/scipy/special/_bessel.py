"""Modified Bessel functions of the first kind of orders 0 and 1, plain and exponentially scaled
(i0e(x) = e^-|x| i0(x)): the scaled ones are jax.lax primitives, the plain ones e^|x| times them; and
Bessel functions of the first kind J_0 .. J_v (bessel_jn), by backward recurrence as JAX."""
import functools
import operator

import numpy as np

from ... import lax
from ... import numpy as jnp
from ...batching import vmap
from ...control import scan
from ...core import type_of
from ...numpy._util import promote_args


def i0e(x):
    x, = promote_args("i0e", x, kind="inexact")
    return lax.bessel_i0e(x)


def i1e(x):
    x, = promote_args("i1e", x, kind="inexact")
    return lax.bessel_i1e(x)


def i0(x):
    x, = promote_args("i0", x, kind="inexact")
    return lax.exp(lax.abs(x)) * lax.bessel_i0e(x)


def i1(x):
    x, = promote_args("i1", x, kind="inexact")
    return lax.exp(lax.abs(x)) * lax.bessel_i1e(x)


def _bessel_jn_scalar(z, v, n_iter):
    """J_0(z) .. J_v(z) by Miller's backward recurrence from order n_iter, normalized by
    J_0 + 2 (J_2 + J_4 + ...) = 1."""
    def step(carry, k):
        f0, f1, bs = carry
        f = 2.0 * (k + 1.0) * f1 / z - f0
        bs = jnp.where(jnp.fmod(k, 2) == 0, bs + 2.0 * f, bs)
        return (f1, f, bs), f
    zero = jnp.zeros_like(z)
    (_, _, bs), values = scan(step, (zero, zero + 1e-16, zero), lax.iota(type_of(z).dtype, n_iter + 1),
                              reverse=True)
    return values[:v + 1] / (bs - values[0])


def bessel_jn(z, *, v, n_iter=50):
    """Bessel functions of the first kind J_0(z), ..., J_v(z), stacked along a new leading axis."""
    z, = promote_args("bessel_jn", z, kind="inexact")
    if np.issubdtype(type_of(z).dtype, np.complexfloating):
        raise ValueError("bessel_jn: complex input not supported.")
    try:
        v, n_iter = operator.index(v), operator.index(n_iter)
    except TypeError:
        raise TypeError(f"bessel_jn: v and n_iter must be concrete Python ints, got v={v!r}, n_iter={n_iter!r}") \
            from None
    shape = type_of(z).shape
    fun = functools.partial(_bessel_jn_scalar, v=v, n_iter=n_iter)
    out = vmap(fun)(jnp.ravel(z)) if shape else fun(z)[None]
    return jnp.reshape(jnp.moveaxis(out, -1, 0), (v + 1,) + shape)
