"""lintra.export: a jitted function exported to StableHLO, serialized, and called again: in a fresh process that
never imports this file, eagerly and inside jit, differentiated through its exported VJP, and batched."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import export

# the exported_call op: its derivatives (through the exported VJP, and the error without one) and its batching
# (against a loop over the batch) are tested here
COVERED_AD_PRIMITIVES = {"exported_call"}
COVERED_BATCH_PRIMITIVES = {"exported_call"}

f32, i32 = np.float32, np.int32
S = lintra.ShapeDtypeStruct


def model(params, x, *, scale):
    """Pytrees in and out, two dtypes, several outputs."""
    h = jnp.tanh(x @ params["w"] + params["b"])
    return {"y": h * scale, "stats": (h.sum(), jnp.argmax(h, axis=1).astype(jnp.int32))}


def linalg(a, b):
    """Calls jaxlib's LAPACK handlers (eigh, solve), which a fresh process must register to run it."""
    spd = a @ a.T + 3 * jnp.eye(3, dtype=a.dtype)
    return jnp.linalg.eigh(spd)[0], jnp.linalg.solve(spd, b)


W = np.arange(12, dtype=f32).reshape(3, 4) / 10
B = np.linspace(-1, 1, 4).astype(f32)
X = np.linspace(-2, 2, 6).astype(f32).reshape(2, 3)
A = np.array([[1.0, 2.0, 0.5], [0.0, 1.0, -1.0], [2.0, 0.5, 1.0]], f32)


def _export_model():
    return export.export(lintra.jit(model))({"b": B, "w": W}, S((2, 3), f32), scale=f32(2))


def test_fields_follow_jax_export():
    exp = _export_model()
    assert exp.fun_name == "model"
    assert str(exp) == "Exported(fun_name=model, ...)"
    assert exp.in_tree == lintra.tree.structure((({"b": 0, "w": 0}, 0), {"scale": 0}))
    assert exp.out_tree == lintra.tree.structure({"y": 0, "stats": (0, 0)})
    assert [str(t) for t in exp.in_avals] == ["f32[4]", "f32[3,4]", "f32[2,3]", "f32[]"]
    assert [str(t) for t in exp.out_avals] == ["f32[]", "i32[2]", "f32[2,4]"]   # dict keys sorted: stats, y
    assert exp.platforms == ("cpu",) and exp.nr_devices == 1
    assert exp.calling_convention_version == 10
    assert exp.module_kept_var_idx == (0, 1, 2, 3) and exp.uses_global_constants is False
    assert exp.in_shardings_hlo == (None,) * 4 and exp.out_shardings_hlo == (None,) * 3
    assert exp.mlir_module_serialized.startswith(b"ML\xefR")        # MLIR bytecode: the VHLO portable artifact
    assert b"StableHLO_v1." in exp.mlir_module_serialized[:32]
    text = exp.mlir_module()
    assert "func.func @main(%arg0: tensor<4xf32>, %arg1: tensor<3x4xf32>, %arg2: tensor<2x3xf32>, " \
           "%arg3: tensor<f32>) -> (tensor<f32>, tensor<2xi32>, tensor<2x4xf32>)" in text
    assert "stablehlo.tanh" in text


def test_serialized_form_is_versioned():
    blob = _export_model().serialize()
    assert blob[:8] == b"LINTRAEX"
    version, n = np.frombuffer(blob[8:16], "<u4")
    assert version == export.FORMAT_VERSION == 1
    header = json.loads(blob[16:16 + n])
    assert header["calling_convention_version"] == 10
    assert header["in_avals"] == ["f32[4]", "f32[3,4]", "f32[2,3]", "f32[]"]
    assert blob[16 + n:].startswith(b"ML\xefR")


def test_call_matches_the_jitted_function_eagerly_and_in_jit():
    exp = export.deserialize(_export_model().serialize())
    params = {"b": B, "w": W}
    want = lintra.jit(model)(params, X, scale=f32(2))
    got = exp.call(params, X, scale=f32(2))
    staged = lintra.jit(lambda p, x: exp.call(p, x, scale=f32(2)))(params, X)
    for out in (got, staged):
        assert lintra.tree.structure(out) == lintra.tree.structure(want)
        np.testing.assert_allclose(out["y"], want["y"], rtol=1e-6)
        np.testing.assert_allclose(out["stats"][0], want["stats"][0], rtol=1e-6)
        np.testing.assert_array_equal(out["stats"][1], want["stats"][1])
        assert out["stats"][1].dtype == np.int32


