"""Associated Legendre functions of the first kind and spherical harmonics (jax.scipy.special's lpmn,
lpmn_values and sph_harm_y), from the three-term recurrences in the degree l, one row of the (order m,
degree l, point) table at a time. Values include the Condon-Shortley phase (-1)^m, as SciPy's; the
normalized table is scaled so that P(m, l, cos theta) e^(i m phi) is the orthonormal spherical harmonic."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ...core import type_of
from ...numpy._util import check_arraylike, describe


def _coefficients(l_max, is_normalized):
    """(diag, offdiag, d0, d1) as NumPy tables over m and l: P(m, m) = diag[m] sqrt(1 - x^2) P(m-1, m-1),
    P(m, m+1) = offdiag[m] x P(m, m), and for l >= m + 2, P(m, l) = d0[m, l] x P(m, l-1) - d1[m, l] P(m, l-2)."""
    m, l = np.meshgrid(np.arange(l_max + 1.0), np.arange(l_max + 1.0), indexing="ij")
    k = np.arange(l_max + 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if is_normalized:
            diag = -np.sqrt(1.0 + 0.5 / k)
            offdiag = np.sqrt(2.0 * k + 3.0)
            d0 = np.sqrt((4.0 * l * l - 1.0) / (l * l - m * m))
            d1 = np.sqrt((2.0 * l + 1.0) * ((l - 1.0) ** 2 - m * m) / ((2.0 * l - 3.0) * (l * l - m * m)))
        else:
            diag = 1.0 - 2.0 * k
            offdiag = 2.0 * k + 1.0
            d0 = (2.0 * l - 1.0) / (l - m)
            d1 = (l + m - 1.0) / (l - m)
    used = l >= m + 2
    return diag, offdiag, np.where(used, d0, 0.0), np.where(used, d1, 0.0)


def _rows(l_max, x, is_normalized):
    """The rows P(:, l, :) for l = 0..l_max (each (l_max + 1, len(x))), and the diagonal entries P(l, l, :)."""
    dt = type_of(x).dtype
    n = l_max + 1
    diag_c, off_c, d0, d1 = _coefficients(l_max, is_normalized)
    s = jnp.sqrt(1.0 - x * x)
    order = np.arange(n)[:, None]
    first = 0.5 / np.sqrt(np.pi) if is_normalized else 1.0
    diags = [jnp.full_like(x, first)]
    for m in range(1, n):
        diags.append(diags[-1] * s * dt.type(diag_c[m]))
    rows = []
    for l in range(n):
        row = jnp.where(order == l, diags[l][None, :], 0)
        if l >= 1:       # P(l-1, l) from the diagonal
            row = row + jnp.where(order == l - 1, dt.type(off_c[l - 1]) * x * diags[l - 1][None, :], 0)
        if l >= 2:       # the three-term recurrence for m <= l - 2 (zero coefficients elsewhere)
            row = row + d0[:, l, None].astype(dt) * x * rows[l - 1] - d1[:, l, None].astype(dt) * rows[l - 2]
        rows.append(row.astype(dt))
    return rows


def _table(l_max, x, is_normalized):
    return jnp.stack(_rows(l_max, x, is_normalized), axis=1)


def _derivatives(l_max, x, p):
    """dP(m, l)/dx of the unnormalized table p: (1 - x^2) P' = (l + m) P(m, l-1) - l x P(m, l) inside
    (-1, 1); at x = +-1 the limits (finite for m = 0 and m >= 2, infinite for m = 1, as SciPy and JAX)."""
    dt = type_of(x).dtype
    m, l = np.meshgrid(np.arange(l_max + 1.0), np.arange(l_max + 1.0), indexing="ij")
    m, l = m[..., None].astype(dt), l[..., None].astype(dt)
    p_prev = jnp.concatenate([jnp.zeros_like(p[:, :1]), p[:, :-1]], axis=1)
    end = jnp.abs(x) == 1
    one_minus = jnp.where(end, 1, 1.0 - x * x)
    inside = ((l + m) * p_prev - l * x * p) / one_minus
    xl = jnp.where(x > 0, 1, jnp.where(l % 2 == 0, 1, -1)).astype(dt)      # x^l at x = +-1
    limit = jnp.where(m == 0, x * xl * l * (l + 1) / 2,
                      jnp.where(m == 1, jnp.where(l >= 1, xl * np.inf, 0),
                                jnp.where(m == 2, -x * xl * (l - 1) * l * (l + 1) * (l + 2) / 4, 0)))
    return jnp.where(end, jnp.where(m <= l, limit, 0).astype(dt), inside)


def _check(name, m, n, z):
    check_arraylike(name, z)
    z = jnp.asarray(z)
    dtype = type_of(z).dtype
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"z.dtype={dtype} is not supported, see docstring for supported types.")
    if type_of(z).ndim != 1:
        raise ValueError(f"z must be a 1D array, got {describe(z)}.")
    m, n = (_static_int(v, f"Argument {k} of lpmn") for k, v in (("m", m), ("n", n)))
    if m != n:
        raise NotImplementedError("Computations for m!=n are not yet supported.")
    return n, z


def _static_int(v, what):
    try:
        return int(v)
    except Exception:
        raise TypeError(f"{what} must be a concrete integer (a Python int, not a traced value), got {v!r}") from None


def lpmn(m, n, z):
    """(P, dP/dz): the associated Legendre functions P_l^m(z) of the first kind for orders and degrees 0..n
    (m must equal n), as arrays (m, l, len(z)), and their derivatives; z a float32/float64 vector."""
    l_max, z = _check("lpmn", m, n, z)
    p = _table(l_max, z, False)
    return p, _derivatives(l_max, z, p)


def lpmn_values(m, n, z, is_normalized):
    """The associated Legendre functions P_l^m(z) (orders and degrees 0..n, m == n) as an array (m, l,
    len(z)); normalized so that P_l^m(cos theta) e^(i m phi) are orthonormal on the sphere if is_normalized."""
    l_max, z = _check("lpmn_values", m, n, z)
    return _table(l_max, z, bool(is_normalized))


def sph_harm_y(n, m, theta, phi, diff_n=None, n_max=None):
    """The spherical harmonics Y_n^m(theta, phi) (theta the colatitude in [0, pi], phi the longitude), complex,
    orthonormal on the sphere with the Condon-Shortley phase, as scipy.special.sph_harm_y; n, m, theta, phi
    broadcast. n_max (JAX's extra argument) is the largest degree in n; larger degrees are clipped to it,
    and it must be given when n is traced. Values for n < 0 or |m| > n are undefined."""
    if diff_n is not None:
        raise NotImplementedError("The 'diff_n' argument to jax.scipy.special.sph_harm_y is not supported.")
    check_arraylike("sph_harm_y", n, m, theta, phi)
    n, m, theta, phi = (jnp.asarray(v) for v in (n, m, theta, phi))
    if n_max is None:
        try:
            n_max = int(np.max(np.asarray(n)))
        except Exception:
            raise TypeError("The `n_max` argument of `jnp.scipy.special.sph_harm` must be statically specified to use "
                            "`sph_harm` within JAX transformations.") from None
    n_max = _static_int(n_max, "The `n_max` argument of sph_harm_y")
    shape = np.broadcast_shapes(*(type_of(v).shape for v in (n, m, theta, phi)))
    n, m, theta, phi = (jnp.ravel(jnp.broadcast_to(v, shape)) for v in (n, m, theta, phi))
    x = jnp.cos(theta)
    table = _table(n_max, x, True)
    am = jnp.abs(m)
    cols = jnp.arange(type_of(x).shape[0])
    value = table[jnp.clip(am, 0, n_max), jnp.clip(n, 0, n_max), cols]
    angle = am.astype(type_of(value).dtype) * phi.astype(type_of(value).dtype)
    y = lax.complex(value * jnp.cos(angle), value * jnp.sin(angle))
    # Y_n^-m = (-1)^m conj(Y_n^m); the sign as JAX writes it, (-1.0) ** |m| (a weak float with an integer: the
    # default float), so its dtype joins the result's: complex128 with x64 on, whatever the angles' float dtype
    y = jnp.where(m < 0, (-1.0) ** am * jnp.conj(y), y)
    return jnp.reshape(y, shape)

