"""cond, while and scan as IR: text round trip, type rules and the verifier, the generic passes (dce, cse,
inline, canonicalize) inside their regions, and IR produced by the transformations verifying."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax
from lintra.ir.parser import ParseError, parse_func
from lintra.ir.passes import canonicalize, cse, dce, inline
from lintra.ir.printer import print_func
from lintra.ir.verifier import verify
from lintra.runtime.executable import Executable, device_put

X = np.array([0.3, -0.5, 0.8], np.float32)

NESTED = """\
func @f(%p: i32[], %x: f32[3], %n: i32[]) -> (f32[3], f32[3], f32[3,3]) {
  %0 = constant {value = dense<0 : i32[]>} : i32[]
  %1, %2 = while %n, %x, %0, %x {body_nconsts = 1, cond_nconsts = 1} : i32[], f32[3] {
    ^(%3: i32[], %4: i32[], %5: f32[3]) {
      %6 = lt %4, %3 : bool[]
      return %6
    }
    ^(%7: f32[3], %8: i32[], %9: f32[3]) {
      %10 = constant {value = dense<1 : i32[]>} : i32[]
      %11 = add %8, %10 : i32[]
      %12 = mul %9, %7 : f32[3]
      return %11, %12
    }
  }
  %13 = cond %p, %2 : f32[3] {
    ^(%14: f32[3]) {
      %15 = sin %14 : f32[3]
      return %15
    }
    ^(%16: f32[3]) {
      %17 = neg %16 : f32[3]
      return %17
    }
  }
  %18, %19 = scan %x, %13 {length = 3, num_carry = 1, num_consts = 0, reverse = true} : f32[3], f32[3,3] {
    ^(%20: f32[3], %21: f32[]) {
      %22 = broadcast_in_dim %21 {broadcast_dimensions = [], shape = [3]} : f32[3]
      %23 = add %20, %22 : f32[3]
      return %23, %20
    }
  }
  return %13, %18, %19
}
"""


def _run(func, *args):
    return [np.asarray(r) for r in Executable(func)([device_put(np.asarray(a)) for a in args])]


def test_text_round_trip_and_verify():
    func = parse_func(NESTED)
    verify(func)
    assert print_func(func) == NESTED
    assert print_func(parse_func(print_func(func))) == NESTED


def test_nested_ir_runs_as_written():
    func = parse_func(NESTED)
    for p in (0, 1):
        c, carry, ys = _run(func, np.int32(p), X, np.int32(2))
        powered = X * X ** 2
        expected_c = np.sin(powered) if p == 0 else -powered
        np.testing.assert_allclose(c, expected_c, rtol=1e-6)
        # a reverse scan over the elements of c, adding each to the whole carry
        acc, rows = X.copy(), [None] * 3
        for i in reversed(range(3)):
            rows[i] = acc.copy()
            acc = acc + expected_c[i]
        np.testing.assert_allclose(carry, acc, rtol=1e-6)
        np.testing.assert_allclose(ys, np.stack(rows), rtol=1e-6)


@pytest.mark.parametrize("text,message", [
    ("%0 = cond %p, %x : f32[3] {\n ^(%1: f32[3]) {\n return %1\n }\n ^(%2: f32[2]) {\n return %2\n }\n }",
     "branch 1 takes"),
    ("%0 = cond %x, %x : f32[3] {\n ^(%1: f32[3]) {\n return %1\n }\n }", "index must be an i32 scalar"),
    ("%0 = scan %x {length = 4, num_carry = 0, num_consts = 0} : f32[4,3] {\n ^(%1: f32[]) {\n return %1\n }\n }",
     "leading axis of size length=4"),
    ("%0 = scan %x {length = 1, num_carry = 1, num_consts = 0} : f32[3] {\n ^(%1: f32[3]) {\n %2 = reduce_sum %1 "
     "{axes = [0]} : f32[]\n return %2\n }\n }", "the carry's types must not change"),
    ("%0 = while %x {body_nconsts = 0, cond_nconsts = 0} : f32[3] {\n ^(%1: f32[3]) {\n return %1\n }\n "
     "^(%2: f32[3]) {\n return %2\n }\n }", r"must return one bool\[\]"),
])
def test_type_rules_reject_ill_typed_ops(text, message):
    with pytest.raises(ParseError, match=message):
        parse_func(f"func @g(%p: i32[], %x: f32[3]) -> (f32[3]) {{\n{text}\nreturn %x\n}}")


def test_generic_passes_work_inside_regions():
    text = """\
func @f(%x: f32[3]) -> (f32[3]) {
  %0 = scan %x {length = 3, num_carry = 1, num_consts = 0, reverse = false} : f32[3] {
    ^(%2: f32[3]) {
      %3 = sin %2 : f32[3]
      %4 = sin %2 : f32[3]
      %5 = cos %2 : f32[3]
      %6 = constant {value = dense<1.0 : f32[]>} : f32[]
      %7 = broadcast_in_dim %6 {broadcast_dimensions = [], shape = [3]} : f32[3]
      %8 = mul %3, %7 : f32[3]
      %9 = call %8 {callee = "g"} : f32[3] {
        ^(%10: f32[3]) {
          %11 = add %10, %10 : f32[3]
          return %11
        }
      }
      %12 = add %9, %4 : f32[3]
      return %12
    }
  }
  return %0
}
"""
    func = inline(cse(canonicalize(parse_func(text))))
    verify(func)
    body = func.body.ops[0].regions[0]
    prims = [op.prim for op in body.ops]
    assert prims.count("sin") == 1 and "cos" not in prims and "mul" not in prims and "call" not in prims
    # dce keeps the scan and the carry its body must return
    assert [op.prim for op in dce(func).body.ops] == ["scan"]
    (out,) = _run(func, X)
    expected = X.copy()
    for _ in range(3):
        expected = 3 * np.sin(expected)
    np.testing.assert_allclose(out, expected, rtol=1e-5)


@pytest.mark.parametrize("transform", ["grad", "jacfwd", "vmap", "vmap_grad"])
def test_transformed_control_flow_verifies(transform):
    def f(x):
        c, ys = lax.scan(lambda c, xi: (lax.cond(xi > 0, jnp.sin, jnp.cos, c * xi), c), 0.5, x)
        n = lax.while_loop(lambda k: k < 3, lambda k: k + 1, 0)
        return c * n + jnp.sum(ys)
    g = {"grad": lintra.grad(f), "jacfwd": lintra.jacfwd(f), "vmap": lintra.vmap(f),
         "vmap_grad": lintra.vmap(lintra.grad(f))}[transform]
    arg = np.stack([X, -X]) if transform.startswith("vmap") else X
    func = lintra.make_ir(g)(arg)
    verify(func)
    assert print_func(parse_func(print_func(func))) == print_func(func)
