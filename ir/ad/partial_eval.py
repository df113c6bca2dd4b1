"""Partial evaluation: split a function into what can be computed from known inputs now and what
must wait for the unknown ones.

    f(known, unknown) -> outs   becomes
    f_known(known) -> (known outs, residuals)     and     f_staged(residuals, unknown) -> unknown outs

Applied to a JVP with primals known and tangents unknown, this is `linearize`: f_known is the
primal computation and f_staged is linear in the tangents. Residuals are only the known values
the staged part uses; constants are re-emitted there instead of being passed.
"""
from ..builder import Builder
from ..core import Func

PARTIAL_EVAL_RULES = {}   # primitive with regions -> rule(pe, op, unknown_mask) splitting the op itself


class _Split:
    def __init__(self):
        self.known, self.staged = Builder(), Builder()
        self.kenv, self.senv = {}, {}
        self.kdef = {}             # known value -> the op defining it
        self.unknown = set()
        self.residuals = {}        # known value (original) -> staged block argument
        self.res_order = []

    def staged_value(self, v):
        """The staged function's stand-in for original value v (a residual if v is known)."""
        if v in self.unknown:
            return self.senv[v]
        if v not in self.residuals:
            src = self.kdef.get(v)
            if src is not None and src.prim == "constant":
                self.residuals[v] = self.staged.emit1("constant", (), src.attrs)
            else:
                self.residuals[v] = self.staged.arg(v.type)
                self.res_order.append(v)
        return self.residuals[v]


def partial_eval(func: Func, unknown_in, instantiate=None):
    """(f_known, f_staged, out_unknown, num_residuals). Outputs marked in `instantiate` are returned by
    f_staged even when they are known."""
    s = _Split()
    staged_inputs = []
    for a, unk in zip(func.args, unknown_in):
        if unk:
            s.unknown.add(a)
            s.senv[a] = s.staged.arg(a.type)
            staged_inputs.append(s.senv[a])
        else:
            s.kenv[a] = s.known.arg(a.type)
    for op in func.body.ops:
        if not any(v in s.unknown for v in op.operands):
            outs = s.known.emit(op.prim, [s.kenv[v] for v in op.operands], op.attrs, op.regions)
            s.kenv.update(zip(op.results, outs))
            for r in op.results:
                s.kdef[r] = op
        elif op.prim in PARTIAL_EVAL_RULES:
            PARTIAL_EVAL_RULES[op.prim](s, op)
        else:
            outs = s.staged.emit(op.prim, [s.staged_value(v) for v in op.operands], op.attrs, op.regions)
            s.senv.update(zip(op.results, outs))
            s.unknown.update(op.results)
    instantiate = instantiate or [False] * len(func.results)
    out_unknown = [v in s.unknown or inst for v, inst in zip(func.results, instantiate)]
    staged_outs = [s.staged_value(v) for v, unk in zip(func.results, out_unknown) if unk]
    known_outs = [s.kenv[v] for v, unk in zip(func.results, out_unknown) if not unk]
    s.known.ret(*known_outs, *[s.kenv[v] for v in s.res_order])
    s.staged.ret(*staged_outs)
    # residuals come first in the staged function's arguments
    res_args = [s.residuals[v] for v in s.res_order]
    s.staged.block.args = res_args + staged_inputs
    return (Func(f"{func.name}_known", s.known.block), Func(f"{func.name}_staged", s.staged.block),
            out_unknown, len(res_args))


def _partial_eval_call(s, op):
    """Split the callee too: a known call computing what it can, and a staged call for the rest."""
    unknown_in = [v in s.unknown for v in op.operands]
    callee = op.attrs.get("callee", "f")
    f_known, f_staged, out_unknown, n_res = partial_eval(Func(callee, op.regions[0]), unknown_in)
    outs = s.known.emit("call", [s.kenv[v] for v, u in zip(op.operands, unknown_in) if not u],
                        {"callee": f_known.name}, [f_known.body])
    n_known = len(outs) - n_res
    known_results = [r for r, u in zip(op.results, out_unknown) if not u]
    s.kenv.update(zip(known_results, outs[:n_known]))
    for res in outs[n_known:]:
        s.kenv[res] = res          # a residual with no counterpart in the original function
    operands = [s.staged_value(r) for r in outs[n_known:]] + [s.senv[v] for v, u in zip(op.operands, unknown_in) if u]
    souts = s.staged.emit("call", operands, {"callee": f_staged.name}, [f_staged.body])
    unknown_results = [r for r, u in zip(op.results, out_unknown) if u]
    s.senv.update(zip(unknown_results, souts))
    s.unknown.update(unknown_results)


PARTIAL_EVAL_RULES["call"] = _partial_eval_call
