"""Devices and transfers: devices(), device_put, device_get, default_backend, block_until_ready."""
import numpy as np

from ..ir.types import TensorType
from ..runtime import pjrt
from ..runtime.array import Array
from ..runtime.executable import device_put as _put
from ..runtime.mesh import PartitionSpec, current_mesh
from ..runtime.named_sharding import NamedSharding, put as _put_sharded
from ..runtime.spmd import is_sharded, reshard
from . import tree
from .core import Tracer, host_value

Device = pjrt.Device      # jax.Device: what lintra.devices() lists


def devices(backend=None):
    return list(pjrt.client(backend).devices())


def device_count(backend=None):
    return len(devices(backend))


def default_backend():
    return pjrt.client().platform


def device_put(x, device=None):
    """Put every leaf of the pytree `x` on `device` (a device or a sharding) as an Array committed to it;
    without a device, arrays stay where they are and host values go to the default device, uncommitted (as
    in JAX). With a NamedSharding each device gets its shard of the one global Array."""
    if isinstance(device, pjrt.SingleDeviceSharding):
        device = device._device
    if isinstance(device, PartitionSpec):       # as JAX: a spec over the mesh set with set_mesh
        if current_mesh() is None:
            raise ValueError(f"device_put was given the PartitionSpec {device} without a mesh: use "
                             f"lintra.set_mesh(mesh) or a NamedSharding")
        device = NamedSharding(current_mesh(), device)
    if device is not None and not _is_placement(device) and tree.is_tree_node(type(device)):
        # a pytree prefix of x with a device or sharding per subtree (as JAX)
        leaves, treedef = tree.flatten(device, is_leaf=_is_placement)
        return treedef.unflatten([device_put(sub, d) for sub, d in zip(treedef.flatten_up_to(x), leaves)])
    if isinstance(device, NamedSharding):
        return tree.map(lambda leaf: _put_named(leaf, device), x)
    if device is not None and not isinstance(device, pjrt.Device):
        raise TypeError(f"device_put: expected a device (an element of lintra.devices()) or a sharding, got "
                        f"{device!r} of type {type(device).__name__}")

    def put(leaf):
        if isinstance(leaf, Tracer):
            return leaf
        if isinstance(leaf, Array) and is_sharded(leaf):
            return leaf if device is None else reshard(leaf, pjrt.sharding(device), True)
        if isinstance(leaf, Array):
            if device is None or (leaf.device == device and leaf.committed):
                return leaf
            return pjrt.copy_to_device(leaf, device, True)
        value, weak = host_value(leaf)
        return _put(value, device, weak)
    return tree.map(put, x)


def _is_placement(d):
    return d is None or isinstance(d, (pjrt.Device, pjrt.SingleDeviceSharding, NamedSharding, PartitionSpec))


def _put_named(leaf, sharding):
    if isinstance(leaf, Tracer):
        return leaf
    if isinstance(leaf, Array):
        if leaf._committed and leaf._sharding == sharding:
            return leaf
        return reshard(leaf, sharding, True)
    value, weak = host_value(leaf)
    return _put_sharded(value, TensorType(value.shape, value.dtype, weak), sharding, True)


def device_get(x):
    return tree.map(lambda leaf: np.asarray(leaf) if isinstance(leaf, Array) else leaf, x)


def block_until_ready(x):
    for leaf in tree.leaves(x):
        if isinstance(leaf, Array):
            leaf.block_until_ready()
    return x
