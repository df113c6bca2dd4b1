"""lintra.vmap, its API (in_axes/out_axes, kwargs, axis_size, errors), named-axis collectives and its
composition with jit and the derivative transformations; values against NumPy."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax
from lintra.ir.ad.jvp_rules import NotDifferentiableError

rng = np.random.default_rng(0)
X = rng.uniform(-1, 1, (4, 3)).astype(np.float32)      # 4 examples of 3 features
Y = rng.uniform(-1, 1, (4, 3)).astype(np.float32)
W = rng.uniform(-1, 1, (3,)).astype(np.float32)


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a), b, rtol=tol, atol=tol)


# ---- in_axes / out_axes ----------------------------------------------------------------------------------

def test_in_axes_ints_negative_and_none():
    f = lambda x, w: jnp.sin(x) * w
    close(lintra.vmap(f)(X, Y), np.sin(X) * Y)
    close(lintra.vmap(f, in_axes=(1, -1))(X.T, Y.T), np.sin(X) * Y)
    close(lintra.vmap(f, in_axes=(0, None))(X, W), np.sin(X) * W)
    close(lintra.vmap(f, in_axes=[-2, None])(X, W), np.sin(X) * W)     # a list is a tuple, as in JAX


def test_out_axes_ints_negative_and_pytrees():
    f = lambda x: (x * 2.0, {"s": jnp.sum(x), "x": x})
    a, d = lintra.vmap(f, out_axes=(1, {"s": 0, "x": -1}))(X)
    close(a, (X * 2).T)
    close(d["s"], X.sum(1))
    close(d["x"], X.T)
    b, e = lintra.vmap(f, out_axes=-1)(X)
    close(b, (X * 2).T)
    close(e["s"], X.sum(1))
    close(e["x"], X.T)


def test_in_axes_pytree_prefixes():
    def f(p, x):
        return p["w"] * x + p["b"][0] - p["b"][1]
    params = {"w": W, "b": (np.float32(0.5), X)}      # b[1] is batched along axis 0 with x
    out = lintra.vmap(f, in_axes=({"w": None, "b": (None, 0)}, 0))(params, X)
    close(out, W * X + 0.5 - X)
    out = lintra.vmap(f, in_axes=({"w": None, "b": None}, 1))({"w": W, "b": (np.float32(0.5), W)}, X.T)
    close(out, W * X + 0.5 - W)


def test_keyword_arguments_are_mapped_over_axis_0():
    f = lambda x, y: x - 2.0 * y
    close(lintra.vmap(f, in_axes=(1,))(X.T, y=Y), X - 2 * Y)


def test_axis_size_without_a_mapped_input():
    out = lintra.vmap(lambda x: x * 2.0, in_axes=None, axis_size=5)(W)
    close(out, np.broadcast_to(W * 2, (5, 3)))
    idx = lintra.vmap(lambda: lax.axis_index("i"), axis_size=3, axis_name="i")()
    np.testing.assert_array_equal(np.asarray(idx), [0, 1, 2])


@pytest.mark.parametrize("jit", [False, True])
def test_indexing_over_zero_examples(jit):
    # shapes recorded from JAX 0.10.2 (optax vmaps its Hungarian algorithm over a batch of 0 cost matrices)
    cases = [(lambda x, i: x[i], (0, 4, 4), (0, 2), (0, 2, 4)), (lambda x, i: x[i], (0, 4, 0), (0, 3), (0, 3, 0)),
             (lambda x, i: x[i, i], (0, 4, 3), (0, 3), (0, 3)), (lambda x, i: x[i, i], (2, 4, 0), (2, 0), (2, 0)),
             (lambda x, i: x.at[i].get(mode="fill", fill_value=-1), (0, 4), (0, 2), (0, 2))]
    for f, xs, ids, want in cases:
        g = lintra.vmap(f)
        out = (lintra.jit(g) if jit else g)(np.zeros(xs, np.float32), np.zeros(ids, np.int32))
        assert out.shape == want and out.dtype == np.float32


def test_unmapped_output_is_broadcast_along_out_axes():
    f = lambda x, w: (x * w, w + 1.0)
    a, b = lintra.vmap(f, in_axes=(0, None), out_axes=(0, 1))(X, W)
    close(a, X * W)
    assert b.shape == (3, 4)
    close(b, np.broadcast_to((W + 1)[:, None], (3, 4)))


def test_out_axes_none_for_an_unmapped_output():
    a, b = lintra.vmap(lambda x, w: (x * w, jnp.sum(w)), in_axes=(0, None), out_axes=(0, None))(X, W)
    close(a, X * W)
    close(b, W.sum())


# ---- errors ---------------------------------------------------------------------------------------------

def test_inconsistent_sizes_name_the_arguments_and_sizes():
    def f(xs, ys):
        return xs + ys
    with pytest.raises(ValueError) as e:
        lintra.vmap(f)(np.ones((3, 2), np.float32), np.ones((4, 2), np.float32))
    msg = str(e.value)
    assert "inconsistent sizes" in msg and "size 3" in msg and "size 4" in msg
    assert "argument xs" in msg and "argument ys" in msg


def test_in_axes_must_match_the_arguments():
    f = lambda x, y: x + y
    with pytest.raises(ValueError, match="in_axes"):
        lintra.vmap(f, in_axes=(0,))(X, Y)
    with pytest.raises(ValueError, match="tree prefix"):
        lintra.vmap(lambda p: p[0] + p[1], in_axes=({"a": 0},))((X, Y))
    with pytest.raises(TypeError, match="in_axes"):
        lintra.vmap(f, in_axes="0")
    with pytest.raises(ValueError, match="axis 2"):
        lintra.vmap(f, in_axes=(2, 0))(X, Y)


def test_out_axes_none_for_a_mapped_output_is_an_error():
    with pytest.raises(ValueError, match="out_axes is None"):
        lintra.vmap(lambda x: x * 2.0, out_axes=None)(X)


def test_no_mapped_input_and_no_axis_size_is_an_error():
    with pytest.raises(ValueError, match="axis_size"):
        lintra.vmap(lambda x: x, in_axes=None)(X)


def test_python_control_flow_on_a_batched_value_raises():
    def f(x):
        return x if jnp.sum(x) > 0 else -x
    with pytest.raises(lintra.ConcretizationError):
        lintra.vmap(f)(X)


# ---- named axes -----------------------------------------------------------------------------------------

def test_collectives_over_the_mapped_axis():
    def f(x):
        return (lax.psum(x, "i"), lax.pmean(x, "i"), lax.pmax(x, "i"), lax.pmin(x, "i"),
                lax.all_gather(x, "i"), lax.all_gather(x, "i", axis=1), lax.all_gather(x, "i", tiled=True),
                lax.axis_index("i"), lax.psum(1, "i"))
    s, m, mx, mn, g0, g1, gt, idx, n = lintra.vmap(f, axis_name="i")(X)
    rep = lambda v: np.broadcast_to(v, (4,) + np.shape(v))
    close(s, rep(X.sum(0))), close(m, rep(X.mean(0)))
    close(mx, rep(X.max(0))), close(mn, rep(X.min(0)))
    close(g0, rep(X)), close(g1, rep(X.T)), close(gt, rep(X.reshape(-1)))
    np.testing.assert_array_equal(np.asarray(idx), np.arange(4))
    np.testing.assert_array_equal(np.asarray(n), [4] * 4)


def test_collectives_of_unbatched_values_and_integer_means():
    c = np.float32(2.5)
    s, mx, m = lintra.vmap(lambda x: (lax.psum(c, "i"), lax.pmax(c, "i"), lax.pmean(np.arange(3), "i")),
                           axis_name="i")(X)
    close(s, [10.0] * 4), close(mx, [2.5] * 4), close(m, np.broadcast_to([0.0, 1.0, 2.0], (4, 3)))
    assert np.asarray(m).dtype == np.float32


def test_nested_vmaps_with_two_axis_names():
    xs = rng.uniform(-1, 1, (2, 3, 4)).astype(np.float32)    # i: 2 members, j: 3 members

    def f(x):
        return (lax.psum(x, "i"), lax.psum(x, "j"), lax.psum(x, ("i", "j")), lax.pmax(x, "i"),
                lax.all_gather(x, "i"), lax.all_gather(x, "j", axis=1), lax.all_gather(x, ("i", "j")),
                lax.all_gather(x, ("i", "j"), tiled=True),
                lax.axis_index("i"), lax.axis_index("j"), lax.axis_index(("i", "j")))
    outs = lintra.vmap(lintra.vmap(f, axis_name="j"), axis_name="i")(xs)
    si, sj, sij, mi, gi, gj, gij, gt, ii, ij, iij = (np.asarray(o) for o in outs)
    full = lambda v: np.broadcast_to(v, (2, 3) + v.shape[2:])
    close(si, full(xs.sum(0, keepdims=True))), close(sj, full(xs.sum(1, keepdims=True)))
    close(sij, full(xs.sum((0, 1), keepdims=True))), close(mi, full(xs.max(0, keepdims=True)))
    close(gi, np.broadcast_to(xs.transpose(1, 0, 2)[:, None], (3, 2, 2, 4)).transpose(1, 0, 2, 3))
    close(gj, np.broadcast_to(xs.transpose(0, 2, 1)[:, None], (2, 3, 4, 3)))
    close(gij, np.broadcast_to(xs.reshape(6, 4), (2, 3, 6, 4)))
    close(gt, np.broadcast_to(xs.reshape(24), (2, 3, 24)))
    np.testing.assert_array_equal(ii, np.broadcast_to([[0], [1]], (2, 3)))
    np.testing.assert_array_equal(ij, np.broadcast_to([0, 1, 2], (2, 3)))
    np.testing.assert_array_equal(iij, np.arange(6).reshape(2, 3))


def test_a_collective_inside_jit_with_unbatched_operands():
    """The jitted function's operands are all unbatched, yet it depends on the member."""
    g = lintra.jit(lambda w: w * lax.convert_element_type(lax.axis_index("i"), np.float32) + lax.psum(w, "i"))
    out = lintra.vmap(lambda x, w: x + g(w), in_axes=(0, None), axis_name="i")(X, W)
    close(out, X + np.arange(4)[:, None] * W + 4 * W)


