"""The 1-, 2- and 4-bit integers and 6-bit floats of jax.numpy (int1 int2 int4 uint1 uint2 uint4 float6_e2m3fn
float6_e3m2fn): made, converted, computed with, printed and promoted as JAX 0.10.2 does on CPU, with values
recorded from it; and where JAX 0.10.2 cannot run them (float6, int1, uint1), Lintra refuses the same things
with a clear error instead of jaxlib's raw one."""
import ml_dtypes
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp

nan, inf = np.nan, np.inf
F32 = np.array([1.5, -1.0, 3.7, 300.0, nan, -inf, -2.5], np.float32)
I32 = np.array([1, -1, 3, 9, -9, 100], np.int32)
# name: what JAX 0.10.2 gives for x = jnp.array(INPUT, dtype) and y = x[::-1]: repr(x), x + y, x * y, -x, x < y,
# x // y (y's zeros made ones), jit(astype(dtype)) of F32 and of I32 (XLA saturates floats and wraps ints),
# max(x), cumsum(x) and x + 9 (a weak Python int, wrapped), as Python ints
SUB_BYTE_INTS = {
    'int2': {'repr': 'Array([-2, -1, 0, 1], dtype=int2)', 'add': [-1, -1, -1, -1], 'mul': [-2, 0, 0, -2], 'neg': [-2, 1, 0, -1], 'lt': [True, True, False, False], 'floordiv': [-2, -1, 0, -1], 'from_f32': [1, -1, 1, 1, 0, -2, -2], 'from_i32': [1, -1, -1, 1, -1, 0], 'max': 1, 'cumsum': [-2, 1, 1, -2], 'plus9': [-1, 0, 1, -2]},
    'int4': {'repr': 'Array([-8, -3, 0, 5, 7], dtype=int4)', 'add': [-1, 2, 0, 2, -1], 'mul': [-8, 1, 0, 1, -8], 'neg': [-8, 3, 0, -5, -7], 'lt': [True, True, False, False, False], 'floordiv': [-2, -1, 0, -2, -1], 'from_f32': [1, -1, 3, 7, 0, -8, -2], 'from_i32': [1, -1, 3, -7, 7, 4], 'max': 7, 'cumsum': [-8, 5, 5, -6, 1], 'plus9': [1, 6, -7, -2, 0]},
    'uint2': {'repr': 'Array([0, 1, 2, 3], dtype=uint2)', 'add': [3, 3, 3, 3], 'mul': [0, 2, 2, 0], 'neg': [0, 3, 2, 1], 'lt': [True, True, False, False], 'floordiv': [0, 0, 2, 3], 'from_f32': [1, 0, 3, 3, 0, 0, 0], 'from_i32': [1, 3, 3, 1, 3, 0], 'max': 3, 'cumsum': [0, 1, 3, 2], 'plus9': [1, 2, 3, 0]},
    'uint4': {'repr': 'Array([0, 3, 9, 15], dtype=uint4)', 'add': [15, 12, 12, 15], 'mul': [0, 11, 11, 0], 'neg': [0, 13, 7, 1], 'lt': [True, True, False, False], 'floordiv': [0, 0, 3, 15], 'from_f32': [1, 0, 3, 15, 0, 0, 0], 'from_i32': [1, 15, 3, 9, 7, 4], 'max': 15, 'cumsum': [0, 3, 12, 11], 'plus9': [9, 12, 2, 8]},
}
INPUTS = {"int2": [-2, -1, 0, 1], "int4": [-8, -3, 0, 5, 7], "uint2": [0, 1, 2, 3], "uint4": [0, 3, 9, 15]}
NARROW_NAMES = "int1 int2 int4 uint1 uint2 uint4 float6_e2m3fn float6_e3m2fn".split()


def ints(a):
    return np.asarray(a).astype(int).tolist()


