"""IR text: hand-written round trips, parsed values, and error positions and messages."""
import math

import ml_dtypes
import numpy as np
import pytest

from lintra.ir.builder import Builder
from lintra.ir.core import Func, LazyBlock
from lintra.ir.parser import MAX_NESTING, ParseError, parse_attr, parse_func, parse_module, parse_type
from lintra.ir.printer import format_attr, print_func, print_module
from lintra.ir.types import DTYPE_NAMES, TensorType
from lintra.ir.verifier import verify


def roundtrip(text):
    f = parse_func(text)
    assert print_func(f) == text
    verify(f)
    return f


def ops(f):
    return {op.results[0]: op for op in f.body.ops if op.results}


# ---- round trips -------------------------------------------------------------------

ATTRS = """\
func @main(%x: f32[2,3], %n: ~i32[], %k: u8[4]) -> (f32[3], f64[3,2], f32[2,3], f32[], i32[], ~f32[]) {
  %0 = reduce_sum %x {axes = [0]} : f32[3]
  %1 = transpose %x {permutation = [1, 0]} : f32[3,2]
  %2 = convert_element_type %1 {new_dtype = f64, weak_type = false} : f64[3,2]
  %3 = constant {value = dense<0.0 : f32[]>} : f32[]
  %4 = pad %x, %3 {padding_config = [[0, 0, 0], [1, -1, 0]]} : f32[2,3]
  %5 = dot_general %x, %x {lhs_batch = [], lhs_contracting = [0, 1], preferred_element_type = none, \
rhs_batch = [], rhs_contracting = [0, 1]} : f32[]
  %6 = convert_element_type %n {new_dtype = i32} : i32[]
  %7 = constant {value = dense<-6.103515625e-05 : f32[]>, weak = true} : ~f32[]
  return %0, %2, %4, %5, %6, %7
}
"""


def test_attribute_kinds_roundtrip():
    f = roundtrip(ATTRS)
    by_prim = {op.prim: op for op in f.body.ops}
    assert by_prim["reduce_sum"].attrs == {"axes": (0,)}
    assert by_prim["pad"].attrs["padding_config"] == ((0, 0, 0), (1, -1, 0))
    assert by_prim["dot_general"].attrs["preferred_element_type"] is None
    assert by_prim["dot_general"].attrs["lhs_batch"] == ()
    conv = f.body.ops[2].attrs
    assert conv["new_dtype"] == np.dtype(np.float64) and isinstance(conv["new_dtype"], np.dtype)
    assert conv["weak_type"] is False
    assert [a.type for a in f.args] == [TensorType.of((2, 3), "f32"), TensorType.of((), "i32", True),
                                        TensorType.of((4,), "u8")]
    assert f.arg_names == ["x", "n", "k"]


@pytest.mark.parametrize("text, expected", [
    ("0", 0), ("-7", -7), ("123456789012345678901234567890", 123456789012345678901234567890),
    ("1.5", 1.5), ("-0.0", -0.0), ("1e-05", 1e-05), ("1.5e+300", 1.5e300), ("inf", math.inf),
    ("-inf", -math.inf), ("true", True), ("false", False), ("none", None),
    ('"a\\"b\\\\c\\n\\u00e9\\ud83d\\ude00"', 'a"b\\c\né\U0001F600'), ('""', ""),
    ("f32", np.dtype(np.float32)), ("bf16", np.dtype(ml_dtypes.bfloat16)), ("bool", np.dtype(np.bool_)),
    ("[]", ()), ("[1, [2.5, [none, \"x\"]], []]", (1, (2.5, (None, "x")), ())),
])
def test_attribute_values(text, expected):
    v = parse_attr(text)
    assert type(v) is type(expected) and v == expected
    if isinstance(v, float):
        assert math.copysign(1, v) == math.copysign(1, expected)
    assert format_attr(v) == text


