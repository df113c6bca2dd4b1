"""Meshes and partition specs, as JAX 0.10.2 names and defines them: pure Python (the devices in a Mesh are
jaxlib Device objects, but nothing here calls jaxlib).

A PartitionSpec says, per array dimension, which mesh axes split it: None (not split), an axis name, or a
tuple of names (split over their product, the first name major). Trailing dimensions it does not mention
are not split."""
import collections
import enum
import math
import threading

import numpy as np


class AxisType(enum.Enum):
    """How a mesh axis is partitioned: Auto (the compiler chooses shardings inside jit), Explicit (shardings
    are part of types: an array split over them has a type that says so, and operations follow sharding
    rules) or Manual (inside shard_map)."""
    Auto = enum.auto()
    Explicit = enum.auto()
    Manual = enum.auto()

    def __repr__(self):
        return self.name


class _Unconstrained:
    """The PartitionSpec entry for a dimension whose sharding the compiler may choose."""
    def __repr__(self):
        return "UNCONSTRAINED"

    def __reduce__(self):
        return (_unconstrained, ())


UNCONSTRAINED = _Unconstrained()


def _unconstrained():
    return UNCONSTRAINED


def _canonical_entry(p):
    """An entry as JAX keeps it: a one-name tuple or list is that name; () means None."""
    if isinstance(p, list):
        p = tuple(p)
    if isinstance(p, tuple):
        if len(p) == 0:
            return None
        if len(p) == 1:
            return p[0]
    return p


class PartitionSpec(tuple):
    """PartitionSpec(*entries) (also `lintra.P`): one entry per leading array dimension. A tuple, so it is
    a pytree leaf only because Lintra's registry is never told about it (JAX's reason for a class too)."""
    __slots__ = ()
    UNCONSTRAINED = UNCONSTRAINED

    def __new__(cls, *partitions):
        return super().__new__(cls, tuple(_canonical_entry(p) for p in partitions))

    def __repr__(self):
        return f"P({', '.join(map(repr, self))})" if len(self) != 1 else f"P({self[0]!r},)"

    def __reduce__(self):
        return (PartitionSpec, tuple(self))

    def __getnewargs__(self):
        return tuple(self)

    def __eq__(self, other):
        # as JAX: P('x') != P('x', None) (tuples of different length), and P equals the plain tuple of its
        # entries
        return isinstance(other, tuple) and tuple(self) == tuple(_canonical_entry(p) for p in other)

    def __ne__(self, other):
        return not self == other

    __hash__ = tuple.__hash__

    @property
    def partitions(self):
        return tuple(self)

    def axes_of(self, dim):
        """The mesh axes dimension `dim` is split over, major first (() when not split)."""
        p = self[dim] if dim < len(self) else None
        if p is None or p is UNCONSTRAINED:
            return ()
        return p if isinstance(p, tuple) else (p,)

    def _normalized_spec_for_aval(self, ndim):
        out = [None if p is UNCONSTRAINED else p for p in self] + [None] * (ndim - len(self))
        return PartitionSpec(*out)


P = PartitionSpec


def _check_types(axis_names, axis_types):
    if axis_types is None:
        return (AxisType.Auto,) * len(axis_names)
    if isinstance(axis_types, AxisType):
        axis_types = (axis_types,) * len(axis_names)
    axis_types = tuple(axis_types)
    if len(axis_types) != len(axis_names) or not all(isinstance(t, AxisType) for t in axis_types):
        raise ValueError(f"Number of axis names should match the number of axis_types. Got axis_names="
                         f"{axis_names} and axis_types={axis_types}")
    return axis_types


def _types_text(types):
    return f"axis_types=({', '.join(t.name for t in types)}{',' if len(types) == 1 else ''})"


class AbstractMesh:
    """A mesh's axis names, sizes and types without its devices: what tracing may read."""

    def __init__(self, axis_sizes, axis_names, axis_types=None):
        self.axis_sizes, self.axis_names = tuple(axis_sizes), tuple(axis_names)
        if len(self.axis_sizes) != len(self.axis_names):
            raise ValueError(f"axis_sizes {self.axis_sizes} and axis_names {self.axis_names} differ in length")
        self.axis_types = _check_types(self.axis_names, axis_types)

    @property
    def shape(self):
        return collections.OrderedDict(zip(self.axis_names, self.axis_sizes))

    @property
    def shape_tuple(self):
        return tuple(zip(self.axis_names, self.axis_sizes))

    @property
    def size(self):
        return math.prod(self.axis_sizes)

    @property
    def empty(self):
        return not self.axis_names

    @property
    def abstract_mesh(self):
        return self

    def update_axis_types(self, name_to_type):
        """This mesh with the axes named in `name_to_type` of the given types."""
        for n in name_to_type:
            if n not in self.axis_names:
                raise ValueError(f"axis {n!r} is not one of the mesh's axes {self.axis_names}")
        return AbstractMesh(self.axis_sizes, self.axis_names,
                            tuple(name_to_type.get(n, t) for n, t in zip(self.axis_names, self.axis_types)))

    def axes_of_type(self, axis_type):
        return tuple(n for n, t in zip(self.axis_names, self.axis_types) if t is axis_type)

    @property
    def explicit_axes(self):
        return self.axes_of_type(AxisType.Explicit)

    @property
    def auto_axes(self):
        return self.axes_of_type(AxisType.Auto)

    def _key(self):
        return (self.axis_sizes, self.axis_names, self.axis_types)

    def __eq__(self, other):
        return type(other) is type(self) and other._key() == self._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        if self.empty:
            return "AbstractMesh((), axis_types=())"
        axes = ", ".join(f"{n!r}: {s}" for n, s in zip(self.axis_names, self.axis_sizes))
        return f"AbstractMesh({axes}, {_types_text(self.axis_types)})"


