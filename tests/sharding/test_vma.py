"""shard_map's varying-manual-axes types (check_vma=True, the default) on 8 CPU devices, each test in a child
process (see test_sharding.py). Types, messages and IR shapes are JAX 0.10.2's, from running it; numbers are
checked against the unsharded function and finite differences."""
from .test_sharding import run


def test_types_follow_jax():
    out = run("""
    from lintra import lax
    def f(x, y):
        z = x + y                       # y is pvary'd to x's axes first, as JAX does
        s = lax.psum(z, 'x')
        for v in (x, y, z, s, lax.pcast(y, 'x', to='varying'), lax.pcast(y, ('x', 'y'), to='varying'),
                  lax.axis_index('y'), lax.all_gather(y, 'x'), lax.pmean(x, ('x', 'y'))):
            print(jax.typeof(v))
        return s
    g = jax.shard_map(f, mesh=mesh, in_specs=(P('x', 'y'), P()), out_specs=P(None, 'y'))
    assert np.array_equal(np.asarray(g(v, np.ones((2, 2), np.float32))),
                          (v.reshape(4, 2, 2, 2).sum(0) + 4).reshape(2, 4))
    # without check_vma nothing varies: pcast is a no-op, and no pvary is staged
    h = jax.shard_map(lambda x, y: (print(jax.typeof(lax.pcast(y, 'x', to='varying'))), x + y)[1], mesh=mesh,
                      in_specs=(P('x', 'y'), P()), out_specs=P('x', 'y'), check_vma=False)
    assert 'pvary' not in str(jax.make_ir(h)(v, np.ones((2, 2), np.float32)))
    """)
    # JAX prints float32[2,2]{V:(x,y)} and so on: the same vma suffixes
    assert out.split() == ["f32[2,2]{V:(x,y)}", "f32[2,2]", "f32[2,2]{V:(x,y)}", "f32[2,2]{V:y}", "f32[2,2]{V:x}",
                           "f32[2,2]{V:(x,y)}", "i32[]{V:y}", "f32[4,2,2]{V:x}", "f32[2,2]", "f32[2,2]"]


def test_errors_match_jax():
    out = run("""
    from lintra import lax
    m8 = jax.make_mesh((8,), ('i',))
    msg = lambda f: '%s: %s' % err(f)
    show = lambda f: print(msg(f).replace('\\n', '|'))
    show(lambda: jax.shard_map(lambda a: a, mesh=m8, in_specs=P('i'), out_specs=P())(np.arange(8.)))
    show(lambda: jax.shard_map(lambda a: (a, a.sum(keepdims=True)), mesh=m8, in_specs=P('i'),
                               out_specs=(P('i'), P()))(np.arange(8.)))
    show(lambda: jax.shard_map(lambda a: a, mesh=mesh, in_specs=P(('x', 'y')), out_specs=P())(np.arange(8.)))
    show(lambda: jax.shard_map(lambda a: a, mesh=mesh, in_specs=P('x'), out_specs=P())(np.arange(8.)))
    def casts(a):
        for axes, to in (('i', 'varying'), ('i', 'reduced'), ({'i'}, 'varying'), ('i', 'foo')):
            show(lambda: lax.pcast(a, axes, to=to))
        return a
    jax.shard_map(casts, mesh=m8, in_specs=P('i'), out_specs=P('i'))(np.arange(8.))
    show(lambda: lax.pvary)
    """)
    head = ("ValueError: shard_map applied to the function '<lambda>' was given out_specs which require replication "
            "which can't be statically inferred given the mesh:||The mesh given has shape ")
    tail = ("||Check if these output values are meant to be replicated over those mesh axes. If not, consider "
            "revising the corresponding out_specs entries. If so, consider disabling the check by passing the "
            "check_vma=False argument to `jax.shard_map`.")
    rep_i = head + ("(8,) with corresponding axis names ('i',).||out_specs is P() which implies that the "
                    "corresponding output value is replicated across mesh axis 'i', but could not infer "
                    "replication over any axes") + tail
    only = lambda both, vma: head + (
        "(4, 2) with corresponding axis names ('x', 'y').||out_specs is P() which implies that the corresponding "
        f"output value is only varying across mesh axes {{}} and not {{{both}}}, but it was inferred to be "
        f"possibly varying over {{{vma}}}") + tail
    assert out.splitlines() == [
        rep_i, rep_i, only("x,y", "x,y"), only("x", "x"),
        "ValueError: Unsupported pcast from=varying, to='varying'",
        "ValueError: Unsupported pcast from=varying, to='reduced'",
        "TypeError: axis_name={'i'} must be a tuple or a str. Got {'i'}",
        "ValueError: Got unexpected `to` value. Allowed `to` values are: {'reduced', 'unreduced', 'varying'}",
        "AttributeError: jax.lax.pvary was deprecated in JAX v0.8.2 and removed in JAX v0.10.0; use "
        "`jax.lax.pcast(..., to='varying')",
    ]