def test_nan_attribute():
    v = parse_attr("nan")
    assert isinstance(v, float) and math.isnan(v) and format_attr(v) == "nan"


@pytest.mark.parametrize("text, dtype, expected", [
    ("dense<1.5 : f32[]>", np.float32, np.array(1.5, np.float32)),
    ("dense<-0.0 : f64[2,3]>", np.float64, np.full((2, 3), -0.0)),
    ("dense<[0.0, -0.0] : f64[2]>", np.float64, np.array([0.0, -0.0])),
    ("dense<[[1, 2, 3], [4, 5, 6]] : i8[2,3]>", np.int8, np.arange(1, 7, dtype=np.int8).reshape(2, 3)),
    ("dense<[-128, 127] : i8[2]>", np.int8, np.array([-128, 127], np.int8)),
    ("dense<[0, 18446744073709551615] : u64[2]>", np.uint64, np.array([0, 2**64 - 1], np.uint64)),
    ("dense<[-9223372036854775808, 1] : i64[2]>", np.int64, np.array([-2**63, 1], np.int64)),
    ("dense<[true, false] : bool[2]>", np.bool_, np.array([True, False])),
    ("dense<true : bool[3]>", np.bool_, np.ones(3, bool)),
    ("dense<[(1.0, -2.5), (inf, nan)] : c64[2]>", np.complex64, np.array([1 - 2.5j, complex(np.inf, np.nan)],
                                                                          np.complex64)),
    ("dense<(0.0, -1.0) : c128[2,2]>", np.complex128, np.full((2, 2), complex(0.0, -1.0))),
    ("dense<[0.10009765625, 65280.0, -inf] : bf16[3]>", ml_dtypes.bfloat16,
     np.array([0.10009765625, 65280, -np.inf], ml_dtypes.bfloat16)),
    ("dense<[65504.0, 5.960464477539063e-08] : f16[2]>", np.float16, np.array([65504, 2**-24], np.float16)),
    ("dense<[] : f32[0,3]>", np.float32, np.zeros((0, 3), np.float32)),
    ("dense<[[], []] : u16[2,0]>", np.uint16, np.zeros((2, 0), np.uint16)),
    ("dense<[[[7]]] : u32[1,1,1]>", np.uint32, np.full((1, 1, 1), 7, np.uint32)),
])
def test_dense_values(text, dtype, expected):
    v = parse_attr(text)
    assert isinstance(v, np.ndarray) and v.dtype == np.dtype(dtype) and v.shape == expected.shape
    wide = np.complex128 if v.dtype.kind == "c" else np.float64 if v.dtype.kind in "fV" else v.dtype
    a, b = v.astype(wide), expected.astype(wide)
    assert np.array_equal(a, b, equal_nan=True)
    if v.dtype.kind != "b":
        assert np.array_equal(np.signbit(a.real), np.signbit(b.real))
    assert format_attr(v) == text


@pytest.mark.parametrize("name", list(DTYPE_NAMES.values()))
def test_every_dtype_as_type(name):
    for text in (f"{name}[]", f"~{name}[2,0,3]"):
        t = parse_type(text)
        assert str(t) == text and DTYPE_NAMES[t.dtype] == name
    text = f"func @f(%a: {name}[2], %b: ~{name}[]) -> ({name}[2], ~{name}[]) {{\n  return %a, %b\n}}\n"
    roundtrip(text)


