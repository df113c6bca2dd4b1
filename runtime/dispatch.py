"""Compile-and-run: IR functions to cached executables, host transfers, eager primitives."""
import numpy as np

from ..ir.builder import Builder
from ..ir.core import Func, attrs_key
from ..ir.printer import print_func
from ..ir.types import TensorType, float0
from ..lowering.lower import lower, to_text
from . import compile_cache, pjrt
from .array import Array


def default_device():
    return pjrt.client().devices()[0]


_scalars = {}          # (dtype, weak, bytes, device) -> Array
_SCALARS_KEPT = 1024


def device_put(x, device=None, weak=False) -> Array:
    """A host value (already of a dtype Lintra supports) as an Array on `device`."""
    x = np.asarray(x)
    device = device or default_device()
    if x.ndim == 0 and x.dtype != float0:
        # the same few scalars (Python numbers, IR constants) recur on every eager call; Arrays are immutable,
        # so one device copy each serves them all
        key = (x.dtype, weak, x.tobytes(), device)
        hit = _scalars.get(key)
        if hit is None:
            if len(_scalars) >= _SCALARS_KEPT:
                _scalars.clear()
            # a private copy: a zero-copy transfer of the caller's array would change if they mutated it
            hit = _scalars[key] = Array(pjrt.device_put(x.copy(), device, weak), TensorType((), x.dtype, weak))
        return hit
    t = TensorType(x.shape, x.dtype, weak)
    if x.dtype == float0:         # no data: held on the device as booleans, as it is lowered
        x = np.zeros(x.shape, np.bool_)
    return Array(pjrt.device_put(x, device, weak), t)


class Executable:
    """A compiled IR function: its executable and what its outputs are."""
    __slots__ = ("func", "compiled", "out_types", "device", "handlers", "_launch")

    def __init__(self, func: Func, device=None):
        self.func = func
        self.device = device or default_device()
        self.compiled = compile_cache.compile(to_text(lower(func)), [self.device])
        self.out_types = [r.type for r in func.results]
        # float0 values are held as booleans, as they are lowered
        self.handlers = pjrt.result_handlers(
            [(t.shape, np.dtype(np.bool_) if t.dtype == float0 else t.dtype, t.weak) for t in self.out_types],
            self.device)
        self._launch = pjrt.launcher(self.compiled, self.handlers)

    def run(self, bufs):
        """Run on device buffers; returns the outputs as Arrays."""
        return list(map(Array, self._launch(bufs), self.out_types))

    def __call__(self, args):
        return self.run([a._buf for a in args])


_op_cache = {}


def _attrs_key(attrs):
    """attrs as a key, cheaply: most attribute values (ints, tuples, dtypes) are hashable as they are; the
    class of each keeps 1, 1.0 and True apart. Arrays and lists take the general route."""
    key = tuple([(k, v.__class__, v) for k, v in attrs.items()])
    try:
        hash(key)
    except TypeError:
        return attrs_key(attrs)
    return key


def apply_primitive(prim, args, attrs, regions=()):
    """Run one primitive eagerly: compiled once per (primitive, operand types, attributes, regions)."""
    types = tuple([a.type for a in args])
    if regions:
        # regions are keyed by their text: a region retraced each call (custom rules) still hits the cache
        key = (prim, types, attrs_key(attrs), tuple(print_func(Func("r", r)) for r in regions))
    elif attrs:
        key = (prim, types, _attrs_key(attrs))
    else:
        key = (prim, types)
    exe = _op_cache.get(key)
    if exe is None:
        b = Builder()
        params = [b.arg(a.type) for a in args]
        b.ret(*b.emit(prim, params, attrs, regions))
        exe = _op_cache[key] = Executable(Func(prim, b.block))
    return exe.run([a._buf for a in args])
