"""More elementwise functions, in JAX's numerically careful forms: logaddexp logaddexp2 hypot sinc
deg2rad rad2deg fmod heaviside copysign signbit nan_to_num trunc fix rint cbrt fabs isposinf isneginf."""
import numpy as np

from ...ir import types as T
from .. import dtypes as _dtypes
from ..core import bind1, type_of
from ..api import jit
from ..custom import custom_jvp
from ._util import asvalue, broadcast_to, check_arraylike, convert, describe, promote_args
from .dtype_api import finfo
from .ufuncs import arctan2, ceil, exp2, floor, imag, isinf, isnan, power, real
from ._util import full_like_type as _c, select as _where


def _dtype(x):
    return type_of(x).dtype


def _real_float(name, *xs):
    for x in xs:
        if not T.is_float(_dtype(x)):
            raise TypeError(f"{name}: expected real floating-point arguments, got "
                            f"{', '.join(describe(v) for v in xs)}")


# ---- log-sum-exp of pairs ----------------------------------------------------------------------------

def _no_posinf(x):
    """x with +inf replaced by 0: exp(x - out) is then 1 where x = out = +inf, not NaN."""
    return _where(bind1("eq", x, _c(x, np.inf)), _c(x, 0), x)


def _logaddexp_base(exp, log1p_scale):
    def f(x1, x2):
        amax = bind1("max", x1, x2)
        delta = bind1("sub", x1, x2)
        # NaN delta: a NaN input, or infinities of one sign (whose sum is the answer)
        tail = bind1("log1p", exp(bind1("neg", bind1("abs", delta))))
        if log1p_scale is not None:
            tail = bind1("mul", tail, _c(tail, log1p_scale))
        return _where(bind1("ne", delta, delta), bind1("add", x1, x2), bind1("add", amax, tail))
    return f


def _exp2(x):
    return bind1("exp2", x)


def _exp(x):
    return bind1("exp", x)


_lae = custom_jvp(_logaddexp_base(_exp, None))
_lae2 = custom_jvp(_logaddexp_base(_exp2, 1 / np.log(2)))


def _lae_jvp(f, exp):
    def rule(primals, tangents):
        x1, x2 = primals
        t1, t2 = tangents
        out = f(x1, x2)
        w1 = exp(bind1("sub", _no_posinf(x1), _no_posinf(out)))
        w2 = exp(bind1("sub", _no_posinf(x2), _no_posinf(out)))
        return out, bind1("add", bind1("mul", t1, w1), bind1("mul", t2, w2))
    return rule


_lae.defjvp(_lae_jvp(_lae, _exp))
_lae2.defjvp(_lae_jvp(_lae2, _exp2))


def logaddexp(x1, x2, /):
    """log(exp(x1) + exp(x2)) without overflow; its derivative is exp(x_i - out)."""
    x1, x2 = promote_args("logaddexp", x1, x2, kind="inexact")
    _real_float("logaddexp", x1, x2)
    return _lae(x1, x2)


def logaddexp2(x1, x2, /):
    """log2(2**x1 + 2**x2) without overflow."""
    x1, x2 = promote_args("logaddexp2", x1, x2, kind="inexact")
    _real_float("logaddexp2", x1, x2)
    return _lae2(x1, x2)


# ---- geometry and angles -----------------------------------------------------------------------------

def hypot(x1, x2, /):
    """sqrt(x1**2 + x2**2) without overflow or underflow: the larger magnitude times sqrt(1 + r**2)."""
    x1, x2 = promote_args("hypot", x1, x2, kind="inexact")
    _real_float("hypot", x1, x2)
    a1, a2 = bind1("abs", x1), bind1("abs", x2)
    inf = bind1("or", isinf(a1), isinf(a2))
    big, small = bind1("max", a1, a2), bind1("min", a1, a2)
    zero = bind1("eq", big, _c(big, 0))
    ratio = bind1("div", small, _where(zero, _c(big, 1), big))
    out = bind1("mul", big, bind1("sqrt", bind1("add", _c(ratio, 1), bind1("mul", ratio, ratio))))
    return _where(inf, _c(out, np.inf), _where(zero, big, out))


