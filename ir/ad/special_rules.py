"""JVP rules of the special functions of two or three arguments (igamma, polygamma, zeta, betainc, ...) and
of the scaled Bessel functions, as jax.lax defines them. Where JAX defines no derivative in an argument
(polygamma in m, betainc in a and b, igamma_grad_a, random_gamma_grad, zeta in x) a tangent there raises
JAX's message instead of giving a silent zero."""
import numpy as np

from .jvp import JVP_RULES, jvp_rule
from .elementwise_rules import elementwise
from .jvp_rules import Emit, NotDifferentiableError, primal
from .util import add_tangents


def _undefined(message, op, ts, positions):
    if any(ts[i] is not None for i in positions):
        raise NotDifferentiableError(f"{message} ({op.prim} of {op.operands[0].type} values)")


def _igamma_dx(o, a, x):
    """d/dx igamma(a, x) = x^(a-1) e^-x / Gamma(a), computed in log space."""
    return o.exp(o.sub(o.add(o.neg(x), o.mul(o.sub(a, o.c(a, 1)), o.log(x))), o.lgamma(a)))


def _igamma_family(sign):
    """igamma (sign 1) and igammac = 1 - igamma (sign -1): d/da is igamma_grad_a, d/dx the density."""
    def rule(b, op, ps, ts):
        (a, x), (ta, tx) = ps, ts
        outs, o = primal(b, op, ps), Emit(b)
        t = None
        if ta is not None:
            da = o.igamma_grad_a(a, x)
            t = o.mul(ta, da if sign > 0 else o.neg(da))
        if tx is not None:
            dx = _igamma_dx(o, a, x)
            t = add_tangents(b, t, o.mul(tx, dx if sign > 0 else o.neg(dx)))
        return outs, [t]
    return rule


JVP_RULES["igamma"] = _igamma_family(1)
JVP_RULES["igammac"] = _igamma_family(-1)


@jvp_rule("igamma_grad_a", "random_gamma_grad")
def _no_derivative(b, op, ps, ts):
    _undefined(f"Differentiation rule for '{op.prim}' not implemented (as in JAX)", op, ts, (0, 1))
    return primal(b, op, ps), [None]


@jvp_rule("polygamma")
def _polygamma(b, op, ps, ts):
    """d/dx polygamma(m, x) = polygamma(m + 1, x); JAX defines no derivative in m."""
    (m, x), (tm, tx) = ps, ts
    _undefined("polygamma gradient with respect to m is not supported", op, ts, (0,))
    outs, o = primal(b, op, ps), Emit(b)
    if tx is None:
        return outs, [None]
    return outs, [o.mul(tx, o.polygamma(o.add(m, o.c(m, 1)), x))]


@jvp_rule("zeta")
def _zeta(b, op, ps, ts):
    """Hurwitz zeta(x, q) = sum_k (k + q)^-x: d/dq = -x zeta(x + 1, q). JAX defines no derivative at all;
    the one in q is a closed form, the one in x (a sum of logs) is left undefined as in JAX."""
    (x, q), (tx, tq) = ps, ts
    _undefined("Differentiation rule for 'zeta' with respect to x not implemented (as in JAX)", op, ts, (0,))
    outs, o = primal(b, op, ps), Emit(b)
    if tq is None:
        return outs, [None]
    return outs, [o.mul(tq, o.neg(o.mul(x, o.zeta(o.add(x, o.c(x, 1)), q))))]


@jvp_rule("regularized_incomplete_beta")
def _betainc(b, op, ps, ts):
    """d/dx I_x(a, b) = x^(a-1) (1-x)^(b-1) / B(a, b); JAX defines none in a and b."""
    (a, bb, x), (_, _, tx) = ps, ts
    _undefined("Betainc gradient with respect to a and b not supported", op, ts, (0, 1))
    outs, o = primal(b, op, ps), Emit(b)
    if tx is None:
        return outs, [None]
    lbeta = o.sub(o.add(o.lgamma(a), o.lgamma(bb)), o.lgamma(o.add(a, bb)))
    log_density = o.sub(o.add(o.mul(o.sub(bb, o.c(bb, 1)), o.log1p(o.neg(x))),
                              o.mul(o.sub(a, o.c(a, 1)), o.log(x))), lbeta)
    return outs, [o.mul(tx, o.exp(log_density))]


def _i1e_derivative(o, x, y):
    """i1e'(x) = i0e(x) - y (sign(x) + 1/x), and 1/2 at |x| <= eps where 1/x would overflow."""
    eps = float(np.finfo(x.type.dtype).eps)
    not_tiny = o.gt(o.abs(x), o.c(x, eps))
    safe_x = o.select(not_tiny, x, o.c(x, eps))
    d = o.sub(o.bessel_i0e(safe_x), o.mul(y, o.add(o.sign(safe_x), o.reciprocal(safe_x))))
    return o.select(not_tiny, d, o.c(x, 0.5))


JVP_RULES.update({
    # i0e(x) = e^-|x| I0(x): I0' = I1, so i0e' = i1e(x) - sign(x) i0e(x)
    "bessel_i0e": elementwise(lambda o, x, y: o.sub(o.bessel_i1e(x), o.mul(o.sign(x), y))),
    "bessel_i1e": elementwise(_i1e_derivative),
})
