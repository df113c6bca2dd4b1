"""The multivariate normal distribution N(mean, cov), cov a scalar (isotropic) or an [..., n, n] matrix
factored by Cholesky; mean and x broadcast over leading dimensions."""
import numpy as np

from ... import lax_linalg
from ... import numpy as jnp
from ...core import type_of
from ._util import inexact_dtype


def logpdf(x, mean, cov, allow_singular=None):
    if allow_singular is not None:
        raise NotImplementedError("allow_singular argument of multivariate_normal.logpdf (as in JAX)")
    x, mean, cov = inexact_dtype("multivariate_normal.logpdf", x, mean, cov)
    mshape, cshape = type_of(mean).shape, type_of(cov).shape
    if not mshape:
        return -1 / 2 * (x - mean) ** 2 / cov - 1 / 2 * (np.log(2 * np.pi) + jnp.log(cov))
    n = mshape[-1]
    y = x - mean
    if not cshape:
        return -1 / 2 * jnp.sum(y * y, axis=-1) / cov - n / 2 * (np.log(2 * np.pi) + jnp.log(cov))
    if len(cshape) < 2 or cshape[-2:] != (n, n):
        raise ValueError(f"multivariate_normal.logpdf got incompatible shapes: mean {mshape} needs cov of "
                         f"shape [..., {n}, {n}], got cov of shape {cshape}")
    chol = lax_linalg.cholesky(cov)
    batch = np.broadcast_shapes(type_of(y).shape[:-1], cshape[:-2])
    chol = jnp.broadcast_to(chol, batch + (n, n))
    z = lax_linalg.triangular_solve(chol, jnp.broadcast_to(y, batch + (n,))[..., None], left_side=True,
                                    lower=True)[..., 0]
    log_det = jnp.sum(jnp.log(jnp.diagonal(chol, axis1=-2, axis2=-1)), axis=-1)
    return -1 / 2 * jnp.sum(z * z, axis=-1) - n / 2 * np.log(2 * np.pi) - log_det


def pdf(x, mean, cov):
    return jnp.exp(logpdf(x, mean, cov))
