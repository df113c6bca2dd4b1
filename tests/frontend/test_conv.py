"""lax.conv_general_dilated and its wrappers: derivatives against finite differences (second order, in
float64, for plain, strided, dilated, grouped and batch-grouped convolutions, in several layouts), vmap
against a loop over the batch (lhs, rhs or both batched, with groups), and the wrappers (conv,
conv_with_general_padding, conv_transpose, conv_dimension_numbers, padtype_to_pads) against direct
convolutions and values recorded from JAX 0.10.2."""
import ml_dtypes
import numpy as np
import pytest

import lintra
from lintra import lax
from lintra.ir.parser import parse_func
from lintra.ir.verifier import verify
from lintra.test_util import check_grads

COVERED_AD_PRIMITIVES = {"conv_general_dilated"}
COVERED_BATCH_PRIMITIVES = {"conv_general_dilated"}

RNG = np.random.default_rng(0)

# (name, lhs shape, rhs shape, keyword arguments of conv_general_dilated)
GRAD_CASES = [
    ("plain-nchw", (2, 3, 5, 4), (2, 3, 3, 2), dict(window_strides=(1, 1), padding="VALID")),
    ("strided-same-nhwc", (2, 5, 6, 3), (3, 2, 3, 4), dict(window_strides=(2, 2), padding="SAME",
                                                          dimension_numbers=("NHWC", "HWIO", "NHWC"))),
    ("dilated-padded", (1, 2, 6, 5), (3, 2, 2, 2), dict(window_strides=(2, 1), padding=((1, 2), (0, 1)),
                                                       lhs_dilation=(1, 2), rhs_dilation=(2, 1))),
    ("feature-groups", (2, 4, 5, 5), (6, 2, 3, 3), dict(window_strides=(1, 2), padding="SAME",
                                                       feature_group_count=2)),
    ("batch-groups", (4, 3, 5, 4), (4, 3, 2, 2), dict(window_strides=(1, 1), padding=((0, 1), (1, 0)),
                                                     batch_group_count=2)),
    ("1d-mixed-layout", (5, 2, 3), (4, 2, 3), dict(window_strides=(2,), padding=((1, 1),),
                                                  dimension_numbers=("WNC", "OWI", "CWN"))),
]


