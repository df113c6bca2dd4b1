"""Sharded arrays and SPMD executables: one program partitioned over a mesh by XLA (Shardy), arrays as one
global ArrayImpl of shards. A mismatched input sharding crashes jaxlib 0.10.2 inside execute, so every
launch from Python checks each input against the compiled sharding first."""
import itertools

import numpy as np

from ..ir.core import Block, Func, Op, Value
from ..ir.types import float0
from ..lowering.lower import lower_text
from . import compile_cache, pjrt
from .array import Array
from .executable import Executable, _storage
from .narrow_dtypes import check_runnable
from .mesh import AxisType, Mesh, PartitionSpec, known_mesh
from .named_sharding import NamedSharding, put, typed


def is_sharded(a):
    return a.__class__ is Array and a._sharding.__class__ is not pjrt.SingleDeviceSharding


def mesh_attrs(mesh):
    """The IR/lowering form of a mesh: ((axis, size), ...) and its device ids in partition order."""
    return tuple(zip(mesh.axis_names, mesh.axis_sizes)), mesh._device_ids


def spec_attr(spec, ndim):
    """The IR/lowering form of a spec for a rank-`ndim` value: the axes splitting each dimension."""
    return tuple(spec.axes_of(d) for d in range(ndim))


def mesh_from_attrs(axes, device_ids):
    known = known_mesh(device_ids, [s for _, s in axes], [n for n, _ in axes])
    if known is not None:
        return known
    by_id = {d.id: d for d in pjrt.client().devices()}
    devices = np.array([by_id[i] for i in device_ids], dtype=object).reshape([s for _, s in axes])
    return Mesh(devices, tuple(n for n, _ in axes))


def named_from_hlo(mesh, hlo, ndim):
    """The NamedSharding over `mesh` that lays a rank-`ndim` array out as XLA's `hlo` sharding does, preferring
    specs that name the fewest axes (so a replicated value reads as P())."""
    names = [n for n in mesh.axis_names if mesh.shape[n] > 1]
    for used in range(len(names) + 1):
        for axes in itertools.permutations(names, used):
            for dims in itertools.product(range(ndim), repeat=used):
                per_dim = [tuple(a for a, d in zip(axes, dims) if d == k) for k in range(ndim)]
                if any(list(p) != sorted(p, key=axes.index) for p in per_dim):
                    continue
                while per_dim and not per_dim[-1]:
                    per_dim.pop()
                spec = PartitionSpec(*[p or None for p in per_dim])
                s = NamedSharding(mesh, spec)
                if s._to_xla_hlo_sharding(ndim) == hlo:
                    return s
    raise NotImplementedError(f"XLA chose the sharding {hlo} for a rank-{ndim} value, which no PartitionSpec over "
                              f"{mesh} expresses")


# ---- sharded arrays -----------------------------------------------------------------------------------------

def gather(array) -> np.ndarray:
    """The value of a sharded Array, read shard by shard (each replica-0 shard written where it belongs)."""
    sharding = array._sharding
    out = np.empty(array.aval.shape, array.aval.dtype)
    where = {d: (index, replica) for d, index, replica in sharding._placement(array.aval.shape)}
    for shard in pjrt.shards_of(array):
        index, replica = where[shard._sharding._device]
        if replica == 0:
            out[index] = _read(shard)
    return out


def _read(shard):
    """A shard's value, leaving no view of its buffer behind: a live view is an external reference, which
    stops XLA from donating the buffer (the array could not be donated after a host read)."""
    try:
        return np.asarray(memoryview(shard))   # copied into the caller's array, then dropped
    except BufferError:                         # bfloat16 (no buffer-protocol format), device memory
        v, _ = shard._single_device_array_to_np_array_did_copy()
        return v


class Shard:
    """One device's piece of an Array: `index` into the global array, `replica_id` (which copy), `data`."""
    __slots__ = ("device", "index", "replica_id", "data")

    def __init__(self, device, index, replica_id, data):
        self.device, self.index, self.replica_id, self.data = device, index, replica_id, data

    def __repr__(self):
        return f"Shard(device={self.device!r}, index={self.index}, replica_id={self.replica_id}, data={self.data})"


