"""Introspection and ahead-of-time stages, with JAX 0.10.2's names and semantics (expected values were read
from JAX 0.10.2 run in a separate process): typeof, ShapeDtypeStruct, make_jaxpr, jit(f).trace/lower/compile,
ad_checkpoint.print_saved_residuals."""
import re

import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra.ir.types import TensorType


def test_typeof_is_the_ir_type():
    t = lintra.typeof(jnp.ones(3))
    assert t == TensorType((3,), np.dtype(np.float32)) and t.shape == (3,) and t.dtype == np.float32
    assert repr(t) == "TensorType(f32[3])" and str(t) == "f32[3]"      # JAX: ShapedArray(float32[3])
    assert lintra.typeof(1.0).weak and not lintra.typeof(np.int32(3)).weak
    assert lintra.typeof(np.ones(2)).dtype == np.float32       # without x64, as JAX's float32[2]
    seen = []
    lintra.jit(lambda x: seen.append(lintra.typeof(x)) or x)(jnp.ones((2, 2)))
    assert seen == [TensorType((2, 2), np.dtype(np.float32))]


def test_shape_dtype_struct_repr_and_signature():
    assert repr(lintra.ShapeDtypeStruct((2, 4), jnp.float32)) == "ShapeDtypeStruct(shape=(2, 4), dtype=float32)"
    assert repr(lintra.ShapeDtypeStruct((2, 4), jnp.float32, weak_type=True)) == \
        "ShapeDtypeStruct(shape=(2, 4), dtype=float32, weak_type=True)"
    with pytest.raises(TypeError):       # as JAX: sharding and weak_type are keyword-only
        lintra.ShapeDtypeStruct((3,), jnp.float32, True)


def test_shape_dtype_struct_like():
    S = lintra.ShapeDtypeStruct
    assert repr(S.like(jnp.ones(3))) == "ShapeDtypeStruct(shape=(3,), dtype=float32)"
    assert repr(S.like(S((2,), "int32"))) == "ShapeDtypeStruct(shape=(2,), dtype=int32)"
    assert repr(S.like(np.ones((2, 3)))) == "ShapeDtypeStruct(shape=(2, 3), dtype=float32)"
    assert repr(S.like(1.0)) == "ShapeDtypeStruct(shape=(), dtype=float32, weak_type=True)"
    assert repr(S.like(3)) == "ShapeDtypeStruct(shape=(), dtype=int32, weak_type=True)"
    # uncommitted: no sharding; committed: the array's, and then it differs from one without
    assert S.like(jnp.ones(3)) == S((3,), jnp.float32)
    x = lintra.device_put(jnp.ones(3), lintra.devices()[0])
    s = S.like(x)
    assert s.sharding == x.sharding and s != S((3,), jnp.float32)
    assert repr(s).startswith("ShapeDtypeStruct(shape=(3,), dtype=float32, sharding=SingleDeviceSharding(")


def f_sin_mul(x, y):
    return jnp.sin(x) * y + 2.0


def test_make_jaxpr_fields():
    x = jnp.ones(3)
    closed = lintra.make_jaxpr(f_sin_mul)(x, x)
    f32_3 = TensorType((3,), np.dtype(np.float32))
    assert str(closed) == str(lintra.make_ir(f_sin_mul)(x, x))          # prints as Lintra's IR
    assert [e.primitive.name for e in closed.eqns] == [e.primitive.name for e in closed.jaxpr.eqns]
    names = [e.primitive.name for e in closed.eqns]
    assert names[0] == "sin" and "mul" in names and names[-1] == "add"
    sin, mul = closed.eqns[0], closed.eqns[names.index("mul")]
    a, b = closed.jaxpr.invars
    assert sin.invars == [a] and mul.invars == [sin.outvars[0], b] and sin.params == {}
    assert closed.jaxpr.outvars == closed.eqns[-1].outvars and closed.jaxpr.constvars == [] and closed.consts == []
    assert closed.in_avals == [f32_3, f32_3] and closed.out_avals == [f32_3] and a.aval == f32_3
    reduce = lintra.make_jaxpr(lambda x: jnp.sum(x, axis=0))(jnp.ones((2, 3)))
    assert reduce.eqns[-1].params["axes"] in ((0,), [0])