def deg2rad(x, /):
    x, = promote_args("deg2rad", x, kind="inexact")
    return bind1("mul", x, _c(x, np.pi / 180))


def rad2deg(x, /):
    x, = promote_args("rad2deg", x, kind="inexact")
    return bind1("mul", x, _c(x, 180 / np.pi))


radians, degrees = deg2rad, rad2deg


def _sinc_maclaurin_fun(k, x):
    """The k-th derivative of sin(x)/x at 0, shaped like x (as JAX: so that sinc has derivatives of every
    order at 0)."""
    value = 0.0 if k % 2 else (-1) ** (k // 2) / (k + 1)
    return bind1("add", bind1("mul", x, _c(x, 0)), _c(x, value))


_sinc_maclaurin = custom_jvp(_sinc_maclaurin_fun, nondiff_argnums=(0,))


@_sinc_maclaurin.defjvp
def _sinc_maclaurin_jvp(k, primals, tangents):
    (x,), (t,) = primals, tangents
    return _sinc_maclaurin(k, x), bind1("mul", _sinc_maclaurin(k + 1, x), t)


def sinc(x, /):
    """sin(pi x) / (pi x), with the limit 1 at 0 (and the right derivatives there)."""
    x, = promote_args("sinc", x, kind="inexact")
    zero = bind1("eq", x, _c(x, 0))
    pi_x = bind1("mul", x, _c(x, np.pi))
    safe = _where(zero, _c(x, 1), pi_x)
    return _where(zero, _sinc_maclaurin(0, pi_x), bind1("div", bind1("sin", safe), safe))


# ---- remainders, signs, steps ------------------------------------------------------------------------

def fmod(x1, x2, /):
    """The C remainder: x1 - trunc(x1 / x2) * x2, with the sign of x1 (0 for integer division by 0)."""
    x1, x2 = promote_args("fmod", x1, x2, kind="numeric")
    if T.is_complex(_dtype(x1)):
        raise TypeError(f"fmod: not defined for complex arguments, got {describe(x1)}")
    if T.is_int(_dtype(x2)):
        x2 = _where(bind1("eq", x2, _c(x2, 0)), _c(x2, 1), x2)
    return bind1("rem", x1, x2)


def heaviside(x1, x2, /):
    """0 where x1 < 0, 1 where x1 > 0, x2 where x1 == 0 (NaN where x1 is NaN)."""
    x1, x2 = promote_args("heaviside", x1, x2, kind="inexact")
    _real_float("heaviside", x1, x2)
    out = _where(bind1("lt", x1, _c(x1, 0)), _c(x1, 0), _where(bind1("gt", x1, _c(x1, 0)), _c(x1, 1), x2))
    return _where(isnan(x1), x1, out)


def signbit(x, /):
    """Whether the sign bit is set (True for -0.0 and negative NaNs too)."""
    x, = promote_args("signbit", x)
    d = _dtype(x)
    if T.is_bool(d) or (T.is_int(d) and not T.is_signed(d)):
        return broadcast_to(convert(False, np.bool_), type_of(x).shape)
    if T.is_int(d):
        return bind1("lt", x, convert(0, d))      # a strong zero: a strong result, as JAX's
    if T.is_complex(d):
        raise TypeError(f"signbit: not defined for complex arguments, got {describe(x)}")
    bits = {2: np.int16, 4: np.int32, 8: np.int64}[d.itemsize]
    as_int = bind1("bitcast_convert_type", x, new_dtype=np.dtype(bits))
    return bind1("lt", as_int, _c(as_int, 0))


def copysign(x1, x2, /):
    """|x1| with the sign (bit) of x2."""
    x1, x2 = promote_args("copysign", x1, x2, kind="inexact")
    _real_float("copysign", x1, x2)
    mag = bind1("abs", x1)
    return _where(signbit(x2), bind1("neg", mag), mag)


def fabs(x, /):
    x, = promote_args("fabs", x, kind="inexact")
    _real_float("fabs", x)
    return bind1("abs", x)


def cbrt(x, /):
    x, = promote_args("cbrt", x, kind="inexact")
    _real_float("cbrt", x)
    return bind1("cbrt", x)


def trunc(x, /):
    """Round towards zero."""
    x, = promote_args("trunc", x)
    d = _dtype(x)
    if T.is_int(d) or T.is_bool(d):
        return x
    _real_float("trunc", x)
    return _where(bind1("lt", x, _c(x, 0)), bind1("ceil", x), bind1("floor", x))


fix = trunc


def rint(x, /):
    """Round to the nearest integer, halves to even."""
    x, = promote_args("rint", x)
    d = _dtype(x)
    if T.is_int(d) or T.is_bool(d):
        return convert(x, _dtypes.default_float())
    if T.is_complex(d):
        return bind1("complex", bind1("round", bind1("real", x), rounding_method=1),
                     bind1("round", bind1("imag", x), rounding_method=1))
    return bind1("round", x, rounding_method=1)


def isposinf(x, /):
    x = asvalue(x)
    if T.is_complex(_dtype(x)):
        raise TypeError(f"isposinf: not defined for complex arguments, got {describe(x)}")
    return bind1("and", isinf(x), bind1("not", signbit(x))) if T.is_float(_dtype(x)) else isinf(x)


def isneginf(x, /):
    x = asvalue(x)
    if T.is_complex(_dtype(x)):
        raise TypeError(f"isneginf: not defined for complex arguments, got {describe(x)}")
    return bind1("and", isinf(x), signbit(x)) if T.is_float(_dtype(x)) else isinf(x)


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """NaN replaced by `nan`, infinities by `posinf`/`neginf` (default: the dtype's largest finite values);
    complex numbers have their parts replaced."""
    check_arraylike("nan_to_num", x)
    x = asvalue(x)
    d = _dtype(x)
    if T.is_complex(d):
        parts = [nan_to_num(bind1(p, x), nan=nan, posinf=posinf, neginf=neginf) for p in ("real", "imag")]
        return bind1("complex", *parts)
    if not T.is_float(d):
        return x
    info = finfo(d)
    posinf = float(info.max) if posinf is None else posinf
    neginf = float(info.min) if neginf is None else neginf
    out = _where(isnan(x), _c(x, nan), x)
    out = _where(bind1("eq", out, _c(out, np.inf)), _c(out, posinf), out)
    out = _where(bind1("eq", out, _c(out, -np.inf)), _c(out, neginf), out)
    return convert(out, d)     # strongly typed, as JAX's


# ---- complex argument, real/complex tests, splitting and scaling -------------------------------------------

def angle(z, deg=False):
    """The argument of z (atan2(imag, real)), in radians or, with deg=True, degrees; strongly typed, as JAX's."""
    check_arraylike("angle", z)
    z = asvalue(z)
    re, im = real(z), imag(z)
    d = _dtype(re) if T.is_inexact(_dtype(re)) else _dtypes.default_float()
    out = arctan2(convert(im, d), convert(re, d))
    return rad2deg(out) if deg else out


def isreal(x, /):
    """Whether each element's imaginary part is zero (True for every real element)."""
    check_arraylike("isreal", x)
    i = imag(x)
    return bind1("eq", i, _c(i, 0))


def iscomplex(x, /):
    """Whether each element's imaginary part is nonzero."""
    check_arraylike("iscomplex", x)
    i = imag(x)
    return bind1("ne", i, _c(i, 0))


def modf(x, /, out=None):
    """(fractional part, integral part), both with x's sign; as JAX, inf gives (nan, inf)."""
    if out is not None:
        raise ValueError("modf: the out argument is not supported (Lintra arrays are immutable)")
    x, = promote_args("modf", x, kind="inexact")
    whole = _where(bind1("ge", x, _c(x, 0)), floor(x), ceil(x))
    return bind1("sub", x, whole), whole


def float_power(x1, x2, /):
    """x1 ** x2 computed in floating point (integers are promoted to the default float first)."""
    x1, x2 = promote_args("float_power", x1, x2, kind="inexact")
    return power(x1, x2)


def ldexp(x1, x2, /):
    """x1 * 2 ** x2 for integer x2, strongly typed as JAX's; the scale is applied in two halves so that a
    result within range is reached even when 2 ** x2 alone is not."""
    check_arraylike("ldexp", x1, x2)
    if not T.is_int(_dtype(asvalue(x2))) or T.is_complex(_dtype(asvalue(x1))):
        raise ValueError(f"ldexp not supported for input types ({describe(x1)}, {describe(x2)}): x1 must be real "
                         f"and x2 an integer")
    x1, = promote_args("ldexp", x1, kind="inexact")
    x1 = convert(x1, _dtype(x1))
    half = bind1("div", convert(x2, np.int32), _c(convert(x2, np.int32), 2))
    rest = bind1("sub", convert(x2, np.int32), half)
    scale = lambda e: exp2(convert(e, _dtype(x1)))
    return bind1("mul", bind1("mul", x1, scale(half)), scale(rest))


def spacing(x, /):
    """The distance from x to the adjacent representable value away from zero (as JAX's: toward +inf for
    float16; the smallest subnormal, signed, where that distance rounds to zero)."""
    x, = promote_args("spacing", x, kind="inexact")
    d = _dtype(x)
    if T.is_complex(d):
        raise ValueError("jnp.spacing is not defined for complex inputs.")
    inf = broadcast_to(convert(np.inf, d), type_of(x).shape)        # strong, as JAX's constant
    if d == np.float16:
        return bind1("sub", bind1("nextafter", x, inf), x)
    result = bind1("sub", bind1("nextafter", x, copysign(inf, x)), x)
    tiny = broadcast_to(convert(float(finfo(d).smallest_subnormal), d), type_of(x).shape)
    return _where(bind1("eq", result, _c(result, 0)), copysign(tiny, x), result)


def _frexp_fun(x):
    info = finfo(_dtype(x))
    ints = {2: np.int16, 4: np.int32, 8: np.int64}[np.dtype(_dtype(x)).itemsize]
    nmant, nexp, bias = int(info.nmant), int(info.nexp), 1 - int(info.minexp)
    mask = (1 << nexp) - 1
    subnormal = bind1("lt", bind1("abs", x), _c(x, float(info.tiny)))
    x1 = _where(subnormal, bind1("mul", x, _c(x, float(1 << nmant))), x)     # scaled up into the normals
    shape = type_of(x).shape
    e = _where(subnormal, broadcast_to(convert(-nmant, ints), shape), broadcast_to(convert(0, ints), shape))
    bits = bind1("bitcast_convert_type", x1, new_dtype=np.dtype(ints))
    shifted = bind1("shift_right_logical", bits, _c(bits, nmant))
    e = bind1("add", e, bind1("sub", bind1("and", shifted, _c(bits, mask)), _c(bits, bias - 1)))
    bits = bind1("and", bits, _c(bits, ~(mask << nmant)))
    bits = bind1("or", bits, _c(bits, (bias - 1) << nmant))
    mantissa = bind1("bitcast_convert_type", bits, new_dtype=_dtype(x))
    special = bind1("or", bind1("or", isinf(x), isnan(x)), bind1("eq", x, _c(x, 0)))
    e = _where(special, _c(e, 0), e)
    return _where(special, x, mantissa), convert(e, np.int32)


_frexp = custom_jvp(jit(_frexp_fun))     # one XLA computation, as JAX's (subnormals flush alike)


@_frexp.defjvp
def _frexp_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    m, e = _frexp(x)
    return (m, e), (bind1("mul", t, exp2(bind1("neg", convert(e, _dtype(t))))), np.zeros(type_of(e).shape,
                                                                                         _dtypes.float0))


def frexp(x, /):
    """(mantissa, exponent) with x = mantissa * 2 ** exponent, 0.5 <= |mantissa| < 1 (0, inf and NaN give
    themselves and exponent 0), as JAX's; the exponent is int32."""
    check_arraylike("frexp", x)
    x, = promote_args("frexp", x, kind="inexact")
    if T.is_complex(_dtype(x)):
        raise TypeError("frexp does not support complex-valued inputs")
    return _frexp(convert(x, _dtype(x)))
