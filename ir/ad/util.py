"""What the AD passes share: tangent types and materialised zeros."""
import numpy as np

from .. import types as T
from ..types import TensorType


def differentiable(t: TensorType) -> bool:
    return T.is_inexact(t.dtype)


def tangent_type(t: TensorType) -> TensorType:
    """Integer and boolean values have float0 tangents, as in JAX."""
    return t if differentiable(t) else t.update(dtype=T.float0, weak=False)


def zeros(b, t: TensorType):
    """A zero of type `t`, emitted as a broadcast scalar so large zeros stay small in the IR."""
    return full_like(b, t, np.zeros((), t.dtype))


def full_like(b, t: TensorType, value):
    """`value` everywhere, of type `t` (varying over t's manual axes too, with pvary)."""
    c = b.constant(np.array(value, t.dtype), weak=t.weak)
    if t.shape:
        c = b.emit1("broadcast_in_dim", [c], {"shape": t.shape, "broadcast_dimensions": ()})
    return b.emit1("pvary", [c], {"axes": tuple(sorted(t.vma))}) if t.vma else c


def instantiate(b, v, t: TensorType):
    """A symbolic zero (None) made concrete; other values pass through."""
    return zeros(b, t) if v is None else v


def add_tangents(b, x, y):
    if x is None:
        return y
    if y is None:
        return x
    return b.emit1("add", [x, y])
