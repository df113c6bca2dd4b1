"""lax.custom_root and lax.custom_linear_solve, and a fixed point under custom_vjp: derivatives by the implicit
function theorem through solvers that are while_loops (which reverse mode could not differentiate), checked
against analytic derivatives, to second order."""
from functools import partial
from typing import NamedTuple

import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax
from lintra.ir.ad.solve_rules import TransposeSolveError
from lintra.test_util import check_grads




def _close(a, b, tol=1e-9):
    np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64), rtol=tol, atol=tol)


def _prims(f, *args):
    return [op.prim for op in lintra.make_ir(f)(*args).body.walk()]


# ---- custom_root: a Newton square root ------------------------------------------------------------------

def newton(f, x0):
    """Newton's method until |f(x)| is tiny: a while_loop, so not reverse-differentiable itself."""
    return lax.while_loop(lambda x: jnp.max(jnp.abs(f(x))) > 1e-12, lambda x: x - f(x) / lintra.grad(
        lambda v: jnp.sum(f(v)))(x), x0)


def scalar_solve(g, y):
    return y / g(1.0)


def root_sqrt(a):
    return lax.custom_root(lambda x: x * x - a, jnp.ones_like(a), newton, scalar_solve)


A = np.array([0.5, 2.0, 9.0])


def test_custom_root_derivatives_match_sqrt(x64):
    for a in A:
        _close(root_sqrt(a), np.sqrt(a))
        _close(lintra.grad(root_sqrt)(a), 0.5 / np.sqrt(a))
        _close(lintra.grad(lintra.grad(root_sqrt))(a), -0.25 * a ** -1.5)
        _close(lintra.jvp(root_sqrt, (a,), (2.0,))[1], 1.0 / np.sqrt(a))
        _close(lintra.jvp(lintra.grad(root_sqrt), (a,), (1.0,))[1], -0.25 * a ** -1.5)
    _close(lintra.jit(lintra.grad(lintra.grad(root_sqrt)))(A[1]), -0.25 * A[1] ** -1.5)
    _close(lintra.vmap(lintra.grad(root_sqrt))(A), 0.5 / np.sqrt(A))


def test_custom_root_vector_aux_and_closures(x64):
    """An elementwise square root of a vector (tangent_solve divides by the diagonal Jacobian), with the
    iteration count as aux, and a parameter the function closes over twice."""
    def solve(f, x0):
        def body(c):
            x, n = c
            return x - f(x) / (2 * x), n + 1
        return lax.while_loop(lambda c: jnp.max(jnp.abs(f(c[0]))) > 1e-12, body, (x0, 0))

    def roots(a, scale):
        f = lambda x: x * x - a * scale
        x, n = lax.custom_root(f, jnp.ones_like(a), solve, lambda g, y: y / g(jnp.ones_like(y)), has_aux=True)
        return x, n
    x, n = roots(A, 2.0)
    _close(x, np.sqrt(2 * A))
    assert int(n) > 3
    _close(lintra.jacrev(lambda a: roots(a, 2.0)[0])(A), np.diag(np.sqrt(2.0) * 0.5 / np.sqrt(A)))
    _close(lintra.grad(lambda s: jnp.sum(roots(A, s)[0]))(2.0), np.sum(np.sqrt(A) * 0.5 / np.sqrt(2.0)))
    check_grads(lambda a: roots(a, 2.0)[0], (A,), order=2)


def test_custom_root_errors_name_the_mismatch():
    with pytest.raises(TypeError, match=r"f\(\) output pytree structure must match initial_guess"):
        lintra.grad(lambda a: lax.custom_root(lambda x: (x, x), a, newton, scalar_solve))(1.0)
    with pytest.raises(TypeError, match=r"with has_aux=True must return a pair"):
        lintra.grad(lambda a: lax.custom_root(lambda x: x * x - a, a, newton, scalar_solve, has_aux=True))(1.0)


# ---- a fixed point under custom_vjp (JAX's documented example) ---------------------------------------------

