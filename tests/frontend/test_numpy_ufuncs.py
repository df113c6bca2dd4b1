"""lintra.numpy elementwise functions and array operators against NumPy, eagerly and under jit."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp


def run(f, *args, eager=True):
    """f(m, *args) with m = lintra.numpy under jit (NumPy inputs) and, if `eager`, op by op on Lintra arrays."""
    jitted = lintra.jit(lambda *a: f(jnp, *a))(*args)
    if not eager:   # each eager op compiles once: sample the eager path where it adds nothing new
        return [jitted]
    return [f(jnp, *[jnp.asarray(a) if isinstance(a, np.ndarray) else a for a in args]), jitted]


def check(f, *args, rtol=1e-6, atol=0.0, dtype=None, eager=True):
    """Lintra (eager and jit) agrees with NumPy on f(m, *args); `dtype` is the expected result dtype."""
    want = f(np, *args)
    for got in run(f, *args, eager=eager):
        for g, w in zip(*(v if isinstance(v, tuple) else (v,) for v in (got, want))):
            np.testing.assert_allclose(np.asarray(g), w, rtol=rtol, atol=atol)
            if dtype is not None:
                assert g.dtype == dtype


X = np.array([0.1, 0.3, 0.5, 0.7, 0.9], np.float32)
UNARY = ["sqrt", "exp", "exp2", "log", "log2", "log10", "log1p", "expm1", "sin", "cos", "tan", "tanh", "sinh",
         "cosh", "arcsin", "arccos", "arctan", "arcsinh", "arctanh", "square", "reciprocal", "negative", "positive",
         "abs", "sign", "floor", "ceil"]


def test_unary_functions_match_numpy():
    def f(m, x):
        return tuple(getattr(m, n)(x * 3 - 1 if n in ("sign", "floor", "ceil", "abs") else x) for n in UNARY) + \
            (m.arccosh(x + 1),)
    check(f, X, rtol=2e-6, atol=1e-7, dtype=np.float32, eager=False)
    check(lambda m, x: (m.sqrt(x), m.sign(x - 0.5), m.reciprocal(x)), X, rtol=2e-6, dtype=np.float32)


def test_integer_inputs_of_float_functions_give_the_default_float():
    i = np.array([1, 4, 9], np.int32)
    check(lambda m, x: (m.sqrt(x), m.log2(x), m.true_divide(x, 2), x / x), i, dtype=np.float32)
    assert jnp.sqrt(jnp.asarray(np.int8(4))).dtype == np.float32
    w = jnp.sqrt(2)
    assert w.dtype == np.float32 and w.weak_type
    assert jnp.exp(jnp.ones(2, jnp.bfloat16)).dtype == jnp.bfloat16


A = np.array([-7, -3, 0, 4, 9], np.int32)
B = np.array([2, -2, 3, -5, 4], np.int32)


def test_integer_arithmetic_operators():
    check(lambda m, a, b: (a + b, a - b, a * b, -a, +a, abs(a), a ** 2, 3 - a, 2 * a), A, B, dtype=np.int32)
    check(lambda m, a, b: (a // b, a % b, 7 // b, 20 % b, m.floor_divide(a, b), m.remainder(a, b), m.mod(a, b)),
          A, B, dtype=np.int32, eager=False)


def test_float_arithmetic_operators():
    a, b = A.astype(np.float32) + 0.5, B.astype(np.float32)
    check(lambda m, a, b: (a + b, a - b, a * b, a / b, a ** 2, 2.0 ** b, 1 / b, m.power(b, 3)), a, b, rtol=1e-5,
          dtype=np.float32)
    with np.errstate(invalid="ignore"):
        check(lambda m, a, b: (a // b, a % b, b ** a, divmod(a, b)[1]), a, b, rtol=1e-5, dtype=np.float32,
              eager=False)


def test_unsigned_and_small_integers():
    u = np.array([0, 5, 200, 255], np.uint8)
    v = np.array([1, 2, 7, 16], np.uint8)
    check(lambda m, u, v: (u // v, u % v, u + v, u * 2, u >> 2, u << 1, ~u, m.sign(u), abs(u)), u, v,
          dtype=np.uint8, eager=False)
    s = np.array([-128, -3, 4, 127], np.int8)
    check(lambda m, s: (s >> 1, s // 3, s % 3, ~s), s, dtype=np.int8, eager=False)


def test_comparisons_and_bitwise_operators():
    check(lambda m, a, b: (a == b, a != b, a < b, a <= b, a > b, a >= b, a == 0, 3 > a, m.equal(a, b)), A, B,
          dtype=np.bool_, eager=False)
    check(lambda m, a, b: (a & b, a | b, a ^ b, a << 2, a >> 1, ~a, 5 & a, m.bitwise_xor(a, 12)), A, B,
          dtype=np.int32, eager=False)
    p, q = A > 0, B > 0
    check(lambda m, p, q: (p & q, p | q, p ^ q, ~p, p + q, p * q, m.logical_xor(p, q), m.logical_not(p)), p, q,
          dtype=np.bool_, eager=False)
    check(lambda m, a, b: (a < b, a & b, m.logical_and(a, b), m.logical_or(a, 0.0), m.logical_not(a)), A, B)


def test_power_with_integer_exponents():
    h = jnp.asarray([1.5, -2.0], jnp.float16)
    assert (h ** 2).dtype == np.float16 and (h ** np.int64(3)).dtype == np.float16
    np.testing.assert_array_equal(h ** 3, np.array([1.5, -2.0], np.float16) ** 3)
    i8 = jnp.asarray([2, -3], jnp.int8)
    assert (i8 ** 3).dtype == np.int8 and (i8 ** 3).tolist() == [8, -27]
    assert (2 ** jnp.arange(4)).tolist() == [1, 2, 4, 8]
    assert jnp.power(2, jnp.asarray([3])).shape == (1,)
    with pytest.raises(ValueError, match="negative integer powers"):
        i8 ** -1
    np.testing.assert_allclose(jnp.asarray([4.0, 9.0]) ** -0.5, [0.5, 1 / 3], rtol=1e-6)


def test_floor_divide_and_remainder_follow_python():
    a = np.array([7.5, -7.5, 7.5, -7.5, 0.0], np.float32)
    b = np.array([2.0, 2.0, -2.0, -2.0, 3.0], np.float32)
    check(lambda m, a, b: (a // b, a % b), a, b, eager=False)
    assert jnp.remainder(jnp.asarray([5, -5]), 0).tolist() == [0, 0]        # NumPy: x % 0 == 0 for integers
    assert (jnp.asarray([True, False]) // True).dtype == np.int32


def test_select_clip_round_and_tests():
    x = np.array([-2.5, -0.5, 0.5, 1.5, 2.5, np.nan], np.float32)
    check(lambda m, x: (m.where(x > 0, x, -x), m.where(x > 0, 1.0, 0.0), m.clip(x, -1, 1), m.clip(x, max=0.0),
                        m.round(x), m.round(x * 10, -1), m.round(x / 3, 2), m.maximum(x, 0.0), m.minimum(x, 0.0)),
          x, rtol=1e-6, eager=False)
    with np.errstate(divide="ignore"):
        check(lambda m, x: (m.isnan(x), m.isinf(x / 0), m.isfinite(x), m.isnan(np.int32(3))), x, eager=False)
    check(lambda m, x: (m.where(x > 0, x, -x), m.round(x), m.maximum(x, 0.0)), x)
    assert jnp.round(jnp.asarray([15, 25, -15], jnp.int32), -1).tolist() == [20, 20, -20]
    assert jnp.floor(jnp.asarray([3], jnp.int8)).dtype == np.int8
    c = jnp.where(jnp.asarray([True, False]), jnp.ones(2, jnp.float16), 0)
    assert c.dtype == np.float16 and c.tolist() == [1, 0]


def test_closeness():
    a = np.array([1.0, np.inf, -np.inf, np.nan, 1e-9], np.float32)
    b = np.array([1.0 + 1e-6, np.inf, np.inf, np.nan, 0.0], np.float32)
    check(lambda m, a, b: (m.isclose(a, b), m.isclose(a, b, equal_nan=True), m.isclose(a, b, atol=0.0)), a, b,
          eager=False)
    assert bool(jnp.allclose(jnp.ones(3), 1 + 1e-7)) and not bool(jnp.allclose(jnp.ones(3), 1.1))
    assert bool(jnp.array_equal(jnp.arange(3), np.arange(3))) and not bool(jnp.array_equal(jnp.ones(2), jnp.ones(3)))
    assert bool(jnp.array_equal(a, a, equal_nan=True)) and not bool(jnp.array_equal(a, a))


def test_broadcasting_and_numpy_operands():
    x = jnp.ones((2, 1, 3))
    assert (x + np.ones((4, 1), np.float32)).shape == (2, 4, 3)
    out = np.arange(3, dtype=np.float32) + jnp.ones(3)          # NumPy defers to the Lintra array
    assert isinstance(out, lintra.Array) and out.tolist() == [1, 2, 3]
    assert (jnp.ones(3) * np.float64(2)).dtype == np.float32     # narrowed: x64 is off
    assert (np.ones((2, 3), np.int32) @ jnp.ones((3,), jnp.int32)).tolist() == [3, 3]


def test_bad_operands_raise_clear_errors():
    with pytest.raises(ValueError, match=r"add: incompatible shapes for broadcasting: f32\[2,3\], f32\[4\]"):
        jnp.ones((2, 3)) + jnp.ones(4)
    with pytest.raises(TypeError, match="unsupported operand type.*list"):
        jnp.ones(2) + [1, 2]
    with pytest.raises(TypeError, match="add requires ndarray or scalar arguments, got list"):
        jnp.add(jnp.ones(2), [1, 2])
    with pytest.raises(TypeError, match=r"bitwise_and: expected integer or boolean arguments, got f32\[2\]"):
        jnp.ones(2) & jnp.ones(2)
    with pytest.raises(TypeError, match="boolean subtract"):
        jnp.asarray([True]) - jnp.asarray([False])
    with pytest.raises(TypeError, match="boolean negative"):
        -jnp.asarray(True)
    with pytest.raises(TypeError, match="unsupported operand"):
        jnp.ones(2) + "a"
    with pytest.raises(ValueError, match="either both x and y"):
        jnp.where(jnp.ones(2) > 0, 1.0)
    with pytest.raises(TypeError, match="item assignment.*at\\[idx\\].set"):
        jnp.ones(2)[0] = 1.0
    assert (jnp.ones(2) == None) is False                    # noqa: E711  (falls back to identity, as JAX)


def test_traced_and_eager_operators_agree_on_mixed_inputs():
    y = jnp.asarray([1.0, 2.0, 3.0])

    @lintra.jit
    def f(x):
        return (x - y) * 2 + (y @ x), x.T, x.real, x.imag
    out = f(np.array([3.0, 2.0, 1.0], np.float32))
    np.testing.assert_allclose(out[0], [14, 10, 6])
    assert out[3].tolist() == [0, 0, 0]