def test_every_dtype_as_constant():
    b = Builder()
    values = [np.array([[True, False]]), np.array([-3, 4], np.int16), np.array([2**31 - 1, -2**31], np.int32),
              np.array(250, np.uint8), np.array([1, 65535], np.uint16), np.array([7], np.uint32),
              np.array([1.5, -0.0, np.inf], np.float16), np.array([3.14, np.nan], ml_dtypes.bfloat16),
              np.array([1e-45, 3.4028235e38], np.float32), np.array([5e-324, -1.7976931348623157e308]),
              np.array([1 + 1j, -0.0j], np.complex64), np.array([[1e300 - 1e-300j]]), np.array([9, 9], np.int8),
              np.array(2**63 - 1, np.int64), np.array(2**64 - 1, np.uint64)]
    outs = [b.constant(v) for v in values]
    f = Func("consts", b.ret(*outs))
    g = roundtrip(print_func(f))
    for op, v in zip(g.body.ops, values):
        got = op.attrs["value"]
        assert got.dtype == v.dtype and got.shape == v.shape
        assert got.tobytes() == v.tobytes() or np.isnan(v.astype(np.float64)).any()


SORT_AND_CALLS = """\
func @g(%x: f32[3], %i: i32[3]) -> (f32[3], i32[3], f32[3], ~f32[]) {
  %0, %1 = sort %x, %i {dimension = 0, is_stable = true, num_keys = 1} : f32[3], i32[3]
  %2, %3 = call %x, %0 {callee = "outer \\"fn\\""} : f32[3], ~f32[] {
    ^(%4: f32[3], %5: f32[3]) {
      %6 = call %4 {callee = "inner"} : f32[3] {
        ^(%7: f32[3]) {
          %8 = neg %7 : f32[3]
          return %8
        }
      }
      %9 = add %6, %5 : f32[3]
      %10 = constant {value = dense<2.0 : f32[]>, weak = true} : ~f32[]
      return %9, %10
    }
  }
  return %0, %1, %2, %3
}
"""


def test_multi_result_and_nested_regions():
    f = roundtrip(SORT_AND_CALLS)
    sort, call = f.body.ops
    assert len(sort.results) == 2 and sort.results[1].type == TensorType.of((3,), "i32")
    assert call.attrs["callee"] == 'outer "fn"'
    region, = call.regions
    inner = region.ops[0]
    assert inner.prim == "call" and inner.regions[0].ops[0].prim == "neg"
    assert inner.operands == [region.args[0]]
    assert region.results[1].type.weak


def test_zero_args_and_zero_results():
    roundtrip("func @nothing() -> () {\n  return\n}\n")
    f = roundtrip("func @c() -> (i32[3]) {\n  %0 = iota {dimension = 0, dtype = i32, shape = [3]} : i32[3]\n"
                  "  return %0\n}\n")
    assert f.args == [] and f.body.ops[0].attrs["dtype"] == np.dtype(np.int32)
    # a call with no results prints `: ()`
    roundtrip('func @f(%x: f32[]) -> () {\n  call %x {callee = "sink"} : () {\n    ^(%0: f32[]) {\n'
              '      return\n    }\n  }\n  return\n}\n')


def test_module_of_several_funcs():
    text = ATTRS + "\n" + SORT_AND_CALLS + "\n" + \
        "func @nothing() -> () {\n  return\n}\n"
    m = parse_module(text)
    assert list(m.funcs) == ["main", "g", "nothing"]
    assert print_module(m) == text
    verify(m)
    assert print_module(parse_module("")) == "" and parse_module("  // nothing\n").funcs == {}


def test_names_and_comments_and_spacing():
    text = """// RUN: lintra-opt %s | FileCheck %s
// CHECK: func @f
func @f(%x: f32[3], %ÿ_é2: f32[3]) -> (f32[3]) {   // trailing comment
  %a=add %x,%ÿ_é2:f32[3]
  // CHECK-NEXT: return
  return %a
}
"""
    f = parse_func(text)
    assert f.arg_names == ["x", "ÿ_é2"]
    assert print_func(f) == ("func @f(%x: f32[3], %ÿ_é2: f32[3]) -> (f32[3]) {\n"
                             "  %0 = add %x, %ÿ_é2 : f32[3]\n  return %0\n}\n")
    assert parse_func("func @<lambda>() -> () {\n  return\n}\n").name == "<lambda>"


