"""Exponential integrals (expi, exp1, expn), Spence's function, Dawson's integral, the sine and cosine
integrals and the Fresnel integrals, with jax.scipy.special's algorithms: Cephes' rational approximations by
interval, and for expn per-element series and continued fractions (loops vectorized over the elements),
each with JAX's custom derivative where it has one."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ...control import while_loop
from ...core import type_of
from ...custom import custom_jvp
from ...numpy._util import promote_args
from ._coefficients import (DAWSN_AD, DAWSN_AN, DAWSN_BD, DAWSN_BN, DAWSN_CD, DAWSN_CN, EXPI, FRESNEL_F32_CN,
                            FRESNEL_F32_FN, FRESNEL_F32_GN, FRESNEL_F32_SN, FRESNEL_F64_CD, FRESNEL_F64_CN,
                            FRESNEL_F64_FD, FRESNEL_F64_FN, FRESNEL_F64_GD, FRESNEL_F64_GN, FRESNEL_F64_SD,
                            FRESNEL_F64_SN, SICI_CD, SICI_CN, SICI_FD4, SICI_FD8, SICI_FN4, SICI_FN8, SICI_GD4,
                            SICI_GD8, SICI_GN4, SICI_GN8, SICI_SD, SICI_SN, SPENCE_P, SPENCE_Q)
from ._util import elementwise, polyval as _polyval


def _real(name, x):
    x, = promote_args(name, x, kind="inexact")
    if np.issubdtype(type_of(x).dtype, np.complexfloating):
        raise ValueError(f"{name} does not support complex-valued inputs (got {type_of(x)})")
    return x


def _piecewise(x, conds, values):
    """values[i] where conds[i] holds (first match), else values[-1]; each value computed everywhere."""
    out = values[-1]
    for cond, value in reversed(list(zip(conds, values[:-1]))):
        out = jnp.where(cond, value, out)
    return out


def _expi_interval(k, x):
    """Cephes' expi on the k-th interval: (0, 2] for k = 0, then (2^k, 2^(k+1)], then x > 64."""
    p, q = EXPI[k]
    if k == 0:
        return x * (_polyval(p, x) / _polyval(q, x)) + np.euler_gamma + jnp.log(x)
    w = 1 / x
    return jnp.exp(x) * w * (w * (_polyval(p, w) / _polyval(q, w)) + 1)


def _expi_pos(x):
    conds = [(0 < x) & (x <= 2)] + [(2 ** i < x) & (x <= 2 ** (i + 1)) for i in range(1, 6)]
    return _piecewise(x, conds, [_expi_interval(k, x) for k in range(7)])


@custom_jvp
def _expi(x):
    return jnp.where(x < 0, -exp1(-x), _expi_pos(x))


_expi.defjvps(lambda g, ans, x: jnp.exp(x) / x * g)


def expi(x):
    """The exponential integral Ei(x) = integral of e^t / t from -inf to x (principal value)."""
    return _expi(_real("expi", x))


def _expn_series(x, n):
    """E_n(x) for x <= 1: the power series with the digamma term (Cephes expn.c)."""
    dt = type_of(x).dtype
    eps = float(np.finfo(dt).eps)
    psi = -np.euler_gamma - jnp.log(x)
    # psi(n) = -gamma + sum_{i<n} 1/i (n is a float here: a while loop, not fori_loop)
    _, psi = while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, c[1] + 1 / c[0]), (jnp.asarray(1, dt), psi))
    n1 = jnp.where(n == 1, 2.0, n)
    init = dict(x=x, z=-x, xk=jnp.zeros_like(x), yk=jnp.ones_like(x), pk=1 - n,
                ans=jnp.where(n == 1, 0.0, 1 / (1 - n1)), t=jnp.asarray(np.inf, dt))

    def body(d):
        d = dict(d)
        d["xk"] = d["xk"] + 1
        d["yk"] = d["yk"] * d["z"] / d["xk"]
        d["pk"] = d["pk"] + 1
        d["ans"] = d["ans"] + jnp.where(d["pk"] != 0, d["yk"] / d["pk"], 0.0)
        d["t"] = jnp.where(d["ans"] != 0, jnp.abs(d["yk"] / d["ans"]), 1.0)
        return d
    d = while_loop(lambda d: (d["x"] > 0) & (d["t"] > eps), body, init)
    return d["z"] ** (n - 1) * psi / jnp.exp(lax.lgamma(n)) - d["ans"]


