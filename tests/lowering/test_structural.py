"""Non-elementwise primitives (shape, slicing, gather/scatter, dot, reductions, scans, sort) against NumPy,
each run eagerly (op by op) and under jit."""
import ml_dtypes
import numpy as np
import pytest

import lintra
from lintra import lax
from lintra.frontend.core import to_array

bf16 = np.dtype(ml_dtypes.bfloat16)
rng = np.random.default_rng(0)


def rand(shape, dtype=np.float32):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        return rng.integers(0 if dtype.kind == "u" else -5, 6, shape).astype(dtype)
    if dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _host(x):
    a = np.asarray(x)
    return a.astype(np.float32) if a.dtype in (bf16, np.float16) else a


def assert_matches(got, want, rtol=0.0, atol=0.0):
    got, want = np.asarray(got), np.asarray(want)
    assert (got.shape, got.dtype) == (want.shape, want.dtype), \
        f"got {got.dtype}{got.shape}, want {want.dtype}{want.shape}"
    if rtol or atol:
        np.testing.assert_allclose(_host(got), _host(want), rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(_host(got), _host(want))


# The primitives these tests cover (for tests/test_registry.py); the last test checks that each one really ran.
COVERED_PRIMITIVES = {
    "iota", "transpose", "reshape", "squeeze", "expand_dims", "rev", "copy", "slice", "dynamic_slice",
    "dynamic_update_slice", "concatenate", "pad", "gather", "scatter", "scatter_add", "scatter_mul", "scatter_min",
    "scatter_max", "dot_general", "reduce_sum", "reduce_prod", "reduce_max", "reduce_min", "reduce_and",
    "reduce_or", "reduce_xor", "argmax", "argmin", "cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp",
    "sort", "broadcast_in_dim", "constant"}
_RAN = set()   # primitives in the IR of every function `check` ran


def check(f, want, *args, **tol):
    """f(*args) equals `want` both eagerly (on device arrays) and under jit (on traced arguments)."""
    eager = f(*[to_array(a) for a in args])
    jit_f = lintra.jit(f)
    jitted = jit_f(*args)
    _RAN.update(op.prim for op in jit_f.trace_ir(*args).body.walk())
    for got in (eager, jitted):
        if isinstance(want, tuple):
            assert isinstance(got, tuple) and len(got) == len(want)
            for g, w in zip(got, want):
                assert_matches(g, w, **tol)
        else:
            assert_matches(got, want, **tol)




# ---- creation and shape ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype,shape,dim", [(np.int32, (5,), 0), (np.float32, (2, 3), 1), (np.uint8, (2, 3), 0),
                                             (bf16, (3, 2), 0), (np.int32, (0, 3), 1), (np.bool_, (3,), 0),
                                             (np.complex64, (2, 2), 1)])
def test_broadcasted_iota(dtype, shape, dim):
    want = np.broadcast_to(np.arange(shape[dim]).reshape([-1 if i == dim else 1 for i in range(len(shape))]),
                           shape).astype(dtype)
    check(lambda: lax.broadcasted_iota(dtype, shape, dim), want)


def test_iota():
    check(lambda: lax.iota(np.int32, 4), np.arange(4, dtype=np.int32))


@pytest.mark.parametrize("dtype,shape,perm", [(np.float32, (2, 3, 4), (2, 0, 1)), (np.int32, (2, 3, 4), (-1, 0, -2)),
                                              (np.bool_, (3, 2), (1, 0)), (np.complex64, (2, 3, 4), (1, 2, 0)),
                                              (bf16, (2, 3), (1, 0)), (np.float32, (3, 0), (1, 0)),
                                              (np.float32, (), ())])
def test_transpose(dtype, shape, perm):
    x = rand(shape, dtype)
    check(lambda x: lax.transpose(x, perm), np.transpose(x, perm), x)


def test_reshape_with_dimensions_transposes_first():
    x = rand((2, 3))
    check(lambda x: lax.reshape(x, (6,), dimensions=(1, 0)), x.T.reshape(6), x)


@pytest.mark.parametrize("shape,dims", [((1, 3, 1), (0, 2)), ((1, 3, 1), (-1,)), ((1,), (0,)), ((2, 1, 0), (1,))])
def test_squeeze(shape, dims):
    x = rand(shape)
    check(lambda x: lax.squeeze(x, dims), np.squeeze(x, dims), x)


@pytest.mark.parametrize("shape,dims", [((3,), (0,)), ((3,), (-1,)), ((2, 3), (0, 3)), ((), (0, 1)), ((0,), (1,))])
def test_expand_dims(shape, dims):
    x = rand(shape, np.int32)
    check(lambda x: lax.expand_dims(x, dims), np.expand_dims(x, dims), x)


