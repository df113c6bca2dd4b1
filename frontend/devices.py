"""Devices and transfers: devices(), device_put, device_get, default_backend, block_until_ready."""
import numpy as np

from ..runtime import pjrt
from ..runtime.array import Array
from ..runtime.dispatch import device_put as _put
from . import tree
from .core import Tracer, host_value


def devices(backend=None):
    return list(pjrt.client(backend).devices())


def device_count(backend=None):
    return len(devices(backend))


def default_backend():
    return pjrt.client().platform


def device_put(x, device=None):
    """Put every leaf of the pytree `x` on `device` as an Array committed to it; without a device, arrays
    stay where they are and host values go to the default device, uncommitted (as in JAX)."""
    if device is not None and not isinstance(device, pjrt.Device):
        raise TypeError(f"device_put: expected a device (an element of lintra.devices()), got {device!r} of type "
                        f"{type(device).__name__}")

    def put(leaf):
        if isinstance(leaf, Tracer):
            return leaf
        if isinstance(leaf, Array):
            if device is None or (leaf.device == device and leaf.committed):
                return leaf
            return pjrt.copy_to_device(leaf, device, True)
        value, weak = host_value(leaf)
        return _put(value, device, weak)
    return tree.map(put, x)


def device_get(x):
    return tree.map(lambda leaf: np.asarray(leaf) if isinstance(leaf, Array) else leaf, x)


def block_until_ready(x):
    for leaf in tree.leaves(x):
        if isinstance(leaf, Array):
            leaf.block_until_ready()
    return x
