"""The inexact line search BFGS uses: find a step a along p_k that satisfies the strong Wolfe conditions
(sufficient decrease c1, curvature c2), by bracketing then zooming with cubic / quadratic interpolation or
bisection (Nocedal and Wright, Algorithms 3.5 and 3.6), as jax.scipy.optimize does it, in while loops."""
from typing import NamedTuple

import numpy as np

from ... import lax
from ... import numpy as jnp
from ...ad import value_and_grad
from ...control import while_loop
from ...core import type_of


def _dot(a, b):
    return jnp.dot(a, b, precision=lax.Precision.HIGHEST)


def _cubicmin(a, fa, fpa, b, fb, c, fc):
    """The minimizer of the cubic through (a, fa) with slope fpa at a, (b, fb) and (c, fc)."""
    db, dc = b - a, c - a
    denom = (db * dc) ** 2 * (db - dc)
    d1 = jnp.stack([jnp.stack([dc ** 2, -db ** 2]), jnp.stack([-dc ** 3, db ** 3])])
    d2 = jnp.stack([fb - fa - fpa * db, fc - fa - fpa * dc])
    A, B = _dot(d1, d2) / denom
    return a + (-B + jnp.sqrt(B * B - 3. * A * fpa)) / (3. * A)


def _quadmin(a, fa, fpa, b, fb):
    """The minimizer of the quadratic through (a, fa) with slope fpa at a and (b, fb)."""
    db = b - a
    B = (fb - fa - fpa * db) / (db ** 2)
    return a - fpa / (2. * B)


def _replace(state, pred, **new):
    """state with the fields in `new` taken from `new` where pred holds."""
    return state._replace(**{k: jnp.where(pred, v, getattr(state, k)) for k, v in new.items()})


class _ZoomState(NamedTuple):
    done: object
    failed: object
    j: object
    a_lo: object
    phi_lo: object
    dphi_lo: object
    a_hi: object
    phi_hi: object
    dphi_hi: object
    a_rec: object
    phi_rec: object
    a_star: object
    phi_star: object
    dphi_star: object
    g_star: object
    nfev: object
    ngev: object


def _zoom(func_and_grad, wolfe_one, wolfe_two, a_lo, phi_lo, dphi_lo, a_hi, phi_hi, dphi_hi, g_0, pass_through):
    """Algorithm 3.6: shrink [a_lo, a_hi] (which brackets a Wolfe point) until a step satisfies both
    conditions; fails after 30 steps or once the interval is below 1e-10 (1e-5 below 64 bits)."""
    dt = type_of(a_lo).dtype
    f, i = (lambda v: jnp.asarray(v, dt)), (lambda v: jnp.asarray(v, np.int32))
    state = _ZoomState(done=jnp.asarray(False), failed=jnp.asarray(False), j=i(0), a_lo=a_lo, phi_lo=phi_lo,
                       dphi_lo=dphi_lo, a_hi=a_hi, phi_hi=phi_hi, dphi_hi=dphi_hi, a_rec=(a_lo + a_hi) / 2.,
                       phi_rec=(phi_lo + phi_hi) / 2., a_star=f(1.), phi_star=phi_lo, dphi_star=dphi_lo,
                       g_star=g_0, nfev=i(0), ngev=i(0))
    delta1, delta2 = 0.2, 0.1
    threshold = 1e-5 if np.finfo(dt).bits < 64 else 1e-10

    def body(s):
        dalpha = s.a_hi - s.a_lo
        lo, hi = jnp.minimum(s.a_hi, s.a_lo), jnp.maximum(s.a_hi, s.a_lo)
        cchk, qchk = delta1 * dalpha, delta2 * dalpha
        s = s._replace(failed=s.failed | (dalpha <= threshold))
        a_cubic = _cubicmin(s.a_lo, s.phi_lo, s.dphi_lo, s.a_hi, s.phi_hi, s.a_rec, s.phi_rec)
        use_cubic = (s.j > 0) & (a_cubic > lo + cchk) & (a_cubic < hi - cchk)
        a_quad = _quadmin(s.a_lo, s.phi_lo, s.dphi_lo, s.a_hi, s.phi_hi)
        use_quad = (~use_cubic) & (a_quad > lo + qchk) & (a_quad < hi - qchk)
        use_bisection = (~use_cubic) & (~use_quad)
        a_j = jnp.where(use_cubic, a_cubic, s.a_rec)
        a_j = jnp.where(use_quad, a_quad, a_j)
        a_j = jnp.where(use_bisection, (s.a_lo + s.a_hi) / 2., a_j)
        phi_j, dphi_j, g_j = func_and_grad(a_j)
        s = s._replace(nfev=s.nfev + 1, ngev=s.ngev + 1)

        hi_to_j = wolfe_one(a_j, phi_j) | (phi_j >= s.phi_lo)
        star_to_j = wolfe_two(dphi_j) & (~hi_to_j)
        hi_to_lo = (dphi_j * (s.a_hi - s.a_lo) >= 0.) & (~hi_to_j) & (~star_to_j)
        lo_to_j = (~hi_to_j) & (~star_to_j)

        s = _replace(s, hi_to_j, a_hi=a_j, phi_hi=phi_j, dphi_hi=dphi_j, a_rec=s.a_hi, phi_rec=s.phi_hi)
        s = _replace(s._replace(done=star_to_j | s.done), star_to_j, a_star=a_j, phi_star=phi_j,
                     dphi_star=dphi_j, g_star=g_j)
        s = _replace(s, hi_to_lo, a_hi=s.a_lo, phi_hi=s.phi_lo, dphi_hi=s.dphi_lo, a_rec=s.a_hi,
                     phi_rec=s.phi_hi)
        s = _replace(s, lo_to_j & ~hi_to_lo, a_rec=s.a_lo, phi_rec=s.phi_lo)
        s = _replace(s, lo_to_j, a_lo=a_j, phi_lo=phi_j, dphi_lo=dphi_j)
        s = s._replace(j=s.j + 1)
        return s._replace(failed=s.failed | (s.j >= 30))

    return while_loop(lambda s: (~s.done) & (~pass_through) & (~s.failed), body, state)