@pytest.mark.parametrize("dtype,shape,dims", [(np.float32, (4,), (0,)), (np.float32, (2, 3, 4), (0, 2)),
                                              (np.bool_, (2, 3), (-1,)), (np.float32, (0, 3), (0, 1))])
def test_rev(dtype, shape, dims):
    x = rand(shape, dtype)
    check(lambda x: lax.rev(x, dims), np.flip(x, dims), x)


def test_collapse():
    x = rand((2, 3, 4, 5))
    check(lambda x: lax.collapse(x, 1, 3), x.reshape(2, 12, 5), x)
    check(lambda x: lax.collapse(x, 1), x.reshape(2, 60), x)
    check(lambda x: lax.collapse(x, -2), x.reshape(2, 3, 20), x)


def test_copy():
    x = rand((2, 3), np.int32)
    check(lax.copy, x, x)


# ---- slicing -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.float16])
def test_slice(dtype):
    x = rand((5, 6), dtype)
    check(lambda x: lax.slice(x, (1, 0), (4, 6)), x[1:4, 0:6], x)
    check(lambda x: lax.slice(x, (0, 1), (5, 6), (2, 3)), x[0:5:2, 1:6:3], x)
    check(lambda x: lax.slice(x, (2, 2), (2, 5)), x[2:2, 2:5], x)


def test_slice_in_dim_and_index_in_dim():
    x = rand((4, 5))
    check(lambda x: lax.slice_in_dim(x, 1, None, 2, axis=1), x[:, 1::2], x)
    check(lambda x: lax.slice_in_dim(x, -3, -1, axis=0), x[-3:-1], x)
    check(lambda x: lax.index_in_dim(x, -1, axis=1), x[:, -1:], x)
    check(lambda x: lax.index_in_dim(x, 2, axis=0, keepdims=False), x[2], x)
    with pytest.raises(IndexError, match="out of bounds"):
        lax.index_in_dim(x, 4)


def _np_dynamic_slice(x, starts, sizes):
    """JAX semantics: a negative start counts from the end (once); then starts are clamped so the slice fits."""
    idx = []
    for i, s, n in zip(starts, sizes, x.shape):
        i = i + n if i < 0 else i
        i = min(max(i, 0), n - s)
        idx.append(slice(i, i + s))
    return x[tuple(idx)]


@pytest.mark.parametrize("starts", [(1, 2), (-1, 0), (3, 9), (-10, -2), (0, 0)])
def test_dynamic_slice_static_and_traced_indices(starts):
    x = rand((4, 6))
    want = _np_dynamic_slice(x, starts, (2, 3))
    check(lambda x: lax.dynamic_slice(x, starts, (2, 3)), want, x)                     # static Python ints
    check(lambda x, i, j: lax.dynamic_slice(x, (i, j), (2, 3)), want, x, *map(np.int32, starts))   # traced


def test_dynamic_slice_mixed_index_dtypes_and_array_of_starts():
    x = rand((5, 4, 3), np.int32)
    want = _np_dynamic_slice(x, (3, -1, 1), (2, 2, 2))
    check(lambda x, i, j: lax.dynamic_slice(x, (i, j, 1), (2, 2, 2)), want, x, np.int8(3), np.int32(-1))
    check(lambda x, i, j: lax.dynamic_slice(x, (i, j, 1), (2, 2, 2)), want, x, np.uint8(3), np.int16(-1))
    check(lambda x, s: lax.dynamic_slice(x, s, (2, 2, 2)), want, x, np.array([3, -1, 1], np.int32))


def test_dynamic_slice_in_dim_and_index_in_dim():
    x = rand((4, 5))
    check(lambda x, i: lax.dynamic_slice_in_dim(x, i, 2, axis=-1), x[:, 3:5], x, np.int32(4))
    check(lambda x, i: lax.dynamic_index_in_dim(x, i, axis=0, keepdims=False), x[3], x, np.int32(-1))
    check(lambda x, i: lax.dynamic_index_in_dim(x, i, 1), x[:, 0:1], x, np.int32(-7))


def _np_dynamic_update_slice(x, u, starts):
    out = x.copy()
    idx = []
    for i, s, n in zip(starts, u.shape, x.shape):
        i = i + n if i < 0 else i
        i = min(max(i, 0), n - s)
        idx.append(slice(i, i + s))
    out[tuple(idx)] = u
    return out


@pytest.mark.parametrize("dtype,starts", [(np.float32, (1, 2)), (np.int32, (-1, -2)), (np.bool_, (5, 9)),
                                          (bf16, (-9, 0))])