@partial(lintra.custom_vjp, nondiff_argnums=(0,))
def fixed_point(f, a, x_guess):
    def cond_fun(carry):
        x_prev, x = carry
        return jnp.abs(x_prev - x) > 1e-12

    def body_fun(carry):
        _, x = carry
        return x, f(a, x)
    _, x_star = lax.while_loop(cond_fun, body_fun, (x_guess, f(a, x_guess)))
    return x_star


def fixed_point_fwd(f, a, x_init):
    x_star = fixed_point(f, a, x_init)
    return x_star, (a, x_star)


def rev_iter(f, packed, u):
    a, x_star, x_star_bar = packed
    _, vjp_x = lintra.vjp(lambda x: f(a, x), x_star)
    return x_star_bar + vjp_x(u)[0]


def fixed_point_rev(f, res, x_star_bar):
    a, x_star = res
    _, vjp_a = lintra.vjp(lambda a: f(a, x_star), a)
    a_bar, = vjp_a(fixed_point(partial(rev_iter, f), (a, x_star, x_star_bar), x_star_bar))
    return a_bar, jnp.zeros_like(x_star)


fixed_point.defvjp(fixed_point_fwd, fixed_point_rev)


def fp_sqrt(a):
    return fixed_point(lambda a, x: 0.5 * (x + a / x), a, a)


def test_fixed_point_under_custom_vjp_to_second_order(x64):
    for a in A:
        _close(fp_sqrt(a), np.sqrt(a))
        _close(lintra.grad(fp_sqrt)(a), 0.5 / np.sqrt(a))
        _close(lintra.grad(lintra.grad(fp_sqrt))(a), -0.25 * a ** -1.5, 1e-8)
    _close(lintra.jit(lintra.grad(lintra.grad(fp_sqrt)))(A[2]), -0.25 * A[2] ** -1.5, 1e-8)


# ---- custom_linear_solve ----------------------------------------------------------------------------------

RNG = np.random.default_rng(0)
M = RNG.normal(size=(3, 3))
SPD = M @ M.T + 3 * np.eye(3)                      # for conjugate gradients
DOM = RNG.normal(size=(3, 3)) * 0.3 + 4 * np.eye(3)  # diagonally dominant: Jacobi-like iteration converges
B = RNG.normal(size=3)
WEIGHTS = np.arange(1.0, 4.0)


def cg(matvec, b):
    def body(c):
        x, r, p, k = c
        ap = matvec(p)
        alpha = jnp.dot(r, r) / jnp.dot(p, ap)
        x, r_new = x + alpha * p, r - alpha * ap
        return x, r_new, r_new + jnp.dot(r_new, r_new) / jnp.dot(r, r) * p, k + 1
    x, *_ = lax.while_loop(lambda c: (c[3] < 10) & (jnp.dot(c[1], c[1]) > 1e-28), body,
                           (jnp.zeros_like(b), b, b, 0))
    return x


def richardson(matvec, b):
    def body(c):
        x, k = c
        return x + (b - matvec(x)) / 4.0, k + 1
    return lax.while_loop(lambda c: c[1] < 200, body, (jnp.zeros_like(b), 0))[0]


def sym_loss(a, b):
    x = lax.custom_linear_solve(lambda v: jnp.dot(a, v), b, cg, symmetric=True)
    return jnp.sum(x * WEIGHTS)


def gen_loss(a, b):
    x = lax.custom_linear_solve(lambda v: jnp.dot(a, v), b, richardson, transpose_solve=richardson)
    return jnp.sum(x * WEIGHTS)


