"""eigh_tridiagonal: eigenvalues of a real symmetric (or Hermitian) tridiagonal matrix by bisection on Sturm
counts, all wanted eigenvalues in parallel, and eigenvectors by inverse iteration from random starts, as JAX
0.10.2 computes them (the algorithm, tolerances and starting interval follow its implementation)."""
import numpy as np

from ... import numpy as jnp
from ... import random
from ...control import fori_loop, while_loop
from ...core import type_of
from ...numpy._util import check_arraylike


def _sturm_counts(alpha, beta_sq, pivmin, alpha0_perturbation, x):
    """For each shift in x, how many eigenvalues lie below it: the negative pivots of the LDL^T
    factorization of T - x I (q_i = alpha_i - x - beta_(i-1)^2 / q_(i-1)), pivots kept away from zero."""
    n = type_of(alpha).shape[0]
    q = alpha[0] - x
    count = (q < 0).astype(np.int32)
    q = jnp.where(alpha[0] == x, alpha0_perturbation, q)

    def step(i, qc):
        q, count = qc
        q = alpha[i] - beta_sq[i - 1] / q - x
        small = q <= pivmin
        return jnp.where(small, jnp.minimum(q, -pivmin), q), count + small.astype(np.int32)
    return fori_loop(1, n, step, (q, count))[1]


def _orthogonalize_clusters(v, cluster):
    """v's rows (eigenvectors) made orthonormal within each cluster of close eigenvalues, by Gram-Schmidt
    against the earlier rows of the same cluster (their eigenvectors are defined only as a subspace)."""
    k = type_of(v).shape[0]
    idx = jnp.arange(k)

    def step(i, v):
        earlier = (idx < i) & (cluster == cluster[i])
        coeffs = jnp.where(earlier, jnp.conj(v) @ v[i], 0)
        w = v[i] - coeffs @ v
        return v.at[i].set(w / jnp.linalg.norm(w).astype(type_of(v).dtype))
    return fori_loop(1, k, step, v)


def _eigenvectors(alpha, beta, eigvals, key, dtype):
    """Inverse iteration, all eigenvectors at once: v <- (T - w_i I)^-1 v, normalised, at most 5 times
    (LAPACK xSTEIN's limit) and until no norm grows by 10% any more. The shifted systems are solved
    densely (LU); where one is exactly singular, again with the shift nudged by a few ulps of ||T|| (JAX
    perturbs the zero pivot of its tridiagonal solver instead)."""
    n, k = type_of(alpha).shape[0], type_of(eigvals).shape[0]
    real = type_of(eigvals).dtype
    eps = float(np.finfo(real).eps)
    t_norm = jnp.maximum(jnp.abs(eigvals[0]), jnp.abs(eigvals[-1]))
    # a run of eigenvalues closer than sqrt(eps) ||T|| is a cluster: cluster ids count the gaps
    gap_open = jnp.concatenate([jnp.ones((1,), bool), eigvals[1:] - eigvals[:-1] >= np.sqrt(eps) * t_norm])
    cluster = jnp.cumsum(gap_open.astype(np.int32))
    t = jnp.diag(alpha.astype(dtype)) + jnp.diag(beta.astype(dtype), 1) + jnp.diag(jnp.conj(beta).astype(dtype), -1)
    eye = jnp.eye(n, dtype=real)
    shifted = t[None] - (eigvals[:, None, None] * eye).astype(dtype)
    nudge = (4 * eps * jnp.maximum(t_norm, np.finfo(real).tiny) * eye).astype(dtype)
    v = random.normal(key, (k, n), dtype=real).astype(dtype)
    v = v / jnp.linalg.norm(v, axis=-1, keepdims=True).astype(dtype)

    def cond(state):
        i, _, nrm, nrm_old = state
        return (i < 5) & jnp.any(nrm >= 1.1 * nrm_old)

    def body(state):
        i, v, nrm, _ = state
        w = jnp.linalg.solve(shifted, v[:, :, None])[..., 0]
        singular = ~jnp.all(jnp.isfinite(w), axis=-1, keepdims=True)
        w = jnp.where(singular, jnp.linalg.solve(shifted - nudge, v[:, :, None])[..., 0], w)
        nrm_new = jnp.linalg.norm(w, axis=-1)
        w = _orthogonalize_clusters(w / nrm_new[:, None].astype(dtype), cluster)
        return i + 1, w, nrm_new, nrm
    return while_loop(cond, body, (0, v, jnp.ones(k, real), jnp.zeros(k, real)))[1]