def test_dynamic_update_slice(dtype, starts):
    x, u = rand((4, 6), dtype), rand((2, 3), dtype)
    want = _np_dynamic_update_slice(x, u, starts)
    check(lambda x, u: lax.dynamic_update_slice(x, u, starts), want, x, u)
    check(lambda x, u, i, j: lax.dynamic_update_slice(x, u, (i, j)), want, x, u, *map(np.int32, starts))


def test_dynamic_update_index_in_dim():
    x, u = rand((4, 5)), rand((5,))
    want = x.copy()
    want[2] = u
    check(lambda x, u, i: lax.dynamic_update_index_in_dim(x, u, i, 0), want, x, u, np.int32(-2))
    want = x.copy()
    want[:, 3:5] = x[:, :2]
    check(lambda x, u: lax.dynamic_update_slice_in_dim(x, u, 3, axis=1), want, x, x[:, :2])


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.bool_, np.complex64])
def test_concatenate(dtype):
    a, b, c = rand((2, 3), dtype), rand((2, 1), dtype), rand((2, 0), dtype)
    check(lambda a, b, c: lax.concatenate([a, b, c], 1), np.concatenate([a, b, c], 1), a, b, c)
    check(lambda a, b: lax.concatenate([a, b, a], -1), np.concatenate([a, b, a], -1), a, b)
    check(lambda a: lax.concatenate([a, a], 0), np.concatenate([a, a], 0), a)


def _np_pad(x, value, config):
    for axis, (lo, hi, interior) in enumerate(config):
        n = x.shape[axis]
        shape = list(x.shape)
        shape[axis] = n + max(n - 1, 0) * interior
        y = np.full(shape, value, x.dtype)
        y[(slice(None),) * axis + (slice(None, None, interior + 1),)] = x
        y = np.concatenate([np.full(shape[:axis] + [max(lo, 0)] + shape[axis + 1:], value, x.dtype), y,
                            np.full(shape[:axis] + [max(hi, 0)] + shape[axis + 1:], value, x.dtype)], axis)
        x = y[(slice(None),) * axis + (slice(max(-lo, 0), y.shape[axis] - max(-hi, 0)),)]
    return x


@pytest.mark.parametrize("config", [((1, 2, 0), (0, 0, 0)), ((0, 0, 1), (2, 1, 2)), ((-1, 1, 0), (1, -2, 1)),
                                    ((0, 0, 0), (0, 0, 0))])
def test_pad(config):
    x = rand((3, 4))
    check(lambda x: lax.pad(x, -7.0, config), _np_pad(x, np.float32(-7), config), x)
    check(lambda x, v: lax.pad(x, v, config), _np_pad(x, np.float32(2.5), config), x, np.float32(2.5))


def test_pad_int_and_zero_size():
    x = rand((0, 2), np.int32)
    check(lambda x: lax.pad(x, 3, ((1, 1, 2), (0, 1, 1))), _np_pad(x, 3, ((1, 1, 2), (0, 1, 1))), x)


# ---- gather and scatter -------------------------------------------------------------------------------

TAKE_ROWS = lax.GatherDimensionNumbers(offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(0,))
POINTS = lax.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(0, 1), start_index_map=(0, 1))


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.bool_])
def test_gather_rows_like_x_idx(dtype):
    x, idx = rand((5, 3), dtype), np.array([4, 0, 0, 2], np.int32)
    check(lambda x, i: lax.gather(x, lax.expand_dims(i, (1,)), TAKE_ROWS, (1, 3)), x[idx], x, idx)


def test_gather_points_and_windows():
    x = rand((4, 5))
    idx = np.array([[[0, 1], [3, 4]], [[2, 2], [1, 0]]], np.int32)        # batch shape (2, 2)
    check(lambda x, i: lax.gather(x, i, POINTS, (1, 1)), x[idx[..., 0], idx[..., 1]], x, idx)
    dn = lax.GatherDimensionNumbers(offset_dims=(1, 2), collapsed_slice_dims=(), start_index_map=(0, 1))
    starts = np.array([[0, 1], [2, 3]], np.int32)
    want = np.stack([x[0:2, 1:3], x[2:4, 3:5]])
    check(lambda x, i: lax.gather(x, i, dn, (2, 2), mode="clip"), want, x, starts)


def test_gather_batching_dims_like_take_along_axis():
    x, idx = rand((3, 4)), np.array([[1], [3], [0]], np.int32)[:, :, None]   # per row one column
    dn = lax.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(1,), start_index_map=(1,),
                                    operand_batching_dims=(0,), start_indices_batching_dims=(0,))
    check(lambda x, i: lax.gather(x, i, dn, (1, 1)), np.take_along_axis(x, idx[..., 0], 1), x, idx)


