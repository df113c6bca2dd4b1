"""Lowering of ops that carry regions."""
import numpy as np

from ..registry import rule
from ..mlir import dense_constant, func, hlo, ir, tensor_type


@rule("call")
def _call(ctx, op, *args):
    name = ctx.region_function(op.attrs.get("callee", "f"), op.regions[0])
    return list(func.CallOp([tensor_type(r.type) for r in op.results], name, list(args)).results)


def _call_region(ctx, op, region, args, name):
    fname = ctx.region_function(name, region)
    return list(func.CallOp([tensor_type(r.type) for r in region.results], fname, list(args)).results)


@rule("custom_jvp_call", "custom_vjp_call")
def _custom_call(ctx, op, *args):
    """Compiled code runs the function itself; the custom rules matter only to the AD passes."""
    return _call_region(ctx, op, op.regions[0], args, op.attrs.get("name", "f"))


@rule("custom_vjp_lin")
def _custom_vjp_lin(ctx, op, *args):
    raise TypeError(f"can't apply forward-mode autodiff (jvp) to a custom_vjp function "
                    f"({op.attrs.get('name', 'f')}): only reverse mode (grad, vjp) is defined for it")


@rule("stop_gradient")
def _stop_gradient(ctx, op, x):
    return [x]


# ---- structured control flow -----------------------------------------------------------------------

def _i32(value):
    return dense_constant(np.array(value, np.int32))


@rule("cond")
def _cond(ctx, op, index, *args):
    """stablehlo.case; its branches see the operands directly (case regions may use outer values)."""
    n = len(op.regions)
    if n == 1:
        return ctx.lower_block(op.regions[0], list(args))
    index = hlo.clamp(_i32(0), index, _i32(n - 1))   # case would run the last branch for any index out of range
    case = hlo.CaseOp([tensor_type(r.type) for r in op.results], index, n)
    for region, branch in zip(case.regions, op.regions):
        with ir.InsertionPoint(region.blocks.append()):
            hlo.return_(ctx.lower_block(branch, list(args)))
    return list(case.results)


@rule("while")
def _while(ctx, op, *args):
    """stablehlo.while carrying the consts along with the carry (its regions see only their arguments)."""
    ncc, nbc = op.attrs["cond_nconsts"], op.attrs["body_nconsts"]
    types = [tensor_type(v.type) for v in op.operands]
    loop = hlo.WhileOp(types, list(args))
    cond_block = loop.regions[0].blocks.append(*types)
    with ir.InsertionPoint(cond_block):
        a = list(cond_block.arguments)
        hlo.return_(ctx.lower_block(op.regions[0], a[:ncc] + a[ncc + nbc:]))
    body_block = loop.regions[1].blocks.append(*types)
    with ir.InsertionPoint(body_block):
        a = list(body_block.arguments)
        hlo.return_(a[:ncc + nbc] + ctx.lower_block(op.regions[1], a[ncc:ncc + nbc] + a[ncc + nbc:]))
    return list(loop.results)[ncc + nbc:]


@rule("scan")
def _scan(ctx, op, *args):
    """stablehlo.while over a counter i: each step reads x[i] with dynamic_slice and writes y[i] into
    preallocated ys with dynamic_update_slice (i runs from the end when reverse)."""
    nc, ncar, n = op.attrs["num_consts"], op.attrs["num_carry"], op.attrs["length"]
    reverse = op.attrs.get("reverse", False)
    consts, init, xs = list(args[:nc]), list(args[nc:nc + ncar]), list(args[nc + ncar:])
    ys_types = [r.type for r in op.results[ncar:]]
    if n == 0:
        return init + [dense_constant(np.zeros(t.shape, t.dtype)) for t in ys_types]
    ys = [hlo.broadcast_in_dim(tensor_type(t), dense_constant(np.zeros((), t.dtype)), []) for t in ys_types]
    operands = [_i32(0)] + consts + init + xs + ys
    types = [o.type for o in operands]
    loop = hlo.WhileOp(types, operands)
    cond_block = loop.regions[0].blocks.append(*types)
    with ir.InsertionPoint(cond_block):
        hlo.return_([hlo.compare(cond_block.arguments[0], _i32(n), hlo.ComparisonDirectionAttr.get("LT"),
                                 compare_type=hlo.ComparisonTypeAttr.get("SIGNED"))])
    body_block = loop.regions[1].blocks.append(*types)
    with ir.InsertionPoint(body_block):
        a = list(body_block.arguments)
        i, a = a[0], a[1:]
        c, carry, x, y = a[:nc], a[nc:nc + ncar], a[nc + ncar:nc + ncar + len(xs)], a[nc + ncar + len(xs):]
        k = hlo.subtract(_i32(n - 1), i) if reverse else i
        zero = _i32(0)
        slices = []
        for v, t in zip(x, [u.type for u in op.operands[nc + ncar:]]):
            part = hlo.dynamic_slice(v, [k] + [zero] * (t.ndim - 1), [1] + list(t.shape[1:]))
            slices.append(hlo.reshape(tensor_type(t.update(shape=t.shape[1:])), part))
        outs = ctx.lower_block(op.regions[0], c + carry + slices)
        new_ys = []
        for buf, out, t in zip(y, outs[ncar:], ys_types):
            piece = hlo.reshape(tensor_type(t.update(shape=(1,) + t.shape[1:])), out)
            new_ys.append(hlo.dynamic_update_slice(buf, piece, [k] + [zero] * (t.ndim - 1)))
        hlo.return_([hlo.add(i, _i32(1))] + c + outs[:ncar] + x + new_ys)
    return list(loop.results)[1 + nc:1 + nc + ncar] + list(loop.results)[1 + nc + ncar + len(xs):]
