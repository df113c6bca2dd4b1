"""lax.top_k, lax.approx_max_k and lax.approx_min_k as jax.lax has them in JAX 0.10.2: signatures, result
types (weak types included), JAX's errors, derivatives (the tangent gathered at the indices: against finite
differences and the closed form), and vmap against a loop over the batch at every batch position."""
import inspect

import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax
from lintra.test_util import check_grads

COVERED_AD_PRIMITIVES = {"top_k", "approx_top_k"}
COVERED_BATCH_PRIMITIVES = {"top_k", "approx_top_k"}

RNG = np.random.default_rng(1)


def _distinct(shape, dtype=np.float64):
    """Values far apart: no ties, so finite differences never reorder them."""
    return (RNG.permutation(int(np.prod(shape))).reshape(shape) / 2.0).astype(dtype)


def test_signatures_are_jax_s():
    assert str(inspect.signature(lax.top_k)) == "(operand, k, *, axis=-1)"
    for f in (lax.approx_max_k, lax.approx_min_k):
        assert str(inspect.signature(f)) == ("(operand, k, reduction_dimension=-1, recall_target=0.95, "
                                             "reduction_input_size_override=-1, aggregate_to_topk=True)")


def test_result_types_keep_the_weak_type_as_jax():
    weak = lax.broadcast_in_dim(2.0, (4,), ())
    for v, i in (lax.top_k(weak, 2), lax.approx_max_k(weak, 2), lax.approx_min_k(weak, 2, aggregate_to_topk=False)):
        assert (v.dtype, v.weak_type, i.dtype, i.weak_type) == (np.float32, True, np.int32, True)
    v, i = lax.top_k(np.arange(5, dtype=np.float32), 2)
    assert not v.weak_type and not i.weak_type
    ir = lintra.make_ir(lambda x: lax.approx_max_k(x, 2))(np.ones((3, 4), np.float32))
    op, = [o for o in ir.body.ops if o.prim == "approx_top_k"]
    assert op.attrs == {"k": 2, "reduction_dimension": 1, "recall_target": 0.95, "is_max_k": True,
                        "reduction_input_size_override": -1, "aggregate_to_topk": True}


# (call, exception, JAX 0.10.2's message)
ERRORS = [
    (lambda: lax.top_k(np.ones(3), -1), ValueError, "k argument to top_k must be nonnegative, got -1"),
    (lambda: lax.top_k(np.ones(3), 4), ValueError,
     "k argument to top_k must be no larger than size along axis; got k=4 with shape=[3] and axis=0"),
    (lambda: lax.top_k(np.float32(1), 1), ValueError, "axis -1 is out of bounds for array of dimension 0"),
    (lambda: lax.top_k(np.ones(3, np.complex64), 1), ValueError, "top_k is not compatible with complex inputs."),
    (lambda: lax.top_k(np.ones((3, 2)), 1, axis=2), ValueError, "axis 2 is out of bounds for array of dimension 2"),
    (lambda: lax.top_k(np.ones((3, 2)), 1, axis=-3), ValueError,
     "axis -3 is out of bounds for array of dimension 2"),
    (lambda: lax.approx_max_k(np.ones((2, 7), np.float32), 0), ValueError, "k must be positive, got 0"),
    (lambda: lax.approx_max_k(np.ones((2, 7), np.float32), 8), ValueError,
     "k must be smaller than the size of reduction_dim 7, got 8"),
    (lambda: lax.approx_min_k(np.ones(3, np.int32), 1), ValueError, "operand must be a floating type"),
    (lambda: lax.approx_max_k(np.ones(3, np.complex64), 1), ValueError, "operand must be a floating type"),
    (lambda: lax.approx_max_k(np.float32(1), 1), TypeError, "approx_top_k operand must have >= 1 dimension, got ()"),
    (lambda: lax.approx_max_k(np.ones(2000, np.float32), 3, aggregate_to_topk=False,
                              reduction_input_size_override=10), ValueError,
     "reduction_input_size_override: 10 should be greater equals to operands[reduction_dim]: 2000"),
    (lambda: lax.approx_max_k(np.ones(2000, np.float32), 3, aggregate_to_topk=False, recall_target=1.5),
     ValueError, "recall_target should range in (0,1]"),
]


@pytest.mark.parametrize("call, exc, message", ERRORS, ids=[m[:40] for _, _, m in ERRORS])
def test_errors_are_jax_s(call, exc, message):
    with pytest.raises(exc) as e:
        call()
    assert str(e.value) == message


