"""The checkpoint policies JAX 0.10.2 has beyond the basic ones: save_from_both_policies (their OR, nested
too), save_anything_except_these_names (JAX's saves everything), and the offload policies, which on CPU
save what JAX would offload (README). Saved residuals are JAX's for the same function (recorded with
`import jax`; JAX's offloaded values show as 'f32<host>[3] output of device_put' there, Lintra saves them on
the device); gradients are checked against the closed form."""
import numpy as np
import pytest

import lintra as jax
import lintra.numpy as jnp
from lintra.ad_checkpoint import checkpoint_name, saved_residuals

P = jax.checkpoint_policies


def f(W, x):
    h = jnp.sin(jnp.dot(W, x))
    a = checkpoint_name(jnp.cos(h), "a")
    b = checkpoint_name(jnp.exp(a), "b")
    return jnp.sum(b * h)


W, X = jnp.ones((3, 3)) * 0.1, jnp.arange(3.0)


def _grad_W_closed_form():
    w, x = np.asarray(W, np.float64), np.asarray(X, np.float64)
    z = w @ x
    h = np.sin(z)
    b = np.exp(np.cos(h))
    dh = b * (-np.sin(h)) * h + b          # d/dh of exp(cos h) * h
    return np.outer(dh * np.cos(z), x)


ARGS = ["f32[3,3] from the argument W", "f32[3] from the argument x"]
CASES = [   # (name, policy, JAX's saved residuals after the arguments)
    ("both_dots_and_a", lambda: P.save_from_both_policies(P.dots_saveable, P.save_only_these_names("a")),
     ["f32[3] output of dot_general", "f32[3] named 'a'"]),
    ("nested_both", lambda: P.save_from_both_policies(
        P.save_from_both_policies(P.save_only_these_names("a"), P.save_only_these_names("b")), P.nothing_saveable),
     ["f32[3] named 'a'", "f32[3] named 'b'"]),
    ("offload_names", lambda: P.save_and_offload_only_these_names(
        names_which_can_be_saved=["a"], names_which_can_be_offloaded=["b"], offload_src="device",
        offload_dst="pinned_host"), ["f32[3] named 'a'", "f32[3] named 'b'"]),
    ("offload_dots", lambda: P.offload_dot_with_no_batch_dims("device", "pinned_host"),
     ["f32[3] output of dot_general"]),
]


@pytest.mark.parametrize("policy, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_saved_residuals_and_gradient(policy, expected):
    g = jax.checkpoint(f, policy=policy())
    got = [f"{t.strong()} {where}" for t, where in saved_residuals(g, W, X)]
    assert got == ARGS + expected
    np.testing.assert_allclose(jax.grad(g)(W, X), _grad_W_closed_form(), rtol=1e-5)


def test_save_anything_except_these_names_saves_everything_as_jax():
    g = jax.checkpoint(f, policy=P.save_anything_except_these_names("a"))
    got = [f"{t.strong()} {where}" for t, where in saved_residuals(g, W, X)]
    assert "f32[3] named 'b'" in got and "f32[3] output of sin" in got and "f32[3] output of exp" in got
    np.testing.assert_allclose(jax.grad(g)(W, X), _grad_W_closed_form(), rtol=1e-5)


def test_policies_are_callable_as_jax_policies_and_checked():
    both = P.save_from_both_policies(P.dots_saveable, P.save_only_these_names("a"))
    assert both("dot_general", lhs_contracting=(1,), rhs_contracting=(0,)) is True
    assert both("name", name="a") is True and both("name", name="b") is False and both("sin") is False
    with pytest.raises(ValueError, match="The names should be exclusive and should not intersect"):
        P.save_and_offload_only_these_names(names_which_can_be_saved=["a"], names_which_can_be_offloaded=["a"],
                                            offload_src="device", offload_dst="pinned_host")
