"""lintra.core, the part of jax.core that libraries test against: `isinstance(x, core.Tracer)` and abstract
values (`x.aval`, `core.ShapedArray`), which in Lintra are IR types."""
from ..ir.types import TensorType
from .core import Trace, Tracer


class _AbstractValueMeta(type):
    # Lintra's abstract values are TensorTypes; the JAX class names test and build them
    def __instancecheck__(cls, x):
        return isinstance(x, TensorType)


class AbstractValue(metaclass=_AbstractValueMeta):
    pass


class ShapedArray(AbstractValue):
    """ShapedArray(shape, dtype, weak_type=False) builds the TensorType JAX's ShapedArray stands for."""

    def __new__(cls, shape, dtype, weak_type=False, *, sharding=None, vma=frozenset()):
        return TensorType.of(shape, dtype, weak_type, sharding, vma)


__all__ = ["AbstractValue", "ShapedArray", "Trace", "Tracer"]
