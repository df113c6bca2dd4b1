"""Batching rule for shard_map: the region is batched by the same pass, the batch dimension leading and
split over no mesh axis (every device holds the whole batch of its blocks). Collectives in the region name
mesh axes, not the vmapped one, so the pass keeps them as collectives."""
from ..core import Func
from .batch import batch, batch_rule


@batch_rule("shard_map")
def _shard_map(ctx, op, xs, ds):
    xs = [x if d is None else ctx.to_front(x, d) for x, d in zip(xs, ds)]
    dims = [None if d is None else 0 for d in ds]
    body, _ = batch(Func("shard_map", op.regions[0]), dims, ctx.size, ctx.axis_name, out_dims_at_front=True)
    attrs = {**op.attrs, "in_specs": tuple(s if d is None else ((),) + tuple(s) for s, d in zip(op.attrs["in_specs"], dims)),
             "out_specs": tuple(((),) + tuple(s) for s in op.attrs["out_specs"])}
    outs = ctx.b.emit("shard_map", xs, attrs, [body.body])
    return outs, [0] * len(outs)
