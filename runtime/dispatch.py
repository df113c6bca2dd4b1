"""Compile-and-run: IR functions to cached executables, host transfers, eager primitives."""
import numpy as np

from ..ir.builder import Builder
from ..ir.core import Func, attrs_key
from ..ir.printer import print_func
from ..ir.types import TensorType, float0
from ..lowering.lower import lower
from . import pjrt
from .array import Array


def default_device():
    return pjrt.client().devices()[0]


def device_put(x, device=None, weak=False) -> Array:
    """A host value (already of a dtype Lintra supports) as an Array on `device`."""
    x = np.asarray(x)
    device = device or default_device()
    t = TensorType(x.shape, x.dtype, weak)
    if x.dtype == float0:         # no data: held on the device as booleans, as it is lowered
        x = np.zeros(x.shape, np.bool_)
    return Array(pjrt.device_put(x, device, weak), t)


class Executable:
    """A compiled IR function: its executable and what its outputs are."""
    __slots__ = ("func", "compiled", "out_types", "device")

    def __init__(self, func: Func, device=None):
        self.func = func
        self.device = device or default_device()
        self.compiled = pjrt.compile(lower(func), [self.device])
        self.out_types = [r.type for r in func.results]

    def __call__(self, args):
        bufs = pjrt.execute(self.compiled, [a._buf for a in args])
        return [Array(b, t) for b, t in zip(bufs, self.out_types)]


_op_cache = {}


def apply_primitive(prim, args, attrs, regions=()):
    """Run one primitive eagerly: compiled once per (primitive, operand types, attributes, regions)."""
    # regions are keyed by their text: a region retraced each call (custom rules) still hits the cache
    key = (prim, tuple(a.type for a in args), attrs_key(attrs), tuple(print_func(Func("r", r)) for r in regions))
    exe = _op_cache.get(key)
    if exe is None:
        b = Builder()
        params = [b.arg(a.type) for a in args]
        b.ret(*b.emit(prim, params, attrs, regions))
        exe = _op_cache[key] = Executable(Func(prim, b.block))
    return exe(args)
