"""Sharding on 8 CPU devices. The device count is fixed when a process makes its client, so each test runs
its checks in a child process (LINTRA_NUM_CPU_DEVICES=8, bounded time): a crash in jaxlib fails the test
instead of killing pytest. Expected values and messages are JAX 0.10.2's, from running it."""
import os
import subprocess
import sys
import textwrap

PRELUDE = """
import numpy as np
import lintra as jax, lintra.numpy as jnp
from lintra.sharding import NamedSharding, PartitionSpec as P, AxisType
mesh = jax.make_mesh((4, 2), ('x', 'y'))
v = np.arange(32, dtype=np.float32).reshape(8, 4)
def err(f):
    try:
        f()
    except Exception as e:
        return type(e).__name__, str(e)
    return None
"""


def run(body, timeout=240):
    env = dict(os.environ, LINTRA_NUM_CPU_DEVICES="8", TF_CPP_MIN_LOG_LEVEL="3")
    p = subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(body)], env=env, capture_output=True,
                       text=True, timeout=timeout)
    assert p.returncode == 0, f"child exited with {p.returncode}\n{p.stdout}\n{p.stderr[-4000:]}"
    return p.stdout


def test_mesh_and_spec_basics():
    out = run("""
    print(repr(mesh)); print(str(mesh)); print(dict(mesh.shape), mesh.size, mesh.axis_names, mesh.devices.shape)
    print(repr(P('x', None)), repr(P(('x', 'y'))), repr(P()), P('x') == P('x', None))
    print(NamedSharding(mesh, P('x', None)))
    print(jax.sharding.get_abstract_mesh())
    with jax.set_mesh(mesh):
        print(jax.sharding.get_abstract_mesh())
    """)
    assert out.splitlines() == [
        "Mesh(axis_sizes=(4, 2), axis_names=('x', 'y'), axis_types=(Explicit, Explicit))",
        "Mesh('x': 4, 'y': 2, axis_types=(Explicit, Explicit))",
        "{'x': 4, 'y': 2} 8 ('x', 'y') (4, 2)",
        "P('x', None) P(('x', 'y'),) P() False",
        "NamedSharding(mesh=Mesh('x': 4, 'y': 2, axis_types=(Explicit, Explicit)), spec=P('x', None), "
        "memory_kind=device)",
        "AbstractMesh((), axis_types=())",
        "AbstractMesh('x': 4, 'y': 2, axis_types=(Explicit, Explicit))",
    ]


def test_errors_match_jax():
    out = run("""
    for e in [err(lambda: NamedSharding(mesh, P('z'))), err(lambda: NamedSharding(mesh, P('x', 'x'))),
              err(lambda: jax.make_mesh((4, 4), ('x', 'y'))), err(lambda: jax.make_mesh((4, 2), ('x',))),
              err(lambda: jax.device_put(np.zeros((5, 4)), NamedSharding(mesh, P('x'))))]:
        print(e)
    """)
    lines = out.splitlines()
    assert lines[0] == "('ValueError', \"Resource axis: z of P('z',) is not found in mesh: ('x', 'y').\")"
    assert lines[1] == ("('DuplicateSpecError', \"A single NamedSharding spec specification can map every mesh "
                        "axis to at most one positional dimension, but P('x', 'x') has duplicate entries for `x`\")")
    assert lines[2] == "('ValueError', 'Number of devices 8 must be >= the product of mesh_shape (4, 4)')"
    assert "devices.ndim == 2 and len(axis_names) == 1" in lines[3]
    assert lines[4].startswith("('IndivisibleError',") and "implies that array axis 0 is partitioned 4 times, but " \
        "the dimension size is 5 (full shape: (5, 4), per-dimension tiling factors: [4, 1]" in lines[4]