def addressable_shards(array):
    sharding = array._sharding
    if not is_sharded(array):
        return [Shard(sharding._device, (slice(None),) * array.ndim, 0, array)]
    where = {d: (index, replica) for d, index, replica in sharding._placement(array.aval.shape)}
    # jaxlib gives the shards no aval without JAX: each gets its own (the shard's shape)
    aval = array.aval.update(shape=sharding.shard_shape(array.aval.shape)).unsharded()   # one device each
    return [Shard(s._sharding._device, *where[s._sharding._device],
                  Array(aval, s._sharding, [s], array._committed, _skip_checks=True)) for s in pjrt.shards_of(array)]


def reshard(array, sharding, committed=True):
    """`array` laid out as `sharding` says, on device: between shardings over the same devices a compiled
    identity whose input has the old sharding and whose output the new (XLA inserts the collectives); from
    one device to a mesh, each shard sliced there and copied to its device; from a mesh to one device, the
    array replicated by the identity and one copy taken. Only between different device sets does the value go
    through the host, and between meshes whose axes differ (the identity's one mesh cannot name both)."""
    if not is_sharded(array):
        if isinstance(sharding, NamedSharding):
            return _scatter(array, sharding, committed)
        return pjrt.copy_to_device(array, sharding._device, committed)
    old = array._sharding
    if isinstance(sharding, NamedSharding) and old._device_assignment == sharding._device_assignment and \
            _same_axes(old.mesh, sharding.mesh):
        return _identity(array.aval, old, sharding)([array], committed)[0]
    if not isinstance(sharding, NamedSharding) and sharding._device in old.device_set:
        replicated = NamedSharding(old.mesh, PartitionSpec())
        whole = array if old.is_equivalent_to(replicated, array.ndim) else \
            _identity(array.aval, old, replicated)([array], committed)[0]
        shard = next(s for s in pjrt.shards_of(whole) if s._sharding._device == sharding._device)
        return Array(array.aval.unsharded(), sharding, [shard], committed, _skip_checks=True)
    value = array._value()
    if isinstance(sharding, NamedSharding):
        return put(value, array.aval, sharding, committed)
    return pjrt.device_put(np.ascontiguousarray(value), array.aval, sharding._device, committed)


def _same_axes(a, b):
    return a.axis_names == b.axis_names and a.devices.shape == b.devices.shape


_identities = {}


def _identity(aval, old, new):
    """The SPMD executable that lays an `aval` array sharded as `old` out as `new` (one per signature)."""
    key = (aval.shape, aval.dtype, aval.weak_type, old, new)
    exe = _identities.get(key)
    if exe is None:
        x = Value(_storage(aval).unsharded())      # the layouts are the given shardings, not the IR's types
        exe = _identities[key] = SpmdExecutable(Func("reshard", Block([x], [], [x])), old.mesh, [old], [new])
    return exe


_slicers = {}


def _scatter(array, sharding, committed):
    """A single-device `array` split as `sharding` says: its distinct shards sliced on its device by one
    compiled program, then each copied to the devices that hold it."""
    aval, device = array.aval, array._sharding._device
    placed = sharding._placement(aval.shape)
    indices = list(dict.fromkeys(tuple((s.start or 0, s.stop) for s in index) for _, index, _ in placed))
    key = (aval.shape, aval.dtype, aval.weak_type, device, tuple(indices))
    exe = _slicers.get(key)
    if exe is None:
        x = Value(_storage(aval))
        ops = [Op("slice", [x], [Value(x.type.update(shape=tuple((stop or n) - start for (start, stop), n in
                                                                   zip(index, aval.shape))))],
                  dict(start_indices=tuple(start for start, _ in index),
                       limit_indices=tuple(stop or n for (_, stop), n in zip(index, aval.shape))))
               for index in indices]
        exe = _slicers[key] = Executable(Func("scatter", Block([x], ops, [op.results[0] for op in ops])), device)
    pieces = dict(zip(indices, exe.run([array], True)))
    shards = [pieces[tuple((s.start or 0, s.stop) for s in index)] for _, index, _ in placed]
    return pjrt.put_shards(typed(aval, sharding), sharding, shards, [d for d, _, _ in placed], committed)


