"""The one module of runtime/ that imports jaxlib: PJRT clients, transfers, compile and execute, and the
C++ objects Lintra is built on (ArrayImpl, SingleDeviceSharding, pjit, jit-key configs)."""
import glob
import os
import threading
from typing import NamedTuple

import numpy as np

# XLA logs every client creation at INFO level; keep the user's terminal quiet unless they ask.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
from jaxlib import _jax, xla_client  # noqa: E402
from jaxlib import version as jaxlib_version  # noqa: E402

# jaxlib records a Python traceback with every executable launch and array it makes (for JAX's error
# messages and profiler); Lintra reads none of them, and taking one is ~10% of a small jit call.
_jax.set_tracebacks_enabled(False)

JAXLIB_VERSION = jaxlib_version.__version__
ArrayImpl = _jax.ArrayImpl
SingleDeviceSharding = _jax.SingleDeviceSharding
Device = _jax.Device
# jaxlib's C++ pytree registry, re-exported so the front end reaches jaxlib only through this module.
pytree = _jax.pytree


# ---- configuration that C++ reads on every call -------------------------------------------------------------

_KEY_CONFIGS = []


def jit_key_config(name, default):
    """A setting that enters every C++ jit signature (its thread-local value when one is set): anything that
    changes what a trace produces must be one, or the fast path would replay a stale executable."""
    config = _jax.config.Config(name, default, include_in_jit_key=True)
    _KEY_CONFIGS.append((name.replace("lintra_", "jax_", 1), config))
    return config


def jit_key_values():
    """The current values of every jit-key setting: part of the key of each cached trace as well."""
    return tuple(c.value for _, c in _KEY_CONFIGS)


def jit_key_names():
    """JAX's names of the settings jit_key_values() reads, in its order."""
    return tuple(name for name, _ in _KEY_CONFIGS)


UNSET = _jax.config.unset
Config = _jax.config.Config
log_compiles = Config("lintra_log_compiles", False)
enable_x64 = jit_key_config("lintra_enable_x64",
                            os.environ.get("LINTRA_ENABLE_X64", "0").lower() in ("1", "true", "yes"))
disable_jit = jit_key_config("lintra_disable_jit", False)
# C++ refuses to run any PjitFunction until these three are registered
_jax.jax_jit.set_enable_x64_state(enable_x64)
_jax.jax_jit.set_disable_jit_state(disable_jit)
_jax.jax_jit.set_post_hook_state(_jax.config.Config("lintra_post_hook", None))


# ---- clients and devices ------------------------------------------------------------------------------------

_clients = {}
_client_lock = threading.Lock()


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


_num_cpu_devices = []


def set_num_cpu_devices(n):
    """How many CPU devices the client will have (lintra.config's jax_num_cpu_devices)."""
    if _clients:
        raise RuntimeError("jax_num_cpu_devices config should be updated before backends are initialized i.e. "
                           "before any Lintra operation is executed. Set it immediately after `import lintra`.")
    _num_cpu_devices[:] = [n]


def _make_client(platform):
    if platform == "cpu":
        n = _num_cpu_devices[0] if _num_cpu_devices else int(os.environ.get("LINTRA_NUM_CPU_DEVICES", "1"))
        options = dict(num_devices=n)
        options.update(_distributed_cpu_options())     # one of several processes: see the end of this file
        return xla_client.make_cpu_client(**options)
    lib = _plugin_library(platform)
    if lib is None:
        raise RuntimeError(f"no PJRT plugin found for platform {platform!r}: install one "
                           f"(e.g. jax-cuda12-plugin) or set LINTRA_PJRT_PLUGIN to its .so")
    if not xla_client.pjrt_plugin_loaded(platform):
        xla_client.load_pjrt_plugin_dynamically(platform, lib)
    return xla_client.make_c_api_client(platform)


def client(platform=None):
    """The PJRT client for `platform` (default: $LINTRA_PLATFORM, else 'cpu'), created once: two clients
    would each own a 'cpu:0', and their buffers and executables do not mix."""
    platform = (platform or os.environ.get("LINTRA_PLATFORM") or "cpu").lower()
    c = _clients.get(platform)
    if c is None:
        with _client_lock:
            c = _clients.get(platform)
            if c is None:
                c = _clients[platform] = _make_client(platform)
    return c


# ---- shardings: the C++ class, with the attributes its C++ callers read attached (as JAX does) -------------

def _attach(cls, **attrs):
    for name, value in attrs.items():
        setattr(cls, name, value)


