"""pmap on 8 CPU devices, each test's checks in a child process (see test_sharding.py for why). Expected
values are loops over the per-device slices in numpy, closed forms or finite differences; shardings, reprs
and messages are JAX 0.10.2's, from running it (its pmap is shard_map + jit, as Lintra's)."""
from .test_sharding import run

PMAP_SHARDING = ("NamedSharding(mesh=Mesh('_internal_pmap_axis_name': {n}, axis_types=(Auto,)), "
                 "spec=P({spec}), memory_kind=device)")


def test_values_equal_a_loop_over_devices_and_results_are_sharded_arrays():
    out = run("""
    f = lambda a: jnp.sin(a) * 2 + a.sum()
    x = np.arange(12, dtype=np.float32).reshape(4, 3) / 7
    y = jax.pmap(f)(x)
    np.testing.assert_allclose(np.asarray(y), np.stack([np.sin(r) * 2 + r.sum() for r in x]), rtol=1e-6)
    m = np.arange(12, dtype=np.float32).reshape(3, 2, 2)                  # JAX's docstring: pmap(jnp.dot)
    assert np.array_equal(np.asarray(jax.pmap(jnp.dot)(m, m ** 2)), np.stack([a @ (a ** 2) for a in m]))
    print(type(y).__name__, isinstance(y, jax.Array), y.shape, y.dtype)
    print(y.sharding)
    print([(s.device.id, s.index) for s in y.addressable_shards][:2])
    print(repr(jax.pmap(lambda a: a * 2)(jnp.arange(8.))))
    # in_axes / out_axes: a loop over axis 1, stacked on axis 1; None broadcasts
    z = jax.pmap(lambda a, s: a * s, in_axes=(1, None), out_axes=1)(x.T, 3.0)
    assert np.array_equal(np.asarray(z), x.T * 3) and z.shape == (3, 4)
    print(z.sharding)
    assert np.array_equal(np.asarray(jax.pmap(lambda a: a, in_axes=-1)(x.T)), x)      # axis -1 of (3, 4)
    # pytrees in and out, keyword arguments mapped on axis 0
    d = {'a': x[:, 0], 'b': (1.5, np.arange(8, dtype=np.float32).reshape(2, 4))}
    r = jax.pmap(lambda t: {'s': t['a'] + t['b'][0], 't': (t['b'][1] * 2,)},
                 in_axes=({'a': 0, 'b': (None, 1)},), out_axes={'s': 0, 't': (1,)})(d)
    assert np.array_equal(np.asarray(r['s']), x[:, 0] + 1.5) and np.array_equal(np.asarray(r['t'][0]), d['b'][1] * 2)
    assert np.array_equal(np.asarray(jax.pmap(lambda a, b: a - b)(x, b=x[::-1])), x - x[::-1])
    # out_axes=None: the value of device 0 (JAX 0.10.2 too: shard_map with check_vma=False)
    print(repr(jax.pmap(lambda a: a.sum(), out_axes=None)(x)))
    # static_broadcasted_argnums: a Python value on every device, retraced per value
    traces = []
    def g(a, n, b):
        traces.append(n)
        return a * n + b
    pg = jax.pmap(g, static_broadcasted_argnums=1)
    for n in (2, 3, 2):
        np.testing.assert_allclose(np.asarray(pg(x, n, x)), x * n + x, rtol=1e-6)
    print(traces)
    # with statics, in_axes has an entry for every positional argument (the static one's is ignored)
    r = jax.pmap(lambda a, n, b: a * n + b, in_axes=(0, None, None), static_broadcasted_argnums=1)(x, 3, 1.0)
    np.testing.assert_allclose(np.asarray(r), x * 3 + 1, rtol=1e-6)
    # dtypes kept; devices= in any order: index i runs on devices[i]
    print(jax.pmap(lambda a: a + 1)(np.arange(4)).dtype, jax.pmap(lambda a: ~a)(np.array([True, False])))
    devs = [jax.devices()[i] for i in (6, 1, 3)]
    w = jax.pmap(lambda a: a * 10, devices=devs)(np.arange(3.0))
    print([s.device.id for s in w.addressable_shards], np.asarray(w))
    print(jax.pmap(lambda a: a, axis_name='i')(x).sharding.spec)
    """)
    lines = out.splitlines()
    assert lines[0] == "ArrayImpl True (4, 3) float32"
    assert lines[1] == PMAP_SHARDING.format(n=4, spec="'_internal_pmap_axis_name',")
    assert lines[2] == ("[(0, (slice(0, 1, None), slice(None, None, None))), "
                        "(1, (slice(1, 2, None), slice(None, None, None)))]")
    assert lines[3] == "Array([ 0.,  2.,  4.,  6.,  8., 10., 12., 14.], dtype=float32)"
    assert lines[4] == PMAP_SHARDING.format(n=4, spec="None, '_internal_pmap_axis_name'")
    assert lines[5] == "Array(0.42857146, dtype=float32)"       # JAX 0.10.2 prints the same
    assert lines[6] == "[2, 3]"
    assert lines[7] == "int32 [False  True]"
    assert lines[8] == "[6, 1, 3] [ 0. 10. 20.]"
    assert lines[9] == "P('i',)"


