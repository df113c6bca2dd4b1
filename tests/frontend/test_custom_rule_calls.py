"""How many times custom_jvp/custom_vjp call the user's function and rules under vmap, jit and
differentiation, counted with side-effecting counters. Expected counts are JAX 0.10.2's, recorded by running
the same programs with `import jax`: vmap batches the function and its rules lazily, so vmap alone runs only
the function and a vmap under grad/jvp/vjp runs only the rule (or fwd and bwd); where JAX stages (jit,
checkpoint, scan, cond under grad) it traces the function too."""
import numpy as np
import pytest

import lintra as jax
import lintra.numpy as jnp


def _functions(calls):
    """A fresh custom_jvp f and custom_vjp g (no trace cache shared between cases) counting their calls."""
    @jax.custom_jvp
    def f(x):
        calls["f"] += 1
        return jnp.sin(x)

    @f.defjvp
    def f_jvp(primals, tangents):
        calls["rule"] += 1
        (x,), (t,) = primals, tangents
        return jnp.sin(x), jnp.cos(x) * t

    @jax.custom_vjp
    def g(x):
        calls["g"] += 1
        return jnp.sin(x)

    def g_fwd(x):
        calls["fwd"] += 1
        return jnp.sin(x), jnp.cos(x)

    def g_bwd(res, ct):
        calls["bwd"] += 1
        return (res * ct,)

    g.defvjp(g_fwd, g_bwd)
    return f, g


xs = jnp.arange(3.0)
sg = jax.lax.stop_gradient


def _scan(fn):
    return lambda x: jax.lax.scan(lambda c, _: (fn(c), None), x, None, length=2)[0]


CASES = [   # (name, program, JAX's counts as f, rule, g, fwd, bwd)
    ("vmap_f", lambda f, g: jax.vmap(f)(xs), (1, 0, 0, 0, 0)),
    ("jit_vmap_f", lambda f, g: jax.jit(jax.vmap(f))(xs), (1, 0, 0, 0, 0)),
    ("vmap_vmap_f", lambda f, g: jax.vmap(jax.vmap(f))(xs[None]), (1, 0, 0, 0, 0)),
    ("vmap_grad_f", lambda f, g: jax.vmap(jax.grad(f))(xs), (0, 1, 0, 0, 0)),
    ("jvp_vmap_f", lambda f, g: jax.jvp(jax.vmap(f), (xs,), (xs,)), (0, 1, 0, 0, 0)),
    ("grad_sum_vmap_f", lambda f, g: jax.grad(lambda x: jax.vmap(f)(x).sum())(xs), (0, 1, 0, 0, 0)),
    ("vmap_jvp_f", lambda f, g: jax.vmap(lambda x: jax.jvp(f, (x,), (x,)))(xs), (0, 1, 0, 0, 0)),
    ("jit_vmap_grad_f", lambda f, g: jax.jit(jax.vmap(jax.grad(f)))(xs), (0, 1, 0, 0, 0)),
    ("grad_jit_f", lambda f, g: jax.grad(jax.jit(f))(1.0), (1, 1, 0, 0, 0)),
    ("grad_checkpoint_f", lambda f, g: jax.grad(jax.checkpoint(f))(1.0), (1, 1, 0, 0, 0)),
    ("grad_scan_f", lambda f, g: jax.grad(_scan(f))(1.0), (1, 1, 0, 0, 0)),
    ("grad_vmap_jit_f", lambda f, g: jax.grad(lambda x: jax.vmap(jax.jit(f))(x).sum())(xs), (1, 1, 0, 0, 0)),
    ("vmap_g", lambda f, g: jax.vmap(g)(xs), (0, 0, 1, 0, 0)),
    ("jit_vmap_g", lambda f, g: jax.jit(jax.vmap(g))(xs), (0, 0, 1, 0, 0)),
    ("vmap_grad_g", lambda f, g: jax.vmap(jax.grad(g))(xs), (0, 0, 0, 1, 1)),
    ("grad_sum_vmap_g", lambda f, g: jax.grad(lambda x: jax.vmap(g)(x).sum())(xs), (0, 0, 0, 1, 1)),
    ("vjp_vmap_g", lambda f, g: jax.vjp(jax.vmap(g), xs)[1](xs), (0, 0, 0, 1, 1)),
    ("vmap_jit_grad_g", lambda f, g: jax.vmap(jax.jit(jax.grad(g)))(xs), (0, 0, 0, 1, 1)),
    ("grad_jit_g", lambda f, g: jax.grad(jax.jit(g))(1.0), (0, 0, 1, 1, 1)),
    ("grad_scan_g", lambda f, g: jax.grad(_scan(g))(1.0), (0, 0, 1, 1, 1)),
    # no input can carry a tangent (stop_gradient, an integer-valued op, a constant): the function runs
    ("grad_f_stop_gradient", lambda f, g: jax.grad(lambda x: f(sg(x)) * x)(1.0), (1, 0, 0, 0, 0)),
    ("grad_f_floor", lambda f, g: jax.grad(lambda x: f(jnp.floor(x)) * x)(1.0), (1, 0, 0, 0, 0)),
    ("grad_f_constant", lambda f, g: jax.grad(lambda x: f(2.0) * x)(1.0), (1, 0, 0, 0, 0)),
    ("jit_grad_f_stop_gradient", lambda f, g: jax.jit(jax.grad(lambda x: f(sg(x)) * x))(1.0), (1, 0, 0, 0, 0)),
    ("jvp_f_stop_gradient", lambda f, g: jax.jvp(lambda x: f(sg(x)), (1.0,), (1.0,)), (1, 0, 0, 0, 0)),
    ("grad_vmap_f_stop_gradient", lambda f, g: jax.grad(lambda x: (jax.vmap(f)(sg(x)) * x).sum())(xs),
     (1, 0, 0, 0, 0)),
    ("grad_vmap_f_inner_stop_gradient",
     lambda f, g: jax.grad(lambda x: jax.vmap(lambda y: f(sg(y)) * y)(x).sum())(xs), (1, 0, 0, 0, 0)),
    ("grad_vmap_f_closed_over", lambda f, g: jax.grad(lambda x: jax.vmap(lambda y: f(x[0]) * y)(x).sum())(xs),
     (0, 1, 0, 0, 0)),
    ("grad_g_stop_gradient", lambda f, g: jax.grad(lambda x: g(sg(x)) * x)(1.0), (0, 0, 1, 0, 0)),
    ("grad_g_stop_gradient_and_not", lambda f, g: jax.grad(lambda x: g(sg(x)) + g(x))(1.0), (0, 0, 1, 1, 1)),
    ("grad_vmap_g_stop_gradient", lambda f, g: jax.grad(lambda x: (jax.vmap(g)(sg(x)) * x).sum())(xs),
     (0, 0, 1, 0, 0)),
]


