"""Gradients of the gamma family of samplers with respect to their shape parameters: JAX's implicit
reparameterization through lax.random_gamma_grad, checked against JAX 0.10.2's values (the samples
themselves are bit-compatible with JAX's, so their derivatives must be too) and against the implicit
derivative -dF/da / dF/dx of the gamma CDF at the sample."""
import numpy as np
import scipy.special as ss

import lintra
import lintra.random as jr

KEY = jr.PRNGKey(0)


def test_gamma_gradient_matches_jax(x64):
    np.testing.assert_allclose(float(lintra.grad(lambda a: jr.gamma(KEY, a, (4,)).sum())(2.0)), 3.4275055922419404,
                               rtol=1e-12)
    np.testing.assert_allclose(float(lintra.jit(lintra.grad(lambda a: jr.gamma(KEY, a, (4,)).sum()))(2.0)),
                               3.4275055922419404, rtol=1e-12)
    np.testing.assert_allclose(float(lintra.grad(lambda a: jr.loggamma(KEY, a, (4,)).sum())(0.3)), 87.37498596003539,
                               rtol=1e-10)
    np.testing.assert_allclose(float(lintra.grad(lambda a: jr.beta(KEY, a, 2.0, (4,)).sum())(1.5)),
                               0.37691649135533783, rtol=1e-10)


def test_gamma_gradient_is_the_implicit_derivative_of_the_cdf(x64):
    a = np.array([0.5, 1.0, 3.0, 7.5])
    x = np.asarray(jr.gamma(KEY, a))
    g = np.asarray(lintra.jacfwd(lambda a: jr.gamma(KEY, a))(a)).diagonal()
    h = 1e-6
    dF_da = (ss.gammainc(a + h, x) - ss.gammainc(a - h, x)) / (2 * h)
    dF_dx = np.exp(-x + (a - 1) * np.log(x) - ss.gammaln(a))
    np.testing.assert_allclose(g, -dF_da / dF_dx, rtol=1e-5)
