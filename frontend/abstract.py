"""Abstract arrays: a type with no value, to trace functions on (as jax.ShapeDtypeStruct)."""
from ..ir import types as T
from ..ir.types import TensorType


class ShapeDtypeStruct:
    """ShapeDtypeStruct(shape, dtype, weak_type=False): stands for any array of this type when a function
    is traced (`make_ir(f)(ShapeDtypeStruct((3,), 'float32'))`); it cannot be computed with."""
    __slots__ = ("type",)

    def __init__(self, shape, dtype, weak_type=False):
        self.type = TensorType.of(shape, T.dtype(dtype), weak_type)

    shape = property(lambda self: self.type.shape)
    dtype = property(lambda self: self.type.dtype)
    weak_type = property(lambda self: self.type.weak)
    ndim = property(lambda self: self.type.ndim)
    size = property(lambda self: self.type.size)

    def __eq__(self, other):
        return isinstance(other, ShapeDtypeStruct) and self.type == other.type

    def __hash__(self):
        return hash(self.type)

    def __repr__(self):
        return (f"ShapeDtypeStruct(shape={self.shape}, dtype={T.dtype_name(self.dtype)}"
                f"{', weak_type=True' if self.weak_type else ''})")