def _expn_fraction(x, n):
    """E_n(x) for x > 1: the continued fraction, rescaled when its terms grow past 2^57."""
    dt = type_of(x).dtype
    eps, big = float(np.finfo(dt).eps), 1.44115188075855872e17
    one = jnp.ones_like(x)
    init = dict(k=jnp.asarray(1, dt), pkm2=one, qkm2=x, pkm1=one, qkm1=x + n, ans=1 / (x + n),
                t=jnp.asarray(np.inf, dt), r=jnp.zeros_like(x), x=x)

    def body(d):
        d = dict(d)
        k = d["k"] = d["k"] + 1
        odd = k % 2 == 1
        yk = jnp.where(odd, 1.0, d["x"])
        xk = jnp.where(odd, n + (k - 1) / 2, k / 2)
        pk = d["pkm1"] * yk + d["pkm2"] * xk
        qk = d["qkm1"] * yk + d["qkm2"] * xk
        nonzero = qk != 0
        r = d["r"] = jnp.where(nonzero, pk / qk, d["r"])
        d["t"] = jnp.where(nonzero, jnp.abs((d["ans"] - r) / r), 1.0)
        d["ans"] = jnp.where(nonzero, r, d["ans"])
        d["pkm2"], d["pkm1"], d["qkm2"], d["qkm1"] = d["pkm1"], pk, d["qkm1"], qk
        is_big = jnp.abs(pk) > big
        for key in ("pkm1", "pkm2", "qkm1", "qkm2"):
            d[key] = jnp.where(is_big, d[key] / big, d[key])
        return d
    d = while_loop(lambda d: (d["x"] > d["k"] * 0) & (d["t"] > eps), body, init)
    return d["ans"] * jnp.exp(-x)


def _expn_large_n(x, n):
    """E_n(x) for n >= 5000: the uniform asymptotic expansion."""
    xk = x + n
    yk = 1 / (xk * xk)
    ans = yk * n * (6 * x * x - 8 * n * x + n * n)
    ans = yk * (ans + n * (n - 2 * x))
    ans = yk * (ans + n)
    return (ans + 1) * jnp.exp(-x) / xk


def _expn_scalar(n, x):
    conds = [(n < 0) | (x < 0), (x == 0) & (n < 2), (x == 0) & (n >= 2), (n == 0) & (x >= 0), n >= 5000, x > 1]
    n1 = jnp.where(n == 1, n + n, n)
    # each branch's loop runs on a point where it converges, its result selected only where it applies
    safe_x = jnp.where(x > 0, x, 1.0)
    small_x = jnp.where((x > 0) & (x <= 1), x, 0.5)
    big_x = jnp.where(x > 1, x, 2.0)
    safe_n = jnp.where((n >= 1) & (n < 5000), n, 1.0)
    values = [jnp.nan, jnp.inf, 1 / n1, jnp.exp(-safe_x) / safe_x, _expn_large_n(x, n),
              _expn_fraction(big_x, safe_n), _expn_series(small_x, safe_n)]
    return _piecewise(x, conds, values)


@custom_jvp
def _expn(n, x):
    return elementwise(_expn_scalar)(n, x)


# d/dx E_n(x) = -E_{n-1}(x). JAX makes n a non-differentiable argument; here n may be traced (a per-element
# array), so it is an ordinary argument whose derivative is taken as zero.
_expn.defjvps(None, lambda g, ans, n, x: -g * _expn(n - 1, x))


def expn(n, x):
    """The generalized exponential integral E_n(x) = integral of e^(-x t) / t^n over t from 1 to inf."""
    n, x = promote_args("expn", n, x, kind="inexact")
    if np.issubdtype(type_of(x).dtype, np.complexfloating):
        raise ValueError(f"expn does not support complex-valued inputs (got {type_of(x)})")
    return _expn(n, x)


def exp1(x):
    """E_1(x) = expn(1, x)."""
    x = _real("exp1", x)
    return _expn(jnp.ones_like(x), x)


def _spence_calc(x):
    big = x > 2.0
    x = jnp.where(big, 1.0 / x, x)
    above, below = x > 1.5, x < 0.5
    big = big | above
    w = jnp.where(above, 1.0 / x - 1.0, jnp.where(below, -x, x - 1.0))
    y = -w * _polyval(SPENCE_P, w) / _polyval(SPENCE_Q, w)
    y = jnp.where(below, np.pi ** 2 / 6.0 - jnp.log(x) * jnp.log(1.0 - x) - y, y)
    return jnp.where(big, -0.5 * jnp.log(x) ** 2 - y, y)