@pytest.mark.parametrize("name, ls, rs, kw", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_second_order_derivatives(name, ls, rs, kw, x64):
    lhs, rhs = RNG.standard_normal(ls), RNG.standard_normal(rs)
    f = lintra.jit(lambda l, r: lax.conv_general_dilated(l, r, **kw))
    check_grads(f, (lhs, rhs), order=2, atol=1e-6, rtol=1e-6)


def test_complex_second_order(x64):
    """Complex operands (lowered as three real convolutions), grouped and strided."""
    lhs = RNG.standard_normal((2, 4, 5)) + 1j * RNG.standard_normal((2, 4, 5))
    rhs = RNG.standard_normal((6, 2, 3)) + 1j * RNG.standard_normal((6, 2, 3))
    f = lintra.jit(lambda l, r: lax.conv_general_dilated(l, r, (2,), ((1, 0),), feature_group_count=2))
    check_grads(f, (lhs, rhs), order=2, atol=1e-6, rtol=1e-6)


def test_gradient_of_nonlinear_loss():
    """A loss through two convolutions and a tanh, in f32 (first order)."""
    x, w1, w2 = RNG.standard_normal((2, 3, 6, 6)), RNG.standard_normal((4, 3, 3, 3)), RNG.standard_normal((2, 4, 3, 3))
    x, w1, w2 = (a.astype(np.float32) / 3 for a in (x, w1, w2))

    def loss(w1, w2):
        h = np.float32(0.5) * lax.conv(x, w1, (1, 1), "SAME")
        return (lax.conv(lintra.numpy.tanh(h), w2, (2, 2), "VALID") ** 2).sum()
    check_grads(lintra.jit(loss), (w1, w2), order=1, modes=("rev",))


def test_preferred_element_type_gradient():
    """bf16 operands with f32 accumulation: gradients come back in bf16, computed in f32."""
    bf16 = ml_dtypes.bfloat16
    x, w = RNG.standard_normal((1, 2, 4, 4)).astype(bf16), RNG.standard_normal((3, 2, 2, 2)).astype(bf16)
    f = lambda x, w: lax.conv_general_dilated(x, w, (1, 1), "VALID", preferred_element_type=np.float32).sum()
    gx, gw = lintra.grad(f, argnums=(0, 1))(x, w)
    assert gx.dtype == bf16 and gw.dtype == bf16
    # d/dx sum(conv(x, w)) = sum of w over out features, spread over every window position
    x32, w32 = x.astype(np.float32), w.astype(np.float32)
    gw_want = np.asarray(lintra.grad(lambda w: lax.conv(x32, w, (1, 1), "VALID").sum())(w32))
    np.testing.assert_allclose(np.asarray(gw, np.float32), gw_want, rtol=2e-2, atol=2e-2)


# ---- vmap ------------------------------------------------------------------------------------------------------

BATCH_CASES = [
    ("plain", (2, 3, 5, 5), (4, 3, 3, 3), dict(window_strides=(1, 1), padding="SAME")),
    ("nhwc-strided", (2, 5, 5, 3), (2, 2, 3, 4), dict(window_strides=(2, 1), padding="VALID",
                                                     dimension_numbers=("NHWC", "HWIO", "NHWC"))),
    ("feature-groups", (2, 4, 4, 4), (6, 2, 2, 2), dict(window_strides=(1, 1), padding="VALID",
                                                       feature_group_count=2)),
    ("batch-groups", (4, 3, 4, 4), (6, 3, 2, 2), dict(window_strides=(1, 1), padding="VALID",
                                                     batch_group_count=2)),
]
B = 3


@pytest.mark.parametrize("name, ls, rs, kw", BATCH_CASES, ids=[c[0] for c in BATCH_CASES])
@pytest.mark.parametrize("axes", [(0, None), (None, 2), (1, 3)], ids=["lhs", "rhs", "both"])
def test_vmap_matches_loop(name, ls, rs, kw, axes):
    la, ra = axes
    lhs = RNG.standard_normal(ls if la is None else ls[:la] + (B,) + ls[la:]).astype(np.float32)
    rhs = RNG.standard_normal(rs if ra is None else rs[:ra] + (B,) + rs[ra:]).astype(np.float32)
    f = lambda l, r: lax.conv_general_dilated(l, r, **kw)
    got = lintra.jit(lintra.vmap(f, in_axes=axes))(lhs, rhs)
    take = lambda a, ax, i: a if ax is None else np.take(a, i, axis=ax)
    want = np.stack([np.asarray(f(take(lhs, la, i), take(rhs, ra, i))) for i in range(B)])
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-5)


def test_vmap_of_grad():
    """Per-example kernel gradients: vmap over the batch of grad w.r.t. the kernel."""
    x = RNG.standard_normal((B, 1, 2, 5, 5)).astype(np.float32)
    w = RNG.standard_normal((3, 2, 3, 3)).astype(np.float32)
    g = lambda x, w: lintra.grad(lambda w: (lax.conv(x, w, (1, 1), "SAME") ** 2).sum())(w)
    got = lintra.jit(lintra.vmap(g, in_axes=(0, None)))(x, w)
    want = np.stack([np.asarray(g(x[i], w)) for i in range(B)])
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=1e-4)


# ---- wrappers ----------------------------------------------------------------------------------------------

def test_conv_dimension_numbers():
    assert lax.conv_dimension_numbers((1, 2, 3, 4), (1, 2, 3, 4), ("NHWC", "HWIO", "NHWC")) == \
        lax.ConvDimensionNumbers(lhs_spec=(0, 3, 1, 2), rhs_spec=(3, 2, 0, 1), out_spec=(0, 3, 1, 2))
    assert lax.conv_dimension_numbers((1, 2, 3), (1, 2, 3), None) == lax.ConvDimensionNumbers((0, 1, 2), (0, 1, 2),
                                                                                                (0, 1, 2))
    # spatial dimensions in the kernel's order (JAX 0.10.2 gives these)
    assert lax.conv_dimension_numbers((1,) * 4, (1,) * 4, ("NWHC", "HWOI", "CHWN")) == \
        lax.ConvDimensionNumbers(lhs_spec=(0, 3, 2, 1), rhs_spec=(2, 3, 0, 1), out_spec=(3, 0, 1, 2))
    dn = lax.ConvDimensionNumbers((0, 1, 2), (0, 1, 2), (0, 1, 2))
    assert lax.conv_dimension_numbers((1, 2), (3, 4), dn) is dn


