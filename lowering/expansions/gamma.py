"""The regularized incomplete gamma functions igamma = P(a, x) and igammac = Q(a, x) = 1 - P, the
derivative of P in a (igamma_grad_a) and the implicit derivative of a Gamma(a, 1) sample (random_gamma_grad),
as XLA's client library (math.cc) computes them and jax.lax lowers them: a power series where x < a or
x < 1, else a continued fraction, each a loop that runs until every element has converged."""
import enum

import numpy as np


class Mode(enum.Enum):
    VALUE = 1
    DERIVATIVE = 2          # d/da P(a, x)
    SAMPLE_DERIVATIVE = 3   # dx/da along P(a, x) = const, the reparameterization gradient of Gamma samples


def _series(o, ax, x, a, enabled, mode):
    """P(a, x) = ax / a * sum_n x^n / ((a+1)...(a+n)), and its a-derivative carried alongside."""
    eps = float(np.finfo(x.type.dtype).eps)

    def body(o, _, v):
        on, r, c, ans, x, dc_da, dans_da = v
        r = r + 1.
        dc_da = dc_da * (x / r) - (c * x) / (r * r)
        dans_da = dans_da + dc_da
        c = c * (x / r)
        ans = ans + c
        more = on & ((c / ans > eps) if mode is Mode.VALUE else (abs(dc_da / dans_da) > eps))
        return [more] + [o.select(on, new, old) for new, old in zip([r, c, ans, x, dc_da, dans_da], v[1:])]

    one, zero = o.full(1., a), o.full(0., a)
    _, _, _, ans, _, _, dans_da = o.while_loop(lambda o, _, v: o.any(v[0]), body,
                                               [enabled, a, one, one, x, zero, zero])
    if mode is Mode.VALUE:
        return ans * ax / a
    dlogax_da = o.log(x) - o.digamma(a + 1.)
    if mode is Mode.DERIVATIVE:
        return ax * (ans * dlogax_da + dans_da) / a
    return -(dans_da + ans * dlogax_da) * x / a


def _continued_fraction(o, ax, x, a, enabled, mode):
    """Q(a, x) = ax * (the continued fraction of Numerical Recipes' gcf), with its a-derivative; at most
    2000 steps, partial numerators and denominators rescaled by eps when they grow past 1/eps."""
    dt = x.type.dtype
    eps = float(np.finfo(dt).eps)

    def cond(o, _, v):
        return (v[5] < 2000.) & o.any(v[0])

    def body(o, _, v):
        on, ans, t, y, z, c, pkm1, qkm1, pkm2, qkm2, dpkm2_da, dqkm2_da, dpkm1_da, dqkm1_da, dans_da = v
        c, y, z = c + 1., y + 1., z + 2.
        cb = o.broadcast(c, y)     # the step count is one scalar for all elements
        yc = y * cb
        pk = pkm1 * z - pkm2 * yc
        qk = qkm1 * z - qkm2 * yc
        qk_nonzero = qk.ne(0.)
        r = pk / qk
        t = o.select(qk_nonzero, abs((ans - r) / r), 1.)
        ans = o.select(qk_nonzero, r, ans)
        dpk_da = dpkm1_da * z - pkm1 - dpkm2_da * yc + pkm2 * cb
        dqk_da = dqkm1_da * z - qkm1 - dqkm2_da * yc + qkm2 * cb
        dans_da_new = o.select(qk_nonzero, (dpk_da - ans * dqk_da) / qk, dans_da)
        grad_change = o.select(qk_nonzero, abs(dans_da_new - dans_da), 1.)
        rescale = abs(pk) > 1. / eps
        scaled = [o.select(rescale, w * eps, w) for w in (pkm1, pk, qkm1, qk, dpkm1_da, dpk_da, dqkm1_da, dqk_da)]
        pkm2, pkm1, qkm2, qkm1, dpkm2_da, dpkm1_da, dqkm2_da, dqkm1_da = scaled
        more = on & ((t > eps) if mode is Mode.VALUE else (grad_change > eps))
        new = [ans, t, y, z, None, pkm1, qkm1, pkm2, qkm2, dpkm2_da, dqkm2_da, dpkm1_da, dqkm1_da, dans_da_new]
        return [more] + [c if n is None else o.select(on, n, old) for n, old in zip(new, v[1:])]

    y = 1. - a
    z = x + y + 1.
    c = o.scalar(0., dt)
    pkm2, qkm2, pkm1 = o.full(1., x), x, x + 1.
    qkm1 = z * x
    ans = pkm1 / qkm1
    zero = o.full(0., x)
    dqkm1_da = -x
    dans_da = (zero - ans * dqkm1_da) / qkm1
    out = o.while_loop(cond, body, [enabled, ans, o.full(1., x), y, z, c, pkm1, qkm1, pkm2, qkm2,
                                    zero, zero, zero, dqkm1_da, dans_da])
    ans, dans_da = out[1], out[14]
    if mode is Mode.VALUE:
        return ans * ax
    dlogax_da = o.log(x) - o.digamma(a)
    if mode is Mode.DERIVATIVE:
        return ax * (ans * dlogax_da + dans_da)
    return -(dans_da + ans * dlogax_da) * x