def test_unbound_axis_names_raise_name_error():
    with pytest.raises(NameError, match="'k'"):
        lax.psum(X, "k")
    with pytest.raises(NameError, match="'k'"):
        lintra.vmap(lambda x: lax.all_gather(x, "k"), axis_name="i")(X)
    with pytest.raises(NameError, match="'k'"):
        lintra.vmap(lambda x: x * lax.axis_index("k"))(X)


# Derivatives of the collectives under vmap(jvp) and vmap(grad), as in JAX: a linear collective's tangent is
# the collective of the tangents; member j's gradient collects what every member's output owes to x_j
# (each member k weighs its output by WS[k]).
WS = rng.uniform(-1, 1, (4, 4, 3)).astype(np.float32)
AD_CASES = [   # (primitive, f, weights of the outputs, tangent of f at X along Y, gradient at X)
    ("psum", lambda x: lax.psum(x * x, "i"), WS[:, 0], np.broadcast_to((2 * X * Y).sum(0), (4, 3)),
     2 * X * WS[:, 0].sum(0)),
    ("all_gather", lambda x: lax.all_gather(x * x, "i"), WS, np.broadcast_to(2 * X * Y, (4, 4, 3)),
     2 * X * WS.sum(0)),
    ("all_gather", lambda x: lax.all_gather(x, "i", tiled=True), WS.reshape(4, 12),
     np.broadcast_to(Y.reshape(12), (4, 12)), WS.sum(0)),
]
COVERED_AD_PRIMITIVES = {prim for prim, *_ in AD_CASES} | {"pmax", "pmin"}


