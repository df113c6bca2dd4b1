"""The "small differences" of issue 12, each as JAX 0.10.2 (recorded by running the same calls with
`import jax`): lax.conj of a real array, ordering comparisons and clip of complex values, and the gradient IR
of log, log1p, atan and atanh, which divides as JAX's rules do."""
import numpy as np
import pytest

import lintra as jax
import lintra.numpy as jnp
from lintra.ir.printer import print_func

lax = jax.lax


def test_conj_of_real_is_complex_with_a_positive_zero():
    out = lax.conj(jnp.array([1.0, 2.0]))
    assert out.dtype == np.complex64 and not out.weak_type
    np.testing.assert_array_equal(np.signbit(np.asarray(out).imag), [False, False])    # JAX: (1+0j), not (1-0j)
    scalar = lax.conj(1.5)
    assert scalar.dtype == np.complex64 and scalar.weak_type
    np.testing.assert_array_equal(lax.conj(jnp.array([1 + 2j])), [1 - 2j])
    with pytest.raises(TypeError, match="conj does not accept dtype int32"):
        lax.conj(jnp.array([1, 2]))


C = jnp.array([1 + 2j, 2 + 1j])


@pytest.mark.parametrize("name, expected", [
    ("greater", [False, True]), ("less", [True, False]), ("greater_equal", [False, True]),
    ("less_equal", [True, False]), ("equal", [False, False]), ("not_equal", [True, True])])
def test_numpy_comparisons_order_complex_lexicographically(name, expected):
    assert np.asarray(getattr(jnp, name)(C, C[::-1])).tolist() == expected


def test_complex_extrema_sort_and_refusals():
    np.testing.assert_array_equal(jnp.maximum(C, C[::-1]), [2 + 1j, 2 + 1j])
    np.testing.assert_array_equal(jnp.minimum(C, C[::-1]), [1 + 2j, 1 + 2j])
    np.testing.assert_array_equal(jnp.sort(jnp.array([2 + 1j, 1 + 5j, 1 + 2j])), [1 + 2j, 1 + 5j, 2 + 1j])
    assert np.asarray(jnp.argsort(jnp.array([2 + 1j, 1 + 5j, 1 + 2j]))).tolist() == [2, 1, 0]
    for f in (lax.lt, lax.gt, lax.le, lax.ge):     # lax's orderings refuse complex, as JAX's
        with pytest.raises(TypeError):
            f(C, C)
    with pytest.raises(ValueError, match="Clip received a complex value"):
        jnp.clip(C, 0, 1)


@pytest.mark.parametrize("f, x, expected", [
    (jnp.log, 2.0, 0.5), (jnp.log1p, 0.3, 1 / 1.3), (jnp.arctan, 0.7, 1 / 1.49), (jnp.arctanh, 0.4, 1 / 0.84),
    (jnp.arccosh, 1.7, 1 / np.sqrt(1.7 ** 2 - 1))])
def test_derivatives_against_closed_forms(f, x, expected):
    np.testing.assert_allclose(float(jax.grad(f)(x)), expected, rtol=1e-6)


@pytest.mark.parametrize("f", [jnp.log, jnp.log1p, jnp.arctan])
def test_gradient_ir_divides_as_jax(f):
    # JAX: { lambda ; a. let _ = log a; b = div 1.0 a in (b,) } (log1p: div 1.0 (a + 1), atan: div 1.0 (1 + a*a))
    text = print_func(jax.make_ir(jax.grad(f))(1.0))
    assert " div " in text and "reciprocal" not in text


def test_broadcast_shapes_and_jacobian():
    """jnp.broadcast_shapes and jax.jacobian, which JAX's pages use (JAX's results)."""
    assert jnp.broadcast_shapes((2, 1), (3,)) == (2, 3) and jnp.broadcast_shapes() == ()
    assert jnp.broadcast_shapes((5,), 1) == (5,)
    with pytest.raises(ValueError, match=r"Incompatible shapes for broadcasting: shapes=\[\(2,\), \(3,\)\]"):
        jnp.broadcast_shapes((2,), (3,))
    np.testing.assert_allclose(jax.jacobian(jnp.sin)(jnp.array([0.5, 1.0])), np.diag(np.cos([0.5, 1.0])), rtol=1e-6)
