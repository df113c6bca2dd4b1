"""lintra.named_scope, as JAX 0.10.2's jax.named_scope (which flax.linen enters around every module call):
a context manager and decorator that changes no result, and refuses a name that is not a string."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp


def test_named_scope_changes_no_result_under_jit_and_grad():
    def f(x):
        with lintra.named_scope("layer"):
            with lintra.named_scope("inner"):
                return jnp.sin(x) * x

    x = np.float32(0.7)
    np.testing.assert_allclose(float(lintra.jit(f)(x)), np.sin(0.7) * 0.7, rtol=1e-6)
    np.testing.assert_allclose(float(lintra.grad(f)(x)), np.cos(0.7) * 0.7 + np.sin(0.7), rtol=1e-6)


def test_named_scope_as_a_decorator():
    @lintra.named_scope("scaled")
    def g(x):
        return 2.0 * x

    assert float(lintra.jit(g)(1.5)) == 3.0


def test_named_scope_refuses_a_name_that_is_not_a_string():
    with pytest.raises(TypeError, match="^named_scope name argument must be a string.$"):
        with lintra.named_scope(3):
            pass
