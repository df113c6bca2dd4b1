"""Weak types of lintra.numpy's unary functions on Python scalars, and of comparisons, as JAX 0.10.2's: the
table is what `jax.typeof(jnp.<name>(v))` gave for v = 1.5, 2 and True (dtype, "~" for a weak type, or the
exception raised), recorded by running the same calls with `import jax`."""
import pytest

import lintra as jax
import lintra.numpy as jnp

UNARY = {   # name: results for 1.5, 2, True
    'abs': ('float32~', 'int32~', 'bool'),
    'absolute': ('float32~', 'int32~', 'bool'),
    'arccos': ('float32~', 'float32~', 'float32'),
    'arccosh': ('float32~', 'float32~', 'float32'),
    'arcsin': ('float32~', 'float32~', 'float32'),
    'arcsinh': ('float32~', 'float32~', 'float32'),
    'arctan': ('float32~', 'float32~', 'float32'),
    'arctanh': ('float32~', 'float32~', 'float32'),
    'around': ('float32~', 'int32~', 'ERR ValueError'),
    'bitwise_invert': ('ERR TypeError', 'int32~', 'bool'),
    'bitwise_not': ('ERR TypeError', 'int32~', 'bool'),
    'cbrt': ('float32~', 'float32~', 'float32'),
    'ceil': ('float32~', 'int32~', 'bool'),
    'conj': ('float32~', 'int32~', 'bool'),
    'conjugate': ('float32~', 'int32~', 'bool'),
    'cos': ('float32~', 'float32~', 'float32'),
    'cosh': ('float32~', 'float32~', 'float32'),
    'deg2rad': ('float32~', 'float32~', 'float32'),
    'degrees': ('float32~', 'float32~', 'float32'),
    'exp': ('float32~', 'float32~', 'float32'),
    'exp2': ('float32~', 'float32~', 'float32'),
    'expm1': ('float32~', 'float32~', 'float32'),
    'fabs': ('float32~', 'float32~', 'float32'),
    'floor': ('float32~', 'int32~', 'bool'),
    'imag': ('float32~', 'int32~', 'bool'),
    'invert': ('ERR TypeError', 'int32~', 'bool'),
    'isfinite': ('bool~', 'bool', 'bool'),
    'isinf': ('bool', 'bool', 'bool'),
    'isnan': ('bool~', 'bool~', 'bool'),
    'isneginf': ('bool', 'bool', 'bool'),
    'isposinf': ('bool', 'bool', 'bool'),
    'log': ('float32~', 'float32~', 'float32'),
    'log10': ('float32', 'float32', 'float32'),
    'log1p': ('float32~', 'float32~', 'float32'),
    'log2': ('float32', 'float32', 'float32'),
    'logical_not': ('bool~', 'bool~', 'bool'),
    'negative': ('float32~', 'int32~', 'ERR TypeError'),
    'positive': ('float32~', 'int32~', 'bool'),
    'rad2deg': ('float32~', 'float32~', 'float32'),
    'radians': ('float32~', 'float32~', 'float32'),
    'real': ('float32~', 'int32~', 'bool'),
    'reciprocal': ('float32~', 'float32~', 'float32'),
    'rint': ('float32~', 'float32', 'float32'),
    'round': ('float32~', 'int32~', 'ERR ValueError'),
    'sign': ('float32~', 'int32~', 'ERR TypeError'),
    'signbit': ('bool', 'bool', 'bool'),
    'sin': ('float32~', 'float32~', 'float32'),
    'sinc': ('float32~', 'float32~', 'float32'),
    'sinh': ('float32~', 'float32~', 'float32'),
    'sqrt': ('float32~', 'float32~', 'float32'),
    'square': ('float32~', 'int32~', 'int32'),
    'tan': ('float32~', 'float32~', 'float32'),
    'tanh': ('float32~', 'float32~', 'float32'),
    'trunc': ('float32~', 'int32~', 'bool'),
    'nan_to_num': ('float32', 'int32~', 'bool'),
    'frexp': ('float32,int32', 'float32,int32', 'float32,int32'),
    'spacing': ('float32', 'float32', 'float32'),
    'angle': ('float32', 'float32', 'float32'),
    'modf': ('float32~,float32~', 'float32~,float32~', 'float32,float32'),
    'isreal': ('bool~', 'bool~', 'bool'),
    'iscomplex': ('bool~', 'bool~', 'bool'),
}


