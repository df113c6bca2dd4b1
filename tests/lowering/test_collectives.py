"""Numerics of the named-axis collectives: they exist only inside vmap, which rewrites them away."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax
from lintra.frontend.core import bind1
from lintra.test_util import check_grads

COVERED_PRIMITIVES = {"psum", "pmax", "pmin", "all_gather", "axis_index", "ppermute", "psum_scatter", "all_to_all"}

x = np.array([[1.0, -2.0], [3.0, 0.5], [-1.0, 4.0]], np.float32)


def _named(prim, **attrs):
    return lambda v: bind1(prim, v, axis_name="i", **attrs)


@pytest.mark.parametrize("prim, reference", [("psum", np.sum), ("pmax", np.max), ("pmin", np.min)])
@pytest.mark.parametrize("jit", [False, True])
def test_reductions_over_the_mapped_axis(prim, reference, jit):
    f = lintra.vmap(_named(prim), axis_name="i")
    f = lintra.jit(f) if jit else f
    out = np.asarray(f(x))
    np.testing.assert_allclose(out, np.broadcast_to(reference(x, axis=0), x.shape), rtol=1e-6)


def test_all_gather_and_axis_index():
    gathered = lintra.vmap(_named("all_gather", axis_size=3, axis=0), axis_name="i")(x)
    np.testing.assert_array_equal(np.asarray(gathered), np.broadcast_to(x, (3,) + x.shape))
    idx = lintra.vmap(lambda v: bind1("axis_index", axis_name="i"), axis_name="i")(x)
    np.testing.assert_array_equal(np.asarray(idx), [0, 1, 2])


def test_unbound_axis_is_an_error_when_compiled():
    with pytest.raises(NameError, match="unbound axis name"):
        lintra.jit(_named("psum"))(x)


# Each member's value, computed independently of the batching rules (which tests/batch checks the same way)
MOVES = {
    "ppermute": (lambda v: lax.ppermute(v, "i", [(0, 2), (2, 1), (1, 0)]) * v, (3, 2, 4)),
    "psum_scatter": (lambda v: jnp.sin(lax.psum_scatter(v, "i", scatter_dimension=1)), (3, 2, 3)),
    "psum_scatter-tiled": (lambda v: lax.psum_scatter(v * v, "i", scatter_dimension=0, tiled=True), (3, 6, 2)),
    "all_to_all": (lambda v: jnp.tanh(lax.all_to_all(v, "i", 1, 0)), (3, 2, 3)),
    "all_to_all-tiled": (lambda v: lax.all_to_all(v, "i", 0, 1, tiled=True) ** 2, (3, 6, 2)),
}


COVERED_AD_PRIMITIVES = {name.split("-")[0] for name in MOVES}


@pytest.mark.parametrize("name", sorted(MOVES))
def test_move_emits_its_primitive(name):
    from lintra.frontend import batching
    fun, shape = MOVES[name]
    batching.axis_env.names.append(("i", shape[0]))      # bound, as vmap binds it while tracing
    try:
        func = lintra.make_ir(fun)(np.ones(shape[1:], np.float32))
    finally:
        batching.axis_env.names.pop()
    assert name.split("-")[0] in {op.prim for op in func.body.walk()}


@pytest.mark.parametrize("name", sorted(MOVES))
def test_collective_gradients(name):
    """grad inside vmap runs the collectives' JVP and transpose rules (the cotangent of every member's output
    flows back through the transposed collective): it must equal the gradient of the members' total loss,
    taken outside vmap through the batched program, which is itself checked against finite differences."""
    fun, shape = MOVES[name]
    rng = np.random.default_rng(0)
    v = rng.uniform(-1, 1, shape).astype(np.float32)
    w = rng.uniform(-1, 1, np.asarray(lintra.vmap(fun, axis_name="i")(v)).shape).astype(np.float32)

    def total(vs):
        return jnp.sum(lintra.vmap(fun, axis_name="i")(vs) * w)
    check_grads(total, (v,), order=2)
    inside = lintra.vmap(lintra.grad(lambda vi, wi: jnp.sum(fun(vi) * wi)), axis_name="i")(v, w)
    np.testing.assert_allclose(np.asarray(inside), np.asarray(lintra.grad(total)(v)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fun, shape", [
    (lambda v: lax.ppermute(v, "i", [(0, 2), (2, 1)]), (3, 2)),
    (lambda v: lax.psum_scatter(v, "i", scatter_dimension=1, tiled=True), (3, 2, 6)),
    (lambda v: lax.all_to_all(v, "i", 0, 1), (3, 3, 2)),
    (lambda v: lax.all_to_all(v, "i", 1, 0, tiled=True), (3, 2, 6)),
])
def test_transpose_rule_is_the_adjoint(fun, shape):
    """<f(x), y> == <x, f^T(y)>, with f^T from the collective's transpose rule (transposed inside vmap)."""
    rng = np.random.default_rng(1)
    f = lintra.vmap(fun, axis_name="i")
    x = rng.uniform(-1, 1, shape).astype(np.float32)
    y = rng.uniform(-1, 1, np.asarray(f(x)).shape).astype(np.float32)
    ft_y = lintra.vmap(lambda xi, yi: lintra.linear_transpose(fun, xi)(yi)[0], axis_name="i")(x, y)
    np.testing.assert_allclose(np.vdot(np.asarray(f(x)), y), np.vdot(x, np.asarray(ft_y)), rtol=1e-5)