def test_gather_out_of_bounds_modes():
    x = np.arange(10, dtype=np.float32).reshape(5, 2)
    idx = np.array([[-1], [2], [5], [7]], np.int32)
    filled = np.array([[np.nan, np.nan], [4, 5], [np.nan, np.nan], [np.nan, np.nan]], np.float32)
    check(lambda x, i: lax.gather(x, i, TAKE_ROWS, (1, 2)), filled, x, idx)                   # default: fill
    check(lambda x, i: lax.gather(x, i, TAKE_ROWS, (1, 2), mode="fill", fill_value=-1),
          np.where(np.isnan(filled), -1, filled).astype(np.float32), x, idx)
    clipped = x[np.clip(idx[:, 0], 0, 4)]
    check(lambda x, i: lax.gather(x, i, TAKE_ROWS, (1, 2), mode=lax.GatherScatterMode.CLIP), clipped, x, idx)
    xi = x.astype(np.int32)
    want = np.where(np.isnan(filled), np.iinfo(np.int32).min, filled).astype(np.int32)
    check(lambda x, i: lax.gather(x, i, TAKE_ROWS, (1, 2)), want, xi, idx)
    xu, iu = x.astype(np.uint8), np.array([[4], [5]], np.uint8)
    check(lambda x, i: lax.gather(x, i, TAKE_ROWS, (1, 2)), np.array([[8, 9], [255, 255]], np.uint8), xu, iu)


SET_ROWS = lax.ScatterDimensionNumbers(update_window_dims=(1,), inserted_window_dims=(0,),
                                       scatter_dims_to_operand_dims=(0,))
SET_POINTS = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0, 1),
                                         scatter_dims_to_operand_dims=(0, 1))


@pytest.mark.parametrize("dtype", [np.float32, np.int32])
def test_scatter_variants_with_duplicate_indices(dtype):
    x, idx = rand((5, 3), dtype), np.array([[1], [3], [1], [1]], np.int32)
    upd = rand((4, 3), dtype)
    for fn, ufunc in [(lax.scatter_add, np.add), (lax.scatter_mul, np.multiply), (lax.scatter_min, np.minimum),
                      (lax.scatter_max, np.maximum)]:
        want = x.copy()
        ufunc.at(want, idx[:, 0], upd)
        check(lambda x, i, u, fn=fn: fn(x, i, u, SET_ROWS), want, x, idx, upd,
              **({"rtol": 1e-6} if dtype == np.float32 else {}))


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.bool_, np.complex64])
def test_scatter_set_like_x_at_idx_set(dtype):
    x, idx, upd = rand((4, 5), dtype), np.array([[0, 1], [3, 4], [2, 0]], np.int32), rand((3,), dtype)
    want = x.copy()
    want[idx[:, 0], idx[:, 1]] = upd
    check(lambda x, i, u: lax.scatter(x, i, u, SET_POINTS, unique_indices=True), want, x, idx, upd)


def test_scatter_add_bool_is_or_and_points_accumulate():
    x, idx = np.zeros((3,), np.bool_), np.array([[0], [0], [2]], np.int32)
    dn = lax.ScatterDimensionNumbers((), (0,), (0,))
    check(lambda x, i, u: lax.scatter_add(x, i, u, dn), np.array([True, False, False]), x, idx,
          np.array([True, False, False]))
    xf, upd = np.zeros((2, 2), np.float32), np.ones((4,), np.float32)
    pts = np.array([[0, 0], [1, 1], [0, 0], [0, 0]], np.int32)
    check(lambda x, i, u: lax.scatter_add(x, i, u, SET_POINTS), np.array([[3, 0], [0, 1]], np.float32), xf, pts, upd)


def test_scatter_out_of_bounds_dropped_or_clipped():
    x, idx, upd = np.zeros((4, 2), np.float32), np.array([[-1], [1], [4], [9]], np.int32), np.ones((4, 2), np.float32)
    check(lambda x, i, u: lax.scatter_add(x, i, u, SET_ROWS), np.array([[0, 0], [1, 1], [0, 0], [0, 0]], np.float32),
          x, idx, upd)
    check(lambda x, i, u: lax.scatter_add(x, i, u, SET_ROWS, mode="clip"),
          np.array([[1, 1], [1, 1], [0, 0], [2, 2]], np.float32), x, idx, upd)


def test_scatter_batching_dims_like_put_along_axis():
    x, cols = np.zeros((3, 4), np.float32), np.array([1, 3, 0], np.int32)
    dn = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(1,),
                                     scatter_dims_to_operand_dims=(1,), operand_batching_dims=(0,),
                                     scatter_indices_batching_dims=(0,))
    want = x.copy()
    want[np.arange(3), cols] = [1, 2, 3]
    check(lambda x, i, u: lax.scatter(x, i, u, dn), want, x, cols[:, None], np.array([1, 2, 3], np.float32))


