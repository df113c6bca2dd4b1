"""Array: jaxlib's C++ ArrayImpl, with Lintra's TensorType as its aval and Lintra's methods attached to the
class (it cannot be subclassed, and the C++ jit fast path accepts only that exact type)."""
import numpy as np

from ..ir.types import TensorType, dtype_name
from . import pjrt

Array = pjrt.ArrayImpl
# C++ reads an aval's dtype, shape and weak_type
TensorType.weak_type = property(lambda self: self.weak)


def check_live(xs):
    """Raise, naming it, if one of `xs` is a deleted Array (PJRT's own error names neither array nor cause)."""
    for x in xs:
        if x.__class__ is Array and x.is_deleted():
            raise RuntimeError(f"Array has been deleted with shape={x.dtype.name}{list(x.shape)}: it was donated to "
                               f"a computation (donate_argnums) or deleted with .delete(), and cannot be used "
                               f"again") from None


def _value(self):
    """The array's value as a read-only NumPy array, read once."""
    v = self._npy_value
    if v is None:
        check_live([self])
        try:
            # the buffer protocol (no copy on CPU); jaxlib's own route looks for JAX's sharding class
            v = np.asarray(memoryview(self))
        except BufferError:    # bfloat16 has no buffer-protocol format; nor has device memory or a sharded array
            if self._sharding.__class__ is not pjrt.SingleDeviceSharding:
                v = self._gather()      # attached by runtime/spmd.py, which makes sharded arrays
            else:
                v, _ = self._single_device_array_to_np_array_did_copy()
        v.flags.writeable = False
        self._npy_value = v
    return v


def _array(self, dtype=None, copy=None):
    v = self._value()
    if dtype is not None and np.dtype(dtype) != v.dtype:
        return v.astype(dtype)
    return v.copy() if copy else v


def _scalar(kind):
    def convert(self):
        if self.size != 1:
            raise TypeError(f"only size-1 arrays can be converted to Python scalars; got an array of shape "
                            f"{self.shape}")
        return kind(self._value().reshape(()))
    return convert


def _index(self):
    if not np.issubdtype(self.dtype, np.integer):
        raise TypeError(f"only integer arrays can be used as an index, got {self.dtype}")
    return _scalar(int)(self)


def _len(self):
    if not self.shape:
        raise TypeError("len() of unsized object (a 0-d array)")
    return self.shape[0]


def _iter(self):
    if not self.shape:
        raise TypeError("iteration over a 0-d array")
    return (self[i] for i in range(self.shape[0]))


def _hash(self):
    raise TypeError("unhashable type: lintra Array")


def _repr(self):
    if self.is_deleted():
        return f"Array(<deleted>, shape={self.shape}, dtype={self.dtype.name})"
    # as JAX's Array.__repr__: an empty array shows its shape; the dtype goes on a line of its own (indented
    # under the values) when it would overflow NumPy's line width
    dtype_str = f"dtype={np.dtype(self.dtype).name}" + (", weak_type=True" if self.aval.weak else "")
    width = np.get_printoptions()["linewidth"]
    if self.size == 0:
        body = f"[], shape={self.shape}"
    else:
        body = np.array2string(self._value(), prefix="Array(", suffix=",", separator=", ", max_line_width=width)
    sep = " " if len(body) - body.rfind("\n") + 1 + len(dtype_str) + 2 <= width else " " * len("Array(")
    return f"Array({body},{sep}{dtype_str})"


def _format(self, spec):
    return format(self._value().item() if self.ndim == 0 else self._value(), spec)


def _reduce(self):
    return (_rebuild, (self._value(), self.aval.weak))


def _rebuild(value, weak):
    """An unpickled array: on the default device, uncommitted."""
    return pjrt.device_put(value, TensorType(value.shape, value.dtype, weak), pjrt.client().local_devices()[0], False)


def _copy_to_host_async(self):
    if self._npy_value is None and not self.is_deleted():
        self._copy_single_device_array_to_host_async()


pjrt._attach(
    Array,
    type=property(lambda self: self.aval),
    shape=property(lambda self: self.aval.shape),
    dtype=property(lambda self: self.aval.dtype),
    ndim=property(lambda self: len(self.aval.shape)),
    size=property(lambda self: self.aval.size),
    itemsize=property(lambda self: self.aval.dtype.itemsize),
    nbytes=property(lambda self: self.aval.size * self.aval.dtype.itemsize),
    weak_type=property(lambda self: self.aval.weak),
    sharding=property(lambda self: self._sharding),
    device=property(lambda self: self._sharding._device),
    devices=lambda self: {self._sharding._device},
    committed=property(lambda self: self._committed),
    is_fully_addressable=property(lambda self: True),
    is_fully_replicated=property(lambda self: True),
    _value=_value,
    __array__=_array,
    __array_priority__=100,
    copy_to_host_async=_copy_to_host_async,
    item=lambda self, *args: self._value().item(*args),
    tolist=lambda self: self._value().tolist(),
    __float__=_scalar(float),
    __int__=_scalar(int),
    __bool__=_scalar(bool),
    __complex__=_scalar(complex),
    __index__=_index,
    __len__=_len,
    __iter__=_iter,
    __hash__=_hash,
    __repr__=_repr,
    __str__=lambda self: str(self._value()),
    __format__=_format,
    __reduce__=_reduce,
)


def describe(t: TensorType) -> str:
    return f"{dtype_name(t.dtype)}{list(t.shape)}"
