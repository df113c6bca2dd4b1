"""multihost_utils.host_local_array_to_global_array / global_array_to_host_local_array in one process with 8
CPU devices (a child process, see test_sharding.py); tests/distributed/test_multiprocess.py runs them across
two processes. Expected values and messages are JAX 0.10.2's, from running it."""
from .test_sharding import run


def test_one_process_round_trip_and_errors():
    out = run("""
    from lintra.experimental import multihost_utils as mu
    m = jax.sharding.Mesh(jax.devices(), ('x',))
    a = mu.host_local_array_to_global_array(np.arange(8), m, P('x'))
    print(repr(a), a.sharding, a.weak_type, [np.asarray(s.data).tolist() for s in a.addressable_shards][:3])
    print(mu.global_array_to_host_local_array(a, m, P('x')) is a)     # fully addressable: returned as it is
    c = mu.global_array_to_host_local_array(np.arange(8.), m, P('x'))
    print(repr(c), c.sharding)
    t = mu.host_local_array_to_global_array((np.arange(8), np.ones((2, 8))), m, (P('x'), P(None, 'x')))
    print(t[1].sharding, t[1].shape)
    # under jit and grad: the identity, as JAX lowers it
    print(jax.jit(lambda x: mu.host_local_array_to_global_array(x, m, P('x')))(np.arange(8.)).sharding)
    print(jax.grad(lambda x: mu.host_local_array_to_global_array(x, m, P('x')).sum())(np.arange(8.)))
    print(err(lambda: mu.host_local_array_to_global_array(np.arange(8), m, None)))
    print(err(lambda: mu.host_local_array_to_global_array(np.arange(6), m, P('x')))[0])
    print(m.local_mesh == m)
    """)
    assert out.splitlines() == [
        "Array([0, 1, 2, 3, 4, 5, 6, 7], dtype=int32) NamedSharding(mesh=Mesh('x': 8, axis_types=(Auto,)), "
        "spec=P('x',), memory_kind=device) False [[0], [1], [2]]",
        "True",
        "Array([0., 1., 2., 3., 4., 5., 6., 7.], dtype=float32) NamedSharding(mesh=Mesh('x': 8, "
        "axis_types=(Auto,)), spec=P('x',), memory_kind=device)",
        "NamedSharding(mesh=Mesh('x': 8, axis_types=(Auto,)), spec=P(None, 'x'), memory_kind=device) (2, 8)",
        "SingleDeviceSharding(device=CpuDevice(id=0), memory_kind=device)",
        "[1. 1. 1. 1. 1. 1. 1. 1.]",
        "('ValueError', '`None` is not a valid input to the pspecs argument. Please use "
        "jax.sharding.PartitionSpec() if you wanted to replicate your input.')",
        "IndivisibleError",
        "True",
    ]
