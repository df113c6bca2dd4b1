"""The normal-distribution functions of lintra.scipy.special beyond ndtr: its inverse ndtri (Cephes'
rational approximations), log_ndtr (with the asymptotic series in the far left tail, so it stays finite and
differentiable where ndtr underflows), the scaled complementary error function erfcx, the Faddeeva
function wofz and Owen's T."""
import functools

import numpy as np

from ... import lax
from ... import numpy as jnp
from ...core import type_of
from ...custom import custom_jvp
from ...numpy._util import promote_args
from ._basic import ndtr
from ._util import polyval as _polyval


# Cephes ndtri: P0/Q0 for |p - 1/2| <= 1/2 - exp(-2), P1/Q1 for z = sqrt(-2 log p) in [2, 8), P2/Q2 beyond
_P0 = [-5.99633501014107895267E1, 9.80010754185999661536E1, -5.66762857469070293439E1,
       1.39312609387279679503E1, -1.23916583867381258016E0]
_Q0 = [1.0, 1.95448858338141759834E0, 4.67627912898881538453E0, 8.63602421390890590575E1,
       -2.25462687854119370527E2, 2.00260212380060660359E2, -8.20372256168333339912E1,
       1.59056225126211695515E1, -1.18331621121330003142E0]
_P1 = [4.05544892305962419923E0, 3.15251094599893866154E1, 5.71628192246421288162E1,
       4.40805073893200834700E1, 1.46849561928858024014E1, 2.18663306850790267539E0,
       -1.40256079171354495875E-1, -3.50424626827848203418E-2, -8.57456785154685413611E-4]
_Q1 = [1.0, 1.57799883256466749731E1, 4.53907635128879210584E1, 4.13172038254672030440E1,
       1.50425385692907503408E1, 2.50464946208309415979E0, -1.42182922854787788574E-1,
       -3.80806407691578277194E-2, -9.33259480895457427372E-4]
_P2 = [3.23774891776946035970E0, 6.91522889068984211695E0, 3.93881025292474443415E0,
       1.33303460815807542389E0, 2.01485389549179081538E-1, 1.23716634817820021358E-2,
       3.01581553508235416007E-4, 2.65806974686737550832E-6, 6.23974539184983293730E-9]
_Q2 = [1.0, 6.02427039364742014255E0, 3.67983563856160859403E0, 1.37702099489081330271E0,
       2.16236993594496635890E-1, 1.34204006088543189037E-2, 3.28014464682127739104E-4,
       2.89247864745380683936E-6, 6.79019408009981274425E-9]


def ndtri(p):
    """The inverse of ndtr: x with ndtr(x) = p; -inf at 0, inf at 1 (f32 and f64, as in JAX)."""
    p = jnp.asarray(p)
    dt = type_of(p).dtype
    if dt not in (np.float32, np.float64):
        raise TypeError(f"ndtri: x.dtype={dt} is not supported (expected float32 or float64)")
    c = lambda v: np.asarray(v, dt)   # noqa: E731
    mcp = jnp.where(p > c(-np.expm1(-2.)), c(1.) - p, p)
    mcp = jnp.where(mcp == 0, c(0.5), mcp)
    w = mcp - c(0.5)
    ww = w * w
    x_big = (w + w * ww * (_polyval(_P0, ww) / _polyval(_Q0, ww))) * c(-np.sqrt(2. * np.pi))
    z = lax.sqrt(c(-2.) * lax.log(mcp))
    first = z - lax.log(z) / z
    x_small = first - _polyval(_P2, 1 / z) / _polyval(_Q2, 1 / z) / z
    x_mid = first - _polyval(_P1, 1 / z) / _polyval(_Q1, 1 / z) / z
    x = jnp.where(mcp > c(np.exp(-2.)), x_big, jnp.where(z >= c(8.0), x_small, x_mid))
    x = jnp.where(p > c(1. - np.exp(-2.)), x, -x)
    return jnp.where(p == 0, c(-np.inf), jnp.where(p == 1, c(np.inf), x))


_LOG_NDTR_SEGMENTS = {np.dtype(np.float64): (-20., 8.), np.dtype(np.float32): (-10., 5.)}


def _double_factorial(n):
    return np.prod(np.arange(n, 1, -2)) if n > 1 else 1


def _log_ndtr_lower(x, series_order):
    """log ndtr(x) for x << 0: -x^2/2 - log(-x) - log(2 pi)/2 + log(1 + sum_n (-1)^n (2n-1)!! / x^2n)."""
    dt = type_of(x).dtype
    x2 = x * x
    log_scale = -0.5 * x2 - lax.log(-x) - np.asarray(0.5 * np.log(2. * np.pi), dt)
    series = jnp.ones_like(x)
    x2n = x2
    for n in range(1, series_order + 1):
        term = np.asarray(_double_factorial(2 * n - 1), dt) / x2n
        series = series - term if n % 2 else series + term
        x2n = x2n * x2
    return log_scale + lax.log(series)