def test_call_is_a_private_function_of_the_caller_module():
    """Two exports whose functions share names (both 'f', both 'main') merge under distinct names."""
    e1 = export.export(lintra.jit(lambda x: jnp.sin(x)))(S((3,), f32))
    e2 = export.export(lintra.jit(lambda x: x * 3))(S((3,), f32))
    assert e1.fun_name == e2.fun_name == "<lambda>"
    e1, e2 = (export.deserialize(e.serialize()) for e in (e1, e2))

    def both(x):
        return e1.call(x) + e2.call(e1.call(x))
    x = np.array([0.1, 0.5, 2.0], f32)
    np.testing.assert_allclose(lintra.jit(both)(x), np.sin(x) + 3 * np.sin(x), rtol=1e-6)
    text = lintra.jit(both).lower(x).as_text()
    assert "func.func private @exported__lambda_(" in text and "func.func private @exported__lambda__1(" in text
    assert text.count("func.func @main(") == 1 and text.count("func.func private") == 2


def test_exported_function_calling_an_exported_function():
    inner = export.deserialize(export.export(lintra.jit(lambda x: jnp.exp(x)))(S((2,), f32)).serialize())
    outer = export.export(lintra.jit(lambda x: inner.call(x) * 2))(S((2,), f32))
    x = np.array([0.0, 1.0], f32)
    np.testing.assert_allclose(export.deserialize(outer.serialize()).call(x), 2 * np.exp(x), rtol=1e-6)


def test_values_closed_over_become_constants():
    c = np.array([1.0, -2.0, 4.0], f32)
    exp = export.export(lintra.jit(lambda x, n: (x * c + n, n * 2)))(S((3,), f32), S((), i32))
    assert len(exp.in_avals) == 2
    y, m = export.deserialize(exp.serialize()).call(np.ones(3, f32), i32(5))
    np.testing.assert_allclose(y, c + 5)
    assert int(m) == 10 and m.dtype == np.int32


def sin_times(x, y):
    return jnp.sin(x) * y


def test_grad_through_the_exported_vjp():
    exp = export.export(lintra.jit(sin_times))(S((3,), f32), S((), f32))
    x, y = np.array([0.3, 1.0, 2.0], f32), f32(1.5)
    for e in (exp, export.deserialize(exp.serialize(vjp_order=1))):
        assert e.has_vjp()
        gx, gy = lintra.grad(lambda x, y: e.call(x, y).sum(), argnums=(0, 1))(x, y)
        np.testing.assert_allclose(gx, y * np.cos(x), rtol=1e-6)                 # closed forms
        np.testing.assert_allclose(gy, np.sin(x).sum(), rtol=1e-6)
        np.testing.assert_allclose(lintra.jit(lintra.grad(lambda x: e.call(x, y).sum()))(x), y * np.cos(x),
                                   rtol=1e-6)
    vjp = exp.vjp()
    assert [str(t) for t in vjp.in_avals] == ["f32[3]", "f32[]", "f32[3]"]
    assert [str(t) for t in vjp.out_avals] == ["f32[3]", "f32[]"]


def test_grad_with_integer_inputs_and_outputs():
    """The VJP takes float0 cotangents for integer outputs and returns float0 for integer inputs, as JAX's."""
    def scaled_argmax(x, n):
        return x * n, jnp.argmax(x).astype(jnp.int32)
    exp = export.export(lintra.jit(scaled_argmax))(S((3,), f32), S((), i32))
    vjp = exp.vjp()
    assert [str(t) for t in vjp.in_avals] == ["f32[3]", "i32[]", "f32[3]", "float0[]"]
    assert [str(t) for t in vjp.out_avals] == ["f32[3]", "float0[]"]
    x = np.array([1.0, 3.0, 2.0], f32)
    e = export.deserialize(exp.serialize(vjp_order=1))
    for wrap in (lambda g: g, lintra.jit):
        np.testing.assert_allclose(wrap(lintra.grad(lambda x: e.call(x, i32(3))[0].sum()))(x), [3, 3, 3])


def test_second_order_needs_vjp_order_two():
    exp = export.export(lintra.jit(lambda x: jnp.sin(x) * x))(S((), f32))
    x = f32(0.7)
    d2 = -np.sin(x) * x + 2 * np.cos(x)      # (x sin x)'' = 2 cos x - x sin x
    e2 = export.deserialize(exp.serialize(vjp_order=2))
    np.testing.assert_allclose(lintra.grad(lintra.grad(e2.call))(x), d2, rtol=1e-5)
    e1 = export.deserialize(exp.serialize(vjp_order=1))
    with pytest.raises(ValueError, match="cannot differentiate the exported function <lambda>_vjp: it was called "
                                         "without its VJP"):
        lintra.grad(lintra.grad(e1.call))(x)


