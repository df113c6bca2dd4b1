"""lintra.experimental.multihost_utils: host values shared between the processes of a job, and host-local
arrays turned into global ones and back.

JAX computes the shared values with a jitted collective over a global array sharded across processes. Lintra
moves host values through the coordination service's key-value store instead: the values are the same (numpy
arrays with Lintra's canonical dtypes), nothing here needs sharded arrays, and host data never needed a device.
Every process must make the same calls in the same order, as with JAX's collectives: the n-th call of each
process meets the n-th call of the others.

host_local_array_to_global_array / global_array_to_host_local_array reinterpret the shards a process holds:
its local data is laid out over its own part of the mesh (Mesh.local_mesh), and the global array is the one
whose shards those are (JAX's semantics; no data moves between processes)."""
import io
import itertools
import zlib

import numpy as np

from ..ir.types import TensorType, float0
from ..runtime import pjrt
from ..runtime.array import Array
from ..runtime.mesh import PartitionSpec
from ..runtime.named_sharding import NamedSharding
from ..runtime.spmd import reshard
from . import tree
from .core import Tracer, host_value, type_of
from .processes import process_count, process_index

# How long a process waits for the others at one call (ms): long enough for a slow peer's compile, short
# enough that a crashed peer ends the job with an error instead of a hang.
TIMEOUT_MS = 10 * 60 * 1000

_rounds = itertools.count()
_last = []          # this process's key of the previous round, deleted once no process can still read it


def _encode(x):
    buf = io.BytesIO()
    np.save(buf, x, allow_pickle=False)
    return buf.getvalue()


def _decode(payload):
    return np.load(io.BytesIO(payload), allow_pickle=False)


def _host_array(x):
    if isinstance(x, Array):
        return np.asarray(x)
    return np.asarray(host_value(x)[0])


def _allgather_bytes(payload):
    """Every process's `payload`, in process order."""
    client = pjrt.distributed_client()
    if client is None:
        raise RuntimeError("multihost_utils needs lintra.distributed.initialize() when the job has several "
                           "processes")
    n, me = process_count(), process_index()
    prefix = f"lintra/multihost_utils/{next(_rounds)}/"
    client.key_value_set_bytes(prefix + str(me), payload)
    out = [client.blocking_key_value_get_bytes(prefix + str(p), TIMEOUT_MS) for p in range(n)]
    # Every process has now set its key of this round, which it does only after reading all keys of the
    # previous round: the previous round's keys are no longer needed.
    if _last:
        client.key_value_delete(_last.pop())
    _last.append(prefix + str(me))
    return out


def _allgather_leaves(leaves):
    """For each leaf, the list of every process's host value of it."""
    payloads = _allgather_bytes(_encode_list([_host_array(x) for x in leaves]))
    per_process = [_decode_list(p) for p in payloads]
    if any(len(v) != len(leaves) for v in per_process):
        raise ValueError("multihost_utils: the processes passed pytrees with different numbers of leaves")
    return [list(values) for values in zip(*per_process)]


def _encode_list(arrays):
    return b"".join(len(b).to_bytes(8, "little") + b for b in map(_encode, arrays))


def _decode_list(payload):
    out, i = [], 0
    while i < len(payload):
        size = int.from_bytes(payload[i:i + 8], "little")
        out.append(_decode(payload[i + 8:i + 8 + size]))
        i += 8 + size
    return out


def process_allgather(in_tree, tiled=False):
    """Every process's value of each leaf, stacked on a new leading axis (concatenated with `tiled=True`;
    scalars are always stacked), as numpy arrays; each leaf must have the same shape in every process."""
    leaves, treedef = tree.flatten(in_tree)
    if process_count() == 1:      # JAX returns the values as they are here, without canonical dtypes
        def one(x):
            x = np.asarray(x)
            return x if tiled else np.expand_dims(x, 0)
        return tree.unflatten(treedef, [one(x) for x in leaves])
    gathered = []
    for values in _allgather_leaves(leaves):
        if len({v.shape for v in values}) != 1 or len({v.dtype for v in values}) != 1:
            raise ValueError("process_allgather: a leaf has different shapes or dtypes in different processes: "
                             f"{[(v.shape, str(v.dtype)) for v in values]}")
        gathered.append(np.concatenate(values) if tiled and values[0].ndim else np.stack(values))
    return tree.unflatten(treedef, gathered)