@pytest.mark.parametrize("dn, message", [
    (("NCH", "OIH"), "must be length 3"),
    (("NCH", "OIH", "NCHW"), "must have len equal"),
    (("NCH", "OXH", "NCH"), "'O' and 'I' exactly once"),
    (("NCH", "OIW", "NCH"), "same set of spatial"),
    ("NCH", "must be tuple/list or None"),
])
def test_conv_dimension_number_errors(dn, message):
    with pytest.raises(TypeError, match=message):
        lax.conv_dimension_numbers((1, 2, 3), (1, 2, 3), dn)


def test_padtype_to_pads():
    # JAX 0.10.2: lax.padtype_to_pads((7, 8), (3, 2), (2, 3), p)
    assert lax.padtype_to_pads((7, 8), (3, 2), (2, 3), "SAME") == [(1, 1), (0, 0)]
    assert lax.padtype_to_pads((6, 8), (3, 4), (2, 3), "SAME") == [(0, 1), (1, 1)]
    assert lax.padtype_to_pads((6, 8), (3, 4), (2, 3), "SAME_LOWER") == [(1, 0), (1, 1)]
    assert lax.padtype_to_pads((6, 8), (3, 4), (2, 3), "VALID") == [(0, 0), (0, 0)]


def test_wrappers_agree_with_conv_general_dilated():
    x = RNG.standard_normal((2, 3, 7, 6)).astype(np.float32)
    w = RNG.standard_normal((4, 3, 3, 2)).astype(np.float32)
    same = lax.conv_general_dilated(x, w, (1, 2), "SAME")
    np.testing.assert_array_equal(np.asarray(lax.conv(x, w, (1, 2), "SAME")), np.asarray(same))
    gp = lax.conv_with_general_padding(x, w, (1, 1), ((1, 0), (0, 2)), (2, 1), (1, 2))
    np.testing.assert_array_equal(np.asarray(gp), np.asarray(lax.conv_general_dilated(
        x, w, (1, 1), ((1, 0), (0, 2)), (2, 1), (1, 2))))


# JAX 0.10.2: lax.conv_transpose(x, w, (2, 2), p) for x = arange(1*3*3*2).reshape(1, 3, 3, 2) / 10 and
# w = arange(2*2*2*1).reshape(2, 2, 2, 1) / 10 (NHWC, HWIO), [0, :, :, 0]
CONV_T_SAME = [[0.07, 0.05, 0.33, 0.23, 0.59], [0.03, 0.01, 0.13, 0.03, 0.23], [0.85, 0.59, 1.11, 0.77, 1.37],
               [0.33, 0.07, 0.43, 0.09, 0.53], [1.63, 1.13, 1.89, 1.31, 2.15]]


def test_conv_transpose_matches_jax():
    x = (np.arange(18, dtype=np.float32) / 10).reshape(1, 3, 3, 2)
    w = (np.arange(8, dtype=np.float32) / 10).reshape(2, 2, 2, 1)
    got = lax.conv_transpose(x, w, (2, 2), "SAME")
    assert got.shape == (1, 6, 6, 1)
    np.testing.assert_allclose(np.asarray(got)[0, :5, :5, 0], CONV_T_SAME, rtol=1e-5, atol=1e-6)
    assert lax.conv_transpose(x, w, (2, 2), "VALID").shape == (1, 6, 6, 1)
    assert lax.conv_transpose(x, w, (1, 1), ((1, 1), (0, 1))).shape == (1, 4, 3, 1)


