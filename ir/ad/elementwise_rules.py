"""JVP rules of the elementary and special functions of one argument: ty = tx * f'(x), with f'(x) built from
x and y = f(x); where JAX's rule divides (log, log1p, atan, atanh), so does this one (one rounding, not two)."""
import numpy as np

from .jvp import JVP_RULES, jvp_rule
from .jvp_rules import Emit, primal


def elementwise(derivative):
    """JVP of y = f(x) for a unary f; derivative(o, x, y) emits f'(x)."""
    def rule(b, op, ps, ts):
        outs = primal(b, op, ps)
        return outs, [b.emit1("mul", [ts[0], derivative(Emit(b), ps[0], outs[0])])]
    return rule


def _trigamma(o, x):
    """polygamma(1, x), which has no primitive: for x < 1/2 the reflection
    psi1(x) = pi^2 / sin^2(pi x) - psi1(1 - x); for z >= 1/2 the recurrence psi1(z) = 1/z^2 + psi1(z + 1)
    six times, then the asymptotic series 1/w + 1/(2w^2) + sum_k B_2k / w^(2k+1) at w = z + 6 >= 6.5
    (next term below 1e-11)."""
    reflect = o.lt(x, o.c(x, 0.5))
    z = o.select(reflect, o.sub(o.c(x, 1), x), x)
    acc = None
    for k in range(6):
        zk = o.add(z, o.c(z, k)) if k else z
        term = o.reciprocal(o.mul(zk, zk))
        acc = term if acc is None else o.add(acc, term)
    iw = o.reciprocal(o.add(z, o.c(z, 6)))
    iw2 = o.mul(iw, iw)
    poly = o.c(z, 5 / 66)
    for coef in (-1 / 30, 1 / 42, -1 / 30):
        poly = o.add(o.c(z, coef), o.mul(iw2, poly))
    poly = o.add(o.c(z, 1 / 6), o.mul(iw2, poly))
    series = o.add(iw, o.mul(iw2, o.add(o.c(z, 0.5), o.mul(iw, poly))))
    psi1 = o.add(acc, series)
    # the reflection term, evaluated at a harmless point where it is not selected (so its derivative is too)
    xr = o.select(reflect, x, o.c(x, 0.5))
    s = o.sin(o.mul(o.c(x, np.pi), xr))
    reflected = o.sub(o.div(o.c(x, np.pi ** 2), o.mul(s, s)), psi1)
    return o.select(reflect, reflected, psi1)


_SQRT_PI = np.sqrt(np.pi)

JVP_RULES.update({
    "sin": elementwise(lambda o, x, y: o.cos(x)),
    "cos": elementwise(lambda o, x, y: o.neg(o.sin(x))),
    "tan": elementwise(lambda o, x, y: o.add(o.c(y, 1), o.mul(y, y))),
    "asin": elementwise(lambda o, x, y: o.rsqrt(o.sub(o.c(x, 1), o.mul(x, x)))),
    "acos": elementwise(lambda o, x, y: o.neg(o.rsqrt(o.sub(o.c(x, 1), o.mul(x, x))))),
    "sinh": elementwise(lambda o, x, y: o.cosh(x)),
    "cosh": elementwise(lambda o, x, y: o.sinh(x)),
    "tanh": elementwise(lambda o, x, y: o.sub(o.c(y, 1), o.mul(y, y))),
    "asinh": elementwise(lambda o, x, y: o.rsqrt(o.add(o.mul(x, x), o.c(x, 1)))),
    "acosh": elementwise(lambda o, x, y: o.rsqrt(o.sub(o.mul(x, x), o.c(x, 1)))),     # x^2 - 1, as JAX
    "exp": elementwise(lambda o, x, y: y),
    "exp2": elementwise(lambda o, x, y: o.mul(y, o.c(y, np.log(2)))),
    "expm1": elementwise(lambda o, x, y: o.add(y, o.c(y, 1))),
    "logistic": elementwise(lambda o, x, y: o.mul(y, o.sub(o.c(y, 1), y))),
    "sqrt": elementwise(lambda o, x, y: o.div(o.c(y, 0.5), y)),
    "rsqrt": elementwise(lambda o, x, y: o.mul(o.c(y, -0.5), o.div(y, x))),
    "cbrt": elementwise(lambda o, x, y: o.mul(o.c(y, 1 / 3), o.integer_pow(y, y=-2))),
    "square": elementwise(lambda o, x, y: o.mul(o.c(x, 2), x)),
    "reciprocal": elementwise(lambda o, x, y: o.neg(o.mul(y, y))),
    "erf": elementwise(lambda o, x, y: o.mul(o.c(x, 2 / _SQRT_PI), o.exp(o.neg(o.mul(x, x))))),
    "erfc": elementwise(lambda o, x, y: o.mul(o.c(x, -2 / _SQRT_PI), o.exp(o.neg(o.mul(x, x))))),
    "erf_inv": elementwise(lambda o, x, y: o.mul(o.c(y, _SQRT_PI / 2), o.exp(o.mul(y, y)))),
    "lgamma": elementwise(lambda o, x, y: o.digamma(x)),
    "digamma": elementwise(lambda o, x, y: _trigamma(o, x)),
})


def _divided(denominator):
    """A JVP t / denominator(x), as JAX writes log's, log1p's, atan's: one rounding where t * (1 / d) has two."""
    def rule(b, op, ps, ts):
        return primal(b, op, ps), [b.emit1("div", [ts[0], denominator(Emit(b), ps[0])])]
    return rule


jvp_rule("log")(_divided(lambda o, x: x))
jvp_rule("log1p")(_divided(lambda o, x: o.add(x, o.c(x, 1))))
jvp_rule("atan")(_divided(lambda o, x: o.add(o.c(x, 1), o.mul(x, x))))


@jvp_rule("atanh")
def _atanh(b, op, ps, ts):     # as JAX: 1 / (1 + x) * (t / (1 - x))
    (x,), (t,), o = ps, ts, Emit(b)
    return primal(b, op, ps), [o.mul(o.reciprocal(o.add(o.c(x, 1), x)), o.div(t, o.sub(o.c(x, 1), x)))]
