"""lintra.distributed: join a job of several processes (JAX's `jax.distributed`), on the CPU backend.

Process 0 runs the coordination service; each process connects to it before making its CPU client, which then
lists every process's devices (`lintra.devices()`) and runs cross-process collectives over gloo (TCP)."""
import atexit
import logging
import os
import warnings

from ..runtime import pjrt

logger = logging.getLogger(__name__)

# Lintra's analogue of JAX's cluster auto-detection: the launcher sets these (see examples/multiprocess.py).
_ENV = {"coordinator_address": "LINTRA_COORDINATOR_ADDRESS", "num_processes": "LINTRA_NUM_PROCESSES",
        "process_id": "LINTRA_PROCESS_ID", "local_device_ids": "LINTRA_LOCAL_DEVICE_IDS",
        "coordinator_bind_address": "LINTRA_COORDINATOR_BIND_ADDRESS"}


class _State:
    coordinator_address = None
    partition_index = None
    at_exit_registered = False


_state = _State()


def _from_env(name, value, parse=str):
    if value is None and os.environ.get(_ENV[name]):
        return parse(os.environ[_ENV[name]])
    return value


def initialize(coordinator_address=None, num_processes=None, process_id=None, local_device_ids=None,
               cluster_detection_method=None, initialization_timeout=300, heartbeat_timeout_seconds=100,
               shutdown_timeout_seconds=300, coordinator_bind_address=None, slice_index=None,
               partition_index=None):
    """Join the job as `process_id` of `num_processes`, whose process 0 serves at `coordinator_address`.

    Must come before anything that creates the backend (computations, `lintra.devices()`, `device_put`).
    Unset arguments come from $LINTRA_COORDINATOR_ADDRESS, $LINTRA_NUM_PROCESSES, $LINTRA_PROCESS_ID and
    $LINTRA_LOCAL_DEVICE_IDS (comma-separated) unless `cluster_detection_method='deactivate'`; Lintra knows
    no cluster managers (Slurm, Open MPI, TPU) beyond these. Differences from JAX, for a CPU-only runtime:
    this process gets len(local_device_ids) CPU devices when they are given and $LINTRA_NUM_CPU_DEVICES is
    not; and process 0's service binds to `coordinator_address` itself unless `coordinator_bind_address`
    says otherwise (JAX binds to every interface, [::]:port)."""
    if pjrt.clients_created():
        raise RuntimeError("lintra.distributed.initialize() must be called before any Lintra calls that might "
                           "initialise the XLA backend. This includes any computation, but also calls to "
                           "lintra.devices, lintra.device_put, and others.")
    if partition_index is None:
        if slice_index is not None:
            warnings.warn("`slice_index` has been deprecated. Please use `partition_index` instead.",
                          DeprecationWarning, stacklevel=2)
        partition_index = slice_index
    if isinstance(local_device_ids, int):
        local_device_ids = [local_device_ids]
    if cluster_detection_method not in (None, "deactivate"):
        logger.error("Automatic Distributed initialization can not proceed: %s is not supported.",
                     cluster_detection_method)
    if cluster_detection_method != "deactivate":
        coordinator_address = _from_env("coordinator_address", coordinator_address)
        num_processes = _from_env("num_processes", num_processes, int)
        process_id = _from_env("process_id", process_id, int)
        local_device_ids = _from_env("local_device_ids", local_device_ids,
                                     lambda text: [int(i) for i in text.split(",")])
        coordinator_bind_address = _from_env("coordinator_bind_address", coordinator_bind_address)

    if coordinator_address is None:
        raise ValueError("coordinator_address should be defined.")
    if num_processes is None:
        raise ValueError("Number of processes must be defined.")
    if process_id is None:
        raise ValueError("The process id of the current process must be defined.")
    if not isinstance(process_id, int):
        raise TypeError("process_id must be a nonnegative int. "
                        f"Got process_id={process_id} of type {type(process_id)}.")
    if not isinstance(num_processes, int):
        raise TypeError("num_processes must be a positive int. "
                        f"Got num_processes={num_processes} of type {type(num_processes)}.")
    if not 0 <= process_id < num_processes:
        raise ValueError("process_id and num_processes must be nonnegative, with process_id < num_processes. "
                         f"Got process_id={process_id}, num_processes={num_processes}.")
    if (process_id == 0 and pjrt.distributed_service() is not None) or pjrt.distributed_client() is not None:
        raise RuntimeError("distributed.initialize should only be called once.")

    num_devices = None
    if local_device_ids and not os.environ.get("LINTRA_NUM_CPU_DEVICES"):
        num_devices = len(local_device_ids)
    if process_id == 0:
        bind = coordinator_bind_address or coordinator_address
        logger.info("Starting Lintra distributed service on %s", bind)
        pjrt.start_distributed_service(bind, num_processes, heartbeat_timeout_seconds, shutdown_timeout_seconds)
    logger.info("Connecting to Lintra distributed service on %s", coordinator_address)
    pjrt.connect_distributed_client(coordinator_address, process_id, num_processes, initialization_timeout,
                                    heartbeat_timeout_seconds, num_devices)
    _state.coordinator_address, _state.partition_index = coordinator_address, partition_index
    if not _state.at_exit_registered:
        # as JAX does: the other processes wait at the shutdown barrier for this one to leave
        atexit.register(shutdown)
        _state.at_exit_registered = True


def is_initialized():
    return pjrt.distributed_client() is not None


def shutdown():
    """Leave the job (waiting for the other processes to leave too); nothing happens when not in one."""
    pjrt.shutdown_distributed()