def test_lazy_regions_have_no_text_form():
    b = Builder()
    x = b.arg(TensorType.of((), "f32"))
    fun = Builder()
    fun.ret(fun.arg(TensorType.of((), "f32")))
    b.ret(b.emit1("custom_jvp_call", [x], {"num_args": 1}, [fun.block, LazyBlock(lambda: pytest.fail("traced"))]))
    text = print_func(Func("f", b.block))
    with pytest.raises(ParseError, match="a lazy region .* has no text form") as e:
        parse_func(text)
    assert text.split("\n")[e.value.line - 1][e.value.col - 1:] == "lazy"


def test_builder_ir_roundtrip():
    b = Builder()
    x = b.arg(TensorType.of((2, 2), "f32"))
    y = b.emit1("mul", [x, b.emit1("sin", [x])])
    z = b.emit1("broadcast_in_dim", [b.emit1("reduce_max", [y], {"axes": (1,)})],
                {"shape": (3, 2), "broadcast_dimensions": (1,)})
    f = Func("h", b.ret(z, x), ["inp"])
    assert print_func(parse_func(print_func(f))) == print_func(f)


# ---- errors --------------------------------------------------------------------------

def F(body, args="%x: f32[3]", results="f32[3]"):
    return f"func @f({args}) -> ({results}) {{\n{body}\n}}\n"


