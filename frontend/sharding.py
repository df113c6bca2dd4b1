"""lintra.sharding: meshes, partition specs and shardings (JAX 0.10.2's names), make_mesh, set_mesh and
with_sharding_constraint. Axis types are recorded on meshes, but every axis is partitioned as
AxisType.Auto: sharding-in-types (Explicit axes) is not built yet."""
import math

import numpy as np

from ..runtime import pjrt
from ..runtime.mesh import (AbstractMesh, AxisType, Mesh, P, PartitionSpec, get_abstract_mesh,  # noqa: F401
                            set_mesh, use_mesh)
from ..runtime.named_sharding import DuplicateSpecError, IndivisibleError, NamedSharding  # noqa: F401
from ..runtime.spmd import mesh_attrs, spec_attr
from . import tree
from .core import Tracer, bind1
from .devices import device_put

SingleDeviceSharding = pjrt.SingleDeviceSharding
Sharding = pjrt._jax.Sharding


def make_mesh(axis_shapes, axis_names, axis_types=None, *, devices=None):
    """A Mesh of `devices` (default: all) of shape `axis_shapes`. As JAX 0.10.2, axes are Explicit unless
    `axis_types` says otherwise (recorded only: Lintra partitions every axis as Auto)."""
    axis_shapes, axis_names = tuple(axis_shapes), tuple(axis_names)
    if len(axis_shapes) != len(axis_names):
        raise ValueError(f"Mesh requires the ndim of its first argument (`devices`) to equal the length of its "
                         f"second argument (`axis_names`), but got devices.ndim == {len(axis_shapes)} and "
                         f"len(axis_names) == {len(axis_names)}.")
    devices = list(pjrt.client().devices()) if devices is None else list(devices)
    n = math.prod(axis_shapes)
    if len(devices) < n:
        raise ValueError(f"Number of devices {len(devices)} must be >= the product of mesh_shape {axis_shapes}")
    if axis_types is None:
        axis_types = (AxisType.Explicit,) * len(axis_names)
    array = np.empty(n, dtype=object)
    array[:] = devices[:n]
    return Mesh(array.reshape(axis_shapes), axis_names, axis_types)


def with_sharding_constraint(x, shardings):
    """x (a pytree), asking the partitioner inside jit to lay each leaf out as `shardings` (a sharding, a
    PartitionSpec under set_mesh, or a pytree prefix of them) says; outside jit, x moved to those shardings."""
    leaves, treedef = tree.flatten(x)
    if isinstance(shardings, (NamedSharding, PartitionSpec)):
        per_leaf = [shardings] * len(leaves)
    else:
        sl, st = tree.flatten(shardings, is_leaf=lambda s: isinstance(s, (NamedSharding, PartitionSpec)))
        per_leaf = [s for s, sub in zip(sl, st.flatten_up_to(x)) for _ in tree.leaves(sub)]
    return treedef.unflatten([_constrain(leaf, s) for leaf, s in zip(leaves, per_leaf)])


def _constrain(x, s):
    if isinstance(s, PartitionSpec):
        from ..runtime.mesh import current_mesh
        mesh = current_mesh()
        if mesh is None:
            raise ValueError(f"with_sharding_constraint was given the PartitionSpec {s} without a mesh: use "
                             f"lintra.set_mesh(mesh) or a NamedSharding")
        s = NamedSharding(mesh, s)
    if not isinstance(s, NamedSharding):
        raise TypeError(f"with_sharding_constraint: expected a NamedSharding or PartitionSpec, got {s!r}")
    if not isinstance(x, Tracer):
        return device_put(x, s)
    s.check_shape(x.shape)
    axes, ids = mesh_attrs(s.mesh)
    return bind1("sharding_constraint", x, mesh=axes, device_ids=ids, spec=spec_attr(s.spec, len(x.shape)))
