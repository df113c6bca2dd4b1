"""Two processes on 127.0.0.1 join one job: process indices, global and local devices, and the host
collectives of lintra.experimental.multihost_utils, checked against the values JAX 0.10.2 gives."""
import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest

TIMEOUT_S = 120

CHILD = textwrap.dedent("""
    import json, sys
    import numpy as np
    import lintra
    from lintra.experimental import multihost_utils
    pid, port = int(sys.argv[1]), sys.argv[2]
    lintra.distributed.initialize(f"127.0.0.1:{port}", num_processes=2, process_id=pid,
                                  initialization_timeout=60)
    out = {"process_index": lintra.process_index(), "process_count": lintra.process_count(),
           "devices": [[d.id, d.process_index] for d in lintra.devices()],
           "local_devices": [d.id for d in lintra.local_devices()],
           "other_local_devices": [d.id for d in lintra.local_devices(process_index=1 - pid)],
           "local_device_count": lintra.local_device_count(), "device_count": lintra.device_count()}
    # a computation runs on this process's own default device
    y = lintra.jit(lambda x: x * 2)(lintra.numpy.arange(3.0))
    out["jit"] = [np.asarray(y).tolist(), [d.id for d in y.devices()]]
    multihost_utils.sync_global_devices("start")
    b = multihost_utils.broadcast_one_to_all({"a": np.arange(3) + 10 * pid, "s": pid + 5, "t": pid == 0})
    out["broadcast"] = {k: [v.tolist(), str(v.dtype)] for k, v in b.items()}
    b = multihost_utils.broadcast_one_to_all(np.float32(pid), is_source=pid == 1)
    out["broadcast_from_1"] = b.tolist()
    g = multihost_utils.process_allgather({"a": np.arange(3) + 10 * pid, "f": np.float64(pid),
                                           "x": lintra.numpy.ones(2) * pid})
    out["allgather"] = {k: [v.tolist(), str(v.dtype)] for k, v in g.items()}
    g = multihost_utils.process_allgather(np.full((2, 2), pid), tiled=True)
    out["allgather_tiled"] = [g.shape, g[:, 0].tolist()]
    out["allgather_tiled_scalar"] = multihost_utils.process_allgather(7, tiled=True).tolist()
    try:
        multihost_utils.sync_global_devices(f"name{pid}")
    except AssertionError as e:
        out["mismatch"] = str(e)
    # host-local arrays as the shards of global ones and back: over all 4 devices, each process's 4 values are
    # its half of an 8-element array, which a jitted computation reads whole
    from lintra.sharding import Mesh, PartitionSpec as P
    mesh = Mesh(np.array(lintra.devices()), ('x',))
    out["local_mesh"] = [d.id for d in mesh.local_mesh.devices.flat]
    g = multihost_utils.host_local_array_to_global_array(np.arange(4.0) + 10 * pid, mesh, P('x'))
    out["global"] = [list(g.shape), g.is_fully_addressable, [np.asarray(s.data).tolist() for s in g.addressable_shards]]
    y = multihost_utils.global_array_to_host_local_array(lintra.jit(lambda a: a * 2 + a.sum())(g), mesh, P('x'))
    out["back"] = [list(y.shape), np.asarray(y).tolist(), y.is_fully_addressable]
    r = multihost_utils.host_local_array_to_global_array(np.arange(3.0), mesh, P())
    r = multihost_utils.global_array_to_host_local_array(lintra.jit(lambda a: a + 1)(r), mesh, P())
    out["replicated"] = [list(r.shape), np.asarray(r).tolist()]
    m2 = Mesh(np.array(lintra.devices()).reshape(2, 2), ('host', 'dev'))
    h = multihost_utils.host_local_array_to_global_array(np.full((2, 3), pid, np.float32), m2, P('host'))
    out["host_axis"] = [list(h.shape), np.asarray(multihost_utils.global_array_to_host_local_array(h, m2, P('host'))).tolist()]
    multihost_utils.sync_global_devices("end")
    print("RESULT " + json.dumps(out), flush=True)
    lintra.distributed.shutdown()
""")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_processes(code, n=2, env=None, timeout=TIMEOUT_S):
    """Start `n` processes of `code` (argv: process id, port); their stdouts and return codes. On a timeout
    or failure every process this started is killed (only those)."""
    port = str(free_port())
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("LINTRA_COORDINATOR")},
           "LINTRA_NUM_CPU_DEVICES": "2", **(env or {})}
    procs = [subprocess.Popen([sys.executable, "-c", code, str(i), port], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for i in range(n)]
    try:
        outs = [p.communicate(timeout=timeout) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    return [(p.returncode, out, err) for p, (out, err) in zip(procs, outs)]


def result(rc, out, err):
    assert rc == 0, f"rc={rc}\nstdout:\n{out}\nstderr:\n{err[-4000:]}"
    line, = [l for l in out.splitlines() if l.startswith("RESULT ")]
    return json.loads(line[len("RESULT "):])


@pytest.fixture(scope="module")
def results():
    return [result(*r) for r in run_processes(CHILD)]


def test_each_process_knows_its_index_and_the_count(results):
    assert [(r["process_index"], r["process_count"]) for r in results] == [(0, 2), (1, 2)]


def test_devices_are_global_and_local_devices_are_this_processs(results):
    for r in results:
        assert r["devices"] == [[0, 0], [1, 0], [2048, 1], [2049, 1]]
        assert (r["device_count"], r["local_device_count"]) == (4, 2)
    assert results[0]["local_devices"] == results[1]["other_local_devices"] == [0, 1]
    assert results[1]["local_devices"] == results[0]["other_local_devices"] == [2048, 2049]


def test_computations_run_on_a_local_device(results):
    assert results[0]["jit"] == [[0.0, 2.0, 4.0], [0]]
    assert results[1]["jit"] == [[0.0, 2.0, 4.0], [2048]]


def test_broadcast_one_to_all_gives_the_source_values_with_canonical_dtypes(results):
    for r in results:
        assert r["broadcast"] == {"a": [[0, 1, 2], "int32"], "s": [5, "int32"], "t": [True, "bool"]}
        assert r["broadcast_from_1"] == 1.0


def test_process_allgather_stacks_or_concatenates(results):
    for r in results:
        assert r["allgather"] == {"a": [[[0, 1, 2], [10, 11, 12]], "int32"], "f": [[0.0, 1.0], "float32"],
                                  "x": [[[0.0, 0.0], [1.0, 1.0]], "float32"]}
        assert r["allgather_tiled"] == [[4, 2], [0, 0, 1, 1]]
        assert r["allgather_tiled_scalar"] == [7, 7]


def test_sync_global_devices_checks_the_names_agree(results):
    assert results[0]["mismatch"] == ("sync_global_devices name mismatch ('name0'). "
                                      "Expected: [ 501635434 1793157628]; got: 501635434.")
    assert results[1]["mismatch"].startswith("sync_global_devices name mismatch ('name1')")


def test_host_local_arrays_are_the_shards_of_global_arrays(results):
    # values JAX 0.10.2 gives for the same calls (a 2-process job, 2 CPU devices each)
    for pid, r in enumerate(results):
        assert r["local_mesh"] == [[0, 1], [2048, 2049]][pid]
        assert r["global"] == [[8], False, [[10.0 * pid, 10.0 * pid + 1], [10.0 * pid + 2, 10.0 * pid + 3]]]
        total = sum(range(4)) + sum(range(10, 14))      # the global array's sum, over both processes' halves
        assert r["back"] == [[4], [2 * (10 * pid + i) + total for i in range(4)], True]
        assert r["replicated"] == [[3], [1.0, 2.0, 3.0]]
        assert r["host_axis"] == [[4, 3], [[float(pid)] * 3] * 2]


ENV_CHILD = textwrap.dedent("""
    import os, sys
    import lintra
    pid, port = int(sys.argv[1]), sys.argv[2]
    os.environ.update(LINTRA_COORDINATOR_ADDRESS=f"127.0.0.1:{port}", LINTRA_NUM_PROCESSES="2",
                      LINTRA_PROCESS_ID=str(pid), LINTRA_LOCAL_DEVICE_IDS="0,1,2")
    del os.environ["LINTRA_NUM_CPU_DEVICES"]
    lintra.distributed.initialize(initialization_timeout=60)
    print("RESULT", [lintra.process_index(), lintra.local_device_count(), lintra.device_count()], flush=True)
""")


def test_initialize_reads_its_arguments_from_the_environment():
    outs = run_processes(ENV_CHILD)
    assert [result(*r) for r in outs] == [[0, 3, 6], [1, 3, 6]]


# Until Lintra has sharded arrays, jaxlib is driven directly here (as notes/scaleout.md section 4 did) to show
# that the client lintra.distributed.initialize made runs one SPMD program across both processes: each
# process compiles the same 4-partition module, puts only its local shards of x = [0..7], and the partitioner's
# all-reduce sums across processes over gloo.
SPMD_CHILD = textwrap.dedent('''
    import sys
    import numpy as np
    import lintra
    from lintra.ir.types import TensorType
    from lintra.runtime import pjrt
    from jaxlib import _jax, xla_client as xc
    pid, port = int(sys.argv[1]), sys.argv[2]
    lintra.distributed.initialize(f"127.0.0.1:{port}", num_processes=2, process_id=pid, initialization_timeout=60)
    devices = lintra.devices()
    MODULE = """
    module @sum attributes {mhlo.num_partitions = 4 : i32, mhlo.num_replicas = 1 : i32} {
      sdy.mesh @mesh = <["x"=4]>
      func.func public @main(%arg0: tensor<8xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"x"}]>})
          -> (tensor<f32> {sdy.sharding = #sdy.sharding<@mesh, []>}) {
        %c = stablehlo.constant dense<0.0> : tensor<f32>
        %r = stablehlo.reduce(%arg0 init: %c) applies stablehlo.add across dimensions = [0]
            : (tensor<8xf32>, tensor<f32>) -> tensor<f32>
        return %r : tensor<f32>
      }
    }
    """
    options = xc.CompileOptions()
    options.num_replicas, options.num_partitions = 1, 4
    options.executable_build_options.use_spmd_partitioning = True
    options.executable_build_options.use_shardy_partitioner = True
    options.device_assignment = xc.DeviceAssignment.create(np.array([[d.id for d in devices]], np.int32))
    exe = pjrt.client().compile_and_load(MODULE, xc.DeviceList(tuple(devices)), options)

    class Sharding(_jax.GSPMDSharding):
        def _to_xla_hlo_sharding(self, ndim):
            return self._hlo_sharding
        memory_kind = property(lambda self: self._memory_kind)
        _device_assignment = property(lambda self: tuple(self._devices))
        is_fully_replicated = property(lambda self: self._hlo_sharding.is_replicated())
        is_fully_addressable = property(lambda self: False)
        num_devices = property(lambda self: len(self._devices))
        device_set = property(lambda self: set(self._devices))

    split = Sharding(xc.DeviceList(tuple(devices)), xc.HloSharding.iota_tile([4]))
    replicated = Sharding(xc.DeviceList(tuple(devices)), xc.HloSharding.replicate())
    x = np.arange(8, dtype=np.float32)
    local = lintra.local_devices()
    shards = [x[2 * devices.index(d):2 * devices.index(d) + 2] for d in local]
    arg = _jax.batched_device_put(TensorType((8,), np.dtype(np.float32), False), split, shards, local, True,
                                  enable_x64=True)
    handler = _jax.array_result_handler(TensorType((), np.dtype(np.float32), False), replicated, committed=True,
                                        _skip_checks=True)
    out, = exe.execute_sharded([arg]).consume_with_handlers([handler])
    print("RESULT", [[float(np.asarray(a)), a.devices().pop().id] for a in out._arrays], flush=True)
    lintra.distributed.shutdown()
''')


def test_one_spmd_program_runs_across_both_processes():
    outs = run_processes(SPMD_CHILD)
    assert [result(*r) for r in outs] == [[[28.0, 0], [28.0, 1]], [[28.0, 2048], [28.0, 2049]]]