ERRORS = [
    ("", 1, 1, "expected 'func', got end of input"),
    ("fun @f", 1, 1, "expected 'func', got 'fun'"),
    ("func f", 1, 6, "expected a function name like @f, got 'f'"),
    ("func @f(%x f32[3])", 1, 12, "expected ':', got 'f32'"),
    ("func @f(%x: f32[3] %y: f32[3])", 1, 20, "expected ',' or ')', got '%y'"),
    ("func @f(%x: g32[3])", 1, 13, "unknown dtype 'g32'"),
    ("func @f(%x: f32[-1])", 1, 17, "dimension -1 out of range"),
    ("func @f(%x: f32[3], %x: f32[3])", 1, 21, "value %x is already defined (at 1:9)"),
    ("func @f() -> () {\n  return\n}\njunk", 4, 1, "expected end of input, got 'junk'"),
    ("func @f() -> () {\n  return", 2, 9, "expected '}' closing the function, got end of input"),
    ("func @f() -> () {\n", 2, 1, "expected an op or 'return', got end of input"),
    ("func @f() -> () {\n  return # \n}", 2, 10, "unexpected character '#'"),
    ("func @f() -> () {\n  %<undefined> = neg\n}", 2, 4, "expected a value name like %x or %0"),
    ('func @f() -> () {\n  call {callee = "abc\n}', 2, 18, "unterminated string"),
    (F("  %0 = sine %x : f32[3]\n  return %0"), 2, 8, "unknown primitive 'sine' (did you mean 'sin'?)"),
    (F("  %0 = neg %y : f32[3]\n  return %0"), 2, 12, "use of undefined value %y"),
    (F("  %0 = neg %0 : f32[3]\n  return %0"), 2, 12, "use of undefined value %0"),
    (F("  %0 = neg %x : f32[3]\n  %0 = neg %x : f32[3]\n  return %0"), 3, 3, "value %0 is already defined (at 2:3)"),
    (F("  %0 = neg %x : f64[3]\n  return %0"), 2, 17, "result type f64[3] does not match neg's type rule, "
                                                  "which gives f32[3]"),
    (F("  %0 = neg %x : ~f32[3]\n  return %0"), 2, 17, "which gives f32[3]"),
    (F("  %0 = add %x : f32[3]\n  return %0"), 2, 8, "add: missing a required argument: 'y'"),
    (F("  %0 = neg %x, %x : f32[3]\n  return %0"), 2, 8, "neg: too many positional arguments"),
    (F("  %0 = neg %x {axes = [0]} : f32[3]\n  return %0"), 2, 8, "unexpected keyword argument 'axes'"),
    (F("  %0 = reduce_sum %x {axes = [1]} : f32[]\n  return %0"), 2, 8, "axes [1] invalid for rank 1"),
    (F("  %0 = reduce_sum %x {axes = [0], axes = [0]} : f32[]\n  return %0"), 2, 35,
     "attribute 'axes' is given twice"),
    (F("  %0 = reduce_sum %x {axes = [0} : f32[]\n  return %0"), 2, 32, "expected ',' or ']', got '}'"),
    (F("  %0 = reduce_sum %x {axes = foo} : f32[]\n  return %0"), 2, 30, "expected an attribute value"),
    (F("  %0 = neg %x f32[3]\n  return %0"), 2, 15, "expected ':' and the result types, got 'f32'"),
    (F("  %0 = neg %x :\n  return %0"), 3, 3, "unknown dtype 'return'"),
    (F("  %0 = neg %x : f32[3], f32[3]\n  return %0"), 2, 15, "1 results are named but 2 result types are given"),
    (F("  %0, %1 = sort %x {dimension = 0} : f32[3]\n  return %0"), 2, 36,
     "2 results are named but 1 result types are given"),
    (F("  %0 = sort %x, %x {dimension = 0} : f32[3]\n  return %0"), 2, 36,
     "sort has 2 results (f32[3], f32[3]) but 1 result types are given"),
    (F("  %0 = neg %x : f32[3] {\n    ^() {\n      return\n    }\n  }\n  return %0"), 2, 24,
     "neg takes no regions"),
    (F("  return %x", results="f64[3]"), 2, 3, "@f returns (f32[3]) but its signature declares (f64[3])"),
    (F("  return", results="f32[3]"), 2, 3, "@f returns () but its signature declares (f32[3])"),
    (F('  %0 = call %x {callee = "g"} : f32[3] {\n    ^(%1: f32[3]) {\n      return %x\n    }\n  }\n  return %0'),
     4, 14, "%x is defined outside this region; regions are closed"),
    (F('  %0 = call %x {callee = "g"} : f32[3] {\n    ^(%1: f32[3]) {\n      return %1\n    }\n  }\n'
       '  return %1'), 7, 10, "%1 is defined inside another op's region and is not visible here"),
    (F('  %0 = call %x {callee = "g"} : f32[3] {\n    ^(%0: f32[3]) {\n      return %0\n    }\n  }\n  return %0'),
     3, 7, "value %0 is already defined (at 2:3)"),
    (F('  %0 = call %x {callee = "g"} : f32[3] {\n    ^(%1: i32[3]) {\n      return %1\n    }\n  }\n  return %0'),
     2, 8, "call @g: operand types (f32[3]) do not match the callee's arguments (i32[3])"),
    (F('  %0 = call %x {callee = "g"} : f32[3] {\n  }\n  return %0'), 3, 3, "expected '^' starting a region"),
    (F("  %0 = constant {value = dense<[1.0, 2.0] : f32[3]>} : f32[3]\n  return %0"), 2, 32,
     "expected 3 elements along dimension 0, got 2"),
    (F("  %0 = constant {value = dense<[[1.0], [2.0]] : f32[2]>} : f32[2]\n  return %0", results="f32[2]"), 2, 33,
     "expected an element, got a list"),
    (F("  %0 = constant {value = dense<[1.0, 2.0] : f32[2,1]>} : f32[2,1]\n  return %0", results="f32[2,1]"),
     2, 33, "expected a list of 1 elements for dimension 1, got a single element"),
    (F("  %0 = constant {value = dense<[1, 300] : u8[2]>} : u8[2]\n  return %0", results="u8[2]"), 2, 36,
     "300 is out of range for u8"),
    (F("  %0 = constant {value = dense<1e39 : f32[]>} : f32[]\n  return %0", results="f32[]"), 2, 32,
     "1e39 is out of range for f32"),
    (F("  %0 = constant {value = dense<1.5 : i32[]>} : i32[]\n  return %0", results="i32[]"), 2, 32,
     "expected an integer (i32 element), got 1.5"),
    (F("  %0 = constant {value = dense<1 : bool[]>} : bool[]\n  return %0", results="bool[]"), 2, 32,
     "expected true or false (bool element), got 1"),
    (F("  %0 = constant {value = dense<1.0 : ~f32[]>} : f32[]\n  return %0", results="f32[]"), 2, 38,
     "a dense constant's type is never weak"),
    (F("  %0 = constant {value = dense<0.0 : f32[100000,100000]>} : f32[100000,100000]\n  return %0"), 2, 38,
     "larger than 1024 MiB"),
    (F("  %0 = constant {value = 3} : f32[]\n  return %0"), 2, 8,
     "constant: invalid operands, attributes or regions (AttributeError"),
    ("func @f() -> () {\n  return\n}\nfunc @f() -> () {\n  return\n}\n", 4, 6, "function @f is defined twice"),
    ("func @f(%x: f32[3]{V:(i,}) -> () {\n  return\n}\n", 1, 25, "expected a mesh axis name"),
    ("func @f(%x: f32[3]{V:(i,i)}) -> () {\n  return\n}\n", 1, 19, "varying axes ['i', 'i'] name an axis twice"),
    ("func @f(%x: f32[3]{V:i) -> () {\n  return\n}\n", 1, 23, "expected '}' closing the varying axes"),
]


