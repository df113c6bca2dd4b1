"""Explicit axes (sharding-in-types) on 8 CPU devices, each test in a child process (as test_sharding.py).
Expected values are JAX 0.10.2's, recorded by running the same programs with it: its types print dtypes as
float32/int32 where Lintra's IR prints f32/i32, which `lintra_text` maps; everything else is JAX's text."""
import os
import subprocess
import sys
import textwrap

PRELUDE = """
import numpy as np
import lintra as jax, lintra.numpy as jnp
from lintra.sharding import NamedSharding, PartitionSpec as P, AxisType, reshard, auto_axes, explicit_axes
mesh = jax.make_mesh((4, 2), ('data', 'model'))          # Explicit axes, make_mesh's default
v = np.arange(32, dtype=np.float32).reshape(8, 4)
w = np.linspace(-1, 1, 8, dtype=np.float32).reshape(4, 2)
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
    return p.stdout.splitlines()


def lintra_text(jax_text):
    """JAX's text with its dtype names as Lintra's IR writes them."""
    return jax_text.replace("float32", "f32").replace("int32", "i32")


def test_typeof_prints_the_sharding():
    out = run("""
    with jax.set_mesh(mesh):
        x = jax.device_put(v, P('data'))
        xm = jax.device_put(v, P('data', 'model'))
        xt = jax.device_put(v, P(('data', 'model')))
        print([str(jax.typeof(a)) for a in (x, xm, xt, jnp.ones((8, 4)))])
        print(repr(jax.typeof(x)), jax.typeof(x).sharding, jax.typeof(x).sharding.spec == P('data', None))
        print(jax.make_ir(lambda a, b: jnp.sin(a) * 2 + b)(x, x))
    auto = jax.make_mesh((4, 2), ('data', 'model'), axis_types=(AxisType.Auto,) * 2)
    print(str(jax.typeof(jax.device_put(v, NamedSharding(auto, P('data'))))))
    """)
    jax_types = ['float32[8@data,4]', 'float32[8@data,4@model]', 'float32[8@(data,model),4]', 'float32[8,4]']
    assert out[0] == str([lintra_text(t) for t in jax_types])
    # JAX: ShapedArray(float32[8@data,4]), whose .sharding is a NamedSharding with spec P('data', None)
    assert out[1] == "TensorType(f32[8@data,4]) (('data',), ()) True"
    # JAX's jaxpr: a:f32[8@data,4] b:f32[8@data,4]. c:f32[8@data,4] = sin a; d:f32[8@data,4] = mul c 2.0;
    # e:f32[8@data,4] = add d b
    assert out[2] == "func @lambda(%a: f32[8@data,4], %b: f32[8@data,4]) -> (f32[8@data,4]) {"
    assert out[3] == "  %0 = sin %a : f32[8@data,4]"
    assert "mul %0, %2 : f32[8@data,4]" in out[6] and "add %3, %b : f32[8@data,4]" in out[7]
    assert out[-1] == lintra_text("float32[8,4]")          # an Auto mesh's axes are not part of types


# each case: JAX's typeof and .sharding.spec of the result, the same eagerly and under jit
PROPAGATION = {
    "jnp.sin(x)": ("float32[8@data,4]", "P('data', None)"),
    "x + jnp.ones((8, 4))": ("float32[8@data,4]", "P('data', None)"),
    "x + xm": ("float32[8@data,4@model]", "P('data', 'model')"),
    "x * 2.0": ("float32[8@data,4]", "P('data', None)"),
    "x + jnp.ones((4,))": ("float32[8@data,4]", "P('data', None)"),
    "x.sum(0)": ("float32[4]", "P(None,)"),
    "x.sum(1)": ("float32[8@data]", "P('data',)"),
    "xm.sum()": ("float32[]", "P()"),
    "jnp.max(x, axis=1)": ("float32[8@data]", "P('data',)"),
    "jnp.argmax(x, axis=1)": ("int32[8@data]", "P('data',)"),
    "x.T": ("float32[4,8@data]", "P(None, 'data')"),
    "xm.reshape(8, 2, 2)": ("float32[8@data,2@model,2]", "P('data', 'model', None)"),
    "x.reshape(32)": ("float32[32@data]", "P('data',)"),
    "x.reshape(8, 4, 1)": ("float32[8@data,4,1]", "P('data', None, None)"),
    "x @ wm": ("float32[8@data,2@model]", "P('data', 'model')"),
    "x.astype(jnp.int32)": ("int32[8@data,4]", "P('data', None)"),
    "x.mean(0)": ("float32[4]", "P(None,)"),
    "jnp.stack([x, x])": ("float32[2,8@data,4]", "P(None, 'data', None)"),
    "jnp.split(x, 2, axis=1)[0]": ("float32[8@data,2]", "P('data', None)"),
    "jnp.where(x > 3, x, 0.0)": ("float32[8@data,4]", "P('data', None)"),
    "jax.nn.softmax(x, axis=1)": ("float32[8@data,4]", "P('data', None)"),
    "jax.nn.logsumexp(x, axis=1)": ("float32[8@data]", "P('data',)"),
    "jnp.pad(x, ((0, 0), (1, 1)))": ("float32[8@data,6]", "P('data', None)"),
    "jnp.sort(x, axis=1)": ("float32[8@data,4]", "P('data', None)"),
    "jnp.argsort(x, axis=1)": ("int32[8@data,4]", "P('data', None)"),
    "jnp.moveaxis(x, 0, 1)": ("float32[4,8@data]", "P(None, 'data')"),
    "jnp.cumsum(x, axis=1)": ("float32[8@data,4]", "P('data', None)"),
    "jnp.clip(x, 1.0, 5.0)": ("float32[8@data,4]", "P('data', None)"),
    "jnp.var(x, axis=0)": ("float32[4]", "P(None,)"),
}


def test_results_are_typed_and_laid_out_by_the_sharding_rules():
    out = run(f"""
    cases = {list(PROPAGATION)!r}
    with jax.set_mesh(mesh):
        x = jax.device_put(v, P('data'))
        xm = jax.device_put(v, P('data', 'model'))
        wm = jax.device_put(w, P(None, 'model'))
        for case in cases:
            f = eval('lambda: ' + case)
            r, rj = f(), jax.jit(f)()
            expected = eval(case, dict(x=v, xm=v, wm=w, jnp=jnp, jax=jax))       # on one device
            assert np.allclose(np.asarray(r), np.asarray(expected)), case
            assert np.allclose(np.asarray(rj), np.asarray(expected)), case
            print(str(jax.typeof(r)), r.sharding.spec, str(jax.typeof(rj)), rj.sharding.spec)
        z = jax.jit(lambda a: jnp.zeros_like(a))(x)
        print(str(jax.typeof(jnp.full_like(x, 3.0))), str(jax.typeof(z)), z.sharding.spec)
    """)
    assert len(out) == len(PROPAGATION) + 1
    for line, (case, (t, spec)) in zip(out, PROPAGATION.items()):
        assert line == f"{lintra_text(t)} {spec} {lintra_text(t)} {spec}", case
    # *_like functions lay their result out like their argument (JAX: the same)
    assert out[-1] == lintra_text("float32[8@data,4] float32[8@data,4] P('data', None)")


def test_ambiguous_shardings_raise_jax_errors():
    out = run("""
    with jax.set_mesh(mesh):
        x = jax.device_put(v, P('data'))
        xmod = jax.device_put(v, P('model'))
        x2 = jax.device_put(v, P(None, 'data'))
        w2 = jax.device_put(w, P('data', None))
        w3 = jax.device_put(w, P('model', None))
        for f in [lambda: x + xmod, lambda: x2 @ w2, lambda: x2 @ w3, lambda: x.reshape(2, 16),
                  lambda: jnp.cumsum(x, axis=0),
                  lambda: jax.jit(lambda a: jax.lax.with_sharding_constraint(a, P(None, 'model')))(x),
                  lambda: jax.jit(lambda a: x2 @ w2)(x)]:
            print(err(f))
    print(err(lambda: explicit_axes(lambda a: a, in_sharding=P('data'))(v)))
    print(err(lambda: reshard(v, None)))
    print(err(lambda: jax.jit(lambda a: jax.lax.with_sharding_constraint(a, NamedSharding(mesh, P('data'))))(v)))
    mixed = jax.make_mesh((4, 2), ('data', 'model'), axis_types=(AxisType.Explicit, AxisType.Auto))
    with jax.set_mesh(mixed):
        print(err(lambda: reshard(jax.device_put(v, P('data', 'model')), P(None, 'model'))))
    """)
    assert out[0] == str(("ShardingTypeError", "add got incompatible shardings for broadcasting: ('data', None), "
                                               "('model', None)."))
    ambiguous = str(("ShardingTypeError", "Contracting dimensions are sharded and it is ambiguous how the output "
                                          "should be sharded. Please specify the output sharding via the "
                                          "`out_sharding` parameter. Got lhs_contracting_spec=('data',) and "
                                          "rhs_contracting_spec=('data',)"))
    assert out[1] == out[6] == ambiguous                   # eagerly and under jit
    assert out[2] == str(("ShardingTypeError", "dot_general requires contracting dimensions to have consistent "
                                               "sharding, got ('data',) and ('model',)."))
    assert out[3] == lintra_text(str((
        "ShardingTypeError", "This reshape is not supported. Please specify the sharding of the output via the "
                             "`out_sharding` argument of jax.lax.reshape. Got operand type: float32[8@data,4], "
                             "new sizes: (2, 16)")))
    assert out[4] == lintra_text(str(("ShardingTypeError", "Input should be unsharded over the axis being reduced. "
                                                           "Got input type=float32[8@data,4] and axis=0")))
    assert out[5] == str(("AssertionError", "`with_sharding_constraint` acts as an assert when all axes of mesh are "
                                            "of type `Explicit`. The array sharding: P('data', None) did not match "
                                            "the sharding provided: P(None, 'model'). Please use "
                                            "`jax.sharding.reshard` to shard your input to the sharding you want."))
    assert out[7] == str(("ValueError", "Context mesh cannot be empty. Please use `jax.set_mesh` API to enter into "
                                        "a mesh context when using `explicit_axes` API."))
    assert out[8] == str(("ValueError", "Reshard should only be used with out_shardings which are non-None and have "
                                        "a non-empty mesh. Got sharding None."))
    # JAX's AbstractMesh repr goes on: ", device_kind=cpu, num_cores=None, platform=cpu)"
    assert out[9] == str(("ValueError", "The spec of NamedSharding passed to with_sharding_constraint can only refer "
                                        "to Auto axes of the mesh. Got spec=P('data',) and mesh=AbstractMesh('data': "
                                        "4, 'model': 2, axis_types=(Explicit, Explicit)). You probably meant to use "
                                        "`reshard` API?"))
    # JAX adds where: " This error occurs at source: ..."
    assert out[10] == str(("ValueError", "PartitionSpec passed to reshard cannot contain axis names that are of type "
                                         "Auto or Manual. Got PartitionSpec: P(None, 'model') with axis name: model of "
                                         "type: AxisType.Auto."))


def test_out_sharding_arguments():
    out = run("""
    with jax.set_mesh(mesh):
        x = jax.device_put(v, P('data'))
        x2 = jax.device_put(v, P(None, 'data'))
        w2 = jax.device_put(w, P('data', None))
        for r in [jnp.dot(x2, w2, out_sharding=P()), jnp.einsum('ij,jk->ik', x2, w2, out_sharding=P(None, 'model')),
                  jax.lax.dot_general(x2, w2, (((1,), (0,)), ((), ())), out_sharding=P('model')),
                  jnp.matmul(x2, w2, out_sharding=P('data'))]:
            assert np.allclose(np.asarray(r), v @ w, rtol=1e-5, atol=1e-5)
            print(str(jax.typeof(r)))
        r = jax.lax.reshape(x, (2, 16), out_sharding=P(None, 'data'))
        assert np.array_equal(np.asarray(r), v.reshape(2, 16))
        print(str(jax.typeof(r)))
        print([str(jax.typeof(a)) for a in (jnp.zeros((8, 4), out_sharding=P('data')),
                                              jnp.ones((8, 4), out_sharding=P(None, 'model')),
                                              jnp.full((8, 4), 2.0, out_sharding=P('data', 'model')),
                                              jnp.arange(8, out_sharding=P('data')))])
        j = jax.jit(lambda a, b: jnp.einsum('ij,jk->ik', a, b, out_sharding=P(None, 'model')))(x2, w2)
        assert np.allclose(np.asarray(j), v @ w, rtol=1e-5, atol=1e-5)
        print(str(jax.typeof(j)), j.sharding.spec)
    """)
    assert out[:3] == [lintra_text(t) for t in ("float32[8,2]", "float32[8,2@model]", "float32[8@model,2]")]
    assert out[3] == lintra_text("float32[8@data,2]")
    assert out[4] == lintra_text("float32[2,16@data]")
    assert out[5] == str([lintra_text(t) for t in ('float32[8@data,4]', 'float32[8,4@model]',
                                                    '~float32[8@data,4@model]', 'int32[8@data]')])
    assert out[6] == lintra_text("float32[8,2@model] P(None, 'model')")


def test_reshard_moves_the_data_and_changes_the_type():
    out = run("""
    with jax.set_mesh(mesh):
        x = jax.device_put(v, P('data'))
        y = reshard(x, P(None, 'model'))
        assert np.array_equal(np.asarray(y), v)
        print(str(jax.typeof(y)), y.sharding.spec, [s.data.shape for s in y.addressable_shards][0])
        yj = jax.jit(lambda a: jax.reshard(a, P('model', 'data')))(x)       # lintra.reshard, as jax.reshard
        assert np.array_equal(np.asarray(yj), v)
        print(str(jax.typeof(yj)), yj.sharding.spec)
        t = reshard({'a': v, 'b': (v, v)}, {'a': P('data'), 'b': NamedSharding(mesh, P('model'))})
        assert all(np.array_equal(np.asarray(a), v) for a in jax.tree.leaves(t))
        print(str(jax.typeof(t['a'])), str(jax.typeof(t['b'][1])))
        text = jax.jit(lambda a: reshard(a, P(None, 'model')) * 2).lower(x).as_text()
        print([l.strip() for l in text.splitlines() if 'sharding_constraint' in l or '@main' in l])
    """)
    assert out[0] == lintra_text("float32[8,4@model] P(None, 'model')") + " (8, 2)"
    assert out[1] == lintra_text("float32[8@model,4@data] P('model', 'data')")
    assert out[2] == "f32[8@data,4] f32[8@model,4]"
    # as JAX lowers it: the reshard and every explicitly sharded result constrained, arguments and results
    # annotated with their types' shardings
    lines = eval(out[3])
    assert lines[0] == ('func.func @main(%arg0: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"data"}, '
                        '{}]>}) -> (tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {"model"}]>}) {')
    assert lines[1] == '%0 = sdy.sharding_constraint %arg0 <@mesh, [{}, {"model"}]> : tensor<8x4xf32>'
    assert lines[2] == '%3 = sdy.sharding_constraint %2 <@mesh, [{}, {"model"}]> : tensor<8x4xf32>'


def test_grad_through_explicit_shardings_equals_single_device():
    out = run("""
    def loss(a, b):
        return jnp.sum(jnp.tanh(a @ b) ** 2)
    single = jax.grad(loss, argnums=(0, 1))(v, w)
    with jax.set_mesh(mesh):
        x = jax.device_put(v, P('data'))
        wm = jax.device_put(w, P(None, 'model'))
        for g in (jax.grad(loss, argnums=(0, 1))(x, wm), jax.jit(jax.grad(loss, argnums=(0, 1)))(x, wm)):
            for a, b in zip(g, single):
                # per-shard kernels sum in another order: 1e-5 relative to the gradient's size
                np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-5 * np.abs(b).max())
            print([str(jax.typeof(a)) for a in g], [a.sharding.spec for a in g])
        for f in (lambda a: jnp.sum(a.reshape(32) ** 2), lambda a: jnp.sum(a.sum(0) ** 2)):
            g = jax.grad(f)(x)
            np.testing.assert_allclose(np.asarray(g), np.asarray(jax.grad(f)(v)), rtol=1e-6)
            print(str(jax.typeof(g)))
    """)
    jax_grads = "['float32[8@data,4]', 'float32[4,2@model]']"
    assert out[0] == out[1] == lintra_text(jax_grads) + " [P('data', None), P(None, 'model')]"
    assert out[2] == out[3] == lintra_text("float32[8@data,4]")


def test_auto_and_explicit_axes_and_the_abstract_mesh():
    out = run("""
    with jax.set_mesh(mesh):
        x = jax.device_put(v, P('data'))
        f = jax.jit(lambda a: auto_axes(lambda b: b * 2, out_sharding=P(None, 'model'))(a))
        r = f(x)
        assert np.array_equal(np.asarray(r), v * 2)
        print(str(jax.typeof(r)), r.sharding.spec)
        def inner(b):
            print(jax.sharding.get_abstract_mesh(), str(jax.typeof(b)))
            return b
        jax.jit(lambda a: auto_axes(inner, out_sharding=P('data'))(a))(x)
        jax.jit(lambda a: print(jax.sharding.get_abstract_mesh(), str(jax.typeof(a))))(x)
    auto = jax.make_mesh((4, 2), ('data', 'model'), axis_types=(AxisType.Auto,) * 2)
    with jax.set_mesh(auto):
        xa = jax.device_put(v, P('data'))
        def inner2(a):
            print(jax.sharding.get_abstract_mesh(), str(jax.typeof(a)))
            return a * 2
        r = jax.jit(explicit_axes(inner2, in_sharding=P('data')))(xa)
        assert np.array_equal(np.asarray(r), v * 2)
        print(str(jax.typeof(r)))
        r = explicit_axes(inner2, in_sharding=P('data'))(xa)                 # eagerly too
        assert np.array_equal(np.asarray(r), v * 2)
        print(str(jax.typeof(r)))
    """)
    assert out[0] == lintra_text("float32[8,4@model] P(None, 'model')")
    # JAX's AbstractMesh repr also names device_kind=cpu, num_cores=None, platform=cpu
    assert out[1] == "AbstractMesh('data': 4, 'model': 2, axis_types=(Auto, Auto)) " + lintra_text("float32[8,4]")
    assert out[2] == ("AbstractMesh('data': 4, 'model': 2, axis_types=(Explicit, Explicit)) "
                      + lintra_text("float32[8@data,4]"))
    assert out[3] == ("AbstractMesh('data': 4, 'model': 2, axis_types=(Explicit, Explicit)) "
                      + lintra_text("float32[8@data,4]"))
    assert out[4] == lintra_text("float32[8,4]")
    assert out[5:7] == out[3:5]


def test_control_flow_vmap_and_abstract_inputs_keep_shardings():
    out = run("""
    with jax.set_mesh(mesh):
        x = jax.device_put(v, P('data'))
        xm = jax.device_put(v, P(None, 'model'))
        r = jax.vmap(lambda a: (jnp.sin(a) * 2).sum())(x)
        np.testing.assert_allclose(np.asarray(r), (np.sin(v) * 2).sum(1), rtol=1e-5)
        print(str(jax.typeof(r)))
        r = jax.jit(lambda a: jax.lax.fori_loop(0, 3, lambda i, c: c * 2, a))(x)
        assert np.array_equal(np.asarray(r), v * 8)
        print(str(jax.typeof(r)))
        r = jax.jit(lambda a: jax.lax.cond(a.sum() > 0, lambda b: b + 1, lambda b: b - 1, a))(x)
        assert np.array_equal(np.asarray(r), v + 1)
        print(str(jax.typeof(r)))
        c, ys = jax.jit(lambda a: jax.lax.scan(lambda c, row: (c + row, row * 2), jnp.zeros(4, out_sharding=P('model')),
                                               a))(xm)
        assert np.array_equal(np.asarray(c), v.sum(0)) and np.array_equal(np.asarray(ys), v * 2)
        print(str(jax.typeof(c)), str(jax.typeof(ys)))
        g = jax.grad(lambda a: jax.lax.fori_loop(0, 2, lambda i, c: jnp.sin(c), a).sum())(x)
        np.testing.assert_allclose(np.asarray(g), np.cos(np.sin(v)) * np.cos(v), rtol=1e-5, atol=1e-6)
        print(str(jax.typeof(g)))
        print(err(lambda: jax.lax.scan(lambda c, row: (c, row), 0.0, x)))
        s = jax.ShapeDtypeStruct((8, 4), np.float32, sharding=NamedSharding(mesh, P('data')))
        print(jax.make_ir(lambda a: jnp.sin(a).sum(1))(s))
    """)
    assert out[:5] == [lintra_text(t) for t in ("float32[8@data]", "float32[8@data,4]", "float32[8@data,4]",
                                                "float32[4@model] float32[8,4@model]", "float32[8@data,4]")]
    assert out[5] == str(("ValueError", "0th dimension of all xs should be replicated. Got P('data', None)"))
    # JAX's jaxpr: a:f32[8@data,4]. b:f32[8@data,4] = sin a; c:f32[8@data] = reduce_sum[axes=(1,)] b
    assert out[6:9] == ["func @lambda(%a: f32[8@data,4]) -> (f32[8@data]) {", "  %0 = sin %a : f32[8@data,4]",
                        "  %1 = reduce_sum %0 {axes = [1]} : f32[8@data]"]


def test_shard_map_on_explicit_axes():
    out = run("""
    with jax.set_mesh(mesh):
        x = jax.device_put(v, P('data'))
        def body(b):
            print(jax.sharding.get_abstract_mesh(), str(jax.typeof(b)))
            return b * 2
        r = jax.shard_map(body, in_specs=P('data'), out_specs=P('data'))(x)
        assert np.array_equal(np.asarray(r), v * 2)
        print(str(jax.typeof(r)))
        r = jax.jit(jax.shard_map(lambda b: jax.lax.psum(b, 'data'), in_specs=P('data'), out_specs=P()))(x)
        assert np.array_equal(np.asarray(r), v.reshape(4, 2, 4).sum(0))
        print(str(jax.typeof(r)))
        r = jax.shard_map(body, in_specs=P('data'), out_specs=P('data'), axis_names={'data'})(x)
        print(str(jax.typeof(r)))
    """)
    # JAX's body types also carry the varying axes ({V:data}), and its AbstractMesh repr the device kind
    assert out[0] == "AbstractMesh('data': 4, 'model': 2, axis_types=(Manual, Manual)) " + lintra_text("float32[2,4]")
    assert out[1:3] == [lintra_text("float32[8@data,4]"), lintra_text("float32[2,4]")]
    assert out[3] == "AbstractMesh('data': 4, 'model': 2, axis_types=(Manual, Explicit)) " + lintra_text("float32[2,4]")
    assert out[4] == lintra_text("float32[8@data,4]")
