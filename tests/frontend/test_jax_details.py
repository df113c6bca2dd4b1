"""Small behaviours where Lintra follows JAX 0.10.2 exactly; the expected values were recorded by running
JAX 0.10.2 on the same inputs."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax

A = np.array([1 + 2j, 2 + 0j, 1 + 1j, 3j], np.complex64)
B = np.array([1 + 1j, 1 + 5j, 1 + 1j, 3j], np.complex64)


@pytest.mark.parametrize("name, expected", [
    ("greater", [True, True, False, False]), ("less", [False, False, False, False]),
    ("greater_equal", [True, True, True, True]), ("less_equal", [False, False, True, True]),
])
@pytest.mark.parametrize("jit", [False, True])
def test_complex_numbers_are_ordered_lexicographically(name, expected, jit):
    f = getattr(jnp, name)
    f = lintra.jit(f) if jit else f
    np.testing.assert_array_equal(np.asarray(f(jnp.asarray(A), jnp.asarray(B))), expected)


def test_lax_conj_of_a_real_array_is_complex():
    out = lax.conj(jnp.asarray(np.array([1.0, -2.0], np.float32)))
    assert out.dtype == np.complex64
    np.testing.assert_array_equal(np.asarray(out), [1, -2])
    assert jnp.conjugate(jnp.ones(2)).dtype == np.float32        # jnp.conjugate keeps real arrays real


def test_gradient_of_log_divides_as_jax_does():
    # JAX's jaxpr for grad(log)(2.0): `b = div 1.0 a`
    func = lintra.make_ir(lintra.grad(jnp.log))(2.0)
    assert [op.prim for op in func.body.ops][-1] == "div"
    assert float(lintra.grad(jnp.log)(3.0)) == np.float32(1) / np.float32(3)


def test_named_scope_as_context_manager_and_decorator():
    # JAX 0.10.2: a decorated function is unchanged, a non-string name is refused
    f = lintra.named_scope("layer")(lambda x: jnp.sin(x) * 2)
    assert float(f(1.0)) == pytest.approx(1.6829419)
    assert float(lintra.jit(f)(1.0)) == pytest.approx(1.6829419)
    assert float(lintra.grad(f)(1.0)) == pytest.approx(1.0806046)
    with pytest.raises(TypeError, match="named_scope name argument must be a string."):
        lintra.named_scope(3)
