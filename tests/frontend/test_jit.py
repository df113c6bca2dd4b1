"""jit: tracing once per signature, static arguments, nested jit as a call op, concretization errors."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax


def test_jit_matches_numpy_and_eager():
    def f(x, y):
        return jnp.sum(jnp.sin(jnp.multiply(x, y)))
    x = np.linspace(0, 1, 5, dtype=np.float32)
    jitted = lintra.jit(f)(x, x)
    eager = f(jnp.asarray(x), jnp.asarray(x))
    np.testing.assert_allclose(np.asarray(jitted), np.sum(np.sin(x * x)), rtol=1e-6)
    assert np.asarray(jitted) == np.asarray(eager)   # same backend, same kernels: bitwise equal


def test_traces_once_per_signature():
    traces = []

    @lintra.jit
    def f(x):
        traces.append(x.type)
        return lax.mul(x, x)
    f(np.ones(3, np.float32))
    f(np.zeros(3, np.float32))
    assert len(traces) == 1
    f(np.ones(4, np.float32))          # new shape
    f(np.ones(3, np.int32))            # new dtype
    f(2.0)                              # weak scalar
    assert len(traces) == 4
    assert str(traces[-1]) == "~f32[]"


def test_pytree_inputs_and_outputs():
    @lintra.jit
    def f(params, x):
        return {"y": lax.add(params["w"], x), "pair": (x, params["b"])}
    out = f({"w": np.ones(2, np.float32), "b": np.float32(3)}, np.arange(2, dtype=np.float32))
    assert set(out) == {"y", "pair"}
    np.testing.assert_array_equal(np.asarray(out["y"]), [1, 2])
    assert float(out["pair"][1]) == 3.0


def test_static_argnums_and_argnames():
    calls = []

    def f(x, n, *, mode="sum"):
        calls.append((n, mode))
        y = x
        for _ in range(n):          # Python control flow on a static value
            y = lax.mul(y, x)
        return jnp.sum(y) if mode == "sum" else y
    g = lintra.jit(f, static_argnums=1, static_argnames="mode")
    x = np.full(3, 2.0, np.float32)
    assert float(g(x, 2)) == 24.0
    assert float(g(x, 2)) == 24.0
    np.testing.assert_array_equal(np.asarray(g(x, 1, mode="none")), [4, 4, 4])
    assert calls == [(2, "sum"), (1, "none")]


def test_unhashable_static_argument_is_an_error():
    with pytest.raises(ValueError, match="hashable"):
        lintra.jit(lambda x, n: x, static_argnums=1)(1.0, [1, 2])


def test_concretization_error_names_value_and_suggests_static():
    @lintra.jit
    def f(x):
        if lax.gt(x, 0.0):
            return x
        return lax.neg(x)
    with pytest.raises(lintra.ConcretizationError, match=r"bool\(\) of a traced bool\[3\].*static_argnums"):
        f(np.ones(3, np.float32))


def test_nested_jit_becomes_call_op():
    inner = lintra.jit(lambda x: lax.sin(x))

    def outer(x):
        return lax.add(inner(x), inner(x))
    ir = lintra.make_ir(outer)(np.ones(3, np.float32))
    assert [op.prim for op in ir.body.ops] == ["call", "call", "add"]
    assert ir.body.ops[0].regions[0] is ir.body.ops[1].regions[0]      # traced once
    out = lintra.jit(outer)(np.ones(3, np.float32))
    np.testing.assert_allclose(np.asarray(out), 2 * np.sin(np.ones(3)), rtol=1e-6)


def test_closed_over_arrays_and_tracers_are_captured():
    w = jnp.asarray(np.arange(3, dtype=np.float32))

    def outer(x):
        inner = lintra.jit(lambda y: lax.mul(lax.mul(y, x), w))   # closes over the outer tracer x and w
        return inner(x)
    x = np.full(3, 2.0, np.float32)
    np.testing.assert_array_equal(np.asarray(lintra.jit(outer)(x)), [0, 4, 8])
    ir = lintra.make_ir(outer)(x)
    assert len(ir.args) == 2       # x and the captured w


def test_escaped_tracer_is_reported():
    leaked = []

    @lintra.jit
    def f(x):
        leaked.append(x)
        return x
    f(1.0)
    with pytest.raises(lintra.UnexpectedTracerError, match="escaped"):
        lax.add(leaked[0], 1.0)


def test_make_ir_prints_text_form():
    ir = lintra.make_ir(lambda x, y: jnp.sum(jnp.sin(jnp.multiply(x, y))))(np.ones(3, np.float32),
                                                                           np.ones(3, np.float32))
    assert str(ir).splitlines()[1:] == [
        "  %0 = mul %x, %y : f32[3]",
        "  %1 = sin %0 : f32[3]",
        "  %2 = reduce_sum %1 {axes = [0]} : f32[]",
        "  return %2",
        "}",
    ]


def test_x64_is_part_of_the_cache_key():
    f = lintra.jit(lambda x: lax.add(x, 1.5))
    assert f(np.float64(1)).dtype == np.float32
    lintra.config.update("enable_x64", True)
    try:
        assert f(np.float64(1)).dtype == np.float64
    finally:
        lintra.config.update("enable_x64", False)


def test_jit_of_non_callable():
    with pytest.raises(TypeError, match="callable"):
        lintra.jit(3)


def test_bad_argument_type_names_the_value():
    with pytest.raises(TypeError, match="'hello' of type str"):
        lintra.jit(lambda x: x)("hello")


def test_lower_gives_stablehlo_text():
    text = lintra.jit(lambda x: lax.exp(x)).lower(np.ones(2, np.float32)).as_text()
    assert "stablehlo.exponential" in text and "func.func public @main" in text or "func.func @main" in text


def test_settings_that_change_a_trace_are_in_the_cached_signature(x64):
    # a cached call is replayed by C++; had x64 or the threefry layout not been in its key, the second call of
    # each pair would replay the executable traced under the other setting
    make = lintra.jit(lambda: jnp.zeros(2) + 1)
    draw = lintra.jit(lambda k: lintra.random.uniform(k, (4,)))
    key = lintra.random.PRNGKey(0)
    seen = {}
    for x64_on, partitionable in [(False, True), (True, True), (False, False), (False, True), (True, True)]:
        lintra.config.update("enable_x64", x64_on)
        lintra.config.update("threefry_partitionable", partitionable)
        try:
            assert make().dtype == (np.float64 if x64_on else np.float32)
            bits = np.asarray(draw(key)).astype(np.float32)
            np.testing.assert_array_equal(bits, np.asarray(lintra.random.uniform(key, (4,))).astype(np.float32))
            np.testing.assert_array_equal(seen.setdefault((x64_on, partitionable), bits), bits)
        finally:
            lintra.config.update("threefry_partitionable", True)
    assert not np.array_equal(seen[False, True], seen[False, False])      # the layouts draw different numbers


def test_a_cached_jit_called_inside_a_trace_is_staged():
    inner = lintra.jit(lambda a: a * 2)
    x = jnp.asarray(np.ones(3, np.float32))
    inner(x), inner(x)                                     # cached: C++ replays it outside traces
    func = lintra.make_ir(lambda y: inner(x) + y)(np.ones(3, np.float32))
    assert any(op.prim == "call" for op in func.body.ops), func
    np.testing.assert_array_equal(np.asarray(lintra.jit(lambda y: inner(x) + y)(np.ones(3, np.float32))), [3] * 3)


def test_transformations_of_a_jitted_function_are_not_jitted_functions():
    # a transformation's wrapper takes its name and docstring, not its attributes (.lower, .trace_ir): with
    # them, make_ir(grad(jnp.log)) printed jnp.log's IR
    g = lintra.grad(jnp.log)
    assert not hasattr(g, "lower") and not hasattr(lintra.vmap(jnp.sin), "trace_ir")
    func = lintra.make_ir(g)(2.0)
    assert len(func.body.ops) > 1, func          # the derivative's ops, not log's alone
    assert float(lintra.jit(g)(2.0)) == 0.5


def test_jit_wrappers_of_one_function_share_its_traces():
    # JAX 0.10.2 prints 2.0 three times: the second wrapper replays the first one's trace
    scale = {"g": 2.0}
    traces = []

    def f(x):
        traces.append(1)
        return x * scale["g"]
    assert float(lintra.jit(f)(1.0)) == 2.0
    scale["g"] = 3.0
    assert float(lintra.jit(f)(1.0)) == 2.0 and len(traces) == 1
    assert float(lintra.jit(f, static_argnums=0)(1.0)) == 3.0     # other options: a trace of its own


def test_eval_shape():
    out = lintra.eval_shape(lambda x, y: (x @ y, jnp.sum(x)), lintra.ShapeDtypeStruct((2, 3), np.float32),
                            np.ones((3, 4), np.float32))
    assert [(o.shape, o.dtype) for o in out] == [((2, 4), np.float32), ((), np.float32)]
    s = lintra.jit(jnp.sin).eval_shape(2.0)
    assert s.shape == () and s.weak_type


def test_disable_jit_runs_the_python():
    seen = []

    @lintra.jit
    def f(x):
        seen.append(type(x).__name__)
        return x + 1
    with lintra.disable_jit():
        assert f(1.0) == 2.0 and lintra.config.jax_disable_jit
    assert float(f(1.0)) == 2.0 and not lintra.config.jax_disable_jit
    assert seen == ["float", "Tracer"]           # as JAX: the Python value inside, a tracer outside


def test_config_names_as_jax():
    assert lintra.config.jax_enable_x64 == lintra.config.read("jax_enable_x64") == lintra.config.read("enable_x64")
    with pytest.raises(AttributeError, match="Unrecognized config option: jax_foo"):
        lintra.config.update("jax_foo", True)
