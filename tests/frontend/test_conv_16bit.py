"""lax.conv_general_dilated on bfloat16 and float16 operands: the result dtype is the operands' (or
preferred_element_type's, float32 here), and the gradients come back in the operands' dtype, as JAX 0.10.2
gives (recorded: bf16 x bf16 -> bf16, with preferred_element_type=float32 -> f32; grads bf16 either way;
the same for float16). Values are checked against a float32 convolution of the same (exactly
representable) 16-bit inputs: with a float32 result only summation order differs, with a 16-bit result
one rounding to the 16-bit dtype (relative error below its epsilon) does."""
import ml_dtypes
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax

RNG = np.random.default_rng(7)
DTYPES = {"bfloat16": ml_dtypes.bfloat16, "float16": np.float16}
KW = dict(window_strides=(2, 1), padding=((1, 0), (1, 1)), rhs_dilation=(1, 2))


def _conv_ref(x, w, window_strides, padding, rhs_dilation):
    """NCHW x OIHW -> NCHW in float64 with NumPy: pad, then sum over the dilated window taps."""
    x = np.pad(x.astype(np.float64), ((0, 0), (0, 0)) + tuple(padding))
    w = w.astype(np.float64)
    (sh, sw), (dh, dw) = window_strides, rhs_dilation
    kh, kw = w.shape[2:]
    oh = (x.shape[2] - (kh - 1) * dh - 1) // sh + 1
    ow = (x.shape[3] - (kw - 1) * dw - 1) // sw + 1
    out = np.zeros((x.shape[0], w.shape[0], oh, ow))
    for i in range(kh):
        for j in range(kw):
            patch = x[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh, j * dw:j * dw + sw * (ow - 1) + 1:sw]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    return out


def _operands(dtype):
    x = RNG.standard_normal((2, 3, 6, 7)).astype(dtype)
    w = RNG.standard_normal((4, 3, 3, 2)).astype(dtype)
    return x, w


@pytest.mark.parametrize("name", sorted(DTYPES))
@pytest.mark.parametrize("preferred", [None, np.float32], ids=["default", "f32"])
def test_forward_dtype_and_values(name, preferred):
    dtype = DTYPES[name]
    x, w = _operands(dtype)
    out = lintra.jit(lambda x, w: lax.conv_general_dilated(x, w, preferred_element_type=preferred, **KW))(x, w)
    want_dtype = np.dtype(np.float32) if preferred else np.dtype(dtype)
    assert out.dtype == want_dtype
    ref = _conv_ref(x, w, **KW)
    assert out.shape == ref.shape
    # a 16-bit result is rounded once (plus, possibly, 16-bit partial sums): tolerance a few epsilons
    eps = float(ml_dtypes.finfo(dtype).eps) if preferred is None else 1e-6
    np.testing.assert_allclose(np.asarray(out, np.float64), ref, rtol=4 * eps, atol=4 * eps * np.abs(ref).max())


@pytest.mark.parametrize("name", sorted(DTYPES))
@pytest.mark.parametrize("preferred", [None, np.float32], ids=["default", "f32"])
def test_grad_dtype_and_values(name, preferred):
    dtype = DTYPES[name]
    x, w = _operands(dtype)
    ct = RNG.standard_normal(_conv_ref(x, w, **KW).shape).astype(np.float32)

    def loss(x, w):
        out = lax.conv_general_dilated(x, w, preferred_element_type=preferred, **KW)
        return jnp.sum(out.astype(np.float32) * ct)

    gx, gw = lintra.jit(lintra.grad(loss, argnums=(0, 1)))(x, w)
    assert gx.dtype == np.dtype(dtype) and gw.dtype == np.dtype(dtype)
    # reference: the same loss in float32 on the same values
    rx, rw = lintra.grad(lambda x, w: jnp.sum(lax.conv_general_dilated(x, w, **KW) * ct), argnums=(0, 1))(
        x.astype(np.float32), w.astype(np.float32))
    eps = float(ml_dtypes.finfo(dtype).eps)
    for got, ref in ((gx, rx), (gw, rw)):
        ref = np.asarray(ref, np.float64)
        # the cotangent is rounded to 16 bits, then each gradient entry (a sum of products) once more
        np.testing.assert_allclose(np.asarray(got, np.float64), ref, rtol=8 * eps, atol=8 * eps * np.abs(ref).max())
