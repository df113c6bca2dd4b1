"""The gamma family of lintra.scipy.special: gamma and its sign and logarithm, beta, the regularized
incomplete gamma and beta integrals, factorial, comb, poch, multigammaln, polygamma, Hurwitz zeta and the
Bernoulli numbers, with jax.scipy.special's formulas (real arguments; gamma and loggamma also complex)."""
import operator

import numpy as np

from ... import lax
from ... import numpy as jnp
from ...core import type_of
from ...custom import custom_jvp
from ...numpy._util import promote_args
from ....ir import types as T
from ._complex_gamma import complex_gamma, complex_loggamma


def _real(name, *xs):
    xs = promote_args(name, *xs, kind="inexact")
    if T.is_complex(type_of(xs[0]).dtype):
        raise ValueError(f"{name} does not support complex-valued inputs (got {type_of(xs[0])})")
    return xs if len(xs) > 1 else xs[0]


def gammasgn(x):
    """The sign of Gamma(x): nan at the poles (non-positive integers) and for nan, -1 where Gamma < 0
    (negative x with odd floor, and -0.0), else 1."""
    x = _real("gammasgn", x)
    floor_x = lax.floor(x)
    negative = x < 0
    pole_or_nan = (negative & (x == floor_x)) | jnp.isnan(x)
    minus = (negative & (jnp.fmod(floor_x, 2) != 0)) | ((x == 0) & jnp.signbit(x))
    return jnp.where(pole_or_nan, np.nan, jnp.where(minus, -1.0, 1.0)).astype(type_of(x).dtype)


def gamma(x):
    """Gamma(x); complex x by the Lanczos approximation (nan+nanj at the poles)."""
    x, = promote_args("gamma", x, kind="inexact")
    if T.is_complex(type_of(x).dtype):
        return complex_gamma(x)
    return gammasgn(x) * lax.exp(lax.lgamma(x))


def loggamma(x):
    """log Gamma(x) for real x > 0 (nan elsewhere); for complex x the principal branch, cut along the negative
    real axis as SciPy's."""
    x, = promote_args("loggamma", x, kind="inexact")
    if T.is_complex(type_of(x).dtype):
        return complex_loggamma(x)
    return jnp.where(x > 0, lax.lgamma(x), np.nan)


def _algdiv(a, b):
    """log Gamma(b) - log Gamma(a + b) for b >= 8 and a <= b (SciPy's cdflib algdiv)."""
    c0, c1, c2, c3, c4, c5 = (0.833333333333333e-01, -0.277777777760991e-02, 0.793650666825390e-03,
                              -0.595202931351870e-03, 0.837308034031215e-03, -0.165322962780713e-02)
    h = a / b
    c = x = h / (1 + h)
    d = b + (a - 0.5)
    x2 = x * x
    s3 = 1.0 + (x + x2)
    s5 = 1.0 + (x + x2 * s3)
    s7 = 1.0 + (x + x2 * s5)
    s9 = 1.0 + (x + x2 * s7)
    s11 = 1.0 + (x + x2 * s9)
    t = (1.0 / b) ** 2
    w = ((((c5 * s11 * t + c4 * s9) * t + c3 * s7) * t + c2 * s5) * t + c1 * s3) * t + c0
    w = w * (c / b)
    u = d * lax.log1p(a / b)
    v = a * (lax.log(b) - 1.0)
    return jnp.where(u <= v, (w - v) - u, (w - u) - v)


def betaln(a, b):
    """log |B(a, b)|; for max(a, b) >= 8 through algdiv, accurate where lgamma(a + b) cancels."""
    a, b = _real("betaln", a, b)
    a, b = jnp.minimum(a, b), jnp.maximum(a, b)
    small_b = lax.lgamma(a) + (lax.lgamma(b) - lax.lgamma(a + b))
    large_b = lax.lgamma(a) + _algdiv(a, b)
    return jnp.where(b < 8, small_b, large_b)