def test_grads_follow_check_vma_rules():
    out = run("""
    from lintra import lax
    m8 = jax.make_mesh((8,), ('i',))
    x = np.linspace(-2, 2, 16).astype(np.float32)
    w0 = np.float32(0.5)
    close = lambda p, q: np.allclose(np.asarray(p), np.asarray(q), rtol=1e-5, atol=1e-5)
    ref = lambda w, a: jnp.sin(a * w).sum()
    for cv in (True, False):
        f = jax.shard_map(lambda w, a: lax.psum(jnp.sin(a * w).sum(), 'i'), mesh=m8, in_specs=(P(), P('i')),
                          out_specs=P(), check_vma=cv)
        g = jax.grad(f, argnums=(0, 1))(w0, x)
        assert all(close(p, q) for p, q in zip(g, jax.grad(ref, argnums=(0, 1))(w0, x)))
        fd = (float(f(w0 + 1e-2, x)) - float(f(w0 - 1e-2, x))) / 2e-2
        assert abs(float(g[0]) - fd) < 1e-2 * max(1, abs(fd)), (float(g[0]), fd)
        text = str(jax.make_ir(jax.grad(f))(w0, x))
        # JAX 0.10.2's grad jaxpr: with check_vma the backward region has the pvary of w, the psum of its
        # cotangent and no division of the output cotangent by 8 (forward and backward: one pvary and one psum each);
        # without, a division by 8 and one psum more (of w's cotangent)
        print(cv, text.count('psum'), text.count('pvary'), '0.125' in text)
    """)
    assert out.split() == ["True", "2", "2", "False", "False", "3", "0", "True"]


def test_megatron_mlp_grads():
    out = run("""
    from lintra import lax
    rng = np.random.RandomState(0)
    x = rng.randn(8, 6).astype(np.float32)
    w1 = (rng.randn(6, 8) / 3).astype(np.float32)
    w2 = (rng.randn(8, 6) / 3).astype(np.float32)
    def mlp(x, w1, w2):
        return jnp.tanh(x @ w1) @ w2
    def loss_ref(params, x):
        return ((mlp(x, *params) - 1.0) ** 2).mean()
    # batch split over 'x', hidden units over 'y': column- then row-parallel, psum over 'y', pmean over 'x'
    def local(x, w1, w2):
        y = lax.psum(jnp.tanh(x @ w1) @ w2, 'y')
        return lax.pmean(((y - 1.0) ** 2).mean(), 'x')
    for cv in (True, False):
        sm = jax.shard_map(local, mesh=mesh, in_specs=(P('x'), P(None, 'y'), P('y')), out_specs=P(), check_vma=cv)
        loss = lambda params, x: sm(x, *params)
        assert np.allclose(float(loss((w1, w2), x)), float(loss_ref((w1, w2), x)), rtol=1e-5)
        g = jax.jit(jax.grad(loss))((w1, w2), x)
        gr = jax.grad(loss_ref)((w1, w2), x)
        assert all(np.allclose(np.asarray(p), np.asarray(q), rtol=1e-4, atol=1e-6) for p, q in zip(g, gr))
        d = rng.randn(8, 6).astype(np.float32)
        fd = (float(loss((w1, w2 + 1e-2 * d), x)) - float(loss((w1, w2 - 1e-2 * d), x))) / 2e-2
        assert abs(float((np.asarray(g[1]) * d).sum()) - fd) < 1e-2 * max(1, abs(fd))
        vg = jax.vmap(jax.grad(loss), in_axes=(None, 0))((w1, w2), np.stack([x, -x]))
        assert np.allclose(np.asarray(vg[0][1]), np.asarray(jax.grad(loss_ref)((w1, w2), -x)[0]), rtol=1e-4,
                           atol=1e-6)
    print("ok")
    """)
    assert out.strip() == "ok"


