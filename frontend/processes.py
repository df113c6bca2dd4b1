"""Processes of a multi-process job (see lintra.distributed) and the devices each one addresses."""
import warnings

from ..runtime import pjrt


def process_index(backend=None):
    """This process's index in the job (0 when it runs alone)."""
    return pjrt.client(backend).process_index()


def process_count(backend=None):
    return max((d.process_index for d in pjrt.client(backend).devices()), default=0) + 1


def local_devices(process_index=None, backend=None, host_id=None):
    """The devices of process `process_index` (default: this one), which it alone can put data on."""
    if host_id is not None:
        warnings.warn("The argument to lintra.local_devices has been renamed from `host_id` to `process_index`. "
                      "This alias will eventually be removed; please update your code.")
        process_index = host_id
    c = pjrt.client(backend)
    if process_index is None:
        process_index = c.process_index()
    if not 0 <= process_index < process_count(backend):
        raise ValueError(f"Unknown process_index {process_index}")
    return [d for d in c.devices() if d.process_index == process_index]


def local_device_count(backend=None):
    return int(pjrt.client(backend).local_device_count())
