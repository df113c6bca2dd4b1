"""JVP rules of the elementary and special functions of one argument: ty = tx * f'(x), with f'(x) built from
x and y = f(x); where JAX's rule divides (log, log1p, atan, atanh), so does this one (one rounding, not two).
Also reduce_precision, which JAX treats as linear."""
import numpy as np

from .jvp import JVP_RULES, jvp_rule
from .jvp_rules import Emit, linear_in, primal
from .transpose import transpose_rule
from .transpose_rules import LINEAR


def elementwise(derivative=None, tangent=None):
    """JVP of y = f(x) for a unary f: t * derivative(o, x, y), or tangent(o, t, x, y) where JAX writes the
    tangent as a whole (emitted in JAX's order, so that 16-bit results round exactly as JAX's do)."""
    def rule(b, op, ps, ts):
        outs, o = primal(b, op, ps), Emit(b)
        if tangent is not None:
            return outs, [tangent(o, ts[0], ps[0], outs[0])]
        return outs, [b.emit1("mul", [ts[0], derivative(o, ps[0], outs[0])])]
    return rule


_SQRT_PI = np.sqrt(np.pi)

JVP_RULES.update({
    "sin": elementwise(lambda o, x, y: o.cos(x)),
    "cos": elementwise(lambda o, x, y: o.neg(o.sin(x))),
    "tan": elementwise(lambda o, x, y: o.add(o.c(y, 1), o.mul(y, y))),
    "asin": elementwise(lambda o, x, y: o.rsqrt(o.sub(o.c(x, 1), o.mul(x, x)))),
    "acos": elementwise(lambda o, x, y: o.neg(o.rsqrt(o.sub(o.c(x, 1), o.mul(x, x))))),
    "sinh": elementwise(lambda o, x, y: o.cosh(x)),
    "cosh": elementwise(lambda o, x, y: o.sinh(x)),
    # (t + t y)(1 - y) = t (1 - y^2), written as JAX writes it (its default accuracy)
    "tanh": elementwise(tangent=lambda o, t, x, y: o.mul(o.add(t, o.mul(t, y)), o.sub(o.c(x, 1), y))),
    "asinh": elementwise(lambda o, x, y: o.rsqrt(o.add(o.mul(x, x), o.c(x, 1)))),
    "acosh": elementwise(lambda o, x, y: o.rsqrt(o.sub(o.mul(x, x), o.c(x, 1)))),     # x^2 - 1, as JAX
    "exp": elementwise(lambda o, x, y: y),
    "exp2": elementwise(tangent=lambda o, t, x, y: o.mul(o.log(o.c(x, 2)), o.mul(t, y))),
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
    "digamma": elementwise(lambda o, x, y: o.polygamma(o.c(x, 1), x)),   # trigamma, as JAX
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


# reduce_precision is linear, as JAX declares it (ad.deflinear): its JVP rounds the tangent, and its transpose
# rounds the cotangent, to the same format. (Rounding is not linear, but JAX differentiates it so.)
JVP_RULES["reduce_precision"] = linear_in()
LINEAR.add("reduce_precision")


@transpose_rule("reduce_precision")
def _reduce_precision(b, op, cts, operands):
    return [b.emit1("reduce_precision", cts, op.attrs)]
