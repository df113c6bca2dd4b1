"""Lowering of creation, shape, indexing, contraction and reduction primitives."""
import numpy as np

from ..lower import rule
from ..mlir import dense_constant, hlo, ir, tensor_type


def _rtype(op, i=0):
    return tensor_type(op.results[i].type)


@rule("constant")
def _constant(ctx, op):
    return [dense_constant(op.attrs["value"])]


@rule("broadcast_in_dim")
def _broadcast_in_dim(ctx, op, x):
    return [hlo.broadcast_in_dim(_rtype(op), x, list(op.attrs["broadcast_dimensions"]))]


@rule("reshape")
def _reshape(ctx, op, x):
    return [hlo.reshape(_rtype(op), x)]


def scalar_type(dtype):
    from ...ir.types import TensorType
    return tensor_type(TensorType((), dtype))


def reduce(op, operands, inits, axes, combine):
    """stablehlo.reduce over `axes`; combine(accs, xs) -> new accs builds the body on scalars."""
    types = [tensor_type(r.type) for r in op.results]
    red = hlo.ReduceOp(types, list(operands), list(inits), ir.DenseI64ArrayAttr.get(list(axes)))
    scalars = [scalar_type(v.type.dtype) for v in op.operands[:len(operands)]]
    block = red.regions[0].blocks.append(*(scalars + scalars))
    with ir.InsertionPoint(block):
        n = len(operands)
        hlo.return_(list(combine(list(block.arguments[:n]), list(block.arguments[n:]))))
    return list(red.results)


def _identity(prim, dtype):
    dtype = np.dtype(dtype)
    if prim in ("reduce_sum", "reduce_or", "reduce_xor"):
        return np.zeros((), dtype)
    if prim == "reduce_prod":
        return np.ones((), dtype)
    if prim == "reduce_and":
        return np.array(True if dtype == np.bool_ else -1).astype(dtype)
    big = prim == "reduce_min"
    if dtype.kind == "f" or dtype.kind == "V" or dtype.name == "bfloat16":
        return np.array(np.inf if big else -np.inf, dtype)
    if dtype == np.bool_:
        return np.array(big)
    info = np.iinfo(dtype)
    return np.array(info.max if big else info.min, dtype)


_COMBINE = {"reduce_sum": hlo.add, "reduce_prod": hlo.multiply, "reduce_max": hlo.maximum,
            "reduce_min": hlo.minimum, "reduce_and": hlo.and_, "reduce_or": hlo.or_, "reduce_xor": hlo.xor}


for _prim, _fn in _COMBINE.items():
    @rule(_prim)
    def _reduce(ctx, op, x, _prim=_prim, _fn=_fn):
        init = dense_constant(_identity(_prim, op.operands[0].type.dtype))
        return reduce(op, [x], [init], op.attrs["axes"], lambda a, b: [_fn(a[0], b[0])])