def broadcast_one_to_all(in_tree, is_source=None):
    """The source process's value of each leaf (process 0's unless `is_source` says otherwise), in every
    process, as numpy arrays."""
    leaves, treedef = tree.flatten(in_tree)
    if process_count() == 1:
        return tree.unflatten(treedef, [np.asarray(x) for x in leaves])
    if is_source is None:
        is_source = process_index() == 0
    # Only the source sends its leaves; the others send an empty payload (their values are not needed).
    payloads = _allgather_bytes(_encode_list([_host_array(x) for x in leaves]) if is_source else b"")
    sources = [p for p, payload in enumerate(payloads) if payload]
    if len(sources) != 1 and leaves:
        raise ValueError(f"broadcast_one_to_all: expected exactly one source process, got processes {sources}")
    values = _decode_list(payloads[sources[0]]) if leaves else []
    return tree.unflatten(treedef, values)


def assert_equal(in_tree, fail_message=""):
    """Check that every process holds the same values; AssertionError otherwise."""
    out = process_allgather(in_tree, tiled=True)
    n = process_count()

    def expected(x):
        x = _host_array(x)
        return np.concatenate([x.reshape(1) if x.ndim == 0 else x] * n)
    if not all(np.array_equal(e, o) for e, o in zip(tree.leaves(tree.map(expected, in_tree)), tree.leaves(out))):
        raise AssertionError(f"{fail_message}. Expected: {out}; got: {in_tree}.")


def sync_global_devices(name):
    """A barrier across all processes, which also checks they all passed the same `name` (as JAX does)."""
    assert_equal(np.uint32(zlib.crc32(name.encode())), f"sync_global_devices name mismatch ('{name}')")


# ---- host-local arrays <-> global arrays ---------------------------------------------------------------------

def host_local_array_to_global_array(local_inputs, global_mesh, pspecs):
    """The global arrays whose shards on this process's devices are the host-local values `local_inputs` (a
    pytree), laid out over this process's part of `global_mesh` as `pspecs` (a PartitionSpec, or a pytree
    prefix of the inputs with PartitionSpec leaves) say. A dimension split over mesh axes grows by the number
    of processes along them: np.arange(4) on each of 2 processes with P('x') over a mesh of all devices is one
    array of 8 elements. With P() the value is replicated, and must be the same in every process. Under a
    transformation, in one process, the input is returned as it is (as JAX's lowering does)."""
    leaves, treedef = tree.flatten(local_inputs)
    specs = _flatten_pspecs("input pspecs", pspecs, local_inputs)
    return tree.unflatten(treedef, [_local_to_global(x, global_mesh, s) for x, s in zip(leaves, specs)])


def global_array_to_host_local_array(global_inputs, global_mesh, pspecs):
    """The inverse of host_local_array_to_global_array: for each global array in the pytree `global_inputs`,
    the array over this process's part of `global_mesh` (Mesh.local_mesh) made of the shards this process
    holds, laid out as `pspecs` say. An array every shard of which is on this process is returned as it is."""
    leaves, treedef = tree.flatten(global_inputs)
    specs = _flatten_pspecs("output pspecs", pspecs, global_inputs)
    return tree.unflatten(treedef, [_global_to_local(x, global_mesh, s) for x, s in zip(leaves, specs)])


def _flatten_pspecs(what, pspecs, values):
    """One spec per leaf of `values`, from `pspecs`, a pytree prefix of them with PartitionSpec leaves."""
    is_leaf = lambda s: s is None or isinstance(s, PartitionSpec)
    if is_leaf(pspecs):
        return [pspecs] * len(tree.leaves(values))
    leaves, treedef = tree.flatten(pspecs, is_leaf=is_leaf)
    try:
        subtrees = treedef.flatten_up_to(values)
    except (ValueError, TypeError) as e:
        raise ValueError(f"{what} specification must be a tree prefix of the values it is for: {what} "
                         f"{pspecs!r} do not match the values' structure {tree.structure(values)} ({e})") from None
    return [s for s, sub in zip(leaves, subtrees) for _ in tree.leaves(sub)]


