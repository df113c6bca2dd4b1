"""Array: a typed value that lives on a device (one PJRT buffer per shard)."""
import numpy as np

from ..ir.types import TensorType, dtype_name, float0
from . import pjrt


class Array:
    """A device array. Operators and indexing are added by the front end (lintra.numpy)."""
    __slots__ = ("_buf", "type", "_npy", "__weakref__")
    __array_priority__ = 100

    def __init__(self, buf, type: TensorType):
        self._buf = buf
        self.type = type
        self._npy = None

    # -- static properties
    shape = property(lambda self: self.type.shape)
    dtype = property(lambda self: self.type.dtype)
    ndim = property(lambda self: len(self.type.shape))
    size = property(lambda self: self.type.size)
    weak_type = property(lambda self: self.type.weak)
    nbytes = property(lambda self: self.type.size * self.type.dtype.itemsize)

    @property
    def devices(self):
        return lambda: {self._buf._sharding._dev}

    @property
    def device(self):
        return self._buf._sharding._dev

    # -- host access
    def _value(self):
        if self._npy is None:
            try:
                # the buffer protocol (no copy on CPU); jaxlib's own route below looks for JAX's sharding class
                # on every call, ~0.2 ms when JAX is not installed (and imports all of JAX when it is)
                self._npy = np.asarray(memoryview(self._buf))
            except BufferError:    # bfloat16 has no buffer-protocol format; nor has device memory
                self._npy, _ = self._buf._single_device_array_to_np_array_did_copy()
            self._npy.flags.writeable = False
        return self._npy

    def __array__(self, dtype=None, copy=None):
        v = self._value()
        if dtype is not None and np.dtype(dtype) != v.dtype:
            return v.astype(dtype)
        return v.copy() if copy else v

    def block_until_ready(self):
        self._buf.block_until_ready()
        return self

    def copy_to_host_async(self):
        self._buf._copy_single_device_array_to_host_async()

    def is_ready(self):
        return self._buf.is_ready()

    def item(self, *args):
        return self._value().item(*args)

    def tolist(self):
        return self._value().tolist()

    def _scalar(self, kind):
        if self.size != 1:
            raise TypeError(f"only size-1 arrays can be converted to Python scalars; got an array of shape "
                            f"{self.shape}")
        return kind(self._value().reshape(()))

    __float__ = lambda self: self._scalar(float)
    __int__ = lambda self: self._scalar(int)
    __bool__ = lambda self: self._scalar(bool)
    __complex__ = lambda self: self._scalar(complex)
    __index__ = lambda self: self._scalar(int) if np.issubdtype(self.dtype, np.integer) else \
        (_ for _ in ()).throw(TypeError(f"only integer arrays can be used as an index, got {self.dtype}"))

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object (a 0-d array)")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self.shape[0]))

    def __hash__(self):
        raise TypeError("unhashable type: lintra Array")

    def __repr__(self):
        body = np.array2string(self._value(), separator=", ", prefix="Array(")
        extra = ", weak_type=True" if self.type.weak else ""
        return f"Array({body}, dtype={np.dtype(self.dtype).name}{extra})"

    def __str__(self):
        return str(self._value())

    def __format__(self, spec):
        return format(self._value().item() if self.ndim == 0 else self._value(), spec)

    def __reduce__(self):
        return (_rebuild, (self._value(), self.type.weak))


def _rebuild(value, weak):
    from . import dispatch
    return dispatch.device_put(value, weak=weak)


def describe(t: TensorType) -> str:
    return f"{dtype_name(t.dtype)}{list(t.shape)}"
