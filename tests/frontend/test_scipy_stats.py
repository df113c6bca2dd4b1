"""lintra.scipy.stats against scipy.stats: every function each distribution has in JAX 0.10.2, over inputs
inside and outside the support, in float64, eager and under jit; derivatives against finite differences."""
import numpy as np
import pytest
import scipy.stats as ss

import lintra
import lintra.scipy.stats as st
from lintra.test_util import check_grads

X = np.array([-3.0, -0.5, 0.0, 0.3, 1.0, 2.5, 7.0])
X01 = np.array([-0.2, 0.0, 0.1, 0.5, 0.9, 1.0, 1.3])
POSX = np.array([-1.0, 0.0, 0.2, 1.0, 2.5, 7.0, 30.0])
Q = np.array([0.0, 1e-6, 0.1, 0.5, 0.9, 1.0, 1.5])
K = np.array([-1.0, 0.0, 1.0, 2.0, 3.5, 5.0, 12.0])
KI = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 5.0, 12.0])   # JAX gives non-integer k of these families mass

# (distribution, function, arguments after x, x values, scipy's function name or a callable)
CONTINUOUS = [
    ("norm", ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"), (0.5, 2.0), X),
    ("norm", ("ppf", "isf"), (0.5, 2.0), Q),
    ("t", ("logpdf", "pdf"), (3.5, 0.5, 2.0), X),
    ("cauchy", ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"), (0.5, 2.0), X),
    ("cauchy", ("ppf", "isf"), (0.5, 2.0), Q[1:-2]),
    ("laplace", ("logpdf", "pdf", "cdf"), (0.5, 2.0), X),
    ("logistic", ("logpdf", "pdf", "cdf", "sf"), (0.5, 2.0), X),
    ("logistic", ("ppf", "isf"), (0.5, 2.0), Q[1:-2]),
    ("uniform", ("logpdf", "pdf", "cdf"), (-0.5, 2.0), X),
    ("uniform", ("ppf",), (-0.5, 2.0), Q),
    ("expon", ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"), (0.5, 2.0), X),
    ("expon", ("ppf",), (0.5, 2.0), Q),
    ("beta", ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"), (2.5, 1.5), X01),
    ("gamma", ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"), (2.5, 0.0, 1.5), POSX),
    ("chi2", ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"), (3.0, 0.0, 1.5), POSX),
    ("pareto", ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"), (2.5, 0.0, 1.5), POSX),
    ("pareto", ("ppf",), (2.5, 0.0, 1.5), Q[:-2]),
    ("gennorm", ("logpdf", "pdf", "cdf"), (1.5,), X),
    ("vonmises", ("logpdf", "pdf"), (2.0,), X[:4]),
    ("truncnorm", ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"), (-1.0, 2.0, 0.5, 1.5), X),
    ("gumbel_r", ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"), (0.5, 2.0), X),
    ("gumbel_r", ("ppf",), (0.5, 2.0), Q[1:-2]),
    ("gumbel_l", ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"), (0.5, 2.0), X),
    ("gumbel_l", ("ppf",), (0.5, 2.0), Q[1:-2]),
    ("wrapcauchy", ("logpdf", "pdf"), (0.4,), np.array([-0.5, 0.0, 0.3, 1.0, 2.5, 6.0, 7.0])),
]
DISCRETE = [
    ("poisson", ("logpmf", "pmf", "cdf"), (3.0,), K),
    ("bernoulli", ("logpmf", "pmf"), (0.3,), np.array([-1.0, 0.0, 1.0, 2.0])),
    ("bernoulli", ("cdf",), (0.3,), np.array([-1.0, 0.0, 0.5, 1.0, 2.0])),
    ("bernoulli", ("ppf",), (0.3,), Q[1:]),    # JAX's ppf(0) is 0, SciPy's -1
    ("binom", ("logpmf", "pmf"), (10.0, 0.3), KI),
    ("geom", ("logpmf", "pmf"), (0.3,), KI),
    ("nbinom", ("logpmf", "pmf"), (4.0, 0.3), KI),
    ("betabinom", ("logpmf", "pmf"), (6.0, 1.5, 1.2), KI),   # betaln args < 8: SciPy's exact branch
]
CASES = [(d, f, a, x) for d, fs, a, x in CONTINUOUS + DISCRETE for f in fs]


@pytest.mark.parametrize("jit", [False, True], ids=["eager", "jit"])
@pytest.mark.parametrize("dist,fun,params,x", CASES, ids=[f"{d}.{f}" for d, f, _, _ in CASES])
def test_against_scipy(dist, fun, params, x, jit, x64):
    mine = getattr(getattr(st, dist), fun)
    got = np.asarray((lintra.jit(mine) if jit else mine)(x, *params))
    with np.errstate(all="ignore"):
        want = getattr(getattr(ss, dist), fun)(x, *params)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, equal_nan=True)


def test_float32_keeps_its_dtype():
    x = np.linspace(-2, 2, 5, dtype=np.float32)
    for fun in (st.norm.logpdf, st.norm.cdf, st.cauchy.logpdf, st.laplace.cdf):
        assert fun(x).dtype == np.float32
    np.testing.assert_allclose(np.asarray(st.norm.logcdf(x)), ss.norm.logcdf(x), rtol=1e-6)


def test_multivariate_normal(x64):
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 3))
    cov = a @ a.T + 3 * np.eye(3)
    mean = np.array([0.5, -1.0, 2.0])
    x = rng.normal(size=(4, 3))
    want = ss.multivariate_normal.logpdf(x, mean, cov)
    np.testing.assert_allclose(np.asarray(st.multivariate_normal.logpdf(x, mean, cov)), want, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(st.multivariate_normal.pdf(x, mean, cov)), np.exp(want), rtol=1e-12)
    # batched covariances, scalar (isotropic) covariance and a scalar mean
    covs = np.stack([cov, 2 * cov, np.eye(3)] * 2)[:4]
    got = st.multivariate_normal.logpdf(x, mean, covs)
    np.testing.assert_allclose(np.asarray(got), [ss.multivariate_normal.logpdf(xi, mean, c) for xi, c in zip(x, covs)],
                               rtol=1e-12)
    np.testing.assert_allclose(np.asarray(st.multivariate_normal.logpdf(x, mean, 2.0)),
                               ss.multivariate_normal.logpdf(x, mean, 2.0 * np.eye(3)), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(st.multivariate_normal.logpdf(0.3, 0.5, 2.0)),
                               ss.norm.logpdf(0.3, 0.5, np.sqrt(2.0)), rtol=1e-12)
    with pytest.raises(ValueError, match="incompatible shapes"):
        st.multivariate_normal.logpdf(x, mean, np.eye(2))


def test_poisson_entropy(x64):
    mu = np.array([0.0, 0.5, 3.0, 9.9, 10.0, 55.0, 99.0, 100.0, 1e4])
    got = np.asarray(st.poisson.entropy(mu))
    # JAX 0.10.2's values: its truncated sums (mu near 10) and asymptotic formula (mu >= 100) are ~4e-4 off SciPy's
    np.testing.assert_allclose(got, [0.0, 0.9276374674957976, 1.9314701981424343, 2.556286265945061, 2.561409935274911,
                                     3.421075869950436, 3.715652400561497, 3.7206902928653847, 6.02410038585943],
                               rtol=1e-12)
    np.testing.assert_allclose(got, ss.poisson.entropy(mu), rtol=5e-4)
    assert st.poisson.entropy(np.ones((2, 3))).shape == (2, 3)


def test_dirichlet_and_multinomial(x64):
    alpha = np.array([1.5, 2.0, 3.5])
    x = np.array([[0.2, 0.5], [0.3, 0.1], [0.5, 0.4]])
    np.testing.assert_allclose(np.asarray(st.dirichlet.logpdf(x, alpha)), ss.dirichlet.logpdf(x, alpha), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(st.dirichlet.pdf(x[:2], alpha)), ss.dirichlet.pdf(x, alpha), rtol=1e-12)
    assert float(st.dirichlet.logpdf(np.array([0.5, 0.6, 0.1]), alpha)) == -np.inf
    counts, p = np.array([2, 3, 5]), np.array([0.2, 0.3, 0.5])
    np.testing.assert_allclose(float(st.multinomial.logpmf(counts, 10, p)), ss.multinomial.logpmf(counts, 10, p),
                               rtol=1e-12)
    assert float(st.multinomial.pmf(counts, 9, p)) == 0.0
    with pytest.raises(ValueError, match="x and n must be of integer type"):
        st.multinomial.logpmf(counts.astype(float), 10, p)


GRADS = [
    ("norm.logpdf", lambda x, m, s: st.norm.logpdf(x, m, s), (X, np.full(7, 0.5), np.full(7, 2.0))),
    ("norm.logcdf", lambda x: st.norm.logcdf(x), (np.array([-30.0, -3.0, 0.5, 4.0]),)),
    ("t.logpdf", lambda x, df: st.t.logpdf(x, df), (X, np.full(7, 3.5))),
    ("gamma.logpdf", lambda x, a: st.gamma.logpdf(x, a), (POSX[2:], np.full(5, 2.5))),
    ("gamma.cdf", lambda x, a: st.gamma.cdf(x, a), (POSX[2:6], np.array([0.7, 2.5, 4.0, 1.5]))),
    ("beta.logpdf", lambda x, a, b: st.beta.logpdf(x, a, b), (X01[2:5], np.full(3, 2.5), np.full(3, 1.5))),
    ("beta.cdf", lambda x: st.beta.cdf(x, 2.5, 1.5), (X01[2:5],)),
    ("chi2.sf", lambda x: st.chi2.sf(x, 3.0), (POSX[2:],)),
    ("poisson.logpmf", lambda mu: st.poisson.logpmf(KI[1:], mu), (np.full(6, 3.0),)),
    ("binom.logpmf", lambda p: st.binom.logpmf(KI[1:-1], 10.0, p), (np.full(5, 0.3),)),
    ("logistic.logpdf", lambda x: st.logistic.logpdf(x, 0.5, 2.0), (X,)),
    ("cauchy.cdf", lambda x: st.cauchy.cdf(x, 0.5, 2.0), (X,)),
    ("vonmises.logpdf", lambda x, k: st.vonmises.logpdf(x, k), (X[:4], np.full(4, 2.0))),
    ("truncnorm.logpdf", lambda x: st.truncnorm.logpdf(x, -1.0, 2.0), (np.array([-0.5, 0.3, 1.5]),)),
    ("multivariate_normal.logpdf", lambda m, c: st.multivariate_normal.logpdf(np.array([0.3, -0.2]), m, c @ c.T),
     (np.array([0.5, 0.1]), np.array([[1.5, 0.0], [0.3, 1.2]]))),
]


@pytest.mark.parametrize("name,fun,args", GRADS, ids=[g[0] for g in GRADS])
def test_gradients_against_finite_differences(name, fun, args, x64):
    check_grads(fun, args, order=1)


A2 = np.array([[3., 1., 2., 3., 1.], [5., 5., 0., 0., 0.], [1., 2., 3., 4., 5.]])


@pytest.mark.parametrize("method", ["average", "min", "max", "dense", "ordinal"])
def test_rankdata(method, x64):
    np.testing.assert_array_equal(np.asarray(st.rankdata(A2, method)), ss.rankdata(A2, method))
    np.testing.assert_array_equal(np.asarray(st.rankdata(A2, method, axis=1)), ss.rankdata(A2, method, axis=1))
    np.testing.assert_array_equal(np.asarray(lintra.jit(lambda a: st.rankdata(a, method, axis=0))(A2)),
                                  ss.rankdata(A2, method, axis=0))
    assert np.isnan(np.asarray(st.rankdata(np.array([1., np.nan, 2.]), method))).all()


def test_mode_and_sem(x64):
    for axis in (0, 1, None):
        got, want = st.mode(A2, axis=axis), ss.mode(A2, axis=axis)
        np.testing.assert_array_equal(np.asarray(got.mode), want.mode)
        np.testing.assert_array_equal(np.asarray(got.count), want.count)
        np.testing.assert_allclose(np.asarray(st.sem(A2, axis=axis)), ss.sem(A2, axis=axis), rtol=1e-12)
    assert st.mode(A2, axis=1, keepdims=True).mode.shape == (3, 1)
    with_nan = np.array([1.0, np.nan, 3.0, 4.0])
    np.testing.assert_allclose(float(st.sem(with_nan, nan_policy="omit")), ss.sem(with_nan, nan_policy="omit"))
    with pytest.raises(NotImplementedError, match="nan_policy='omit' is not implemented"):
        st.mode(A2, nan_policy="omit")


@pytest.mark.parametrize("kw", [{}, {"bw_method": "silverman"}, {"bw_method": 0.4, "weights": True}],
                         ids=["scott", "silverman", "scalar-weighted"])
def test_gaussian_kde(kw, x64):
    rng = np.random.default_rng(0)
    data, pts = rng.normal(size=(2, 30)), rng.normal(size=(2, 5))
    if kw.get("weights"):
        kw = dict(kw, weights=rng.uniform(0.5, 1.5, 30))
    mine, want = st.gaussian_kde(data, **kw), ss.gaussian_kde(data, **kw)
    np.testing.assert_allclose(np.asarray(mine.evaluate(pts)), want.evaluate(pts), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(mine.logpdf(pts)), want.logpdf(pts), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(lintra.jit(lambda k, p: k(p))(mine, pts)), want(pts), rtol=1e-12)
    np.testing.assert_allclose(float(mine.integrate_gaussian(np.zeros(2), np.eye(2))),
                               want.integrate_gaussian(np.zeros(2), np.eye(2)), rtol=1e-12)
    np.testing.assert_allclose(float(mine.integrate_kde(st.gaussian_kde(data[:, :10]))),
                               want.integrate_kde(ss.gaussian_kde(data[:, :10])), rtol=1e-12)
    one = st.gaussian_kde(data[0])
    np.testing.assert_allclose(float(one.integrate_box_1d(-1., 0.5)),
                               ss.gaussian_kde(data[0]).integrate_box_1d(-1., 0.5), rtol=1e-12)
    samples = one.resample(lintra.random.PRNGKey(0), (2000,))
    assert samples.shape == (1, 2000)
    assert abs(float(np.mean(np.asarray(samples))) - float(np.mean(data[0]))) < 0.1
