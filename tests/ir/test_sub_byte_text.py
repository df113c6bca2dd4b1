"""The IR text of the 1-, 2- and 4-bit integers and 6-bit floats: type names as JAX's jaxprs print them (i4, u2,
...; the floats as Lintra names its other narrow floats, f6e2m3fn), dense constants printed and parsed back
bit for bit, and out-of-range elements reported where they are."""
import ml_dtypes
import numpy as np
import pytest

from lintra.ir import types as T
from lintra.ir.builder import Builder
from lintra.ir.core import Func
from lintra.ir.parser import ParseError, parse_attr, parse_func, parse_type
from lintra.ir.printer import format_attr, print_func
from lintra.ir.verifier import verify

NAMES = {"int1": "i1", "int2": "i2", "int4": "i4", "uint1": "u1", "uint2": "u2", "uint4": "u4",
         "float6_e2m3fn": "f6e2m3fn", "float6_e3m2fn": "f6e3m2fn"}


@pytest.mark.parametrize("name", sorted(NAMES))
def test_names_parse_to_ml_dtypes_types(name):
    d = np.dtype(getattr(ml_dtypes, name))
    assert T.dtype_name(d) == NAMES[name] and T.dtype(NAMES[name]) == d and T.dtype(name) == d
    assert parse_type(f"~{NAMES[name]}[2,3]") == T.TensorType((2, 3), d, True)
    assert T.is_small_float(d) == name.startswith("float") and T.is_small_int(d) == (not name.startswith("float"))
    assert T.is_int(d) == T.is_small_int(d) and T.is_float(d) == T.is_small_float(d)
    assert T.is_signed(d) == name.startswith("int")


@pytest.mark.parametrize("text, name, values", [
    ("dense<[-8, 7, 0] : i4[3]>", "int4", [-8, 7, 0]),
    ("dense<[0, 15] : u4[2]>", "uint4", [0, 15]),
    ("dense<[-2, 1] : i2[2]>", "int2", [-2, 1]),
    ("dense<3 : u2[2,2]>", "uint2", [[3, 3], [3, 3]]),
    ("dense<[-1, 0] : i1[2]>", "int1", [-1, 0]),
    ("dense<[1, 0] : u1[2]>", "uint1", [1, 0]),
    ("dense<[7.5, -0.125, 0.0] : f6e2m3fn[3]>", "float6_e2m3fn", [7.5, -0.125, 0.0]),
    ("dense<[28.0, 0.0625] : f6e3m2fn[2]>", "float6_e3m2fn", [28.0, 0.0625]),
])
def test_dense_constants_round_trip(text, name, values):
    v = parse_attr(text)
    want = np.array(values, getattr(ml_dtypes, name))
    assert v.dtype == want.dtype and v.tobytes() == want.tobytes()
    assert format_attr(v) == text


def test_constants_of_every_narrow_type_round_trip_through_a_function():
    b = Builder()
    values = [np.arange(lo, hi + 1).astype(d) for d, (lo, hi) in
              ((d, (ml_dtypes.iinfo(d).min, ml_dtypes.iinfo(d).max)) for d in T.SMALL_INT_NAMES)]
    values += [np.array([ml_dtypes.finfo(d).max, ml_dtypes.finfo(d).smallest_subnormal, -1.5], d)
               for d in (ml_dtypes.float6_e2m3fn, ml_dtypes.float6_e3m2fn)]
    f = Func("consts", b.ret(*[b.constant(v) for v in values]))
    text = print_func(f)
    g = parse_func(text)
    verify(g)
    assert print_func(g) == text
    for op, v in zip(g.body.ops, values):
        assert op.attrs["value"].dtype == v.dtype and op.attrs["value"].tobytes() == v.tobytes()


@pytest.mark.parametrize("text, col, message", [
    ("dense<[1, 8] : i4[2]>", 11, "8 is out of range for i4"),
    ("dense<[-1] : u2[1]>", 8, "-1 is out of range for u2"),
    ("dense<[1] : i1[1]>", 8, "1 is out of range for i1"),
    ("dense<[0.5] : u4[1]>", 8, "expected an integer (u4 element), got 0.5"),
    ("dense<[true] : i2[1]>", 8, "expected an integer (i2 element), got true"),
])
def test_out_of_range_elements_are_reported_where_they_are(text, col, message):
    with pytest.raises(ParseError) as e:
        parse_attr(text)
    assert (e.value.line, e.value.col) == (1, col) and message in str(e.value)