def test_gather_scatter_argument_errors():
    x, idx = np.zeros((3, 4), np.float32), np.zeros((2, 1), np.int32)
    with pytest.raises(TypeError, match="collapsed_slice_dims"):
        lax.gather(x, idx, lax.GatherDimensionNumbers((1,), (5,), (0,)), (1, 4))
    with pytest.raises(TypeError, match="offset_dims"):
        lax.gather(x, idx, lax.GatherDimensionNumbers((1, 0), (), (0,)), (1, 4))
    with pytest.raises(TypeError, match="integer"):
        lax.gather(x, idx.astype(np.float32), TAKE_ROWS, (1, 4))
    with pytest.raises(ValueError, match="mode"):
        lax.gather(x, idx, TAKE_ROWS, (1, 4), mode="wrap")
    with pytest.raises(TypeError, match="updates"):
        lax.scatter_add(x, idx, np.zeros((3, 4), np.float32), SET_ROWS)


# ---- contraction -----------------------------------------------------------------------------------

def _np_dot_general(l, r, dn, dtype=None):
    (lc, rc), (lb, rb) = dn
    lc, rc, lb, rb = ([d % n for d in ds] for ds, n in ((lc, l.ndim), (rc, r.ndim), (lb, l.ndim), (rb, r.ndim)))
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    ls, rs = [None] * l.ndim, [None] * r.ndim
    for a, b in list(zip(lb, rb)) + list(zip(lc, rc)):
        ls[a] = rs[b] = next(letters)
    ls = [s or next(letters) for s in ls]
    rs = [s or next(letters) for s in rs]
    out = [ls[a] for a in lb] + [s for i, s in enumerate(ls) if i not in lc + lb] + \
        [s for i, s in enumerate(rs) if i not in rc + rb]
    dtype = dtype or l.dtype
    return np.einsum(f"{''.join(ls)},{''.join(rs)}->{''.join(out)}", l.astype(dtype), r.astype(dtype)).astype(dtype)


DOT_CASES = [((3, 4), (4, 5), (((1,), (0,)), ((), ()))),
             ((2, 3, 4), (2, 4, 5), (((2,), (1,)), ((0,), (0,)))),
             ((4, 2, 3), (3, 4, 2), (((-1, 0), (0, 1)), ((1,), (2,)))),
             ((2, 3), (3, 4, 5), (((1,), (0,)), ((), ()))),
             ((3, 0), (0, 2), (((1,), (0,)), ((), ()))),
             ((3,), (2,), (((), ()), ((), ())))]
BATCHED = DOT_CASES[1]
TOL = {np.dtype(np.float32): 1e-5, np.dtype(np.int32): 0, np.dtype(np.complex64): 1e-5, np.dtype(np.float16): 1e-2,
       bf16: 3e-2}


@pytest.mark.parametrize("dtype,ls,rs,dn", [(np.float32, *c) for c in DOT_CASES] +
                         [(d, *BATCHED) for d in (np.int32, np.complex64, np.float16, bf16)] +
                         [(np.complex64, *DOT_CASES[2])])
def test_dot_general(dtype, ls, rs, dn):
    l, r = rand(ls, dtype), rand(rs, dtype)
    want = _np_dot_general(l, r, dn, np.float32 if dtype == bf16 else None).astype(dtype)
    tol = TOL[np.dtype(dtype)]
    check(lambda l, r: lax.dot_general(l, r, dn), want, l, r, **({"rtol": tol, "atol": tol} if tol else {}))


def test_dot_general_bool_and_preferred_element_type():
    l, r = rand((3, 4), np.bool_), rand((4, 2), np.bool_)
    check(lambda l, r: lax.dot_general(l, r, (((1,), (0,)), ((), ()))), (l.astype(int) @ r.astype(int)) > 0, l, r)
    l8, r8 = (np.full((2, 64), 100, np.int8), np.full((64, 3), 100, np.int8))
    check(lambda l, r: lax.dot(l, r, preferred_element_type=np.int32), np.full((2, 3), 640000, np.int32), l8, r8)
    lb, rb = rand((2, 8), bf16), rand((8, 3), bf16)
    want = lb.astype(np.float32) @ rb.astype(np.float32)
    check(lambda l, r: lax.dot(l, r, preferred_element_type=np.float32), want, lb, rb, rtol=1e-5, atol=1e-5)
    with pytest.raises(TypeError, match="narrower"):
        lax.dot(l8.astype(np.int32), r8.astype(np.int32), preferred_element_type=np.int8)


def test_dot():
    v, m, w = rand((4,)), rand((3, 4)), rand((4, 2))
    check(lax.dot, np.dot(v, v), v, v, rtol=1e-5)
    check(lax.dot, m @ v, m, v, rtol=1e-5)
    check(lax.dot, m @ w, m, w, rtol=1e-5)
    with pytest.raises(TypeError, match="incompatible shapes"):
        lax.dot(m, m)