@pytest.mark.parametrize("name", sorted(SUB_BYTE_INTS))
def test_sub_byte_ints_store_convert_compute_and_print_as_jax(name):
    want, dtype = SUB_BYTE_INTS[name], getattr(jnp, name)
    x = jnp.array(INPUTS[name], dtype)
    y = x[::-1]
    assert x.dtype == np.dtype(getattr(ml_dtypes, name)) and repr(x) == want["repr"]
    assert str(x) == str(np.array(INPUTS[name], x.dtype))
    assert ints(x + y) == want["add"] and ints(x * y) == want["mul"] and ints(-x) == want["neg"]
    assert np.asarray(x < y).tolist() == want["lt"]
    assert ints(x // jnp.where(y == 0, jnp.ones_like(y), y)) == want["floordiv"]
    to_dtype = lintra.jit(lambda a: a.astype(dtype))
    assert ints(to_dtype(F32)) == want["from_f32"] and ints(to_dtype(I32)) == want["from_i32"]
    assert int(jnp.max(x)) == want["max"] and ints(jnp.cumsum(x)) == want["cumsum"]
    assert ints(x + 9) == want["plus9"] and (x + 9).dtype == x.dtype
    assert (x + y).dtype == x.dtype and (x < y).dtype == np.bool_
    assert ints(lintra.jit(lambda a, b: a * b + a)(x, y)) == ints((x * y) + x)


@pytest.mark.parametrize("name", sorted(SUB_BYTE_INTS))
def test_conversions_agree_with_ml_dtypes(name):
    d = np.dtype(getattr(ml_dtypes, name))
    info = ml_dtypes.iinfo(d)
    every = np.arange(info.min, info.max + 1).astype(d)           # every value the type holds
    x = jnp.asarray(every)
    assert x.dtype == d and np.asarray(x).dtype == d and np.asarray(x).tobytes() == every.tobytes()
    assert lintra.device_get(lintra.device_put(every)).tobytes() == every.tobytes()
    for to in (np.int32, np.float32, ml_dtypes.bfloat16, ml_dtypes.float8_e4m3fn, np.bool_):
        got = np.asarray(lintra.jit(lambda a: a.astype(to))(x))
        np.testing.assert_array_equal(got, every.astype(to))
    # in range, XLA's conversions into the type are ml_dtypes' (outside it they saturate or wrap, as recorded)
    for src in (np.int32, np.float32, np.int8):
        vals = np.arange(info.min, info.max + 1).astype(src)
        np.testing.assert_array_equal(np.asarray(jnp.asarray(vals).astype(d)), vals.astype(d))


@pytest.mark.parametrize("name", sorted(SUB_BYTE_INTS))
def test_sub_byte_ints_batch_as_a_loop_does(name):
    x = jnp.array([INPUTS[name], INPUTS[name][::-1]], getattr(jnp, name))
    f = lambda row: row * row[::-1] + row        # noqa: E731
    np.testing.assert_array_equal(np.asarray(lintra.vmap(f)(x)), np.stack([np.asarray(f(r)) for r in x]))


def test_python_ints_wrap_into_sub_byte_ints_as_in_jax():
    # JAX 0.10.2: its overflow check is NumPy's, which ml_dtypes' types skip
    assert repr(jnp.int4(9)) == "Array(-7, dtype=int4)"
    assert repr(jnp.array(9, jnp.int4)) == "Array(-7, dtype=int4)"
    assert repr(jnp.full(3, 9, jnp.int4)) == "Array([-7, -7, -7], dtype=int4)"
    assert repr(jnp.array([9, 17], jnp.uint4)) == "Array([9, 1], dtype=uint4)"


PROMOTION_ERRORS = [   # (a, b, JAX 0.10.2's message up to its advice)
    (jnp.int4, jnp.int8, "Input dtypes ('int4', 'int8') have no available implicit dtype promotion path. To avoid "
                         "unintended promotion, 1-bit, 2-bit and 4-bit integers do not support implicit promotion."),
    (jnp.uint2, jnp.uint8, "Input dtypes ('uint2', 'uint8') have no available"),
    (jnp.int4, float, "Input dtypes ('int4', \"<class 'float'>\") have no available implicit dtype promotion path. "
                      "To avoid unintended promotion, 1-bit, 2-bit and 4-bit integers"),
    (jnp.int4, jnp.uint4, "1-bit, 2-bit and 4-bit integers do not support"),
    (jnp.float8_e4m3fn, jnp.int4, "Input dtypes ('float8_e4m3fn', 'int4') have no available implicit dtype "
                                  "promotion path. To avoid unintended promotion, 8-bit floats do not support"),
    (jnp.int4, jnp.float4_e2m1fn, "4-bit floats do not support implicit promotion"),
    (jnp.float6_e2m3fn, jnp.float32, "Input dtypes ('float6_e2m3fn', 'float32') have no available implicit dtype "
                                     "promotion path. To avoid unintended promotion, 6-bit floats do not support"),
    (jnp.float6_e2m3fn, jnp.float8_e4m3fn, "8-bit floats do not support"),
    (jnp.float6_e3m2fn, jnp.float6_e2m3fn, "6-bit floats do not support"),
    (jnp.float6_e3m2fn, jnp.float4_e2m1fn, "6-bit floats do not support"),
]


@pytest.mark.parametrize("a, b, message", PROMOTION_ERRORS)
def test_narrow_types_never_promote_implicitly_as_in_jax(a, b, message):
    with pytest.raises(lintra.dtypes.TypePromotionError) as e:
        jnp.promote_types(a, b)
    assert message in str(e.value)


def test_narrow_types_meet_weak_scalars_and_bools_as_in_jax():
    # JAX 0.10.2: bool and weak ints sit below the narrow integers, weak floats below the 6-bit floats
    assert jnp.promote_types(jnp.bool_, jnp.int2) == jnp.int2 and jnp.promote_types(jnp.int2, int) == jnp.int2
    assert jnp.promote_types(jnp.bool_, jnp.uint1) == jnp.uint1 and jnp.promote_types(jnp.int4, jnp.int4) == jnp.int4
    assert jnp.result_type(jnp.int4, 1) == jnp.int4 and jnp.result_type(jnp.int4, True) == jnp.int4
    assert jnp.promote_types(jnp.float6_e2m3fn, float) == jnp.float6_e2m3fn
    assert jnp.promote_types(jnp.float6_e2m3fn, int) == jnp.float6_e2m3fn
    x = jnp.array([1, 2], jnp.int4)
    assert repr(x + True) == "Array([2, 3], dtype=int4)"
    with pytest.raises(lintra.dtypes.TypePromotionError, match="4-bit integers do not support"):
        x + 1.5
    with pytest.raises(lintra.dtypes.TypePromotionError, match=r"\('int4', 'float32'\)"):
        x + jnp.float32(1)


@pytest.mark.parametrize("name", NARROW_NAMES)
def test_dtype_queries_are_jaxs(name):
    dtype, d = getattr(jnp, name), np.dtype(getattr(ml_dtypes, name))
    assert np.dtype(dtype) == d and dtype.dtype == d and jnp.dtype(name) == d
    assert repr(dtype) == f"<class 'lintra.numpy.{name}'>"
    if name.startswith("float"):
        assert jnp.issubdtype(dtype, jnp.floating) and jnp.issubdtype(dtype, jnp.inexact)
        assert not jnp.issubdtype(dtype, jnp.integer)
        assert jnp.finfo(dtype).bits == 6 and jnp.finfo(dtype).max == ml_dtypes.finfo(d).max
    else:
        signed = not name.startswith("u")
        assert jnp.issubdtype(dtype, jnp.integer) and jnp.issubdtype(dtype, np.number)
        assert jnp.issubdtype(dtype, jnp.signedinteger) == signed
        assert jnp.issubdtype(dtype, jnp.unsignedinteger) == (not signed)
        assert not jnp.issubdtype(dtype, jnp.floating) and not jnp.issubdtype(dtype, jnp.int8)
        assert jnp.iinfo(dtype).bits == int(name[-1]) and jnp.iinfo(dtype).min == ml_dtypes.iinfo(d).min
    assert jnp.issubdtype(dtype, dtype) and not jnp.issubdtype(jnp.int8, dtype)


def test_ops_jax_refuses_on_sub_byte_ints_are_refused():
    x = jnp.array([3, -2], jnp.int4)
    # JAX 0.10.2: "abs does not accept dtype int4. Support for narrow-width integers is platform-dependent ..."
    with pytest.raises(TypeError, match="abs: does not accept dtype int4: support for narrow-width integers"):
        jnp.abs(x)
    with pytest.raises(TypeError, match="does not accept dtype int2"):
        jnp.abs(jnp.array([1, -2], jnp.int2))
    assert repr(jnp.abs(jnp.array([3, 2], jnp.uint4))) == "Array([3, 2], dtype=uint4)"   # unsigned: x itself
    # JAX 0.10.2 cannot promote them to the default integer (ValueError: Invalid integer data type 'V'.)
    for reduce in (jnp.sum, jnp.prod):
        with pytest.raises(ValueError, match=f"{reduce.__name__}: cannot promote int4 to the default integer"):
            reduce(x)
    assert repr(jnp.sum(x, dtype=jnp.int32)) == "Array(1, dtype=int32)"
    assert repr(jnp.sum(x, promote_integers=False)) == "Array(1, dtype=int4)"
    assert repr(jnp.mean(x)) == "Array(0.5, dtype=float32)"


@pytest.mark.parametrize("reduce", [jnp.nansum, jnp.nanprod, jnp.trace, jnp.linalg.trace], ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [jnp.int4, jnp.int2])
def test_reductions_built_on_sum_name_themselves_on_sub_byte_ints(reduce, dtype):
    """JAX 0.10.2 fails as for sum (ValueError: Invalid integer data type 'V'.); the message names the function
    called and suggests only an argument it takes (dtype=, not sum's promote_integers=)."""
    x = jnp.ones((2, 2), dtype)
    with pytest.raises(ValueError, match=f"^{reduce.__name__}: cannot promote {np.dtype(dtype).name} to the default "
                                         f"integer") as e:
        reduce(x)
    assert "promote_integers" not in str(e.value)
    assert int(reduce(x, dtype=jnp.int32)) == (1 if reduce is jnp.nanprod else 2 if "trace" in reduce.__name__ else 4)


# ---- the dtypes JAX 0.10.2 can name but not run --------------------------------------------------------------

@pytest.mark.parametrize("name, want", [("int1", "Array([-1, 0, -1], dtype=int1)"),
                                        ("uint1", "Array([1, 0, 1], dtype=uint1)")])
def test_one_bit_ints_are_stored_and_read_back_as_jax(name, want):
    host = np.array([1, 0, 1], getattr(ml_dtypes, name))     # int1 holds -1 and 0: 1 wraps to -1
    x = lintra.device_put(host)
    assert repr(x) == want and x.dtype == host.dtype           # as jax.device_put(host) in JAX 0.10.2
    assert np.asarray(x).tobytes() == host.tobytes() and x.tolist() == host.tolist()
    assert repr(jnp.asarray(host)) == want
    # JAX 0.10.2 fails here (RuntimeProgramInputMismatch: S1 buffer vs its pred parameter) where Lintra, which
    # converts Python lists on the host, succeeds
    assert repr(jnp.array([1, 0, 1], getattr(jnp, name))) == want


@pytest.mark.parametrize("name", ["int1", "uint1"])
def test_computing_with_one_bit_ints_is_refused_clearly(name):
    # JAX 0.10.2: int1 lowers to i1, StableHLO's bool, so its S1 inputs fail as a buffer-size mismatch and its
    # outputs are bools (jnp.zeros(3, int1) prints False); uint1 fails StableHLO's verifier ('ui1')
    dtype = getattr(jnp, name)
    x = lintra.device_put(np.array([1, 0], dtype.dtype))
    for compute in (lambda: x + x, lambda: x.astype(jnp.int8), lambda: lintra.jit(lambda a: a)(x),
                    lambda: jnp.zeros(3, dtype), lambda: jnp.arange(3).astype(dtype)):
        with pytest.raises(TypeError, match=f"computes with {name} values .* StableHLO has no 1-bit") as e:
            compute()
        assert "np.asarray(x).astype(np.int8)" in str(e.value)


@pytest.mark.parametrize("name", ["float6_e2m3fn", "float6_e3m2fn"])
def test_float6_is_traced_and_lowered_but_never_run(name):
    dtype = getattr(jnp, name)
    host = np.array([1.5, 100.0, -0.3], dtype.dtype)
    # JAX 0.10.2: "Unknown NumPy dtype" (device_put) and "Invalid XLA PrimitiveType" (jnp.array, astype)
    for put in (lambda: lintra.device_put(host), lambda: jnp.asarray(host), lambda: jnp.array([1.5], dtype),
                lambda: jnp.zeros(3, dtype)):
        with pytest.raises(TypeError, match=f"cannot put a {name} array of shape .* on a device"):
            put()
    # JAX 0.10.2: results fail as above; kept inside a program, XLA's CPU compiler fails ("Invalid bitcast")
    for run in (lambda: jnp.ones(3).astype(dtype), lambda: lintra.jit(lambda a: a.astype(dtype).astype(jnp.float32))(
            np.ones(3, np.float32))):
        with pytest.raises(TypeError, match=f"computes with {name} values .* 6-bit floats") as e:
            run()
        assert "np.asarray(x).astype(np.float32)" in str(e.value)
    # tracing and lowering work, as in JAX
    assert lintra.eval_shape(lambda a: a.astype(dtype), jnp.ones(3)).dtype == dtype.dtype
    short = "f6e2m3fn" if name.endswith("e2m3fn") else "f6e3m2fn"
    assert f"-> ({short}[3])" in str(lintra.make_ir(lambda a: a.astype(dtype))(jnp.ones(3)))
    mlir_name = "f6E2M3FN" if name.endswith("e2m3fn") else "f6E3M2FN"
    text = lintra.jit(lambda a: a.astype(jnp.float32)).lower(host).as_text()
    assert f"stablehlo.convert %arg0 : (tensor<3x{mlir_name}>) -> tensor<3xf32>" in text


# the element type JAX 0.10.2 lowers each to, and the IR's name for it (JAX's jaxprs: i1 i2 i4 u1 u2 u4 f6_e2m3fn)
ELEMENT_TYPES = {"int1": ("i1", "i1"), "int2": ("i2", "i2"), "int4": ("i4", "i4"), "uint1": ("ui1", "u1"),
                 "uint2": ("ui2", "u2"), "uint4": ("ui4", "u4"), "float6_e2m3fn": ("f6E2M3FN", "f6e2m3fn"),
                 "float6_e3m2fn": ("f6E3M2FN", "f6e3m2fn")}


@pytest.mark.parametrize("name", NARROW_NAMES)
def test_lowering_uses_jaxs_element_types(name):
    mlir_type, ir_name = ELEMENT_TYPES[name]
    host = np.array([1, 0], getattr(ml_dtypes, name))
    text = lintra.jit(lambda a: a).lower(host).as_text()
    assert f"func.func @main(%arg0: tensor<2x{mlir_type}>) -> tensor<2x{mlir_type}>" in text
    ir_text = str(lintra.make_ir(lambda a: a + a)(host))
    assert f"%a: {ir_name}[2]" in ir_text and f"add %a, %a : {ir_name}[2]" in ir_text


def test_sub_byte_int_constants_lower_and_run():
    c = jnp.array([3, -4, 7], jnp.int4)
    f = lintra.jit(lambda a: a + c + np.array([1, 2, -3], ml_dtypes.int4))
    assert repr(f(c)) == "Array([7, -6, -5], dtype=int4)"          # JAX 0.10.2's, 11 wrapping to -5
    assert "stablehlo.constant dense<[1, 2, -3]> : tensor<3xi4>" in f.lower(c).as_text()


@pytest.mark.parametrize("args, want", [   # jax.random.randint(key(0), (6,), lo, hi, dtype) in JAX 0.10.2
    ((0, 3, jnp.int8), [1, 0, 2, 1, 2, 0]),
    ((-100, 300, jnp.int8), [-51, -64, 28, 33, -53, 47]),
    ((0, 3, jnp.int16), [1, 0, 2, 1, 2, 0]),
    ((-3, 30, jnp.int4), [5, -3, 1, 2, -1, 3]),
    ((0, 30, jnp.uint2), [1, 0, 0, 1, 3, 3]),
    ((0, 30, jnp.uint4), [5, 0, 8, 13, 3, 3]),
])
def test_randint_draws_narrow_integers_as_int32_as_jax(args, want):
    lo, hi, dtype = args
    got = lintra.random.randint(lintra.random.key(0), (6,), lo, hi, dtype=dtype)
    assert got.dtype == np.dtype(dtype) and ints(got) == want


def test_division_by_sub_byte_constants_is_jaxs():
    # the divisor a constant of the program (XLA's run-time results for / 0 and MIN / -1), as JAX 0.10.2 gives them
    x = jnp.array([7, -8], jnp.int4)
    assert ints(lintra.jit(lambda: x // jnp.array([2, 3], jnp.int4))()) == [3, -3]
    assert ints(lintra.jit(lambda: x // jnp.array([0, -1], jnp.int4))()) == [-2, -8]
    assert ints(lintra.jit(lambda a: lintra.lax.div(a, jnp.array([0, -1], jnp.int4)))(x)) == [-1, -8]
    assert ints(lintra.jit(lambda a: lintra.lax.rem(a, jnp.array([0, -1], jnp.int4)))(x)) == [7, 0]
    assert ints(lintra.jit(lambda a: a // jnp.array([0, 3], jnp.uint4))(jnp.array([7, 8], jnp.uint4))) == [15, 2]
    assert ints(lintra.lax.clz(jnp.array([3, 1, -1, 0], jnp.int4))) == [2, 3, 0, 4]


def test_inexact_results_of_sub_byte_ints_are_jaxs():
    # JAX 0.10.2's to_inexact maps int4/uint4 to float32 but leaves int2/uint2 (and int1/uint1) as they are
    assert repr(jnp.sqrt(jnp.array([4, 1], jnp.int4))) == "Array([2., 1.], dtype=float32)"
    assert repr(jnp.var(jnp.array([1, 0], jnp.int4))) == "Array(0.25, dtype=float32)"
    assert repr(jnp.mean(jnp.array([1, 1], jnp.int2))) == "Array(1, dtype=int2)"
    with pytest.raises(TypeError, match="sqrt: expected inexact operand, got i2"):   # JAX: "sqrt does not accept"
        jnp.sqrt(jnp.array([1, 1], jnp.int2))
    with pytest.raises(lintra.dtypes.TypePromotionError, match="Input dtypes \\(\"<class 'float'>\", 'int2'\\)"):
        jnp.var(jnp.array([1, 0], jnp.int2))


@pytest.mark.parametrize("code, want", [   # as JAX 0.10.2 (x64 off) reads NumPy's type codes
    ("i4", "int32"), ("i8", "int32"), ("i2", "int16"), ("i1", "int8"), ("u4", "uint32"), ("u2", "uint16"),
    ("u1", "uint8"), ("<i4", "int32"), ("int4", "int4"), ("uint2", "uint2"), ("float6_e2m3fn", "float6_e2m3fn"),
])
def test_dtype_strings_are_numpys_not_the_irs(code, want):
    # the IR names int4 'i4' and int8 'i8'; a user's 'i4' is NumPy's (and JAX's) int32
    d = np.dtype(code)                      # ShapeDtypeStruct and promote_types keep 64 bits, as JAX's
    assert lintra.ShapeDtypeStruct((2,), code).dtype == d and jnp.promote_types(code, code) == d
    if not want.startswith("float6"):
        assert str(jnp.zeros(2, code).dtype) == want and str(jnp.arange(3).astype(code).dtype) == want