@pytest.mark.parametrize("text, line, col, fragment", ERRORS)
def test_errors(text, line, col, fragment):
    parse = parse_module if "defined twice" in fragment else parse_func
    with pytest.raises(ParseError) as e:
        parse(text)
    assert fragment in e.value.msg
    assert (e.value.line, e.value.col) == (line, col), str(e.value)
    assert str(e.value) == f"{line}:{col}: {e.value.msg}"


def test_hostile_inputs_fail_fast_with_parse_errors():
    deep_list = F("  %0 = reduce_sum %x {axes = " + "[" * 100000 + "} : f32[]\n  return %0")
    deep_dense = "dense<" + "[" * 5000
    deep_regions = nested_calls(MAX_NESTING + 5)
    huge_int = F("  %0 = reduce_sum %x {axes = [" + "9" * 100000 + "]} : f32[]\n  return %0")
    for text, parse, fragment in [(deep_list, parse_func, "nesting deeper than"),
                                  (deep_dense, parse_attr, "nesting deeper than"),
                                  (deep_regions, parse_func, "nesting deeper than"),
                                  (huge_int, parse_func, "integer literal has too many digits"),
                                  (b"func", parse_func, "expected IR text as a str"),
                                  ("f32[99999999999999999999]", parse_type, "dimension"),
                                  ("\x00", parse_func, "unexpected character '\\x00'")]:
        with pytest.raises(ParseError) as e:
            parse(text)
        assert fragment in e.value.msg and "internal" not in e.value.msg


def nested_calls(depth):
    """A function whose body nests `depth` call regions."""
    lines = [f'{"  " * i}%r{i} = call %a{i} {{callee = "g"}} : f32[] {{\n{"  " * i}^(%a{i + 1}: f32[]) {{'
             for i in range(depth)]
    lines.append("  " * depth + f"return %a{depth}")
    lines += [f"{'  ' * i}}}\n{'  ' * i}}}\n{'  ' * i}return %r{i}" for i in reversed(range(1, depth))]
    lines.append("}\n}\nreturn %r0")
    return "func @deep(%a0: f32[]) -> (f32[]) {\n" + "\n".join(lines) + "\n}"


def test_regions_nest_up_to_the_limit():
    f = parse_func(nested_calls(MAX_NESTING))
    verify(f)
    assert parse_func(print_func(f)) is not None
