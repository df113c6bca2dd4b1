"""minimize(fun, x0, method='BFGS'): BFGS (Nocedal and Wright, Algorithm 6.1) with the Wolfe line search,
gradients by reverse-mode AD, the whole iteration one while loop (so it compiles under jit), as
jax.scipy.optimize.minimize."""
from typing import NamedTuple

import numpy as np

from ... import lax
from ... import numpy as jnp
from ...ad import value_and_grad
from ...control import while_loop
from ...core import type_of
from ...numpy._util import describe
from ._line_search import line_search


class OptimizeResults(NamedTuple):
    """x: the solution; success; status (0 converged, 1 max iterations, 2 + the line search's status when it
    failed, -1 undefined); fun and jac at x; hess_inv: the final inverse-Hessian estimate; nfev, njev:
    function and gradient evaluations; nit: iterations."""
    x: object
    success: object
    status: object
    fun: object
    jac: object
    hess_inv: object
    nfev: object
    njev: object
    nit: object


class _BFGSState(NamedTuple):
    converged: object
    failed: object
    k: object
    nfev: object
    ngev: object
    x_k: object
    f_k: object
    g_k: object
    H_k: object
    old_old_fval: object
    line_search_status: object


def _minimize_bfgs(fun, x0, maxiter=None, norm=np.inf, gtol=1e-5, line_search_maxiter=10):
    if maxiter is None:
        maxiter = int(np.size(x0)) * 200
    d = type_of(x0).shape[0]
    f_0, g_0 = value_and_grad(fun)(x0)
    i32 = lambda v: jnp.asarray(v, np.int32)   # noqa: E731
    state = _BFGSState(converged=jnp.linalg.norm(g_0, ord=norm) < gtol, failed=jnp.asarray(False), k=i32(0),
                       nfev=i32(1), ngev=i32(1), x_k=x0, f_k=f_0, g_k=g_0, H_k=jnp.eye(d, dtype=type_of(x0).dtype),
                       old_old_fval=f_0 + jnp.linalg.norm(g_0) / 2, line_search_status=i32(0))

    def body(s):
        p_k = -jnp.dot(s.H_k, s.g_k, precision=lax.Precision.HIGHEST)
        ls = line_search(fun, s.x_k, p_k, old_fval=s.f_k, old_old_fval=s.old_old_fval, gfk=s.g_k,
                         maxiter=line_search_maxiter)
        s_k = ls.a_k.astype(type_of(p_k).dtype) * p_k
        y_k = ls.g_k - s.g_k
        rho_k = jnp.reciprocal(jnp.dot(y_k, s_k, precision=lax.Precision.HIGHEST))
        w = jnp.eye(d, dtype=type_of(rho_k).dtype) - rho_k * s_k[:, None] * y_k[None, :]
        h_next = (jnp.einsum("ij,jk,lk", w, s.H_k, w, precision=lax.Precision.HIGHEST)
                  + rho_k * s_k[:, None] * s_k[None, :])
        return _BFGSState(converged=jnp.linalg.norm(ls.g_k, ord=norm) < gtol, failed=ls.failed, k=s.k + 1,
                          nfev=s.nfev + ls.nfev, ngev=s.ngev + ls.ngev, x_k=s.x_k + s_k, f_k=ls.f_k, g_k=ls.g_k,
                          H_k=jnp.where(jnp.isfinite(rho_k), h_next, s.H_k), old_old_fval=s.f_k,
                          line_search_status=ls.status)

    s = while_loop(lambda s: (~s.converged) & (~s.failed) & (s.k < maxiter), body, state)
    status = jnp.where(s.converged, 0, jnp.where(s.k == maxiter, 1,
                                                 jnp.where(s.failed, 2 + s.line_search_status, -1)))
    return s, status


def minimize(fun, x0, args=(), *, method, tol=None, options=None):
    """Minimize fun(x, *args) over a 1-D x from x0. Only method='BFGS' (case-insensitive); options:
    maxiter, norm, gtol, line_search_maxiter. tol is accepted and unused, as in JAX."""
    options = {} if options is None else dict(options)
    if not isinstance(args, tuple):
        raise TypeError(f"args argument to lintra.scipy.optimize.minimize must be a tuple, got {args!r}")
    if not isinstance(method, str) or method.lower() != "bfgs":
        raise ValueError(f"Method {method} not recognized (Lintra implements method='BFGS')")
    x0 = jnp.asarray(x0)
    if type_of(x0).ndim != 1:
        raise ValueError(f"minimize: x0 must be a 1-D array, got {describe(x0)}")
    unknown = set(options) - {"maxiter", "norm", "gtol", "line_search_maxiter"}
    if unknown:
        raise TypeError(f"minimize: unknown BFGS options {sorted(unknown)}")
    s, status = _minimize_bfgs(lambda x: fun(x, *args), x0, **options)
    return OptimizeResults(x=s.x_k, success=s.converged & ~s.failed, status=status, fun=s.f_k, jac=s.g_k,
                           hess_inv=s.H_k, nfev=s.nfev, njev=s.ngev, nit=s.k)
