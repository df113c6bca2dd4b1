"""lintra.scipy.special: SciPy's special functions on Lintra arrays (jax.scipy.special), one module per
family: _basic (error functions, logistic, xlogy, softmax), _gamma (gamma, beta and incomplete integrals,
zeta; _complex_gamma for complex arguments), _normal (ndtri, log_ndtr, erfcx, wofz, owens_t), _bessel (i0,
i1, bessel_jn), _hypergeometric (hyp1f1, hyp2f1), _entropy (entr, rel_entr, kl_div, boxcox), _integrals
(expi, exp1, expn, spence, dawsn, sici, fresnel)."""
from ._basic import (digamma, erf, erfc, erfinv, expit, gammaln, log_softmax, logit, logsumexp, ndtr,  # noqa: F401
                     softmax, xlog1py, xlogy)
from ._gamma import (bernoulli, beta, betainc, betaln, comb, factorial, gamma, gammainc, gammaincc,  # noqa: F401
                     gammasgn, loggamma, multigammaln, poch, polygamma, zeta)
from ._normal import erfcx, log_ndtr, ndtri, owens_t, wofz  # noqa: F401
from ._bessel import bessel_jn, i0, i0e, i1, i1e  # noqa: F401
from ._hypergeometric import hyp1f1, hyp2f1  # noqa: F401
from ._entropy import boxcox, boxcox1p, entr, kl_div, rel_entr  # noqa: F401
from ._integrals import dawsn, exp1, expi, expn, fresnel, sici, spence  # noqa: F401