def test_conv_transpose_with_transpose_kernel_is_the_gradient_of_conv():
    """transpose_kernel=True computes the (lhs) gradient of the forward strided convolution."""
    x = RNG.standard_normal((1, 6, 6, 2)).astype(np.float32)
    w = RNG.standard_normal((3, 3, 2, 4)).astype(np.float32)
    dn = ("NHWC", "HWIO", "NHWC")
    fwd = lambda x: lax.conv_general_dilated(x, w, (2, 2), "SAME", dimension_numbers=dn)
    ct = RNG.standard_normal(fwd(x).shape).astype(np.float32)
    grad_x = lintra.vjp(fwd, x)[1](ct)[0]
    via_transpose = lax.conv_transpose(ct, w, (2, 2), "SAME", dimension_numbers=dn, transpose_kernel=True)
    np.testing.assert_allclose(np.asarray(via_transpose), np.asarray(grad_x), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("call, error, message", [
    (lambda x, w: lax.conv_general_dilated(x, w, (1, 1), "SAME", lhs_dilation=(2, 1)), ValueError,
     "String padding is not implemented for transposed convolution"),
    (lambda x, w: lax.conv_general_dilated(x, w, (1,), "VALID"), TypeError, "window_strides must have 2"),
    (lambda x, w: lax.conv_general_dilated(x, w.astype(np.int32), (1, 1), "VALID"), TypeError, "same dtypes"),
    (lambda x, w: lax.conv_general_dilated(x, w, (1, 1), "FULL"), RuntimeError, "Unrecognized padding"),
    (lambda x, w: lax.conv_general_dilated(x, w, (1, 1), "VALID", precision="fast"), ValueError, "precision"),
    (lambda x, w: lax.conv_general_dilated(x, w, (1, 1), "VALID", feature_group_count=2), TypeError,
     "feature_group_count"),
])
def test_errors(call, error, message):
    x, w = np.ones((1, 3, 4, 4), np.float32), np.ones((2, 3, 2, 2), np.float32)
    with pytest.raises(error, match=message):
        call(x, w)


def test_ir_text_round_trip():
    """Convolution and windowed-reduction ops (attributes: nested specs, precision pairs, dtypes; a reduce
    region) print and parse back to the same text, and verify."""
    x, w = np.ones((2, 5, 5, 3), np.float32), np.ones((3, 3, 3, 4), np.float32)

    def f(x, w):
        y = lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"),
                                     precision="high", preferred_element_type=np.float32)
        y = lax.reduce_window(y, -np.inf, lax.max, (1, 2, 2, 1), (1, 1, 1, 1), "VALID")
        return lax.reduce(y, 0.0, lambda a, b: a + 2 * b, (1, 2))
    for fun in (f, lintra.grad(lambda x, w: f(x, w).sum())):
        text = str(lintra.make_ir(fun)(x, w))
        parsed = parse_func(text)
        verify(parsed)
        assert str(parsed) == text
    assert 'precision = ["HIGH", "HIGH"]' in str(lintra.make_ir(f)(x, w))


# JAX 0.10.2: lax.conv_general_dilated_patches on x = arange(2*5*4*3).reshape(2, 5, 4, 3) / 7
PATCHES_NHWC = [15.4286, 15.8571, 16.2857, 0.0, 0.0, 0.0, 15.5714, 16.0, 16.4286, 0.0, 0.0, 0.0, 15.7143, 16.1429,
                16.5714, 0.0, 0.0, 0.0]
PATCHES_NCHW = [1.7143, 2.5714, 3.4286, 4.2857, 1.8571, 2.7143, 3.5714, 4.4286, 2.0, 2.8571, 3.7143, 4.5714]


def test_conv_general_dilated_patches_matches_jax():
    x = (np.arange(2 * 5 * 4 * 3, dtype=np.float32) / 7).reshape(2, 5, 4, 3)
    p = lax.conv_general_dilated_patches(x, (2, 3), (2, 1), "SAME", dimension_numbers=("NHWC", "OIHW", "NHWC"))
    assert p.shape == (2, 3, 4, 18)
    np.testing.assert_allclose(np.asarray(p)[1, 2, 1], PATCHES_NHWC, atol=1e-4)
    p = lax.conv_general_dilated_patches(np.moveaxis(x, 3, 1), (2, 2), (1, 1), "VALID", rhs_dilation=(1, 2))
    assert p.shape == (2, 12, 4, 2)
    np.testing.assert_allclose(np.asarray(p)[0, :, 1, 0], PATCHES_NCHW, atol=1e-4)