def _device(self):
    if is_sharded(self):
        raise ValueError("Length of devices is greater than 1. Please use `.devices()`.")
    return self._sharding._device


pjrt._attach(
    Array,
    _gather=gather,
    device=property(_device),
    devices=lambda self: set(self._sharding.device_set),
    addressable_shards=property(addressable_shards),
    is_fully_addressable=property(lambda self: self._sharding.is_fully_addressable),
    is_fully_replicated=property(lambda self: self._sharding.is_fully_replicated),
)


# ---- SPMD executables -------------------------------------------------------------------------------------

def mismatch_error(expected, got, aval):
    return ValueError(f"Sharding passed to jit does not match the sharding on the respective arg. Got jit sharding: "
                      f"{expected},\narg sharding: {got} for arg type: {aval}")


class SpmdExecutable:
    """An IR function compiled as one SPMD program over `mesh`. in/out_shardings hold a NamedSharding per
    argument/result, or None where XLA chooses (read back after compiling)."""

    def __init__(self, func, mesh, in_shardings, out_shardings, donated=()):
        self.func, self.mesh = func, mesh
        check_runnable(func)
        args, results = [a.type for a in func.args], [r.type for r in func.results]
        out_shardings = typed_out_shardings(mesh, out_shardings, results)
        for s, t in zip(list(in_shardings) + list(out_shardings), args + results):
            if s is not None:
                s.check_shape(t.shape)
        spmd = spmd_attrs(mesh, in_shardings, out_shardings, func)
        devices = list(mesh.devices.flat)
        options = pjrt.spmd_compile_options(devices, [s is None for s in in_shardings],
                                            [s is None for s in out_shardings])
        self.compiled = compile_cache.compile(lower_text(func, donated=donated, spmd=spmd), devices, options,
                                              name=func.name)
        params, outs = pjrt.compiled_shardings(self.compiled, len(args), len(results))
        self.in_shardings = [s or named_from_hlo(mesh, h, t.ndim) for s, h, t in zip(in_shardings, params, args)]
        # as JAX: an output laid out like an input reads as that input's sharding
        known = [s for s in self.in_shardings if s is not None]
        self.out_shardings = [s or next((k for k in known if len(k.spec) == t.ndim and k.is_equivalent_to_hlo(h, t.ndim)),
                                        None) or named_from_hlo(mesh, h, t.ndim)
                              for s, h, t in zip(out_shardings, outs, results)]
        for s, t in zip(self.out_shardings, results):
            s.check_shape(t.shape)
        # each output's type says how it is laid out over the Explicit axes; on a mesh without any, the IR's
        # type stands (inside explicit_axes, axes the concrete mesh calls Auto are Explicit)
        explicit = any(t is AxisType.Explicit for t in mesh.axis_types)
        self.out_types = results = [typed(t, s) if explicit or t.sharding is None else t
                                    for t, s in zip(results, self.out_shardings)]
        self.float0_out = [i for i, t in enumerate(results) if t.dtype == float0]
        avals = [_storage(t) for t in results]
        self._launch = {c: pjrt.launcher(self.compiled, pjrt.sharded_result_handlers(avals, self.out_shardings, c))
                        for c in (False, True)}

    def prepare(self, arrays):
        """The inputs laid out as compiled: uncommitted ones resharded, a committed one laid out otherwise
        rejected (it must never reach XLA)."""
        out = []
        for a, s, t in zip(arrays, self.in_shardings, self.func.args):
            if a.__class__ is not Array:          # float0: host zeros, lowered as booleans
                a = put(np.zeros(a.shape, np.bool_), _storage(t.type), s, False)
            elif not s.is_equivalent_to(a._sharding, a.ndim):
                if a._committed:
                    raise mismatch_error(s, a._sharding, a.aval)
                a = reshard(a, s, False)
            out.append(a)
        return out

    def __call__(self, arrays, committed=False):
        outs = self._launch[committed](self.prepare(arrays))
        for i in self.float0_out:
            outs[i] = np.zeros(self.out_types[i].shape, float0)
        return outs


