"""Gamma and log-gamma of complex arguments, as jax.scipy.special computes them: the Lanczos approximation
(g = 7, 9 coefficients, GSL's lanczos_7_c) with the reflection formula for Re(z) < 1/2; loggamma first
shifts z into the right half-plane (loggamma(z) = loggamma(z + n) - sum_k<n log(z + k)) so that its branch
cut is SciPy's, on the negative real axis. Poles and NaNs give nan+nanj."""
import numpy as np

from ... import numpy as jnp
from ...control import while_loop
from ...core import type_of

_G = 7.0
_COEFFS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
           12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7]


def _lanczos_loggamma(z):
    reflect = jnp.real(z) < 0.5
    zz = jnp.where(reflect, 1.0 - z, z) - 1.0
    ag = _COEFFS[0] + sum(c / (zz + k) for k, c in enumerate(_COEFFS[1:], start=1))
    t = zz + _G + 0.5
    log_gamma = float(0.5 * np.log(2.0 * np.pi)) + (zz + 0.5) * jnp.log(t) - t + jnp.log(ag)
    # the reflection evaluated at a harmless point where it is not selected (so its derivative is too)
    z_safe = jnp.where(reflect, z, jnp.full_like(z, 0.5))
    reflected = float(np.log(np.pi)) - jnp.log(jnp.sin(np.pi * z_safe)) - log_gamma
    return jnp.where(reflect, reflected, log_gamma)


def _poles_and_nans(z):
    pole = (jnp.imag(z) == 0) & (jnp.real(z) == jnp.floor(jnp.real(z))) & (jnp.real(z) <= 0)
    return pole | jnp.isnan(z)


def complex_gamma(z):
    bad = _poles_and_nans(z)
    out = jnp.exp(_lanczos_loggamma(jnp.where(bad, jnp.ones_like(z), z)))
    return jnp.where(bad, complex(np.nan, np.nan), out)


def complex_loggamma(z):
    bad = _poles_and_nans(z)
    z = jnp.where(bad, jnp.ones_like(z), z)
    n = jnp.maximum(0, jnp.ceil(0.5 - jnp.real(z))).astype(np.int32)

    def body(state):
        k, total = state
        shifted = k < n
        zk = jnp.where(shifted, z + k.astype(type_of(z).dtype), jnp.ones_like(z))
        return k + 1, total + jnp.where(shifted, jnp.log(zk), jnp.zeros_like(total))
    _, total = while_loop(lambda s: jnp.any(s[0] < n), body, (jnp.asarray(0, np.int32), jnp.zeros_like(z)))
    out = _lanczos_loggamma(z + n.astype(type_of(z).dtype)) - total
    return jnp.where(bad, complex(np.nan, np.nan), out)