def _describe(f, v):
    try:
        r = f(v)
    except Exception as e:  # noqa: BLE001  (the table records which exception JAX raises)
        return "ERR " + type(e).__name__
    rs = r if isinstance(r, tuple) else (r,)
    return ",".join(f"{x.dtype}{'~' if x.weak_type else ''}" for x in rs)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_on_python_scalars(name):
    f = getattr(jnp, name)
    assert tuple(_describe(f, v) for v in (1.5, 2, True)) == UNARY[name]


W = jnp.less(1.0, 2.0)      # a weakly typed boolean
OTHERS = [   # (name, program, JAX's result)
    ("less", lambda: jnp.less(1.5, 2.0), "bool~"),
    ("equal_ints", lambda: jnp.equal(1, 2), "bool~"),
    ("not_equal_bools", lambda: jnp.not_equal(True, False), "bool"),
    ("less_weak_array", lambda: jnp.less(jnp.asarray(1.5), 2.0), "bool~"),
    ("lax_ne", lambda: jax.lax.ne(jnp.asarray(1.5), jnp.asarray(1.5)), "bool~"),
    ("lax_is_finite", lambda: jax.lax.is_finite(jnp.asarray(1.5)), "bool~"),
    ("strong_operand", lambda: jnp.asarray(1.5) > jnp.float32(1), "bool"),
    ("logical_and", lambda: jnp.logical_and(1.5, 2.0), "bool~"),
    ("logical_or_ints", lambda: jnp.logical_or(1, 0), "bool~"),
    ("isclose", lambda: jnp.isclose(1.5, 1.5), "bool"),
    ("allclose", lambda: jnp.allclose(1.0, 1.0), "bool"),
    ("array_equal", lambda: jnp.array_equal(1.5, 1.5), "bool"),
    ("heaviside", lambda: jnp.heaviside(1.5, 0.5), "float32~"),
    ("float_power", lambda: jnp.float_power(1.5, 2.0), "float32~"),
    ("ldexp", lambda: jnp.ldexp(1.5, 2), "float32"),
    ("all_of_weak_bool", lambda: jnp.all(W), "bool"),
    ("sum_of_weak_bool", lambda: jnp.sum(W), "int32"),
    ("weak_bool_plus_int", lambda: W + 1, "int32~"),
    ("weak_bool_and", lambda: W & W, "bool"),
    ("invert_weak_bool", lambda: ~W, "bool~"),
    ("weak_bool_times_float", lambda: W * 1.5, "float32~"),
    ("where_on_weak_bool", lambda: jnp.where(W, 1, 2), "int32~"),
    ("astype", lambda: W.astype(jnp.int32), "int32"),
    ("jit_identity", lambda: jax.jit(lambda a: a)(W), "bool~"),
    ("sort", lambda: jnp.sort(W[None]), "bool~"),
    # an inexact base with an integer exponent: weak only when both are (JAX calls lax.pow unpromoted)
    ("weak_float_pow_int_array", lambda: 1.5 ** jnp.arange(3), "float32"),
    ("weak_array_pow_int_array", lambda: jnp.power(jnp.asarray(1.5), jnp.arange(2)), "float32"),
    ("weak_complex_pow_int_array", lambda: (1 + 2j) ** jnp.arange(2), "complex64"),
    ("weak_float_pow_weak_int", lambda: jax.jit(lambda x: 2.0 ** x)(3), "float32~"),
    ("float16_pow_int_array", lambda: jnp.power(jnp.ones(2, jnp.float16), jnp.arange(2)), "float16"),
]


