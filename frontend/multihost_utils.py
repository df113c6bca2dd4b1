"""lintra.experimental.multihost_utils: host values shared between the processes of a job.

JAX computes these with a jitted collective over a global array sharded across processes. Lintra moves host
values through the coordination service's key-value store instead: the values are the same (numpy arrays with
Lintra's canonical dtypes), nothing here needs sharded arrays, and host data never needed a device. Every
process must make the same calls in the same order, as with JAX's collectives: the n-th call of each process
meets the n-th call of the others."""
import io
import itertools
import zlib

import numpy as np

from ..runtime import pjrt
from ..runtime.array import Array
from . import tree
from .core import host_value
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