def test_jax_values():
    """Outputs JAX 0.10.2 gives for the same vmapped calls (recorded from running it)."""
    f = lintra.vmap(lambda v: lax.ppermute(v, "i", [(0, 1), (1, 2), (2, 0)]), axis_name="i")
    np.testing.assert_array_equal(np.asarray(f(np.arange(3.0, dtype=np.float32))), [2, 0, 1])
    x = np.arange(4 * 8 * 3, dtype=np.float32).reshape(4, 8, 3)
    g = np.asarray(lintra.vmap(lambda v: lax.all_to_all(v, "i", 0, 1, tiled=True), axis_name="i")(x))
    assert g.shape == (4, 2, 12)
    np.testing.assert_array_equal(g[1, 0, :6], [6, 7, 8, 30, 31, 32])
    x = np.arange(4 * 3 * 8, dtype=np.float32).reshape(4, 3, 8)
    h = lintra.vmap(lambda v: lax.psum_scatter(v, "i", scatter_dimension=1, tiled=True), axis_name="i")(x)
    np.testing.assert_array_equal(np.asarray(h), x.sum(0).reshape(3, 4, 2).transpose(1, 0, 2))


@pytest.mark.parametrize("call, message", [
    (lambda v: lax.ppermute(v, "i", [(0, 1), (2, 1)]), "distinct destinations"),
    (lambda v: lax.ppermute(v, "i", [(0, 3)]), r"range\(3\)"),
    (lambda v: lax.psum_scatter(v, "i"), "must be  the axis size 3"),
    (lambda v: lax.all_to_all(v, "i", 0, 0, tiled=True), "a multiple of the axis size 3"),
    (lambda v: lax.psum_scatter(v, ("i", "i")), "one named axis"),
])
def test_bad_collective_arguments(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        lintra.vmap(call, axis_name="i")(np.ones((3, 2), np.float32))


def test_pswapaxes_is_all_to_all_on_one_axis():
    # values recorded from JAX 0.10.2: vmap(lambda a: lax.pswapaxes(a, 'i', axis), axis_name='i')(arange(8)...)
    v = jnp.arange(8.).reshape(2, 2, 2)
    assert lintra.vmap(lambda a: lax.pswapaxes(a, "i", 0), axis_name="i")(v).tolist() == \
        [[[0.0, 1.0], [4.0, 5.0]], [[2.0, 3.0], [6.0, 7.0]]]
    assert lintra.vmap(lambda a: lax.pswapaxes(a, "i", 1), axis_name="i")(v).tolist() == \
        [[[0.0, 4.0], [2.0, 6.0]], [[1.0, 5.0], [3.0, 7.0]]]
