"""The one module of runtime/ that imports jaxlib: PJRT clients, transfers, compile and execute."""
import glob
import os

import numpy as np

# XLA logs every client creation at INFO level; keep the user's terminal quiet unless they ask.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
from jaxlib import _jax, xla_client  # noqa: E402
from jaxlib import version as jaxlib_version  # noqa: E402

# jaxlib records a Python traceback with every executable launch and array it makes (for JAX's error
# messages and profiler); Lintra reads none of them, and taking one is ~10% of a small jit call.
_jax.set_tracebacks_enabled(False)

_clients = {}


def _plugin_library(platform):
    """Where a PJRT plugin for `platform` lives: $LINTRA_PJRT_PLUGIN or an installed jax_plugins wheel."""
    path = os.environ.get("LINTRA_PJRT_PLUGIN")
    if path:
        return path
    try:
        import jax_plugins  # a namespace package installed by e.g. jax-cuda12-plugin; Lintra only reads the .so
        for base in jax_plugins.__path__:
            hits = sorted(glob.glob(os.path.join(base, f"*{platform}*", "*.so")))
            if hits:
                return hits[0]
    except ImportError:
        pass
    return None


def client(platform=None):
    """The PJRT client for `platform` (default: $LINTRA_PLATFORM, else 'cpu'), created once."""
    platform = (platform or os.environ.get("LINTRA_PLATFORM") or "cpu").lower()
    c = _clients.get(platform)
    if c is None:
        if platform == "cpu":
            n = int(os.environ.get("LINTRA_NUM_CPU_DEVICES", "1"))
            c = xla_client.make_cpu_client(num_devices=n)
        else:
            lib = _plugin_library(platform)
            if lib is None:
                raise RuntimeError(f"no PJRT plugin found for platform {platform!r}: install one "
                                   f"(e.g. jax-cuda12-plugin) or set LINTRA_PJRT_PLUGIN to its .so")
            if not xla_client.pjrt_plugin_loaded(platform):
                xla_client.load_pjrt_plugin_dynamically(platform, lib)
            c = xla_client.make_c_api_client(platform)
        _clients[platform] = c
    return c


class _Aval:
    """What batched_device_put needs to know of an array: shape, dtype, weak type."""
    __slots__ = ("shape", "dtype", "weak_type", "ndim")

    def __init__(self, shape, dtype, weak_type=False):
        self.shape, self.dtype, self.weak_type, self.ndim = shape, dtype, weak_type, len(shape)


class Sharding(_jax.SingleDeviceSharding):
    """All of an array on one device (the interface jaxlib's C++ array expects of a sharding)."""

    def __init__(self, device):
        super().__init__(device)
        self._dev = device

    def _to_xla_hlo_sharding(self, ndim):
        return xla_client.HloSharding.replicate()

    memory_kind = property(lambda self: None)
    _device_assignment = property(lambda self: (self._dev,))
    _internal_device_list = property(lambda self: xla_client.DeviceList((self._dev,)))
    is_fully_replicated = property(lambda self: True)
    is_fully_addressable = property(lambda self: True)
    num_devices = property(lambda self: 1)
    device_set = property(lambda self: {self._dev})


_shardings = {}


def sharding(device):
    s = _shardings.get(device)
    if s is None:
        s = _shardings[device] = Sharding(device)
    return s


def device_put(x: np.ndarray, device, weak=False):
    """Copy a host array to `device`; returns a device buffer."""
    return _jax.batched_device_put(_Aval(x.shape, x.dtype, weak), sharding(device), [x], [device], True,
                                   enable_x64=True)


JAXLIB_VERSION = jaxlib_version.__version__


def compile_options():
    return xla_client.CompileOptions()


def compile(module, devices, options=None):
    """Compile a StableHLO module (jaxlib MLIR module or text) for `devices`."""
    return devices[0].client.compile_and_load(module, xla_client.DeviceList(tuple(devices)),
                                              options or compile_options())


def serialize(executable) -> bytes:
    return executable.serialize()


def deserialize(payload: bytes, devices, options=None):
    """A compiled executable back from `serialize`'s bytes (only ever from Lintra's own cache: loading
    one runs its native code)."""
    return devices[0].client.deserialize_executable(payload, xla_client.DeviceList(tuple(devices)),
                                                    options or compile_options())


def backend_info(devices) -> str:
    """What identifies the compiler and target of `devices`, for cache keys."""
    c = devices[0].client
    return f"{c.platform}|{c.platform_version}|{[(d.id, d.device_kind) for d in devices]}"


def result_handlers(avals, device):
    """What turns each output of an executable into an array: made once per executable, as JAX does.
    (`disassemble_into_single_device_arrays` would do the same work per call, and on each output it
    tries to import `jax._src.sharding_impls` for JAX's sharding class: without JAX installed that
    failed import walks sys.path every call, ~0.1-1 ms.)"""
    s = sharding(device)
    return [_jax.array_result_handler(_Aval(shape, dtype, weak), s, committed=True, _skip_checks=True)
            for shape, dtype, weak in avals]


def execute(executable, buffers, handlers):
    """Run a compiled executable on one device; returns its output buffers."""
    return executable.execute_sharded(buffers).consume_with_handlers(handlers)


def launcher(executable, handlers):
    """execute(executable, ·, handlers) as one function of the buffers, for the hot path of a cached call."""
    execute_sharded = executable.execute_sharded

    def launch(buffers):
        return execute_sharded(buffers).consume_with_handlers(handlers)
    return launch


def optimized_hlo(executable) -> str:
    return "\n".join(m.to_string() for m in executable.hlo_modules())


# jaxlib's C++ pytree registry, re-exported so the front end reaches jaxlib only through this module.
pytree = _jax.pytree