@pytest.mark.parametrize("program, expected", [c[1:] for c in OTHERS], ids=[c[0] for c in OTHERS])
def test_comparisons_and_weak_booleans(program, expected):
    r = program()
    assert f"{r.dtype}{'~' if r.weak_type else ''}" == expected


def test_round_of_bool_raises_as_jax():
    with pytest.raises(ValueError, match="not inexact"):
        jnp.round(True)


def test_new_functions_values():
    """angle, modf, isreal, iscomplex, float_power, ldexp: JAX's values."""
    import numpy as np
    np.testing.assert_allclose(jnp.angle(jnp.array([1.5, -1, 1 + 1j, -2j]), deg=True), [0.0, 180.0, 45.0, -90.0])
    frac, whole = jnp.modf(jnp.array([1.5, -1.5, 0.0, np.inf]))
    np.testing.assert_array_equal(frac, [0.5, -0.5, 0.0, np.nan])      # JAX: inf - inf
    np.testing.assert_array_equal(whole, [1.0, -1.0, 0.0, np.inf])
    assert np.asarray(jnp.isreal(jnp.array([1 + 0j, 1 + 1j]))).tolist() == [True, False]
    assert np.asarray(jnp.iscomplex(jnp.array([1 + 0j, 1 + 1j]))).tolist() == [False, True]
    np.testing.assert_allclose(jnp.float_power(jnp.array([2, 3], jnp.int32), -1), [0.5, 1 / 3], rtol=1e-6)
    np.testing.assert_allclose(jnp.ldexp(jnp.array([1.0, 3.0]), jnp.array([-1, 10])), [0.5, 3072.0])
    assert float(jnp.ldexp(jnp.float32(1.0), 200)) == np.inf
    np.testing.assert_allclose(float(jnp.ldexp(jnp.float32(1e-30), -20)), 9.536743e-37, rtol=1e-6)
    with pytest.raises(ValueError, match="ldexp not supported for input types"):
        jnp.ldexp(1.5, 2.0)


def test_frexp_and_spacing_values():
    """JAX's values, subnormals (flushed by XLA's CPU backend as in JAX) and float16 included."""
    import numpy as np
    x = jnp.array([1., 2., 3., -5., 0., -0., np.inf, -np.inf, np.nan, 1e-40, -3e-39, 0.1, 65504.])
    m, e = jnp.frexp(x)
    assert m.dtype == np.float32 and e.dtype == np.int32
    np.testing.assert_array_equal(m, [0.5, 0.5, 0.75, -0.625, 0.0, -0.0, np.inf, -np.inf, np.nan, 0.5, -0.5,
                                      0.800000011920929, 0.99951171875])
    assert np.asarray(e).tolist() == [1, 2, 2, 3, 0, 0, 0, 0, 0, -149, -149, -3, 16]
    np.testing.assert_array_equal(jnp.spacing(x), np.array(
        [1.1920928955078125e-07, 2.384185791015625e-07, 2.384185791015625e-07, -4.76837158203125e-07,
         1.401298464324817e-45, -1.401298464324817e-45, np.nan, np.nan, np.nan, 1.401298464324817e-45,
         -1.401298464324817e-45, 7.450580596923828e-09, 0.00390625], np.float32))
    np.testing.assert_array_equal(jnp.spacing(jnp.array([1., -1., 0., 65504.], jnp.float16)),
                                  np.array([0.0009765625, 0.00048828125, 5.960464477539063e-08, np.inf], np.float16))
    assert float(jax.grad(lambda v: jnp.frexp(v)[0])(3.0)) == 0.25
    m, e = jax.jit(jnp.frexp)(jnp.float32(12.0))
    assert (float(m), int(e)) == (0.75, 4)