def test_collectives_over_the_pmap_axis():
    out = run("""
    from lintra import lax
    x = np.arange(4, dtype=np.float32)
    print(np.asarray(jax.pmap(lambda a: a / lax.psum(a, 'i'), 'i')(x)))       # JAX's docstring example
    checks = {
        'psum': (lambda a: lax.psum(a, 'i'), np.full(4, x.sum())),
        'pmean': (lambda a: lax.pmean(a, 'i'), np.full(4, x.mean())),
        'pmax': (lambda a: lax.pmax(a, 'i'), np.full(4, 3.0)),
        'all_gather': (lambda a: lax.all_gather(a, 'i'), np.tile(x, (4, 1))),
        'ring': (lambda a: lax.ppermute(a, 'i', [(j, (j + 1) % 4) for j in range(4)]), np.roll(x, 1)),
        'axis_index': (lambda a: a * 0 + lax.axis_index('i'), np.arange(4.0)),
    }
    for k, (f, want) in checks.items():
        got = np.asarray(jax.pmap(f, 'i')(x))
        assert np.array_equal(got, want), (k, got, want)
    # rows of a matrix: psum of each device's row is the column sums
    m = np.arange(12, dtype=np.float32).reshape(4, 3)
    assert np.array_equal(np.asarray(jax.pmap(lambda r: lax.psum(r, 'i'), 'i')(m)), np.tile(m.sum(0), (4, 1)))
    # axis_index follows devices=, whatever their ids
    devs = [jax.devices()[i] for i in (7, 2)]
    print(np.asarray(jax.pmap(lambda a: a + lax.axis_index('i'), 'i', devices=devs)(np.zeros(2, np.float32))))
    # JAX's docstring: two pmaps on disjoint devices
    f1 = jax.pmap(lambda a: a / lax.psum(a, axis_name='i'), axis_name='i', devices=jax.devices()[:6])
    f2 = jax.pmap(lambda a: lax.psum(a ** 2, axis_name='i'), axis_name='i', devices=jax.devices()[-2:])
    print(f1(jnp.arange(6.)), f2(jnp.array([2., 3.])))
    # under disable_jit the shard_map runs eagerly, with the same result and sharding
    with jax.disable_jit():
        r = jax.pmap(lambda a: a * 2 + lax.psum(a, 'i'), 'i')(x)
    print(np.asarray(r), r.sharding.spec)
    """)
    lines = out.splitlines()
    assert lines[0] == "[0.         0.16666667 0.33333334 0.5       ]"
    assert lines[1] == "[0. 1.]"
    assert lines[2] == "[0.         0.06666667 0.13333334 0.2        0.26666668 0.33333334] [13. 13.]"   # JAX's
    assert lines[3] == "[ 6.  8. 10. 12.] P('i',)"