def test_control_flow():
    out = run("""
    from lintra import lax
    m8 = jax.make_mesh((8,), ('i',))
    x = np.linspace(-1, 1, 16).astype(np.float32)
    def local(w, a):
        c0 = lax.pcast(jnp.zeros(()), 'i', to='varying')     # the carry varies: its initial value must too
        c, ys = lax.scan(lambda c, y: (jnp.sin(c * w + y), c * w), c0, a)
        z = lax.fori_loop(0, 3, lambda i, z: z * w + a, jnp.zeros_like(a))     # zeros_like(a) varies as a
        r = lax.cond(a[0] > 0, lambda: z * 2, lambda: z - 1.0)
        return lax.psum(c + ys.sum() + r.sum(), 'i')
    def ref(w, a):
        tot = 0.
        for blk in a.reshape(8, 2):
            c, ys = lax.scan(lambda c, y: (jnp.sin(c * w + y), c * w), jnp.zeros(()), blk)
            z = lax.fori_loop(0, 3, lambda i, z: z * w + blk, jnp.zeros_like(blk))
            tot = tot + c + ys.sum() + jnp.where(blk[0] > 0, z * 2, z - 1.0).sum()
        return tot
    f = jax.shard_map(local, mesh=m8, in_specs=(P(), P('i')), out_specs=P())
    w = np.float32(0.7)
    close = lambda p, q: np.allclose(np.asarray(p), np.asarray(q), rtol=1e-5, atol=1e-5)
    assert close(f(w, x), ref(w, x))
    for g in (jax.grad(f, argnums=(0, 1)), jax.jit(jax.grad(f, argnums=(0, 1)))):
        assert all(close(p, q) for p, q in zip(g(w, x), jax.grad(ref, argnums=(0, 1))(w, x)))
    # a carry that starts invariant and comes out varying: JAX's error (and its hint)
    sm = lambda body: jax.shard_map(body, mesh=m8, in_specs=P('i'), out_specs=P('i'))
    for body in (lambda a: lax.fori_loop(0, 3, lambda i, c: c + a, jnp.zeros(2)),
                 lambda a: lax.cond(a[0] > 3, lambda: a, lambda: jnp.ones(2))):
        print(err(lambda: sm(body)(np.arange(16.)))[1].replace('\\n', '|'))
    """)
    assert out.splitlines() == [
        "scan body function carry input and carry output must have equal types, but they differ:||The input carry "
        "component loop_carry[1] has type float32[2] but the corresponding output carry component has type "
        "float32[2]{V:i}, so the manual axis types do not match.||This might be fixed by applying "
        "`jax.lax.pcast(..., ('i',), to='varying')`, to the initial carry value corresponding to the input carry "
        "component loop_carry[1].|See https://docs.jax.dev/en/latest/notebooks/shard_map.html#scan-vma for more "
        "information.||Revise the function so that all output types match the corresponding input types.",
        "true_fun and false_fun outputs must have equal types but they differ.||The output of true_fun has type "
        "float32[2]{V:i} but the corresponding output of false_fun has type float32[2], so the manual axis types "
        "do not match.||This might be fixed by applying `jax.lax.pcast(..., ('i',), to='varying')` to the output "
        "of false_fun (it varies less than in true_fun).|See "
        "https://docs.jax.dev/en/latest/notebooks/shard_map.html#scan-vma for more information.||Revise the "
        "branches so that all output types match.",
    ]


