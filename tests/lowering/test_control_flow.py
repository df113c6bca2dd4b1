"""Numerics of the control-flow primitives as lowered (stablehlo.case / stablehlo.while), from IR text,
against NumPy. The API and the passes over them are tested in tests/control/."""
import numpy as np
import pytest

from lintra.ir.parser import parse_func
from lintra.runtime.executable import Executable, device_put

COVERED_PRIMITIVES = {"cond", "while", "scan"}

X = np.array([0.5, -1.0, 2.0], np.float32)


def _run(text, *args):
    return [np.asarray(r) for r in Executable(parse_func(text))([device_put(np.asarray(a)) for a in args])]


SWITCH = """\
func @f(%i: i32[], %x: f32[3], %y: f32[]) -> (f32[3], i32[]) {
  %0, %1 = cond %i, %x, %y : f32[3], i32[] {
    ^(%2: f32[3], %3: f32[]) {
      %4 = constant {value = dense<0 : i32[]>} : i32[]
      return %2, %4
    }
    ^(%5: f32[3], %6: f32[]) {
      %7 = broadcast_in_dim %6 {broadcast_dimensions = [], shape = [3]} : f32[3]
      %8 = mul %5, %7 : f32[3]
      %9 = constant {value = dense<1 : i32[]>} : i32[]
      return %8, %9
    }
    ^(%10: f32[3], %11: f32[]) {
      %12 = exp %10 : f32[3]
      %13 = constant {value = dense<2 : i32[]>} : i32[]
      return %12, %13
    }
  }
  return %0, %1
}
"""


@pytest.mark.parametrize("index,branch", [(0, 0), (1, 1), (2, 2), (3, 2), (100, 2), (-1, 0)])
def test_cond_runs_one_branch_and_clamps_the_index(index, branch):
    out, which = _run(SWITCH, np.int32(index), X, np.float32(3))
    np.testing.assert_allclose(out, [X, X * 3, np.exp(X)][branch], rtol=1e-6)
    assert int(which) == branch


def test_while_carries_consts_and_values():
    text = """\
func @f(%limit: f32[], %x: f32[3]) -> (i32[], f32[3]) {
  %0 = constant {value = dense<0 : i32[]>} : i32[]
  %1, %2 = while %limit, %x, %0, %x {body_nconsts = 1, cond_nconsts = 1} : i32[], f32[3] {
    ^(%3: f32[], %4: i32[], %5: f32[3]) {
      %6 = reduce_sum %5 {axes = [0]} : f32[]
      %7 = lt %6, %3 : bool[]
      return %7
    }
    ^(%8: f32[3], %9: i32[], %10: f32[3]) {
      %11 = constant {value = dense<1 : i32[]>} : i32[]
      %12 = add %9, %11 : i32[]
      %13 = add %10, %8 : f32[3]
      return %12, %13
    }
  }
  return %1, %2
}
"""
    steps, out = _run(text, np.float32(20), X)
    n, ref = 0, X.copy()
    while ref.sum() < 20:
        ref, n = ref + X, n + 1
    assert int(steps) == n
    np.testing.assert_allclose(out, ref, rtol=1e-6)


SCAN = """\
func @f(%w: f32[], %c: f32[], %xs: f32[4,2], %ms: bool[4]) -> (f32[], f32[4,2], bool[4]) {
  %0, %1, %2 = scan %w, %c, %xs, %ms {length = 4, num_carry = 1, num_consts = 1, reverse = REVERSE} : f32[], f32[4,2], bool[4] {
    ^(%3: f32[], %4: f32[], %5: f32[2], %6: bool[]) {
      %7 = reduce_sum %5 {axes = [0]} : f32[]
      %8 = mul %4, %3 : f32[]
      %9 = add %8, %7 : f32[]
      %10 = constant {value = dense<0.0 : f32[]>} : f32[]
      %11 = select_n %6, %10, %9 : f32[]
      %12 = broadcast_in_dim %4 {broadcast_dimensions = [], shape = [2]} : f32[2]
      %13 = mul %5, %12 : f32[2]
      %14 = not %6 : bool[]
      return %11, %13, %14
    }
  }
  return %0, %1, %2
}
"""


@pytest.mark.parametrize("reverse", [False, True])
def test_scan_slices_xs_and_stacks_ys(reverse):
    xs = np.arange(8, dtype=np.float32).reshape(4, 2) / 4
    ms = np.array([True, True, False, True])
    c, ys, flags = _run(SCAN.replace("REVERSE", "true" if reverse else "false"), np.float32(0.5), np.float32(1), xs,
                        ms)
    carry, ref_ys = np.float32(1), [None] * 4
    for i in (reversed(range(4)) if reverse else range(4)):
        ref_ys[i] = xs[i] * carry
        carry = np.float32(carry * 0.5 + xs[i].sum()) if ms[i] else np.float32(0)
    np.testing.assert_allclose(float(c), carry, rtol=1e-6)
    np.testing.assert_allclose(ys, np.stack(ref_ys), rtol=1e-6)
    np.testing.assert_array_equal(flags, ~ms)


def test_zero_length_scan_returns_the_initial_carry():
    text = """\
func @f(%c: f32[2], %xs: f32[0,3]) -> (f32[2], f32[0,3]) {
  %0, %1 = scan %c, %xs {length = 0, num_carry = 1, num_consts = 0, reverse = false} : f32[2], f32[0,3] {
    ^(%2: f32[2], %3: f32[3]) {
      %4 = neg %2 : f32[2]
      return %4, %3
    }
  }
  return %0, %1
}
"""
    c, ys = _run(text, X[:2], np.zeros((0, 3), np.float32))
    np.testing.assert_array_equal(c, X[:2])
    assert ys.shape == (0, 3)
