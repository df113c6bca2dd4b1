"""Compile-and-run: IR functions to cached executables, host transfers, eager primitives, and where a
computation runs (devices follow data: on the device its committed inputs are on, else the default)."""
import numpy as np

from ..ir.builder import Builder
from ..ir.core import Func, attrs_key
from ..ir.printer import print_func
from ..ir.types import TensorType, float0
from ..lowering.lower import lower_text
from . import compile_cache, pjrt, spmd
from .array import Array, check_live


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
_SCALARS_KEPT = 1024


def device_put(x, device=None, weak=False, committed=None):
    """A host value (already of a dtype Lintra supports) as an Array on `device` (default: the default
    device), committed to it when a device is named. float0 values stay on the host, as in JAX."""
    x = np.asarray(x)
    if x.dtype == float0:
        return x
    if committed is None:
        committed = device is not None
    device = device or default_device()
    if x.ndim == 0:
        # the same few scalars (Python numbers, IR constants) recur on every eager call; Arrays are immutable,
        # so one device copy each serves them all
        key = (x.dtype, weak, x.tobytes(), device, committed)
        hit = _scalars.get(key)
        if hit is None:
            if len(_scalars) >= _SCALARS_KEPT:
                _scalars.clear()
            # a private copy: a zero-copy transfer of the caller's array would change if they mutated it
            hit = _scalars[key] = pjrt.device_put(x.copy(), TensorType((), x.dtype, weak), device, committed)
        return hit
    return pjrt.device_put(x, TensorType(x.shape, x.dtype, weak), device, committed)


def _storage(t: TensorType):
    """The aval an output of type `t` is held under: float0 values as the booleans they are lowered as."""
    return TensorType(t.shape, np.dtype(np.bool_), False) if t.dtype == float0 else t


class Executable:
    """A compiled IR function on one device: its executable and what its outputs are."""
    __slots__ = ("func", "compiled", "out_types", "device", "_launch", "float0_out", "float0_in")

    def __init__(self, func: Func, device=None, donated=()):
        self.func = func
        self.device = device or default_device()
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


_op_cache = {}
_single = pjrt.SingleDeviceSharding
# The invalid values (a subset of "nan", "inf") every eager op checks its outputs for: jax_debug_nans and
# jax_debug_infs. A plain list, set by lintra.config, because the check's test is on the hot path.
float_checks = []


def invalid_value(arrays):
    """The first of float_checks found in `arrays` ("nan" or "inf"), or None."""
    for a in arrays:
        if a.__class__ is Array and a.dtype.kind in "fc":
            v = np.asarray(a)
            for kind in float_checks:
                if (np.isnan(v) if kind == "nan" else np.isinf(v)).any():
                    return kind
    return None


def _check_floats(prim, outs):
    kind = invalid_value(outs)
    if kind is not None:
        raise FloatingPointError(f"invalid value ({kind}) encountered in {prim}")
    return outs


def _attrs_key(attrs):
    """attrs as a key, cheaply: most attribute values (ints, tuples, dtypes) are hashable as they are; the
    class of each keeps 1, 1.0 and True apart. Arrays and lists take the general route."""
    key = tuple([(k, v.__class__, v) for k, v in attrs.items()])
    try:
        hash(key)
    except TypeError:
        return attrs_key(attrs)
    return key


def _type(a):
    return a.aval if a.__class__ is Array else TensorType(a.shape, float0)


def apply_primitive(prim, args, attrs, regions=()):
    """Run one primitive eagerly on Arrays: compiled once per (primitive, operand types, attributes,
    regions, device); on sharded Arrays, as one SPMD program over their mesh."""
    if prim in _MESH_OPS:
        return _apply_sharded(prim, args, attrs, regions)
    for a in args:           # a loop, not any([...]): this is the hot path of every eager op
        if a.__class__ is Array and a._sharding.__class__ is not _single:
            return _apply_sharded(prim, args, attrs, regions)
    device, committed = placement(args)
    types = tuple([_type(a) for a in args])
    if regions:
        # regions are keyed by their text: a region retraced each call (custom rules) still hits the cache
        key = (prim, types, attrs_key(attrs), tuple(print_func(Func("r", r)) for r in regions), device)
    elif attrs:
        key = (prim, types, _attrs_key(attrs), device)
    else:
        key = (prim, types, device)
    exe = _op_cache.get(key)
    if exe is None:
        b = Builder()
        params = [b.arg(t) for t in types]
        b.ret(*b.emit(prim, params, attrs, regions))
        exe = _op_cache[key] = Executable(Func(prim, b.block), device)
    if committed or exe.float0_in:
        args = to_device(args, device)
    try:
        outs = exe.run(args, committed)
    except Exception:
        check_live(args)
        raise
    return _check_floats(prim, outs) if float_checks else outs


_sharded_op_cache = {}
_MESH_OPS = ("sharding_constraint", "shard_map")     # ops that name a mesh: they run as SPMD programs over it


def _apply_sharded(prim, args, attrs, regions):
    """One primitive on sharded Arrays, with their shardings (XLA chooses the outputs')."""
    key = (prim, tuple([_type(a) for a in args]), attrs_key(attrs),
           tuple(print_func(Func("r", r)) for r in regions))
    func = _sharded_op_cache.get(key)
    if func is None:
        b = Builder()
        params = [b.arg(t) for t in key[1]]
        b.ret(*b.emit(prim, params, attrs, regions))
        func = _sharded_op_cache[key] = Func(prim, b.block)
    cache = _sharded_op_cache.setdefault((key, "executables"), {})
    ir_mesh = (attrs["mesh"], attrs["device_ids"]) if prim in _MESH_OPS else None
    return spmd.run(func, list(args), 0, cache, [None] * len(args), [None] * len(func.results), ir_mesh)[0]