def test_no_vjp_is_a_clear_error():
    exp = export.deserialize(export.export(lintra.jit(sin_times))(S((3,), f32), S((), f32)).serialize())
    assert not exp.has_vjp()
    with pytest.raises(ValueError, match="No VJP is available for the exported function sin_times"):
        exp.vjp()
    with pytest.raises(ValueError, match="cannot differentiate the exported function sin_times: it was called "
                                         "without its VJP"):
        lintra.grad(lambda x: exp.call(x, f32(2)).sum())(np.ones(3, f32))


@pytest.mark.parametrize("in_axes", [(0, None), (1, 0)])
def test_vmap_loops_over_the_batch(in_axes):
    exp = export.deserialize(export.export(lintra.jit(sin_times))(S((3,), f32), S((), f32)).serialize())
    xs = np.linspace(-1, 1, 12).astype(f32).reshape(4, 3)
    ys = np.array([1.0, 2.0, -1.0, 0.5], f32)
    x_in = xs if in_axes[0] == 0 else xs.T
    y_in = f32(2) if in_axes[1] is None else ys
    got = lintra.vmap(exp.call, in_axes=in_axes)(x_in, y_in)
    want = np.stack([np.sin(xs[i]) * (2 if in_axes[1] is None else ys[i]) for i in range(4)])   # the loop
    np.testing.assert_allclose(got, want, rtol=1e-6)
    assert "scan" in str(lintra.make_ir(lintra.vmap(exp.call, in_axes=in_axes))(x_in, y_in))


# ---- errors -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def exp():
    return export.export(lintra.jit(sin_times))(S((3,), f32), S((), f32))


@pytest.mark.parametrize("args, kwargs, error, message", [
    ((np.ones(4, f32), f32(1)), {}, ValueError, r"Shape mismatch for args\[0\]: expected \(3,\) and called with "
                                                r"\(4,\) \(the exported function 'sin_times' has fixed shapes\)"),
    ((np.ones(3, i32), f32(1)), {}, ValueError, r"Dtype mismatch for args\[0\]: expected float32 and called with "
                                                r"int32"),
    ((np.ones(3, f32), 1), {}, ValueError, r"Dtype mismatch for args\[1\]: expected float32 and called with int32"),
    ((np.ones(3, f32),), {}, ValueError, r"must have the same pytree structure as when the function 'sin_times' "
                                         r"was exported: exported with PyTreeDef\(\(\(\*, \*\), \{\}\)\), called "
                                         r"with PyTreeDef\(\(\(\*,\), \{\}\)\)"),
    ((np.ones(3, f32), "two"), {}, TypeError, r"Argument args\[1\] of the exported function 'sin_times' is 'two' "
                                              r"of type str, not an array; expected f32\[\]"),
])
def test_call_errors_name_the_argument(exp, args, kwargs, error, message):
    with pytest.raises(error, match=message):
        exp.call(*args, **kwargs)


def test_call_inside_jit_checks_types_too(exp):
    with pytest.raises(ValueError, match=r"Shape mismatch for args\[0\]: expected \(3,\) and called with \(2,\)"):
        lintra.jit(lambda x: exp.call(x, f32(1)))(np.ones(2, f32))


def test_export_errors():
    with pytest.raises(ValueError, match="Function to be exported must be the result of `jit` but is: <function"):
        export.export(sin_times)
    with pytest.raises(ValueError, match=r"Lintra exports for the platform it runs on \('cpu'\); got "
                                         r"platforms=\['tpu'\]"):
        export.export(lintra.jit(sin_times), platforms=["tpu"])

    def with_callback(x):
        return lintra.pure_callback(np.sin, S((3,), f32), x)
    with pytest.raises(ValueError, match="cannot export with_callback: it calls a host callback"):
        export.export(lintra.jit(with_callback))(S((3,), f32))


def test_symbolic_dimensions_are_refused():
    assert export.symbolic_shape("8, 3") == (8, 3)
    assert export.symbolic_shape("(2,)") == (2,)
    with pytest.raises(ValueError, match=r"symbolic_shape\('b, 3'\): dimension 'b' is symbolic, and Lintra exports "
                                         r"fixed shapes only"):
        export.symbolic_shape("b, 3")


def test_deserialize_errors(exp):
    blob = exp.serialize()
    with pytest.raises(ValueError, match=r"not a serialized Lintra Exported: it starts with b'ML\\xefR"):
        export.deserialize(exp.mlir_module_serialized)
    with pytest.raises(ValueError, match=r"serialized Exported is \d+ bytes, but its header describes \d+: "
                                         r"truncated or damaged"):
        export.deserialize(blob[:-10])
    future = blob[:8] + np.array([2], "<u4").tobytes() + blob[12:]
    with pytest.raises(ValueError, match="serialized Exported has format version 2; this Lintra reads version 1"):
        export.deserialize(future)