_attach(SingleDeviceSharding,
        _to_xla_hlo_sharding=lambda self, ndim: xla_client.HloSharding.replicate(),
        memory_kind=property(lambda self: self._memory_kind),
        _device_assignment=property(lambda self: (self._device,)),
        device_set=property(lambda self: {self._device}),
        addressable_devices=property(lambda self: {self._device}),
        num_devices=property(lambda self: 1),
        is_fully_replicated=property(lambda self: True),
        is_fully_addressable=property(lambda self: True),
        shard_shape=lambda self, global_shape: tuple(global_shape),
        devices_indices_map=lambda self, shape: {self._device: (slice(None),) * len(shape)},
        is_equivalent_to=lambda self, other, ndim: self == other,
        __repr__=lambda self: f"SingleDeviceSharding(device={self._device!r}, memory_kind={self._memory_kind})")

_shardings = {}


def sharding(device):
    s = _shardings.get(device)
    if s is None:
        s = _shardings[device] = SingleDeviceSharding(device)
    return s


# ---- transfers ----------------------------------------------------------------------------------------------

def device_put(x: np.ndarray, aval, device, committed):
    """Copy a host array (of a dtype already canonical for Lintra) to `device`: an ArrayImpl whose aval is
    `aval` (C++ reads its dtype, shape and weak_type); on one device a type is never sharded."""
    if getattr(aval, "sharding", None) is not None:
        aval = aval._replace(sharding=None)
    return _jax.batched_device_put(aval, sharding(device), [x], [device], committed, enable_x64=True)


def copy_to_device(x, device, committed):
    """A device-to-device copy of the ArrayImpl `x`."""
    out, = _jax.batched_copy_array_to_devices_with_sharding(
        [x], [xla_client.DeviceList((device,))], [sharding(device)], [_jax.ArrayCopySemantics.ALWAYS_COPY])
    return out if out._committed == committed else ArrayImpl(x.aval, sharding(device), [out], committed,
                                                             _skip_checks=True)


# ---- compile and execute ------------------------------------------------------------------------------------

def compile_options(devices):
    """Options for one replica per device in `devices` (XLA assigns device 0 when none is given)."""
    options = xla_client.CompileOptions()
    options.device_assignment = xla_client.DeviceAssignment.create(np.array([[d.id for d in devices]]).T)
    return options


def backend_compile_and_load(backend, module, executable_devices, options, host_callbacks=()):
    """XLA's compile on `backend` (a client) for a DeviceList, loaded onto its devices: JAX's function of this
    name and signature in jax._src.compiler. `host_callbacks` are the Python functions the module's
    python-callback custom calls name by index (jaxlib takes them only with an MLIR module, not text)."""
    if host_callbacks:
        return backend.compile_and_load(module, executable_devices, options, list(host_callbacks))
    return backend.compile_and_load(module, executable_devices, options)


# What compile() calls, looked up at each call: frontend/compat routes it through its stand-in for
# jax._src.compiler, whose backend_compile_and_load libraries wrap (chex's restrict_backends).
compile_hook = backend_compile_and_load


def compile(module, devices, options=None, host_callbacks=()):
    """Compile a StableHLO module (jaxlib MLIR module or text) for `devices`."""
    return compile_hook(devices[0].client, module, xla_client.DeviceList(tuple(devices)),
                        options or compile_options(devices), host_callbacks)


def serialize(executable) -> bytes:
    return executable.serialize()


def deserialize(payload: bytes, devices, options=None):
    """A compiled executable back from `serialize`'s bytes (only ever from Lintra's own cache: loading
    one runs its native code)."""
    return devices[0].client.deserialize_executable(payload, xla_client.DeviceList(tuple(devices)),
                                                    options or compile_options(devices))


def backend_info(devices) -> str:
    """What identifies the compiler and target of `devices`, for cache keys."""
    c = devices[0].client
    return f"{c.platform}|{c.platform_version}|{[(d.id, d.device_kind) for d in devices]}"


def result_handlers(avals, device, committed):
    """What turns each output of an executable into an ArrayImpl whose aval is the given object: made once
    per executable, as JAX does. (`disassemble_into_single_device_arrays` would do the same work per call,
    and tries to import JAX's sharding module on each output.)"""
    s = sharding(device)
    return [_jax.array_result_handler(aval, s, committed=committed, _skip_checks=True) for aval in avals]


def launcher(executable, handlers):
    """The launch of `executable` as one function of its input arrays."""
    execute_sharded = executable.execute_sharded

    def launch(arrays):
        return execute_sharded(arrays).consume_with_handlers(handlers)
    return launch


def optimized_hlo(executable) -> str:
    return "\n".join(m.to_string() for m in executable.hlo_modules())


