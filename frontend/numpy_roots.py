"""jnp.roots: the roots of a polynomial, found by the Aberth-Ehrlich simultaneous iteration in a fori_loop
(jit-able; Lintra has no nonsymmetric eigensolver for JAX's companion-matrix method). It sits at the
transformations layer for the loop; lintra/__init__.py places it in lintra.numpy.

Each step moves every estimate z_k by w_k = r_k / (1 - r_k * sum_{j != k} 1 / (z_k - z_j)), r = p / p',
which converges cubically to simple roots (linearly to multiple ones, whose accuracy is then about
eps ** (1 / multiplicity), as for eigenvalue methods)."""
import numpy as np

from . import numpy as jnp
from .control import fori_loop
from .core import ConcretizationError, concrete_value

_ITERATIONS = 200


def _aberth(p, m):
    """The roots of the polynomial with coefficients p (complex, highest power first) whose first m
    coefficients are zero (m may be traced): n - m estimates converge to its roots, the last m are NaN."""
    n = p.shape[0] - 1
    lead = jnp.take(p, m)
    a = p / jnp.where(lead == 0, 1, lead)                 # leading zeros stay zero; polyval ignores them
    da = a[:-1] * jnp.arange(n, 0, -1).astype(a.dtype)
    degree = n - m
    k = jnp.arange(n)
    active = k < degree
    # start on a circle around the roots' centroid, of radius bounding them (Cauchy), off any symmetry axis
    centre = -jnp.take(a, jnp.minimum(m + 1, n)) / jnp.maximum(degree, 1).astype(a.dtype)
    radius = 1 + jnp.max(jnp.abs(a[1:]))
    z0 = centre + radius * jnp.exp(1j * (2 * np.pi * k / jnp.maximum(degree, 1) + 0.7)).astype(a.dtype)
    pair = active[:, None] & active[None, :] & ~jnp.eye(n, dtype=bool)

    def step(_, z):
        f, df = jnp.polyval(a, z), jnp.polyval(da, z)
        r = jnp.where(df == 0, 0, f / jnp.where(df == 0, 1, df))
        diff = z[:, None] - z[None, :]
        s = jnp.sum(jnp.where(pair, 1 / jnp.where(pair, diff, 1), 0), axis=1)
        denom = 1 - r * s
        w = jnp.where(denom == 0, r, r / jnp.where(denom == 0, 1, denom))
        return jnp.where(active & jnp.isfinite(w), z - w, z)
    z = fori_loop(0, _ITERATIONS, step, z0)
    return jnp.where(active, z, jnp.full_like(z, np.nan + 1j * np.nan))


def roots(p, *, strip_zeros=True):
    """The roots of the polynomial with coefficients p (highest power first), as a complex array. With
    strip_zeros (the default) leading zeros are dropped, which needs concrete p; with strip_zeros=False
    each leading zero gives a NaN root instead, as JAX's."""
    p = jnp.asarray(p)
    if p.ndim != 1:
        raise ValueError(f"roots: input must be a rank-1 array of coefficients, got shape {p.shape}")
    cdtype = jnp.result_type(p.dtype if jnp.issubdtype(p.dtype, jnp.inexact) else float, jnp.complex64)
    p = p.astype(cdtype)
    if strip_zeros:
        try:
            v = np.asarray(concrete_value(p))
        except ConcretizationError:
            raise ConcretizationError("roots: strip_zeros=True needs concrete coefficients (the number of roots "
                                      "depends on them); pass strip_zeros=False under jit") from None
        nz = np.flatnonzero(v)
        p = p[int(nz[0]):] if nz.size else p[:0]
    if p.shape[0] <= 1:
        return jnp.zeros((0,), cdtype)
    leading_zeros = jnp.argmax(p != 0)      # 0 for an all-zero p, whose roots are then all NaN
    leading_zeros = jnp.where(jnp.all(p == 0), p.shape[0] - 1, leading_zeros)
    return _aberth(p, leading_zeros)
