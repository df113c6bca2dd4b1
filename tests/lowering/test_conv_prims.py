"""The convolution and windowed-reduction primitives bound directly (eagerly and under jit) against NumPy
references written from XLA's operation semantics (ConvGeneralDilated, ReduceWindow, SelectAndScatter):
every layout, padding, dilation and grouping parameter; complex and preferred_element_type; the general
reduce/reduce_window with a body; type-rule errors; and the StableHLO text, compared with what JAX 0.10.2
emits for the same convolution."""
import ml_dtypes
import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

import lintra
from lintra import lax
from lintra.frontend.core import bind, bind1
from lintra.ir.builder import Builder
from lintra.ir.primitives import infer_types
from lintra.ir.types import TensorType

# ---- references -------------------------------------------------------------------------------------------

def dilate(x, factors, axes):
    """x with factor - 1 zeros between neighbours along each axis."""
    for ax, f in zip(axes, factors):
        if f > 1 and x.shape[ax]:
            shape = list(x.shape)
            shape[ax] = (x.shape[ax] - 1) * f + 1
            out = np.zeros(shape, x.dtype)
            idx = [slice(None)] * x.ndim
            idx[ax] = slice(None, None, f)
            out[tuple(idx)] = x
            x = out
    return x


def pad(x, pads, axes, value=0):
    """Padding (low, high) per axis; negative pads crop."""
    for ax, (lo, hi) in zip(axes, pads):
        width = [(0, 0)] * x.ndim
        width[ax] = (max(lo, 0), max(hi, 0))
        x = np.pad(x, width, constant_values=value)
        idx = [slice(None)] * x.ndim
        idx[ax] = slice(max(-lo, 0), x.shape[ax] - max(-hi, 0))
        x = x[tuple(idx)]
    return x


def windows(x, window, strides, axes):
    """All windows of x (window axes appended at the end), every stride-th along each axis."""
    if any(x.shape[ax] < w for ax, w in zip(axes, window)):
        shape = [0 if ax in axes and n < w else n for ax, (n, w) in
                 enumerate(zip(x.shape, [dict(zip(axes, window)).get(a, 0) for a in range(x.ndim)]))]
        return np.zeros([0 if a in axes else n for a, n in enumerate(shape)] + list(window), x.dtype)
    v = sliding_window_view(x, window, axis=axes)
    idx = [slice(None)] * v.ndim
    for ax, s in zip(axes, strides):
        idx[ax] = slice(None, None, s)
    return v[tuple(idx)]


