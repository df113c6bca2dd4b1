"""Batching of top_k and approx_top_k, as JAX's rules: the batch dimension stays where it is and the
selected dimension shifts past it.

approx_top_k with aggregate_to_topk=False sizes its output by the operand's rank (XLA tiles rank-1 operands
by 1024, others by 128), so batching a rank-1 operand longer than 128 may change that size: JAX's vmap gives
the batched op's size, and so does this rule."""
from .batch import batch_rule


def _selection(dim_attr):
    def rule(ctx, op, xs, ds):
        (x,), (d,) = xs, ds
        dim = op.attrs[dim_attr]
        attrs = dict(op.attrs, **{dim_attr: dim + (d <= dim)})
        return ctx.b.emit(op.prim, [x], attrs), [d, d]
    return rule


batch_rule("top_k")(_selection("axis"))
batch_rule("approx_top_k")(_selection("reduction_dimension"))
