"""Derivatives of jax.lax's special functions against float64 central finite differences (second order
where the derivative is itself differentiable), against closed forms (igamma's d/da is igamma_grad_a; i0e'
and i1e' are Bessel identities), and the errors for derivatives JAX does not define."""
import numpy as np
import pytest
import scipy.special as ss

import lintra
from lintra import lax
from lintra.ir.ad.jvp_rules import NotDifferentiableError
from lintra.test_util import check_grads

A = np.array([0.7, 1.5, 3.0, 6.0])
X = np.array([0.4, 2.0, 1.1, 9.0])
X01 = np.array([0.15, 0.5, 0.8, 0.35])

CASES = [
    # (primitive, function, arguments, order)
    ("igamma", lambda a, x: lax.igamma(a, x), (A, X), 1),
    ("igammac", lambda a, x: lax.igammac(a, x), (A, X), 1),
    ("polygamma", lambda x: lax.polygamma(np.full(4, 2.0), x), (X,), 2),
    ("digamma", lax.digamma, (X,), 2),
    ("zeta", lambda q: lax.zeta(np.full(4, 3.5), q), (X,), 2),
    ("regularized_incomplete_beta", lambda x: lax.betainc(A, A[::-1], x), (X01,), 1),
    ("bessel_i0e", lax.bessel_i0e, (np.array([-3.0, -0.5, 0.7, 12.0]),), 2),
    ("bessel_i1e", lax.bessel_i1e, (np.array([-3.0, -0.5, 0.7, 12.0]),), 2),
]
UNDEFINED = [
    ("igamma_grad_a", lambda a: lax.igamma_grad_a(a, X), "Differentiation rule for 'igamma_grad_a'"),
    ("random_gamma_grad", lambda a: lax.random_gamma_grad(a, X), "Differentiation rule for 'random_gamma_grad'"),
]
COVERED_AD_PRIMITIVES = {p for p, *_ in CASES} | {p for p, *_ in UNDEFINED}


@pytest.mark.parametrize("prim,fun,args,order", CASES, ids=[c[0] for c in CASES])
def test_against_finite_differences(prim, fun, args, order, x64):
    check_grads(fun, args, order)


def test_igamma_derivative_in_a_is_igamma_grad_a_and_in_x_the_density(x64):
    da, dx = lintra.grad(lambda a, x: lax.igamma(a, x).sum(), argnums=(0, 1))(A, X)
    np.testing.assert_allclose(np.asarray(da), np.asarray(lax.igamma_grad_a(A, X)), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(dx), np.exp(-X + (A - 1) * np.log(X) - ss.gammaln(A)), rtol=1e-12)
    dca = lintra.grad(lambda a: lax.igammac(a, X).sum())(A)
    np.testing.assert_allclose(np.asarray(dca), -np.asarray(da), rtol=1e-12)


def test_bessel_derivatives_are_the_identities(x64):
    x = np.array([-4.0, -1e-20, 0.0, 0.3, 2.5, 40.0])
    d0 = lintra.vmap(lintra.grad(lax.bessel_i0e))(x)
    np.testing.assert_allclose(np.asarray(d0), ss.i1e(x) - np.sign(x) * ss.i0e(x), rtol=1e-12, atol=1e-15)
    d1 = lintra.vmap(lintra.grad(lax.bessel_i1e))(x)
    xs = np.where(np.abs(x) > np.finfo(np.float64).eps, x, 1.0)
    want = np.where(np.abs(x) > np.finfo(np.float64).eps, ss.i0e(xs) - ss.i1e(xs) * (np.sign(xs) + 1 / xs), 0.5)
    np.testing.assert_allclose(np.asarray(d1), want, rtol=1e-10, atol=1e-15)


def test_zeta_derivative_in_q_is_minus_x_zeta_x_plus_1(x64):
    q = np.array([0.5, 1.0, 4.0])
    g = lintra.vmap(lintra.grad(lambda q: lax.zeta(3.0, q)))(q)
    np.testing.assert_allclose(np.asarray(g), -3.0 * ss.zeta(4.0, q), rtol=1e-12)


@pytest.mark.parametrize("prim,fun,message", UNDEFINED, ids=[u[0] for u in UNDEFINED])
def test_undefined_derivatives_raise(prim, fun, message):
    with pytest.raises(NotDifferentiableError, match=message):
        lintra.jvp(fun, (A.astype(np.float32),), (np.ones(4, np.float32),))


@pytest.mark.parametrize("fun,message", [
    (lambda m: lax.polygamma(m, X.astype(np.float32)), "polygamma gradient with respect to m is not supported"),
    (lambda x: lax.zeta(x, X.astype(np.float32)), "Differentiation rule for 'zeta' with respect to x"),
    (lambda a: lax.betainc(a, a, X01.astype(np.float32)), "Betainc gradient with respect to a and b not supported"),
])
def test_derivatives_in_parameters_jax_does_not_define_raise(fun, message):
    with pytest.raises(NotDifferentiableError, match=message):
        lintra.grad(lambda v: fun(v).sum())(np.full(4, 2.0, np.float32))
