"""shard_map on 8 CPU devices, each test's checks in a child process (see test_sharding.py for why).
Expected values are numpy's (JAX 0.10.2 gives the same; the lowering is checked in tests/lit)."""
import pytest

from .test_sharding import run


def test_collectives_1d():
    out = run("""
    from lintra import lax
    m = jax.make_mesh((8,), ('i',))
    a = np.arange(16, dtype=np.float32)
    sm = lambda f, o=P('i'): jax.shard_map(f, mesh=m, in_specs=P('i'), out_specs=o)
    blocks = a.reshape(8, 2)
    checks = {
      'psum': (sm(lambda x: lax.psum(x, 'i'), P()), blocks.sum(0)),
      'pmean': (sm(lambda x: lax.pmean(x, 'i'), P()), blocks.mean(0)),
      'pmax': (sm(lambda x: lax.pmax(x, 'i'), P()), blocks.max(0)),
      'pmin': (sm(lambda x: lax.pmin(x, 'i'), P()), blocks.min(0)),
      'gather_tiled': (sm(lambda x: lax.all_gather(x, 'i', tiled=True), P()), a),
      'gather': (sm(lambda x: lax.all_gather(x, 'i', axis=1), P()), blocks.T),
      'scatter_tiled': (sm(lambda x: lax.psum_scatter(jnp.tile(x, 4), 'i', tiled=True)),
                        np.tile(blocks.sum(0), 4)),
      'ring': (sm(lambda x: lax.ppermute(x, 'i', [(j, (j + 1) % 8) for j in range(8)])), np.roll(blocks, 1, 0).ravel()),
      'axis_index': (sm(lambda x: x * 0 + lax.axis_index('i')), np.repeat(np.arange(8.), 2)),
      'axis_size': (sm(lambda x: x * 0 + lax.axis_size('i')), np.full(16, 8.)),
    }
    for k, (f, want) in checks.items():
        got = np.asarray(f(a))
        assert np.array_equal(got, want), (k, got, want)
        assert np.array_equal(np.asarray(jax.jit(f)(a)), want), k
    # untiled psum_scatter: each device gets its row of the sum of the (8, 2) blocks
    x8 = np.arange(64, dtype=np.float32).reshape(8, 8)
    f = jax.shard_map(lambda x: lax.psum_scatter(x.reshape(8, 1), 'i'), mesh=m, in_specs=P(None, 'i'), out_specs=P('i'))
    assert np.array_equal(np.asarray(f(x8)), x8.sum(1))
    # all_to_all: device i's j-th chunk goes to device j, at position i
    y = np.arange(64, dtype=np.float32).reshape(8, 8)
    f = jax.shard_map(lambda x: lax.all_to_all(x, 'i', 1, 0, tiled=True), mesh=m, in_specs=P('i'), out_specs=P(None, 'i'))
    assert np.array_equal(np.asarray(f(y)), y), np.asarray(f(y))
    f = jax.shard_map(lambda x: lax.all_to_all(x.reshape(8), 'i', 0, 0)[None], mesh=m, in_specs=P('i'),
                      out_specs=P('i'))
    assert np.array_equal(np.asarray(f(y)), y.T), np.asarray(f(y))
    print("ok")
    """)
    assert out.strip() == "ok"


def test_collectives_2d_and_closure():
    out = run("""
    from lintra import lax
    def f(a):
        return lax.psum(a, 'y'), lax.all_gather(a, 'x', tiled=True), lax.axis_index('x')[None] + 0 * a[:1, 0]
    sm = jax.shard_map(f, mesh=mesh, in_specs=P('x', 'y'), out_specs=(P('x', 'y'), P(None, 'y'), P('x')))
    s, g, i = sm(v)
    b = v.reshape(4, 2, 2, 2)            # (x block, row, y block, col)
    assert np.array_equal(np.asarray(s), np.tile(b.sum(2, keepdims=True), (1, 1, 2, 1)).reshape(8, 4))
    assert np.array_equal(np.asarray(g), v) and np.array_equal(np.asarray(i), np.arange(4.))
    assert all(np.array_equal(p, q) for p, q in zip(jax.jit(sm)(v), (s, g, i)))
    # both axes at once, a closed-over array (replicated), set_mesh in place of mesh=
    c = jnp.arange(4.0)
    h = jax.shard_map(lambda a: lax.psum(a.sum(), ('x', 'y')) + c[:2], in_specs=P('x', 'y'), out_specs=P())
    with jax.set_mesh(mesh):
        assert np.array_equal(np.asarray(h(v)), v.sum() + np.arange(2.))
    from lintra.experimental.shard_map import shard_map as old
    k = old(lambda a: lax.psum(a, 'x'), mesh, P('x'), P(), check_rep=False)
    assert np.array_equal(np.asarray(k(v)), v.reshape(4, 2, 4).sum(0))
    print("ok")
    """)
    assert out.strip() == "ok"


