"""The transpose pass: a function linear in some inputs becomes its adjoint.

    f(r, t) -> y, linear in t     becomes     f_T(r, ct_y) -> ct_t

Ops that do not depend on t are re-emitted first (they compute from r). Then the
linear ops are walked backwards; each primitive's rule maps the cotangents of
its results to cotangents of its linear operands. Cotangents of a value used
more than once are summed; a value nobody uses gets a structural zero (None),
which rules pass through and which is materialised only at the end.
"""
from typing import NamedTuple

from ..builder import Builder
from ..core import Func
from ..types import TensorType
from .util import add_tangents, zeros
from ..primitives import registrar

TRANSPOSE_RULES = {}   # linear primitive -> rule(b, op, cts_out, operands) -> cts for each operand
NOT_TRANSPOSABLE = {}  # primitive -> exception explaining why reverse mode cannot go through it


class Linear(NamedTuple):
    """Stands for a linear operand in a transpose rule: only its type is known."""
    type: TensorType


transpose_rule = registrar(TRANSPOSE_RULES)


def is_linear(x):
    return isinstance(x, Linear)


def transpose_block(b, block, linear_in, nonlinear_args, cts):
    """Emit the adjoint of `block` into `b`: returns cotangents (or None) for its linear arguments."""
    env = {a: v for a, lin, v in zip(block.args, linear_in, nonlinear_args) if not lin}
    linear = {a for a, lin in zip(block.args, linear_in) if lin}
    linear_ops = []
    for op in block.ops:
        if any(v in linear for v in op.operands):
            linear.update(op.results)
            linear_ops.append(op)
        else:
            env.update(zip(op.results, b.emit(op.prim, [env[v] for v in op.operands], op.attrs, op.regions)))
    ct = {}
    for v, c in zip(block.results, cts):
        if v in linear and c is not None:
            ct[v] = add_tangents(b, ct.get(v), c)
    for op in reversed(linear_ops):
        cts_out = [ct.pop(r, None) for r in op.results]
        if all(c is None for c in cts_out):
            continue
        rule = TRANSPOSE_RULES.get(op.prim)
        if rule is None and op.prim in NOT_TRANSPOSABLE:
            raise NOT_TRANSPOSABLE[op.prim]()
        if rule is None:
            raise NotImplementedError(f"transpose rule for '{op.prim}' not implemented: it is not linear, "
                                      f"or reverse-mode differentiation of it is not supported")
        operands = [Linear(v.type) if v in linear else env[v] for v in op.operands]
        cts_in = rule(b, op, cts_out, operands)
        for v, c in zip(op.operands, cts_in):
            if v in linear and c is not None:
                ct[v] = add_tangents(b, ct.get(v), c)
    return [ct.get(a) for a, lin in zip(block.args, linear_in) if lin]


def transpose(func: Func, linear_in):
    """f_T taking the non-linear inputs then one cotangent per output, returning one cotangent per
    linear input (zeros materialised)."""
    b = Builder()
    nonlinear = [None if lin else b.arg(a.type) for a, lin in zip(func.args, linear_in)]
    cts = [b.arg(r.type) for r in func.results]
    cts_in = transpose_block(b, func.body, linear_in, nonlinear, cts)
    lin_args = [a for a, lin in zip(func.args, linear_in) if lin]
    b.ret(*[zeros(b, a.type) if c is None else c for a, c in zip(lin_args, cts_in)])
    return Func(f"transpose_{func.name}", b.block)