def test_custom_rules_remat_vmap_and_second_order_inside():
    out = run("""
    from lintra import lax
    m8 = jax.make_mesh((8,), ('i',))
    x = np.linspace(-1, 1, 16).astype(np.float32)
    @jax.custom_vjp
    def sq(a):
        return a * a
    sq.defvjp(lambda a: (a * a, a), lambda r, g: (2 * r * g,))
    def block(w, a, sq):
        h = jax.nn.relu(a * w) + jax.nn.softplus(a) + jax.scipy.special.logsumexp(a * w)   # custom_jvp rules
        h = jax.checkpoint(lambda u: jnp.sin(u) * w)(h)
        h = h + sq(a * w)
        return h + jax.vmap(lambda r: r * w)(h)
    f = jax.shard_map(lambda w, a: lax.psum(block(w, a, sq).sum(), 'i'), mesh=m8, in_specs=(P(), P('i')),
                      out_specs=P())
    ref = lambda w, a: sum(block(w, b, lambda u: u * u).sum() for b in a.reshape(8, 2))
    w = np.float32(0.7)
    close = lambda p, q: np.allclose(np.asarray(p), np.asarray(q), rtol=1e-5, atol=1e-5)
    assert close(f(w, x), ref(w, x))
    assert all(close(p, q) for p, q in zip(jax.jit(jax.grad(f, argnums=(0, 1)))(w, x),
                                           jax.grad(ref, argnums=(0, 1))(w, x)))
    h = float(jax.jit(jax.hessian(f))(w, x))
    fd = (float(jax.grad(f)(w + 1e-2, x)) - float(jax.grad(f)(w - 1e-2, x))) / 2e-2
    assert close(h, jax.hessian(ref)(w, x)) and abs(h - fd) < 1e-2 * max(1, abs(fd)), (h, fd)
    print("ok")
    """)
    assert out.strip() == "ok"


def test_collective_grads_agree_with_check_vma_off_and_finite_differences():
    out = run("""
    from lintra import lax
    m4 = jax.make_mesh((4,), ('i',))
    x = np.linspace(-1, 1, 16).astype(np.float32)
    def local(w, a):
        g = lax.all_gather(jnp.sin(a * w), 'i', tiled=True)
        r = lax.ppermute(a * w, 'i', [(j, (j + 1) % 4) for j in range(4)])
        s = lax.psum_scatter(jnp.tile(a * w, 4), 'i', tiled=True)
        t = lax.all_to_all(jnp.tile(a, 4).reshape(4, 4) * w, 'i', 0, 0, tiled=True)
        return lax.psum((g ** 2).sum() + (r * a).sum() + (s ** 2).sum() + (t ** 3).sum() + lax.axis_index('i') * w,
                        'i')
    f = {cv: jax.shard_map(local, mesh=m4, in_specs=(P(), P('i')), out_specs=P(), check_vma=cv) for cv in (1, 0)}
    w = np.float32(0.7)
    g = {cv: jax.jit(jax.grad(f[cv], argnums=(0, 1)))(w, x) for cv in f}
    assert all(np.allclose(np.asarray(p), np.asarray(q), rtol=1e-5, atol=1e-6) for p, q in zip(g[1], g[0]))
    fd_w = (float(f[1](np.float32(w + 1e-3), x)) - float(f[1](np.float32(w - 1e-3), x))) / 2e-3
    d = np.random.RandomState(0).randn(16).astype(np.float32)
    fd_x = (float(f[1](w, x + 1e-3 * d)) - float(f[1](w, x - 1e-3 * d))) / 2e-3
    assert abs(float(g[1][0]) - fd_w) < 1e-2 * abs(fd_w), (float(g[1][0]), fd_w)
    assert abs(float((np.asarray(g[1][1]) * d).sum()) - fd_x) < 1e-2 * abs(fd_x), fd_x
    print("ok")
    """)
    assert out.strip() == "ok"
