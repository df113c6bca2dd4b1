"""Abstract arrays: a type with no value, to trace functions on (as jax.ShapeDtypeStruct)."""
import numpy as np

from ..ir import types as T
from ..ir.types import TensorType
from ..runtime.named_sharding import NamedSharding, typed


class ShapeDtypeStruct:
    """ShapeDtypeStruct(shape, dtype, *, sharding=None, weak_type=False): stands for any array of this type
    when a function is traced or lowered (`make_ir(f)(ShapeDtypeStruct((3,), 'float32'))`); it cannot be
    computed with. `sharding` is kept as given. ShapeDtypeStruct.like(x) is defined with the tracing core
    (frontend/core.py), which knows the type of every kind of value."""
    __slots__ = ("type", "sharding")

    def __init__(self, shape, dtype, *, sharding=None, weak_type=False):
        self.type = TensorType.of(shape, T.user_dtype(dtype), weak_type)
        if isinstance(sharding, NamedSharding):        # over Explicit axes, the type says so (as JAX's aval)
            self.type = typed(self.type, sharding)
        self.sharding = sharding

    @classmethod
    def of_type(cls, t, drop=None):
        """An abstract value of exactly IR type t: what functions are traced on (its sharding included, and
        inside shard_map with check_vma the manual axes it varies over); `drop`: without that dimension, as a
        loop body or vmap sees an operand."""
        out = cls.__new__(cls)
        if drop is not None:
            t = t.update(shape=t.shape[:drop] + t.shape[drop + 1:],
                         sharding=t.sharding[:drop] + t.sharding[drop + 1:] if t.sharding else None)
        out.type, out.sharding = t, None
        return out

    shape = property(lambda self: self.type.shape)
    dtype = property(lambda self: self.type.dtype)
    weak_type = property(lambda self: self.type.weak)
    ndim = property(lambda self: self.type.ndim)
    size = property(lambda self: self.type.size)

    def __eq__(self, other):
        return isinstance(other, ShapeDtypeStruct) and (self.type, self.sharding) == (other.type, other.sharding)

    def __hash__(self):
        return hash((self.type, self.sharding))

    def __repr__(self):
        return (f"ShapeDtypeStruct(shape={self.shape}, dtype={np.dtype(self.dtype).name}"
                f"{f', sharding={self.sharding}' if self.sharding is not None else ''}"
                f"{', weak_type=True' if self.weak_type else ''})")