def test_derivatives_and_vmap_compose_with_pmap():
    out = run("""
    from lintra import lax
    xs = np.arange(8, dtype=np.float32).reshape(4, 2) / 3
    f = lambda w, a: jnp.sum(jnp.sin(w * a))
    # pmap(grad): d/dw sum(sin(w a)) = sum(a cos(w a)), per device
    got = jax.pmap(jax.grad(f), in_axes=(None, 0))(2.0, xs)
    np.testing.assert_allclose(np.asarray(got), (xs * np.cos(2 * xs)).sum(1), rtol=1e-5)
    # grad(pmap): g(w) = sum_i x_i sin(w x_i) has g'(w) = sum_i x_i^2 cos(w x_i)
    x = np.arange(4, dtype=np.float32)
    g = lambda w: jnp.sum(jax.pmap(lambda a: a * jnp.sin(a * w))(x))
    for gg in (jax.grad(g), jax.jit(jax.grad(g))):
        np.testing.assert_allclose(float(gg(1.5)), (x ** 2 * np.cos(1.5 * x)).sum(), rtol=1e-5)
    # through psum: h(x) = sum_k sin(x_k) * S, S = sum_j x_j^2, so dh/dx_k = cos(x_k) S + 2 x_k sum_i sin(x_i)
    h = lambda v: jnp.sum(jax.pmap(lambda a: jnp.sin(a) * lax.psum(a ** 2, 'i'), 'i')(v))
    dh = np.asarray(jax.grad(h)(x))
    print(dh)
    np.testing.assert_allclose(dh, np.cos(x) * (x ** 2).sum() + 2 * x * np.sin(x).sum(), rtol=1e-5)
    v64 = x.astype(np.float64)
    hn = lambda v: (np.sin(v) * (v ** 2).sum()).sum()
    d = np.random.RandomState(0).randn(4)
    fd = (hn(v64 + 1e-4 * d) - hn(v64 - 1e-4 * d)) / 2e-4
    assert abs((dh * d).sum() - fd) < 1e-3 * max(1.0, abs(fd)), ((dh * d).sum(), fd)
    # vmap of pmap (batch unsplit) equals a loop over the batch; pmap of vmap with collectives over both
    b = np.arange(12, dtype=np.float32).reshape(3, 4)
    for vm in (jax.vmap(jax.pmap(lambda a: lax.psum(a, 'i'), 'i')),
               jax.jit(jax.vmap(jax.pmap(lambda a: lax.psum(a, 'i'), 'i')))):
        assert np.array_equal(np.asarray(vm(b)), np.stack([np.full(4, r.sum()) for r in b]))
    pv = jax.pmap(jax.vmap(lambda a: lax.psum(a, ('i', 'b')) + lax.psum(a, 'b'), axis_name='b'), 'i')
    m = np.arange(12, dtype=np.float32).reshape(4, 3)
    assert np.array_equal(np.asarray(pv(m)), m.sum() + np.tile(m.sum(1, keepdims=True), (1, 3)))
    # jvp through pmap
    _, t = jax.jvp(lambda v: jax.pmap(jnp.sin)(v), (x,), (np.ones(4, np.float32),))
    np.testing.assert_allclose(np.asarray(t), np.cos(x), rtol=1e-6)
    """)
    assert out.splitlines()[0] == "[14.        11.348009   1.7414975 -2.5085645]"     # JAX 0.10.2's


def test_jit_chaining_donation_and_lowering():
    out = run("""
    x = np.arange(4, dtype=np.float32)
    f = jax.pmap(lambda a: a * 2)
    print(jax.jit(f)(x).sharding)
    print(jax.pmap(jax.jit(lambda a: a + 1))(x).sharding)
    y = f(x)
    assert np.array_equal(np.asarray(f(y)), x * 4)       # a pmap's output feeds the next pmap as it is
    # on other devices, or sharded over another mesh: moved to the pmap's layout (JAX moves the former)
    z = jax.pmap(lambda a: a + 1, devices=jax.devices()[4:])(y)
    assert np.array_equal(np.asarray(z), x * 2 + 1) and [s.device.id for s in z.addressable_shards] == [4, 5, 6, 7]
    q = jax.device_put(x, NamedSharding(jax.make_mesh((4,), ('q',)), P('q')))
    assert np.array_equal(np.asarray(f(q)), x * 2)
    # donation: an input already laid out as the pmap's is consumed, also after it was read on the host
    d = jax.pmap(lambda a: a * 3, donate_argnums=0)
    y = f(x)
    assert np.array_equal(np.asarray(y), x * 2)
    r = d(y)
    print(np.asarray(r), y.is_deleted())
    # donate_argnums count all positional arguments, static ones included (JAX rebases them)
    y = f(x)
    r = jax.pmap(lambda n, a: a * n, static_broadcasted_argnums=0, donate_argnums=1)(3, y)
    assert np.array_equal(np.asarray(r), x * 6) and y.is_deleted()
    text = f.lower(x).as_text()
    assert 'mhlo.num_partitions = 4' in text and 'sdy.manual_computation' in text, text
    print(jax.make_jaxpr(jax.pmap(lambda a: jax.lax.psum(a, 'i'), 'i'))(x).eqns[0].primitive.name)
    """)
    lines = out.splitlines()
    assert lines[0] == lines[1] == PMAP_SHARDING.format(n=4, spec="'_internal_pmap_axis_name',")
    assert lines[2] == "[ 0.  6. 12. 18.] True"
    assert lines[3] == "call"