# the last Mesh made per (device ids, shape, names): the mesh a program's sharding constraints name (IR keeps
# only those three) is the user's own, axis types included
_known = {}


def known_mesh(device_ids, shape, names):
    return _known.get((tuple(device_ids), tuple(shape), tuple(names)))


class Mesh:
    """Mesh(devices, axis_names, axis_types=None): an ndarray of devices whose axes have names. As a context
    manager (deprecated in JAX in favour of `set_mesh`) it makes the mesh the current physical mesh."""

    def __init__(self, devices, axis_names, axis_types=None):
        devices = np.asarray(devices, dtype=object) if not isinstance(devices, np.ndarray) else devices
        if isinstance(axis_names, str):
            axis_names = (axis_names,)
        axis_names = tuple(axis_names)
        if devices.ndim != len(axis_names):
            raise ValueError(f"Mesh requires the ndim of its first argument (`devices`) to equal the length of its "
                             f"second argument (`axis_names`), but got devices.ndim == {devices.ndim} and "
                             f"len(axis_names) == {len(axis_names)}.")
        if len(set(axis_names)) != len(axis_names):
            raise ValueError(f"Mesh axis names must be unique, got {axis_names}")
        ids = [d.id for d in devices.flat]
        if len(set(ids)) != len(ids):
            raise ValueError(f"Mesh devices must be distinct, got device ids {ids}")
        self.devices = devices.copy()
        self.devices.flags.writeable = False
        self.axis_names = axis_names
        self.axis_types = _check_types(axis_names, axis_types)
        self.abstract_mesh = AbstractMesh(devices.shape, axis_names, self.axis_types)
        self._device_ids = tuple(ids)
        _known[(self._device_ids, self.devices.shape, self.axis_names)] = self

    shape = AbstractMesh.shape
    shape_tuple = AbstractMesh.shape_tuple
    empty = AbstractMesh.empty

    @property
    def axis_sizes(self):
        return self.devices.shape

    @property
    def size(self):
        return self.devices.size

    @property
    def device_ids(self):
        return np.array(self._device_ids).reshape(self.devices.shape)

    @property
    def local_devices(self):
        return [d for d in self.devices.flat if d.process_index == d.client.process_index()]

    def _key(self):
        return (self._device_ids, self.devices.shape, self.axis_names, self.axis_types)

    def __eq__(self, other):
        return type(other) is Mesh and other._key() == self._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return (f"Mesh(axis_sizes={self.devices.shape}, axis_names={self.axis_names}, "
                f"{_types_text(self.axis_types)})")

    def __str__(self):
        if self.empty:
            return "Mesh()"
        axes = ", ".join(f"{n!r}: {s}" for n, s in zip(self.axis_names, self.devices.shape))
        return f"Mesh({axes}, {_types_text(self.axis_types)})"

    def __enter__(self):
        _state.physical.append(self)
        return self

    def __exit__(self, *exc):
        _state.physical.pop()
        return False


class _MeshState(threading.local):
    """The meshes in effect in this thread: `set_mesh` contexts (abstract, read by tracing) and `with mesh:`
    blocks (physical)."""
    def __init__(self):
        self.current, self.physical, self.abstract = [], [], []


_state = _MeshState()
EMPTY_ABSTRACT = AbstractMesh((), ())


def current_mesh():
    """The concrete mesh set by the innermost `set_mesh`/`use_mesh` or `with mesh:`, else None."""
    return (_state.current or _state.physical or [None])[-1]


def get_abstract_mesh():
    """The abstract mesh tracing sees: the innermost use_abstract_mesh (auto_axes/explicit_axes change axis
    types there), else the set_mesh mesh's."""
    if _state.abstract:
        return _state.abstract[-1]
    return _state.current[-1].abstract_mesh if _state.current else EMPTY_ABSTRACT


class use_abstract_mesh:
    """with use_abstract_mesh(am): tracing sees `am` (the current mesh with some axes of other types)."""

    def __init__(self, mesh):
        if not isinstance(mesh, AbstractMesh):
            raise ValueError(f"Expected an AbstractMesh. Got {mesh!r} of type {type(mesh).__name__}")
        self.mesh = mesh

    def __enter__(self):
        _state.abstract.append(self.mesh)
        return self.mesh

    def __exit__(self, *exc):
        _state.abstract.pop()
        return False


class set_mesh:
    """set_mesh(mesh): make `mesh` the current mesh, for the block when used with `with`, else until the next
    set_mesh (as JAX: it returns the previous mesh's context)."""

    def __init__(self, mesh):
        if not isinstance(mesh, Mesh):
            raise ValueError(f"Expected mesh of type `jax.sharding.Mesh`. Got {type(mesh)}")
        self.mesh = mesh
        self.prev = list(_state.current)
        _state.current.append(mesh)

    def __enter__(self):
        return self.mesh

    def __exit__(self, *exc):
        _state.current[:] = self.prev
        return False


use_mesh = set_mesh