def eigh_tridiagonal(d, e, *, eigvals_only=False, select="a", select_range=None, tol=None, key=None):
    """The eigenvalues (ascending), and unless eigvals_only the eigenvectors (columns), of the symmetric
    (Hermitian) tridiagonal matrix with diagonal d and off-diagonal e. select 'a': all; 'i': those with
    indices select_range[0] <= i <= select_range[1] ('v', a value range, is not implemented, as in JAX).
    tol: absolute tolerance of the bisection. key: the PRNG key of inverse iteration's random starts
    (default random.key(42), as JAX)."""
    check_arraylike("eigh_tridiagonal", d, e)
    alpha, beta = jnp.asarray(d), jnp.asarray(e)
    dt, bt = type_of(alpha).dtype, type_of(beta).dtype
    if dt != bt:
        raise TypeError(f"diagonal and off-diagonal values must have same dtype, got {dt} and {bt}")
    if dt not in (np.float32, np.float64, np.complex64, np.complex128):
        raise TypeError(f"Only float32 and float64 inputs are supported as inputs to "
                        f"jax.scipy.linalg.eigh_tridiagonal, got {dt} and {bt}")
    n = type_of(alpha).shape[0]
    if type_of(alpha).ndim != 1 or type_of(beta).shape != (max(n - 1, 0),):
        raise ValueError(f"eigh_tridiagonal: d must be a vector (n,) and e a vector (n - 1,), got shapes "
                         f"{type_of(alpha).shape} and {type_of(beta).shape}")
    if n <= 1:
        return jnp.real(alpha) if eigvals_only else (jnp.real(alpha), jnp.eye(n, dtype=dt))
    if select == "a":
        target = np.arange(n, dtype=np.int32)
    elif select == "i":
        if select_range is None:
            raise ValueError("for select='i', select_range must be specified.")
        if select_range[0] > select_range[1]:
            raise ValueError("Got empty index range in select_range.")
        target = np.arange(select_range[0], select_range[1] + 1, dtype=np.int32)
    elif select == "v":
        raise NotImplementedError("eigh_tridiagonal(..., select='v') is not implemented")
    else:
        raise ValueError("'select must have a value in {'a', 'i', 'v'}.")
    complex_input = np.issubdtype(dt, np.complexfloating)
    if complex_input:
        a = jnp.real(alpha)
        beta_sq = jnp.real(beta * jnp.conj(beta))
        beta_abs = jnp.sqrt(beta_sq)
    else:
        a, beta_abs, beta_sq = alpha, jnp.abs(beta), jnp.square(beta)
    real = type_of(a).dtype
    finfo = np.finfo(real)

    # Gershgorin bounds on the spectrum, and an upper bound on ||T||_2
    row_sums = jnp.concatenate([beta_abs[:1], beta_abs[:-1] + beta_abs[1:], beta_abs[-1:]])
    lam_max, lam_min = jnp.max(a + row_sums), jnp.min(a - row_sums)
    t_norm = jnp.maximum(jnp.abs(lam_min), jnp.abs(lam_max))
    # the smallest pivot allowed in the Sturm recurrence (no overflow in beta^2 / q)
    safemin = np.maximum(real.type(1) / finfo.max, (1 + finfo.eps) * finfo.tiny)
    pivmin = safemin * jnp.maximum(1, jnp.max(beta_sq))
    alpha0_perturbation = jnp.square(finfo.eps * beta_abs[0])
    abs_tol = finfo.eps * t_norm
    if tol is not None:
        abs_tol = jnp.maximum(tol, abs_tol)
    # bisection halves the interval: mantissa bits + 1 steps reach eps * ||T|| from a 2 ||T|| interval
    max_it = finfo.nmant + 1
    fudge = 2.1
    slack = n * fudge * finfo.eps * t_norm
    shape = target.shape
    lower = jnp.broadcast_to(lam_min - slack - 2 * fudge * pivmin, shape)
    upper = jnp.broadcast_to(lam_max + slack + fudge * pivmin, shape)
    pivmin_b = jnp.broadcast_to(pivmin, shape)
    alpha0_b = jnp.broadcast_to(alpha0_perturbation, shape)

    def cond(state):
        i, lower, _, upper = state
        return (i < max_it) & (abs_tol < jnp.max(upper - lower))

    def body(state):
        i, lower, mid, upper = state
        counts = _sturm_counts(a, beta_sq, pivmin_b, alpha0_b, mid)
        lower = jnp.where(counts <= target, mid, lower)
        upper = jnp.where(counts > target, mid, upper)
        return i + 1, lower, 0.5 * (lower + upper), upper
    w = while_loop(cond, body, (0, lower, 0.5 * (lower + upper), upper))[2]
    if eigvals_only:
        return w
    v = _eigenvectors(a, beta, w, random.key(42) if key is None else key, dt)
    return w, v.T