def test_errors():
    out = run("""
    from lintra import lax
    x = np.arange(4, dtype=np.float32)
    for e in [err(lambda: jax.pmap(lambda a: a)(np.arange(9.0))),
              err(lambda: jax.pmap(lambda a: a, devices=jax.devices()[:2])(x)),
              err(lambda: jax.pmap(lambda a, b: a + b)(x, np.arange(3.0))),
              err(lambda: jax.pmap(lambda a, b: a + b, in_axes=(0, 0, 0))(x, x)),
              err(lambda: jax.pmap(lambda a: a)("hello")),
              err(lambda: jax.pmap(lambda a: a)(3.0)),
              err(lambda: jax.pmap(lambda a: a, in_axes=None)(x)),
              err(lambda: jax.pmap(lambda a: a, in_axes=1.0)),
              err(lambda: jax.pmap(lambda a: a, axis_size=3)(x)),
              err(lambda: jax.pmap(lambda a, n: a, static_broadcasted_argnums=1)(x)),
              err(lambda: jax.pmap(lambda a, n: a, static_broadcasted_argnums=1)(x, np.ones(2))),
              err(lambda: jax.pmap(3)),
              err(lambda: jax.pmap(lambda a: a, devices=[])),
              err(lambda: jax.pmap(jax.pmap(lambda a: a, 'j'), 'i')(np.ones((2, 2), np.float32))),
              err(lambda: jax.pmap(lambda a: lax.psum(a, 'k'), 'i')(x)),
              err(lambda: jax.pmap(lambda a: a)(np.zeros((0,), np.float32))),
              err(lambda: jax.pmap(lambda a, n, b: a, in_axes=(0, None), static_broadcasted_argnums=1)(x, 3, x)),
              err(lambda: jax.pmap(lambda a, n: a, static_broadcasted_argnums=-1)),
              err(lambda: jax.pmap(lambda a, n: a, static_broadcasted_argnums=1, donate_argnums=(0, 1)))]:
        print(e)
    """)
    lines = out.splitlines()
    assert lines[0].startswith("('IndivisibleError', \"pmap over the axis '_internal_pmap_axis_name' of size 9 needs "
                               "9 devices, but only 8 are available"), lines[0]
    assert "of size 4 was given devices= with 2 devices" in lines[1]
    assert lines[2] == ("('ValueError', 'pmap of <lambda> got inconsistent sizes for array axes to be mapped:\\n  * "
                        "one axis had size 4: axis 0 of argument args[0] of type f32[4]\\n  * one axis had size 3: "
                        "axis 0 of argument args[1] of type f32[3]')")
    assert lines[3].startswith("('ValueError', \"pytree structure error: different lengths of tuple at key path\\n"
                               "    pmap in_axes[0]\\nAt that key path, the prefix pytree pmap in_axes has a subtree "
                               "of type tuple of length 3, but the full pytree has a subtree of the same type but of "
                               "length 2.\\n\\nThe 'full pytree' here is the tuple of arguments passed positionally")
    assert lines[4].startswith("('TypeError', \"pmap of <lambda>: argument args[0], 'hello' of type str, is not "
                               "an array")
    assert "map argument args[0] along axis 0, which implies that its rank should be at least 1, but is only 0" \
        in lines[5]
    assert lines[6] == "('ValueError', 'pmap requires at least one argument with a mapped axis.')"
    assert lines[7] == ("('TypeError', 'pmap in_axes must be an int, None, or (nested) container with those types as "
                        "leaves, but got 1.0.')")
    assert lines[8] == "('ValueError', \"Specified axis_size 3 doesn't match received axis_size 4.\")"
    assert lines[9] == ("('ValueError', 'pmapped function has static_broadcasted_argnums=(1,) but was called with "
                        "only 1 positional argument. All static broadcasted arguments must be passed positionally.')")
    assert lines[10].startswith("('ValueError', \"Non-hashable static arguments are not supported, as this can lead "
                                "to unexpected cache-misses. Static argument (index 1) of type <class 'numpy.ndarray'>")
    assert lines[11] == "('TypeError', 'Expected a callable value, got 3')"
    assert lines[12] == "('ValueError', \"'devices' argument to pmap must be non-empty, or None.\")"
    assert lines[13].startswith("('ValueError', \"pmap of <lambda> was called inside a pmap or shard_map over the "
                                "mesh axes ('i',); nested pmap is not supported")
    assert lines[14].startswith("('NameError', \"unbound axis name: 'k'"), lines[14]
    assert "the mapped axis has size 0" in lines[15]
    assert "pmap in_axes (0, None) has 2 entries, but the pmapped function was called with 3 positional" in lines[16]
    assert lines[17] == ("('ValueError', 'pmap static_broadcasted_argnums must be non-negative positions of "
                         "positional arguments, got (-1,)')")
    assert lines[18] == "('ValueError', '`static_argnums` [1] and `donate_argnums` [0, 1] cannot intersect.')"
