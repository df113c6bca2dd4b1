"""lintra.distributed.initialize rejects what JAX 0.10.2's rejects, with its exception types and messages.
Argument checks run in a fresh process: this test process made its backend long ago, and initialize refuses
to run after that (checked here in-process, which cannot change anything)."""
import os
import socket
import subprocess
import sys
import textwrap

import pytest

import lintra


def test_initialize_after_the_backend_exists_raises():
    lintra.devices()
    with pytest.raises(RuntimeError, match=r"must be called before any Lintra calls that might initialise"):
        lintra.distributed.initialize("127.0.0.1:1", num_processes=2, process_id=0)
    assert not lintra.distributed.is_initialized()


def test_shutdown_without_initialize_does_nothing():
    lintra.distributed.shutdown()
    assert not lintra.distributed.is_initialized()


CHILD = textwrap.dedent("""
    import sys, warnings
    import lintra
    from lintra.runtime import pjrt
    init = lintra.distributed.initialize
    cases = [
        (dict(num_processes=1, process_id=0), ValueError, "coordinator_address should be defined."),
        (dict(coordinator_address="127.0.0.1:1", process_id=0), ValueError, "Number of processes must be defined."),
        (dict(coordinator_address="127.0.0.1:1", num_processes=1), ValueError,
         "The process id of the current process must be defined."),
        (dict(coordinator_address="127.0.0.1:1", num_processes=1, process_id=0.0), TypeError,
         "process_id must be a nonnegative int. Got process_id=0.0 of type <class 'float'>."),
        (dict(coordinator_address="127.0.0.1:1", num_processes="1", process_id=0), TypeError,
         "num_processes must be a positive int. Got num_processes=1 of type <class 'str'>."),
        (dict(coordinator_address="127.0.0.1:1", num_processes=2, process_id=2), ValueError,
         "process_id and num_processes must be nonnegative, with process_id < num_processes. "
         "Got process_id=2, num_processes=2."),
    ]
    for kwargs, error, message in cases:
        try:
            init(cluster_detection_method="deactivate", **kwargs)
        except error as e:
            assert str(e) == message, (str(e), message)
        else:
            raise AssertionError(f"no {error.__name__} for {kwargs}")
    assert not pjrt.clients_created() and not lintra.distributed.is_initialized()

    # a job of one process, then a second initialize
    port = sys.argv[1]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        init(f"127.0.0.1:{port}", 1, 0, local_device_ids=1, slice_index=0, initialization_timeout=30)
    assert [w.category for w in caught] == [DeprecationWarning], caught
    assert lintra.distributed.is_initialized()
    try:
        init(f"127.0.0.1:{port}", 1, 0)
    except RuntimeError as e:
        assert str(e) == "distributed.initialize should only be called once.", e
    else:
        raise AssertionError("a second initialize did not raise")
    assert (lintra.process_count(), lintra.local_device_count()) == (1, 1)
    lintra.distributed.shutdown()
    assert not lintra.distributed.is_initialized()
    print("OK", flush=True)
""")


def test_argument_errors_and_a_second_initialize():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINTRA_COORDINATOR")}
    env.pop("LINTRA_NUM_CPU_DEVICES", None)
    p = subprocess.Popen([sys.executable, "-c", CHILD, str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env)
    try:
        out, err = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 0 and out.strip() == "OK", f"rc={p.returncode}\n{out}\n{err[-4000:]}"