def spence(x):
    """Spence's function, the integral of log(t) / (1 - t) from 1 to x, for x >= 0 (NaN below, as JAX)."""
    x = jnp.asarray(x)
    if type_of(x).dtype not in (np.float32, np.float64):
        raise TypeError(f"spence: x.dtype={type_of(x).dtype} is not supported (expected float32 or float64)")
    return _piecewise(x, [x < 0.0, x == 1.0, x == 0.0], [np.nan, 0.0, np.pi ** 2 / 6, _spence_calc(x)])


def _dawsn_impl(x):
    """Cody, Paciorek and Thacher's three regions of |x|, each evaluated at a harmless point outside it."""
    sign, ax = jnp.sign(x), jnp.abs(x)
    r1, r2 = ax < 3.25, (ax >= 3.25) & (ax < 6.25)
    a1 = jnp.where(r1, ax, 1.0)
    v1 = a1 * _polyval(DAWSN_AN, a1 * a1) / _polyval(DAWSN_AD, a1 * a1)
    a2 = jnp.where(r2, ax, 1.0)
    t2 = 1 / (a2 * a2)
    v2 = (0.5 / a2) * (1 + t2 * _polyval(DAWSN_BN, t2) / _polyval(DAWSN_BD, t2))
    a3 = jnp.where(ax >= 6.25, ax, 1.0)
    t3 = 1 / (a3 * a3)
    v3 = (0.5 / a3) * (1 + t3 * _polyval(DAWSN_CN, t3) / _polyval(DAWSN_CD, t3))
    return sign * jnp.where(r1, v1, jnp.where(ax < 6.25, v2, v3))


@custom_jvp
def _dawsn(x):
    dt = type_of(x).dtype
    if dt in (np.float32, np.float64):
        return _dawsn_impl(x)
    return _dawsn_impl(x.astype(np.float32)).astype(dt)


_dawsn.defjvps(lambda g, ans, x: g * (1 - 2 * x * ans))


def dawsn(x):
    """Dawson's integral e^(-x^2) times the integral of e^(t^2) from 0 to x."""
    return _dawsn(_real("dawsn", x))


def _sici_parts(ax):
    """(si, ci) of |x|: Cephes' series up to 4, its asymptotic expansion to 1e9, then the leading terms."""
    t = ax * ax
    safe = jnp.where(ax == 0, 1.0, ax)
    ts = safe * safe
    si_series = jnp.where(ax == 0, 0.0, safe * _polyval(SICI_SN, ts) / _polyval(SICI_SD, ts))
    ci_series = jnp.where(ax == 0, -np.inf,
                          np.euler_gamma + jnp.log(safe) + ts * _polyval(SICI_CN, ts) / _polyval(SICI_CD, ts))
    s, c = jnp.sin(ax), jnp.cos(ax)
    z = 1.0 / t
    f4 = _polyval(SICI_FN4, z) / (ax * _polyval(SICI_FD4, z))
    g4 = z * _polyval(SICI_GN4, z) / _polyval(SICI_GD4, z)
    f8 = _polyval(SICI_FN8, z) / (ax * _polyval(SICI_FD8, z))
    g8 = z * _polyval(SICI_GN8, z) / _polyval(SICI_GD8, z)
    f, g = jnp.where(ax < 8.0, f4, f8), jnp.where(ax < 8.0, g4, g8)
    si_asym, ci_asym = np.pi / 2 - f * c - g * s, f * s - g * c
    inf = jnp.isinf(ax)
    si_far = jnp.where(inf, np.pi / 2, np.pi / 2 - c / ax)
    ci_far = jnp.where(inf, 0.0, s / ax)
    near, mid = ax <= 4, (ax > 4) & (ax <= 1e9)
    return (jnp.where(near, si_series, jnp.where(mid, si_asym, si_far)),
            jnp.where(near, ci_series, jnp.where(mid, ci_asym, ci_far)))


@custom_jvp
def _sici(x):
    si, ci = _sici_parts(jnp.abs(x))
    return jnp.sign(x) * si, jnp.where(jnp.isneginf(x), np.nan, ci)


@_sici.defjvp
def _sici_jvp(primals, tangents):
    """Si'(x) = sin(x) / x, Ci'(x) = cos(x) / x."""
    (x,), (t,) = primals, tangents
    return _sici(x), (jnp.sinc(x / np.pi) * t, jnp.cos(x) / x * t)