def test_make_jaxpr_static_argnums_return_shape_and_consts():
    x = jnp.ones(3)
    closed = lintra.make_jaxpr(lambda x, n: x * n, static_argnums=1)(x, 3)
    assert len(closed.jaxpr.invars) == 1
    closed, shape = lintra.make_jaxpr(f_sin_mul, return_shape=True)(x, x)
    assert repr(shape) == "ShapeDtypeStruct(shape=(3,), dtype=float32)"
    c = jnp.arange(3.0)
    closed = lintra.make_jaxpr(lambda x: x + c)(x)        # a closed-over array is a constvar, as in JAX
    assert len(closed.jaxpr.constvars) == 1 and np.array_equal(np.asarray(closed.consts[0]), [0., 1., 2.])
    assert lintra.make_jaxpr(f_sin_mul)(lintra.ShapeDtypeStruct((3,), jnp.float32), x).in_avals[0].shape == (3,)



def test_make_jaxpr_axis_env_binds_named_axes():
    # JAX 0.10.2: make_jaxpr(lambda a: lax.psum(a, 'i'), axis_env=[('i', 4)]) gives one psum over ('i',),
    # all_gather's axis_size is the bound size (4), and an axis not in axis_env is a NameError
    from lintra import lax
    x = jnp.arange(4.0)
    closed = lintra.make_jaxpr(lambda a: lax.psum(a, "i"), axis_env=[("i", 4)])(x)
    assert [e.primitive.name for e in closed.eqns] == ["psum"] and closed.out_avals[0].shape == (4,)
    g = lambda a: lax.axis_index("j") + lax.all_gather(a, "i")
    closed = lintra.make_jaxpr(g, axis_env=[("i", 4), ("j", 2)])(1.0)
    gather = next(e for e in closed.eqns if e.primitive.name == "all_gather")
    assert gather.params["axis_size"] == 4 and closed.out_avals[0].shape == (4,)
    assert [e for e in closed.eqns if e.primitive.name == "axis_index"][0].params["axis_name"] == "j"
    # the same function under another size traces anew (the size is part of the trace's key)
    assert lintra.make_jaxpr(g, axis_env=[("i", 3), ("j", 2)])(1.0).out_avals[0].shape == (3,)
    with pytest.raises(NameError, match="unbound axis name: 'k'"):
        lintra.make_jaxpr(lambda a: lax.psum(a, "k"), axis_env=[("i", 4)])(x)
    with pytest.raises(NameError, match="unbound axis name: 'i'"):      # bound only while make_jaxpr traces
        lintra.make_jaxpr(lambda a: lax.psum(a, "i"))(x)
    with pytest.raises(TypeError, match=r"\(axis name, size\) pairs.*the entry 'i'"):
        lintra.make_jaxpr(lambda a: a, axis_env=["i"])
    with pytest.raises(TypeError, match="the entry \\('i', 0\\)"):
        lintra.make_jaxpr(lambda a: a, axis_env=[("i", 0)])

def matmul(a, b):
    return a @ b


def test_trace_lower_compile_a_matmul():
    a, b = jnp.ones((4, 5)), jnp.ones((5, 6))
    traced = lintra.jit(matmul).trace(a, b)
    assert traced.fun_name == "matmul" and repr(traced.out_info) == "ShapeDtypeStruct(shape=(4, 6), dtype=float32)"
    assert [e.primitive.name for e in traced.jaxpr.eqns] == ["dot_general"]
    lowered = traced.lower()
    assert "stablehlo.dot_general" in lowered.as_text() and str(lowered) == lowered.as_text()
    assert str(lintra.jit(matmul).lower(a, b).compiler_ir()) == lowered.as_text()
    assert type(lowered.compiler_ir()).__name__ == "Module"
    assert str(lowered.in_tree) == "PyTreeDef(((*, *), {}))" and str(lowered.out_tree) == "PyTreeDef(*)"
    # XLA's figures for this program, as JAX 0.10.2 reports them: 2*m*n*k flops
    assert lowered.cost_analysis()["flops"] == 2 * 4 * 5 * 6 == 240
    compiled = lowered.compile()
    cost = compiled.cost_analysis()
    assert cost["flops"] == 240.0 and cost["bytes accessed"] == 296.0
    mem = compiled.memory_analysis()
    assert mem.argument_size_in_bytes == 200 and mem.output_size_in_bytes == 96
    assert compiled.as_text().startswith("HloModule")
    np.testing.assert_allclose(np.asarray(compiled(a, b)), np.full((4, 6), 5.0))
    one = "SingleDeviceSharding(device=CpuDevice(id=0), memory_kind=device)"      # as JAX prints them
    assert repr(compiled.input_shardings) == f"(({one}, {one}), {{}})" and repr(compiled.output_shardings) == one