class _LineSearchState(NamedTuple):
    done: object
    failed: object
    i: object
    a_i1: object
    phi_i1: object
    dphi_i1: object
    nfev: object
    ngev: object
    a_star: object
    phi_star: object
    dphi_star: object
    g_star: object


class LineSearchResults(NamedTuple):
    failed: object
    nit: object
    nfev: object
    ngev: object
    k: object
    a_k: object
    f_k: object
    g_k: object
    status: object     # 0 passed, 1 zoom failed, 3 maxiter reached


def line_search(f, xk, pk, old_fval, old_old_fval, gfk, c1=1e-4, c2=0.9, maxiter=20):
    """Algorithm 3.5 from xk along pk, starting at a step from the last decrease (as SciPy), given f(xk),
    the value before it and f's gradient at xk."""
    dt = type_of(pk).dtype

    def func_and_grad(t):
        phi, g = value_and_grad(f)(xk + t.astype(dt) * pk)
        return phi, jnp.real(_dot(g, pk)), g

    phi_0, dphi_0 = old_fval, jnp.real(_dot(gfk, pk))
    candidate = 1.01 * 2 * (phi_0 - old_old_fval) / dphi_0
    start = jnp.where(candidate > 1, 1.0, candidate)

    def wolfe_one(a_i, phi_i):
        return phi_i > phi_0 + c1 * a_i * dphi_0

    def wolfe_two(dphi_i):
        return jnp.abs(dphi_i) <= -c2 * dphi_0

    zero = jnp.asarray(0., type_of(phi_0).dtype)
    state = _LineSearchState(done=jnp.asarray(False), failed=jnp.asarray(False), i=jnp.asarray(1, np.int32),
                             a_i1=zero, phi_i1=phi_0, dphi_i1=dphi_0, nfev=jnp.asarray(0, np.int32),
                             ngev=jnp.asarray(0, np.int32), a_star=zero, phi_star=phi_0, dphi_star=dphi_0,
                             g_star=gfk)

    def body(s):
        a_i = jnp.where(s.i == 1, start, s.a_i1 * 2.)
        phi_i, dphi_i, g_i = func_and_grad(a_i)
        s = s._replace(nfev=s.nfev + 1, ngev=s.ngev + 1)
        star_to_zoom1 = wolfe_one(a_i, phi_i) | ((phi_i >= s.phi_i1) & (s.i > 1))
        star_to_i = wolfe_two(dphi_i) & (~star_to_zoom1)
        star_to_zoom2 = (dphi_i >= 0.) & (~star_to_zoom1) & (~star_to_i)
        zoom1 = _zoom(func_and_grad, wolfe_one, wolfe_two, s.a_i1, s.phi_i1, s.dphi_i1, a_i, phi_i, dphi_i,
                      gfk, ~star_to_zoom1)
        zoom2 = _zoom(func_and_grad, wolfe_one, wolfe_two, a_i, phi_i, dphi_i, s.a_i1, s.phi_i1, s.dphi_i1,
                      gfk, ~star_to_zoom2)
        s = s._replace(nfev=s.nfev + zoom1.nfev + zoom2.nfev, ngev=s.ngev + zoom1.ngev + zoom2.ngev)
        s = _replace(s._replace(done=star_to_zoom1 | s.done, failed=(star_to_zoom1 & zoom1.failed) | s.failed),
                     star_to_zoom1, a_star=zoom1.a_star, phi_star=zoom1.phi_star, dphi_star=zoom1.dphi_star,
                     g_star=zoom1.g_star)
        s = _replace(s._replace(done=star_to_i | s.done), star_to_i, a_star=a_i, phi_star=phi_i,
                     dphi_star=dphi_i, g_star=g_i)
        s = _replace(s._replace(done=star_to_zoom2 | s.done, failed=(star_to_zoom2 & zoom2.failed) | s.failed),
                     star_to_zoom2, a_star=zoom2.a_star, phi_star=zoom2.phi_star, dphi_star=zoom2.dphi_star,
                     g_star=zoom2.g_star)
        return s._replace(i=s.i + 1, a_i1=a_i, phi_i1=phi_i, dphi_i1=dphi_i)

    s = while_loop(lambda s: (~s.done) & (s.i <= maxiter) & (~s.failed), body, state)
    status = jnp.where(s.failed, 1, jnp.where(s.i > maxiter, 3, 0)).astype(np.int32)
    a_k = s.a_star
    if np.finfo(type_of(a_k).dtype).bits != 64:    # as JAX: no step below 1e-8 in low precision
        a_k = jnp.where(jnp.abs(a_k) < 1e-8, jnp.sign(a_k) * 1e-8, a_k)
    return LineSearchResults(failed=s.failed | (~s.done), nit=s.i - 1, nfev=s.nfev, ngev=s.ngev, k=s.i, a_k=a_k,
                             f_k=s.phi_star, g_k=s.g_star, status=status)
