"""Compiled IR functions on one device, host transfers, and where a computation runs (devices follow data: on
the device its committed inputs are on, else the default)."""
import numpy as np

from ..ir.core import Func
from ..ir.types import TensorType, float0
from ..lowering.lower import lower_text
from . import compile_cache, pjrt
from .narrow_dtypes import check_runnable
from .array import Array


_default = []


def default_device():
    if not _default:          # client.local_devices() builds a list per call: read once
        _default.append(pjrt.client().local_devices()[0])
    return _default[0]


def placement(arrays):
    """(device, committed) of a computation on `arrays`: the device its committed inputs are on, else the
    default device. Inputs committed to different devices are an error, as in JAX."""
    device = None
    for a in arrays:
        if a.__class__ is Array and a._committed:
            d = a._sharding._device
            if device is None:
                device = d
            elif d != device:
                raise ValueError(
                    f"Received incompatible devices for a computation: an argument of type {a.aval} is committed "
                    f"to {d}, another to {device}. Move them to one device first, e.g. with "
                    f"lintra.device_put(x, {device!r})")
    return (default_device(), False) if device is None else (device, True)


def to_device(arrays, device):
    """The arrays with uncommitted ones (which live on the default device) copied to `device`; float0
    values (host NumPy arrays, as JAX keeps them) become the booleans they are lowered as."""
    out = []
    for a in arrays:
        if a.__class__ is not Array:
            a = device_put(np.zeros(a.shape, np.bool_), device)
        elif a._sharding._device != device:
            a = pjrt.copy_to_device(a, device, False)
        out.append(a)
    return out


_scalars = {}          # (dtype, weak, bytes, device, committed) -> Array
_shared = {}           # id of an Array in _scalars -> its key (ids are stable while _scalars holds the Arrays)
_SCALARS_KEPT = 1024


def device_put(x, device=None, weak=False, committed=None, shared=False):
    """A host value (already of a dtype Lintra supports) as an Array on `device` (default: the default
    device), committed to it when a device is named. float0 values stay on the host, as in JAX.
    shared=True (operands Lintra consumes): a scalar may be one device copy that other such calls get too;
    an array handed to the user must be `unshared` first, since they may donate it (two donated arguments
    sharing a buffer are an error, and a donated shared scalar would be deleted for everyone)."""
    x = np.asarray(x)
    if x.dtype == float0:
        return x
    if committed is None:
        committed = device is not None
    device = device or default_device()
    if x.ndim == 0 and shared:
        # the same few scalars (Python numbers, IR constants) recur on every eager call
        key = (x.dtype, weak, x.tobytes(), device, committed)
        hit = _scalars.get(key)
        if hit is None or hit.is_deleted():
            if len(_scalars) >= _SCALARS_KEPT:
                _scalars.clear()
                _shared.clear()
            # a private copy: a zero-copy transfer of the caller's array would change if they mutated it
            hit = _scalars[key] = pjrt.device_put(x.copy(), TensorType((), x.dtype, weak), device, committed)
            _shared[id(hit)] = key
        return hit
    if x.ndim == 0:
        # PJRT may alias an aligned host buffer (zero-copy); a scalar the caller mutates later must not
        # change the Array, as JAX's never does
        x = x.copy()
    return pjrt.device_put(x, TensorType(x.shape, x.dtype, weak), device, committed)


def unshared(x):
    """`x`, or a new buffer with its value where `x` is a scalar device_put(shared=True) shares: what the
    array creation functions hand the user, whose arrays are their own, as in JAX."""
    key = _shared.get(id(x))
    if key is None or _scalars.get(key) is not x:
        return x
    dtype, weak, raw, device, committed = key
    return pjrt.device_put(np.frombuffer(raw, dtype).reshape(()).copy(), TensorType((), dtype, weak), device,
                           committed)


def _storage(t: TensorType):
    """The aval an output of type `t` is held under: float0 values as the booleans they are lowered as."""
    return TensorType(t.shape, np.dtype(np.bool_), False) if t.dtype == float0 else t


class Executable:
    """A compiled IR function on one device: its executable and what its outputs are."""
    __slots__ = ("func", "compiled", "out_types", "device", "_launch", "float0_out", "float0_in")

    def __init__(self, func: Func, device=None, donated=()):
        self.func = func
        self.device = device or default_device()
        check_runnable(func)
        self.compiled = compile_cache.compile(lower_text(func, donated=donated), [self.device],
                                              name=func.name)
        self.out_types = [r.type for r in func.results]
        self.float0_out = [i for i, t in enumerate(self.out_types) if t.dtype == float0]
        self.float0_in = any(a.type.dtype == float0 for a in func.args)
        avals = [_storage(t) for t in self.out_types]
        self._launch = {c: pjrt.launcher(self.compiled, pjrt.result_handlers(avals, self.device, c))
                        for c in (False, True)}

    def run(self, arrays, committed=False):
        """Run on Arrays already on this executable's device; returns the output Arrays."""
        outs = self._launch[committed](arrays)
        for i in self.float0_out:
            outs[i] = np.zeros(self.out_types[i].shape, float0)
        return outs

    def __call__(self, args, committed=False):
        """Run on Arrays anywhere (uncommitted ones are moved here) and float0 values."""
        if committed or self.float0_in:
            args = to_device(args, self.device)
        return self.run(args, committed)