@pytest.mark.parametrize("prim,f,w,tangent,gradient", AD_CASES, ids=["psum", "all_gather", "all_gather-tiled"])
def test_derivatives_of_linear_collectives(prim, f, w, tangent, gradient):
    close(lintra.vmap(lambda x, t: lintra.jvp(f, (x,), (t,))[1], axis_name="i")(X, Y), tangent)
    close(lintra.vmap(lintra.grad(lambda x, w: jnp.sum(f(x) * w)), axis_name="i")(X, w), gradient)


@pytest.mark.parametrize("prim", ["pmax", "pmin"])
def test_pmax_pmin_have_no_derivative_inside_the_vmap_but_grad_of_vmap_works(prim):
    p = getattr(lax, prim)
    with pytest.raises(NotDifferentiableError, match=prim):
        lintra.vmap(lintra.grad(lambda x: jnp.sum(p(x, "i"))), axis_name="i")(X)
    g = lintra.grad(lambda xs: jnp.sum(lintra.vmap(lambda x: p(x, "i"), axis_name="i")(xs)))(X)
    best = X.max(0) if prim == "pmax" else X.min(0)
    close(g, 4.0 * (X == best))


# ---- composition with jit and derivatives -------------------------------------------------------------

def _loss(w, x, y):
    return jnp.sum((jnp.tanh(x * w) - y) ** 2)