def cost_analysis(executable) -> dict:
    """XLA's cost estimates of a compiled executable ('flops', 'bytes accessed', ...)."""
    return executable.cost_analysis()


def memory_analysis(executable):
    """XLA's CompiledMemoryStats of a compiled executable (argument, output, temp, code sizes)."""
    return executable.get_compiled_memory_stats()


def hlo_cost_analysis(stablehlo_text: str, device) -> dict:
    """XLA's cost estimates of a StableHLO module before optimization (as JAX's Lowered.cost_analysis)."""
    computation = _jax.mlir.mlir_module_to_xla_computation(stablehlo_text, use_tuple_args=False,
                                                           return_tuple=False)
    return _jax.hlo_module_cost_analysis(device.client, computation.as_hlo_module())


# ---- the C++ jit fast path ----------------------------------------------------------------------------------

class FastpathData(NamedTuple):
    """What C++ needs to replay a call without Python: read once per signature (its field names are the
    contract; C++ casts it to a tuple)."""
    xla_executable: object
    out_pytree_def: object
    in_shardings: list
    out_shardings: list
    out_avals: list
    out_committed: list
    kept_var_bitvec: list
    in_device_local_layouts: list
    const_args: list


_pjit_cache = _jax.PjitFunctionCache()


def _shard_arg_fallback(x, sharding, layout):
    """C++ calls this for an argument it cannot place itself (e.g. an uncommitted array on another device)."""
    if sharding.__class__ is not SingleDeviceSharding:     # a NamedSharding (runtime/named_sharding.py)
        return sharding._shard_arg(x)
    device = sharding._device
    if isinstance(x, ArrayImpl):
        return x if x._sharding._device == device else copy_to_device(x, device, x._committed)
    raise TypeError(f"cannot place {type(x).__name__} {x!r} on {device}")


def pjit(name, fun, cache_miss, static_argnums, static_argnames, key, registry):
    """jaxlib's C++ jit: a call flattens its arguments with `registry`, checks their signature against its
    cache and launches; on a miss it calls `cache_miss(*args, **kwargs)`, which returns
    (outputs, FastpathData or None, False)."""
    return _jax.pjit(name, fun, cache_miss, static_argnums, static_argnames, key, registry,
                     _shard_arg_fallback, _pjit_cache)


# ---- multi-process: jaxlib's distributed runtime and gloo collectives -----------------------------------------
# Process 0 runs the coordination service; every process connects a client to it. The CPU client made after
# that exchanges device topologies through it (so devices() lists every process's devices, ids 2048*process+i)
# and reaches the other processes' devices through gloo's TCP collectives. Facts: notes/scaleout.md, section 4.

class _DistributedState:
    service = None          # process 0 only
    client = None           # a DistributedRuntimeClient; its key-value store and barriers serve host collectives
    process_id = 0
    num_processes = 1
    num_devices = None      # this process's CPU devices when set by distributed.initialize
    gloo_hostname = None


_distributed = _DistributedState()


def clients_created():
    """Whether a PJRT client exists: the distributed runtime must be joined before (the client is made once)."""
    return bool(_clients)


def start_distributed_service(bind_address, num_processes, heartbeat_timeout, shutdown_timeout):
    _distributed.service = _jax.get_distributed_runtime_service(
        bind_address, num_processes, heartbeat_timeout=heartbeat_timeout, shutdown_timeout=shutdown_timeout)


def connect_distributed_client(address, process_id, num_processes, init_timeout, heartbeat_timeout,
                               num_devices=None):
    """Join the job as `process_id`; blocks until every process has connected or `init_timeout` (s) passes."""
    c = _jax.get_distributed_runtime_client(address, process_id, init_timeout=init_timeout,
                                            heartbeat_timeout=heartbeat_timeout, use_compression=True)
    c.connect()
    _distributed.client = c
    _distributed.process_id, _distributed.num_processes = process_id, num_processes
    _distributed.num_devices = num_devices
    # On a loopback coordinator every process is on this machine, so gloo listens on loopback too; otherwise
    # gloo picks this host's address as JAX leaves it to.
    host = address.rsplit(":", 1)[0].strip("[]")
    if host == "::1":
        _distributed.gloo_hostname = "::1"
    elif host == "localhost" or host.startswith("127."):
        _distributed.gloo_hostname = "127.0.0.1"
    else:
        _distributed.gloo_hostname = None


def distributed_client():
    """This process's DistributedRuntimeClient, or None when it is not one of several processes."""
    return _distributed.client