@functools.partial(custom_jvp, nondiff_argnums=(1,))
def _log_ndtr(x, series_order):
    lower, upper = _LOG_NDTR_SEGMENTS[type_of(x).dtype]
    above = x > upper
    ndtr_value = ndtr(jnp.where(above, -x, jnp.maximum(x, lower)))
    return jnp.where(above, -ndtr_value,      # log(1 - e) ~ -e for tiny e
                     jnp.where(x > lower, lax.log(ndtr_value), _log_ndtr_lower(jnp.minimum(x, lower), series_order)))


@_log_ndtr.defjvp
def _log_ndtr_jvp(series_order, primals, tangents):
    """d/dx log ndtr(x) = pdf(x) / ndtr(x), as exp(log pdf(x) - log ndtr(x)) so that it stays finite."""
    (x,), (t,) = primals, tangents
    ans = _log_ndtr(x, series_order)
    log_pdf = -0.5 * x * x - np.asarray(0.5 * np.log(2 * np.pi), type_of(x).dtype)
    return ans, t * lax.exp(log_pdf - ans)


def log_ndtr(x, series_order=3):
    """log of the standard normal CDF, accurate in both tails (f32 and f64, as in JAX)."""
    if not isinstance(series_order, int) or isinstance(series_order, bool):
        raise TypeError(f"log_ndtr: series_order must be a Python integer, got {series_order!r}")
    if not 0 <= series_order <= 30:
        raise ValueError(f"log_ndtr: series_order must be in [0, 30], got {series_order}")
    x = jnp.asarray(x)
    if type_of(x).dtype not in _LOG_NDTR_SEGMENTS:
        raise TypeError(f"log_ndtr: x.dtype={type_of(x).dtype} is not supported (expected float32 or float64)")
    return _log_ndtr(x, series_order)


_ERFCX_ASYMPTOTIC = [7918.06640625, -1055.7421875, 162.421875, -29.53125, 6.5625, -1.875, .75, -.5, 1.]


def _erfcx_impl(x):
    """exp(x^2) erfc(x), and past sqrt(log(max float)), where exp(x^2) overflows, the asymptotic series
    P(1/x^2) / (sqrt(pi) x) with 9 terms in f64, 5 in f32."""
    dt = type_of(x).dtype
    nterms = 9 if dt == np.float64 else 5
    large = x > np.asarray(np.sqrt(np.log(np.finfo(dt).max)), dt)
    safe_x = jnp.where(large, jnp.ones_like(x), x)
    direct = lax.exp(safe_x * safe_x) * lax.erfc(safe_x)
    asymptotic = _polyval(_ERFCX_ASYMPTOTIC[-nterms:], 1 / (x * x)) / (x * np.asarray(np.sqrt(np.pi), dt))
    return jnp.where(large, asymptotic, direct)


@custom_jvp
def _erfcx(x):
    dt = type_of(x).dtype
    if dt in (np.float32, np.float64):
        return _erfcx_impl(x)
    return _erfcx_impl(x.astype(np.float32)).astype(dt)


_erfcx.defjvps(lambda g, ans, x: g * (2 * x * ans - np.asarray(2. / np.sqrt(np.pi), type_of(x).dtype)))


def erfcx(x):
    """The scaled complementary error function exp(x^2) erfc(x) (complex x through wofz)."""
    x, = promote_args("erfcx", x, kind="inexact")
    if np.issubdtype(type_of(x).dtype, np.complexfloating):
        return _wofz(1j * x)     # erfcx(x) = w(ix)
    return _erfcx(x)


# Owen's T by 13-point Gauss-type quadrature of T(h, a) = 1/(2 pi) int_0^a exp(-h^2 (1 + u^2) / 2) / (1 + u^2) du
# after u^2 = a^2 t (Patefield and Tandy 2000, method T5; 1/(2 pi) and the Jacobian are in the weights)
_OWENS_T_POINTS = np.array([0.0035082039676451715, 0.031279042338030754, 0.085266826283219451, 0.16245071730812277,
                            0.25851196049125435, 0.36807553840697534, 0.48501092905604697, 0.60277514152618577,
                            0.71477884217753227, 0.81475510988760099, 0.89711029755948966, 0.95723808085944262,
                            0.99178832974629704])
_OWENS_T_WEIGHTS = np.array([0.018831438115323503, 0.018567086243977649, 0.018042093461223386, 0.017263829606398753,
                             0.016243219975989857, 0.014994592034116705, 0.013535474469662088, 0.011886351605820165,
                             0.010070377242777432, 0.0081130545742299587, 0.0060419009528470239,
                             0.0038862217010742058, 0.0016793031084546090])


