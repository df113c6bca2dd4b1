"""Lowering of the windowed reductions (stablehlo.reduce_window, stablehlo.select_and_scatter) and of the
general reduction with a body (stablehlo.reduce), as JAX 0.10.2 lowers them for CPU."""
import numpy as np

from ..mlir import dense_constant, hlo, ir, tensor_type
from ..registry import rule
from .elementwise import compare
from .structural import _COMBINE, _identity, reduce, scalar_type

_MONOID = {"reduce_window_sum": "reduce_sum", "reduce_window_max": "reduce_max", "reduce_window_min": "reduce_min"}
_CHOOSER = {"ge": "reduce_max", "le": "reduce_min"}      # select_prim -> the reduction whose identity pads


def _padding(pads):
    return ir.DenseIntElementsAttr.get(np.array(pads, np.int64).reshape(len(pads), 2))


def _reduce_window(a, result_types, operands, inits, body):
    """stablehlo.reduce_window with the window attributes `a`; body(accs, xs) -> new accs, on scalars."""
    dtypes = [t.dtype for t in result_types]
    rw = hlo.ReduceWindowOp([tensor_type(t) for t in result_types], list(operands), list(inits),
                            [int(d) for d in a["window_dimensions"]],
                            window_strides=[int(d) for d in a["window_strides"]],
                            base_dilations=[int(d) for d in a["base_dilation"]],
                            window_dilations=[int(d) for d in a["window_dilation"]],
                            padding=_padding(a["padding"]))
    n = len(operands)
    block = rw.regions[0].blocks.append(*[scalar_type(d) for d in dtypes * 2])
    with ir.InsertionPoint(block):
        args = list(block.arguments)
        hlo.return_(list(body(args[:n], args[n:])))
    return list(rw.results)


@rule(*_MONOID)
def _reduce_window_monoid(ctx, op, x):
    dtype = op.operands[0].type.dtype
    combine = _COMBINE[_MONOID[op.prim]](dtype)
    init = dense_constant(_identity(_MONOID[op.prim], dtype))
    return _reduce_window(op.attrs, [op.results[0].type], [x], [init], lambda acc, new: [combine(acc[0], new[0])])


@rule("reduce_window")
def _reduce_window_general(ctx, op, *args):
    n = len(args) // 2
    body = lambda acc, new: ctx.lower_block(op.regions[0], acc + new)
    return _reduce_window(op.attrs, [r.type for r in op.results], args[:n], args[n:], body)


@rule("reduce")
def _reduce_general(ctx, op, *args):
    n = len(args) // 2
    return reduce(op, args[:n], args[n:], op.attrs["axes"], lambda acc, new: ctx.lower_block(op.regions[0], acc + new))


@rule("select_and_gather_add")
def _select_and_gather_add(ctx, op, tangents, operand):
    """A reduce_window over (operand, tangent) pairs keeping the pair whose operand the window selects."""
    dtype = op.operands[1].type.dtype
    direction = op.attrs["select_prim"].upper()
    inits = [dense_constant(_identity(_CHOOSER[op.attrs["select_prim"]], dtype)), dense_constant(np.zeros((), dtype))]

    def pick(acc, new):
        (kx, vx), (ky, vy) = acc, new
        which = compare(kx, ky, direction, dtype)
        return [hlo.select(which, kx, ky), hlo.select(which, vx, vy)]
    out = op.results[0].type
    return _reduce_window(op.attrs, [out.update(dtype=dtype), out], [operand, tangents], inits, pick)[1:]


@rule("select_and_scatter_add")
def _select_and_scatter_add(ctx, op, source, operand):
    """The operand padded with the selection's identity first (JAX's workaround for an XLA:CPU crash on
    padded select_and_scatter), the result sliced back."""
    a = op.attrs
    t = op.operands[1].type
    dtype = t.dtype
    pads = [tuple(int(v) for v in p) for p in a["padding"]]
    identity = dense_constant(_identity(_CHOOSER[a["select_prim"]], dtype))
    padded_shape = tuple(n + lo + hi for n, (lo, hi) in zip(t.shape, pads))
    padded = hlo.pad(operand, identity, [lo for lo, _ in pads], [hi for _, hi in pads], [0] * t.ndim)
    sas = hlo.SelectAndScatterOp(tensor_type(t.update(shape=padded_shape)), padded, source,
                                 dense_constant(np.zeros((), dtype)),
                                 window_dimensions=[int(d) for d in a["window_dimensions"]],
                                 window_strides=[int(d) for d in a["window_strides"]],
                                 padding=_padding([(0, 0)] * t.ndim))
    scalar = scalar_type(dtype)
    select = sas.regions[0].blocks.append(scalar, scalar)
    with ir.InsertionPoint(select):
        hlo.return_([compare(select.arguments[0], select.arguments[1], a["select_prim"].upper(), dtype)])
    scatter = sas.regions[1].blocks.append(scalar, scalar)
    with ir.InsertionPoint(scatter):
        hlo.return_([hlo.add(scatter.arguments[0], scatter.arguments[1])])
    out = sas.result
    if any(lo or hi for lo, hi in pads):
        out = hlo.slice(out, [lo for lo, _ in pads], [lo + n for (lo, _), n in zip(pads, t.shape)], [1] * t.ndim)
    return [out]