def distributed_service():
    """The coordination service this process runs (process 0 of a job), or None."""
    return _distributed.service


def shutdown_distributed():
    """Leave the job: the client first (it waits for the others at the shutdown barrier), then the service."""
    if _distributed.client is not None:
        _distributed.client.shutdown()
        _distributed.client = None
    if _distributed.service is not None:
        _distributed.service.shutdown()
        _distributed.service = None


def _distributed_cpu_options():
    d = _distributed
    if d.client is None:
        return {}
    options = dict(distributed_client=d.client, node_id=d.process_id, num_nodes=d.num_processes,
                   collectives=_jax.make_gloo_tcp_collectives(distributed_client=d.client,
                                                              hostname=d.gloo_hostname))
    if d.num_devices is not None:
        options["num_devices"] = d.num_devices
    return options


# ---- SPMD: arrays and executables over a mesh of devices ---------------------------------------------------
# (kept apart from client creation, which lintra.distributed extends)

GSPMDSharding = _jax.GSPMDSharding
HloSharding = xla_client.HloSharding


def iota_tile(dims, mesh_sizes, perm, replicated_last):
    """The HloSharding that tiles an array `dims` times per dimension with the mesh's partition ids laid out
    in `mesh_sizes` and transposed by `perm`; with `replicated_last`, the last tile dimension holds replicas
    (as JAX's named_sharding_to_xla_hlo_sharding builds it)."""
    return HloSharding.iota_tile(list(dims), reshape_dims=list(mesh_sizes), transpose_perm=list(perm),
                                 subgroup_types=[xla_client.OpSharding.Type.REPLICATED] if replicated_last else [])


def device_list(devices):
    return xla_client.DeviceList(tuple(devices))


def put_shards(aval, sharding, shards, devices, committed):
    """One global ArrayImpl of type `aval` from host `shards`, shards[i] going to devices[i]."""
    return _jax.batched_device_put(aval, sharding, shards, devices, committed, enable_x64=True)


class _FailJaxImports:
    """A sys.meta_path finder that, while Lintra reads an array's shards, fails imports of `jax` at once.
    jaxlib's `_arrays` tries `import jax._src.sharding_impls` once per shard: without JAX installed that is
    a search of sys.path each time (it doubled the cost of reading 8 shards), and with JAX installed it
    would import JAX into Lintra's process, whose jit state JAX would then replace."""
    active = 0

    def find_spec(self, name, path=None, target=None):
        if self.active and (name == "jax" or name.startswith("jax.")):
            raise ModuleNotFoundError(f"No module named {name!r} (Lintra reads shards without JAX)", name=name)
        return None


_fail_jax_imports = _FailJaxImports()
_shards_lock = threading.Lock()


def shards_of(array):
    """The single-device ArrayImpls that make up `array`, in its sharding's device order."""
    import sys
    with _shards_lock:
        if _fail_jax_imports not in sys.meta_path:
            sys.meta_path.insert(0, _fail_jax_imports)
        _fail_jax_imports.active += 1
        try:
            return array._arrays
        finally:
            _fail_jax_imports.active -= 1


def spmd_compile_options(devices, propagate_in, propagate_out):
    """Options for one SPMD program partitioned over `devices` (partition p runs on devices[p]) by Shardy;
    XLA chooses the shardings of the parameters and outputs whose flag is True."""
    options = xla_client.CompileOptions()
    options.num_replicas = 1
    options.num_partitions = len(devices)
    build = options.executable_build_options
    build.use_spmd_partitioning = True
    build.use_shardy_partitioner = True
    build.allow_spmd_sharding_propagation_to_parameters = list(propagate_in)
    build.allow_spmd_sharding_propagation_to_output = list(propagate_out)
    options.device_assignment = xla_client.DeviceAssignment.create(np.array([[d.id for d in devices]]))
    return options


def compiled_shardings(executable, n_in, n_out):
    """(parameter shardings, output shardings) as XLA compiled them, as HloShardings (a one-partition
    program reports none: all replicated)."""
    def read(protos, n):
        return [HloSharding.replicate()] * n if protos is None else [HloSharding.from_proto(p) for p in protos]
    return read(executable.get_parameter_shardings(), n_in), read(executable.get_output_shardings(), n_out)


def sharded_result_handlers(avals, shardings, committed):
    """Result handlers (see result_handlers) for outputs with the given shardings."""
    return [_jax.array_result_handler(aval, s, committed=committed, _skip_checks=True)
            for aval, s in zip(avals, shardings)]

# what a failing computation raises (jax.errors.JaxRuntimeError is this class)
JaxRuntimeError = _jax.JaxRuntimeError
