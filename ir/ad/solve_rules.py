"""JVP and transpose rules for `linear_solve` (lax.custom_linear_solve): derivatives by the implicit function
theorem, never by differentiating the solver's iterations.

x = A^-1 b is linear in b. Its JVP is x' = A^-1 (b' - A'x), where A'x is the tangent of matvec at x with
respect to matvec's consts: one more linear_solve, on that right-hand side. Its transpose is b_ct = A^-T x_ct:
a linear_solve whose matvec is vecmat and whose solve is transpose_solve (and the other way round). The
solver's own consts (a preconditioner, a tolerance) do not change the solution, so they get no tangent.
"""
from ..builder import emit_block
from .control_rules import copy_block, jvp_region, split
from .jvp import jvp_rule
from .jvp_rules import primal
from .transpose import is_linear, transpose_rule
from .transpose_rules import LINEAR
from .util import instantiate, tangent_type

LINEAR.add("linear_solve")


class TransposeSolveError(TypeError):
    pass


@jvp_rule("linear_solve")
def _linear_solve_jvp(b, op, ps, ts):
    lens = op.attrs["const_lengths"]
    *consts, vec = split(ps, *lens)
    *consts_t, vec_t = split(ts, *lens)
    outs = primal(b, op, ps)
    n = len(vec)
    x, n_aux = outs[:n], len(outs) - n
    rhs = list(vec_t)
    mv_nz = [t is not None for t in consts_t[0]]
    if any(mv_nz):     # A'x: the tangent of matvec(consts, x) along the consts' tangents
        block, out_nz = jvp_region(op.regions[0], mv_nz + [False] * n)
        mv_t = iter(emit_block(b, block, consts[0] + x + [t for t in consts_t[0] if t is not None])[n:])
        for i, nz in enumerate(out_nz):
            if nz:
                d = next(mv_t)
                rhs[i] = b.emit1("neg", [d]) if rhs[i] is None else b.emit1("sub", [rhs[i], d])
    if all(r is None for r in rhs):
        return outs, [None] * len(outs)
    rhs = [instantiate(b, r, tangent_type(v.type)) for r, v in zip(rhs, op.operands[sum(lens):])]
    # the primal op already holds op's regions, and a block appears once in a function: the tangent's are copies
    touts = b.emit("linear_solve", [c for part in consts for c in part] + rhs, op.attrs,
                   [copy_block(r) for r in op.regions])
    return outs, touts[:n] + [None] * n_aux


@transpose_rule("linear_solve")
def _linear_solve_transpose(b, op, cts, operands):
    lens = op.attrs["const_lengths"]
    n_consts = sum(lens)
    if any(is_linear(c) for c in operands[:n_consts]):
        raise TypeError("linear_solve is linear in its right-hand side only, not in the consts of matvec or solve")
    if len(op.regions) != 4:
        raise TransposeSolveError("transpose_solve required for backwards mode automatic differentiation of "
                                  "custom_linear_solve")
    n = len(operands) - n_consts
    if all(c is None for c in cts[:n]):
        return [None] * len(operands)
    ct_x = [instantiate(b, c, r.type) for c, r in zip(cts[:n], op.results[:n])]
    mv, sv, vm, tsv = split(operands[:n_consts], *lens)[:4]
    matvec, solve, vecmat, transpose_solve = op.regions
    outs = b.emit("linear_solve", vm + tsv + mv + sv + ct_x, {"const_lengths": (lens[2], lens[3], lens[0], lens[1])},
                  [vecmat, transpose_solve, matvec, solve])
    return [None] * n_consts + outs[:n]
