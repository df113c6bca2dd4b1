"""lintra.scipy.stats: SciPy's distributions on Lintra arrays (jax.scipy.stats), one module per family, each
with the functions JAX 0.10.2 has for it (logpdf/pdf or logpmf/pmf, and cdf, logcdf, sf, logsf, ppf, isf
where JAX has them), in JAX's formulas."""
from . import (bernoulli, beta, betabinom, binom, cauchy, chi2, dirichlet, expon, gamma, gennorm, geom,  # noqa: F401
               gumbel_l, gumbel_r, laplace, logistic, multinomial, multivariate_normal, nbinom, norm, pareto, poisson,
               t, truncnorm, uniform, vonmises, wrapcauchy)
from ._core import ModeResult, mode, rankdata, sem  # noqa: F401
from .kde import gaussian_kde  # noqa: F401

# the distribution modules (importable as lintra.scipy.stats.<name>)
DISTRIBUTIONS = ["bernoulli", "beta", "betabinom", "binom", "cauchy", "chi2", "dirichlet", "expon", "gamma",
                 "gennorm", "geom", "gumbel_l", "gumbel_r", "laplace", "logistic", "multinomial", "multivariate_normal",
                 "nbinom", "norm", "pareto", "poisson", "t", "truncnorm", "uniform", "vonmises", "wrapcauchy"]
__all__ = DISTRIBUTIONS + ["ModeResult", "gaussian_kde", "mode", "rankdata", "sem"]
