"""Numerics of checkpoint, name and linear_solve as lowered (calls of their regions), from IR text, against
NumPy. Their derivatives, batching and APIs are tested in tests/control/test_checkpoint.py and
test_custom_solve.py."""
from typing import NamedTuple

import numpy as np
import pytest

from lintra.ir.parser import parse_func
from lintra.lowering.lower import lower, to_text
from lintra.runtime.executable import Executable, device_put

X = np.array([0.5, -1.0, 2.0], np.float32)
A = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 0.5], [0.0, 0.5, 2.0]], np.float32)


class Case(NamedTuple):
    name: str
    prim: str
    text: str
    args: tuple
    want: object
    barrier: bool = False     # an optimization_barrier in the lowered module


def _checkpoint(attrs):
    return f"""\
func @f(%x: f32[3], %y: f32[3]) -> (f32[3], f32[3]) {{
  %0, %1 = checkpoint %x, %y {{{attrs}}} : f32[3], f32[3] {{
    ^(%2: f32[3], %3: f32[3]) {{
      %4 = sin %2 : f32[3]
      %5 = mul %4, %3 : f32[3]
      return %5, %2
    }}
  }}
  return %0, %1
}}
"""


# linear_solve with matvec v -> A v and solve = 30 Jacobi-like steps x <- x + (b - A x) / 4 (a scan); the
# 4-region form adds vecmat and transpose_solve, which evaluation never runs. Names carry a prefix: each
# value is defined once per function.
def _matvec(p):
    return f"""\
    ^(%{p}a: f32[3,3], %{p}v: f32[3]) {{
      %{p}m = dot_general %{p}a, %{p}v {{lhs_batch = [], lhs_contracting = [1], rhs_batch = [], rhs_contracting = [0]}} : f32[3]
      return %{p}m
    }}"""


def _jacobi(p):
    return f"""\
    ^(%{p}a: f32[3,3], %{p}b: f32[3]) {{
      %{p}z = constant {{value = dense<0.0 : f32[3]>}} : f32[3]
      %{p}x = scan %{p}a, %{p}b, %{p}z {{length = 30, num_carry = 1, num_consts = 2, reverse = false}} : f32[3] {{
        ^(%{p}ca: f32[3,3], %{p}cb: f32[3], %{p}cx: f32[3]) {{
          %{p}ax = dot_general %{p}ca, %{p}cx {{lhs_batch = [], lhs_contracting = [1], rhs_batch = [], rhs_contracting = [0]}} : f32[3]
          %{p}r = sub %{p}cb, %{p}ax : f32[3]
          %{p}q = constant {{value = dense<0.25 : f32[3]>}} : f32[3]
          %{p}d = mul %{p}r, %{p}q : f32[3]
          %{p}nx = add %{p}cx, %{p}d : f32[3]
          return %{p}nx
        }}
      }}
      return %{p}x
    }}"""


def _solve(regions, lengths, operands):
    body = "\n".join(regions)
    return f"""\
func @f(%a: f32[3,3], %b: f32[3]) -> (f32[3]) {{
  %0 = linear_solve {operands} {{const_lengths = {lengths}}} : f32[3] {{
{body}
  }}
  return %0
}}
"""


SOLVED = np.linalg.solve(A.astype(np.float64), X)
CASES = [
    Case("checkpoint", "checkpoint", _checkpoint('policy = "nothing_saveable", prevent_cse = true'), (X, X + 1),
         (np.sin(X) * (X + 1), X)),
    Case("checkpoint-differentiated", "checkpoint",
         _checkpoint('differentiated = true, policy = "dots_saveable", prevent_cse = true'), (X, X + 1),
         (np.sin(X) * (X + 1), X), barrier=True),
    Case("checkpoint-no-cse-barrier", "checkpoint",
         _checkpoint('differentiated = true, policy = "nothing_saveable", prevent_cse = false'), (X, X + 1),
         (np.sin(X) * (X + 1), X)),
    Case("name", "name", """\
func @f(%x: f32[3]) -> (f32[3]) {
  %0 = name %x {name = "h"} : f32[3]
  %1 = mul %0, %0 : f32[3]
  return %1
}
""", (X,), (X * X,)),
    Case("linear_solve", "linear_solve", _solve([_matvec("m"), _jacobi("s")], "[1, 1]", "%a, %a, %b"), (A, X),
         (SOLVED,)),
    Case("linear_solve-4-regions", "linear_solve",
         _solve([_matvec("m"), _jacobi("s"), _matvec("v"), _jacobi("t")], "[1, 1, 1, 1]", "%a, %a, %a, %a, %b"),
         (A, X), (SOLVED,)),
]
COVERED_PRIMITIVES = {c.prim for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_primitive(case):
    func = parse_func(case.text)
    assert case.prim in [op.prim for op in func.body.walk()]
    outs = Executable(func)([device_put(np.asarray(a)) for a in case.args])
    for got, want in zip(outs, case.want):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-6)
    assert ("optimization_barrier" in to_text(lower(func))) == case.barrier