def test_dot_general_f64(x64):
    l, r = rand((3, 4), np.float64), rand((4, 2), np.float64)
    check(lambda l, r: lax.dot_general(l, r, (((1,), (0,)), ((), ()))), l @ r, l, r, rtol=1e-12)


# ---- reductions -----------------------------------------------------------------------------------------

REDUCTIONS = [(lax.reduce_sum, np.sum), (lax.reduce_prod, np.prod), (lax.reduce_max, np.max),
              (lax.reduce_min, np.min)]


@pytest.mark.parametrize("dtype,shape,axes", [(np.float32, (3, 4), (0,)), (np.int32, (2, 3, 4), (0, -1)),
                                              (np.float16, (3, 4), (1,)), (np.float32, (3, 4), ()),
                                              (np.int32, (2, 3), (0, 1))])
def test_reduce_arithmetic(dtype, shape, axes):
    x = rand(shape, dtype)
    for fn, ref in REDUCTIONS:
        tol = {"rtol": 1e-2 if dtype == np.float16 else 1e-5} if dtype != np.int32 else {}
        check(lambda x, fn=fn: fn(x, axes), ref(x, tuple(a % len(shape) for a in axes)).astype(dtype), x, **tol)


def test_reduce_empty_axis_gives_identity_and_max_propagates_nan():
    x = np.zeros((0, 3), np.float32)
    for fn, want in [(lax.reduce_sum, 0), (lax.reduce_prod, 1), (lax.reduce_max, -np.inf), (lax.reduce_min, np.inf)]:
        check(lambda x, fn=fn: fn(x, (0,)), np.full((3,), want, np.float32), x)
    xi = np.zeros((0,), np.int32)
    check(lambda x: lax.reduce_max(x, (0,)), np.int32(np.iinfo(np.int32).min), xi)
    y = np.array([[1, np.nan], [2, 3]], np.float32)
    check(lambda x: lax.reduce_max(x, (1,)), np.array([np.nan, 3], np.float32), y)
    check(lambda x: lax.reduce_min(x, (0,)), np.array([1, np.nan], np.float32), y)


@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.uint8])
def test_reduce_logical(dtype):
    x = rand((3, 5), dtype)
    for fn, ufunc in [(lax.reduce_and, np.bitwise_and), (lax.reduce_or, np.bitwise_or),
                      (lax.reduce_xor, np.bitwise_xor)]:
        check(lambda x, fn=fn: fn(x, (1,)), ufunc.reduce(x, axis=1), x)
        check(lambda x, fn=fn: fn(x, (0, 1)), ufunc.reduce(x.ravel()), x)
    check(lambda x: lax.reduce_and(x, (0,)), np.bitwise_and.reduce(np.zeros((0, 2), dtype)), np.zeros((0, 2), dtype))


@pytest.mark.parametrize("dtype,axis", [(np.float32, 0), (np.int32, 1), (np.bool_, -1), (np.float16, 0)])
def test_argmax_argmin(dtype, axis):
    x = rand((4, 6), dtype)
    x[1] = x[2]          # ties along axis 0
    for fn, ref in [(lax.argmax, np.argmax), (lax.argmin, np.argmin)]:
        check(lambda x, fn=fn: fn(x, axis, np.int32), ref(x, axis).astype(np.int32), x)


def test_argmax_argmin_nan_and_index_dtype():
    x = np.array([[1, np.nan, 5, np.nan], [-np.inf, -np.inf, 2, 2], [np.inf, 0, np.inf, -1]], np.float32)
    for fn, ref in [(lax.argmax, np.argmax), (lax.argmin, np.argmin)]:
        check(lambda x, fn=fn: fn(x, 1, np.uint8), ref(x, 1).astype(np.uint8), x)
        check(lambda x, fn=fn: fn(x, 0, np.int32), ref(x, 0).astype(np.int32), x)
    big = rand((3, 200))
    big[1, [7, 150]] = np.nan
    big[2, [9, 120]] = 1e9
    check(lambda x: lax.argmax(x, 1, np.int32), np.argmax(big, 1).astype(np.int32), big)


# ---- cumulative reductions -----------------------------------------------------------------------------

CUMULATIVE = [(lax.cumsum, np.cumsum), (lax.cumprod, np.cumprod), (lax.cummax, np.maximum.accumulate),
              (lax.cummin, np.minimum.accumulate)]


def _np_cum(ref, x, axis, reverse):
    if reverse:
        return np.flip(ref(np.flip(x, axis), axis=axis), axis)
    return ref(x, axis=axis)