def test_other_bad_arguments_are_named():
    with pytest.raises(TypeError, match="top_k: k must be an integer, got 1.0"):
        lax.top_k(np.ones(3), 1.0)
    with pytest.raises(IndexError, match=r"approx_max_k: reduction_dimension 5 is out of range .* \(2, 7\)"):
        lax.approx_max_k(np.ones((2, 7), np.float32), 2, reduction_dimension=5)
    with pytest.raises(TypeError, match="a Python list is not an array"):
        lax.top_k([3.0, 1.0], 1)
    x = np.arange(5.0, dtype=np.float32)
    with pytest.raises(lintra.ConcretizationError, match="static_argnums"):
        lintra.jit(lambda v, k: lax.top_k(v, k))(x, 2)
    with pytest.raises(lintra.ConcretizationError, match="static_argnums"):
        lintra.jit(lambda v, r: lax.approx_max_k(v, 2, recall_target=r))(x, 0.9)


# ---- derivatives ---------------------------------------------------------------------------------------

SELECT = [
    ("top_k", lambda x: lax.top_k(x, 3)[0]),
    ("top_k-axis0", lambda x: lax.top_k(x, 2, axis=0)[0]),
    ("approx_max_k", lambda x: lax.approx_max_k(x, 3)[0]),
    ("approx_min_k-dim0", lambda x: lax.approx_min_k(x, 2, reduction_dimension=0)[0]),
    ("approx_min_k-unaggregated", lambda x: lax.approx_min_k(x, 2, aggregate_to_topk=False)[0]),
]


@pytest.mark.parametrize("f", [f for _, f in SELECT], ids=[n for n, _ in SELECT])
def test_derivatives_against_finite_differences(f, x64):
    check_grads(f, (_distinct((4, 5)),), order=2, modes=("fwd", "rev"))


def test_gradient_is_one_at_the_selected_entries():
    x = _distinct((3, 6), np.float32)
    for f in (lambda v: lax.top_k(v, 2), lambda v: lax.approx_max_k(v, 2), lambda v: lax.approx_min_k(v, 2)):
        g = lintra.grad(lambda v: jnp.sum(f(v)[0] * jnp.arange(1.0, 3.0)))(x)
        want = np.zeros_like(x)
        np.put_along_axis(want, np.asarray(f(x)[1]), np.arange(1.0, 3.0, dtype=np.float32)[None], axis=1)
        np.testing.assert_array_equal(np.asarray(g), want)


def test_indices_have_no_tangent():
    x = _distinct((5,), np.float32)
    (v, i), (tv, ti) = lintra.jvp(lambda v: lax.top_k(v, 2), (x,), (np.ones(5, np.float32),))
    np.testing.assert_array_equal(np.asarray(tv), np.ones(2, np.float32))
    assert ti.dtype == lintra.dtypes.float0 and ti.shape == (2,)


# ---- vmap against a loop -------------------------------------------------------------------------------

BATCHED = [
    ("top_k", lambda x: lax.top_k(x, 2)),
    ("top_k-axis0", lambda x: lax.top_k(x, 2, axis=0)),
    ("approx_max_k", lambda x: lax.approx_max_k(x, 3)),
    ("approx_min_k-dim0", lambda x: lax.approx_min_k(x, 2, reduction_dimension=0)),
    ("approx_max_k-unaggregated", lambda x: lax.approx_max_k(x, 2, aggregate_to_topk=False)),
]


@pytest.mark.parametrize("in_axis", [0, 1, 2])
@pytest.mark.parametrize("f", [f for _, f in BATCHED], ids=[n for n, _ in BATCHED])
def test_vmap_equals_a_loop(f, in_axis):
    x = RNG.integers(-3, 4, size=(3, 4, 5)).astype(np.float32)     # ties: indices must still agree
    xs = np.moveaxis(x, 0, in_axis)
    got = lintra.vmap(f, in_axes=in_axis)(xs)
    for b in range(3):
        for g, w in zip(got, f(x[b])):
            np.testing.assert_array_equal(np.asarray(g)[b], np.asarray(w))


def test_vmap_of_an_unaggregated_vector_takes_the_batched_size_as_jax():
    # XLA sizes a rank-1 operand's output by 1024-element tiles, a batched (rank-2) one by 128: JAX 0.10.2's
    # vmap gives (3, 256) where each example alone gives (2000,)
    x = RNG.standard_normal((3, 2000)).astype(np.float32)
    v, i = lintra.vmap(lambda r: lax.approx_max_k(r, 10, aggregate_to_topk=False))(x)
    assert v.shape == i.shape == (3, 256)
    assert lax.approx_max_k(x[0], 10, aggregate_to_topk=False)[0].shape == (2000,)
    np.testing.assert_array_equal(np.asarray(v), -np.sort(-x, axis=1)[:, :256])
