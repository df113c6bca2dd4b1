"""jax.lax's special-function primitives against SciPy, in f32 and f64, eager and under jit, over grids
that include the edge values (0, 1, inf, nan, negative arguments); f16 and bf16 are computed in f32, as
JAX does. igamma_grad_a and random_gamma_grad have no SciPy counterpart: they are checked against values
JAX 0.10.2 gives, recorded here, and against finite differences of igamma."""
import ml_dtypes
import numpy as np
import pytest
import scipy.special as ss

import lintra
from lintra import lax

F16, BF16, F32, F64 = np.dtype("float16"), np.dtype(ml_dtypes.bfloat16), np.dtype("float32"), np.dtype("float64")
TOL = {F16: 5e-3, BF16: 3e-2, F32: 5e-5, F64: 1e-11}

A = np.array([0.01, 0.1, 0.5, 1., 1., 2.5, 5., 10., 30., 100., 0., -1., np.nan, 3.])
X = np.array([0.5, 0.01, 0.3, 1., 5., 2., 7., 3., 40., 90., 1., 1., 1., np.inf])
X01 = np.array([0.5, 0.01, 0.3, 0.99, 0.7, 0.2, 0.6, 0.9, 0.4, 0.5, 0., 1., 0.5, 1.5])
XS = np.array([0., 1e-9, 0.3, -0.3, 1., -2.5, 7.9, 8.1, -20., 100., 700., np.inf, -np.inf, np.nan])

CASES = {
    # name: (lax function, SciPy reference, arguments)
    "igamma": (lax.igamma, ss.gammainc, (A, X)),
    "igammac": (lax.igammac, ss.gammaincc, (A, X)),
    "regularized_incomplete_beta": (lax.betainc, ss.betainc, (np.abs(A[::-1]) + 0.2, np.abs(A) + 0.3, X01)),
    "polygamma": (lax.polygamma, ss.polygamma, (np.array([0., 1., 2., 3., 1., 0., 4.]),
                                                np.array([0.5, 2., 0.1, 7., 30., -0.5, 1.5]))),
    "zeta": (lax.zeta, ss.zeta, (np.array([2., 3., 1.5, 10., 1., 4.5, 2.]), np.array([1., 0.5, 3., 2., 1., 10., -1.]))),
    "bessel_i0e": (lax.bessel_i0e, ss.i0e, (XS,)),
    "bessel_i1e": (lax.bessel_i1e, ss.i1e, (XS,)),
}
COVERED_PRIMITIVES = set(CASES) | {"igamma_grad_a", "random_gamma_grad"}


def _close(got, want, dtype):
    got = np.asarray(got, np.float64)
    np.testing.assert_allclose(got, want, rtol=TOL[dtype], atol=TOL[dtype], equal_nan=True)


@pytest.mark.parametrize("jit", [False, True], ids=["eager", "jit"])
@pytest.mark.parametrize("dtype", [F32, F64], ids=["f32", "f64"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_against_scipy(name, dtype, jit, x64):
    fun, ref, args = CASES[name]
    args = [a.astype(dtype) for a in args]
    got = (lintra.jit(fun) if jit else fun)(*args)
    assert got.dtype == dtype and got.shape == args[0].shape
    with np.errstate(all="ignore"):
        want = ref(*[a.astype(np.float64) for a in args])
    _close(got, want, dtype)


@pytest.mark.parametrize("dtype", [F16, BF16], ids=["f16", "bf16"])
@pytest.mark.parametrize("name", ["igamma", "regularized_incomplete_beta", "bessel_i0e", "polygamma"])
def test_narrow_floats_compute_in_f32(name, dtype):
    fun, ref, args = CASES[name]
    args = [a.astype(dtype) for a in args]
    got = fun(*args)
    assert got.dtype == dtype
    with np.errstate(all="ignore"):
        want = ref(*[a.astype(np.float64) for a in args])
    _close(got, want.astype(dtype), dtype)


def test_shapes_2d_and_scalars():
    a, x = np.full((2, 3), 2.0, np.float32), np.linspace(0.5, 4, 6, dtype=np.float32).reshape(2, 3)
    _close(lax.igamma(a, x), ss.gammainc(a, x), F32)
    _close(lax.igammac(np.float32(2.), np.float32(3.)), ss.gammaincc(2., 3.), F32)


# JAX 0.10.2: lax.igamma_grad_a(A2, X2) and lax.random_gamma_grad(A2, X2) in float64
A2 = np.array([0.5, 1., 2., 5., 10., 0.1, 3.])
X2 = np.array([0.3, 1.5, 2., 7., 3., 0.01, 20.])
JAX_IGAMMA_GRAD_A = [-0.770570351375352, -0.3192853006630692, -0.29400469074623065, -0.11107537527157675,
                     -0.001415636460575206, -2.7761608124254216, -9.680603996077374e-07]
JAX_RANDOM_GAMMA_GRAD = [1.0098019459488552, 1.4309374423012802, 1.086208576636328, 1.2175820702143667,
                         0.5242119606014377, 0.4227934381297027, 2.348346064720834]


def test_igamma_grad_a_matches_jax_and_finite_differences(x64):
    got = np.asarray(lax.igamma_grad_a(A2, X2))
    np.testing.assert_allclose(got, JAX_IGAMMA_GRAD_A, rtol=1e-10)
    h = 1e-6
    fd = (ss.gammainc(A2 + h, X2) - ss.gammainc(A2 - h, X2)) / (2 * h)
    np.testing.assert_allclose(got, fd, rtol=1e-5, atol=1e-9)
    assert np.isnan(np.asarray(lax.igamma_grad_a(np.array([0., -1.]), np.array([1., 1.])))).all()


def test_random_gamma_grad_matches_jax_and_the_implicit_derivative(x64):
    got = np.asarray(lax.random_gamma_grad(A2, X2))
    np.testing.assert_allclose(got, JAX_RANDOM_GAMMA_GRAD, rtol=1e-10)
    # dx/da along P(a, x) = const: -(dP/da) / (dP/dx)
    density = np.exp(-X2 + (A2 - 1) * np.log(X2) - ss.gammaln(A2))
    np.testing.assert_allclose(got, -np.asarray(JAX_IGAMMA_GRAD_A) / density, rtol=1e-8)
    np.testing.assert_allclose(np.asarray(lax.random_gamma_grad(np.float32(2.), np.float32(0.))), 0.)


def test_type_rule_rejects_integers_and_mismatched_shapes():
    with pytest.raises(TypeError, match="igamma: expected floating-point operand"):
        lax.igamma(np.array([1, 2], np.int32), np.array([1, 2], np.int32))
    with pytest.raises(TypeError, match="regularized_incomplete_beta: operands must have the same shape"):
        lax.betainc(np.ones(2, np.float32), np.ones(3, np.float32), np.ones(2, np.float32))
