"""Unit tests of the IR passes (dce, cse, canonicalize, inline) and the pass manager."""
import io

import ml_dtypes
import numpy as np
import pytest

from lintra.ir.builder import Builder
from lintra.ir.core import Block, Func
from lintra.ir.passes import PASSES, canonicalize, cse, dce, inline, run_passes
from lintra.ir.types import TensorType
from lintra.runtime.executable import Executable, device_put

T = TensorType.of
F32 = T((3,), "f32")


def prims(func):
    return [op.prim for op in func.body.ops]


def run(func, *args):
    exe = Executable(func)
    return [np.asarray(r) for r in exe([device_put(np.asarray(a)) for a in args])]


def assert_same_bits(a, b):
    """Equal values, NaN where NaN, and the same sign of zero (a NaN's sign means nothing)."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)
    if a.dtype.kind in "fc" or a.dtype == ml_dtypes.bfloat16:
        for x, y in ((np.real(a), np.real(b)), (np.imag(a), np.imag(b))):
            x, y = x.astype(np.float64), y.astype(np.float64)
            np.testing.assert_array_equal(np.signbit(x) & ~np.isnan(x), np.signbit(y) & ~np.isnan(y))


def bcast(b, x, shape):
    return b.emit1("broadcast_in_dim", [x], {"shape": shape, "broadcast_dimensions": ()})


def call(b, callee_block, operands, name="g"):
    return b.emit("call", operands, {"callee": name}, [callee_block])


def callee(*arg_types, body):
    cb = Builder()
    args = [cb.arg(t) for t in arg_types]
    return cb.ret(*body(cb, *args))


# ---- dce ---------------------------------------------------------------------------------------------

def test_dce_removes_unused_chains_and_keeps_used_ops():
    b = Builder()
    x = b.arg(F32)
    dead = b.emit1("exp", [b.emit1("sin", [x])])
    b.emit1("mul", [dead, x])
    live = b.emit1("cos", [x])
    f = dce(Func("f", b.ret(live)))
    assert prims(f) == ["cos"]
    assert f.results == [live]


def test_dce_recurses_into_regions():
    body = callee(F32, body=lambda cb, a: (cb.emit1("sin", [cb.emit1("exp", [a])]) and cb.emit1("cos", [a]),))
    assert [op.prim for op in body.ops] == ["exp", "sin", "cos"]
    b = Builder()
    x = b.arg(F32)
    out, = call(b, body, [x])
    dce(Func("f", b.ret(out)))
    assert [op.prim for op in body.ops] == ["cos"]


def test_dce_removes_a_call_whose_results_are_unused():
    body = callee(F32, body=lambda cb, a: (cb.emit1("sin", [a]),))
    b = Builder()
    x = b.arg(F32)
    call(b, body, [x])
    assert prims(dce(Func("f", b.ret(x)))) == []


# ---- cse ---------------------------------------------------------------------------------------------

def test_cse_merges_equal_ops_and_rewires_their_users():
    b = Builder()
    x, y = b.arg(F32), b.arg(F32)
    s1, s2 = b.emit1("add", [x, y]), b.emit1("add", [x, y])
    swapped = b.emit1("add", [y, x])   # operand order matters: no algebra in CSE
    m = b.emit1("mul", [s1, s2])
    f = cse(Func("f", b.ret(m, s2, swapped)))
    assert prims(f) == ["add", "add", "mul"]
    assert f.body.ops[2].operands == [s1, s1]
    assert f.results[1] is s1 and f.results[2] is swapped


def test_cse_merges_constants_only_when_value_dtype_and_weak_flag_agree():
    b = Builder()
    outs = [b.constant(np.float32(1)), b.constant(np.float32(1)), b.constant(np.float32(1), weak=True),
            b.constant(np.float64(1)), b.constant(np.float32(-0.0)), b.constant(np.float32(0.0)),
            b.constant(np.float32(np.nan)), b.constant(np.float32(np.nan)),
            b.constant(np.array([1, 2], np.int32)), b.constant(np.array([1, 3], np.int32))]
    f = cse(Func("f", b.ret(*outs)))
    assert len(f.body.ops) == 8
    r = f.results
    assert r[0] is r[1] and r[6] is r[7]
    assert len({id(v) for v in r}) == 8


def test_cse_distinguishes_attributes():
    b = Builder()
    x = b.arg(T((2, 3), "f32"))
    s0 = b.emit1("reduce_sum", [x], {"axes": (0,)})
    s1 = b.emit1("reduce_sum", [x], {"axes": (1,)})
    s1b = b.emit1("reduce_sum", [x], {"axes": [1]})   # a list and a tuple are the same attribute
    f = cse(Func("f", b.ret(s0, s1, s1b)))
    assert len(f.body.ops) == 2 and f.results[2] is s1


def test_cse_merges_calls_with_structurally_equal_regions_and_works_inside_regions():
    def body(cb, a):
        return (cb.emit1("add", [cb.emit1("sin", [a]), cb.emit1("sin", [a])]),)
    r1, r2 = callee(F32, body=body), callee(F32, body=body)
    r3 = callee(F32, body=lambda cb, a: (cb.emit1("cos", [a]),))
    b = Builder()
    x = b.arg(F32)
    (c1,), (c2,), (c3,) = call(b, r1, [x]), call(b, r2, [x]), call(b, r3, [x])
    f = cse(Func("f", b.ret(c1, c2, c3)))
    assert prims(f) == ["call", "call"]
    assert f.results[1] is c1 and f.results[2] is c3
    assert [op.prim for op in r1.ops] == ["sin", "add"]


# ---- inline ------------------------------------------------------------------------------------------

def _nested_calls():
    inner = callee(F32, F32, body=lambda cb, a, c: (cb.emit1("mul", [a, c]), a))
    def middle_body(cb, a):
        p, q = cb.emit("call", [a, a], {"callee": "inner"}, [inner])
        return (cb.emit1("add", [p, q]),)
    middle = callee(F32, body=middle_body)
    b = Builder()
    x = b.arg(F32)
    out, = call(b, middle, [x], "middle")
    out2, = call(b, middle, [out], "middle")
    return Func("f", b.ret(b.emit1("sin", [out2])), ["x"]), inner, middle


def test_inline_nested_calls_and_leaves_the_callee_untouched():
    f, inner, middle = _nested_calls()
    inner_ops, middle_ops = list(inner.ops), list(middle.ops)
    x = np.array([0.5, -1.0, 2.0], np.float32)
    before, = run(f, x)
    f = inline(f)
    assert prims(f) == ["mul", "add", "mul", "add", "sin"]
    assert all(not op.regions for op in f.body.ops)
    assert inner.ops == inner_ops and middle.ops == middle_ops     # jit shares callee bodies: copy, not move
    assert not {id(op) for op in f.body.ops} & {id(op) for op in inner.ops + middle.ops}
    after, = run(f, x)
    expected = np.sin((x * x + x) * (x * x + x) + (x * x + x))
    np.testing.assert_allclose(after, expected, rtol=1e-6)
    assert_same_bits(before, after)


def test_inline_keeps_types_when_an_operand_differs_from_the_argument_in_weak_type_only():
    body = callee(T((), "f32", weak=True), body=lambda cb, a: (cb.emit1("add", [a, a]),))
    b = Builder()
    x = b.arg(T((), "f32"))
    out, = call(b, body, [x])
    f = inline(Func("f", b.ret(out)))
    assert prims(f) == ["convert_element_type", "add"]
    assert f.results[0].type == T((), "f32", weak=True)
    assert_same_bits(run(f, np.float32(1.5))[0], np.float32(3.0))


# ---- canonicalize: constant folding -------------------------------------------------------------------

def _op_on_constants(prim, attrs, *values, weak=False):
    b = Builder()
    consts = [b.constant(np.asarray(v), weak=weak) for v in values]
    return Func("f", b.ret(b.emit1(prim, consts, attrs)))


i32, i8, u8, f32, f64 = np.int32, np.int8, np.uint8, np.float32, np.float64
IMIN, IMAX = np.iinfo(np.int32).min, np.iinfo(np.int32).max
SPECIAL = np.array([0.0, -0.0, 1.5, -2.5, np.inf, -np.inf, np.nan, 3e38], np.float32)
SPECIAL2 = np.array([-0.0, 0.0, -0.5, 4.0, np.inf, 1.0, 2.0, 3e38], np.float32)

FOLDS = [
    ("add", {}, [np.array([IMAX, -5, 7], i32), np.array([1, 3, -9], i32)]),
    ("sub", {}, [np.array([IMIN, 5], i32), np.array([1, 9], i32)]),
    ("mul", {}, [np.array([100, -128, 7], i8), np.array([3, -1, 5], i8)]),
    ("div", {}, [np.array([-7, 7, -7, 7, 0], i32), np.array([2, -2, -2, 2, 5], i32)]),
    ("rem", {}, [np.array([-7, 7, -7, 7], i32), np.array([2, -2, -2, 2], i32)]),
    ("div", {}, [np.array([250, 7], u8), np.array([3, 200], u8)]),
    ("add", {}, [SPECIAL, SPECIAL2]),
    ("mul", {}, [SPECIAL, SPECIAL2]),
    ("div", {}, [SPECIAL, SPECIAL2]),
    ("rem", {}, [SPECIAL, SPECIAL2]),
    ("sub", {}, [np.array([0.1, 1e300], f64), np.array([0.2, -1e300], f64)]),
    ("add", {}, [np.array([1 + 2j, -0.0 - 1j], np.complex64), np.array([0.5 - 1j, 0.0 + 1j], np.complex64)]),
    ("max", {}, [SPECIAL[2:], SPECIAL2[2:]]),
    ("min", {}, [np.array([1, -3], i32), np.array([-1, 4], i32)]),
    ("eq", {}, [SPECIAL, SPECIAL2]),
    ("lt", {}, [SPECIAL, SPECIAL2]),
    ("ge", {}, [np.array([1, 200], u8), np.array([2, 100], u8)]),
    ("neg", {}, [np.array([IMIN, 3, 0], i32)]),
    ("neg", {}, [SPECIAL]),
    ("neg", {}, [np.array([1.5, -0.0], ml_dtypes.bfloat16)]),
    ("abs", {}, [np.array([-128, 5], i8)]),
    ("abs", {}, [SPECIAL]),
    ("not", {}, [np.array([True, False])]),
    ("not", {}, [np.array([0, 5], u8)]),
    ("xor", {}, [np.array([12, -1], np.int16), np.array([10, 3], np.int16)]),
    ("select_n", {}, [np.array([True, False]), np.array([1.0, 2.0], f32), np.array([3.0, 4.0], f32)]),
    ("select_n", {}, [np.array([-1, 0, 1, 2, 7], i32)] + [np.full(5, k, f32) for k in range(3)]),
    ("convert_element_type", {"new_dtype": np.dtype(i32)}, [np.array([-2.7, 2.7, -0.5, 2e9], f32)]),
    ("convert_element_type", {"new_dtype": np.dtype(f32)}, [np.array([16777217, -3], i32)]),
    ("convert_element_type", {"new_dtype": np.dtype(f32)}, [np.array([0.1, 1e300, -1e-300 * 0], f64)]),
    ("convert_element_type", {"new_dtype": np.dtype(np.bool_)}, [np.array([np.nan, 0.0, -0.0, 2.0], f32)]),
    ("convert_element_type", {"new_dtype": np.dtype(np.bool_)}, [np.array([0.0 + 1j, 2.0 + 0j], np.complex64)]),
    ("convert_element_type", {"new_dtype": np.dtype(f32)}, [np.array([1.5 - 2j], np.complex64)]),
    ("convert_element_type", {"new_dtype": np.dtype(u8)}, [np.array([300, -1, 7], i32)]),
    ("convert_element_type", {"new_dtype": np.dtype(f32), "weak_type": True}, [np.array([True, False])]),
    ("broadcast_in_dim", {"shape": (2, 3), "broadcast_dimensions": (1,)}, [np.array([1, 2, 3], i32)]),
    ("broadcast_in_dim", {"shape": (4, 2), "broadcast_dimensions": ()}, [np.float32(-0.0)]),
    ("reshape", {"new_sizes": (3, 2)}, [np.arange(6, dtype=f32).reshape(2, 3)]),
    ("transpose", {"permutation": (2, 0, 1)}, [np.arange(24, dtype=i32).reshape(2, 3, 4)]),
    ("squeeze", {"dimensions": (0,)}, [np.arange(3, dtype=f32).reshape(1, 3)]),
    ("expand_dims", {"dimensions": (1,)}, [np.arange(3, dtype=f32)]),
    ("rev", {"dimensions": (0,)}, [np.arange(6, dtype=f32).reshape(3, 2)]),
    ("slice", {"start_indices": (1,), "limit_indices": (8,), "strides": (3,)}, [np.arange(9, dtype=i32)]),
    ("concatenate", {"dimension": 0}, [np.arange(2, dtype=f32), np.arange(3, dtype=f32)]),
]


@pytest.mark.parametrize("prim,attrs,values", FOLDS, ids=[f"{p}-{np.asarray(v[0]).dtype}" for p, _, v in FOLDS])
def test_folding_gives_exactly_what_xla_computes(prim, attrs, values):
    expected, = run(_op_on_constants(prim, attrs, *values))
    f = _op_on_constants(prim, attrs, *values)
    result_type = f.results[0].type
    f = canonicalize(f)
    assert prims(f) == ["constant"], f"{prim} was not folded:\n{f}"
    assert f.results[0].type == result_type
    assert_same_bits(f.body.ops[0].attrs["value"], expected)
    assert_same_bits(run(f)[0], expected)


def test_folding_keeps_the_weak_flag():
    f = canonicalize(_op_on_constants("add", {}, np.float32(1), np.float32(2), weak=True))
    assert prims(f) == ["constant"] and f.results[0].type == T((), "f32", weak=True)
    assert f.body.ops[0].attrs == {"value": np.float32(3), "weak": True}


NOT_FOLDED = [
    ("div", {}, [np.array([1, 2], i32), np.array([0, 1], i32)]),        # XLA defines x / 0 itself
    ("rem", {}, [np.array([IMIN], i32), np.array([-1], i32)]),          # and MIN % -1
    ("add", {}, [np.array([0.1], np.float16), np.array([0.2], np.float16)]),   # excess precision
    ("mul", {}, [np.array([0.1], ml_dtypes.bfloat16), np.array([3], ml_dtypes.bfloat16)]),
    ("mul", {}, [np.array([1e-39], f32), np.array([2.0], f32)]),        # XLA on CPU flushes subnormals
    ("mul", {}, [np.array([1e-30], f32), np.array([1e-10], f32)]),      # ... made ones too
    ("eq", {}, [np.array([1e-39], f32), np.array([0.0], f32)]),
    ("mul", {}, [np.array([1 + 1j], np.complex64), np.array([2 - 1j], np.complex64)]),
    ("max", {}, [np.array([-0.0], f32), np.array([0.0], f32)]),
    ("convert_element_type", {"new_dtype": np.dtype(i32)}, [np.array([np.nan], f32)]),
    ("convert_element_type", {"new_dtype": np.dtype(i32)}, [np.array([2.2e9], f32)]),
    ("convert_element_type", {"new_dtype": np.dtype(np.int64)}, [np.array([2.0 ** 63], f64)]),
    ("convert_element_type", {"new_dtype": np.dtype(ml_dtypes.bfloat16)}, [np.array([0.1], f32)]),
    ("sin", {}, [np.array([1.0], f32)]),                                # transcendental: rounding differs
    ("broadcast_in_dim", {"shape": (2048,), "broadcast_dimensions": ()}, [np.float32(1)]),   # too big
]


@pytest.mark.parametrize("prim,attrs,values", NOT_FOLDED, ids=[p for p, _, _ in NOT_FOLDED])
def test_folds_that_would_not_match_xla_are_not_made(prim, attrs, values):
    f = canonicalize(_op_on_constants(prim, attrs, *values))
    assert prims(f)[-1] == prim


# ---- canonicalize: algebraic rules -------------------------------------------------------------------

def _rule_case(build, arg_types):
    b = Builder()
    args = [b.arg(t) for t in arg_types]
    return Func("f", b.ret(*build(b, *args)))


def _check_rule(build, arg_types, expected_prims, inputs):
    before = run(_rule_case(build, arg_types), *inputs)
    f = canonicalize(_rule_case(build, arg_types))
    assert prims(f) == expected_prims, str(f)
    for x, y in zip(before, run(f, *inputs)):
        assert_same_bits(x, y)
    return f


X = np.array([-0.0, 1.5, np.nan], np.float32)


def test_add_of_negative_zero_and_sub_of_zero_are_removed():
    def build(b, x):
        y = b.emit1("add", [b.constant(np.full(3, -0.0, np.float32)), x])
        return (b.emit1("sub", [y, bcast(b, b.constant(np.float32(0)), (3,))]),)
    f = _check_rule(build, [F32], [], [X])
    assert f.results == f.args


def test_float_add_of_positive_zero_is_kept_since_it_turns_negative_zero_positive():
    _check_rule(lambda b, x: (b.emit1("add", [x, b.constant(np.zeros(3, np.float32))]),), [F32],
                ["constant", "add"], [X])


def test_integer_add_zero_mul_one_div_one():
    def build(b, x):
        zero, one = bcast(b, b.constant(np.int32(0)), (3,)), bcast(b, b.constant(np.int32(1)), (3,))
        return (b.emit1("div", [b.emit1("mul", [one, b.emit1("add", [x, zero])]), one]),)
    _check_rule(build, [T((3,), "i32")], [], [np.array([IMIN, -1, 7], np.int32)])


def test_float_mul_one_and_div_one_are_removed_even_for_large_shapes():
    shape = (40, 40)   # too large to fold the broadcast: the rule looks through it
    def build(b, x):
        one = bcast(b, b.constant(np.float32(1)), shape)
        return (b.emit1("div", [b.emit1("mul", [x, one]), one]),)
    x = np.full(shape, np.nan, np.float32)
    x[0, :3] = X
    _check_rule(build, [T(shape, "f32")], [], [x])


def test_complex_mul_one_is_kept():
    _check_rule(lambda b, x: (b.emit1("mul", [x, b.constant(np.ones(1, np.complex64))]),),
                [T((1,), "c64")], ["constant", "mul"], [np.array([np.inf + 0j], np.complex64)])


def test_identity_rewrites_that_would_change_the_weak_flag_are_not_made():
    # a strong x plus a weak zero is strong: fine; a weak x plus a strong zero is strong: not x's type
    def build(b, x):
        return (b.emit1("add", [x, b.constant(np.int32(0))]),)
    f = canonicalize(_rule_case(build, [T((), "i32", weak=True)]))
    assert prims(f) == ["constant", "add"]
    f = canonicalize(_rule_case(lambda b, x: (b.emit1("add", [x, b.constant(np.int32(0), weak=True)]),),
                                [T((), "i32")]))
    assert prims(f) == []


def test_neg_neg_and_copy():
    _check_rule(lambda b, x: (b.emit1("copy", [b.emit1("neg", [b.emit1("neg", [x])])]),), [F32], [], [X])


def test_convert_to_the_same_type_is_removed_but_a_weak_type_change_is_kept():
    def build(b, x):
        same = b.emit1("convert_element_type", [x], {"new_dtype": np.dtype(np.float32), "weak_type": False})
        weak = b.emit1("convert_element_type", [x], {"new_dtype": np.dtype(np.float32), "weak_type": True})
        return same, weak
    f = _check_rule(build, [F32], ["convert_element_type"], [X])
    assert f.results[0] is f.args[0] and f.results[1].type.weak


def test_identity_reshape_transpose_broadcast():
    def build(b, x):
        y = b.emit1("reshape", [x], {"new_sizes": (2, 3)})
        y = b.emit1("transpose", [y], {"permutation": (0, 1)})
        return (b.emit1("broadcast_in_dim", [y], {"shape": (2, 3), "broadcast_dimensions": (0, 1)}),)
    _check_rule(build, [T((2, 3), "f32")], [], [np.arange(6, dtype=np.float32).reshape(2, 3)])


def test_reshape_of_reshape_becomes_one_reshape():
    def build(b, x):
        y = b.emit1("reshape", [x], {"new_sizes": (6,)})
        y = b.emit1("reshape", [y], {"new_sizes": (3, 2)})
        return (b.emit1("reshape", [y], {"new_sizes": (1, 6)}),)
    f = _check_rule(build, [T((2, 3), "f32")], ["reshape"], [np.arange(6, dtype=np.float32).reshape(2, 3)])
    assert f.body.ops[0].operands == f.args


def test_transpose_of_transpose_composes_and_cancels():
    def build(b, x):
        y = b.emit1("transpose", [x], {"permutation": (1, 2, 0)})
        z = b.emit1("transpose", [y], {"permutation": (1, 0, 2)})
        back = b.emit1("transpose", [y], {"permutation": (2, 0, 1)})
        return z, back
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    f = _check_rule(build, [T((2, 3, 4), "f32")], ["transpose"], [x])
    assert f.body.ops[0].attrs["permutation"] == (2, 1, 0) and f.results[1] is f.args[0]
    np.testing.assert_array_equal(run(f, x)[0], x.transpose(1, 2, 0).transpose(1, 0, 2))


def test_broadcast_of_broadcast_composes():
    def build(b, x):
        y = b.emit1("broadcast_in_dim", [x], {"shape": (3, 2), "broadcast_dimensions": (0,)})
        return (b.emit1("broadcast_in_dim", [y], {"shape": (4, 3, 2), "broadcast_dimensions": (1, 2)}),)
    f = _check_rule(build, [F32], ["broadcast_in_dim"], [np.array([1, 2, 3], np.float32)])
    assert f.body.ops[0].attrs["broadcast_dimensions"] == (1,)


def test_broadcast_of_a_scalar_constant_becomes_a_splat_constant():
    b = Builder()
    f = canonicalize(Func("f", b.ret(bcast(b, b.constant(np.float32(2), weak=True), (2, 3)))))
    assert str(f).splitlines()[1] == "  %0 = constant {value = dense<2.0 : f32[2,3]>, weak = true} : ~f32[2,3]"


def test_canonicalize_reaches_a_fixed_point_inside_regions():
    def body(cb, a):
        two = cb.emit1("add", [cb.constant(np.float32(1)), cb.constant(np.float32(1))])
        return (cb.emit1("mul", [cb.emit1("neg", [cb.emit1("neg", [a])]), bcast(cb, two, (3,))]),)
    region = callee(F32, body=body)
    b = Builder()
    x = b.arg(F32)
    out, = call(b, region, [x])
    canonicalize(Func("f", b.ret(out)))
    assert [op.prim for op in region.ops] == ["constant", "mul"]
    assert np.array_equal(region.ops[0].attrs["value"], np.full(3, 2, np.float32))


def test_canonicalize_does_not_change_a_mixed_program_numerically():
    def build(b, x, n):
        c = b.emit1("mul", [b.constant(np.arange(6, dtype=np.float32)), b.constant(np.float32(0.1) * np.ones(6, np.float32))])
        c = b.emit1("reshape", [b.emit1("reshape", [c], {"new_sizes": (6, 1)})], {"new_sizes": (2, 3)})
        y = b.emit1("add", [b.emit1("transpose", [b.emit1("transpose", [x], {"permutation": (1, 0)})],
                                                 {"permutation": (1, 0)}), c])
        k = b.emit1("convert_element_type", [b.emit1("div", [n, b.constant(np.int32(3))])],
                    {"new_dtype": np.dtype(np.float32), "weak_type": False})
        return b.emit1("mul", [y, bcast(b, k, (2, 3))]), b.emit1("sin", [y])
    x = np.array([[1, -2, 0.5], [np.inf, -0.0, 3]], np.float32)
    f = _check_rule(build, [T((2, 3), "f32"), T((), "i32")], ["constant", "add", "constant", "div",
                                                               "convert_element_type", "broadcast_in_dim",
                                                               "mul", "sin"], [x, np.int32(-7)])
    assert "constant" in prims(f)


# ---- pass manager ------------------------------------------------------------------------------------

def test_registry_and_run_passes_print_after_all():
    assert {"verify", "dce", "cse", "canonicalize", "inline"} <= set(PASSES)
    f, _, _ = _nested_calls()
    out = io.StringIO()
    f = run_passes(f, ["inline", "cse", "dce"], print_after_all=out)
    text = out.getvalue()
    assert [line for line in text.splitlines() if line.startswith("// -----")] == [
        f"// -----// IR Dump After {n} //----- //" for n in ("inline", "cse", "dce")]
    assert text.endswith(str(f))
    assert prims(f) == ["mul", "add", "mul", "add", "sin"]


def test_run_passes_rejects_unknown_names_before_running_anything():
    f, _, _ = _nested_calls()
    with pytest.raises(ValueError, match="unknown pass 'nope'; known passes: verify, dce"):
        run_passes(f, ["inline", "nope"])
    assert "call" in prims(f)


def test_run_passes_verifies_after_each_pass():
    from lintra.ir.verifier import VerificationError

    def breaks_types(func):
        func.body.ops[0].results[0].type = T((4,), "f32")
        return func
    PASSES["breaks_types"] = breaks_types
    try:
        def make():
            b = Builder()
            return Func("f", b.ret(b.emit1("sin", [b.arg(F32)])))
        with pytest.raises(VerificationError):
            run_passes(make(), ["breaks_types"])
        assert run_passes(make(), ["breaks_types"], verify=False).results[0].type == T((4,), "f32")
    finally:
        del PASSES["breaks_types"]
