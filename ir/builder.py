"""Builder: appends typed ops to a block. Tracing and every pass emit IR through it."""
import numpy as np

from .core import Block, Op, Value
from .primitives import infer_types
from .types import TensorType, check_size


class Builder:
    def __init__(self, block: Block = None):
        self.block = Block() if block is None else block

    def arg(self, type: TensorType) -> Value:
        v = Value(check_size(type, "argument"))
        self.block.args.append(v)
        return v

    def emit(self, prim: str, operands=(), attrs=None, regions=()) -> list:
        """Append `prim(operands)`; its result types come from the primitive's type rule."""
        attrs = attrs or {}
        region_types = list(regions)   # type rules read .arg_types/.result_types (lazy regions stay lazy)
        out_types = infer_types(prim, [v.type for v in operands], attrs, region_types)
        op = Op(prim, operands, [Value(t) for t in out_types], attrs, regions)
        self.block.ops.append(op)
        return op.results

    def emit1(self, prim, operands=(), attrs=None, regions=()) -> Value:
        out, = self.emit(prim, operands, attrs, regions)
        return out

    def constant(self, value, dtype=None, weak=False) -> Value:
        return self.emit1("constant", (), constant_attrs(value, dtype, weak))

    def ret(self, *values):
        self.block.results = list(values)
        return self.block


def constant_attrs(value, dtype=None, weak=False):
    arr = np.asarray(value, dtype=dtype)
    return {"value": arr, "weak": True} if weak else {"value": arr}


def emit_block(b: Builder, block, args):
    """Emit a copy of `block`'s ops into `b` with its arguments bound to `args`; returns its results."""
    env = dict(zip(block.args, args))
    for op in block.ops:
        env.update(zip(op.results, b.emit(op.prim, [env[v] for v in op.operands], op.attrs, op.regions)))
    return [env[v] for v in block.results]
