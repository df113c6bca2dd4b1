"""Elementwise and along-axis functions added for jax.numpy's namespace: values against NumPy, dtypes as
JAX 0.10.2 gives them (read off JAX and recorded here), derivatives against finite differences."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra.test_util import check_grads

I = np.array([-3, 5, 12], np.int32)
U8 = np.array([3, 5, 255], np.uint8)
F = np.array([-1.5, 0.25, 3.0], np.float32)
Z = np.array([1 + 1j, -2j], np.complex64)
B = np.array([True, False])


def _same(r, want, dtype):
    assert r.dtype == np.dtype(dtype), (r.dtype, dtype)
    np.testing.assert_allclose(np.asarray(r), want, rtol=2e-6, atol=1e-7)


# (call, expected value from JAX 0.10.2, expected dtype)
@pytest.mark.parametrize("f, want, dtype", [
    (lambda: jnp.angle(I), [np.pi, 0, 0], np.float32),
    (lambda: jnp.angle(Z), [np.pi / 4, -np.pi / 2], np.float32),
    (lambda: jnp.angle(F, deg=True), [180, 0, 0], np.float32),
    (lambda: jnp.bitwise_count(I), [2, 2, 2], np.uint8),       # counts the bits of |x|
    (lambda: jnp.bitwise_count(U8), [2, 2, 8], np.uint8),
    (lambda: jnp.bitwise_count(B), [1, 0], np.uint8),
    (lambda: jnp.float_power(I, 2), [9, 25, 144], np.float32),
    (lambda: jnp.fmax(np.array([1, np.nan, np.nan], np.float32), np.array([np.nan, 2, np.nan], np.float32)),
     [1, 2, np.nan], np.float32),
    (lambda: jnp.fmin(np.array([1, np.nan, 4], np.float32), np.array([np.nan, 2, 3], np.float32)), [1, 2, 3],
     np.float32),
    (lambda: jnp.fmax(I, 3), [3, 5, 12], np.int32),
    (lambda: jnp.gcd(I, np.array([6, 10, 8], np.int32)), [3, 5, 4], np.int32),
    (lambda: jnp.lcm(I, np.array([6, 10, 8], np.int32)), [6, 10, 24], np.int32),
    (lambda: jnp.gcd(U8, 4), [1, 1, 1], np.uint8),
    (lambda: jnp.gcd(np.int32(1836311903), np.int32(1134903170)), 1, np.int32),   # Fibonacci: Euclid's worst
    (lambda: jnp.lcm(0, 5), 0, np.int32),
    (lambda: jnp.iscomplex(Z), [True, True], np.bool_),
    (lambda: jnp.iscomplex(F), [False, False, False], np.bool_),
    (lambda: jnp.isreal(np.array([1 + 0j, 2j], np.complex64)), [True, False], np.bool_),
    (lambda: jnp.ldexp(F, I), [-0.1875, 8.0, 12288.0], np.float32),
    (lambda: jnp.ldexp(I, I), [-0.375, 160.0, 49152.0], np.float32),
    (lambda: jnp.ldexp(np.float32(3e38), -250), np.ldexp(np.float32(3e38), -250), np.float32),
    (lambda: jnp.ldexp(np.float32(1.0), 200), np.inf, np.float32),
    (lambda: jnp.frexp(F)[0], [-0.75, 0.5, 0.75], np.float32),
    (lambda: jnp.frexp(F)[1], [1, -1, 2], np.int32),
    (lambda: jnp.frexp(I)[0], [-0.75, 0.625, 0.75], np.float32),
    (lambda: jnp.frexp(np.array([0, np.inf, np.nan], np.float32))[1], [0, 0, 0], np.int32),
    (lambda: jnp.modf(F)[0], [-0.5, 0.25, 0.0], np.float32),
    (lambda: jnp.modf(F)[1], [-1.0, 0.0, 3.0], np.float32),
    (lambda: jnp.modf(I)[0], [0, 0, 0], np.float32),
    (lambda: jnp.nextafter(F, np.float32(0)), np.nextafter(F, np.float32(0)), np.float32),
    (lambda: jnp.nextafter(I, 0), np.nextafter(I.astype(np.float32), np.float32(0)), np.float32),
    (lambda: jnp.spacing(F), np.spacing(F), np.float32),
    (lambda: jnp.ptp(I), 15, np.int32),
    (lambda: jnp.ptp(np.array([1, 2], np.uint8)), 1, np.uint8),
    (lambda: jnp.nanargmax(np.array([1, np.nan, 3], np.float32)), 2, np.int32),
    (lambda: jnp.nanargmax(np.array([np.nan, np.nan], np.float32)), -1, np.int32),   # JAX: -1, NumPy raises
    (lambda: jnp.nanargmin(np.array([[1, np.nan], [np.nan, np.nan]], np.float32), axis=1), [0, -1], np.int32),
    (lambda: jnp.nancumsum(np.array([1, np.nan, 3], np.float32)), [1, 1, 4], np.float32),
    (lambda: jnp.nancumprod(np.array([1, 2], np.int8)), [1, 2], np.int8),
    (lambda: jnp.cumulative_sum(I, include_initial=True), [0, -3, 2, 14], np.int32),
    (lambda: jnp.cumsum(np.array([1, 2], np.int8)), [1, 3], np.int8),           # JAX: only bools widen
    (lambda: jnp.cumsum(B), [1, 1], np.int32),
    (lambda: jnp.cumulative_sum(np.array([1, 2], np.int8)), [1, 3], np.int32),
    (lambda: jnp.cumulative_prod(B), [1, 0], np.int32),
    (lambda: jnp.ediff1d(I, to_end=np.array([7]), to_begin=-1), [-1, 8, 7, 7], np.int32),
    (lambda: jnp.ediff1d(U8), [2, 250], np.uint8),
    (lambda: jnp.unwrap(np.array([0., 3., 6.5, -2.], np.float32)), np.unwrap([0., 3., 6.5, -2.]), np.float32),
    (lambda: jnp.unwrap(np.array([0, 3, 7])), np.unwrap([0., 3., 7.]), np.float32),
    (lambda: jnp.sort_complex(I), [-3, 5, 12], np.complex64),
    (lambda: jnp.diff(np.array([True, False, False, True])), [True, False, True], np.bool_),
    (lambda: jnp.diff(U8), [2, 250], np.uint8),
    (lambda: jnp.diff(I, prepend=0, append=np.array([1])), [-3, 8, 7, -11], np.int32),
    (lambda: jnp.acos(np.float32(0.5)), np.arccos(np.float32(0.5)), np.float32),
    (lambda: jnp.atan2(np.float32(1), np.float32(-1)), np.arctan2(1, -1), np.float32),
    (lambda: jnp.pow(I, 2), [9, 25, 144], np.int32),
    (lambda: jnp.concat([I, I]), np.concatenate([I, I]), np.int32),
])
def test_values_and_dtypes_match_jax(f, want, dtype):
    _same(f(), want, dtype)


def test_obj_predicates_and_aliases():
    assert jnp.isrealobj(F) and not jnp.isrealobj(Z) and jnp.iscomplexobj(jnp.asarray(Z))
    assert jnp.double == jnp.float64 and jnp.csingle == jnp.complex64
    with pytest.raises(ValueError, match="must be integers"):
        jnp.gcd(F, 2)


def test_axis_functions_against_numpy():
    rng = np.random.default_rng(0)
    y = rng.normal(size=(3, 5)).astype(np.float32)
    x = np.sort(rng.uniform(size=5)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(jnp.trapezoid(y)), np.trapezoid(y), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(jnp.trapezoid(y, x)), np.trapezoid(y, x), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(jnp.trapezoid(y, dx=0.5, axis=0)), np.trapezoid(y, dx=0.5, axis=0),
                               rtol=1e-6)
    for got, want in zip(jnp.gradient(y), np.gradient(y)):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(jnp.gradient(y[0], x)), np.gradient(y[0], x), rtol=1e-4)
    np.testing.assert_allclose(np.asarray(jnp.gradient(y, 2.0, axis=1)), np.gradient(y, 2.0, axis=1), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(jnp.diff(y, n=2, axis=0)), np.diff(y, n=2, axis=0), rtol=1e-6)
    a, b = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    np.testing.assert_allclose(np.asarray(jnp.cross(a, b)), np.cross(a, b), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(jnp.cross(a.T, b, axisa=0)), np.cross(a.T, b, axisa=0), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(jnp.cross(a[:, :2], b[:, :2])),
                               a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0], rtol=1e-5)


def test_jit_matches_eager():
    f = lintra.jit(lambda a, b: (jnp.gcd(a, b), jnp.frexp(jnp.ldexp(jnp.float32(0.75), a))[1], jnp.unwrap(
        jnp.float32(3) * a)))
    got = f(I, np.array([6, 10, 8], np.int32))
    np.testing.assert_array_equal(np.asarray(got[0]), [3, 5, 4])
    np.testing.assert_array_equal(np.asarray(got[1]), I)
    np.testing.assert_allclose(np.asarray(got[2]), np.unwrap(3.0 * I), rtol=1e-5)


X = np.array([[0.3, -1.2, 2.0], [1.1, 0.4, -0.7]], np.float32)


@pytest.mark.parametrize("f", [
    lambda x: jnp.float_power(jnp.abs(x) + 1.0, 1.5),
    lambda x: jnp.ldexp(x, 3),
    lambda x: jnp.modf(x * 1.7)[0],
    lambda x: jnp.angle(x + 2j * x[::-1]),
    lambda x: jnp.fmax(x, x[::-1] * 0.5),
    lambda x: jnp.diff(x, n=2, axis=1),
    lambda x: jnp.ediff1d(x, to_begin=x[0, :1]),
    lambda x: jnp.unwrap(4.0 * x, axis=1),
    lambda x: jnp.trapezoid(x, x[0] ** 2 + jnp.arange(3.0)),
    lambda x: jnp.gradient(x ** 3, axis=1),
    lambda x: jnp.cross(x, x[::-1] ** 2),
    lambda x: jnp.ptp(x ** 2, axis=0),
    lambda x: jnp.cumulative_sum(x, axis=1, include_initial=True),
    lambda x: jnp.nancumsum(x ** 2),
])
def test_gradients_match_finite_differences(f):
    check_grads(f, (X,), order=2, modes=["fwd", "rev"], rtol=2e-2, atol=2e-2)


def test_i0_against_numpy_and_its_derivative_is_i1():
    import scipy.special
    x = np.concatenate([np.linspace(-30, 30, 241), [0.0, 19.99, 20.01, 85.0]]).astype(np.float32)
    np.testing.assert_allclose(np.asarray(jnp.i0(x)), np.i0(x.astype(np.float64)), rtol=1e-5)
    assert jnp.i0(np.array([1, 2])).dtype == np.float32
    assert np.isinf(np.asarray(jnp.i0(np.float32(95.0))))        # overflows float32, as JAX's
    pts = np.array([-25.0, -3.0, 0.5, 7.0, 19.0, 21.0, 40.0], np.float32)
    g = lintra.vmap(lintra.grad(jnp.i0))(pts)
    np.testing.assert_allclose(np.asarray(g), scipy.special.i1(pts.astype(np.float64)), rtol=1e-4)
    check_grads(jnp.i0, (np.array([0.3, -2.0, 5.0], np.float32),), order=2, modes=["fwd", "rev"])


def test_kaiser_window():
    np.testing.assert_allclose(np.asarray(jnp.kaiser(4, 2.0)), [0.4386764, 0.92431384, 0.92431384, 0.4386764],
                               rtol=1e-6)     # JAX 0.10.2's values
    np.testing.assert_allclose(np.asarray(jnp.kaiser(9, 5.5)), np.kaiser(9, 5.5), rtol=1e-5)
    check_grads(lambda b: jnp.kaiser(5, b), (np.float32(3.0),), order=1, modes=["fwd", "rev"])


# JAX 0.10.2 with x64 on: narrow integers and bools compute in float32 (dtypes._dtype_to_inexact), 64-bit
# integers and Python ints in float64; rint keeps the default float; searchsorted/digitize give int32
@pytest.mark.parametrize("dtype, want", [(np.int8, np.float32), (np.int16, np.float32), (np.int32, np.float32),
                                         (np.uint8, np.float32), (np.bool_, np.float32), (np.int64, np.float64)])
def test_inexact_promotion_with_x64_follows_jax(x64, dtype, want):
    x = np.ones(3, dtype)
    for f in (jnp.sin, jnp.trapezoid, jnp.cov, jnp.mean, jnp.var, jnp.unwrap, lambda v: jnp.linalg.norm(v)):
        assert f(x).dtype == want
    assert jnp.sin(3).dtype == np.float64
    assert jnp.rint(x).dtype == np.float64 if dtype != np.bool_ else True
    assert jnp.digitize(np.ones(2), np.array([0., 1.])).dtype == np.int32
    assert jnp.searchsorted(np.array([0., 1.]), np.ones(2)).dtype == np.int32
    assert jnp.setdiff1d(np.ones(3, np.int8), np.array([5])).dtype == np.int8


def test_weak_types_follow_jax():
    assert not jnp.angle(3).weak_type and not jnp.spacing(1.0).weak_type
    assert not jnp.polyval(np.array([1, 2]), 0.5).weak_type
    assert jnp.i0(1.0).weak_type
