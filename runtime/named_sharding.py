"""NamedSharding(mesh, spec): jaxlib's C++ GSPMDSharding (which its array, result-handler and jit code read)
with the mesh and spec, and the Python attributes jaxlib and JAX users read, attached. jaxlib's own
NamedSharding cannot be used: its constructor imports JAX."""
import math

import numpy as np

from ..ir.types import TensorType, type_sharding
from . import pjrt
from .mesh import AbstractMesh, AxisType, Mesh, PartitionSpec


class DuplicateSpecError(Exception):
    """A mesh axis named twice in one PartitionSpec (JAX's name and message)."""

    def __init__(self, message, mesh, spec):
        super().__init__(message)
        self.message, self.mesh, self.spec = message, mesh, spec

    def __str__(self):
        return self.message


class IndivisibleError(ValueError):
    """A dimension not divisible by the number of shards it is split into (JAX raises it by this name)."""


def check_spec(mesh, spec):
    """Raise as JAX does for a spec naming an axis the mesh lacks, or one axis twice."""
    if not isinstance(spec, PartitionSpec):
        raise TypeError(f"NamedSharding spec must be a PartitionSpec (lintra.P), got {spec!r} of type "
                        f"{type(spec).__name__}")
    seen = set()
    for dim in range(len(spec)):
        for name in spec.axes_of(dim):
            if name not in mesh.axis_names:
                raise ValueError(f"Resource axis: {name} of {spec} is not found in mesh: {mesh.axis_names}.")
            if name in seen:
                raise DuplicateSpecError(
                    f"A single NamedSharding spec specification can map every mesh axis to at most one positional "
                    f"dimension, but {spec} has duplicate entries for `{name}`", mesh, spec)
            seen.add(name)


def hlo_sharding(mesh, spec, ndim):
    """The XLA sharding of a rank-`ndim` array split by `spec` over `mesh`, built as JAX's
    named_sharding_to_xla_hlo_sharding builds it (partition ids laid out in the mesh's shape)."""
    sizes = dict(zip(mesh.axis_names, mesh.axis_sizes))
    position = {n: i for i, n in enumerate(mesh.axis_names)}
    dims, perm = [], []
    for d in range(ndim):
        axes = spec.axes_of(d)
        dims.append(math.prod(sizes[a] for a in axes))
        perm += [position[a] for a in axes if sizes[a] > 1]      # a size-1 axis splits nothing
    replicated = [position[n] for n in mesh.axis_names if position[n] not in perm and sizes[n] > 1]
    if not perm:
        return pjrt.HloSharding.replicate()
    perm += replicated + [position[n] for n in mesh.axis_names if position[n] not in perm + replicated]
    if replicated:
        dims.append(math.prod(mesh.axis_sizes[i] for i in replicated))
    return pjrt.iota_tile(dims, mesh.axis_sizes, perm, bool(replicated))


