"""Two Lintra processes on this machine join one job and share host values.

    python examples/multiprocess.py

launches itself twice as workers (2 CPU devices each) with a coordinator on 127.0.0.1 at a free port. Each
worker prints its process index, the global devices and its own, and a value gathered from both processes
through lintra.experimental.multihost_utils. The launcher waits at most TIMEOUT_S seconds and, on failure,
kills only the workers it started.
"""
import os
import socket
import subprocess
import sys

NUM_PROCESSES, TIMEOUT_S = 2, 120


def worker(process_id, port):
    import lintra
    from lintra.experimental import multihost_utils

    lintra.distributed.initialize(f"127.0.0.1:{port}", num_processes=NUM_PROCESSES, process_id=process_id)
    local = lintra.numpy.arange(3.0) + 10 * lintra.process_index()     # computed on this process's device
    gathered = multihost_utils.process_allgather(local)
    for p in range(lintra.process_count()):        # one process prints at a time, in order: a barrier each
        if p == lintra.process_index():
            print(f"process {p} of {lintra.process_count()}: devices {lintra.devices()}, "
                  f"local {lintra.local_devices()}, allgathered {gathered.tolist()}", flush=True)
        multihost_utils.sync_global_devices(f"process {p} printed")
    lintra.distributed.shutdown()


def launch():
    with socket.socket() as s:             # a free port on loopback for the coordinator
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "LINTRA_NUM_CPU_DEVICES": "2"}
    workers = [subprocess.Popen([sys.executable, __file__, "--worker", str(i), str(port)], env=env)
               for i in range(NUM_PROCESSES)]
    try:
        codes = [w.wait(timeout=TIMEOUT_S) for w in workers]
    except subprocess.TimeoutExpired:
        codes = ["timed out"]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
                w.wait()
    if any(c != 0 for c in codes):
        sys.exit(f"a worker failed: exit codes {codes}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(int(sys.argv[2]), sys.argv[3])
    else:
        launch()
