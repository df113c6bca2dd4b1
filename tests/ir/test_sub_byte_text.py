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