@pytest.mark.parametrize("program, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_calls_as_jax(program, expected):
    calls = dict(f=0, rule=0, g=0, fwd=0, bwd=0)
    program(*_functions(calls))
    assert (calls["f"], calls["rule"], calls["g"], calls["fwd"], calls["bwd"]) == expected


@jax.custom_jvp
def scaled(x, n):
    return jnp.sin(x) * n


@scaled.defjvp
def _scaled_jvp(primals, tangents):
    (x, n), (tx, _) = primals, tangents
    return jnp.sin(x) * n, jnp.cos(x) * tx * n


def test_grad_of_vmap_branches_on_the_rules_primal_values():
    """Outside jit the rule's primal outputs are concrete (the function is never run), so Python control
    flow on them works, an integer argument included; values are JAX's."""
    def loss(x):
        y = jax.vmap(scaled)(x, jnp.array([1, 2, 3]))
        return y.sum() if y.sum() > 0 else -y.sum()
    np.testing.assert_allclose(jax.grad(loss)(xs), [1.0, 1.0806046, -1.2484405], rtol=1e-6)
    np.testing.assert_allclose(jax.hessian(lambda x: jax.vmap(scaled)(x, jnp.array([1, 2, 3])).sum())(xs),
                               np.diag([-0.0, -1.6829419, -2.7278922]), rtol=1e-6, atol=1e-7)


def test_rule_never_needed_after_stop_gradient():
    """optax's perturbation estimators call f on stop_gradient'd samples: a rule that fails must not run.
    Value is JAX 0.10.2's."""
    @jax.custom_jvp
    def f(x):
        return jnp.sin(x)

    @f.defjvp
    def _never(primals, tangents):
        raise AssertionError("the JVP rule ran")

    loss = lambda x: jax.vmap(lambda y: f(sg(y)) * y)(x).sum()
    np.testing.assert_allclose(jax.grad(loss)(xs), [0.0, 0.84147096, 0.9092974], rtol=1e-6)
    np.testing.assert_allclose(jax.jit(jax.grad(loss))(xs), [0.0, 0.84147096, 0.9092974], rtol=1e-6)