# Literals a narrow type cannot hold: NumPy and ml_dtypes would silently give inf, NaN or (the f6/f4 types)
# the largest finite value. A literal is in range when it rounds (to nearest even) to a finite value of the type.
@pytest.mark.parametrize("text, col, message", [
    ("dense<[1.0, 100.0] : f6e2m3fn[2]>", 13, "100.0 is out of range for f6e2m3fn (its finite range is [-7.5, 7.5])"),
    ("dense<7.75 : f6e2m3fn[1]>", 7, "7.75 is out of range for f6e2m3fn"),     # halfway to 8: ties to even, up
    ("dense<-30 : f6e3m2fn[1]>", 7, "-30 is out of range for f6e3m2fn (its finite range is [-28.0, 28.0])"),
    ("dense<7 : f4e2m1fn[1]>", 7, "7 is out of range for f4e2m1fn (its finite range is [-6.0, 6.0])"),
    ("dense<nan : f4e2m1fn[1]>", 7, "nan is not representable in f4e2m1fn, which has no NaN"),
    ("dense<1000.0 : f8e4m3fn[1]>", 7, "1000.0 is out of range for f8e4m3fn (its finite range is [-448.0, 448.0])"),
    ("dense<464.5 : f8e4m3fn[1]>", 7, "464.5 is out of range for f8e4m3fn"),
    ("dense<inf : f8e4m3fn[1]>", 7, "inf is out of range for f8e4m3fn, which has no infinity"),
    ("dense<-inf : f8e5m2fnuz[1]>", 7, "-inf is out of range for f8e5m2fnuz, which has no infinity"),
    ("dense<300.0 : f8e4m3fnuz[1]>", 7, "300.0 is out of range for f8e4m3fnuz (its finite range is [-240.0, 240.0])"),
    ("dense<16.0 : f8e3m4[1]>", 7, "16.0 is out of range for f8e3m4 (its finite range is [-15.5, 15.5])"),
    ("dense<1e5 : f8e5m2[1]>", 7, "1e5 is out of range for f8e5m2 (its finite range is [-57344.0, 57344.0])"),
    ("dense<-1.0 : f8e8m0fnu[1]>", 7, "-1.0 is out of range for f8e8m0fnu (its finite range is [5.877"),
    ("dense<65520.0 : f16[1]>", 7, "65520.0 is out of range for f16 (its finite range is [-65504.0, 65504.0])"),
    ("dense<[1e39] : bf16[1]>", 8, "1e39 is out of range for bf16 (its finite range is [-3.3895"),
    ("dense<[(1.0, 1e39)] : c64[1]>", 8, "(1.0, 1e+39) is out of range for c64 (each part's finite range is"),
    ("dense<[0, 16] : u4[2]>", 11, "16 is out of range for u4 (range [0, 15])"),
    ("dense<-9 : i4[1]>", 7, "-9 is out of range for i4 (range [-8, 7])"),
    ("dense<128 : i8[1]>", 7, "128 is out of range for i8 (range [-128, 127])"),
    ("dense<-1 : u8[1]>", 7, "-1 is out of range for u8 (range [0, 255])"),
    ("dense<2 : i2[1]>", 7, "2 is out of range for i2 (range [-2, 1])"),
])
def test_literals_a_narrow_type_cannot_hold_are_parse_errors(text, col, message):
    with pytest.raises(ParseError) as e:
        parse_attr(text)
    assert (e.value.line, e.value.col) == (1, col) and message in str(e.value)


@pytest.mark.parametrize("text, want", [
    ("dense<7.74 : f6e2m3fn[1]>", 7.5),       # rounds to the largest value: in range
    ("dense<464.0 : f8e4m3fn[1]>", 448.0),    # halfway between 448 and 480 (unrepresentable): ties to even 448
    ("dense<65519.0 : f16[1]>", 65504.0),
    ("dense<-inf : f8e5m2[1]>", -np.inf),
    ("dense<nan : f8e4m3fn[1]>", np.nan),
    ("dense<0.25 : f8e8m0fnu[1]>", 0.25),
])
def test_literals_that_round_into_range_parse(text, want):
    np.testing.assert_array_equal(parse_attr(text).astype(np.float64), [want])


@pytest.mark.parametrize("name", ["bfloat16", "float16", "float8_e4m3fn", "float8_e5m2fnuz", "float8_e8m0fnu",
                                  "float6_e2m3fn", "float4_e2m1fn"])
def test_extremes_of_every_narrow_float_round_trip(name):
    fi = ml_dtypes.finfo(getattr(ml_dtypes, name, None) or np.dtype(name))
    v = np.array([fi.max, fi.smallest_normal] + ([] if float(fi.min) > 0 else [fi.min]), fi.dtype)
    assert parse_attr(format_attr(v)).tobytes() == v.tobytes()
