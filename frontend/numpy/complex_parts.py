"""Dtype predicates and sorting for complex numbers: iscomplexobj, isrealobj, sort_complex (angle, iscomplex and
isreal live in mathfuncs.py)."""
import numpy as np

from ...ir import types as T
from ..core import type_of
from ._util import asvalue, check_arraylike, convert, to_inexact, weak_dtype_pair
from .searching import sort


def iscomplexobj(x) -> bool:
    """Whether x has a complex dtype (a Python bool, decided from the type alone)."""
    if x is None:
        return False
    if isinstance(getattr(x, "dtype", None), np.dtype):   # as JAX: anything with a dtype (jnp.float32 too)
        return T.is_complex(x.dtype)
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
