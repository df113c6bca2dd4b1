"""Which values of a differentiated trace may carry a nonzero tangent.

grad/jvp/vjp trace the whole function first and differentiate its IR afterwards, but JAX decides at call
time how a custom_jvp/custom_vjp function runs: with every input's tangent a symbolic zero (it came from
stop_gradient, a constant, an integer op, ...) the call goes to the trace below, which runs the function
itself, not its rules. This forward dependence walk over the ops traced so far gives the same answer."""
from ..ir.ad.jvp import NON_DIFFERENTIABLE
from ..ir.ad.util import differentiable
from .core import Tracer


def may_carry_tangent(trace, leaves):
    """Whether any of `leaves` may carry a tangent in `trace`, a trace that grad/jvp/vjp (or a vmap under
    them) differentiates: a differentiable argument of the trace (except those `trace.no_tangent` lists),
    a tracer captured from an enclosing trace (conservatively), or a result of differentiable type of a
    differentiable op one of whose operands may."""
    live = _live_values(trace)
    return any(isinstance(x, Tracer) and (x._trace is not trace or id(x.value) in live) for x in leaves)


def _live_values(trace):
    """ids of the values of `trace` that may carry a tangent; updated for the ops added since the last call."""
    seen, live = getattr(trace, "_tangent_live", (0, set()))
    block = trace.builder.block
    arrays = {id(arg) for obj, arg in trace.captures.values() if not isinstance(obj, Tracer)}
    skip = {id(block.args[i]) for i in getattr(trace, "no_tangent", ())}
    live.update(id(a) for a in block.args if differentiable(a.type) and id(a) not in arrays and id(a) not in skip)
    for op in block.ops[seen:]:
        if op.prim not in NON_DIFFERENTIABLE and any(id(v) in live for v in op.operands):
            live.update(id(r) for r in op.results if differentiable(r.type))
    trace._tangent_live = (len(block.ops), live)
    return live