def _log_ax(o, a, x):
    """log(x^a e^-x / Gamma(a)) and whether it underflows exp."""
    log_ax = a * o.log(x) - x - o.lgamma(a)
    return o.exp(log_ax), log_ax < -float(np.log(np.finfo(x.type.dtype).max))


def igamma(o, a, x):
    nan = o.isnan(a) | o.isnan(x)
    x_inf, a_zero, x_zero = x.eq(np.inf), a.eq(0.), x.eq(0.)
    domain_error = (x < 0.) | (a < 0.) | (a_zero & x_zero) | nan
    use_igammac = (x >= 1.) & (x > a)
    ax, underflow = _log_ax(o, a, x)
    enabled = ~(x_zero | domain_error | underflow | x_inf)
    out = o.select(use_igammac, 1. - _continued_fraction(o, ax, x, a, enabled & use_igammac, Mode.VALUE),
                   _series(o, ax, x, a, enabled & ~use_igammac, Mode.VALUE))
    out = o.select(x_zero, 0., out)
    out = o.select(x_inf, 1., out)
    return o.select(domain_error, np.nan, out)


def igammac(o, a, x):
    nan = o.isnan(a) | o.isnan(x)
    x_inf, a_zero, x_zero = x.eq(np.inf), a.eq(0.), x.eq(0.)
    domain_error = (x < 0.) | (a < 0.) | (a_zero & x_zero) | nan
    use_igamma = (x < 1.) | (x < a)
    ax, underflow = _log_ax(o, a, x)
    enabled = ~(domain_error | underflow | x_inf | a_zero)
    out = o.select(use_igamma, 1. - _series(o, ax, x, a, enabled & use_igamma, Mode.VALUE),
                   _continued_fraction(o, ax, x, a, enabled & ~use_igamma, Mode.VALUE))
    out = o.select(x_inf | a_zero, 0., out)
    return o.select(domain_error, np.nan, out)


def _derivative(mode):
    def expansion(o, a, x):
        nan = o.isnan(a) | o.isnan(x)
        x_zero = x.eq(0.)
        domain_error = (x < 0.) | (a <= 0.)
        use_igammac = (x > 1.) & (x > a)
        ax, underflow = _log_ax(o, a, x)
        enabled = ~(x_zero | domain_error | underflow | nan)
        out = o.select(use_igammac, -_continued_fraction(o, ax, x, a, enabled & use_igammac, mode),
                       _series(o, ax, x, a, enabled & ~use_igammac, mode))
        out = o.select(x_zero, 0., out)
        return o.select(domain_error | nan, np.nan, out)
    return expansion


igamma_grad_a = _derivative(Mode.DERIVATIVE)
random_gamma_grad = _derivative(Mode.SAMPLE_DERIVATIVE)
