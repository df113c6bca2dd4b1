"""Batching rules of the linear-algebra primitives: each already maps over leading batch dimensions, so
the vmapped dimension moves to the front (an unbatched operand of triangular_solve is broadcast there)
and the op applies as it is, with every result batched at dimension 0."""
from .batch import batch_rule


@batch_rule("cholesky", "triangular_solve", "eigh", "eig", "svd", "qr", "lu", "schur", "hessenberg")
def _leading_batch(ctx, op, xs, ds):
    xs = [ctx.to_front(x, d) for x, d in zip(xs, ds)]
    return ctx.b.emit(op.prim, xs, op.attrs), [0] * len(op.results)
