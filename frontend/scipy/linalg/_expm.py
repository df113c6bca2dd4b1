"""The matrix exponential by scaling and squaring with Pade approximants (Higham 2005, as jax.scipy.linalg:
degree 3 to 13 by the 1-norm in f64 / c128, 3 to 7 in f32 / c64), and its Frechet derivative as the JVP
of that computation, as JAX computes it."""
import functools

import numpy as np

from ... import lax
from ... import numpy as jnp
from ...ad import jvp
from ...control import cond, scan, switch
from ...core import type_of
from ...numpy._util import describe
from ._decomp import _inexact, solve_triangular

_PADE = {   # degree -> b coefficients
    3: (120., 60., 12., 1.),
    5: (30240., 15120., 3360., 420., 30., 1.),
    7: (17297280., 8648640., 1995840., 277200., 25200., 1512., 56., 1.),
    9: (17643225600., 8821612800., 2075673600., 302702400., 30270240., 2162160., 110880., 3960., 90., 1.),
    13: (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800., 129060195264000.,
         10559470521600., 670442572800., 33522128640., 1323241920., 40840800., 960960., 16380., 182., 1.),
}
# (largest 1-norm a scaled matrix may have, the 1-norm bounds between the degrees used) per precision
_F64 = (5.371920351148152, [1.495585217958292e-002, 2.539398330063230e-001, 9.504178996162932e-001,
                            2.097847961257068e+000], [3, 5, 7, 9, 13])
_F32 = (3.925724783138660, [4.258730016922831e-001, 1.880152677804762e+000], [3, 5, 7])


def _dot(a, b):
    return jnp.matmul(a, b, precision=lax.Precision.HIGHEST)


def _pade(degree, a):
    """(U, V): the odd and even parts of the degree-m Pade numerator, so that r = (V - U)^-1 (V + U)."""
    b = _PADE[degree]
    ident = jnp.eye(*type_of(a).shape, dtype=type_of(a).dtype)
    a2 = _dot(a, a)
    if degree == 13:
        a4 = _dot(a2, a2)
        a6 = _dot(a4, a2)
        u = _dot(a, _dot(a6, b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * ident)
        v = _dot(a6, b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * ident
        return u, v
    powers = [ident, a2]
    while len(powers) <= degree // 2:
        powers.append(_dot(powers[-1], a2))
    u = _dot(a, sum(b[2 * k + 1] * powers[k] for k in range(degree // 2 + 1)))
    v = sum(b[2 * k] * powers[k] for k in range(degree // 2 + 1))
    return u, v


def _expm2(a, upper_triangular, max_squarings):
    dt = type_of(a).dtype
    maxnorm, bounds, degrees = _F64 if dt in (np.float64, np.complex128) else _F32
    norm1 = jnp.linalg.norm(a, 1)
    n_squarings = jnp.maximum(0, jnp.floor(jnp.log2(norm1 / maxnorm)))
    a = a / (2 ** n_squarings).astype(dt)
    index = jnp.digitize(norm1, jnp.array(bounds, dtype=type_of(norm1).dtype))
    u, v = switch(index, [functools.partial(_pade, d) for d in degrees], a)
    p, q = u + v, -u + v

    def compute(args):
        p, q = args
        r = solve_triangular(q, p) if upper_triangular else jnp.linalg.solve(q, p)

        def step(r, i):
            return cond(i < n_squarings, lambda x: _dot(x, x), lambda x: x, r), None
        return scan(step, r, jnp.arange(max_squarings, dtype=type_of(n_squarings).dtype))[0]

    return cond(n_squarings > max_squarings, lambda args: jnp.full_like(args[0], np.nan), compute, (p, q))


def expm(A, *, upper_triangular=False, max_squarings=16):
    """e^A for square (batched) A; NaN where A's norm needs more than max_squarings squarings."""
    A, = _inexact("expm", A)
    t = type_of(A)
    if t.ndim < 2 or t.shape[-1] != t.shape[-2]:
        raise ValueError(f"expm: expected A to be a (batched) square matrix, got {describe(A)}")
    if t.dtype not in (np.float32, np.float64, np.complex64, np.complex128):
        raise TypeError(f"expm: A.dtype={t.dtype} is not supported")
    if t.ndim == 2:
        return _expm2(A, upper_triangular, max_squarings)
    flat = jnp.reshape(A, (-1,) + t.shape[-2:])
    out = jnp.stack([_expm2(flat[i], upper_triangular, max_squarings) for i in range(type_of(flat).shape[0])])
    return jnp.reshape(out, t.shape)


def expm_frechet(A, E, *, method=None, compute_expm=True):
    """The Frechet derivative of expm at A in direction E (and expm(A) when compute_expm)."""
    A, E = jnp.asarray(A), jnp.asarray(E)
    at, et = type_of(A), type_of(E)
    if at.ndim < 2 or at.shape[-1] != at.shape[-2]:
        raise ValueError(f"expm_frechet: expected A to be a (batched) square matrix, got A.shape={at.shape}")
    if et.ndim < 2 or et.shape[-1] != et.shape[-2]:
        raise ValueError(f"expm_frechet: expected E to be a (batched) square matrix, got E.shape={et.shape}")
    if at.shape != et.shape:
        raise ValueError(f"expm_frechet: expected A and E to be the same shape, got A.shape={at.shape} "
                         f"E.shape={et.shape}")
    expm_a, frechet = jvp(expm, (A,), (E,))
    return (expm_a, frechet) if compute_expm else frechet