def sici(x):
    """(Si(x), Ci(x)): the sine integral and the cosine integral (Ci of x < 0 is that of |x|, NaN at -inf,
    as JAX)."""
    x, = promote_args("sici", x, kind="inexact")
    if np.issubdtype(type_of(x).dtype, np.complexfloating):
        raise ValueError(f"Argument `x` to sici must be real-valued. Got dtype {type_of(x).dtype}.")
    return _sici(x)


def _sincos_pi_x2_half(x):
    """sin(pi x^2 / 2) and cos(pi x^2 / 2), reducing x^2 / 2 mod 2 exactly first: with s = x mod 2,
    (x^2 / 2) mod 2 = (s (x - s / 2)) mod 2 (SciPy's sinpi/cospi)."""
    x = jnp.abs(x)
    s = jnp.fmod(x, 2.0)
    r = jnp.fmod(s * (x - s / 2), 2.0)
    sinpi = jnp.where(r < 0.5, jnp.sin(np.pi * r),
                      jnp.where(r > 1.5, jnp.sin(np.pi * (r - 2.0)), -jnp.sin(np.pi * (r - 1.0))))
    cospi = jnp.where(r == 0.5, 0.0, jnp.where(r < 1.0, -jnp.sin(np.pi * (r - 0.5)), jnp.sin(np.pi * (r - 1.5))))
    return sinpi, cospi


def _fresnel_impl(xx):
    single = type_of(xx).dtype == np.float32
    x = jnp.abs(xx)
    x2 = x * x
    t4 = x2 * x2
    if single:
        s_small = x * x2 * _polyval(FRESNEL_F32_SN, t4)
        c_small = x * _polyval(FRESNEL_F32_CN, t4)
    else:
        s_small = x * x2 * _polyval(FRESNEL_F64_SN, t4) / _polyval(FRESNEL_F64_SD, t4)
        c_small = x * _polyval(FRESNEL_F64_CN, t4) / _polyval(FRESNEL_F64_CD, t4)
    sinpi, cospi = _sincos_pi_x2_half(x)
    if single:
        c_large = s_large = 0.5
    else:
        c_large = 0.5 + 1 / (np.pi * x) * sinpi
        s_large = 0.5 - 1 / (np.pi * x) * cospi
    t = np.pi * x2
    u = 1.0 / (t * t)
    t = 1.0 / t
    if single:
        f = 1.0 - u * _polyval(FRESNEL_F32_FN, u)
        g = t * _polyval(FRESNEL_F32_GN, u)
    else:
        f = 1.0 - u * _polyval(FRESNEL_F64_FN, u) / _polyval(FRESNEL_F64_FD, u)
        g = t * _polyval(FRESNEL_F64_GN, u) / _polyval(FRESNEL_F64_GD, u)
    t = np.pi * x
    c_mid = 0.5 + (f * sinpi - g * cospi) / t
    s_mid = 0.5 - (f * cospi + g * sinpi) / t
    inf, small, large = jnp.isinf(xx), x2 < 2.5625, x > 36974.0
    s = jnp.where(inf, 0.5, jnp.where(small, s_small, jnp.where(large, s_large, s_mid)))
    c = jnp.where(inf, 0.5, jnp.where(small, c_small, jnp.where(large, c_large, c_mid)))
    neg = xx < 0.0
    return jnp.where(neg, -s, s), jnp.where(neg, -c, c)


@custom_jvp
def _fresnel(x):
    dt = type_of(x).dtype
    if dt in (np.float32, np.float64):
        return _fresnel_impl(x)
    s, c = _fresnel_impl(x.astype(np.float32))
    return s.astype(dt), c.astype(dt)


@_fresnel.defjvp
def _fresnel_jvp(primals, tangents):
    """S'(x) = sin(pi x^2 / 2), C'(x) = cos(pi x^2 / 2)."""
    (x,), (t,) = primals, tangents
    sinpi, cospi = _sincos_pi_x2_half(x)
    return _fresnel(x), (sinpi * t, cospi * t)


def fresnel(x):
    """(S(x), C(x)): the Fresnel integrals of sin(pi t^2 / 2) and cos(pi t^2 / 2) from 0 to x (real x)."""
    x, = promote_args("fresnel", x, kind="inexact")
    if np.issubdtype(type_of(x).dtype, np.complexfloating):
        raise NotImplementedError("fresnel: complex-valued inputs are not implemented (as in JAX)")
    return _fresnel(x)