def _check_pspec(spec):
    if spec is None:
        raise ValueError("`None` is not a valid input to the pspecs argument. Please use "
                         "jax.sharding.PartitionSpec() if you wanted to replicate your input.")
    if not isinstance(spec, PartitionSpec):
        raise TypeError(f"pspecs must be PartitionSpecs, got {spec!r} of type {type(spec).__name__}")


def _blocks(mesh, local, spec, ndim):
    """Per dimension, how many processes' blocks lie along it: the global over the local extent of the mesh
    axes that spec splits it over."""
    return [int(np.prod([mesh.shape[a] // local.shape[a] for a in spec.axes_of(d)], dtype=np.int64))
            if d < len(spec) else 1 for d in range(ndim)]


def _global_shape(shape, mesh, local, spec):
    return tuple(n * k for n, k in zip(shape, _blocks(mesh, local, spec, len(shape))))


def _local_shape(shape, mesh, local, spec):
    return tuple(n // k for n, k in zip(shape, _blocks(mesh, local, spec, len(shape))))


def _host_value(x):
    """x as a numpy array of a canonical dtype (float0 as bool zeros, as JAX)."""
    value = np.asarray(x) if isinstance(x, Array) else np.asarray(host_value(x)[0])
    return np.zeros(value.shape, np.bool_) if value.dtype == float0 else value


def _local_to_global(x, mesh, spec):
    _check_pspec(spec)
    if isinstance(x, Array) and not x.is_fully_addressable:
        return x        # global already
    local = mesh.local_mesh
    if isinstance(x, Tracer):
        if local.size == mesh.size:
            return x
        raise TypeError(f"host_local_array_to_global_array of a traced value ({type_of(x)}) over a mesh that spans "
                        f"processes: Lintra converts concrete arrays only; convert outside the transformation")
    value = _host_value(x)
    aval = TensorType(_global_shape(value.shape, mesh, local, spec), value.dtype)
    return _put_blocks(value, NamedSharding(local, spec), aval, NamedSharding(mesh, spec))


def _put_blocks(value, local_sharding, aval, sharding):
    """An array of type aval laid out as `sharding`, whose shards on this process's devices are the blocks of
    the host value that `local_sharding` (over those devices) gives them."""
    local_sharding.check_shape(value.shape)
    placed = local_sharding._placement(value.shape)
    return pjrt.put_shards(aval, sharding, [np.ascontiguousarray(value[i]) for _, i, _ in placed],
                           [d for d, _, _ in placed], True)


def _global_to_local(x, mesh, spec):
    _check_pspec(spec)
    if isinstance(x, Array) and x.is_fully_addressable:
        return x        # host-local already
    local = mesh.local_mesh
    if isinstance(x, Tracer):
        if local.size == mesh.size:
            return x
        raise TypeError(f"global_array_to_host_local_array of a traced value ({type_of(x)}) over a mesh that spans "
                        f"processes: Lintra converts concrete arrays only; convert outside the transformation")
    local_sharding = NamedSharding(local, spec)
    if not isinstance(x, Array):        # a host value (JAX meets these in AD): each local device its block
        value = _host_value(x)
        aval = TensorType(_local_shape(value.shape, mesh, local, spec), value.dtype)
        return _put_blocks(value, local_sharding, aval, local_sharding)
    wanted = NamedSharding(mesh, spec)
    if not x.sharding.is_equivalent_to(wanted, x.ndim):
        x = reshard(x, wanted)
    shards = {s._sharding._device: s for s in pjrt.shards_of(x)}
    aval = x.aval.update(shape=_local_shape(x.aval.shape, mesh, local, spec))
    return Array(aval, local_sharding, [shards[d] for d in local.devices.flat], True, _skip_checks=True)