@pytest.mark.parametrize("dtype,shape,axis,reverse", [
    (np.float32, (7,), 0, False), (np.int32, (3, 5), 1, True), (np.float32, (3, 5), -2, True),
    (np.float16, (2, 4), 1, False), (np.int32, (2, 0), 1, True), (np.float32, (0, 3), 1, False)])
def test_cumulative(dtype, shape, axis, reverse):
    x = rand(shape, dtype)
    for fn, ref in CUMULATIVE:
        tol = {} if dtype == np.int32 else {"rtol": 1e-2 if dtype == np.float16 else 1e-5, "atol": 1e-6}
        want = _np_cum(ref, x, axis, reverse).astype(dtype)
        check(lambda x, fn=fn: fn(x, axis=axis, reverse=reverse), want, x, **tol)


def test_cumulative_nan_and_complex():
    x = np.array([1, np.nan, 3, 0.5], np.float32)
    check(lambda x: lax.cummax(x), np.maximum.accumulate(x), x)
    check(lambda x: lax.cumsum(x, reverse=True), np.flip(np.cumsum(np.flip(x))), x)
    c = rand((5,), np.complex64)
    check(lambda x: lax.cumsum(x), np.cumsum(c), c, rtol=1e-5)
    check(lambda x: lax.cumprod(x), np.cumprod(c), c, rtol=1e-5)
    c = np.array([1 + 2j, 1 + 3j, 0 + 9j, 1 + 1j, 2 - 5j], np.complex64)   # lexicographic order, as NumPy
    check(lambda x: lax.cummax(x), np.maximum.accumulate(c), c)
    check(lambda x: lax.cummin(x, reverse=True), np.flip(np.minimum.accumulate(np.flip(c))), c)


def test_complex_max_min_are_lexicographic():
    c = np.array([[1 + 2j, 1 + 3j, 0 + 9j], [1 + 3j, -1 - 1j, 1 + 2.5j]], np.complex64)
    check(lambda x: lax.reduce_max(x, (0, 1)), np.max(c), c)
    check(lambda x: lax.reduce_min(x, (1,)), np.min(c, axis=1), c)
    dn = lax.ScatterDimensionNumbers((), (0,), (0,))
    idx, upd = np.array([[0], [0], [2]], np.int32), np.array([1 + 5j, 3 - 1j, 0 + 8j], np.complex64)
    want = c[0].copy()
    np.maximum.at(want, idx[:, 0], upd)
    check(lambda x, i, u: lax.scatter_max(x, i, u, dn), want, c[0], idx, upd)


@pytest.mark.parametrize("reverse", [False, True])
def test_cumlogsumexp(reverse):
    x = np.array([[-np.inf, -np.inf, 0.5, 80, -3], [1, 2, np.inf, 1, -np.inf]], np.float32)
    with np.errstate(invalid="ignore"):
        want = _np_cum(np.logaddexp.accumulate, x, 1, reverse)
    check(lambda x: lax.cumlogsumexp(x, axis=1, reverse=reverse), want, x, rtol=1e-6)
    y = rand((3, 4), np.float16)
    want = _np_cum(np.logaddexp.accumulate, y.astype(np.float32), 0, reverse).astype(np.float16)
    check(lambda x: lax.cumlogsumexp(x, reverse=reverse), want, y, rtol=1e-2)


def test_cumulative_dtype_errors():
    with pytest.raises(TypeError, match="cumsum does not accept dtype bool"):
        lax.cumsum(np.ones(3, np.bool_))
    with pytest.raises(TypeError, match="cumlogsumexp does not accept dtype i32"):
        lax.cumlogsumexp(np.ones(3, np.int32))
    with pytest.raises(ValueError, match="axis 2 is out of bounds"):
        lax.cumsum(np.ones((3, 2), np.float32), axis=2)


# ---- sort -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype,shape,dim", [(np.float32, (9,), -1), (np.int32, (4, 5), 0), (np.uint8, (4, 5), 1),
                                             (np.bool_, (9,), 0), (bf16, (4, 5), -1), (np.float32, (3, 0), 1)])
def test_sort_single_operand(dtype, shape, dim):
    x = rand(shape, dtype)
    want = np.sort(x.astype(np.float32), axis=dim).astype(dtype) if dtype == bf16 else np.sort(x, axis=dim)
    check(lambda x: lax.sort(x, dimension=dim), want, x)


