"""The jvp pass: f(x) -> y becomes f_jvp(x, tx) -> (y, ty).

Each primitive's rule gets the op, its new primal operands and their tangents
(None for a structural zero) and emits the primal result and its tangent
through the builder. Tangents that are structurally zero stay None and are
never materialised; ops none of whose operands carry a tangent are copied.
"""
from ..builder import Builder
from ..core import Func
from .util import differentiable, tangent_type
from ..primitives import registrar

JVP_RULES = {}                    # primitive -> rule(b, op, primals, tangents) -> (outs, tangent_outs)
NON_DIFFERENTIABLE = set()        # primitives whose outputs have zero derivative everywhere


jvp_rule = registrar(JVP_RULES)


def jvp_block(b, block, primals, tangents):
    """Emit the JVP of `block` into `b`; returns (primal outputs, output tangents or None)."""
    env = dict(zip(block.args, primals))
    tenv = {a: t for a, t in zip(block.args, tangents) if t is not None}
    for op in block.ops:
        ps = [env[v] for v in op.operands]
        ts = [tenv.get(v) for v in op.operands]
        if op.prim in NON_DIFFERENTIABLE or all(t is None for t in ts):
            outs, touts = b.emit(op.prim, ps, op.attrs, op.regions), ()
        else:
            rule = JVP_RULES.get(op.prim)
            if rule is None:
                raise NotImplementedError(f"differentiation rule for '{op.prim}' not implemented")
            outs, touts = rule(b, op, ps, ts)
        env.update(zip(op.results, outs))
        tenv.update((r, t) for r, t in zip(op.results, touts) if t is not None and differentiable(r.type))
    return [env[v] for v in block.results], [tenv.get(v) for v in block.results]


def jvp(func: Func, nonzero=None):
    """(f_jvp, out_nonzero): f_jvp takes all primals then the tangents of inputs marked nonzero, and
    returns all primal outputs then the tangents of outputs marked in out_nonzero."""
    if nonzero is None:
        nonzero = [differentiable(a.type) for a in func.args]
    b = Builder()
    primals = [b.arg(a.type) for a in func.args]
    tangents = [b.arg(tangent_type(a.type)) if nz and differentiable(a.type) else None
                for a, nz in zip(func.args, nonzero)]
    outs, touts = jvp_block(b, func.body, primals, tangents)
    out_nonzero = [t is not None for t in touts]
    b.ret(*outs, *[t for t in touts if t is not None])
    return Func(f"jvp_{func.name}", b.block), out_nonzero
