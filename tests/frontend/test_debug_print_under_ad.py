"""debug.print under differentiation of checkpoint/remat, scan and nested grad: how many times it prints,
and what. Expected outputs are JAX 0.10.2's, recorded by running the same programs with `import jax`:
grad(checkpoint(f)) prints the primal values twice (the forward pass, then the backward pass's
recomputation); a policy that saves a printed value (everything_saveable) prints it once; grad of a scan
or grad(grad(f)) prints once."""
import numpy as np
import pytest

import lintra as jax
import lintra.numpy as jnp
from lintra.ad_checkpoint import checkpoint_name

P = jax.checkpoint_policies


def _f(x):
    jax.debug.print("x={x}", x=x)
    y = jnp.sin(x)
    jax.debug.print("y={y}", y=y)
    return y * 2


_TWICE = "x=1.0\ny=0.8414709568023682\nx=1.0\ny=0.8414709568023682\n"


@pytest.mark.parametrize("wrap", [jax.checkpoint, jax.remat,
                                  lambda f: jax.checkpoint(f, policy=P.nothing_saveable),
                                  lambda f: jax.checkpoint(f, policy=P.dots_saveable)],
                         ids=["checkpoint", "remat", "nothing_saveable", "dots_saveable"])
def test_grad_of_checkpoint_prints_forward_and_recomputation(wrap, capsys):
    g = jax.grad(wrap(_f))(1.0)
    assert capsys.readouterr().out == _TWICE
    np.testing.assert_allclose(g, 2 * np.cos(1.0), rtol=1e-6)


def test_jit_grad_of_checkpoint_prints_twice(capsys):
    g = jax.jit(jax.grad(jax.checkpoint(_f)))(1.0)
    # unordered effects under jit: JAX printed "x x y y"; only the multiset is promised
    assert sorted(capsys.readouterr().out.splitlines()) == sorted(_TWICE.splitlines())
    np.testing.assert_allclose(g, 2 * np.cos(1.0), rtol=1e-6)


def test_everything_saveable_reprints_only_what_costs_no_residual(capsys):
    jax.grad(jax.checkpoint(_f, policy=P.everything_saveable))(1.0)
    assert capsys.readouterr().out == "x=1.0\ny=0.8414709568023682\nx=1.0\n"


def test_vjp_of_checkpoint_prints_at_vjp_and_at_each_backward_call(capsys):
    y, pullback = jax.vjp(jax.checkpoint(_f), 1.0)
    assert capsys.readouterr().out == "x=1.0\ny=0.8414709568023682\n"
    pullback(1.0)
    assert capsys.readouterr().out == "x=1.0\ny=0.8414709568023682\n"
    pullback(1.0)
    assert capsys.readouterr().out == "x=1.0\ny=0.8414709568023682\n"


def test_jvp_of_checkpoint_prints_once(capsys):
    jax.jvp(jax.checkpoint(_f), (1.0,), (1.0,))
    assert capsys.readouterr().out == "x=1.0\ny=0.8414709568023682\n"


def test_debug_callback_under_grad_of_checkpoint(capsys):
    seen = []
    def g(x):
        jax.debug.callback(lambda v: seen.append(float(v)), x)
        return jnp.sin(x)
    np.testing.assert_allclose(jax.grad(jax.checkpoint(g))(1.0), np.cos(1.0), rtol=1e-6)
    assert seen == [1.0, 1.0]


def test_vmap_of_grad_of_checkpoint(capsys):
    out = jax.vmap(jax.grad(jax.checkpoint(_f)))(jnp.array([1.0, 2.0]))
    assert capsys.readouterr().out == ("x=1.0\nx=2.0\ny=0.8414709568023682\ny=0.9092974066734314\n" * 2)
    np.testing.assert_allclose(out, 2 * np.cos([1.0, 2.0]), rtol=1e-6)


def _dot_then_name(x):
    d = jnp.dot(x, x)
    jax.debug.print("d={d}", d=d)
    n = checkpoint_name(jnp.sin(d), "s")
    jax.debug.print("n={n}", n=n)
    return n * 2


@pytest.mark.parametrize("policy, expected", [
    (P.dots_saveable, "d=5.0\nn=-0.9589242935180664\n" * 2),
    (P.save_only_these_names("s"), "d=5.0\nn=-0.9589242935180664\n" * 2),
    (P.everything_saveable, "d=5.0\nn=-0.9589242935180664\n"),
    (None, "d=5.0\nn=-0.9589242935180664\n" * 2),
], ids=["dots", "names", "everything", "none"])
def test_printed_values_that_the_policy_saves(policy, expected, capsys):
    x = jnp.array([1.0, 2.0])
    g = jax.grad(jax.checkpoint(_dot_then_name, policy=policy))(x)
    assert capsys.readouterr().out == expected
    np.testing.assert_allclose(g, 2 * np.cos(5.0) * 2 * np.array([1.0, 2.0]), rtol=1e-5)


def _scan_printing(x):
    def body(c, _):
        jax.debug.print("c={c}", c=c)
        return jnp.sin(c), None
    return jax.lax.scan(body, x, None, length=2)[0]


_SCAN = "c=1.0\nc=0.8414709568023682\n"


def test_grad_of_scan_prints_once(capsys):
    g = jax.grad(_scan_printing)(1.0)
    assert capsys.readouterr().out == _SCAN
    np.testing.assert_allclose(g, np.cos(np.sin(1.0)) * np.cos(1.0), rtol=1e-6)


def test_grad_of_checkpointed_scan_prints_twice(capsys):
    jax.grad(jax.checkpoint(_scan_printing))(1.0)
    assert capsys.readouterr().out == _SCAN * 2


def test_grad_of_scan_of_checkpoint(capsys):
    def h(x):
        def body(c, _):
            return jax.checkpoint(lambda c: (jax.debug.print("c={c}", c=c), jnp.sin(c))[1])(c), None
        return jax.lax.scan(body, x, None, length=2)[0]
    jax.grad(h)(1.0)
    # the backward scan runs in reverse, recomputing each step
    assert capsys.readouterr().out == _SCAN + "c=0.8414709568023682\nc=1.0\n"


def _sin_printing(x):
    jax.debug.print("x={x}", x=x)
    return jnp.sin(x)


@pytest.mark.parametrize("transform, expected", [
    (lambda f: jax.grad(jax.grad(f)), "x=1.0\n"),
    (lambda f: jax.grad(jax.grad(jax.checkpoint(f))), "x=1.0\n" * 3),
    (lambda f: jax.grad(jax.checkpoint(jax.checkpoint(f))), "x=1.0\n" * 3),
], ids=["grad_grad", "grad_grad_checkpoint", "grad_checkpoint_checkpoint"])
def test_nested_differentiation(transform, expected, capsys):
    transform(_sin_printing)(1.0)
    assert capsys.readouterr().out == expected


def test_jvp_of_grad_of_checkpoint(capsys):
    out, tangent = jax.jvp(jax.grad(jax.checkpoint(_sin_printing)), (1.0,), (1.0,))
    assert capsys.readouterr().out == "x=1.0\nx=1.0\n"
    np.testing.assert_allclose([out, tangent], [np.cos(1.0), -np.sin(1.0)], rtol=1e-6)
