"""lax.reduce_window and lax.reduce: values against NumPy, derivatives against finite differences (second
order through max/min pooling, which runs select_and_gather_add and select_and_scatter_add), vmap against a
loop over the batch, and the monoid detection JAX does (lax.add with 0 becomes reduce_window_sum, ...)."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax
from lintra.test_util import check_grads

WINDOW_PRIMS = {"reduce_window_sum", "reduce_window_max", "reduce_window_min", "reduce_window", "reduce",
                "select_and_gather_add", "select_and_scatter_add"}
COVERED_AD_PRIMITIVES = set(WINDOW_PRIMS)
COVERED_BATCH_PRIMITIVES = set(WINDOW_PRIMS)

RNG = np.random.default_rng(0)


def _distinct(shape, dtype=np.float64):
    """Values far apart (no ties, so max/min are differentiable and finite differences do not cross one)."""
    return (RNG.permutation(int(np.prod(shape))).reshape(shape) / 2.0).astype(dtype)


def _prims(f, *args):
    return {op.prim for op in lintra.make_ir(f)(*args).body.walk()}


# (name, init, computation, window_dimensions, window_strides, padding, base_dilation, window_dilation)
POOLS = [
    ("sum-valid", 0.0, lax.add, (2, 2), (1, 1), "VALID", None, None),
    ("sum-same-strided", 0.0, lax.add, (3, 2), (2, 2), "SAME", None, None),
    ("sum-dilated", 0.0, lax.add, (2, 2), (1, 2), ((1, 0), (0, 1)), (2, 1), (1, 2)),
    ("max-pool", -np.inf, lax.max, (2, 2), (2, 2), "VALID", None, None),
    ("max-overlapping-padded", -np.inf, lax.max, (3, 3), (1, 2), ((1, 1), (0, 1)), None, None),
    ("max-base-dilated", -np.inf, lax.max, (2, 2), (1, 1), "VALID", (2, 1), None),
    ("min-same-lower", np.inf, lax.min, (2, 3), (1, 1), "SAME_LOWER", None, None),
]


@pytest.mark.parametrize("name, init, comp, dims, strides, padding, bd, wd", POOLS, ids=[p[0] for p in POOLS])
def test_pool_values_and_second_order_derivatives(name, init, comp, dims, strides, padding, bd, wd, x64):
    x = _distinct((5, 6))
    f = lambda x: lax.reduce_window(x, init, comp, dims, strides, padding, bd, wd)
    kind = name.split("-")[0]
    assert f"reduce_window_{kind}" in _prims(f, x)
    # the same windows through the general reduce_window (a body the monoid test does not recognise)
    general = lambda x: lax.reduce_window(x, init, lambda a, b: comp(a, b), dims, strides, padding, bd, wd)
    assert "reduce_window" in _prims(general, x)
    np.testing.assert_array_equal(np.asarray(f(x)), np.asarray(general(x)))
    check_grads(lintra.jit(f), (x,), order=2, atol=1e-6, rtol=1e-6)


def test_max_pool_values_against_numpy():
    x = _distinct((4, 6), np.float32)
    got = lax.reduce_window(x, -np.inf, lax.max, (2, 3), (2, 3), "VALID")
    np.testing.assert_array_equal(np.asarray(got), x.reshape(2, 2, 2, 3).max(axis=(1, 3)))
    # the gradient of a sum of max-pooled values: 1 at each window's maximum
    g = lintra.grad(lambda x: lax.reduce_window(x, -np.inf, lax.max, (2, 3), (2, 3), "VALID").sum())(x)
    want = (x == np.repeat(np.repeat(x.reshape(2, 2, 2, 3).max(axis=(1, 3)), 2, 0), 3, 1)).astype(np.float32)
    np.testing.assert_array_equal(np.asarray(g), want)


def test_reduce_window_sum_transpose_against_numpy():
    """The VJP of a strided, padded window sum: each input element collects the cotangents of the windows
    that contain it."""
    x = np.ones((4, 5), np.float32)
    ct = RNG.standard_normal((2, 3)).astype(np.float32)
    f = lambda x: lax.reduce_window(x, 0.0, lax.add, (2, 2), (2, 2), ((0, 0), (1, 0)))
    got = lintra.vjp(f, x)[1](ct)[0]
    want = np.zeros((4, 6))
    for i in range(2):
        for j in range(3):
            want[2 * i:2 * i + 2, 2 * j:2 * j + 2] += ct[i, j]
    np.testing.assert_allclose(np.asarray(got), want[:, 1:], rtol=1e-6)


def test_window_dilated_max_vjp_is_refused_as_in_jax():
    f = lambda x: lax.reduce_window(x, -np.inf, lax.max, (2,), (1,), "VALID", window_dilation=(2,)).sum()
    with pytest.raises(NotImplementedError, match="window dilation"):
        lintra.grad(f)(np.arange(6.0, dtype=np.float32))
    # forward mode is defined
    t = lintra.jvp(lambda x: lax.reduce_window(x, -np.inf, lax.max, (2,), (1,), "VALID", window_dilation=(2,)),
                   (np.arange(6.0, dtype=np.float32),), (np.arange(6.0, dtype=np.float32) * 10,))[1]
    np.testing.assert_array_equal(np.asarray(t), [20, 30, 40, 50])


def test_general_reduce_window_pytree_and_jvp(x64):
    """A windowed (max, argmax) over a pair of arrays, and forward-mode derivatives of a windowed log-sum-exp."""
    x = _distinct((6,))
    idx = np.arange(6, dtype=np.int32)

    def pick(a, b):
        take = a[0] >= b[0]
        return lax.select(take, a[0], b[0]), lax.select(take, a[1], b[1])
    v, i = lax.reduce_window((x, idx), (-np.inf, np.int32(-1)), pick, (3,), (1,), "VALID")
    windows = np.lib.stride_tricks.sliding_window_view(x, 3)
    np.testing.assert_array_equal(np.asarray(v), windows.max(1))
    np.testing.assert_array_equal(np.asarray(i), windows.argmax(1) + np.arange(4))
    lse = lambda x: lax.reduce_window(x, -np.inf, jnp.logaddexp, (3,), (2,), ((1, 1),))
    check_grads(lintra.jit(lse), (x / 5,), order=2, modes=("fwd",), atol=1e-6, rtol=1e-6)
    with pytest.raises(NotImplementedError, match="reduce_window"):
        lintra.grad(lambda x: lse(x).sum())(x)      # as JAX: no reverse mode through a general reduce_window


def test_general_reduce(x64):
    x = _distinct((3, 5)) / 10
    lse = lambda x: lax.reduce(x, -np.inf, jnp.logaddexp, (1,))
    assert "reduce" in _prims(lse, x)
    np.testing.assert_allclose(np.asarray(lse(x)), np.log(np.exp(x).sum(1)), rtol=1e-12)
    check_grads(lintra.jit(lse), (x,), order=2, atol=1e-6, rtol=1e-6)
    # several operands, several axes, a pytree: (sum, sum of squares) in one pass
    pair = lambda x: lax.reduce((x, x * x), (0.0, 0.0), lambda a, b: (a[0] + b[0], a[1] + b[1]), (0, 1))
    s, q = pair(x)
    np.testing.assert_allclose([float(s), float(q)], [x.sum(), (x * x).sum()], rtol=1e-12)
    check_grads(lintra.jit(lambda x: pair(x)[1]), (x,), order=1, atol=1e-6, rtol=1e-6)
    # monoids become the dedicated reductions, as in JAX
    assert "reduce_sum" in _prims(lambda x: lax.reduce(x, 0.0, lax.add, (0,)), x)
    assert "reduce_max" in _prims(lambda x: lax.reduce(x, -np.inf, lax.max, (0,)), x)
    assert "reduce" in _prims(lambda x: lax.reduce(x, 1.0, lax.add, (0,)), x)   # not the identity: general


def test_boolean_windows_and_bitwise_monoids():
    x = np.array([True, False, False, True, False])
    np.testing.assert_array_equal(np.asarray(lax.reduce_window(x, False, lax.max, (2,), (1,), "VALID")),
                                  [True, False, True, True])
    np.testing.assert_array_equal(np.asarray(lax.reduce_window(x, True, lax.min, (2,), (1,), "VALID")),
                                  [False, False, False, False])
    v = np.array([3, 5, 6], np.int32)
    for comp, init, prim, want in ((lax.bitwise_or, 0, "reduce_or", 7), (lax.bitwise_and, -1, "reduce_and", 0),
                                   (lax.bitwise_xor, 0, "reduce_xor", 0)):
        f = lambda v: lax.reduce(v, np.int32(init), comp, (0,))
        assert prim in _prims(f, v)
        assert int(f(v)) == want


# ---- vmap ---------------------------------------------------------------------------------------------------

def _loop(f, xs, axis):
    return np.stack([np.asarray(f(np.take(xs, i, axis=axis))) for i in range(xs.shape[axis])])


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_vmap_matches_loop(axis):
    xs = np.moveaxis(_distinct((3, 4, 5), np.float32), 0, axis)
    funs = {
        "reduce_window_sum": lambda x: lax.reduce_window(x, 0.0, lax.add, (2, 2), (1, 2), "SAME"),
        "reduce_window_max": lambda x: lax.reduce_window(x, -np.inf, lax.max, (2, 3), (2, 1), "VALID"),
        "reduce_window_min": lambda x: lax.reduce_window(x, np.inf, lax.min, (1, 2), (1, 1), ((1, 0), (0, 0))),
        "reduce_window": lambda x: lax.reduce_window(x, 1.0, lambda a, b: a * b, (2, 1), (1, 1), "VALID"),
        "reduce": lambda x: lax.reduce(x, -np.inf, jnp.logaddexp, (1,)),
        # grad of a max pool: select_and_gather_add's transpose, select_and_scatter_add, batched
        "select_and_scatter_add": lintra.grad(lambda x: (lax.reduce_window(x, -np.inf, lax.max, (2, 2), (2, 1),
                                                                            ((0, 0), (1, 0))) ** 2).sum()),
        # forward mode of a min pool: select_and_gather_add, batched
        "select_and_gather_add": lambda x: lintra.jvp(
            lambda y: lax.reduce_window(y, np.inf, lax.min, (3, 2), (1, 1), "VALID"), (x,), (x * x,))[1],
    }
    for prim, f in funs.items():
        assert prim in _prims(lintra.vmap(f, in_axes=axis), xs), prim
        got = lintra.jit(lintra.vmap(f, in_axes=axis))(xs)
        np.testing.assert_allclose(np.asarray(got), _loop(f, xs, axis), rtol=1e-5, atol=1e-5, err_msg=prim)


def test_vmap_with_batched_init_is_refused():
    xs = np.ones((3, 4), np.float32)
    with pytest.raises(NotImplementedError, match="initial values"):
        lintra.vmap(lambda x, i: lax.reduce_window(x, i, lambda a, b: a * b, (2,), (1,), "VALID"))(
            xs, np.ones(3, np.float32))


@pytest.mark.parametrize("call, error, message", [
    (lambda x: lax.reduce_window(x, 0.0, lax.add, (2,), (1, 1)), TypeError, "window_dimensions must have one entry"),
    (lambda x: lax.reduce_window((x, x), 0.0, lax.add, (2, 2)), ValueError, "same tree structure"),
    (lambda x: lax.reduce_window(x, 0.0, lax.add, (2, 2), padding="FULL"), RuntimeError, "Unrecognized padding"),
    (lambda x: lax.reduce_window(x, 0.0, lambda a, b: (a, b), (2, 2)), TypeError, "computation must return"),
    (lambda x: lax.reduce(x, np.float32(1), lambda a, b: a * b, (2,)), ValueError, "out of bounds"),
])
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(np.ones((3, 4), np.float32))
