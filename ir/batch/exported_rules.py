"""Batching calls of exported functions: the module has fixed shapes, so the batch becomes a loop, a `scan`
over the batch members that calls the function once per member (JAX has no batching rule for it)."""
from ..builder import Builder
from ..types import TensorType
from .batch import batch_rule


@batch_rule("exported_call")
def _exported_call(ctx, op, xs, ds):
    shared = [i for i, d in enumerate(ds) if d is None]
    mapped = [i for i, d in enumerate(ds) if d is not None]
    body = Builder()
    args = {i: body.arg(xs[i].type) for i in shared}
    for i in mapped:
        t = xs[i].type
        member = t.shape[:ds[i]] + t.shape[ds[i] + 1:]
        args[i] = body.arg(TensorType(member, t.dtype, t.weak))
    body.ret(*body.emit(op.prim, [args[i] for i in range(len(xs))], op.attrs))
    seqs = [ctx.moveaxis(xs[i], ds[i], 0) for i in mapped]
    attrs = {"num_consts": len(shared), "num_carry": 0, "length": ctx.size}
    outs = ctx.b.emit("scan", [xs[i] for i in shared] + seqs, attrs, [body.block])
    return outs, [0] * len(outs)
