"""Float functions built from bit patterns: ldexp (exact powers of two), nextafter. frexp, modf and spacing
live in mathfuncs.py."""
import numpy as np

from ...ir import types as T
from ..core import bind1, type_of
from ._util import check_arraylike, convert, describe, full_like_type as _c, promote_args, weak_dtype_pair

_UINT_OF = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def _pow2(k, dtype):
    """2**k exactly, for integer k in the normal exponent range of `dtype` (built from its bit pattern)."""
    info = np.finfo(dtype)
    ut = np.dtype(_UINT_OF[np.dtype(dtype).itemsize])
    bits = bind1("shift_left", convert(bind1("add", k, _c(k, 1 - info.minexp)), ut),
                 _c(convert(k, ut), info.nmant))
    return bind1("bitcast_convert_type", bits, new_dtype=np.dtype(dtype))


def ldexp(x1, x2, /):
    """x1 * 2**x2 (strongly typed, as JAX's), exact where the result is representable: x2 is applied as three
    in-range powers of two, so results in range are reached even when 2**x2 alone is not."""
    check_arraylike("ldexp", x1, x2)
    d2 = weak_dtype_pair(x2)[0]
    if not (T.is_int(d2) or T.is_bool(d2)) or T.is_complex(weak_dtype_pair(x1)[0]):
        raise ValueError(f"ldexp not supported for input types ({describe(x1)}, {describe(x2)}): x1 must be real "
                         f"and x2 an integer")
    x1, = promote_args("ldexp", x1, kind="inexact")
    dtype = type_of(x1).dtype
    x1, x2 = promote_args("ldexp", x1, convert(x2, np.int32))    # to broadcast them
    x1, e = convert(x1, dtype), convert(x2, np.int32)
    info = np.finfo(dtype)
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


def nextafter(x1, x2, /):
    """The next representable value after x1 towards x2 (integers compute in a float, as JAX)."""
    x1, x2 = promote_args("nextafter", x1, x2, kind="inexact")
    if T.is_complex(type_of(x1).dtype):
        raise TypeError(f"nextafter does not accept complex input; got {describe(x1)}")
    return bind1("nextafter", x1, x2)
