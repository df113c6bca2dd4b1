"""Modified Bessel functions of the first kind of orders 0 and 1, plain and exponentially scaled
(i0e(x) = e^-|x| i0(x)): the scaled ones are jax.lax primitives, the plain ones e^|x| times them."""
from ... import lax
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