def test_device_put_shards_and_reads_back():
    out = run("""
    x = jax.device_put(v, NamedSharding(mesh, P('x', None)))
    assert np.array_equal(np.asarray(x), v)
    print([(s.index, s.device.id, s.replica_id, s.data.shape) for s in x.addressable_shards][:2])
    print(x.is_fully_replicated, x.is_fully_addressable, x.committed)
    y = jax.device_put(x, NamedSharding(mesh, P('y', 'x')))
    assert np.array_equal(np.asarray(y), v) and y.sharding.spec == P('y', 'x')
    # the same devices in a mesh with other axes
    z = jax.device_put(x, NamedSharding(jax.make_mesh((8,), ('z',)), P('z')))
    assert np.array_equal(np.asarray(z), v) and z.sharding.spec == P('z') and len(z.addressable_shards) == 8
    jax.debug.visualize_array_sharding(x)
    """)
    lines = out.splitlines()
    assert lines[0] == ("[((slice(0, 2, None), slice(None, None, None)), 0, 0, (2, 4)), "
                        "((slice(0, 2, None), slice(None, None, None)), 1, 1, (2, 4))]")
    assert lines[1] == "False True True"
    assert lines[2:] == ["+---------+", "| CPU 0,1 |", "+---------+", "| CPU 2,3 |", "+---------+", "| CPU 4,5 |",
                         "+---------+", "| CPU 6,7 |", "+---------+"]


def test_sharded_results_equal_single_device():
    run("""
    x = jax.device_put(v, NamedSharding(mesh, P('x', None)))
    w = np.linspace(-1, 1, 24, dtype=np.float32).reshape(4, 6)
    single = jax.jit(lambda a, b: (jnp.tanh(a @ b), (a @ b).sum()))(v, w)
    m = jax.jit(lambda a, b: (jnp.tanh(a @ b), (a @ b).sum()),
                in_shardings=(NamedSharding(mesh, P('x', None)), NamedSharding(mesh, P(None, 'y'))))
    for _ in range(3):
        got = m(x, w)
    # per-shard dot kernels sum in another order: 1e-6 relative to the size of the products (~30)
    scale = np.abs(v @ w).max()
    np.testing.assert_allclose(np.asarray(got[0]), np.asarray(single[0]), rtol=1e-6, atol=1e-6 * scale)
    np.testing.assert_allclose(np.asarray(got[1]), np.asarray(single[1]), rtol=1e-6)
    assert got[0].sharding.spec == P('x', 'y'), got[0].sharding
    assert got[1].sharding.spec == P(), got[1].sharding
    # eager ops keep their input's sharding (as JAX)
    assert jnp.sin(x).sharding == x.sharding and (x + 1).sharding == x.sharding
    assert np.array_equal(np.asarray(x + 1), v + 1)
    # a reduction over the split axis is replicated; on this Explicit mesh its type says so (JAX: P(None,))
    assert jax.jit(lambda a: a.sum(0))(x).sharding.spec == P(None,)
    # with_sharding_constraint names Auto axes (on Explicit ones JAX raises, pointing at reshard)
    auto = jax.make_mesh((4, 2), ('x', 'y'), axis_types=(AxisType.Auto,) * 2)
    xa = jax.device_put(v, NamedSharding(auto, P('x', None)))
    wsc = jax.jit(lambda a: jax.lax.with_sharding_constraint(a * 2, NamedSharding(auto, P(None, 'y'))))(xa)
    assert wsc.sharding.spec == P(None, 'y') and np.array_equal(np.asarray(wsc), v * 2)
    g = jax.jit(jax.grad(lambda a: (jax.lax.with_sharding_constraint(a, NamedSharding(auto, P('x'))) ** 2).sum()))
    np.testing.assert_allclose(np.asarray(g(xa)), 2 * v)
    """)


