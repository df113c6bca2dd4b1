"""The batch pass: f(x) -> y becomes f_batched(xs) -> ys, where some inputs carry an extra batch
dimension (at a position given per input, or None for an unbatched input).

Each primitive's rule gets the op, its new operands and where each operand's batch dimension is (None
when unbatched) and returns the results and where their batch dimensions are. Unbatched values stay
unbatched (an op none of whose operands is batched is copied), and a rule moves batch dimensions only
when it must.
"""
from ..builder import Builder
from ..core import Func, is_built
from ..primitives import registrar

BATCH_RULES = {}    # primitive -> rule(ctx, op, args, dims) -> (outs, out_dims)


batch_rule = registrar(BATCH_RULES)


class BatchContext:
    """What a rule needs besides its op: the builder, the batch size and the axis name being mapped."""

    def __init__(self, b: Builder, size: int, axis_name=None):
        self.b, self.size, self.axis_name = b, size, axis_name

    def moveaxis(self, x, src, dst):
        """x with its dimension `src` moved to `dst`."""
        if src == dst:
            return x
        nd = x.type.ndim
        perm = [d for d in range(nd) if d != src]
        perm.insert(dst, src)
        return self.b.emit1("transpose", [x], {"permutation": tuple(perm)})

    def to_front(self, x, dim):
        """x batched at dimension 0: moved there, or broadcast there when x is unbatched."""
        if dim is None:
            t = x.type
            return self.b.emit1("broadcast_in_dim", [x], {"shape": (self.size,) + t.shape,
                                                          "broadcast_dimensions": tuple(range(1, t.ndim + 1))})
        return self.moveaxis(x, dim, 0)

    def to_dim(self, x, dim, dst):
        """x batched at `dst` (broadcast when unbatched)."""
        return self.moveaxis(self.to_front(x, dim), 0, dst)


def _names_axis(op, name):
    """Whether op, or an op in its regions, is a collective over the axis `name`: then it depends on the
    member even when no operand is batched."""
    return op.attrs.get("axis_name") == name or any(
        o.attrs.get("axis_name") == name for r in op.regions if is_built(r) for o in r.walk())


def batch_block(ctx, block, args, dims):
    """Emit the batched `block` into ctx.b; returns (results, their batch dims)."""
    env = dict(zip(block.args, args))
    denv = dict(zip(block.args, dims))
    for op in block.ops:
        xs = [env[v] for v in op.operands]
        ds = [denv[v] for v in op.operands]
        names_this_axis = ctx.axis_name is not None and _names_axis(op, ctx.axis_name)
        if all(d is None for d in ds) and not names_this_axis:
            outs, out_dims = ctx.b.emit(op.prim, xs, op.attrs, op.regions), [None] * len(op.results)
        else:
            rule = BATCH_RULES.get(op.prim)
            if rule is None:
                raise NotImplementedError(f"batching rule for '{op.prim}' not implemented")
            outs, out_dims = rule(ctx, op, xs, ds)
        env.update(zip(op.results, outs))
        denv.update(zip(op.results, out_dims))
    return [env[v] for v in block.results], [denv[v] for v in block.results]


def batch(func: Func, in_dims, size: int, axis_name=None, out_dims_at_front=False):
    """(f_batched, out_dims): f_batched takes each input with its batch dimension at in_dims[i] (None:
    unbatched). With out_dims_at_front, every output is batched at dimension 0 (broadcast if needed)."""
    b = Builder()
    args = []
    for a, d in zip(func.args, in_dims):
        t = a.type
        if d is None:
            args.append(b.arg(t))
            continue
        # the batch dimension is not split; the others keep their shardings
        sharding = None if t.sharding is None else tuple(t.sharding[:d]) + ((),) + tuple(t.sharding[d:])
        args.append(b.arg(t.update(shape=t.shape[:d] + (size,) + t.shape[d:], sharding=sharding)))
    ctx = BatchContext(b, size, axis_name)
    outs, out_dims = batch_block(ctx, func.body, args, list(in_dims))
    if out_dims_at_front:
        outs, out_dims = [ctx.to_front(o, d) for o, d in zip(outs, out_dims)], [0] * len(outs)
    b.ret(*outs)
    return Func(f"batched_{func.name}", b.block), out_dims
