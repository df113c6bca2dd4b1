"""Integer functions: gcd, lcm (Euclid's algorithm unrolled to its worst-case step count) and bitwise_count."""
import numpy as np

from ...ir import types as T
from ..core import bind1, type_of
from ._util import describe, full_like_type as _c, promote_args, select as _where


def _integers(name, *xs):
    xs = promote_args(name, *xs)
    if not T.is_int(type_of(xs[0]).dtype):
        raise ValueError(f"Arguments to jax.numpy.{name} must be integers; got "
                         f"{', '.join(describe(x) for x in xs)}")
    return xs


def _euclid_steps(dtype):
    # Euclid on b-bit operands takes at most ~1.44*b steps (consecutive Fibonacci numbers are the worst case);
    # a fixed count keeps gcd jit-able without a loop primitive below lintra.numpy
    return int(np.ceil(1.45 * 8 * np.dtype(dtype).itemsize)) + 2


def _abs(x):
    return bind1("abs", x) if T.is_signed(type_of(x).dtype) else x


def _gcd(a, b):
    a, b = _abs(a), _abs(b)
    zero = _c(a, 0)
    for _ in range(_euclid_steps(type_of(a).dtype)):
        b_zero = bind1("eq", b, zero)
        r = bind1("rem", a, _where(b_zero, _c(b, 1), b))
        a, b = _where(b_zero, a, b), _where(b_zero, zero, r)
    return a


def gcd(x1, x2, /):
    """The greatest common divisor of |x1| and |x2| (gcd(0, 0) == 0)."""
    x1, x2 = _integers("gcd", x1, x2)
    return _gcd(x1, x2)


def lcm(x1, x2, /):
    """The least common multiple of |x1| and |x2| (0 where either is 0)."""
    x1, x2 = _integers("lcm", x1, x2)
    g = _gcd(x1, x2)
    zero = _c(g, 0)
    safe = _where(bind1("eq", g, zero), _c(g, 1), g)
    out = bind1("mul", _abs(x1), bind1("div", _abs(x2), safe))
    return _where(bind1("eq", g, zero), zero, out)


def bitwise_count(x, /):
    """The number of 1 bits in |x|, as uint8 (as NumPy 2 and JAX)."""
    x, = promote_args("bitwise_count", x)
    d = type_of(x).dtype
    if not (T.is_int(d) or T.is_bool(d)):
        raise TypeError(f"bitwise_count requires integer or boolean input, got {describe(x)}")
    if T.is_bool(d):
        return bind1("convert_element_type", x, new_dtype=np.dtype(np.uint8), weak_type=False)
    if T.is_signed(d):
        x = bind1("abs", x)
    return bind1("convert_element_type", bind1("population_count", x), new_dtype=np.dtype(np.uint8),
                 weak_type=False)
