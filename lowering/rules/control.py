"""Lowering of ops that carry regions."""
from ..lower import rule
from ..mlir import func, tensor_type


@rule("call")
def _call(ctx, op, *args):
    name = ctx.region_function(op.attrs.get("callee", "f"), op.regions[0])
    return list(func.CallOp([tensor_type(r.type) for r in op.results], name, list(args)).results)
