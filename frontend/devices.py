"""Devices and transfers: devices(), device_put, device_get, default_backend, block_until_ready."""
import numpy as np

from ..runtime import pjrt
from ..runtime.array import Array
from ..runtime.dispatch import device_put as _put
from . import tree
from .core import Tracer, host_value


def devices(backend=None):
    return list(pjrt.client(backend).devices())


def local_devices(backend=None):
    return list(pjrt.client(backend).local_devices())


def device_count(backend=None):
    return len(devices(backend))


def default_backend():
    return pjrt.client().platform


def device_put(x, device=None):
    """Put every leaf of the pytree `x` on `device` (default: the first device) as an Array."""
    def put(leaf):
        if isinstance(leaf, Tracer):
            return leaf
        if isinstance(leaf, Array):
            if device is None or leaf.device == device:
                return leaf
            return _put(leaf._value(), device, leaf.weak_type)
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
