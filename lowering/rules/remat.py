"""Lowering of checkpoint, name and linear_solve: calls of their regions (their other meaning is for the AD
passes only)."""
from ..registry import rule
from ..mlir import func, hlo, tensor_type


def _call(ctx, name, region, args):
    fname = ctx.region_function(name, region)
    return list(func.CallOp([tensor_type(r.type) for r in region.results], fname, list(args)).results)


@rule("checkpoint")
def _checkpoint(ctx, op, *args):
    """The recomputing copy that differentiation stages (differentiated=True) takes its operands through an
    optimization barrier when prevent_cse is set: XLA then cannot tell the recomputed values from the forward
    pass's ones and merge them, which would keep the forward values alive until the backward pass and undo the
    saving. (XLA may still fuse, reorder and schedule the recomputation as it likes.)"""
    if args and op.attrs.get("prevent_cse", True) and op.attrs.get("differentiated", False):
        args = list(hlo.OptimizationBarrierOp(list(args)).results)
    return _call(ctx, "checkpoint", op.regions[0], args)


@rule("name")
def _name(ctx, op, x):
    return [x]


@rule("linear_solve")
def _linear_solve(ctx, op, *args):
    n_matvec, n_solve = op.attrs["const_lengths"][:2]
    rest = sum(op.attrs["const_lengths"])
    return _call(ctx, "solve", op.regions[1], list(args[n_matvec:n_matvec + n_solve]) + list(args[rest:]))