class NamedSharding(pjrt.GSPMDSharding):
    """NamedSharding(mesh, spec, *, memory_kind=None): arrays split over `mesh` as `spec` says."""

    def __init__(self, mesh, spec, *, memory_kind=None):
        if isinstance(mesh, AbstractMesh):
            raise TypeError("a NamedSharding over an AbstractMesh has no devices; Lintra needs a concrete Mesh")
        if not isinstance(mesh, Mesh):
            raise TypeError(f"NamedSharding mesh must be a Mesh, got {mesh!r} of type {type(mesh).__name__}")
        check_spec(mesh, spec)
        super().__init__(pjrt.device_list(mesh.devices.flat), hlo_sharding(mesh, spec, len(spec)))
        self.mesh, self.spec, self._kind = mesh, spec, memory_kind
        self._hlo = {}

    # C++ compares the shardings of jit arguments with these (a subclass is not hashed in C++)
    def __eq__(self, other):
        return (self is other or type(other) is NamedSharding and other.spec == self.spec
                and other.mesh == self.mesh and other._kind == self._kind)

    def __hash__(self):
        return hash((self.mesh, self.spec, self._kind))

    def __repr__(self):
        return f"NamedSharding(mesh={self.mesh}, spec={self.spec}, memory_kind={self.memory_kind})"

    def __reduce__(self):
        return (_rebuild, (self.mesh, self.spec, self._kind))

    def _to_xla_hlo_sharding(self, ndim):
        hit = self._hlo.get(ndim)
        if hit is None:
            hit = self._hlo[ndim] = hlo_sharding(self.mesh, self.spec, ndim)
        return hit

    @property
    def memory_kind(self):
        return self._kind or "device"

    @property
    def _device_assignment(self):
        return tuple(self.mesh.devices.flat)

    @property
    def device_set(self):
        return set(self.mesh.devices.flat)

    @property
    def addressable_devices(self):
        return set(self.mesh.local_devices)

    @property
    def num_devices(self):
        return self.mesh.size

    @property
    def is_fully_addressable(self):
        return len(self.mesh.local_devices) == self.mesh.size

    @property
    def is_fully_replicated(self):
        return all(self.mesh.shape[a] == 1 for d in range(len(self.spec)) for a in self.spec.axes_of(d))

    def with_spec(self, spec):
        return NamedSharding(self.mesh, spec if isinstance(spec, PartitionSpec) else PartitionSpec(*spec),
                             memory_kind=self._kind)

    def is_equivalent_to(self, other, ndim):
        """Whether arrays of rank `ndim` are laid out alike under both shardings (e.g. P('x') and
        P('x', None))."""
        if self == other:
            return True
        devices = getattr(other, "_device_assignment", None)
        return (devices is not None and tuple(devices) == self._device_assignment
                and other._to_xla_hlo_sharding(ndim) == self._to_xla_hlo_sharding(ndim))

    def is_equivalent_to_hlo(self, hlo, ndim):
        return self._to_xla_hlo_sharding(ndim) == hlo

    def check_shape(self, shape):
        """Raise as JAX does unless `shape` has at least len(spec) dimensions, each divisible by its shards."""
        if len(shape) < len(self.spec):
            extra = " For scalars the PartitionSpec should be P()" if not shape else ""
            raise ValueError(f"PartitionSpec {self.spec} is only valid for values of rank at least {len(self.spec)}, "
                             f"but was applied to a value of rank {len(shape)}.{extra}")
        counts = self.shard_counts(len(shape))
        if any(n % k for n, k in zip(shape, counts)):
            raise IndivisibleError(
                f"Sharding {self} implies that array axis {next(i for i, (n, k) in enumerate(zip(shape, counts)) if n % k)}"
                f" is partitioned {next(k for n, k in zip(shape, counts) if n % k)} times, but the dimension size is "
                f"{next(n for n, k in zip(shape, counts) if n % k)} (full shape: {tuple(shape)}, per-dimension tiling "
                f"factors: {list(counts)} should evenly divide the shape)")

    def _shard_arg(self, x):
        """x (an array or host value that jaxlib's jit cannot lay out itself) laid out as this sharding says."""
        if x.__class__ is pjrt.ArrayImpl:
            return put(x._value(), x.aval, self, x._committed)
        value = np.asarray(x)
        if not pjrt.enable_x64.value and value.dtype.itemsize == 8 and value.dtype.kind in "iuf":
            value = value.astype(value.dtype.kind + "4")       # as jaxlib canonicalizes host values
        elif not pjrt.enable_x64.value and value.dtype == np.complex128:
            value = value.astype(np.complex64)
        return put(value, TensorType(value.shape, value.dtype, isinstance(x, (int, float, complex))), self, False)

    def shard_counts(self, ndim):
        sizes = self.mesh.shape
        return [math.prod(sizes[a] for a in self.spec.axes_of(d)) for d in range(ndim)]

    def shard_shape(self, global_shape):
        self.check_shape(global_shape)
        return tuple(n // k for n, k in zip(global_shape, self.shard_counts(len(global_shape))))

    def _placement(self, shape):
        """[(device, index, replica_id)] in mesh order: the slice of the global array each device holds, and
        which copy of it that is."""
        names, sizes = self.mesh.axis_names, self.mesh.axis_sizes
        used = {a for d in range(len(self.spec)) for a in self.spec.axes_of(d)}
        out = []
        for pos, device in zip(_positions(sizes), self.mesh.devices.flat):
            coord = dict(zip(names, pos))
            index = []
            for d, n in enumerate(shape):
                axes = self.spec.axes_of(d)
                if not axes:
                    index.append(slice(None))
                    continue
                block, count = 0, 1
                for a in axes:
                    block, count = block * self.mesh.shape[a] + coord[a], count * self.mesh.shape[a]
                size = n // count
                index.append(slice(block * size, (block + 1) * size))
            replica = 0
            for n, s in zip(names, sizes):
                if n not in used:
                    replica = replica * s + coord[n]
            out.append((device, tuple(index), replica))
        return out

    def devices_indices_map(self, global_shape):
        return {d: index for d, index, _ in self._placement(global_shape)}


def _positions(sizes):
    """Every coordinate of a mesh of these sizes, in row-major (device) order."""
    out = [()]
    for s in sizes:
        out = [p + (i,) for p in out for i in range(s)]
    return out


def _rebuild(mesh, spec, kind):
    return NamedSharding(mesh, spec, memory_kind=kind)


def explicit_spec(mesh, spec, ndim):
    """The part of `spec` over `mesh`'s Explicit axes, as a type's sharding (None when it splits nothing)."""
    explicit = {n for n, t in zip(mesh.axis_names, mesh.axis_types) if t is AxisType.Explicit}
    if not explicit:
        return None
    return type_sharding([tuple(a for a in spec.axes_of(d) if a in explicit) for d in range(ndim)], ndim)


def typed(aval, sharding):
    """aval as the type of an array laid out as `sharding`: split over a mesh's Explicit axes, the type says
    so (JAX's sharding-in-types); on one device, or over Auto axes, it does not."""
    s = explicit_spec(sharding.mesh, sharding.spec, aval.ndim) if isinstance(sharding, NamedSharding) else None
    return aval if aval.sharding == s else aval._replace(sharding=s)


def put(value, aval, sharding, committed=True):
    """A host value as one global Array of type `aval` split as `sharding` says (each device its shard)."""
    aval = typed(aval, sharding)
    sharding.check_shape(value.shape)
    placed = sharding._placement(value.shape)
    shards = [np.ascontiguousarray(value[index]) for _, index, _ in placed]
    return pjrt.put_shards(aval, sharding, shards, [d for d, _, _ in placed], committed)
