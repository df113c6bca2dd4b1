"""The regularized incomplete beta function I_x(a, b) (jax.lax.betainc), as XLA's client library computes
it: the continued fraction of DLMF 8.17.22, evaluated with the modified Lentz algorithm, on x or (by the
symmetry I_x(a, b) = 1 - I_(1-x)(b, a)) on 1 - x, whichever converges quickly."""
import numpy as np


def _lentz(o, a, b, x, iterations, small):
    """The continued fraction with partial numerators d_n (DLMF 8.17.23) and partial denominators 1."""
    def numerator(o, it, a, b, x):
        n = o.broadcast(it, x)
        m_int = (n - 1) / 2          # integer division; n >= 1 here
        m = o.convert(m_int, x.type.dtype)
        zero_numerator = -(a + b) * x / (a + 1.)     # m == 0, even n: accurate for tiny a
        even = o.select(m_int.eq(0), zero_numerator,
                        -(a + m) * (a + b + m) * x / ((a + 2. * m) * (a + 2. * m + 1.)))
        odd = m * (b - m) * x / ((a + 2. * m - 1.) * (a + 2. * m))
        return o.select(n.eq(1), 1., o.select((n % 2).eq(0), even, odd))

    def cond(o, _, v):
        return (v[0] < iterations) & v[1]

    def body(o, consts, v):
        it, _, c_prev, d_prev, h = v
        num = numerator(o, it, *consts)
        c = 1. + num / c_prev
        c = o.select(abs(c) < small, small, c)
        d = 1. + num * d_prev
        d = o.reciprocal(o.select(abs(d) < small, small, d))
        delta = c * d
        return [it + 1, o.any(abs(delta - 1.) >= small), c, d, h * delta]

    h = o.full(small, x)         # the 0th partial denominator is 0, below `small`
    it, unconverged = o.scalar(1, np.int32), o.scalar(True, np.bool_)
    return o.while_loop(cond, body, [it, unconverged, h, o.full(0., x), h], consts=[a, b, x])[4]


def betainc(o, a, b, x):
    finfo = np.finfo(x.type.dtype)
    a_zero = a.eq(0.) | b.eq(np.inf)
    b_zero = b.eq(0.) | a.eq(np.inf)
    x_zero, x_one = x.eq(0.), x.eq(1.)
    nan = o.isnan(a) | o.isnan(b) | o.isnan(x)
    result_zero = (b_zero & ~x_one) | (a_zero & x_zero)
    result_one = (a_zero & ~x_zero) | (b_zero & x_one)
    result_nan = (a < 0.) | (b < 0.) | (x < 0.) | (x > 1.) | (a_zero & b_zero) | nan

    fast = x < (a + 1.) / (a + b + 2.)
    a, b, x = o.select(fast, a, b), o.select(fast, b, a), o.select(fast, x, 1. - x)
    cf = _lentz(o, a, b, x, 200 if x.type.dtype == np.float32 else 600, float(finfo.eps / 2))
    # for very small a, a * Gamma(a) = Gamma(a + 1) -> 1 avoids dividing by a
    lbeta_small_a = o.lgamma(b) - o.lgamma(a + b)
    lbeta = o.lgamma(a) + lbeta_small_a
    factor = o.select(a < float(finfo.tiny * 2), o.exp(o.log1p(-x) * b - lbeta_small_a),
                      o.exp(o.log(x) * a + o.log1p(-x) * b - lbeta) / a)
    result = cf * factor
    result = o.select(fast, result, 1. - result)
    result = o.select(result_zero, 0., result)
    result = o.select(result_one, 1., result)
    return o.select(result_nan, np.nan, result)
