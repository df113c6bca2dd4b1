"""lintra.numpy dtypes: JAX's promotion table (weak types included), x64 canonicalisation, dtype queries."""
import ml_dtypes
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra.frontend import dtypes

b1, u8, u16, u32, u64 = (np.dtype(t) for t in ("bool", "uint8", "uint16", "uint32", "uint64"))
i8, i16, i32, i64 = (np.dtype(t) for t in ("int8", "int16", "int32", "int64"))
f16, f32, f64, c64, c128 = (np.dtype(t) for t in ("float16", "float32", "float64", "complex64", "complex128"))
bf16 = np.dtype(ml_dtypes.bfloat16)




# Entries of JAX's type promotion table (jax.numpy.promote_types, x64 on). "f*" is a weak float.
STRONG = [
    (b1, b1, b1), (b1, u8, u8), (b1, i8, i8), (b1, f16, f16), (b1, bf16, bf16), (b1, c64, c64),
    (u8, i8, i16), (u8, u16, u16), (u8, i16, i16), (u8, i32, i32), (u8, f16, f16), (u8, bf16, bf16),
    (u16, i8, i32), (u16, i16, i32), (u32, i8, i64), (u32, i32, i64), (u32, u64, u64),
    (i8, i16, i16), (i8, f16, f16), (i32, f16, f16), (i64, f16, f16), (i64, bf16, bf16), (i16, f32, f32),
    (f16, bf16, f32), (bf16, f32, f32), (f16, f64, f64), (f32, c64, c64), (f64, c64, c128), (bf16, c64, c64),
    (u64, i8, "f*"), (u64, i64, "f*"),
]
# (strong dtype, weak kind) -> result; weak kinds are the Python scalar types
WEAK = [
    (u8, "i", u8), (i8, "i", i8), (i16, "i", i16), (f16, "i", f16), (bf16, "i", bf16), (b1, "i", "i*"),
    (i32, "f", "f*"), (u8, "f", "f*"), (f16, "f", f16), (bf16, "f", bf16), (f32, "f", f32), (c64, "f", c64),
    (f16, "c", c64), (f32, "c", c64), (i32, "c", "c*"), (b1, "f", "f*"),
]


@pytest.mark.parametrize("a,b,want", STRONG, ids=lambda v: str(v))
def test_promotion_table_x64(x64, a, b, want):
    for x, y in ((a, b), (b, a)):
        got = dtypes.promote((x, False), (y, False))
        assert got == ((f64, True) if want == "f*" else (want, False))


def test_promotion_table_narrows_without_x64():
    narrow = {i64: i32, u64: u32, f64: f32, c128: c64}
    for a, b, want in STRONG:
        want = (f32, True) if want == "f*" else (narrow.get(want, want), False)
        assert dtypes.promote((a, False), (b, False)) == want, (a, b)


@pytest.mark.parametrize("strong,kind,want", WEAK, ids=lambda v: str(v))
def test_weak_scalars_take_the_array_dtype(strong, kind, want):
    scalar = {"i": 3, "f": 1.5, "c": 1j}[kind]
    x = jnp.zeros(2, strong)
    f = lintra.make_ir(lambda x: x * scalar)
    t = f(np.zeros(2, strong)).results[0].type
    expected = {"i*": (i32, True), "f*": (f32, True), "c*": (c64, True)}.get(want, (want, False))
    assert (t.dtype, t.weak) == expected
    out = x * scalar
    assert (out.dtype, out.weak_type) == expected


def test_weak_results_eager_and_jit():
    h = jnp.ones(3, jnp.float16)
    for out in ((h * 2.0), lintra.jit(lambda v: v * 2.0)(h)):
        assert out.dtype == f16 and not out.weak_type
    w = jnp.asarray(2.0)
    assert (w.dtype, w.weak_type) == (f32, True)
    assert (w + 1).weak_type and (w + 1).dtype == f32
    assert not (w + np.float32(1)).weak_type
    i = jnp.arange(3)
    assert (i + 1.5).dtype == f32 and (i + 1.5).weak_type
    assert (jnp.ones(2, jnp.uint8) + 3).dtype == u8
    assert (jnp.asarray(True) & True).dtype == b1
    assert (jnp.asarray([1, 2])).weak_type is False        # lists give strong arrays, as in JAX
    assert jnp.asarray(7).weak_type and jnp.asarray(np.int32(7)).weak_type is False
    np.testing.assert_array_equal(h * 2.0, np.full(3, 2, np.float16))