def _loss_grad_np(w, x, y):
    p = np.tanh(x * w)
    return 2 * (p - y) * (1 - p ** 2) * x


def test_per_example_gradients_vs_a_loop():
    g = lintra.vmap(lintra.grad(_loss), in_axes=(None, 0, 0))(W, X, Y)
    close(g, np.stack([_loss_grad_np(W, X[k], Y[k]) for k in range(4)]))


def test_jit_of_vmap_of_grad_is_one_executable():
    f = lintra.jit(lintra.vmap(lintra.grad(_loss), in_axes=(None, 0, 0)))
    func = lintra.make_ir(f)(W, X, Y)
    assert not [op.prim for op in func.body.ops if op.regions], "expected straight-line IR: no call, no loop"
    g1, g2 = f(W, X, Y), f(W, X + 1.0, Y)
    close(g1, np.stack([_loss_grad_np(W, X[k], Y[k]) for k in range(4)]))
    close(g2, np.stack([_loss_grad_np(W, X[k] + 1, Y[k]) for k in range(4)]))
    assert len(f._cache) == 1


def test_vmap_of_functions_returned_by_vjp_jvp_and_linearize():
    a = rng.uniform(-1, 1, (2, 3)).astype(np.float32)
    f = lambda x: jnp.matmul(a, jnp.sin(x))
    jac = a * np.cos(W)                                    # df/dx at W
    _, f_vjp = lintra.vjp(f, W)
    cts = rng.uniform(-1, 1, (5, 2)).astype(np.float32)
    close(lintra.vmap(f_vjp)(cts)[0], cts @ jac)
    _, f_jvp = lintra.linearize(f, W)
    close(lintra.vmap(f_jvp)(X), X @ jac.T)
    close(lintra.vmap(lambda t: lintra.jvp(f, (W,), (t,))[1])(X), X @ jac.T)
    close(lintra.vmap(lambda x, t: lintra.jvp(f, (x,), (t,))[1])(X, Y),
          np.stack([(a * np.cos(X[k])) @ Y[k] for k in range(4)]))


def test_vmap_of_vmap():
    xs = rng.uniform(-1, 1, (2, 4, 3)).astype(np.float32)
    f = lambda x, w: x * w + jnp.sum(x)
    out = lintra.vmap(lintra.vmap(f, in_axes=(0, None)), in_axes=(1, None), out_axes=-1)(xs, W)
    want = xs * W + xs.sum(-1, keepdims=True)               # (2, 4, 3) indexed [i, k, :]
    close(out, want.transpose(0, 2, 1))                      # inner over axis 0, outer (axis 1) last


def test_grad_of_vmap():
    g = lintra.grad(lambda w: jnp.sum(lintra.vmap(_loss, in_axes=(None, 0, 0))(w, X, Y)))(W)
    close(g, sum(_loss_grad_np(W, X[k], Y[k]) for k in range(4)))


def _custom_jvp_sin():
    @lintra.custom_jvp
    def f(x):
        return jnp.sin(x)

    @f.defjvp
    def f_jvp(primals, tangents):      # twice the true derivative: shows the rule is the one used
        (x,), (t,) = primals, tangents
        return f(x), 2.0 * jnp.cos(x) * t
    return f


def _custom_vjp_sin():
    @lintra.custom_vjp
    def f(x):
        return jnp.sin(x)
    f.defvjp(lambda x: (f(x), jnp.cos(x)), lambda c, ct: (3.0 * c * ct,))
    return f


@pytest.mark.parametrize("make,scale", [(_custom_jvp_sin, 2.0), (_custom_vjp_sin, 3.0)], ids=["jvp", "vjp"])
def test_custom_rules_under_vmap(make, scale):
    f = make()
    close(lintra.vmap(f)(X), np.sin(X))
    close(lintra.vmap(lintra.grad(lambda x: jnp.sum(f(x))))(X), scale * np.cos(X))
    close(lintra.grad(lambda xs: jnp.sum(lintra.vmap(f)(xs) * Y))(X), scale * np.cos(X) * Y)
    close(lintra.jit(lintra.vmap(lintra.grad(lambda x: jnp.sum(f(x)))))(X), scale * np.cos(X))


def test_eager_vmap_outside_jit_gives_arrays():
    out = lintra.vmap(lambda x, w: jnp.dot(x, w) + 1.0, in_axes=(0, None))(X, W)
    assert isinstance(out, lintra.Array)
    close(out, X @ W + 1)
