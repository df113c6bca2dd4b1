"""top_k, approx_max_k/approx_min_k, reduce_precision and mulhi on arrays sharded over Explicit mesh axes (8 CPU
devices, in a child process as test_explicit.py): result types and errors as JAX 0.10.2's (recorded), and mulhi's
values, which JAX 0.10.2 cannot compute there (XLA fails to partition chlo.mulhi; Lintra composes it)."""
from .test_explicit import lintra_text, run


def test_selection_keeps_the_operand_s_sharding_and_refuses_a_split_selected_axis():
    out = run("""
    from lintra import lax
    with jax.set_mesh(mesh):
        x = jax.device_put(v, P('data'))
        for r in (lax.top_k(x, 2), lax.approx_max_k(x, 2), lax.approx_min_k(x, 2, aggregate_to_topk=False),
                  [lax.reduce_precision(x, 5, 2)]):
            print([str(jax.typeof(a)) for a in r])
        print(np.asarray(lax.top_k(x, 2)[1]).tolist())
        print(err(lambda: lax.top_k(x, 2, axis=0)))
        print(err(lambda: lax.approx_max_k(x, 2, reduction_dimension=0)))
    """)
    assert out[0] == str([lintra_text("float32[8@data,2]"), lintra_text("int32[8@data,2]")])
    assert out[1] == out[0]
    assert out[2] == str([lintra_text("float32[8@data,4]"), lintra_text("int32[8@data,4]")])
    assert out[3] == str([lintra_text("float32[8@data,4]")])
    assert out[4] == str([[3, 2]] * 8)
    assert out[5] == lintra_text(str(("ShardingTypeError", "The input should be unsharded over the axis along which "
                                      "to compute the top_k values. Got input type=float32[8@data,4] and axis=0")))
    assert out[6] == lintra_text(str(("ShardingTypeError", "reduction dimension 0 in operand float32[8@data,4] "
                                      "should be unsharded i.e. the spec of that dim should be `None`.")))


def test_mulhi_of_sharded_operands():
    out = run("""
    from lintra import lax
    jax.config.update('enable_x64', True)
    rng = np.random.default_rng(0)
    with jax.set_mesh(mesh):
        for dt in (np.int8, np.int32, np.int64, np.uint16, np.uint64):
            info = np.iinfo(dt)
            a, b = (rng.integers(int(info.min), int(info.max), size=(8, 4), endpoint=True,
                                 dtype=np.int64 if info.min else np.uint64).astype(dt) for _ in range(2))
            got = lax.mulhi(jax.device_put(a, P('data')), jax.device_put(b, P(None, 'model')))
            want = [((int(p) * int(q)) >> info.bits) % (1 << info.bits) for p, q in zip(a.ravel(), b.ravel())]
            print(str(jax.typeof(got)), np.asarray(got).view(f"u{info.bits // 8}").ravel().tolist() == want)
    """)
    assert out == ["i8[8@data,4@model] True", "i32[8@data,4@model] True", "i64[8@data,4@model] True",
                   "u16[8@data,4@model] True", "u64[8@data,4@model] True"]
