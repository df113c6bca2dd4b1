"""Sharded types (sharding-in-types) in the IR alone: their text form, TensorType's fields, and the sharding
rules (ir/sharding_rules.py), with JAX 0.10.2's results and messages (recorded by running JAX on the same
shapes and shardings; JAX writes float32 where the IR writes f32)."""
import numpy as np
import pytest

from lintra.ir.parser import ParseError, parse_func, parse_type
from lintra.ir.primitives import infer_types
from lintra.ir.sharding_rules import ShardingTypeError
from lintra.ir.types import TensorType


@pytest.mark.parametrize("text", ["f32[8@data,4]", "f32[8@data,4@model]", "f32[8@(data,model),4]", "~f32[8,4@y]",
                                  "i32[32@data]", "f32[8,4]", "f32[]"])
def test_types_roundtrip(text):
    assert str(parse_type(text)) == text


def test_sharding_field():
    t = parse_type("f32[8@(data,model),4]")
    assert t.sharding == (("data", "model"), ()) and t.shape == (8, 4) and t.dtype == np.float32
    assert t.sharding.spec == (("data", "model"), None)          # as a PartitionSpec's entries
    assert parse_type("f32[8,4]").sharding is None
    # TensorType.of takes PartitionSpec-like entries; naming nothing is unsharded
    assert TensorType.of((8, 4), "f32", sharding=("data",)).sharding == (("data",), ())
    assert TensorType.of((8, 4), "f32", sharding=(None, None)).sharding is None
    assert TensorType.of((8, 4), "f32") == TensorType((8, 4), np.dtype(np.float32), False)
    # a new shape drops the sharding (it described the old dimensions); dtype and weak changes keep it
    t = parse_type("f32[8@data,4]")
    assert t.update(shape=(32,)).sharding is None and t.update(dtype=np.int32).sharding == t.sharding
    assert str(t.update(weak=True)) == "~f32[8@data,4]" and t.unsharded() == parse_type("f32[8,4]")
    with pytest.raises(TypeError, match="names a mesh axis more than once"):
        TensorType.of((8, 4), "f32", sharding=("x", "x"))