def beta(a, b):
    a, b = _real("beta", a, b)
    return gammasgn(a) * gammasgn(b) * gammasgn(a + b) * lax.exp(betaln(a, b))


def betainc(a, b, x):
    """The regularized incomplete beta function I_x(a, b); differentiable in x only (as in JAX)."""
    a, b, x = _real("betainc", a, b, x)
    a, b, x = jnp.broadcast_arrays(a, b, x)
    return lax.betainc(a, b, x)


def gammainc(a, x):
    """The regularized lower incomplete gamma function P(a, x)."""
    a, x = jnp.broadcast_arrays(*_real("gammainc", a, x))
    return lax.igamma(a, x)


def gammaincc(a, x):
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x)."""
    a, x = jnp.broadcast_arrays(*_real("gammaincc", a, x))
    return lax.igammac(a, x)


def factorial(n, exact=False):
    """n! = Gamma(n + 1) in floating point, 0 for n < 0 (exact=True is not supported, as in JAX)."""
    if exact:
        raise NotImplementedError("factorial with exact=True: JAX has no arbitrary-precision integers")
    n = _real("factorial", n)
    return jnp.where(n < 0, 0, lax.exp(lax.lgamma(n + 1)))


def comb(N, k, *, repetition=False):
    """N choose k in floating point (0 where N < 0, k < 0 or k > N); with repetition, N + k - 1 choose k."""
    N, k = _real("comb", N, k)
    if repetition:
        return jnp.where((k == 0) & (N >= 0), 1.0, comb(N + k - 1, k)).astype(type_of(N).dtype)
    ok = (k <= N) & (N >= 0) & (k >= 0)
    safe_n, safe_k = jnp.where(ok, N, 0.0), jnp.where(ok, k, 0.0)
    out = lax.exp(lax.lgamma(safe_n + 1) - lax.lgamma(safe_k + 1) - lax.lgamma(safe_n + 1 - safe_k))
    return jnp.where(ok, out, 0.0)


@custom_jvp
def _poch(z, m):
    return jnp.where(m == 0., jnp.ones_like(z), gamma(z + m) / gamma(z))


_poch.defjvps(lambda g, ans, z, m: g * (lax.digamma(z + m) - lax.digamma(z)) * ans,
              lambda g, ans, z, m: g * lax.digamma(z + m) * ans)


def poch(z, m):
    """The rising factorial Gamma(z + m) / Gamma(z) (1 where m == 0)."""
    z, m = jnp.broadcast_arrays(*_real("poch", z, m))
    return _poch(z, m)


def multigammaln(a, d):
    """The log of the multivariate gamma function of dimension d (a Python int)."""
    try:
        d = operator.index(d)
    except TypeError:
        raise TypeError(f"multigammaln: d must be a concrete Python int, got {d!r} of type "
                        f"{type(d).__name__}") from None
    a = _real("multigammaln", a)
    dt = type_of(a).dtype
    constant = 0.25 * d * (d - 1) * np.log(np.pi)
    b = np.arange(d, dtype=dt) / 2
    return jnp.sum(lax.lgamma(jnp.expand_dims(a, -1) - b), axis=-1) + np.asarray(constant, dt)


def polygamma(n, x):
    """The n-th derivative of digamma; n must have an integer dtype (as in JAX)."""
    if not np.issubdtype(type_of(n).dtype, np.integer):
        raise ValueError(f"Argument `n` to polygamma must be of integer type. Got dtype {type_of(n).dtype}.")
    n, x = jnp.broadcast_arrays(*_real("polygamma", n, x))
    return lax.polygamma(n, x)


# B_2k * (2k)! ... the Euler-Maclaurin tail coefficients (2k)! / B_2k, as JAX's series uses them
_BERNOULLI_COEFS = [12, -720, 30240, -1209600, 47900160, -1307674368000 / 691, 74724249600,
                    -10670622842880000 / 3617, 5109094217170944000 / 43867, -802857662698291200000 / 174611,
                    14101100039391805440000 / 77683, -1693824136731743669452800000 / 236364091,
                    186134520519971831808000000 / 657931, -37893265687455865519472640000000 / 3392780147,
                    759790291646040068357842010112000000 / 1723168255201,
                    -134196726836183700385281186201600000000 / 7709321041217]


def _zeta_dx(x, q):
    """d/dx of the Hurwitz zeta function, from its Euler-Maclaurin sum (N = M = 8 terms in f32, 16 in f64:
    the sum JAX differentiates), term by term: zeta = S + I + T0 (1/2 + sum_j T1_j) with
    S = sum_k<N (q + k)^-x, I = (q + N)^(1-x) / (x - 1), T0 = (q + N)^-x and
    T1_j = prod_i<=2j ((x + i) / (q + N)) / C_j, so that d log T1_j / dx = sum_i<=2j 1 / (x + i)."""
    dt = type_of(q).dtype
    n = 8 if dt == np.float32 else 16
    s_, a_ = jnp.expand_dims(x, -1), jnp.expand_dims(q, -1)
    k = np.arange(n, dtype=dt)
    d_head = -jnp.sum(jnp.log(a_ + k) * (a_ + k) ** -s_, -1)
    log_qn = jnp.log(q + n)
    integral = (q + n) ** (1 - x) / (x - 1)
    d_integral = -integral * (log_qn + 1 / (x - 1))
    t0 = (q + n) ** -x
    m = np.arange(2 * n, dtype=dt)
    t1 = jnp.clip(jnp.cumprod((s_ + m) / (a_ + n), -1), max=np.finfo(dt).max)[..., ::2]
    t1 = t1 / np.array(_BERNOULLI_COEFS[:n], dt)
    d_t1 = t1 * jnp.cumsum(1 / (s_ + m), -1)[..., ::2]
    return d_head + d_integral - log_qn * t0 * (0.5 + t1.sum(-1)) + t0 * d_t1.sum(-1)


@custom_jvp
def _zeta(x, q):
    return lax.zeta(x, q)


# d/dq = -x zeta(x + 1, q) in closed form; d/dx from the Euler-Maclaurin sum (JAX differentiates that sum
# in both arguments)
_zeta.defjvps(lambda g, ans, x, q: g * _zeta_dx(x, q),
              lambda g, ans, x, q: g * -x * lax.zeta(x + 1, q))


def zeta(x, q=None):
    """The Hurwitz zeta function sum_k (k + q)^-x; q=None (Riemann zeta) is not implemented, as in JAX."""
    if q is None:
        raise NotImplementedError("Riemann zeta function not implemented; pass q != None to compute the "
                                  "Hurwitz Zeta function.")
    x, q = jnp.broadcast_arrays(*_real("zeta", x, q))
    return _zeta(x, q)


def bernoulli(n):
    """The first n + 1 Bernoulli numbers B_0..B_n (B_1 = -1/2), for a concrete int n >= 0."""
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"bernoulli: n must be a concrete Python int, got {n!r} of type "
                        f"{type(n).__name__}") from None
    if n < 0:
        raise ValueError(f"bernoulli: n must be a non-negative integer, got {n}")
    b3 = jnp.array([1, -1 / 2, 1 / 6])
    if n < 3:
        return b3[:n + 1]
    bn = jnp.zeros(n + 1).at[:3].set(b3)
    m = jnp.arange(4, n + 1, 2, dtype=bn.dtype)
    q1 = (1. / np.pi ** 2) * jnp.cumprod(-(m - 1) * m / 4 / np.pi ** 2)
    k = jnp.arange(2, 50, dtype=bn.dtype)
    q2 = jnp.sum(k[:, None] ** -m[None, :], axis=0)
    return bn.at[4::2].set(q1 * (1 + q2))
