"""lintra.scipy has JAX 0.10.2's jax.scipy names: the lists below are JAX's public names (recorded from JAX
0.10.2), and every one must be present in Lintra or listed in MISSING with the reason it is not."""
import pytest

import lintra.scipy.integrate as integrate
import lintra.scipy.linalg as linalg
import lintra.scipy.optimize as optimize
import lintra.scipy.special as special
import lintra.scipy.stats as stats

JAX_NAMES = {
    "special": ["bernoulli", "bessel_jn", "beta", "betainc", "betaln", "boxcox", "boxcox1p", "comb", "dawsn",
                "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp1", "expi", "expit", "expn", "factorial",
                "fresnel", "gamma", "gammainc", "gammaincc", "gammaln", "gammasgn", "hyp1f1", "hyp2f1", "i0", "i0e",
                "i1", "i1e", "kl_div", "log_ndtr", "log_softmax", "loggamma", "logit", "logsumexp", "multigammaln",
                "ndtr", "ndtri", "owens_t", "poch", "polygamma", "rel_entr", "sici", "softmax", "spence",
                "sph_harm_y", "wofz", "xlog1py", "xlogy", "zeta"],
    "stats": ["bernoulli", "beta", "betabinom", "binom", "cauchy", "chi2", "dirichlet", "expon", "gamma",
              "gaussian_kde", "gennorm", "geom", "gumbel_l", "gumbel_r", "laplace", "logistic", "mode", "multinomial",
              "multivariate_normal", "nbinom", "norm", "pareto", "poisson", "rankdata", "sem", "t", "truncnorm",
              "uniform", "vonmises", "wrapcauchy"],
    "linalg": ["block_diag", "cho_factor", "cho_solve", "cholesky", "circulant", "companion", "convolution_matrix",
               "det", "dft", "eigh", "eigh_tridiagonal", "expm", "expm_frechet", "fiedler", "fiedler_companion",
               "funm", "hadamard", "hankel", "helmert", "hessenberg", "hilbert", "inv", "invhilbert", "invpascal",
               "leslie", "lu", "lu_factor", "lu_solve", "pascal", "polar", "qr", "qr_multiply", "rsf2csf", "schur",
               "solve", "solve_sylvester", "solve_triangular", "sqrtm", "svd", "toeplitz"],
    "optimize": ["OptimizeResults", "minimize"],
    "integrate": ["trapezoid"],
}
MODULES = {"special": special, "stats": stats, "linalg": linalg, "optimize": optimize, "integrate": integrate}

# each distribution's functions in JAX 0.10.2
JAX_DISTRIBUTIONS = {
    "bernoulli": ["cdf", "logpmf", "pmf", "ppf"], "beta": ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"],
    "betabinom": ["logpmf", "pmf"], "binom": ["logpmf", "pmf"],
    "cauchy": ["cdf", "isf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"],
    "chi2": ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"], "dirichlet": ["logpdf", "pdf"],
    "expon": ["cdf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"],
    "gamma": ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"], "gennorm": ["cdf", "logpdf", "pdf"],
    "geom": ["logpmf", "pmf"], "gumbel_l": ["cdf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"],
    "gumbel_r": ["cdf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"], "laplace": ["cdf", "logpdf", "pdf"],
    "logistic": ["cdf", "isf", "logpdf", "pdf", "ppf", "sf"], "multinomial": ["logpmf", "pmf"],
    "multivariate_normal": ["logpdf", "pdf"], "nbinom": ["logpmf", "pmf"],
    "norm": ["cdf", "isf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"],
    "pareto": ["cdf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"], "poisson": ["cdf", "entropy", "logpmf", "pmf"],
    "t": ["logpdf", "pdf"], "truncnorm": ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"],
    "uniform": ["cdf", "logpdf", "pdf", "ppf"], "vonmises": ["logpdf", "pdf"], "wrapcauchy": ["logpdf", "pdf"],
}

MISSING = {}


@pytest.mark.parametrize("module", sorted(JAX_NAMES))
def test_jax_names_are_present_or_listed_missing(module):
    absent = [n for n in JAX_NAMES[module] if not hasattr(MODULES[module], n) and (module, n) not in MISSING]
    assert not absent, f"lintra.scipy.{module} lacks JAX's {absent} (add them, or list them in MISSING with a reason)"


def test_missing_list_is_current():
    present = [key for key in MISSING if hasattr(MODULES[key[0]], key[1])]
    assert not present, f"names listed as missing that exist now (remove them from MISSING): {present}"


@pytest.mark.parametrize("dist", sorted(JAX_DISTRIBUTIONS))
def test_distribution_functions(dist):
    module = getattr(stats, dist)
    absent = [f for f in JAX_DISTRIBUTIONS[dist] if not callable(getattr(module, f, None))]
    assert not absent, f"lintra.scipy.stats.{dist} lacks JAX's {absent}"
