"""Weak types of derivatives, as JAX 0.10.2's (recorded by running the same calls with `import jax`): grad's
seed cotangent is weakly typed when the output is, so grad of a function of a Python float is weak where
JAX's is; jacfwd/jacrev/hessian cast their blocks to the output's (jacfwd) or input's (jacrev) dtype and
weak type."""
import pytest

import lintra as jax
import lintra.numpy as jnp

lax = jax.lax


def _w(r):
    return f"{r.dtype}{'~' if r.weak_type else ''}"


GRADS = [   # (name, f, JAX's grad types at 1.0 and at float32(1.0))
    ("identity", lambda x: x, ("float32~", "float32")),
    ("times_two", lambda x: x * 2, ("float32~", "float32")),
    ("sin", jnp.sin, ("float32~", "float32")),
    ("conj", jnp.conj, ("float32~", "float32")),
    ("real", jnp.real, ("float32~", "float32")),
    ("square", jnp.square, ("float32~", "float32")),
    ("sum", jnp.sum, ("float32~", "float32")),
    ("mean", jnp.mean, ("float32~", "float32")),
    ("where", lambda x: jnp.where(x > 0, x, 0.0), ("float32~", "float32")),
    ("strong_constant", lambda x: x * jnp.float32(2), ("float32~", "float32")),
    ("stop_gradient", lambda x: x + lax.stop_gradient(x), ("float32~", "float32")),
    ("jit", jax.jit(jnp.sin), ("float32~", "float32")),
    ("cond", lambda x: lax.cond(True, jnp.sin, jnp.cos, x), ("float32~", "float32")),
]


@pytest.mark.parametrize("f, expected", [g[1:] for g in GRADS], ids=[g[0] for g in GRADS])
def test_grad(f, expected):
    assert (_w(jax.grad(f)(1.0)), _w(jax.grad(f)(jnp.float32(1.0)))) == expected


@pytest.mark.parametrize("program, expected", [
    (lambda: jax.jit(jax.grad(jnp.sin))(1.0), "float32~"),
    (lambda: jax.value_and_grad(jnp.sin)(1.0)[1], "float32~"),
    (lambda: jax.grad(jax.grad(jnp.sin))(1.0), "float32~"),
    (lambda: jax.vmap(jax.grad(jnp.sin))(jnp.ones(3)), "float32"),
    (lambda: jax.hessian(jnp.sin)(1.0), "float32~"),
    (lambda: jax.jacrev(jnp.sin)(1.0), "float32~"),
    (lambda: jax.jacfwd(jnp.sin)(1.0), "float32~"),
    (lambda: jax.jacfwd(lambda x: jnp.sin(x) + 0j)(jnp.ones(2)), "complex64"),
    (lambda: jax.jacrev(lambda x: (x * 1.0j).real)(jnp.ones(2)), "float32"),
], ids=["jit_grad", "value_and_grad", "grad_grad", "vmap_grad", "hessian", "jacrev", "jacfwd", "jacfwd_complex",
        "jacrev_real_input"])
def test_other_derivatives(program, expected):
    assert _w(program()) == expected


@pytest.mark.parametrize("ct, x, expected", [
    (1.0, 1.0, "float32~"), (1.0, jnp.float32(1.0), "float32"), (jnp.float32(1.0), 1.0, "float32"),
    (jnp.asarray(1.0), 1.0, "float32~")])
def test_vjp_keeps_the_cotangents_weak_type(ct, x, expected):
    assert _w(jax.vjp(jnp.sin, x)[1](ct)[0]) == expected


@pytest.mark.parametrize("ct", [1, jnp.float16(1), True, 1 + 0j])
def test_vjp_refuses_a_cotangent_of_another_dtype(ct):
    with pytest.raises(ValueError, match=r"unexpected JAX type \(e.g. shape/dtype\) for argument to VJP function: "
                                         r"got \w+\[\], but expected float32\[\]"):
        jax.vjp(jnp.sin, 1.0)[1](ct)
