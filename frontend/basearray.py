"""lintra.Array, as jax.Array: the class every array value is an instance of, concrete (the runtime's
ArrayImpl, a C++ class that cannot be subclassed) or traced (a Tracer), so that `isinstance(x, jax.Array)`
in library code holds inside jit, grad and vmap as it does in JAX."""
import abc

from ..runtime.array import Array as ArrayImpl
from .core import Tracer


class Array(abc.ABC):
    __slots__ = ()


Array.register(ArrayImpl)
Array.register(Tracer)
