"""jnp.convolve / jnp.correlate against NumPy and lintra.scipy.signal (convolve, convolve2d, correlate,
correlate2d, fftconvolve) against SciPy, every mode, real and complex, inputs larger or smaller than each
other; derivatives against finite differences and vmap against a loop."""
import numpy as np
import pytest
import scipy.signal as ss

import lintra
import lintra.numpy as jnp
import lintra.scipy.signal as ls
from lintra.test_util import check_grads

RNG = np.random.default_rng(0)
MODES = ["full", "same", "valid"]


def _make(shape, complex_):
    x = RNG.standard_normal(shape) + (1j * RNG.standard_normal(shape) if complex_ else 0)
    return x.astype(np.complex64 if complex_ else np.float32)


@pytest.mark.parametrize("complex_", [False, True], ids=["real", "complex"])
@pytest.mark.parametrize("sizes", [(7, 3), (3, 6), (4, 4), (1, 5)], ids=str)
def test_numpy_convolve_and_correlate(sizes, complex_):
    a, v = _make(sizes[:1], complex_), _make(sizes[1:], complex_)
    for mode in MODES:
        for ours, theirs in ((jnp.convolve, np.convolve), (jnp.correlate, np.correlate)):
            got, want = ours(a, v, mode), theirs(a, v, mode)
            assert got.shape == want.shape and got.dtype == a.dtype, (ours.__name__, mode)
            np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-5, err_msg=f"{ours.__name__} {mode}")


def test_numpy_convolve_dtypes_and_defaults():
    assert jnp.convolve(np.arange(3), np.arange(2)).dtype == np.float32       # integers compute in floats
    np.testing.assert_array_equal(np.asarray(jnp.convolve(np.arange(3), np.arange(2))), [0, 0, 1, 2])
    assert jnp.correlate(np.arange(5.0), np.ones(2)).shape == (4,)            # 'valid' is correlate's default
    out = jnp.convolve(np.arange(3, dtype=np.int32), np.arange(2, dtype=np.int32), preferred_element_type=np.int32)
    assert out.dtype == np.int32


SIGNAL_CASES = [((7,), (3,)), ((3,), (6,)), ((5, 6), (2, 3)), ((3, 3), (4, 5)), ((4, 4), (4, 4)), ((4, 5, 3), (2, 2, 3))]


@pytest.mark.parametrize("complex_", [False, True], ids=["real", "complex"])
@pytest.mark.parametrize("s1, s2", SIGNAL_CASES, ids=[f"{a}-{b}" for a, b in SIGNAL_CASES])
def test_scipy_signal(s1, s2, complex_):
    a, b = _make(s1, complex_), _make(s2, complex_)
    funs = [(ls.convolve, ss.convolve), (ls.correlate, ss.correlate), (ls.fftconvolve, ss.fftconvolve)]
    if len(s1) == 2:
        funs += [(ls.convolve2d, ss.convolve2d), (ls.correlate2d, ss.correlate2d)]
    for mode in MODES:
        for ours, theirs in funs:
            if mode == "valid" and not (all(x >= y for x, y in zip(s1, s2)) or all(x <= y for x, y in zip(s1, s2))):
                continue
            want = theirs(a, b, mode)
            got = ours(a, b, mode)
            assert got.shape == want.shape, (ours.__name__, mode, got.shape, want.shape)
            np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=1e-4, err_msg=f"{ours.__name__} {mode}")


def test_convolve_method_fft_and_fftconvolve_axes():
    a, b = _make((3, 8), False), _make((3, 4), False)
    np.testing.assert_allclose(np.asarray(ls.convolve(a, b, method="fft")), ss.convolve(a, b, method="fft"),
                               rtol=1e-4, atol=1e-4)
    got = ls.fftconvolve(a, b, mode="same", axes=1)
    np.testing.assert_allclose(np.asarray(got), ss.fftconvolve(a, b, mode="same", axes=1), rtol=1e-4, atol=1e-4)


def test_derivatives(x64):
    a, v = RNG.standard_normal(6), RNG.standard_normal(3)
    check_grads(lintra.jit(lambda a, v: jnp.convolve(a, v, "same")), (a, v), order=2, atol=1e-6, rtol=1e-6)
    check_grads(lintra.jit(lambda a, v: jnp.correlate(a, v, "full")), (a, v), order=1, atol=1e-6, rtol=1e-6)
    x, k = RNG.standard_normal((4, 5)), RNG.standard_normal((2, 3))
    check_grads(lintra.jit(lambda x, k: ls.correlate2d(x, k, "valid")), (x, k), order=1, atol=1e-6, rtol=1e-6)
    check_grads(lintra.jit(lambda x, k: ls.fftconvolve(x, k, "full")), (x, k), order=1, atol=1e-6, rtol=1e-6)


def test_vmap_matches_loop():
    xs, k = _make((3, 8), False), _make((3,), False)
    got = lintra.jit(lintra.vmap(lambda x: jnp.convolve(x, k, "same")))(xs)
    np.testing.assert_allclose(np.asarray(got), np.stack([np.convolve(x, k, "same") for x in xs]), rtol=1e-5,
                               atol=1e-5)
    ks = _make((3, 2, 2), False)
    got = lintra.vmap(lambda k: ls.convolve2d(xs, k, "valid"))(ks)
    np.testing.assert_allclose(np.asarray(got), np.stack([ss.convolve2d(xs, k, "valid") for k in ks]), rtol=1e-5,
                               atol=1e-5)


@pytest.mark.parametrize("call, error, message", [
    (lambda: jnp.convolve(np.ones((2, 2)), np.ones(2)), ValueError, "only support 1-dimensional"),
    (lambda: jnp.convolve(np.ones(3), np.ones(0)), ValueError, "cannot be empty"),
    (lambda: jnp.correlate(np.ones(3), np.ones(2), "middle"), ValueError, "mode must be one of"),
    (lambda: jnp.convolve([1.0, 2.0], np.ones(2)), TypeError, "jnp.asarray"),
    (lambda: ls.convolve(np.ones((3, 2)), np.ones((2, 3)), "valid"), ValueError, "smaller than the other"),
    (lambda: ls.convolve(np.ones(3), np.ones((2, 2))), ValueError, "same number of dimensions"),
    (lambda: ls.convolve(np.ones(3), np.ones(2), method="winograd"), ValueError, "expected 'auto'"),
    (lambda: ls.convolve2d(np.ones((3, 3)), np.ones((2, 2)), boundary="wrap"), NotImplementedError, "fill"),
    (lambda: ls.correlate2d(np.ones(3), np.ones(2)), ValueError, "2-dimensional"),
    (lambda: ls.fftconvolve(np.ones((3, 2)), np.ones((2, 2)), axes=1), ValueError, "mapped axes"),
])
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
