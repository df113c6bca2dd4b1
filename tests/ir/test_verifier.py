"""The verifier accepts well-formed IR and names the op and the problem in ill-formed IR.

Each case here also has a text form in tests/lit/verify-diagnostics.lir, checked there with
`lintra-opt --split-input-file --verify-diagnostics`. Text never reaches ir/verifier.py ill-formed (the
parser checks the same rules as it reads, with line:col), so these cases stay to check the verifier itself
on IR built in Python, as passes build it; and a few exist only for built IR (non-Values, lazy regions,
module keys)."""
import numpy as np
import pytest

from lintra.ir.builder import Builder
from lintra.ir.core import Block, Func, LazyBlock, Module, Op, Value, is_built
from lintra.ir.parser import parse_func, parse_module
from lintra.ir.types import TensorType
from lintra.ir.verifier import VerificationError, verify

F3 = TensorType.of((3,), "f32")
F64 = TensorType.of((3,), "f64")
I3 = TensorType.of((3,), "i32")


def good():
    """f(x) = call(neg)(x * x) + x, with a sum."""
    b = Builder()
    x = b.arg(F3)
    sq = b.emit1("mul", [x, x])
    body = Builder()
    a = body.arg(F3)
    body.ret(body.emit1("neg", [a]))
    called = b.emit1("call", [sq], {"callee": "negate"}, [body.block])
    out = b.emit1("add", [called, x])
    return Func("f", b.ret(out, b.emit1("reduce_sum", [out], {"axes": (0,)})), ["x"])


def test_accepts_good_ir():
    f = good()
    verify(f)
    verify(Module({"f": f, "g": parse_func("func @g() -> () {\n  return\n}\n")}))
    verify(parse_module("func @h(%a: ~f32[]) -> (~f32[], ~f32[]) {\n  %0 = mul %a, %a : ~f32[]\n"
                        "  return %0, %a\n}\n"))


def check(f, *fragments):
    with pytest.raises(VerificationError) as e:
        verify(f)
    for frag in fragments:
        assert frag in str(e.value), str(e.value)


def test_wrong_result_type():
    f = good()
    mul = f.body.ops[0]
    mul.results[0].type = F64
    check(f, "in `%0 = mul %x, %x : f64[3]` (in @f)", "result types (f64[3]) differ from the type rule's (f32[3])")


def test_wrong_weak_flag():
    f = good()
    f.body.ops[0].results[0].type = F3._replace(weak=True)
    check(f, "result types (~f32[3]) differ from the type rule's (f32[3])")


def test_wrong_number_of_results():
    f = good()
    f.body.ops[0].results.append(Value(F3))
    check(f, "`%0, %1 = mul %x, %x : f32[3], f32[3]`", "differ from the type rule's (f32[3])")


def test_type_rule_rejects_operands():
    b = Builder()
    x, i = b.arg(F3), b.arg(I3)
    b.block.ops.append(Op("add", [x, i], [Value(F3)]))
    f = Func("f", b.ret(b.block.ops[0].results[0]), ["x", "i"])
    check(f, "in `%0 = add %x, %i : f32[3]`", "the type rule rejects it: TypeError: add: operands must have the same "
          "shape and dtype (operand types: f32[3], i32[3])")


def test_type_rule_rejects_attributes():
    f = good()
    f.body.ops[-1].attrs["axes"] = (1,)
    check(f, "reduce_sum", "axes [1] invalid for rank 1")
    del f.body.ops[-1].attrs["axes"]
    check(f, "missing 1 required positional argument: 'axes'")


def test_unknown_primitive():
    f = good()
    f.body.ops[0].prim = "multiply"
    check(f, "`%0 = multiply %x, %x : f32[3]`", "unknown primitive 'multiply'")


def test_regions_only_on_region_primitives():
    f = good()
    f.body.ops[0].regions.append(Block())
    check(f, "`%0 = mul %x, %x : f32[3]`", "mul takes no regions, but has 1")


