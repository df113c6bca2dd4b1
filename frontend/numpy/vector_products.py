"""The array API's vector products: vecdot (conjugating x1), matvec, vecmat."""
from ...ir import types as T
from ..core import type_of
from ._util import check_arraylike, describe
from .manipulation import expand_dims, moveaxis, squeeze
from .products import matmul
from .reductions import any as _any, sum as _sum
from .ufuncs import conjugate, multiply


def vecdot(x1, x2, /, *, axis=-1, precision=None, preferred_element_type=None):
    """sum(conj(x1) * x2) along axis, the other axes broadcasting."""
    check_arraylike("vecdot", x1, x2)
    n1, n2 = type_of(x1).shape[axis:][:1], type_of(x2).shape[axis:][:1]
    if not n1 or n1 != n2:
        raise ValueError(f"vecdot: x1 and x2 must have the same size along axis {axis}, got {describe(x1)} and "
                         f"{describe(x2)}")
    prod = multiply(conjugate(x1), x2)
    # as JAX: booleans stay boolean (multiply is `and`, the sum is `or`)
    out = _any(prod, axis=axis) if T.is_bool(type_of(prod).dtype) else _sum(prod, axis=axis, promote_integers=False)
    return out if preferred_element_type is None else out.astype(preferred_element_type)


def matvec(x1, x2, /):
    """The matrix-vector product x1 @ x2 over the last axes, batch axes broadcasting."""
    check_arraylike("matvec", x1, x2)
    if type_of(x1).ndim < 2 or type_of(x2).ndim < 1:
        raise ValueError(f"matvec: expected a matrix and a vector, got {describe(x1)} and {describe(x2)}")
    return squeeze(matmul(x1, expand_dims(x2, -1)), -1)


def vecmat(x1, x2, /):
    """The vector-matrix product conj(x1) @ x2 over the last axes, batch axes broadcasting."""
    check_arraylike("vecmat", x1, x2)
    if type_of(x1).ndim < 1 or type_of(x2).ndim < 2:
        raise ValueError(f"vecmat: expected a vector and a matrix, got {describe(x1)} and {describe(x2)}")
    return squeeze(matmul(expand_dims(conjugate(x1), -2), x2), -2)
