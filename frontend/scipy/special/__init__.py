"""lintra.scipy.special: SciPy's special functions on Lintra arrays (jax.scipy.special), one module per
family: _basic (error functions, logistic, xlogy, softmax), _gamma (gamma, beta and incomplete integrals,
zeta; _complex_gamma for complex arguments), _normal (ndtri, log_ndtr, erfcx, wofz, owens_t), _bessel (i0,
i1, bessel_jn), _hypergeometric (hyp1f1, hyp2f1), _entropy (entr, rel_entr, kl_div, boxcox), _integrals
(expi, exp1, expn, spence, dawsn, sici, fresnel), _legendre (sph_harm_y; lpmn and lpmn_values, deprecated
in JAX 0.10.2 and given here with its DeprecationWarning)."""
import warnings as _warnings

from ._basic import (digamma, erf, erfc, erfinv, expit, gammaln, log_softmax, logit, logsumexp, ndtr,  # noqa: F401
                     softmax, xlog1py, xlogy)
from ._gamma import (bernoulli, beta, betainc, betaln, comb, factorial, gamma, gammainc, gammaincc,  # noqa: F401
                     gammasgn, loggamma, multigammaln, poch, polygamma, zeta)
from ._normal import erfcx, log_ndtr, ndtri, owens_t, wofz  # noqa: F401
from ._bessel import bessel_jn, i0, i0e, i1, i1e  # noqa: F401
from ._hypergeometric import hyp1f1, hyp2f1  # noqa: F401
from ._entropy import boxcox, boxcox1p, entr, kl_div, rel_entr  # noqa: F401
from ._integrals import dawsn, exp1, expi, expn, fresnel, sici, spence  # noqa: F401
from ._legendre import sph_harm_y  # noqa: F401
from . import _legendre

# names JAX 0.10.2 still serves with a DeprecationWarning (None: removed, AttributeError with the message)
_DEPRECATED = {
    "lpmn": ("jax.scipy.special.lpmn is deprecated; no replacement is planned.", _legendre.lpmn),
    "lpmn_values": ("jax.scipy.special.lpmn_values is deprecated; no replacement is planned.",
                    _legendre.lpmn_values),
    "sph_harm": ("jax.scipy.special.sph_harm was deprecated in v0.7.0 and removed in v0.10.0. Use "
                 "jax.scipy.special.sph_harm_y instead.", None),
}


def __getattr__(name):
    if name not in _DEPRECATED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    message, fn = _DEPRECATED[name]
    if fn is None:
        raise AttributeError(message)
    _warnings.warn(message, DeprecationWarning, stacklevel=2)
    return fn
