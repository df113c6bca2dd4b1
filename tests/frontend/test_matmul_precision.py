"""Contraction precision as JAX 0.10.2 lowers it (StableHLO precision_config of dot_general, recorded by
lowering the same functions with `import jax`): DEFAULT unless the call names a precision or
jax_default_matmul_precision / lintra.default_matmul_precision(...) sets one; a call's own precision wins;
derivatives keep it; changing the default retraces."""
import re

import pytest

import lintra as jax
import lintra.numpy as jnp

x = jnp.ones((2, 2))


def _precisions(f, *args):
    return re.findall(r"precision = \[([A-Z]+), ([A-Z]+)\]", jax.jit(f).lower(*args).as_text())


@pytest.mark.parametrize("value, expected", [
    (None, "DEFAULT"), ("default", "DEFAULT"), ("high", "HIGH"), ("highest", "HIGHEST"), ("bfloat16", "DEFAULT"),
    ("tensorfloat32", "HIGH"), ("float32", "HIGHEST")])
def test_context_manager(value, expected):
    with jax.default_matmul_precision(value):
        assert _precisions(lambda a: a @ a, x) == [(expected, expected)]
        # a call's own precision is kept
        assert _precisions(lambda a: jnp.dot(a, a, precision="highest"), x) == [("HIGHEST", "HIGHEST")]


def test_config_option():
    jax.config.update("jax_default_matmul_precision", "highest")
    try:
        assert jax.config.jax_default_matmul_precision == "highest"
        for f in (lambda a: a @ a, lambda a: jnp.einsum("ij,jk", a, a),
                  lambda a: jax.lax.dot_general(a, a, (((1,), (0,)), ((), ())))):
            assert _precisions(f, x) == [("HIGHEST", "HIGHEST")]
    finally:
        jax.config.update("jax_default_matmul_precision", None)
    assert _precisions(lambda a: a @ a, x) == [("DEFAULT", "DEFAULT")]
    with pytest.raises(ValueError, match="new enum value must be None or in"):
        jax.config.update("jax_default_matmul_precision", "bogus")


def test_integer_dots_and_retracing():
    with jax.default_matmul_precision("highest"):
        assert _precisions(lambda a: a @ a, jnp.ones((2, 2), jnp.int32)) == [("HIGHEST", "HIGHEST")]
    f = jax.jit(lambda a: a @ a)
    assert f.lower(x).as_text().count("HIGHEST") == 0
    with jax.default_matmul_precision("highest"):
        assert f.lower(x).as_text().count("HIGHEST") == 2


def test_derivatives_keep_the_precision():
    # JAX: both transposed contractions carry the call's (lhs, rhs) pair as it is
    got = _precisions(jax.grad(lambda a: jnp.dot(a, a, precision=("highest", "high")).sum()), x)
    assert set(got) == {("HIGHEST", "HIGH")}
    with jax.default_matmul_precision("highest"):
        assert set(_precisions(jax.grad(lambda a: (a @ a).sum()), x)) == {("HIGHEST", "HIGHEST")}


def test_algorithm_presets_are_refused_clearly():
    with jax.default_matmul_precision("F32_F32_F32"):
        with pytest.raises(ValueError, match="not dot algorithm presets"):
            jnp.ones((2, 2)) @ jnp.ones((2, 2))
