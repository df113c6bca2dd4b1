"""lax.reduce_precision and lax.mulhi as JAX 0.10.2 has them: result types (weak types included), errors,
derivatives (reduce_precision is linear to JAX: its JVP and transpose round the tangent and cotangent; mulhi
has none, its integer operands have float0 tangents), and vmap against a loop. Expected values from JAX."""
import numpy as np
import pytest

import lintra
from lintra import lax

COVERED_AD_PRIMITIVES = {"reduce_precision"}
COVERED_BATCH_PRIMITIVES = {"reduce_precision", "mulhi"}

RNG = np.random.default_rng(3)


def test_reduce_precision_keeps_dtype_and_weak_type():
    r = lax.reduce_precision(2.0, 2, 3)
    assert r.dtype == np.float32 and r.weak_type and float(r) == 2.0
    r = lax.reduce_precision(np.ones(2, np.float16), np.int64(3), 2)
    assert r.dtype == np.float16 and not r.weak_type


@pytest.mark.parametrize("call, exc, message", [
    (lambda: lax.reduce_precision(2, 2, 3), TypeError,
     "reduce_precision does not accept dtype int32. Accepted dtypes are subtypes of floating."),
    (lambda: lax.reduce_precision(np.ones(2, np.complex64), 2, 3), TypeError,
     "reduce_precision does not accept dtype complex64. Accepted dtypes are subtypes of floating."),
    (lambda: lax.reduce_precision(np.ones(2, np.float32), 0, 3), ValueError,
     "reduce_precision: exponent_bits must be positive; got 0"),
    (lambda: lax.reduce_precision(np.ones(2, np.float32), 1, -1), ValueError,
     "reduce_precision: mantissa_bits must be non-negative; got -1"),
    (lambda: lax.reduce_precision(np.ones(2, np.float32), 1.0, 2), TypeError,
     "exponent_bits argument of lax.reduce_precision must be an integer, got 1.0 of type float"),
])
def test_reduce_precision_errors(call, exc, message):
    with pytest.raises(exc) as e:
        call()
    assert str(e.value) == message


def test_reduce_precision_bits_must_be_static():
    with pytest.raises(lintra.ConcretizationError, match="static_argnums"):
        lintra.jit(lambda v, e: lax.reduce_precision(v, e, 2))(np.ones(2, np.float32), 3)
    r = lintra.jit(lambda v, e: lax.reduce_precision(v, e, 2), static_argnums=1)(np.full(2, 1.3, np.float32), 5)
    np.testing.assert_array_equal(np.asarray(r), [1.25, 1.25])


def test_reduce_precision_derivatives_are_jax_s():
    x = np.float32(1.3)
    y, t = lintra.jvp(lambda v: lax.reduce_precision(v, 5, 2), (x,), (np.float32(1.3),))
    assert float(y) == float(t) == 1.25                 # the tangent is rounded too (JAX: 1.25, 1.25)
    assert float(lintra.grad(lambda v: lax.reduce_precision(v, 5, 2))(x)) == 1.0   # reduce_precision(1.0)
    ct, = lintra.linear_transpose(lambda v: lax.reduce_precision(v, 5, 2), x)(np.float32(1.3))
    assert float(ct) == 1.25
    g = lintra.grad(lambda v: lax.reduce_precision(v, 8, 7).sum())(np.full(3, 1.3, np.float32))
    np.testing.assert_array_equal(np.asarray(g), np.ones(3, np.float32))
    ir = str(lintra.make_ir(lintra.grad(lambda v: lax.reduce_precision(v, 5, 2)))(x))
    assert "reduce_precision" in ir and "exponent_bits = 5" in ir


def test_mulhi_types_and_errors():
    x = np.array([-3, 5, 127, -128], np.int8)
    np.testing.assert_array_equal(np.asarray(lax.mulhi(x, x)), [0, 0, 63, 64])      # JAX 0.10.2
    np.testing.assert_array_equal(np.asarray(lax.mulhi(x[:1], x)), [0, -1, -2, 1])  # size-1 broadcasts, as JAX
    r = lax.mulhi(3, 5)
    assert r.dtype == np.int32 and r.weak_type and int(r) == 0
    with pytest.raises(TypeError, match=r"mulhi: expected integer operand, got f32"):
        lax.mulhi(np.ones(3, np.float32), np.ones(3, np.float32))
    with pytest.raises(TypeError, match=r"mulhi: expected integer operand, got bool"):
        lax.mulhi(np.array([True]), np.array([True]))
    with pytest.raises(TypeError, match=r"mulhi: operands must have the same shape and dtype .*i8\[4\], i16\[4\]"):
        lax.mulhi(x, x.astype(np.int16))
    with pytest.raises(TypeError, match=r"mulhi: arrays must have the same number of dimensions, got \{1, 2\}"):
        lax.mulhi(x, np.ones((2, 4), np.int8))
    with pytest.raises(TypeError, match=r"lax.mulhi requires arguments to have the same dtypes, got int8, float32"):
        lax.mulhi(x, 3.0)


def test_mulhi_has_a_zero_derivative():
    x = np.array([7, -9], np.int32)
    y, t = lintra.jvp(lambda v: lax.mulhi(v, v), (x,), (np.zeros(2, lintra.dtypes.float0),))
    np.testing.assert_array_equal(np.asarray(y), [0, 0])
    assert t.dtype == lintra.dtypes.float0
    g = lintra.grad(lambda f: lax.mulhi(f.astype(np.int32), x).astype(np.float32).sum())(np.ones(2, np.float32))
    np.testing.assert_array_equal(np.asarray(g), [0, 0])


@pytest.mark.parametrize("in_axes", [(0, 0), (1, None), (None, 1), (1, 0)])
def test_mulhi_vmap_equals_a_loop(in_axes):
    x, y = (RNG.integers(0, 2 ** 32, size=(3, 4), dtype=np.uint64).astype(np.uint32) for _ in range(2))

    def batched(v, axis):      # v's rows are the examples; an unbatched operand is row 0 for every example
        return v[0] if axis is None else np.moveaxis(v, 0, axis)

    got = lintra.vmap(lax.mulhi, in_axes=in_axes)(batched(x, in_axes[0]), batched(y, in_axes[1]))
    for b in range(3):
        want = lax.mulhi(x[0 if in_axes[0] is None else b], y[0 if in_axes[1] is None else b])
        np.testing.assert_array_equal(np.asarray(got)[b], np.asarray(want))


def test_reduce_precision_vmap_equals_a_loop():
    f = RNG.standard_normal((3, 5)).astype(np.float32)
    got = lintra.vmap(lambda v: lax.reduce_precision(v, 4, 3), in_axes=1)(f.T)
    for b in range(3):
        np.testing.assert_array_equal(np.asarray(got)[b], np.asarray(lax.reduce_precision(f[b], 4, 3)))
