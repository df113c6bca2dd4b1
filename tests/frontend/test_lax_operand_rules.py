"""jax.lax's operand rules for binary ops, as JAX 0.10.2 has them (found by running it; recorded here as
literal expectations): a 0-d operand broadcasts, equal-rank operands broadcast size-1 dimensions,
different nonzero ranks are refused, dtypes must match; lax.mul takes out_dtype; lt refuses complex."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax
from lintra.test_util import check_grads


@pytest.mark.parametrize("xs, ys, out", [
    ((2, 3, 4), (2, 1, 4), (2, 3, 4)),
    ((), (3, 4), (3, 4)),
    ((3, 4), (), (3, 4)),
    ((2, 1), (1, 3), (2, 3)),
    ((2, 0), (2, 1), (2, 0)),
])
def test_binary_ops_broadcast_as_jax(xs, ys, out):
    rng = np.random.default_rng(0)
    x = rng.normal(size=xs).astype(np.float32)
    y = rng.normal(size=ys).astype(np.float32)
    for op, ref in [(lax.add, np.add), (lax.mul, np.multiply), (lax.max, np.maximum), (lax.lt, np.less)]:
        r = op(jnp.asarray(x), jnp.asarray(y))
        assert r.shape == out
        np.testing.assert_array_equal(np.asarray(r), ref(x, y))
        r = lintra.jit(op)(x, y)
        np.testing.assert_array_equal(np.asarray(r), ref(x, y))


def test_numpy_scalar_and_host_arrays_broadcast():
    r = lax.add(np.float32(1.0), jnp.ones((3, 4)))
    assert r.shape == (3, 4) and r.dtype == np.float32
    r = lax.add(np.ones((2, 3), np.float32), np.ones((1, 3), np.float32))
    np.testing.assert_array_equal(np.asarray(r), np.full((2, 3), 2.0, np.float32))


def test_different_ranks_are_refused():
    with pytest.raises(TypeError, match=r"add: arrays must have the same number of dimensions, got \{1, 2\}"):
        lax.add(jnp.ones((4,)), jnp.ones((3, 4)))


def test_incompatible_shapes_are_refused():
    with pytest.raises(TypeError, match=r"add got incompatible shapes for broadcasting: \(2, 3\), \(3, 2\)"):
        lax.add(jnp.ones((2, 3)), jnp.ones((3, 2)))


def test_different_dtypes_are_refused():
    with pytest.raises(TypeError):
        lax.add(jnp.ones((3, 4), jnp.int32), jnp.ones((3, 4)))


def test_broadcasting_gradient_sums_over_broadcast_dims():
    x = np.random.default_rng(1).normal(size=(2, 3, 4))
    y = np.random.default_rng(2).normal(size=(2, 1, 4))
    g = lintra.grad(lambda a, b: lax.mul(a, b).sum(), argnums=1)(jnp.asarray(x, jnp.float32),
                                                                  jnp.asarray(y, jnp.float32))
    assert g.shape == (2, 1, 4)
    np.testing.assert_allclose(np.asarray(g), x.sum(1, keepdims=True), rtol=1e-5)
    check_grads(lambda a, b: lax.mul(a, b), (jnp.asarray(x, jnp.float32), jnp.asarray(y, jnp.float32)),
                order=1, modes=["fwd", "rev"])


def test_broadcasting_under_vmap():
    x, y = np.ones((5, 2, 3, 4), np.float32), np.arange(40, dtype=np.float32).reshape(5, 2, 1, 4)
    r = lintra.vmap(lax.mul)(x, y)
    np.testing.assert_array_equal(np.asarray(r), x * y)


@pytest.mark.parametrize("in_dtype, out_dtype", [
    (np.int8, np.int32), (np.float32, jnp.bfloat16), (jnp.bfloat16, np.float32), (np.int8, np.float32)])
def test_mul_out_dtype(in_dtype, out_dtype):
    # JAX 0.10.2 converts both operands to out_dtype, then multiplies
    x = np.array([100, -3, 7], dtype=in_dtype)
    y = np.array([100, 5, -2], dtype=in_dtype)
    r = lax.mul(x, y, out_dtype=out_dtype)
    assert r.dtype == np.dtype(out_dtype)
    want = x.astype(out_dtype) * y.astype(out_dtype)
    np.testing.assert_array_equal(np.asarray(r), want)


def test_mul_out_dtype_gradient_has_input_dtype():
    g = lintra.grad(lambda a, b: lax.mul(a, b, out_dtype=np.float32).sum())(
        jnp.ones((3,), jnp.bfloat16), jnp.full((3,), 2.0, jnp.bfloat16))
    assert g.dtype == jnp.bfloat16
    np.testing.assert_array_equal(np.asarray(g, np.float32), [2.0, 2.0, 2.0])


def test_complex_comparisons_as_jax():
    z = jnp.asarray(np.array([1 + 2j, 3 - 1j], np.complex64))
    w = jnp.asarray(np.array([1 + 2j, 3 + 1j], np.complex64))
    np.testing.assert_array_equal(np.asarray(lax.eq(z, w)), [True, False])
    np.testing.assert_array_equal(np.asarray(lax.ne(z, w)), [False, True])
    with pytest.raises(TypeError):     # JAX 0.10.2: "lt does not accept dtype complex64"
        lax.lt(z, w)


def test_dot_dimension_numbers_and_batch_matmul():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 4)).astype(np.float32)
    y = rng.normal(size=(2, 4, 5)).astype(np.float32)
    want = np.einsum("bij,bjk->bik", x, y)
    np.testing.assert_allclose(np.asarray(lax.batch_matmul(x, y)), want, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(lax.dot(x, y, dimension_numbers=(((2,), (1,)), ((0,), (0,))))), want,
                               rtol=1e-5)
    i8 = np.ones((2, 3), np.int8)
    assert lax.dot(i8, i8.T, preferred_element_type=np.int32).dtype == np.int32
    with pytest.raises(TypeError):
        lax.dot(x, y)
    with pytest.raises(TypeError):
        lax.batch_matmul(np.ones((2, 2, 3), np.float32), np.ones((3, 3, 2), np.float32))


def test_jnp_orderings_on_complex_as_jax():
    # JAX 0.10.2: jnp comparisons of complex arrays compare real parts, maximum/minimum/sort/max order
    # lexicographically (real, then imaginary), argmax and clip refuse complex input
    z = np.array([1 + 2j, 1 - 1j, 2 + 0j], np.complex64)
    w = np.array([1 + 1j, 1 - 1j, 1 + 5j], np.complex64)
    assert jnp.less(z, w).tolist() == [False, False, False]
    assert jnp.greater_equal(z, w).tolist() == [True, True, True]
    np.testing.assert_array_equal(np.asarray(jnp.maximum(z, w)), [1 + 2j, 1 - 1j, 2])
    np.testing.assert_array_equal(np.asarray(jnp.minimum(z, w)), [1 + 1j, 1 - 1j, 1 + 5j])
    np.testing.assert_array_equal(np.asarray(jnp.sort(w)), [1 - 1j, 1 + 1j, 1 + 5j])
    np.testing.assert_array_equal(np.asarray(lax.max(z, w)), [1 + 2j, 1 - 1j, 2])
    assert complex(jnp.max(z)) == 2 and complex(jnp.ptp(z)) == 1 + 1j
    with pytest.raises(TypeError):
        jnp.argmax(z)
    with pytest.raises(ValueError, match="Complex values have no ordering"):
        jnp.clip(z, 1, 2)


def test_python_scalars_of_another_kind_are_refused_not_rounded():
    # JAX 0.10.2: "lax.add requires arguments to have the same dtypes, got int32, float32"
    with pytest.raises(TypeError, match="lax.add requires arguments to have the same dtypes, got int32, float32"):
        lax.add(jnp.arange(3), 1.5)
    with pytest.raises(TypeError, match="same dtypes"):
        lax.mul(jnp.ones(2), 2j)
    with pytest.raises(TypeError, match="lax.clamp requires"):
        lax.clamp(0.5, jnp.arange(2), 1)
    # a scalar of the array's kind is taken in the array's dtype
    np.testing.assert_array_equal(np.asarray(lax.add(jnp.ones(2), 1.0)), [2., 2.])


def test_lax_broadcast_shapes():
    # values and messages from JAX 0.10.2 (optax's utils_test uses lax.broadcast_shapes)
    assert lax.broadcast_shapes((1, 3), (2, 1)) == (2, 3) and lax.broadcast_shapes((3,)) == (3,)
    assert lax.broadcast_shapes((2, 1), [1]) == (2, 1) and lax.broadcast_shapes((2,), (3, 1, 2)) == (3, 1, 2)
    assert lax.broadcast_shapes((np.int64(2),), (1,)) == (2,)
    with pytest.raises(ValueError, match=r"Incompatible shapes for broadcasting: shapes=\[\[2\], \(3, 1, 4\)\]"):
        lax.broadcast_shapes([2], (3, 1, 4))
    with pytest.raises(TypeError, match=r"concrete values of integer type, got \(2, None\)\."):
        lax.broadcast_shapes((2, None), (1,))
    with pytest.raises(TypeError, match=r"Only non-negative indices .* but got shape \(-1,\)\."):
        lax.broadcast_shapes((-1,), (1,))
