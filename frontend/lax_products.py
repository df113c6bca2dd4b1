"""lax products built on dot_general: batch_matmul."""
from .core import type_of
from .lax import dot_general


def batch_matmul(lhs, rhs, precision=None):
    """Matrix products over the last two dimensions, the leading (batch) dimensions equal."""
    nd = type_of(lhs).ndim
    if nd < 2 or type_of(rhs).ndim != nd:
        raise TypeError(f"batch_matmul: operands must have equal rank >= 2, got shapes {type_of(lhs).shape} and "
                        f"{type_of(rhs).shape}")
    batch = tuple(range(nd - 2))
    return dot_general(lhs, rhs, (((nd - 1,), (nd - 2,)), (batch, batch)), precision)
