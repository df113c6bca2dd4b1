"""The top_k and approx_top_k primitives: values and indices against a NumPy reference (top_k orders floats
totally, NaN above +inf and +0 above -0, ties by index) in every dtype they take, eagerly and under jit; the
orders JAX 0.10.2 gives where NaNs make approx_max_k/approx_min_k's comparator no order (recorded from it);
the StableHLO JAX emits; and the output size of approx_top_k(aggregate_to_topk=False) against jaxlib's."""
import ml_dtypes
import numpy as np
import pytest
from jaxlib import _jax

import lintra
from lintra import lax
from lintra.ir.primitives_topk import reduction_output_size

COVERED_PRIMITIVES = {"top_k", "approx_top_k"}

FLOATS = [np.float16, ml_dtypes.bfloat16, np.float32, np.float64]
INTS = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
NAN, INF = np.nan, np.inf
RNG = np.random.default_rng(0)


def _total_key(x):
    """Keys whose integer order is the total order of x (-NaN < -inf < ... < -0 < +0 < ... < +inf < +NaN)."""
    x = np.asarray(x)
    if x.dtype.kind not in "fV":
        return x.astype(object)                   # exact for every integer width, unsigned 64-bit included
    bits = x.astype(np.float64).view(np.int64)    # widening keeps the order, NaN signs and zero signs
    return np.where(bits < 0, -(bits & 0x7FFFFFFFFFFFFFFF) - 1, bits).astype(object)


def _top_k_reference(x, k, axis):
    """(values, int32 indices) of the k largest along axis, by the total order, ties by index."""
    xm = np.moveaxis(np.asarray(x), axis, -1)
    keys = _total_key(xm)
    idx = np.empty(xm.shape[:-1] + (k,), np.int32)
    for pos in np.ndindex(xm.shape[:-1]):
        row = keys[pos]
        idx[pos] = sorted(range(len(row)), key=lambda i: (-row[i], i))[:k]
    vals = np.take_along_axis(xm, idx, -1)
    return np.moveaxis(vals, -1, axis), np.moveaxis(idx, -1, axis)


def _check(got, want):
    (gv, gi), (wv, wi) = got, want
    assert gv.dtype == wv.dtype and gi.dtype == np.int32 and gv.shape == wv.shape == gi.shape
    np.testing.assert_array_equal(np.asarray(gi), wi)
    bits = lambda v: np.ascontiguousarray(v).view(np.uint8)     # NaN signs and -0 compared too
    np.testing.assert_array_equal(bits(np.asarray(gv)), bits(wv))


SPECIAL = np.array([1., -0., 3., NAN, 0., -NAN, 3., -INF, INF, 2.])


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_top_k_orders_floats_totally(dtype, x64):
    x = SPECIAL.astype(dtype)
    for k in (0, 3, 10):
        _check(lax.top_k(x, k), _top_k_reference(x, k, 0))
    # recorded from JAX 0.10.2 (the same in all four dtypes)
    assert np.asarray(lax.top_k(x, 10)[1]).tolist() == [3, 8, 2, 6, 9, 0, 4, 1, 7, 5]


@pytest.mark.parametrize("dtype", INTS + [np.bool_], ids=lambda d: np.dtype(d).name)
def test_top_k_integers_and_bools(dtype, x64):
    x = np.array([3, -1, 7, 3, 0, 7, -5]).astype(dtype) if dtype != np.bool_ else np.array([1, 0, 1, 1, 0, 1]) > 0
    for k in (1, 4):
        _check(lax.top_k(x, k), _top_k_reference(x, k, 0))
    if dtype != np.bool_:
        info = np.iinfo(dtype)
        x = np.array([info.min, info.max, 0, info.max, info.min + 1], dtype)
        _check(lax.top_k(x, 5), _top_k_reference(x, 5, 0))


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_top_k_along_each_axis_eager_and_jit(axis):
    x = RNG.integers(-3, 4, size=(3, 4, 5)).astype(np.float32)    # many ties
    k = 2
    want = _top_k_reference(x, k, axis % 3)
    _check(lax.top_k(x, k, axis=axis), want)
    _check(lintra.jit(lambda v: lax.top_k(v, k, axis=axis))(x), want)


def test_top_k_of_an_empty_selection():
    v, i = lax.top_k(np.ones((3, 0), np.float32), 0)
    assert v.shape == i.shape == (3, 0) and i.dtype == np.int32


def _approx(x, k, is_max, **kw):
    return (lax.approx_max_k if is_max else lax.approx_min_k)(x, k, **kw)


@pytest.mark.parametrize("is_max", [True, False], ids=["max", "min"])
@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_approx_top_k_is_exact_on_cpu(dtype, is_max, x64):
    x = RNG.permutation(60).reshape(3, 20).astype(dtype)          # distinct, exactly representable
    for dim in (0, 1):
        sign = 1 if is_max else -1
        want_i = np.argsort(-sign * x.astype(np.float64), axis=dim, kind="stable").take(range(2), axis=dim)
        for f in (lambda v: _approx(v, 2, is_max, reduction_dimension=dim),
                  lintra.jit(lambda v: _approx(v, 2, is_max, reduction_dimension=dim))):
            v, i = f(x)
            assert v.dtype == dtype and i.dtype == np.int32
            np.testing.assert_array_equal(np.asarray(i), want_i)
            np.testing.assert_array_equal(np.asarray(v), np.take_along_axis(x, want_i, dim))


