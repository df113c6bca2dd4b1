"""Lowering of top_k and approx_top_k, as JAX 0.10.2 lowers them on CPU.

- top_k: chlo.top_k over the last dimension, between transposes that swap `axis` with the last dimension.
- approx_top_k: XLA's ApproxTopK custom call with is_fallback=true (JAX's lowering off TPU). XLA turns it into
  a sort by the comparator (values compared GT for max-k, LT for min-k: NaNs compare false, so they are not
  ordered) and a slice, so the results are exact. Operands: the values, an int32 iota along the reduced
  dimension (the indices), and their initial values -inf (+inf for min-k) and -1; the options go in the
  unregistered `mhlo.backend_config` dictionary, with api_version 1, as JAX's mlir.custom_call writes them.
"""
import numpy as np

from ...ir.types import TensorType
from ..mlir import chlo, dense_constant, element_type, func, hlo, ir, tensor_type
from ..registry import rule


@rule("top_k")
def _top_k(ctx, op, x):
    axis, nd = op.attrs["axis"], op.operands[0].type.ndim
    perm = list(range(nd))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    swap = axis != nd - 1
    if swap:
        x = hlo.transpose(x, perm)
    moved = [r.type.update(shape=tuple(r.type.shape[p] for p in perm)) for r in op.results]
    outs = list(chlo.top_k(x, op.attrs["k"], results=[tensor_type(t) for t in moved]))
    return [hlo.transpose(o, perm) for o in outs] if swap else outs


def _comparator(ctx, dtype, is_max_k):
    """The module's comparator function for this dtype and direction (one per pair, as JAX names them)."""
    key = ("approx_top_k comparator", np.dtype(dtype), is_max_k)
    if key in ctx.symbols:
        return ctx.symbols[key]
    scalar, index = tensor_type(TensorType((), dtype)), tensor_type(TensorType((), np.dtype(np.int32)))
    name = base = f"top_k_{'gt' if is_max_k else 'lt'}_{element_type(dtype)}_comparator"
    i = 0
    while name in ctx.names:
        i += 1
        name = f"{base}_{i}"
    ctx.names.add(name)
    with ir.InsertionPoint.at_block_begin(ctx.module.body):
        fn = func.FuncOp(name, ir.FunctionType.get([scalar, scalar, index, index],
                                                   [tensor_type(TensorType((), np.dtype(np.bool_)))]))
    block = fn.add_entry_block()
    with ir.InsertionPoint(block):
        a, b, _, _ = block.arguments
        hlo.return_([hlo.compare(a, b, hlo.ComparisonDirectionAttr.get("GT" if is_max_k else "LT"))])
    ctx.symbols[key] = name
    return name


@rule("approx_top_k")
def _approx_top_k(ctx, op, x):
    a, t = op.attrs, op.operands[0].type
    dim, is_max_k = a["reduction_dimension"], bool(a["is_max_k"])
    comparator = _comparator(ctx, t.dtype, is_max_k)
    iota = hlo.iota(tensor_type(t.update(dtype=np.dtype(np.int32), weak=False)), dim)
    init_index = dense_constant(np.array(-1, np.int32))
    init_value = dense_constant(np.array(-np.inf if is_max_k else np.inf, t.dtype))
    i64 = ir.IntegerType.get_signless(64)
    config = {
        "reduction_dim": ir.IntegerAttr.get(i64, dim),
        "recall_target": ir.FloatAttr.get(ir.F32Type.get(), float(a["recall_target"])),
        "aggregate_to_topk": ir.BoolAttr.get(bool(a["aggregate_to_topk"])),
        "reduction_input_size_override": ir.IntegerAttr.get(i64, a["reduction_input_size_override"]),
        "is_fallback": ir.BoolAttr.get(True),
        "top_k": ir.IntegerAttr.get(i64, a["k"]),
    }
    call = hlo.CustomCallOp([tensor_type(r.type) for r in op.results], [x, iota, init_value, init_index],
                            "ApproxTopK", backend_config=ir.StringAttr.get(""),
                            api_version=ir.IntegerAttr.get(ir.IntegerType.get_signless(32), 1),
                            called_computations=ir.ArrayAttr.get([ir.FlatSymbolRefAttr.get(comparator)]))
    call.operation.attributes["mhlo.backend_config"] = ir.DictAttr.get(config)
    return list(call.results)