def test_mismatched_sharding_is_rejected_or_resharded_never_crashes():
    out = run("""
    x = jax.device_put(v, NamedSharding(mesh, P('x', None)))
    f = jax.jit(lambda a: a * 2, in_shardings=NamedSharding(mesh, P(None, 'y')))
    print(err(lambda: f(x)))
    print(err(lambda: f(x)))                       # again: still rejected, never launched
    r = f(v)                                       # host value: laid out as compiled
    assert np.array_equal(np.asarray(r), v * 2) and r.sharding.spec == P(None, 'y')
    u = jnp.asarray(v)                             # uncommitted single-device array: resharded
    for _ in range(3):
        assert np.array_equal(np.asarray(f(u)), v * 2)
    y = jax.device_put(v, NamedSharding(mesh, P(None, 'y')))
    for _ in range(3):
        assert np.array_equal(np.asarray(f(y)), v * 2)
    print(err(lambda: f(x)))                       # after fast-path hits with another layout
    print(err(lambda: jax.jit(lambda a: a, out_shardings=NamedSharding(mesh, P('x')))(np.zeros((5,), np.float32))))
    """)
    lines = out.splitlines()
    expected = ("('ValueError', \"Sharding passed to jit does not match the sharding on the respective arg. Got jit "
                "sharding: NamedSharding(mesh=Mesh('x': 4, 'y': 2, axis_types=(Explicit, Explicit)), "
                "spec=P(None, 'y'), memory_kind=device),\\narg sharding: NamedSharding(mesh=Mesh('x': 4, 'y': 2, "
                "axis_types=(Explicit, Explicit)), spec=P('x', None), memory_kind=device) for arg type: f32[8@x,4]\")")
    assert lines[0] == lines[1] == lines[2] == expected
    assert lines[3].startswith("('IndivisibleError', \"Sharding NamedSharding(mesh=Mesh('x': 4, 'y': 2, "
                               "axis_types=(Explicit, Explicit)), spec=P('x',), memory_kind=device) implies that "
                               "array axis 0 is partitioned 4 times, but the dimension size is 5")


def test_resharding_stays_on_device():
    """device_put of an array already on devices to another layout: a compiled identity between the two
    shardings (cached per signature), a slice-and-copy from one device to a mesh, a replicate-and-take from a
    mesh to one device; the value never goes through the host."""
    run("""
    from lintra.runtime import spmd, pjrt
    mesh = jax.make_mesh((4, 2), ('a', 'b'))
    w = np.arange(64, dtype=np.float32).reshape(8, 8)
    x = jax.device_put(w, NamedSharding(mesh, P('a', 'b')))
    host_reads = []
    value = pjrt.ArrayImpl._value
    pjrt.ArrayImpl._value = lambda self: host_reads.append(self.aval) or value(self)
    y = jax.device_put(x, NamedSharding(mesh, P('b', None)))
    y2 = jax.device_put(x, NamedSharding(mesh, P('b', None)))
    assert len(spmd._identities) == 1                           # one compile per (shape, dtype, old, new)
    s = jax.device_put(w, jax.devices()[3])
    z = jax.device_put(s, NamedSharding(mesh, P(None, ('a', 'b'))))
    r = jax.device_put(z, NamedSharding(mesh, P()))
    one = jax.device_put(x, jax.devices()[5])
    u = jax.device_put(jnp.asarray(w), NamedSharding(mesh, P('a')))   # an uncommitted array, too
    assert host_reads == [], host_reads
    pjrt.ArrayImpl._value = value
    for a, spec in [(y, P('b', None)), (y2, P('b', None)), (z, P(None, ('a', 'b'))), (r, P()), (u, P('a'))]:
        assert a.sharding == NamedSharding(mesh, spec) and a.committed, a.sharding
        assert np.array_equal(np.asarray(a), w)
    assert [sh.data.shape for sh in y.addressable_shards] == [(4, 8)] * 8
    assert [sh.index for sh in z.addressable_shards][1] == (slice(None), slice(1, 2))
    assert one.devices() == {jax.devices()[5]} and one.committed
    assert np.array_equal(np.asarray(one), w) and np.array_equal(np.asarray(one + 1), w + 1)
    assert (one + 1).devices() == {jax.devices()[5]}
    # a pytree of shardings, a prefix of the values (as JAX)
    t = jax.device_put({'p': (w, w), 'q': w}, {'p': NamedSharding(mesh, P('a')), 'q': jax.devices()[1]})
    assert t['p'][1].sharding.spec == P('a') and t['q'].devices() == {jax.devices()[1]}
    """)