def test_bad_specs_raise():
    out = run("""
    from lintra import lax
    f = lambda s, o=P('x'): jax.shard_map(lambda a: a, mesh=mesh, in_specs=s, out_specs=o)
    print(err(lambda: f(P('z'))(v)))
    print(err(lambda: f(P('x', 'y', None))(v)))
    print(err(lambda: f(P('x'))(np.zeros((6, 4), np.float32))))
    print(err(lambda: jax.shard_map(lambda a: a, in_specs=P(), out_specs=P())(v)))
    print(err(lambda: jax.jit(lambda a: lax.psum(a, 'x'))(v)))
    """)
    lines = out.splitlines()
    assert "names the axis 'z', not one of the mesh's axes ('x', 'y')" in lines[0]
    assert "of length 3, for a value of rank 2" in lines[1]
    assert "6 is not divisible by 4" in lines[2]
    assert "requires a `mesh` argument" in lines[3]
    assert lines[4].startswith("('NameError', \"unbound axis name: 'x'")


def test_grad_jvp_vmap_match_the_unsharded_function():
    out = run("""
    from lintra import lax
    x = v / 10
    w = np.linspace(-1, 1, 4, dtype=np.float32)
    body = lambda a, b: lax.psum(((jnp.sin(a) * b) ** 2).sum(), ('x', 'y'))
    sm = jax.shard_map(body, mesh=mesh, in_specs=(P('x', 'y'), P('y')), out_specs=P())
    ref = lambda a, b: ((jnp.sin(a) * b) ** 2).sum()
    close = lambda p, q: np.allclose(np.asarray(p), np.asarray(q), rtol=1e-5, atol=1e-6)
    for g in (jax.grad(sm, argnums=(0, 1)), jax.jit(jax.grad(sm, argnums=(0, 1)))):
        assert all(close(p, q) for p, q in zip(g(x, w), jax.grad(ref, argnums=(0, 1))(x, w)))
    # against central differences in a random direction
    d = np.random.RandomState(0).randn(8, 4).astype(np.float32)
    fd = (float(sm(x + 1e-2 * d, w)) - float(sm(x - 1e-2 * d, w))) / 2e-2
    assert abs(float((np.asarray(jax.grad(sm)(x, w)) * d).sum()) - fd) < 2e-2 * max(1, abs(fd)), fd
    _, t = jax.jvp(sm, (x, w), (d, np.ones_like(w)))
    _, tr = jax.jvp(ref, (x, w), (d, np.ones_like(w)))
    assert close(t, tr)
    # a replicated operand used on every device: its cotangent is summed over the devices
    f2 = jax.shard_map(lambda c, a: c * a, mesh=mesh, in_specs=(P(), P('x')), out_specs=P('x'))
    assert close(jax.grad(lambda c: (f2(c, x) ** 2).sum())(np.float32(1.5)),
                 jax.grad(lambda c: ((c * x) ** 2).sum())(np.float32(1.5)))
    # linearize, and vmap with the batch unsplit
    y, lin = jax.linearize(lambda a: sm(a, w), x)
    assert close(lin(d), tr - jax.jvp(lambda b: ref(x, b), (w,), (np.ones_like(w),))[1])
    xs = np.stack([x, 2 * x])
    assert close(jax.vmap(sm, in_axes=(0, None))(xs, w), [ref(x, w), ref(2 * x, w)])
    # a jit of a shard_map staged inside vmap runs eagerly as an SPMD program over the shard_map's mesh
    assert close(jax.vmap(jax.jit(sm), in_axes=(0, None))(xs, w), [ref(x, w), ref(2 * x, w)])
    assert close(jax.jit(jax.vmap(jax.grad(sm), in_axes=(0, None)))(xs, w),
                 jax.vmap(jax.grad(ref), in_axes=(0, None))(xs, w))
    print("ok")
    """)
    assert out.strip() == "ok"