def typed_out_shardings(mesh, out_shardings, result_types):
    """The output shardings, where unspecified on a mesh with Explicit axes those the results' types give (as
    JAX: an explicitly sharded value leaves jit laid out as its type says; a replicated one replicated)."""
    if not any(t is AxisType.Explicit for t in mesh.axis_types):
        return list(out_shardings)
    return [s if s is not None else NamedSharding(mesh, PartitionSpec(*[a or None for a in t.sharding or ((),) * t.ndim]))
            for s, t in zip(out_shardings, result_types)]


def spmd_attrs(mesh, in_shardings, out_shardings, func):
    """What lowering needs to make `func` an SPMD program over `mesh` with these shardings (None: unspecified)."""
    out_shardings = typed_out_shardings(mesh, out_shardings, [r.type for r in func.results])
    axes, ids = mesh_attrs(mesh)
    return (axes, ids, [None if s is None else spec_attr(s.spec, a.type.ndim) for s, a in zip(in_shardings, func.args)],
            [None if s is None else spec_attr(s.spec, r.type.ndim) for s, r in zip(out_shardings, func.results)])


def computation_mesh(arrays, shardings, ir_mesh):
    """The mesh a computation on `arrays` runs over, from the given shardings, the sharded arrays and the
    mesh its sharding constraints name; None when none of them names one. Two meshes, or an input committed
    to one device beside a mesh, are an error (as in JAX)."""
    meshes = {s.mesh for s in shardings if s is not None}
    meshes |= {a._sharding.mesh for a in arrays if is_sharded(a)}
    if ir_mesh is not None:
        meshes.add(mesh_from_attrs(*ir_mesh))
    if not meshes:
        return None
    if len({(m._device_ids, m.devices.shape, m.axis_names) for m in meshes}) > 1:
        raise ValueError(f"Received incompatible devices for jitted computation: the arguments, shardings and "
                         f"sharding constraints name different meshes: {sorted(map(str, meshes))}")
    mesh = next(iter(meshes))
    for a in arrays:
        if a.__class__ is Array and a._committed and not is_sharded(a) and mesh.size > 1:
            raise ValueError(f"Received incompatible devices for jitted computation. Got an argument of type "
                             f"{a.aval} committed to {a._sharding._device} and a computation over {mesh}")
    return mesh


def run(func, arrays, n_consts, cache, in_shardings, out_shardings, ir_mesh, donated=()):
    """Run `func` (captured constants first) as an SPMD program over the mesh its arguments, shardings or
    sharding constraints name, compiling into `cache` once per layout: (outputs, the executable, the inputs
    as laid out, whether C++ may replay the call), or None when no mesh is named."""
    ins = [None] * n_consts + list(in_shardings)
    mesh = computation_mesh(arrays, ins + list(out_shardings), ir_mesh)
    if mesh is None:
        return None
    ins = [s if s is not None or not is_sharded(a) else a._sharding for s, a in zip(ins, arrays)]
    key = (mesh, tuple(ins), tuple(out_shardings), donated)
    exe = cache.get(key)
    if exe is None:
        exe = cache[key] = SpmdExecutable(func, mesh, ins, out_shardings, donated)
    committed = any(a.__class__ is Array and a._committed for a in arrays) or any(
        s is not None for s in list(in_shardings) + list(out_shardings)) or ir_mesh is not None
    prepared = exe.prepare(arrays)
    outs = exe._launch[committed](prepared)
    for i in exe.float0_out:
        outs[i] = np.zeros(exe.out_types[i].shape, float0)
    # an uncommitted sharded input laid out anew here would reach C++ unchanged on a replay: keep such calls
    # (and float0 values, which live on the host) in Python
    replayable = not exe.float0_out and all(
        b is a or not is_sharded(a) for a, b in zip(arrays[n_consts:], prepared[n_consts:]))
    return outs, exe, prepared, committed, replayable