def test_approx_top_k_with_nans_and_ties_as_jax(x64):
    # XLA sorts by > (or <) alone, which does not order NaNs: JAX 0.10.2 gives these (in all four dtypes)
    for dtype in FLOATS:
        x = SPECIAL.astype(dtype)
        assert np.asarray(lax.approx_max_k(x, 10)[1]).tolist() == [8, 2, 0, 1, 3, 4, 5, 6, 9, 7]
        assert np.asarray(lax.approx_min_k(x, 10)[1]).tolist() == [7, 1, 0, 2, 3, 4, 5, 9, 6, 8]
    x2 = np.array([[1., 5., 5., 2.], [NAN, 1., -NAN, 1.], [0., -0., 0., -1.]], np.float32)
    assert np.asarray(lax.top_k(x2, 2, axis=0)[1]).tolist() == [[1, 0, 0, 0], [0, 1, 2, 1]]
    assert np.asarray(lax.approx_max_k(x2, 2, reduction_dimension=0)[1]).tolist() == [[1, 0, 0, 0], [0, 1, 2, 1]]
    assert np.asarray(lax.approx_min_k(x2, 3)[1]).tolist() == [[0, 3, 1], [0, 1, 2], [3, 0, 1]]


@pytest.mark.parametrize("shape, k, want_size", [((5000,), 10, 2048), ((3, 700), 10, 256), ((2000,), 10, 2000),
                                                ((3, 100), 4, 100)])
def test_approx_top_k_unaggregated_keeps_a_sorted_prefix(shape, k, want_size):
    # sizes recorded from JAX 0.10.2; on CPU the kept entries are the sorted prefix of the whole dimension
    x = RNG.standard_normal(shape).astype(np.float32)
    for is_max in (True, False):
        v, i = _approx(x, k, is_max, aggregate_to_topk=False)
        assert v.shape == i.shape == shape[:-1] + (want_size,)
        srt = np.sort(x, axis=-1)
        want = (srt[..., ::-1] if is_max else srt)[..., :want_size]
        np.testing.assert_array_equal(np.asarray(v), want)
        np.testing.assert_array_equal(np.take_along_axis(x, np.asarray(i), -1), want)


def test_reduction_output_size_is_xla_s():
    """The Python port against the function jaxlib exports (the one JAX's type rule calls)."""
    for size in list(range(1, 2100, 13)) + [4096, 5000, 65536, 1 << 20]:
        for rank in (1, 2):
            for k in (1, 2, 10, 100):
                for recall in (0.5, 0.95, 0.999, 1.0, 1.5, 0.0):
                    for override in (-1, size, 3 * size, size // 2):
                        if k > size:
                            continue
                        try:
                            want = _jax.approx_top_k_reduction_output_size(size, rank, k, recall, False, override)[0]
                        except Exception as e:    # XLA's InvalidArgument
                            with pytest.raises(ValueError) as got:
                                reduction_output_size(size, rank, k, recall, False, override)
                            assert str(e).endswith(str(got.value))
                            continue
                        assert reduction_output_size(size, rank, k, recall, False, override) == want, \
                            (size, rank, k, recall, override)


# ---- lowering: what JAX 0.10.2 emits (jax.jit(f).lower(x).as_text(), recorded) ----------------------------

def _body(text):
    return [line.strip() for line in text.splitlines() if "stablehlo." in line or "chlo." in line]


def test_top_k_lowers_as_jax():
    text = lintra.jit(lambda x: lax.top_k(x, 2, axis=0)).lower(np.ones((3, 4), np.float32)).as_text()
    assert _body(text) == [
        "%0 = stablehlo.transpose %arg0, dims = [1, 0] : (tensor<3x4xf32>) -> tensor<4x3xf32>",
        "%values, %indices = chlo.top_k(%0, k = 2) : tensor<4x3xf32> -> (tensor<4x2xf32>, tensor<4x2xi32>)",
        "%1 = stablehlo.transpose %values, dims = [1, 0] : (tensor<4x2xf32>) -> tensor<2x4xf32>",
        "%2 = stablehlo.transpose %indices, dims = [1, 0] : (tensor<4x2xi32>) -> tensor<2x4xi32>",
    ]


def test_approx_top_k_lowers_as_jax():
    text = lintra.jit(lambda x: lax.approx_max_k(x, 3)).lower(np.ones((1, 8), np.float32)).as_text()
    assert "func.func @top_k_gt_f32_comparator(%arg0: tensor<f32>, %arg1: tensor<f32>, %arg2: tensor<i32>, " \
           "%arg3: tensor<i32>) -> tensor<i1> {" in text
    assert _body(text) == [
        "%0 = stablehlo.compare GT, %arg0, %arg1 : (tensor<f32>, tensor<f32>) -> tensor<i1>",
        "stablehlo.return %0 : tensor<i1>",
        "%0 = stablehlo.iota dim = 1 : tensor<1x8xi32>",
        "%c = stablehlo.constant dense<-1> : tensor<i32>",
        "%cst = stablehlo.constant dense<0xFF800000> : tensor<f32>",
        "%1:2 = stablehlo.custom_call @ApproxTopK(%arg0, %0, %cst, %c) {backend_config = \"\", called_computations "
        "= [@top_k_gt_f32_comparator], mhlo.backend_config = {aggregate_to_topk = true, is_fallback = true, "
        "recall_target = 0.949999988 : f32, reduction_dim = 1 : i64, reduction_input_size_override = -1 : i64, "
        "top_k = 3 : i64}} : (tensor<1x8xf32>, tensor<1x8xi32>, tensor<f32>, tensor<i32>) -> (tensor<1x3xf32>, "
        "tensor<1x3xi32>)",
    ]
    text = lintra.jit(lambda x: (lax.approx_min_k(x, 1), lax.approx_min_k(2 * x, 2))).lower(
        np.ones(4, np.float16)).as_text()
    assert text.count("func.func @top_k_lt_f16_comparator") == 1 and "dense<0x7C00> : tensor<f16>" in text
