"""Batching rules for checkpoint, name and linear_solve: their regions are batched by the same pass."""
from ..ad.control_rules import split
from ..core import Func
from .batch import batch, batch_rule
from .rules import elementwise

batch_rule("name")(elementwise)


@batch_rule("checkpoint")
def _checkpoint(ctx, op, xs, ds):
    """A checkpoint of the batched region: batch dimensions stay where the region puts them."""
    body, out_dims = batch(Func("checkpoint", op.regions[0]), ds, ctx.size, ctx.axis_name)
    return ctx.b.emit("checkpoint", xs, op.attrs, [body.body]), out_dims


@batch_rule("linear_solve")
def _linear_solve(ctx, op, xs, ds):
    """The right-hand side and the solution batched at dimension 0 in every region (so matvec, solve and their
    transposes agree on where the batch is); each region's consts keep their own batch dimensions."""
    lens = op.attrs["const_lengths"]
    *consts, vec = split(xs, *lens)
    *const_dims, vec_dims = split(ds, *lens)
    vec = [ctx.to_front(x, d) for x, d in zip(vec, vec_dims)]
    regions = [batch(Func("region", r), dims + [0] * len(vec), ctx.size, ctx.axis_name, out_dims_at_front=True)[0].body
               for r, dims in zip(op.regions, const_dims)]
    outs = ctx.b.emit("linear_solve", [c for part in consts for c in part] + vec, op.attrs, regions)
    return outs, [0] * len(outs)