def conv(lhs, rhs, strides, padding, lhs_dilation, rhs_dilation, dimension_numbers, feature_group_count=1,
         batch_group_count=1):
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    wide = np.complex128 if np.iscomplexobj(lhs) or np.iscomplexobj(rhs) else np.float64
    l = np.transpose(np.asarray(lhs, wide), lhs_spec)       # N, C, spatial...
    r = np.transpose(np.asarray(rhs, wide), rhs_spec)       # O, I, kernel...
    n = l.ndim - 2
    sp = tuple(range(2, 2 + n))
    l = pad(dilate(l, lhs_dilation, sp), padding, sp)
    r = dilate(r, rhs_dilation, sp)
    win = windows(l, r.shape[2:], strides, sp)              # N, C, out..., kernel...
    N, C, O, I = l.shape[0], l.shape[1], r.shape[0], r.shape[1]
    out_sp = win.shape[2:2 + n]
    letters = "hijklm"[:n]
    ks = "pqrstuvw"[:n]
    if batch_group_count > 1:
        g = batch_group_count
        w = win.reshape((g, N // g, C) + win.shape[2:])
        k = r.reshape((g, O // g, I) + r.shape[2:])
        out = np.einsum(f"gnc{letters}{ks},goc{ks}->ngo{letters}", w, k).reshape((N // g, O) + out_sp)
    else:
        g = feature_group_count
        w = win.reshape((N, g, C // g) + win.shape[2:])
        k = r.reshape((g, O // g, I) + r.shape[2:])
        out = np.einsum(f"ngc{letters}{ks},goc{ks}->ngo{letters}", w, k).reshape((N, O) + out_sp)
    return np.transpose(out, np.argsort(out_spec))


IDENTITY = {"sum": 0.0, "max": -np.inf, "min": np.inf}
REDUCE = {"sum": np.sum, "max": np.max, "min": np.min}


def reduce_window(x, kind, window, strides, padding, base_dilation, window_dilation):
    x = np.asarray(x, np.float64)
    axes = tuple(range(x.ndim))
    holes = dilate(np.ones_like(x), base_dilation, axes) == 0
    d = dilate(x, base_dilation, axes)
    d[holes] = IDENTITY[kind]
    d = pad(d, padding, axes, IDENTITY[kind])
    w = [(k - 1) * f + 1 for k, f in zip(window, window_dilation)]
    v = windows(d, w, strides, axes)
    idx = (Ellipsis,) + tuple(slice(None, None, f) for f in window_dilation)
    v = v[idx]
    return REDUCE[kind](v, axis=tuple(range(x.ndim, 2 * x.ndim)))


def select_and_scatter_add(source, operand, select, window, strides, padding):
    """Each window's source value added at the first element of operand the window selects (max for 'ge')."""
    operand = np.asarray(operand, np.float64)
    axes = tuple(range(operand.ndim))
    fill = -np.inf if select == "ge" else np.inf
    p = pad(operand, padding, axes, fill)
    out = np.zeros(p.shape)
    for pos in np.ndindex(*source.shape):
        start = [i * s for i, s in zip(pos, strides)]
        block = p[tuple(slice(a, a + k) for a, k in zip(start, window))]
        flat = np.argmax(block) if select == "ge" else np.argmin(block)
        at = np.unravel_index(flat, block.shape)
        out[tuple(a + b for a, b in zip(start, at))] += source[pos]
    return out[tuple(slice(max(lo, 0), max(lo, 0) + n) for (lo, _), n in zip(padding, operand.shape))]


# ---- conv_general_dilated ------------------------------------------------------------------------------------

NCHW = ((0, 1, 2, 3), (0, 1, 2, 3), (0, 1, 2, 3))
NHWC = ((0, 3, 1, 2), (3, 2, 0, 1), (0, 3, 1, 2))          # ('NHWC', 'HWIO', 'NHWC')
MIXED = ((3, 0, 2, 1), (1, 3, 0, 2), (2, 1, 3, 0))         # every spec a different permutation


def _attrs(strides, padding, lhs_dilation, rhs_dilation, dn, fgc=1, bgc=1, **more):
    return dict(window_strides=strides, padding=padding, lhs_dilation=lhs_dilation, rhs_dilation=rhs_dilation,
                dimension_numbers=dn, feature_group_count=fgc, batch_group_count=bgc, **more)


def _shape(spec, canonical):
    shape = [0] * len(spec)
    for d, n in zip(spec, canonical):
        shape[d] = n
    return tuple(shape)


# (name, lhs canonical shape (N, C, spatial...), rhs canonical shape (O, I, kernel...), attrs)
CONV_CASES = [
    ("1d", (2, 3, 9), (4, 3, 3), _attrs((1,), ((0, 0),), (1,), (1,), ((0, 1, 2),) * 3)),
    ("1d-stride-pad", (2, 3, 9), (4, 3, 2), _attrs((2,), ((2, 1),), (1,), (1,), ((0, 1, 2),) * 3)),
    ("2d-nchw", (2, 3, 7, 6), (4, 3, 3, 2), _attrs((1, 1), ((1, 1), (0, 1)), (1, 1), (1, 1), NCHW)),
    ("2d-nhwc-strided", (2, 3, 8, 8), (4, 3, 3, 3), _attrs((2, 1), ((1, 0), (2, 1)), (1, 2), (2, 1), NHWC)),
    ("2d-mixed-layout", (3, 2, 5, 6), (4, 2, 2, 3), _attrs((1, 2), ((0, 1), (1, 1)), (1, 1), (1, 2), MIXED)),
    ("2d-negative-pad", (2, 2, 8, 7), (3, 2, 3, 3), _attrs((1, 1), ((-1, 0), (1, -2)), (1, 1), (1, 1), NCHW)),
    ("2d-lhs-dilation", (1, 2, 4, 5), (3, 2, 3, 2), _attrs((1, 1), ((2, 2), (1, 1)), (2, 3), (1, 1), NCHW)),
    ("2d-feature-groups", (2, 6, 5, 5), (9, 2, 3, 3), _attrs((1, 1), ((1, 1), (1, 1)), (1, 1), (1, 1), NHWC, fgc=3)),
    ("2d-depthwise", (2, 4, 6, 6), (4, 1, 3, 3), _attrs((2, 2), ((1, 1), (1, 1)), (1, 1), (1, 1), NCHW, fgc=4)),
    ("2d-batch-groups", (6, 3, 5, 4), (4, 3, 2, 2), _attrs((1, 1), ((0, 0), (1, 0)), (1, 1), (1, 1), NCHW, bgc=2)),
    ("3d", (1, 2, 4, 5, 3), (2, 2, 2, 3, 2), _attrs((1, 2, 1), ((1, 0), (0, 1), (1, 1)), (1, 1, 1), (1, 1, 2),
                                                    ((0, 1, 2, 3, 4),) * 3)),
    ("empty-output", (2, 3, 2, 2), (4, 3, 3, 3), _attrs((1, 1), ((0, 0), (0, 0)), (1, 1), (1, 1), NCHW)),
]


def _operands(rng, lhs_c, rhs_c, attrs, dtype):
    lhs_spec, rhs_spec, _ = attrs["dimension_numbers"]
    make = lambda shape: (rng.standard_normal(shape) + (1j * rng.standard_normal(shape)
                                                        if np.dtype(dtype).kind == "c" else 0)).astype(dtype)
    return make(_shape(lhs_spec, lhs_c)), make(_shape(rhs_spec, rhs_c))


def _reference(lhs, rhs, a):
    return conv(lhs, rhs, a["window_strides"], a["padding"], a["lhs_dilation"], a["rhs_dilation"],
                a["dimension_numbers"], a["feature_group_count"], a["batch_group_count"])


@pytest.mark.parametrize("name, lhs_c, rhs_c, attrs", CONV_CASES, ids=[c[0] for c in CONV_CASES])
def test_conv_matches_reference(name, lhs_c, rhs_c, attrs):
    rng = np.random.default_rng(len(name))
    lhs, rhs = _operands(rng, lhs_c, rhs_c, attrs, np.float32)
    want = _reference(lhs, rhs, attrs)
    got = bind1("conv_general_dilated", lhs, rhs, **attrs)
    assert got.dtype == np.float32 and got.shape == want.shape, (got.shape, want.shape)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=1e-4)
    if name in ("2d-nhwc-strided", "2d-feature-groups"):
        jitted = lintra.jit(lambda l, r: bind1("conv_general_dilated", l, r, **attrs))(lhs, rhs)
        np.testing.assert_allclose(np.asarray(jitted), want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("dtype", [np.complex64, np.float64, np.int32])
def test_conv_dtypes(dtype, x64):
    """Complex (three real convolutions, as JAX lowers it on CPU), double and integer convolutions."""
    name, lhs_c, rhs_c, attrs = CONV_CASES[3]
    rng = np.random.default_rng(1)
    lhs, rhs = _operands(rng, lhs_c, rhs_c, attrs, np.float64 if dtype == np.int32 else dtype)
    if dtype == np.int32:
        lhs, rhs = (np.round(3 * lhs).astype(np.int32), np.round(3 * rhs).astype(np.int32))
    got = bind1("conv_general_dilated", lhs, rhs, **attrs)
    assert got.dtype == dtype
    want = _reference(lhs, rhs, attrs)
    tol = 1e-4 if dtype == np.complex64 else 1e-10
    np.testing.assert_allclose(np.asarray(got), want, rtol=tol, atol=tol)


def test_conv_preferred_element_type():
    """bf16 operands accumulated into f32 (the result's dtype), and int8 into int32."""
    name, lhs_c, rhs_c, attrs = CONV_CASES[2]
    rng = np.random.default_rng(2)
    lhs, rhs = _operands(rng, lhs_c, rhs_c, attrs, np.float32)
    bf16 = ml_dtypes.bfloat16
    lb, rb = lhs.astype(bf16), rhs.astype(bf16)
    got = bind1("conv_general_dilated", lb, rb, **attrs, preferred_element_type=np.dtype(np.float32))
    assert got.dtype == np.float32
    np.testing.assert_allclose(np.asarray(got), _reference(lb.astype(np.float32), rb.astype(np.float32), attrs),
                               rtol=1e-5, atol=1e-5)
    li, ri = np.round(10 * lhs).astype(np.int8), np.round(10 * rhs).astype(np.int8)
    got = bind1("conv_general_dilated", li, ri, **attrs, preferred_element_type=np.dtype(np.int32))
    assert got.dtype == np.int32
    np.testing.assert_array_equal(np.asarray(got), _reference(li, ri, attrs).astype(np.int64))


# What JAX 0.10.2 emits for lax.conv_general_dilated(x, w, (2, 1), ((1, 0), (2, 1)), (1, 2), (2, 1),
# ('NHWC', 'HWIO', 'NHWC'), precision='highest') on f32[2,8,8,3] and f32[3,3,3,4]
# (jax.jit(f).lower(x, w).as_text()), and for the default layout with 'SAME' padding and no precision.
JAX_NHWC = ("stablehlo.convolution(%arg0, %arg1) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = "
            "{stride = [2, 1], pad = [[1, 0], [2, 1]], lhs_dilate = [1, 2], rhs_dilate = [2, 1], reverse = [false, "
            "false]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64, precision_config = "
            "[#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]} : (tensor<2x8x8x3xf32>, "
            "tensor<3x3x3x4xf32>) -> tensor<2x3x16x4xf32>")
JAX_SAME = ("stablehlo.convolution(%arg0, %arg1) dim_numbers = [b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1], window = "
            "{stride = [1, 1], pad = [[1, 1], [1, 1]], lhs_dilate = [1, 1], rhs_dilate = [1, 1], reverse = [false, "
            "false]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64, precision_config = "
            "[#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]} : (tensor<2x3x8x8xf32>, "
            "tensor<4x3x3x3xf32>) -> tensor<2x4x8x8xf32>")
JAX_GROUPED = ("{batch_group_count = 1 : i64, feature_group_count = 3 : i64, precision_config = [#stablehlo<precision "
               "DEFAULT>, #stablehlo<precision DEFAULT>]} : (tensor<2x3x8x8xbf16>, tensor<6x1x3x3xbf16>) -> "
               "tensor<2x6x6x6xf32>")


def test_lowering_text_is_jaxs():
    x, w = np.ones((2, 8, 8, 3), np.float32), np.ones((3, 3, 3, 4), np.float32)
    f = lambda x, w: lax.conv_general_dilated(x, w, (2, 1), ((1, 0), (2, 1)), (1, 2), (2, 1), ("NHWC", "HWIO", "NHWC"),
                                              precision="highest")
    assert JAX_NHWC in lintra.jit(f).lower(x, w).as_text()
    x, w = np.ones((2, 3, 8, 8), np.float32), np.ones((4, 3, 3, 3), np.float32)
    assert JAX_SAME in lintra.jit(lambda x, w: lax.conv_general_dilated(x, w, (1, 1), "SAME")).lower(x, w).as_text()
    bf16 = ml_dtypes.bfloat16
    x, w = np.ones((2, 3, 8, 8), bf16), np.ones((6, 1, 3, 3), bf16)
    g = lambda x, w: lax.conv_general_dilated(x, w, (1, 1), "VALID", feature_group_count=3,
                                              preferred_element_type=np.float32)
    assert JAX_GROUPED in lintra.jit(g).lower(x, w).as_text()


F32 = lambda *s: TensorType.of(s, "f32")


@pytest.mark.parametrize("lhs, rhs, changes, message", [
    (F32(2, 3, 5, 5), TensorType.of((4, 3, 3, 3), "f64"), {}, "same dtype"),
    (F32(2, 3, 5, 5), F32(4, 3, 3), {}, "same rank"),
    (F32(2, 4, 5, 5), F32(4, 3, 3, 3), {}, "divided by feature_group_count"),
    (F32(2, 6, 5, 5), F32(5, 3, 3, 3), {"feature_group_count": 2}, "multiple of feature_group_count"),
    (F32(3, 3, 5, 5), F32(4, 3, 3, 3), {"batch_group_count": 2}, "must divide the lhs batch"),
    (F32(4, 6, 5, 5), F32(4, 3, 3, 3), {"batch_group_count": 2, "feature_group_count": 2}, "at most one"),
    (F32(2, 3, 5, 5), F32(4, 3, 3, 3), {"window_strides": (0, 1)}, "window_strides must be 2 positive"),
    (F32(2, 3, 5, 5), F32(4, 3, 3, 3), {"padding": ((0, 0),)}, "padding must be 2"),
    (F32(2, 3, 5, 5), F32(4, 3, 3, 3), {"padding": ((-6, 0), (0, 0))}, "more negative"),
    (F32(2, 3, 5, 5), F32(4, 3, 3, 3), {"dimension_numbers": ((0, 1, 2, 2),) * 3}, "permutations"),
    (F32(2, 3, 5, 5), F32(4, 3, 3, 3), {"precision": ("FAST", "DEFAULT")}, "precision"),
])
def test_conv_type_rule_errors(lhs, rhs, changes, message):
    attrs = dict(_attrs((1, 1), ((0, 0), (0, 0)), (1, 1), (1, 1), NCHW), **changes)
    with pytest.raises(TypeError, match=message):
        infer_types("conv_general_dilated", [lhs, rhs], attrs)


# ---- windowed reductions --------------------------------------------------------------------------------------

def _window(dims, strides, padding, base=None, wdil=None):
    n = len(dims)
    return dict(window_dimensions=dims, window_strides=strides, padding=padding,
                base_dilation=base or (1,) * n, window_dilation=wdil or (1,) * n)


WINDOW_CASES = [
    ("pool2x2", (4, 6), _window((2, 2), (2, 2), ((0, 0), (0, 0)))),
    ("overlapping-padded", (5, 4), _window((3, 2), (1, 2), ((1, 1), (0, 1)))),
    ("dilated", (2, 5, 6), _window((1, 2, 2), (1, 1, 2), ((0, 0), (1, 0), (0, 2)), (1, 2, 1), (1, 1, 2))),
    ("1d-negative-pad", (9,), _window((3,), (2,), ((-1, 2),))),
]


@pytest.mark.parametrize("kind", ["sum", "max", "min"])
@pytest.mark.parametrize("name, shape, attrs", WINDOW_CASES, ids=[c[0] for c in WINDOW_CASES])
def test_reduce_window_monoids(kind, name, shape, attrs):
    x = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
    want = reduce_window(x, kind, attrs["window_dimensions"], attrs["window_strides"], attrs["padding"],
                         attrs["base_dilation"], attrs["window_dilation"])
    got = bind1(f"reduce_window_{kind}", x, **attrs)
    assert got.shape == want.shape
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-5)


def test_reduce_window_integers_and_jit():
    x = np.arange(24, dtype=np.int32).reshape(4, 6) * np.array([1, -1, 1, -1, 1, -1], np.int32)
    attrs = WINDOW_CASES[1][2]
    for kind in ("sum", "max", "min"):
        got = lintra.jit(lambda v: bind1(f"reduce_window_{kind}", v, **attrs))(x)
        assert got.dtype == np.int32
        np.testing.assert_array_equal(np.asarray(got), reduce_window(x, kind, **{
            k: attrs[k] for k in ("padding", "base_dilation", "window_dilation")},
            window=attrs["window_dimensions"], strides=attrs["window_strides"]).astype(np.int64))


def _general_body(dtypes, body_fn):
    """A reduce/reduce_window region: scalars (accumulators..., elements...) -> accumulators."""
    b = Builder()
    args = [b.arg(TensorType((), np.dtype(d))) for d in dtypes * 2]
    b.ret(*body_fn(b, args))
    return b.block


def test_general_reduce_window_and_reduce():
    """A body no monoid primitive covers: a running (max, argmax) pair."""
    rng = np.random.default_rng(4)
    x = rng.permutation(30).astype(np.float32).reshape(5, 6)
    idx = np.arange(30, dtype=np.int32).reshape(5, 6)

    def argmax_body(b, args):
        (av, ai, bv, bi) = args
        take_a = b.emit1("ge", [av, bv])
        return [b.emit1("select_n", [take_a, bv, av]), b.emit1("select_n", [take_a, bi, ai])]
    region = _general_body([np.float32, np.int32], argmax_body)
    attrs = _window((2, 3), (1, 3), ((0, 1), (0, 0)))
    inits = (np.float32(-np.inf), np.int32(-1))
    outs = bind("reduce_window", x, idx, *inits, regions=[region], **attrs)
    want_v = reduce_window(x, "max", (2, 3), (1, 3), ((0, 1), (0, 0)), (1, 1), (1, 1))
    np.testing.assert_array_equal(np.asarray(outs[0]), want_v)
    np.testing.assert_array_equal(np.asarray(outs[1]).ravel(), [np.flatnonzero(x.ravel() == v)[0]
                                                                  for v in want_v.ravel()])
    outs = bind("reduce", x, idx, *inits, regions=[region], axes=(1,))
    np.testing.assert_array_equal(np.asarray(outs[0]), x.max(1))
    np.testing.assert_array_equal(np.asarray(outs[1]), idx[np.arange(5), x.argmax(1)])


@pytest.mark.parametrize("select", ["ge", "le"])
def test_select_and_scatter_add_and_gather(select):
    rng = np.random.default_rng(5)
    x = rng.permutation(35).astype(np.float32).reshape(5, 7)    # distinct: one element selected per window
    attrs = _window((2, 3), (2, 2), ((1, 0), (0, 1)))
    kind = "max" if select == "ge" else "min"
    windows_out = reduce_window(x, kind, (2, 3), (2, 2), ((1, 0), (0, 1)), (1, 1), (1, 1))
    source = rng.standard_normal(windows_out.shape).astype(np.float32)
    got = bind1("select_and_scatter_add", source, x, select_prim=select, window_dimensions=(2, 3),
                window_strides=(2, 2), padding=((1, 0), (0, 1)))
    want = select_and_scatter_add(source, x, select, (2, 3), (2, 2), ((1, 0), (0, 1)))
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6)
    # gather: the tangent at each window's selected element; with tangent = operand it is the window's extremum
    gathered = bind1("select_and_gather_add", x * 2, x, select_prim=select, **attrs)
    np.testing.assert_array_equal(np.asarray(gathered), 2 * windows_out)


@pytest.mark.parametrize("prim, operands, attrs, message", [
    ("reduce_window_sum", [F32(4, 4)], _window((2,), (1,), ((0, 0),)), "window_dimensions must be 2"),
    ("reduce_window_max", [F32(4, 4)], _window((2, 2), (1, 1), ((0, 0), (-5, 0))), "more negative"),
    ("reduce_window_sum", [TensorType.of((4,), "bool")], _window((2,), (1,), ((0, 0),)), "numeric"),
    ("select_and_gather_add", [F32(4, 4), F32(4, 5)], dict(_window((2, 2), (1, 1), ((0, 0), (0, 0))),
                                                          select_prim="ge"), "one shape"),
    ("select_and_gather_add", [F32(4, 4), F32(4, 4)], dict(_window((2, 2), (1, 1), ((0, 0), (0, 0))),
                                                          select_prim="gt"), "select_prim"),
    ("select_and_scatter_add", [F32(2, 2), F32(4, 4)], dict(select_prim="ge", window_dimensions=(2, 2),
                                                           window_strides=(1, 1), padding=((0, 0), (0, 0))),
     "shape of the operand's windows"),
])
def test_window_type_rule_errors(prim, operands, attrs, message):
    with pytest.raises(TypeError, match=message):
        infer_types(prim, operands, attrs)


COVERED_PRIMITIVES = {"conv_general_dilated", "reduce_window_sum", "reduce_window_max", "reduce_window_min",
                      "reduce_window", "reduce", "select_and_gather_add", "select_and_scatter_add"}
