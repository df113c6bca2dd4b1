"""Predicates and views on complex numbers: angle, iscomplex, isreal, iscomplexobj, isrealobj, sort_complex."""
import numpy as np

from ...ir import types as T
from ..core import bind1, type_of
from ._util import asvalue, check_arraylike, convert, full_like_type as _c, promote_args, to_inexact, weak_dtype_pair
from .searching import sort
from .ufuncs import imag, real


def angle(z, deg=False):
    """The argument of z, atan2(imag, real); in degrees if deg. Integers give the default float."""
    check_arraylike("angle", z)
    z, = promote_args("angle", z, kind="inexact")
    z = convert(z, type_of(z).dtype)      # as JAX: the result is strongly typed, even for a Python scalar
    out = bind1("atan2", imag(z), real(z))
    return bind1("mul", out, _c(out, 180 / np.pi)) if deg else out


def iscomplex(x):
    """Elementwise: whether the imaginary part is nonzero (all False for real input)."""
    check_arraylike("iscomplex", x)
    i = imag(asvalue(x))
    return bind1("ne", i, _c(i, 0))


def isreal(x):
    """Elementwise: whether the imaginary part is zero (all True for real input)."""
    check_arraylike("isreal", x)
    i = imag(asvalue(x))
    return bind1("eq", i, _c(i, 0))


def iscomplexobj(x) -> bool:
    """Whether x has a complex dtype (a Python bool, decided from the type alone)."""
    if x is None:
        return False
    if isinstance(x, (list, tuple)):
        x = np.asarray(x)
    return T.is_complex(weak_dtype_pair(x)[0])


def isrealobj(x) -> bool:
    return not iscomplexobj(x)


def sort_complex(a):
    """a sorted (lexicographically by real, then imaginary part) and returned as complex."""
    check_arraylike("sort_complex", a)
    a = sort(asvalue(a))
    d = type_of(a).dtype
    return a if T.is_complex(d) else convert(a, T.complex_dtype(to_inexact(d)))
