"""lax.cond and lax.switch: values eager and jitted, pytrees and closures, type errors, derivatives and
batching, against NumPy/Python references."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax
from lintra.test_util import check_grads

# this module checks derivatives with check_grads and batching against Python loops
COVERED_AD_PRIMITIVES = {"cond"}
COVERED_BATCH_PRIMITIVES = {"cond"}

X = np.array([0.3, -0.5, 0.8], np.float32)


def _prims(f, *args):
    return [op.prim for op in lintra.make_ir(f)(*args).body.walk()]


def _f(pred, x):
    return lax.cond(pred, lambda v: jnp.sin(v) * 2.0, lambda v: v * v, x)


@pytest.mark.parametrize("pred", [True, False])
@pytest.mark.parametrize("run", [lambda f: f, lintra.jit], ids=["eager", "jit"])
def test_cond_picks_the_branch(pred, run):
    expected = np.sin(X) * 2 if pred else X * X
    np.testing.assert_allclose(np.asarray(run(_f)(pred, X)), expected, rtol=1e-6)


def test_cond_is_one_op_and_traces_both_branches():
    assert _prims(_f, True, X).count("cond") == 1
    seen = []
    lintra.jit(lambda x: lax.cond(x[0] > 0, lambda v: seen.append("t") or v, lambda v: seen.append("f") or v, x))(X)
    assert sorted(seen) == ["f", "t"]


def test_integer_predicate_is_tested_for_nonzero():
    for p, expected in ((3, np.sin(X) * 2), (0, X * X)):
        np.testing.assert_allclose(np.asarray(lintra.jit(_f)(np.int32(p), X)), expected, rtol=1e-6)


def test_pytree_operands_closures_and_no_operands():
    scale = jnp.asarray(np.float32(3.0))
    out = lintra.jit(lambda d: lax.cond(d["a"][0] > 0, lambda t: {"s": t["a"] * scale, "n": t["b"] + 1},
                                        lambda t: {"s": t["a"] - scale, "n": t["b"]}, d))({"a": X, "b": np.int32(4)})
    np.testing.assert_allclose(np.asarray(out["s"]), X * 3, rtol=1e-6)
    assert int(out["n"]) == 5
    # branches closing over different values, and branches without operands
    y = jnp.asarray(X)
    z = jnp.asarray(np.float32(2.0))
    g = lintra.jit(lambda p: lax.cond(p, lambda: y * z, lambda: y + 1.0))
    np.testing.assert_allclose(np.asarray(g(True)), X * 2, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(g(False)), X + 1, rtol=1e-6)


@pytest.mark.parametrize("index,expected", [(0, X + 1), (1, X * 3), (2, -X), (7, -X), (-4, X + 1)])
@pytest.mark.parametrize("run", [lambda f: f, lintra.jit], ids=["eager", "jit"])
def test_switch_clamps_the_index(index, expected, run):
    f = lambda i, x: lax.switch(i, [lambda v: v + 1, lambda v: v * 3, lambda v: -v], x)
    np.testing.assert_allclose(np.asarray(run(f)(np.int32(index), X)), expected, rtol=1e-6)


def test_weak_and_strong_outputs_unify():
    out = lax.cond(True, lambda: jnp.float32(1.0), lambda: 2.0)
    assert out.dtype == np.float32 and not out.weak_type
    assert lax.cond(True, lambda: 1.0, lambda: 2.0).weak_type


def test_mismatched_branch_types_raise():
    with pytest.raises(TypeError, match=r"identical types(.|\n)*float32\[3\] in false_fun but float32\[\] in "
                                        r"true_fun, so the shapes do not match"):
        lax.cond(True, lambda x: x[0], lambda x: x, X)
    with pytest.raises(TypeError, match=r"int32\[3\].*so the dtypes do not match"):
        lax.cond(True, lambda x: x.astype(np.int32), lambda x: x, X)
    with pytest.raises(TypeError, match="same type structure"):
        lax.cond(True, lambda x: (x, x), lambda x: x, X)
    with pytest.raises(TypeError, match="branch 0 and 2 outputs must have identical types"):
        lax.switch(0, [lambda x: x, lambda x: x, lambda x: x.sum()], X)
    with pytest.raises(TypeError, match="Pred must be a scalar"):
        lax.cond(X > 0, lambda x: x, lambda x: x, X)
    with pytest.raises(TypeError, match="Pred type must be either boolean or number, got complex64"):
        lax.cond(np.complex64(1), lambda x: x, lambda x: x, X)
    with pytest.raises(TypeError, match="if 'operand' keyword is passed then no positional operands"):
        lax.cond(True, lambda x: x, lambda x: x, X, operand=X)
    with pytest.raises(ValueError, match="Empty branch sequence"):
        lax.switch(0, [], X)


def _smooth(x):
    return lax.cond(jnp.sum(x) > 0, lambda v: jnp.sin(v) * v, lambda v: v ** 3 + jnp.exp(v), x)


@pytest.mark.parametrize("x", [X, -X], ids=["true", "false"])
def test_cond_derivatives(x):
    check_grads(_smooth, (x,), order=2)
    expected = np.cos(x) * x + np.sin(x) if x.sum() > 0 else 3 * x ** 2 + np.exp(x)
    np.testing.assert_allclose(np.asarray(lintra.jit(lintra.grad(lambda v: jnp.sum(_smooth(v))))(x)), expected,
                               rtol=1e-5)


def test_switch_derivatives_with_a_branch_that_ignores_its_input():
    f = lambda i, x, y: lax.switch(i, [lambda a, b: a * b, lambda a, b: jnp.sin(a), lambda a, b: b * 0.0 + 1.0], x, y)
    for i in range(3):
        check_grads(lambda x, y: f(np.int32(i), x, y), (X, X[::-1].copy()), order=2 if i == 0 else 1)


def test_cond_gradient_wrt_a_closed_over_value():
    def loss(w):
        return jnp.sum(lax.cond(w[0] > 0, lambda: jnp.tanh(w * X), lambda: w * 2.0))
    check_grads(loss, (X,), order=1)


def test_cond_with_an_integer_output_differentiates_the_float_ones():
    f = lambda x: lax.cond(x[0] > 0, lambda v: (v * 2.0, jnp.int32(1)), lambda v: (v, jnp.int32(0)), x)
    (y, n), (ty, tn) = lintra.jvp(f, (X,), (np.ones(3, np.float32),))
    np.testing.assert_allclose(np.asarray(ty), 2.0)
    assert int(n) == 1 and np.shape(tn) == ()


# ---- batching ----------------------------------------------------------------------------------------

XS = np.array([1.0, -1.0, 2.0, -0.5], np.float32)


def test_vmap_with_a_batched_predicate_selects_per_member():
    out = lintra.vmap(lambda x: lax.cond(x > 0, lambda v: jnp.sin(v), lambda v: v * 2.0, x))(XS)
    np.testing.assert_allclose(np.asarray(out), np.where(XS > 0, np.sin(XS), XS * 2), rtol=1e-6)
    ir = lintra.make_ir(lintra.vmap(lambda x: lax.cond(x > 0, lambda v: jnp.sin(v), lambda v: v * 2.0, x)))(XS)
    prims = [op.prim for op in ir.body.walk()]
    assert "select_n" in prims and "cond" not in prims


def test_vmap_switch_with_batched_index_and_unbatched_operand():
    idx = np.array([0, 2, 1, 9], np.int32)
    branches = [lambda v: v + 1, lambda v: v * 3, lambda v: -v]
    out = lintra.vmap(lambda i, x: lax.switch(i, branches, x), (0, None))(idx, np.float32(2.0))
    np.testing.assert_allclose(np.asarray(out), [branches[min(i, 2)](2.0) for i in idx])


def test_vmap_with_an_unbatched_predicate_keeps_the_cond():
    f = lambda p, x, y: lax.cond(p, lambda a, b: (a * b, b), lambda a, b: (a + 1.0, b * 2.0), x, y)
    batched = lintra.vmap(f, (None, 0, None))
    prims = [op.prim for op in lintra.make_ir(batched)(True, XS, np.float32(3.0)).body.walk()]
    assert "cond" in prims and "select_n" not in prims
    for p in (True, False):
        a, b = batched(p, XS, np.float32(3.0))
        ref = [f(p, x, np.float32(3.0)) for x in XS]
        np.testing.assert_allclose(np.asarray(a), [float(r[0]) for r in ref], rtol=1e-6)
        np.testing.assert_allclose(np.asarray(b), [float(r[1]) for r in ref], rtol=1e-6)


def test_vmap_of_grad_of_cond():
    f = lambda x: lax.cond(x > 0, lambda v: jnp.sin(v) * v, lambda v: v ** 3, x)
    g = lintra.jit(lintra.vmap(lintra.grad(f)))(XS)
    np.testing.assert_allclose(np.asarray(g), np.where(XS > 0, np.cos(XS) * XS + np.sin(XS), 3 * XS ** 2), rtol=1e-5)


@pytest.mark.parametrize("run", [lambda f: f, lintra.jit], ids=["eager", "jit"])
def test_cond_call_forms_jax_accepts(run):
    # values recorded from JAX 0.10.2: a float pred means pred != 0; `operand=` is the single operand
    assert float(run(lambda p: lax.cond(p, lambda x: x + 1, lambda x: x - 1, 2.0))(1.5)) == 3.0
    assert float(run(lambda p: lax.cond(p, lambda x: x + 1, lambda x: x - 1, 2.0))(0.0)) == 1.0
    out = run(lambda p: lax.cond(p, lambda x: x[0] + x[1], lambda x: x[0] - x[1], operand=(3.0, 1.0)))(True)
    assert float(out) == 4.0
    assert float(run(lambda p: lax.cond(p, 1.0, lambda x: x + 1, 2.0, lambda x: x - 1))(True)) == 2.0   # deprecated form
    assert float(lintra.grad(lambda x: lax.cond(x, lambda y: y * y, lambda y: -y, operand=x))(3.0)) == 6.0