@pytest.mark.parametrize("loss, a", [(sym_loss, SPD), (gen_loss, DOM)], ids=["symmetric-cg", "transpose_solve"])
def test_linear_solve_derivatives_match_numpy(x64, loss, a):
    x = np.linalg.solve(a, B)
    lam = np.linalg.solve(a.T, WEIGHTS)             # d(w.x)/db = A^-T w, d/dA = -lam x^T
    _close(loss(a, B), WEIGHTS @ x)
    g_a, g_b = lintra.grad(loss, (0, 1))(a, B)
    _close(g_b, lam)
    _close(g_a, -np.outer(lam, x))
    t_a, t_b = np.ones((3, 3)), np.linspace(-1.0, 1.0, 3)
    _close(lintra.jvp(loss, (a, B), (t_a, t_b))[1], lam @ (t_b - t_a @ x))
    _close(lintra.jit(lintra.grad(loss, 1))(a, B), lam)
    bs = np.stack([B, 2 * B, -B])
    _close(lintra.vmap(lintra.grad(loss, 1), (None, 0))(a, bs), np.stack([lam] * 3))
    # second order in A: d2/dA2 of w.A^-1 b, against finite differences
    check_grads(lambda m: loss(m, B), (a,), order=2)


def test_linear_solve_forward_mode_needs_no_transpose_solve(x64):
    def loss(a, b):
        return jnp.sum(lax.custom_linear_solve(lambda v: jnp.dot(a, v), b, richardson) * WEIGHTS)
    x = np.linalg.solve(DOM, B)
    t_b = np.ones(3)
    _close(lintra.jvp(lambda b: loss(DOM, b), (B,), (t_b,))[1], WEIGHTS @ np.linalg.solve(DOM, t_b))
    _close(lintra.jvp(lambda a: loss(a, B), (DOM,), (np.eye(3),))[1], -WEIGHTS @ np.linalg.solve(DOM, x))
    with pytest.raises(TransposeSolveError, match="transpose_solve required for backwards mode"):
        lintra.grad(loss, 1)(DOM, B)


def test_linear_solve_aux_and_pytrees(x64):
    """b is a pair of vectors (a block-diagonal system); solve reports its iteration count as aux."""
    def solve(matvec, b):
        def body(c):
            x, k = c
            r = matvec(x)
            return (x[0] + (b[0] - r[0]) / 4.0, x[1] + (b[1] - r[1]) / 4.0), k + 1
        return lax.while_loop(lambda c: c[1] < 200, body, ((jnp.zeros(3), jnp.zeros(3)), 0))

    def loss(a, b):
        (x, y), k = lax.custom_linear_solve(lambda v: (jnp.dot(a, v[0]), jnp.dot(a.T, v[1])), b, solve,
                                            transpose_solve=solve, has_aux=True)
        return jnp.sum(x * WEIGHTS) + jnp.sum(y), k
    (value, k), g = lintra.value_and_grad(loss, 1, has_aux=True)(DOM, (B, B))
    assert int(k) == 200
    _close(value, WEIGHTS @ np.linalg.solve(DOM, B) + np.sum(np.linalg.solve(DOM.T, B)))
    _close(g[0], np.linalg.solve(DOM.T, WEIGHTS))
    _close(g[1], np.linalg.solve(DOM, np.ones(3)))


# ---- rule coverage: the AD and batching registries read this table -----------------------------------------

class Rule(NamedTuple):
    prim: str
    fun: object


RULES = [Rule("linear_solve", lambda b: lax.custom_linear_solve(lambda v: jnp.dot(SPD, v) * b[0], b, cg,
                                                                 symmetric=True))]
COVERED_AD_PRIMITIVES = {r.prim for r in RULES}
COVERED_BATCH_PRIMITIVES = {r.prim for r in RULES}


@pytest.mark.parametrize("rule", RULES, ids=[r.prim for r in RULES])
def test_rule_derivatives_and_batching(x64, rule):
    """x = (b0 SPD)^-1 b: b enters both the right-hand side and (through b0) matvec's consts."""
    assert rule.prim in _prims(rule.fun, B)
    _close(rule.fun(B), np.linalg.solve(B[0] * SPD, B))
    check_grads(rule.fun, (B,), order=2)
    bs = np.stack([B, B + 1.0])
    assert rule.prim in _prims(lintra.vmap(rule.fun), bs)
    _close(lintra.vmap(rule.fun)(bs), np.stack([np.linalg.solve(b[0] * SPD, b) for b in bs]))