@pytest.mark.parametrize("text, message", [
    ("f32[8@data,4@data]", "names a mesh axis twice"),
    ("f32[8@(),4]", "expected at least one mesh axis name"),
    ("f32[8@1x,4]", "expected a mesh axis name after '@'"),
    ("f32[8@(a b),4]", "expected ',' or ')'"),
])
def test_bad_sharded_types_are_parse_errors(text, message):
    with pytest.raises(ParseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_type(text)


def test_parser_checks_result_shardings_against_the_rules():
    text = """func @f(%x: f32[8@data,4], %w: f32[4,2@model]) -> (f32[8@data,2@model]) {
      %0 = dot_general %x, %w {lhs_contracting = [1], rhs_contracting = [0]} : f32[8@data,2@model]
      return %0
    }"""
    assert "dot_general %x, %w {lhs_contracting = [1], rhs_contracting = [0]} : f32[8@data,2@model]" in \
        str(parse_func(text))
    with pytest.raises(ParseError, match=r"result type f32\[8,2\] does not match dot_general's type rule, which "
                                         r"gives f32\[8@data,2@model\]"):
        parse_func(text.replace(": f32[8@data,2@model]\n", ": f32[8,2]\n"))


def one(prim, *types, **attrs):
    out, = infer_types(prim, [parse_type(t) for t in types], attrs)
    return str(out)


def test_rules_give_jax_results():
    dot = dict(lhs_contracting=(1,), rhs_contracting=(0,))
    assert one("add", "f32[8@data,4]", "f32[8,4]") == "f32[8@data,4]"
    assert one("add", "f32[8@data,4]", "f32[8@data,4@model]") == "f32[8@data,4@model]"
    assert one("sin", "f32[8@data,4]") == "f32[8@data,4]"
    assert one("reduce_sum", "f32[8@data,4]", axes=(0,)) == "f32[4]"
    assert one("reduce_max", "f32[8@data,4]", axes=(1,)) == "f32[8@data]"
    assert one("argmax", "f32[8@data,4]", axes=(1,), index_dtype=np.int32) == "i32[8@data]"
    assert one("transpose", "f32[8@data,4]", permutation=(1, 0)) == "f32[4,8@data]"
    assert one("reshape", "f32[8@data,4@model]", new_sizes=(8, 2, 2)) == "f32[8@data,2@model,2]"
    assert one("reshape", "f32[8@data,4]", new_sizes=(32,)) == "f32[32@data]"
    assert one("reshape", "f32[8@data,4]", new_sizes=(8, 4, 1)) == "f32[8@data,4,1]"
    assert one("reshape", "f32[8@data,4]", new_sizes=(4, 2, 4)) == "f32[4@data,2,4]"
    assert one("broadcast_in_dim", "f32[8@data]", shape=(8, 4), broadcast_dimensions=(0,)) == "f32[8@data,4]"
    assert one("dot_general", "f32[8@data,4]", "f32[4,2@model]", **dot) == "f32[8@data,2@model]"
    assert one("dot_general", "f32[3@x,8,4]", "f32[3@x,4,2]", lhs_contracting=(2,), rhs_contracting=(1,),
               lhs_batch=(0,), rhs_batch=(0,)) == "f32[3@x,8,2]"
    # an out_sharding settles what the operands leave ambiguous
    assert one("dot_general", "f32[8,4@data]", "f32[4@data,2]", **dot, out_sharding=((), ("model",))) == \
        "f32[8,2@model]"
    assert one("convert_element_type", "f32[8@data,4]", new_dtype=np.int32) == "i32[8@data,4]"
    # a primitive without a rule gives a replicated result (the partitioner moves the data)
    assert one("cholesky", "f32[4@data,4]") == "f32[4,4]"


@pytest.mark.parametrize("prim, types, attrs, message", [
    ("add", ["f32[8@data,4]", "f32[8@model,4]"], {},
     "add got incompatible shardings for broadcasting: ('data', None), ('model', None)."),
    ("dot_general", ["f32[8,4@data]", "f32[4@data,2]"], dict(lhs_contracting=(1,), rhs_contracting=(0,)),
     "Contracting dimensions are sharded and it is ambiguous how the output should be sharded. Please specify the "
     "output sharding via the `out_sharding` parameter. Got lhs_contracting_spec=('data',) and "
     "rhs_contracting_spec=('data',)"),
    ("dot_general", ["f32[8,4@data]", "f32[4@model,2]"], dict(lhs_contracting=(1,), rhs_contracting=(0,)),
     "dot_general requires contracting dimensions to have consistent sharding, got ('data',) and ('model',)."),
    ("reshape", ["f32[8@data,4]"], dict(new_sizes=(2, 16)),
     "This reshape is not supported. Please specify the sharding of the output via the `out_sharding` argument of "
     "jax.lax.reshape. Got operand type: f32[8@data,4], new sizes: (2, 16)"),
    ("reshape", ["f32[8,4@model]"], dict(new_sizes=(32,)),
     "This reshape is not supported. Please specify the sharding of the output via the `out_sharding` argument of "
     "jax.lax.reshape. Got operand type: f32[8,4@model], new sizes: (32,)"),
    ("sort", ["f32[8@data,4]"], dict(dimension=0),
     "Arguments to sort must be unsharded over the sorting dimension. Got arg sharding=('data', None) and sorting "
     "dimension=0"),    # JAX names the whole NamedSharding: sharding=NamedSharding(mesh=AbstractMesh(...), ...)
    ("cumsum", ["f32[8@data,4]"], dict(axis=0),
     "Input should be unsharded over the axis being reduced. Got input type=f32[8@data,4] and axis=0"),
])
def test_rules_raise_jax_errors(prim, types, attrs, message):
    with pytest.raises(ShardingTypeError) as e:
        infer_types(prim, [parse_type(t) for t in types], attrs)
    assert str(e.value) == message


def test_out_sharding_attribute_is_checked():
    with pytest.raises(TypeError, match=r"out_sharding \(\('model',\),\) must give a tuple of mesh axis names for "
                                        r"each of the result's 2 dimensions"):
        infer_types("dot_general", [parse_type("f32[8,4]"), parse_type("f32[4,2]")],
                    dict(lhs_contracting=(1,), rhs_contracting=(0,), out_sharding=(("model",),)))


def test_unsharded_operands_keep_unsharded_types():
    # the rules run only where something is sharded: unsharded programs are typed exactly as before
    assert one("dot_general", "f32[8,4]", "f32[4,2]", lhs_contracting=(1,), rhs_contracting=(0,)) == "f32[8,2]"
    assert infer_types("add", [parse_type("f32[3]")] * 2, {}) == [TensorType((3,), np.dtype(np.float32))]