def test_lowered_hlo_dialect():
    # JAX 0.10.2: compiler_ir("hlo") is XLA's XlaComputation, as_text("hlo") its HloModule text; x**2, x*x
    # and jnp.square of a real x are all `ROOT ... = f32[] multiply(x.1, x.1)` (optax's numerics_test)
    lowered = lintra.jit(lambda x: x * x).lower(3.0)
    assert type(lowered.compiler_ir("hlo")).__name__ == "XlaComputation"
    text = lowered.as_text(dialect="hlo")
    assert text.startswith("HloModule") and lowered.compiler_ir(dialect="hlo").as_hlo_text() == text
    def entry(f, x):       # the ENTRY computation, with the ROOT's name (which names the primitive) dropped
        text = lintra.jit(f).lower(x).as_text(dialect="hlo")
        return re.sub(r"ROOT \S+ =", "ROOT =", text[text.index("ENTRY"):])
    for x, t in [(3.0, "f32"), (3, "s32")]:
        hlos = {entry(f, x) for f in (lambda x: x ** 2, lambda x: x * x, jnp.square)}
        assert len(hlos) == 1 and f"ROOT = {t}[] multiply(" in hlos.pop()
    with pytest.raises(ValueError, match="unknown dialect: foo"):
        lowered.as_text("foo")
    with pytest.raises(ValueError, match="unknown dialect: foo"):
        lowered.compiler_ir("foo")


def test_compile_from_shape_dtype_structs_and_call_with_arrays():
    S = lintra.ShapeDtypeStruct
    compiled = lintra.jit(matmul).lower(S((4, 5), jnp.float32), S((5, 6), jnp.float32)).compile()
    assert compiled(jnp.ones((4, 5)), np.ones((5, 6), np.float32)).shape == (4, 6)
    assert repr(lintra.jit(matmul).trace(S((4, 5), jnp.float32), jnp.ones((5, 6))).out_info) == \
        "ShapeDtypeStruct(shape=(4, 6), dtype=float32)"


def test_compiled_checks_its_arguments_as_jax():
    a, b = jnp.ones((4, 5)), jnp.ones((5, 6))
    compiled = lintra.jit(matmul).lower(a, b).compile()
    with pytest.raises(TypeError, match="input pytree does not match"):
        compiled(a)
    with pytest.raises(TypeError, match="input pytree does not match"):
        compiled(a, b=b)
    mismatch = ("Argument types differ from the types for which this computation was compiled. Perhaps you are "
                "calling the compiled executable with a different enable_x64 mode than when it was AOT compiled\\? "
                "The mismatches are:\nArgument 'a' compiled with float32\\[4,5\\] and called with {}")
    with pytest.raises(TypeError, match=mismatch.format("int32\\[4,5\\]")):
        compiled(a.astype(jnp.int32), b)
    with pytest.raises(TypeError, match=mismatch.format("float32\\[3,5\\]")):
        compiled(jnp.ones((3, 5)), b)
    with pytest.raises(TypeError, match=mismatch.format("float32\\[\\]")):
        compiled(1.0, b)


def test_compiled_takes_only_the_dynamic_arguments():
    compiled = lintra.jit(lambda x, n: x * n, static_argnums=1).lower(jnp.ones(3), 3).compile()
    np.testing.assert_allclose(np.asarray(compiled(jnp.ones(3))), [3.0] * 3)
    with pytest.raises(TypeError, match="input pytree does not match"):
        compiled(jnp.ones(3), 3)
    assert str(lintra.jit(lambda x: {"y": x}).lower(jnp.ones(3)).out_tree) == "PyTreeDef({'y': *})"


def test_print_saved_residuals(capsys):
    from lintra.ad_checkpoint import print_saved_residuals

    def f(x, y):
        z = jnp.sin(x) * y
        return jnp.sum(jnp.cos(z) * x)
    x = jnp.ones(3)
    print_saved_residuals(f, x, x)
    # JAX 0.10.2 prints the same lines with source locations ('... output of sin from file.py:5:8 (f)'), and
    # 'output of sin' last where Lintra's jvp saves the negated sine
    assert capsys.readouterr().out == ("f32[3] from the argument x\nf32[3] from the argument y\n"
                                       "f32[3] output of sin\nf32[3] output of cos\nf32[3] output of cos\n"
                                       "f32[3] output of neg\n")
    print_saved_residuals(lintra.checkpoint(f), x, x)      # JAX prints exactly these lines
    assert capsys.readouterr().out == "f32[3] from the argument x\nf32[3] from the argument y\n"
    print_saved_residuals(lambda xs: (xs[0] * xs[1]).sum(), (x, x))
    assert capsys.readouterr().out == "f32[3] from the argument xs[0]\nf32[3] from the argument xs[1]\n"
    print_saved_residuals(lambda W, x: jnp.tanh(W @ x).sum(), jnp.ones((4, 3)), x)
    assert capsys.readouterr().out.startswith("f32[4,3] from the argument W\nf32[3] from the argument x\n")