def test_sort_nans_last_and_signed_zeros_tie_stably():
    keys = np.array([0.0, -0.0, np.nan, 1.0, -np.nan, -0.0, -np.inf, 0.0, np.inf, np.nan], np.float32)
    keys[4] = -np.abs(keys[4])   # a NaN with the sign bit set
    assert np.signbit(keys[4])
    perm = np.argsort(keys, kind="stable")   # NumPy: NaNs last, -0.0 == 0.0
    payload = np.arange(keys.size, dtype=np.int32)
    check(lambda k, v: lax.sort((k, v), is_stable=True), (keys[perm], payload[perm]), keys, payload)
    check(lambda k, v: lax.sort_key_val(k, v), (keys[perm], payload[perm]), keys, payload)
    got = np.asarray(lax.sort(keys))
    np.testing.assert_array_equal(np.signbit(got[:6]), np.signbit(keys[perm][:6]))   # zeros keep their sign


def test_sort_multiple_keys_and_operands():
    k1 = np.array([2, 1, 2, 1, 0, 2], np.int32)
    k2 = np.array([0.5, np.nan, -1, 3, 0, 0.5], np.float32)
    vals = rand((6,), np.float16)
    perm = np.lexsort((k2, k1))               # by k1, then by k2 (NaN last), stable
    check(lambda a, b, c: lax.sort((a, b, c), num_keys=2), (k1[perm], k2[perm], vals[perm]), k1, k2, vals)
    perm1 = np.argsort(k1, kind="stable")     # num_keys=1: k2 rides along
    check(lambda a, b: lax.sort([a, b], num_keys=1), (k1[perm1], k2[perm1]), k1, k2)


def test_sort_2d_with_payload_and_complex():
    x = rand((3, 6), np.int32)
    perm = np.argsort(x, axis=0, kind="stable")
    check(lambda x: lax.sort((x, lax.broadcasted_iota(np.int32, x.shape, 0)), dimension=0),
          (np.take_along_axis(x, perm, 0), perm.astype(np.int32)), x)
    c = (rng.integers(0, 3, 8) + 1j * rng.integers(0, 3, 8)).astype(np.complex64)
    check(lambda x: lax.sort(x), np.sort(c), c)


def test_sort_f64(x64):
    x = np.array([3.0, np.nan, -1.0, 2.0], np.float64)
    check(lambda x: lax.sort(x), np.sort(x), x)


def test_sort_argument_errors():
    with pytest.raises(TypeError, match="rank >= 1"):
        lax.sort(np.float32(1.0))
    with pytest.raises(TypeError, match="num_keys"):
        lax.sort((np.ones(3, np.float32), np.ones(3, np.int32)), num_keys=3)
    with pytest.raises(ValueError, match="dimension 1 is out of bounds"):
        lax.sort(np.ones(3, np.float32), dimension=1)


# ---- filled arrays --------------------------------------------------------------------------------------

def test_full_and_full_like():
    check(lambda: lax.full((2, 3), 1.5), np.full((2, 3), 1.5, np.float32))
    assert lax.full((2,), 1.5).weak_type and not lax.full((2,), 1.5, np.float32).weak_type
    check(lambda: lax.full((2,), 7, np.int8), np.full((2,), 7, np.int8))
    x = rand((2, 2), np.int32)
    check(lambda x: lax.full_like(x, 3), np.full((2, 2), 3, np.int32), x)
    check(lambda x: lax.full_like(x, 2.5, np.float16, shape=(3,)), np.full((3,), 2.5, np.float16), x)
    check(lambda x: lax.zeros_like_array(x), np.zeros((2, 2), np.int32), x)
    check(lambda x, v: lax.full((2,), v, np.float32), np.full((2,), 4, np.float32), x, np.int32(4))
    with pytest.raises(TypeError, match="scalar"):
        lax.full((2,), np.ones(2, np.float32))


# ---- argument checking that type rules cannot do -------------------------------------------------------------

def test_axis_normalisation_errors():
    x = np.ones((2, 1), np.float32)
    with pytest.raises(ValueError, match="out of bounds"):
        lax.squeeze(x, (2,))
    with pytest.raises(TypeError, match="size 1"):
        lax.squeeze(x, (0,))
    with pytest.raises(ValueError, match="repeated"):
        lax.expand_dims(x, (0, -4))
    with pytest.raises(TypeError, match="must be an integer"):
        lax.rev(x, (0.5,))
    with pytest.raises(ValueError, match="start indices"):
        lax.dynamic_slice(x, (0,), (1, 1))
    with pytest.raises(TypeError, match="integer scalar"):
        lax.dynamic_slice(x, (np.float32(0), 0), (1, 1))


def test_every_declared_primitive_ran(request):
    """Runs last (pytest keeps file order): COVERED_PRIMITIVES must not claim more than the tests above ran."""
    here = request.node.module
    ran = {item.originalname for item in request.session.items if item.module is here}
    defined = {name for name in dir(here) if name.startswith("test_")}
    if ran != defined:
        pytest.skip("only meaningful when the whole module runs")
    assert COVERED_PRIMITIVES <= _RAN, f"declared but never run: {sorted(COVERED_PRIMITIVES - _RAN)}"