def test_trees_of_other_node_types_do_not_serialize():
    from collections import namedtuple
    Point = namedtuple("Point", "x y")
    exp = export.export(lintra.jit(lambda p: p.x + p.y))(Point(S((), f32), S((), f32)))
    np.testing.assert_allclose(exp.call(Point(f32(1), f32(2))), 3)        # callable in this process
    with pytest.raises(ValueError, match="cannot serialize the in_tree of an Exported: it holds a Point node"):
        exp.serialize()


# ---- across processes ---------------------------------------------------------------------------------------

CHILD = textwrap.dedent("""
    import json, sys
    import numpy as np
    import lintra
    from lintra import export

    cases = json.load(open("cases.json"))
    outs = {}
    for name, case in cases.items():
        exp = export.deserialize(open(name + ".bin", "rb").read())
        ins = np.load(name + "_in.npz")
        args, kwargs = exp.in_tree.unflatten([ins[f"a{i}"] for i in range(len(ins.files))])
        got = lintra.tree.leaves(exp.call(*args, **kwargs))
        jitted = lintra.tree.leaves(lintra.jit(lambda *a: exp.call(*a, **kwargs))(*args))
        for i, (g, j) in enumerate(zip(got, jitted)):
            outs[f"{name}_{i}"], outs[f"{name}_jit_{i}"] = np.asarray(g), np.asarray(j)
        if case["grad"]:
            outs[name + "_grad"] = np.asarray(lintra.grad(lambda x: exp.call(x, *args[1:]).sum())(args[0]))
    np.savez("outs.npz", **outs)
    loaded = [m.__file__ for m in list(sys.modules.values()) if getattr(m, "__file__", None)]
    print(json.dumps({"test_source_loaded": any(p.endswith("test_export.py") for p in loaded),
                      "modules": len(loaded)}))
""")


def test_round_trip_in_a_fresh_process(tmp_path):
    params = {"b": B, "w": W}
    x3, y = np.array([0.3, 1.0, 2.0], f32), f32(1.5)
    cases = {  # name: (jitted function, args, kwargs, serialize with a VJP?)
        "model": (lintra.jit(model), (params, X), {"scale": f32(2)}, False),
        "sin_times": (lintra.jit(sin_times), (x3, y), {}, True),
        "linalg": (lintra.jit(linalg), (A, np.array([1.0, 2.0, 3.0], f32)), {}, False),
        "ints": (lintra.jit(lambda n, m: (n * m + 1, (n > m), n.astype(jnp.float32) / 2)),
                 (np.array([1, 5, -3], i32), np.array([2, 2, 2], i32)), {}, False),
    }
    wants = {}
    for name, (fn, args, kwargs, vjp) in cases.items():
        exp = export.export(fn)(*args, **kwargs)
        (tmp_path / f"{name}.bin").write_bytes(exp.serialize(vjp_order=1 if vjp else 0))
        leaves = lintra.tree.leaves((args, kwargs))
        np.savez(tmp_path / f"{name}_in.npz", **{f"a{i}": np.asarray(v) for i, v in enumerate(leaves)})
        wants[name] = [np.asarray(o) for o in lintra.tree.leaves(fn(*args, **kwargs))]
    (tmp_path / "cases.json").write_text(json.dumps({n: {"grad": c[3]} for n, c in cases.items()}))
    (tmp_path / "child.py").write_text(CHILD)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    p = subprocess.run([sys.executable, "child.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                       env=env)
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stdout.strip().splitlines()[-1])
    assert report == {"test_source_loaded": False, "modules": report["modules"]}
    outs = np.load(tmp_path / "outs.npz")
    for name, want in wants.items():
        for i, w in enumerate(want):
            for key in (f"{name}_{i}", f"{name}_jit_{i}"):
                got = outs[key]
                assert got.dtype == w.dtype and got.shape == w.shape, key
                np.testing.assert_allclose(got, w, rtol=1e-5, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(outs["sin_times_grad"], y * np.cos(x3), rtol=1e-6)
    # the linear algebra is right, not only equal to this process's
    eig, sol = wants["linalg"]
    spd = A @ A.T + 3 * np.eye(3, dtype=f32)
    np.testing.assert_allclose(eig, np.linalg.eigvalsh(spd), rtol=1e-5)
    np.testing.assert_allclose(spd @ sol, [1, 2, 3], rtol=1e-5)