def test_python_int_out_of_range_for_the_array_dtype():
    with pytest.raises(OverflowError, match="300"):
        jnp.ones(2, jnp.uint8) + 300
    # a jnp function takes a Python int as a weakly typed argument of its compiled form, which wraps it into
    # the array's dtype: JAX 0.10.2 gives [45, 45] here too (its operators do the same; Lintra's refuse)
    np.testing.assert_array_equal(np.asarray(jnp.add(jnp.ones(2, jnp.uint8), 300)), [45, 45])


def test_x64_canonicalisation(x64):
    lintra.config.update("enable_x64", False)
    a = jnp.asarray(np.arange(3, dtype=np.float64))
    assert a.dtype == f32
    assert jnp.zeros(2, jnp.float64).dtype == f32
    assert jnp.asarray(1).dtype == i32 and jnp.arange(3).dtype == i32
    assert (jnp.ones(2) / 2).dtype == f32
    lintra.config.update("enable_x64", True)
    a = jnp.asarray(np.arange(3, dtype=np.float64))
    assert a.dtype == f64 and (a * 2).dtype == f64
    assert jnp.asarray(1).dtype == i64 and jnp.asarray(1.0).dtype == f64
    assert (jnp.arange(3) / 2).dtype == f64
    assert (jnp.ones(2, jnp.uint32) + jnp.ones(2, jnp.int32)).dtype == i64
    np.testing.assert_allclose(lintra.jit(lambda v: jnp.sum(v * 0.1))(np.arange(10.0)), 4.5, rtol=1e-15)


def test_scalar_types_make_arrays():
    x = jnp.float32(3)
    assert isinstance(x, lintra.Array) and x.dtype == f32 and not x.weak_type
    assert jnp.float64(1.5).dtype == f32          # narrowed: x64 is off
    assert jnp.bfloat16(1).dtype == bf16 and jnp.int8(-3).tolist() == -3
    assert np.dtype(jnp.float16) == f16 and jnp.dtype(jnp.int16) == i16
    assert jnp.float32 == np.float32 and jnp.zeros(2, dtype=jnp.uint16).dtype == u16
    assert isinstance(np.float32(1), jnp.float32)


def test_dtype_queries():
    assert jnp.promote_types(jnp.int32, jnp.float16) == f16
    assert jnp.promote_types(np.uint8, np.int8) == i16
    assert jnp.promote_types(jnp.bfloat16, np.float16) == f32
    assert jnp.promote_types(np.int32, np.float64) == f64      # promote_types does not narrow, as in JAX
    assert jnp.promote_types(int, np.float16) == f16 and jnp.promote_types(float, int) == f64
    assert jnp.result_type(np.int32, 1.0) == f32 and jnp.result_type(jnp.ones(2, jnp.int8), 1) == i8
    assert jnp.result_type(np.float64) == f32
    assert jnp.result_type(1, 2.0, return_weak_type_flag=True) == (f32, True)
    assert jnp.issubdtype(jnp.bfloat16, jnp.floating) and jnp.issubdtype(bf16, np.inexact)
    assert not jnp.issubdtype(jnp.bfloat16, jnp.integer) and not jnp.issubdtype(np.float32, jnp.bfloat16)
    assert jnp.issubdtype(jnp.int8, jnp.signedinteger) and jnp.issubdtype(np.uint8, np.integer)
    assert jnp.can_cast(jnp.int8, jnp.int16) and not jnp.can_cast(jnp.float32, jnp.int32)
    assert jnp.can_cast(jnp.ones(2, jnp.float16), np.float32)
    assert jnp.finfo(jnp.bfloat16).eps == ml_dtypes.finfo(ml_dtypes.bfloat16).eps
    assert jnp.finfo(np.float32).max == np.finfo(np.float32).max and jnp.iinfo(jnp.int8).min == -128
    assert jnp.iinfo(jnp.ones(1, jnp.uint16).dtype).max == 65535
    assert (jnp.pi, jnp.e, jnp.newaxis) == (np.pi, np.e, None) and np.isinf(jnp.inf) and np.isnan(jnp.nan)


def test_astype_is_strong_and_canonical():
    w = jnp.asarray(1.5)
    assert not w.astype(jnp.float32).weak_type
    assert jnp.astype(w, np.float64).dtype == f32
    np.testing.assert_array_equal(jnp.asarray([0.0, 2.5, -1.0]).astype(bool), [False, True, True])
    np.testing.assert_array_equal(jnp.asarray([1.7, -1.7]).astype(jnp.int32), [1, -1])
    with pytest.raises(TypeError, match="not supported"):
        jnp.zeros(2, dtype="U3")
