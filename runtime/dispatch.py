"""Eager primitives: each runs as a cached executable per (primitive, attributes, operand types, device), or
as an SPMD program over the mesh of its sharded operands."""
import numpy as np

from ..ir.builder import Builder
from ..ir.core import Func, attrs_key, is_built
from ..ir.printer import print_func
from ..ir.types import TensorType, float0
from . import pjrt, spmd
from .array import Array, check_live
from .mesh import current_mesh
from .executable import Executable, placement, to_device


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


# ops whose regions past the first are derivative rules: running the op runs only the first region, so only
# it keys the executable (printing a rule would trace it: JAX never calls a rule that is not differentiated)
_RULE_REGIONS = ("custom_jvp_call", "custom_vjp_call")


def _regions_key(prim, regions):
    if prim in _RULE_REGIONS:
        regions = regions[:1]
    return tuple(print_func(Func("r", r)) for r in regions)


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


# Primitives that run eagerly as Python, not compiled: name -> impl(args, attrs) -> outputs. The front end
# fills it (checkify's `check`, which raises on the host, as JAX's check_p impl does).
PYTHON_IMPLS = {}


def apply_primitive(prim, args, attrs, regions=()):
    """Run one primitive eagerly on Arrays: compiled once per (primitive, operand types, attributes,
    regions, device); on sharded Arrays, as one SPMD program over their mesh."""
    if prim in _MESH_OPS:
        return _apply_sharded(prim, args, attrs, regions, (attrs["mesh"], attrs["device_ids"]))
    if prim in PYTHON_IMPLS:
        return PYTHON_IMPLS[prim](args, attrs)
    if regions:
        # a body that holds a mesh op (a jit of a shard_map or pmap, staged as a call) runs over that mesh
        ir_mesh = _region_mesh(regions)
        if ir_mesh is not None:
            return _apply_sharded(prim, args, attrs, regions, ir_mesh)
    for a in args:           # a loop, not any([...]): this is the hot path of every eager op
        if a.__class__ is Array and a._sharding.__class__ is not _single:
            return _apply_sharded(prim, args, attrs, regions)
    if "out_sharding" in attrs:
        # a result sharded over Explicit axes of unsharded operands: over the set_mesh mesh; without one the
        # layout has no devices to name, and the value is computed on one device
        mesh = current_mesh()
        if mesh is not None:
            return _apply_sharded(prim, args, attrs, regions, spmd.mesh_attrs(mesh))
        attrs = {k: v for k, v in attrs.items() if k != "out_sharding"}
    device, committed = placement(args)
    types = tuple([_type(a) for a in args])
    if regions:
        # regions are keyed by their text: a region retraced each call (custom rules) still hits the cache
        key = (prim, types, attrs_key(attrs), _regions_key(prim, regions), device)
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
_MESH_OPS = ("sharding_constraint", "reshard", "shard_map")     # ops that name a mesh: they run as SPMD programs over it


def _region_mesh(regions):
    """(mesh axes, device ids) of the first mesh op in `regions`, or None when they hold none."""
    for r in regions:
        if not is_built(r):      # a custom rule not yet traced: reading it would run the user's rule
            continue
        for op in r.walk():
            if op.prim in _MESH_OPS:
                return op.attrs["mesh"], op.attrs["device_ids"]
    return None


def _apply_sharded(prim, args, attrs, regions, ir_mesh=None):
    """One primitive on sharded Arrays, with their shardings (XLA chooses the outputs', unless their types
    give them); ir_mesh: the mesh (IR form) the op or its regions name, or the set_mesh mesh where no
    operand names one."""
    key = (prim, tuple([_type(a) for a in args]), attrs_key(attrs),
           _regions_key(prim, regions))
    func = _sharded_op_cache.get(key)
    if func is None:
        b = Builder()
        params = [b.arg(t) for t in key[1]]
        b.ret(*b.emit(prim, params, attrs, regions))
        func = _sharded_op_cache[key] = Func(prim, b.block)
    cache = _sharded_op_cache.setdefault((key, "executables"), {})
    return spmd.run(func, list(args), 0, cache, [None] * len(args), [None] * len(func.results), ir_mesh)[0]