def _owens_t_quadrature(h, a):
    dt = type_of(a).dtype
    r = (a * a)[..., None] * _OWENS_T_POINTS.astype(dt)
    integrand = jnp.exp(-0.5 * (h * h)[..., None] * (1. + r)) / (1. + r)
    return a * jnp.sum(integrand * _OWENS_T_WEIGHTS.astype(dt), axis=-1)


@custom_jvp
def _owens_t(h, a):
    h, abs_a = jnp.abs(h), jnp.abs(a)
    root2 = np.sqrt(2)
    small = abs_a <= 1.
    ma = jnp.where(small, abs_a, 1 / abs_a)     # T(h, a) for |a| > 1 from T(a h, 1 / a)
    mh = jnp.where(small, h, abs_a * h)
    result = _owens_t_quadrature(mh, ma)
    result = jnp.where(mh == 0., jnp.arctan(ma) / (2 * np.pi), result)
    result = jnp.where(ma == 1., 0.125 * lax.erfc(-mh / root2) * lax.erfc(mh / root2), result)
    norm_h, norm_ah = lax.erfc(h / root2), lax.erfc(abs_a * h / root2)
    result = jnp.where(abs_a > 1., jnp.where(abs_a * h <= 0.67,
                                            0.25 - 0.25 * lax.erf(h / root2) * lax.erf(abs_a * h / root2) - result,
                                            0.25 * (norm_h + norm_ah - norm_h * norm_ah) - result), result)
    result = jnp.sign(a) * result
    return jnp.where(jnp.isnan(a) | jnp.isnan(h), np.nan, result)


@_owens_t.defjvp
def _owens_t_jvp(primals, tangents):
    """dT/dh = -exp(-h^2/2) erf(a h / sqrt 2) / (2 sqrt(2 pi)); dT/da = exp(-(a^2 + 1) h^2 / 2) / (2 pi (a^2 + 1))."""
    (h, a), (dh, da) = primals, tangents
    d_h = -jnp.exp(-0.5 * h * h) * lax.erf(a * h / np.sqrt(2)) / (2. * np.sqrt(2. * np.pi))
    d_a = jnp.exp(-0.5 * (a * a + 1.) * h * h) / (2. * np.pi * (a * a + 1.))
    return _owens_t(h, a), d_h * dh + d_a * da


def owens_t(h, a):
    """Owen's T function: the probability of X > h, 0 < Y < a X for independent standard normals."""
    h, a = promote_args("owens_t", h, a, kind="inexact")
    return _owens_t(h, a)


# Weideman's (1994) N = 32 rational approximation of the Faddeeva function for Im(z) >= 0:
# w(z) = 2 P(Z) / (L - iz)^2 + 1 / (sqrt(pi) (L - iz)), Z = (L + iz) / (L - iz), P's coefficients highest first
_WOFZ_L = 4.7568284600108841
_WOFZ_C = [
    -1.3034426067909105e-12, 3.7411838373738471e-12, 8.030427700497756e-12, -2.1543593557490879e-11,
    -5.5442449963237932e-11, 1.165824698850374e-10, 4.1537441121999766e-10, -5.2310202114920615e-10,
    -3.2080151339721323e-09, 8.1248864216535907e-10, 2.3797556530014025e-08, 2.2930438438915445e-08,
    -1.4813078929137642e-07, -4.1840763750512053e-07, 4.2558331397138446e-07, 4.4015317312832251e-06,
    6.8210319443575151e-06, -2.1409619201999998e-05, -0.00013075449254579421, -0.00024532980270038237,
    0.00039259136070109705, 0.0045195411053493093, 0.019006155784845501, 0.057304403529837282,
    0.14060716226893755, 0.29544451071508743, 0.54601397206393376, 0.9019254893648001,
    1.3455441692345449, 1.8256696296324815, 2.2635372999002676, 2.5722534081245696,
]


def _wofz_upper(z):
    iz = 1j * z
    denom = _WOFZ_L - iz
    big_z = (_WOFZ_L + iz) / denom
    return 2 * _polyval(_WOFZ_C, big_z) / (denom * denom) + (1 / np.sqrt(np.pi)) / denom


@custom_jvp
def _wofz(z):
    """w(z) for Im(z) >= 0, and w(z) = 2 e^(-z^2) - w(-z) below."""
    upper = jnp.imag(z) >= 0
    w = _wofz_upper(jnp.where(upper, z, -z))
    return jnp.where(upper, w, 2 * jnp.exp(-z * z) - w)


_wofz.defjvps(lambda g, ans, z: g * (-2 * z * ans + 2j / np.sqrt(np.pi)))


def wofz(z):
    """The Faddeeva function w(z) = e^(-z^2) erfc(-iz) (complex result)."""
    z, = promote_args("wofz", z, kind="inexact")
    dt = type_of(z).dtype
    if not np.issubdtype(dt, np.complexfloating):
        z = z.astype(np.result_type(dt, np.complex64))
    return _wofz(z)