def test_use_before_definition():
    f = good()
    f.body.ops[0], f.body.ops[1] = f.body.ops[1], f.body.ops[0]
    check(f, "`%0 = call %3 {callee = \"negate\"} : f32[3]`", "operand 0 (%3) is used before it is defined")


def test_use_of_own_result():
    f = good()
    mul = f.body.ops[0]
    mul.operands[1] = mul.results[0]
    check(f, "`%0 = mul %x, %0 : f32[3]`", "operand 1 (%0) is used before it is defined")


def test_undefined_value():
    f = good()
    f.body.ops[0].operands[0] = Value(F3)
    check(f, "`%0 = mul %<undefined>, %x : f32[3]`", "operand 0 (f32[3]) is not defined anywhere in @f")


def test_region_capturing_an_outer_value():
    f = good()
    region = f.body.ops[1].regions[0]
    region.ops[0].operands[0] = f.args[0]
    check(f, "`%3 = neg %x : f32[3]`", "operand 0 (%x) is defined outside this region; regions are closed")


def test_region_returning_an_outer_value():
    f = good()
    f.body.ops[1].regions[0].results[0] = f.body.ops[0].results[0]
    check(f, "in `%1 = call %0 {callee = \"negate\"} : f32[3]`", "returned value 0 (%0) is defined outside this region")


def test_value_from_inside_a_region_used_outside():
    f = good()
    inner = f.body.ops[1].regions[0].ops[0].results[0]
    f.body.ops[2].operands[1] = inner
    check(f, "`%4 = add %1, %3 : f32[3]`", "operand 1 (%3) is defined inside another op's region")


def test_value_defined_twice():
    f = good()
    f.body.ops[2].results[0] = f.body.ops[0].results[0]
    check(f, "add %1, %x", "a result (%0: f32[3]) is already defined elsewhere; SSA values are defined once")


def test_argument_defined_twice():
    b = Builder()
    x = b.arg(F3)
    b.block.args.append(x)
    check(Func("f", b.ret(x)), "@f: an argument", "is already defined elsewhere")


def test_function_result_undefined():
    f = good()
    f.body.results[1] = Value(F3)
    check(f, "@f: returned value 1 (f32[3]) is not defined anywhere in @f")


def test_not_a_value():
    f = good()
    f.body.ops[0].operands[0] = np.float32(1.0)
    check(f, "`%0 = mul", "operand 0 is np.float32(1.0), not a Value")
    f = good()
    f.body.ops[0].results[0] = "x"
    check(f, "a result is 'x', not a Value with a TensorType")


def test_call_region_signature_checked():
    f = good()
    b = Builder()
    i = b.arg(I3)
    f.body.ops[1].regions[0] = b.ret(b.emit1("neg", [i]))
    check(f, "`%1 = call %0 {callee = \"negate\"} : f32[3]`", "operand types (f32[3]) do not match the callee's "
          "arguments (i32[3])")


def test_module_names_match():
    check(Module({"g": good()}), "module entry 'g' is not a function named @g")


def test_rejects_non_ir():
    with pytest.raises(TypeError, match="verify expects a Func or Module, got str"):
        verify("func @f")


def lazy_custom_jvp():
    b = Builder()
    x = b.arg(F3)
    fun = Builder()
    fun.ret(fun.emit1("sin", [fun.arg(F3)]))
    lazy = LazyBlock(lambda: pytest.fail("the JVP rule region was traced"))
    b.ret(b.emit1("custom_jvp_call", [x], {"num_args": 1}, [fun.block, lazy]))
    return Func("f", b.block, ["x"]), lazy


def test_untraced_lazy_regions_stay_untraced():
    f, lazy = lazy_custom_jvp()
    verify(f)
    assert not is_built(lazy)
    f.body.ops[0].regions[0].ops[0].results[0].type = F64   # the traced region is still checked
    check(f, "`%2 = sin %1 : f64[3]`", "differ from the type rule's (f32[3])")
