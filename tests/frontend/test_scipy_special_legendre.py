"""lintra.scipy.special.sph_harm_y, lpmn and lpmn_values against SciPy (sph_harm_y, assoc_legendre_p_all with
its derivatives, sph_legendre_p_all), derivatives of sph_harm_y against finite differences, and JAX 0.10.2's
recorded values, options, deprecations and errors."""
import warnings

import numpy as np
import pytest
import scipy.special as ss

import lintra
import lintra.scipy.special as S
from lintra.test_util import check_grads

rng = np.random.default_rng(4)


def _lpmn(*args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return S.lpmn(*args)


def _lpmn_values(*args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return S.lpmn_values(*args)


@pytest.mark.parametrize("l_max", [0, 1, 2, 5, 9])
def test_lpmn_values_and_derivatives(l_max, x64):
    z = np.concatenate([rng.uniform(-0.99, 0.99, size=7), [-1.0, 0.0, 1.0]])
    p, dp = _lpmn(l_max, l_max, z)
    assert p.shape == dp.shape == (l_max + 1, l_max + 1, len(z)) and p.dtype == np.float64
    # SciPy: [diff order, degree, order (0..m, then negative orders), point]
    want = ss.assoc_legendre_p_all(l_max, l_max, z, diff_n=1)[:, :, :l_max + 1]
    np.testing.assert_allclose(np.asarray(p), np.swapaxes(want[0], 0, 1), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.asarray(dp), np.swapaxes(want[1], 0, 1), rtol=1e-11, atol=1e-11)


def test_lpmn_float32_and_normalized(x64):
    z = rng.uniform(-1, 1, size=6)
    p, _ = _lpmn(4, 4, z.astype(np.float32))
    assert p.dtype == np.float32
    want = np.swapaxes(ss.assoc_legendre_p_all(4, 4, z)[0][:, :5], 0, 1)
    np.testing.assert_allclose(np.asarray(p), want, rtol=1e-5, atol=1e-5)
    # normalized: P(m, l, cos theta) is SciPy's sph_legendre_p(l, m, theta)
    q = _lpmn_values(6, 6, z, True)
    want = np.swapaxes(ss.sph_legendre_p_all(6, 6, np.arccos(z))[0][:, :7], 0, 1)
    np.testing.assert_allclose(np.asarray(q), want, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(np.asarray(_lpmn_values(3, 3, z, False)), np.asarray(_lpmn(3, 3, z)[0]))
    # recorded from JAX 0.10.2: lpmn_values(2, 2, [0.3], True)[:, :, 0]
    np.testing.assert_allclose(np.asarray(_lpmn_values(2, 2, np.array([0.3]), True))[:, :, 0],
                               [[0.28209479, 0.14658075, -0.23023584], [0, -0.32958041, -0.22108926],
                                [0, 0, 0.35150952]], atol=1e-8)


def test_lpmn_errors_and_deprecation():
    with pytest.warns(DeprecationWarning, match="jax.scipy.special.lpmn is deprecated; no replacement is planned"):
        S.lpmn
    with pytest.warns(DeprecationWarning, match="lpmn_values is deprecated"):
        S.lpmn_values
    with pytest.raises(AttributeError, match="sph_harm was deprecated in v0.7.0 and removed in v0.10.0"):
        S.sph_harm
    with pytest.raises(NotImplementedError, match="m!=n"):
        _lpmn(2, 3, np.ones(2, np.float32))
    with pytest.raises(ValueError, match="z must be a 1D array"):
        _lpmn(2, 2, np.ones((2, 2), np.float32))
    with pytest.raises(TypeError, match="z.dtype=int32 is not supported"):
        _lpmn_values(2, 2, np.ones(2, np.int32), False)


def _random_degrees(size, n_top=8):
    n = rng.integers(0, n_top + 1, size=size)
    m = np.array([rng.integers(-k, k + 1) for k in n])
    return n, m


@pytest.mark.parametrize("dtype, tol", [(np.float32, 2e-5), (np.float64, 1e-12)], ids=["f32", "f64"])
def test_sph_harm_y_against_scipy(dtype, tol, x64):
    n, m = _random_degrees(40)
    theta, phi = rng.uniform(0, np.pi, size=40), rng.uniform(0, 2 * np.pi, size=40)
    got = S.sph_harm_y(n, m, theta.astype(dtype), phi.astype(dtype))
    assert got.dtype == np.complex128 and got.shape == (40,)      # JAX: complex128 with x64, even from f32
    np.testing.assert_allclose(np.asarray(got), ss.sph_harm_y(n, m, theta, phi), rtol=tol * 10, atol=tol)


# JAX 0.10.2: complex64 with x64 off; with it on, complex128 whatever the angles' dtype (the sign (-1.0) ** |m|
# is a strong float64 that the result joins); float16/bfloat16 angles are rejected by lax.complex
@pytest.mark.parametrize("enable_x64", [False, True])
@pytest.mark.parametrize("angle_dtype", ["float32", "float64", "int32"])
@pytest.mark.parametrize("degree_dtype", ["int32", "int64"])
def test_sph_harm_y_dtype(enable_x64, angle_dtype, degree_dtype, request):
    if enable_x64:
        request.getfixturevalue("x64")
    th = np.array([0.3, 0.5], angle_dtype)
    deg = np.array([1, 2], degree_dtype)
    got = S.sph_harm_y(deg, deg - 1, th, th.astype(np.float32))
    assert got.dtype == (np.complex128 if enable_x64 else np.complex64)
    with pytest.raises(TypeError, match="complex"):
        S.sph_harm_y(deg, deg, th.astype(np.float16), th.astype(np.float16))


def test_sph_harm_y_recorded_and_options(x64):
    n, m = np.array([2, 3]), np.array([1, -2])
    # recorded from JAX 0.10.2
    np.testing.assert_allclose(np.asarray(S.sph_harm_y(n, m, np.array([0.4, 1.1]), np.array([0.3, 2.0]))),
                               [-0.26472006 - 0.08188751j, -0.24066482 + 0.27864685j], atol=1e-8)
    # a scalar theta applies to every entry
    np.testing.assert_allclose(np.asarray(S.sph_harm_y(n, m, 0.4, np.array([0.3, 2.0]))),
                               [-0.26472006 - 0.08188751j, -0.09330544 + 0.10803102j], atol=1e-8)
    # degrees above n_max are clipped to it (JAX: sph_harm_y([10], [2], ..., n_max=6) = sph_harm_y([6], [2], ...))
    clipped = S.sph_harm_y(np.array([10]), np.array([2]), np.array([0.7]), np.array([0.2]), n_max=6)
    np.testing.assert_allclose(np.asarray(clipped), [0.21950211 + 0.092804j], atol=1e-8)
    jitted = lintra.jit(lambda n, t: S.sph_harm_y(n, np.array([0]), t, np.array([0.2]), n_max=3))
    np.testing.assert_allclose(np.asarray(jitted(np.array([3]), np.array([0.7]))),
                               ss.sph_harm_y(3, 0, 0.7, 0.2), atol=1e-12)
    with pytest.raises(TypeError, match="`n_max` argument .* must be statically specified"):
        lintra.jit(lambda n: S.sph_harm_y(n, np.array([0]), np.array([0.7]), np.array([0.2])))(np.array([2]))
    with pytest.raises(NotImplementedError, match="'diff_n' argument .* is not supported"):
        S.sph_harm_y(n, m, 0.4, 0.3, diff_n=1)


def test_sph_harm_y_derivatives(x64):
    n, m = np.array([0, 1, 3, 4, 5]), np.array([0, -1, 2, -4, 3])
    theta, phi = np.array([0.3, 1.0, 2.0, 2.7, 1.4]), np.array([0.1, 2.0, 4.0, 5.5, 3.0])
    f = lambda t, p: S.sph_harm_y(n, m, t, p)
    check_grads(lambda t, p: (f(t, p).real, f(t, p).imag), (theta, phi), order=2)
    # JAX 0.10.2: grad of Re Y_3^2(theta, 0.5) at theta = 0.7 is 0.26855472
    g = lintra.grad(lambda t: S.sph_harm_y(np.array([3]), np.array([2]), t, np.array([0.5]))[0].real)(np.array([0.7]))
    np.testing.assert_allclose(np.asarray(g), [0.26855472], rtol=1e-7)
