"""Host callbacks: jaxlib's CPU FFI handler `xla_ffi_python_cpu_callback` calls the Python function at
position `index` of the `host_callbacks` list the executable was compiled with (as JAX 0.10.2 lowers
debug.print and pure_callback). `index` is per module; the op also carries its registry id as
`lintra.callback_id`, so the runtime can rebuild that list from the module text alone."""
import numpy as np

from ..mlir import hlo, ir, tensor_type
from ..registry import rule


def _layout(t):
    return ir.DenseIntElementsAttr.get(np.arange(t.ndim - 1, -1, -1, dtype=np.int64), type=ir.IndexType.get())


def _block_token(ctx, token=None):
    """The token that orders this block's ordered callbacks (made on first use); with `token`, set it."""
    block, tokens = ir.InsertionPoint.current.block, ctx.__dict__.setdefault("callback_tokens", [])
    for i, (b, t) in enumerate(tokens):
        if b == block:
            if token is not None:
                tokens[i] = (b, token)
            return tokens[i][1]
    tokens.append((block, token if token is not None else hlo.create_token()))
    return tokens[-1][1]


@rule("callback")
def _callback(ctx, op, *args):
    ids = ctx.__dict__.setdefault("callback_ids", [])
    if op.attrs["callback"] not in ids:
        ids.append(op.attrs["callback"])
    in_types = [v.type for v in op.operands]
    out_types = [r.type for r in op.results]
    operands, results = list(args), [tensor_type(t) for t in out_types]
    in_layouts, out_layouts = [_layout(t) for t in in_types], [_layout(t) for t in out_types]
    # ordered effects (ordered=True, io_callback) keep program order: a token threads through each block's
    # ordered callbacks, as JAX threads one through the module
    ordered = op.attrs["kind"] != "pure" and op.attrs.get("ordered", False)
    if ordered:
        empty = ir.DenseIntElementsAttr.get(np.zeros(0, np.int64), type=ir.IndexType.get())
        operands, in_layouts = [_block_token(ctx)] + operands, [empty] + in_layouts
        results, out_layouts = [hlo.TokenType.get()] + results, [empty] + out_layouts
    config = ir.DictAttr.get({"index": ir.IntegerAttr.get(ir.IntegerType.get_unsigned(64),
                                                          ids.index(op.attrs["callback"]))})
    call = hlo.CustomCallOp(
        results, operands, "xla_ffi_python_cpu_callback", backend_config=config,
        has_side_effect=ir.BoolAttr.get(op.attrs["kind"] != "pure"),
        api_version=ir.IntegerAttr.get(ir.IntegerType.get_signless(32), 4),
        operand_layouts=ir.ArrayAttr.get(in_layouts), result_layouts=ir.ArrayAttr.get(out_layouts))
    call.attributes["lintra.callback_id"] = ir.IntegerAttr.get(ir.IntegerType.get_signless(64),
                                                               op.attrs["callback"])
    outs = list(call.results)
    if ordered:
        _block_token(ctx, outs[0])
        outs = outs[1:]
    return outs
