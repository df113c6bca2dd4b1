"""Functions on the parts of a floating-point number: frexp, ldexp, modf, nextafter, spacing, float_power."""
import numpy as np

from ...ir import types as T
from ..core import bind1, type_of
from ._util import (check_arraylike, convert, describe, full_like_type as _c, promote_args, select as _where,
                    weak_dtype_pair)
from .ufuncs import isinf, isnan, power

_UINT_OF = {2: np.uint16, 4: np.uint32, 8: np.uint64}
_INT_OF = {2: np.int16, 4: np.int32, 8: np.int64}


def _real_inexact(name, x):
    x, = promote_args(name, x, kind="inexact")
    if T.is_complex(type_of(x).dtype):
        raise TypeError(f"{name} does not accept complex input; got {describe(x)}")
    return x


def _pow2(k, dtype):
    """2**k exactly, for integer k in the normal exponent range of `dtype` (built from its bit pattern)."""
    info = np.finfo(dtype)
    ut = np.dtype(_UINT_OF[np.dtype(dtype).itemsize])
    bits = bind1("shift_left", convert(bind1("add", k, _c(k, 1 - info.minexp)), ut),
                 _c(convert(k, ut), info.nmant))
    return bind1("bitcast_convert_type", bits, new_dtype=np.dtype(dtype))


def frexp(x, /):
    """(mantissa, exponent) with x == mantissa * 2**exponent and 0.5 <= |mantissa| < 1; exponent is int32."""
    check_arraylike("frexp", x)
    x = _real_inexact("frexp", x)
    dtype = type_of(x).dtype
    info = np.finfo(dtype)
    it = np.dtype(_INT_OF[dtype.itemsize])
    # subnormals: scale into the normal range first, and remember the scaling in the exponent
    subnormal = bind1("lt", bind1("abs", x), _c(x, info.smallest_normal))
    x1 = _where(subnormal, bind1("mul", x, _c(x, float(2.0 ** info.nmant))), x)
    e0 = _where(subnormal, _c(convert(x, it), -info.nmant), _c(convert(x, it), 0))
    bits = bind1("bitcast_convert_type", x1, new_dtype=it)
    mask = (1 << info.nexp) - 1
    bias = 1 - info.minexp
    biased = bind1("and", bind1("shift_right_logical", bits, _c(bits, info.nmant)), _c(bits, mask))
    exponent = bind1("add", e0, bind1("sub", biased, _c(bits, bias - 1)))
    cleared = bind1("and", bits, _c(bits, ~(mask << info.nmant)))
    mant = bind1("bitcast_convert_type", bind1("or", cleared, _c(bits, (bias - 1) << info.nmant)),
                 new_dtype=dtype)
    special = bind1("or", bind1("or", isinf(x), isnan(x)), bind1("eq", x, _c(x, 0)))
    exponent = _where(special, _c(exponent, 0), exponent)
    return _where(special, x, mant), convert(exponent, np.int32)


def ldexp(x1, x2, /):
    """x1 * 2**x2, exact where the result is representable (x2 is applied in three in-range steps)."""
    check_arraylike("ldexp", x1, x2)
    if not (T.is_int(weak_dtype_pair(x2)[0]) or T.is_bool(weak_dtype_pair(x2)[0])):
        raise ValueError(f"ldexp: the exponent x2 must be an integer array, got {describe(x2)}")
    x1 = _real_inexact("ldexp", x1)
    dtype = type_of(x1).dtype
    x1, x2 = promote_args("ldexp", x1, convert(x2, np.int32))   # broadcast only: int32 is weak-free
    x1, x2 = convert(x1, dtype), convert(x2, np.int32)
    info = np.finfo(dtype)
    e = convert(x2, np.int32)
    lo, hi = info.minexp, info.maxexp - 1
    e = bind1("clamp", _c(e, 3 * lo - info.nmant), e, _c(e, 3 * hi))
    a = bind1("clamp", _c(e, lo), e, _c(e, hi))
    rest = bind1("sub", e, a)
    b = bind1("clamp", _c(e, lo), rest, _c(e, hi))
    c = bind1("clamp", _c(e, lo), bind1("sub", rest, b), _c(e, hi))
    out = x1
    for k in (a, b, c):
        out = bind1("mul", out, _pow2(k, dtype))
    return out


def modf(x, /):
    """(fractional part, integral part), both with x's sign; integers give the default float."""
    check_arraylike("modf", x)
    x = _real_inexact("modf", x)
    whole = _where(bind1("lt", x, _c(x, 0)), bind1("ceil", x), bind1("floor", x))
    return bind1("sub", x, whole), whole


def nextafter(x1, x2, /):
    """The next representable value after x1 towards x2 (integers compute in the default float)."""
    x1, x2 = promote_args("nextafter", x1, x2, kind="inexact")
    if T.is_complex(type_of(x1).dtype):
        raise TypeError(f"nextafter does not accept complex input; got {describe(x1)}")
    return bind1("nextafter", x1, x2)


def spacing(x, /):
    """The distance from x to the next representable value away from zero (negative for negative x)."""
    x = _real_inexact("spacing", x)
    x = convert(x, type_of(x).dtype)      # as JAX: strongly typed, even for a Python scalar
    towards = _where(bind1("lt", x, _c(x, 0)), _c(x, -np.inf), _c(x, np.inf))
    return bind1("sub", bind1("nextafter", x, towards), x)


def float_power(x1, x2, /):
    """x1 ** x2 computed in floating point (integers promote to the default float)."""
    x1, x2 = promote_args("float_power", x1, x2, kind="inexact")
    return power(x1, x2)
