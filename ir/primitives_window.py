"""Windowed reductions (stablehlo.reduce_window and select_and_scatter) and the general reduction with a body.

Window parameters, as jax.lax's, one entry per operand dimension:

    window_dimensions  the window's size
    window_strides     its stride
    padding            (low, high) pairs added to the (dilated) operand
    base_dilation      operand elements spread apart by factor - 1 holes
    window_dilation    window taps spread apart likewise

- reduce_window_sum / _max / _min(x): the sum, max or min over each window (the padding holds the identity).
- reduce_window(*operands, *init_values): any reduction; its region takes two sets of scalars (accumulators,
  then elements) and returns the new accumulators.
- reduce(*operands, *init_values) {axes}: the same, over whole axes (lax.reduce with a custom computation).
- select_and_gather_add(tangents, operand): per window, the tangent at the element the window's max
  (select_prim "ge") or min ("le") picks: the JVP of reduce_window_max/min.
- select_and_scatter_add(source, operand): each window's source value added at the element of operand that
  its max ("ge") or min ("le") picks: the transpose of select_and_gather_add, so the max-pool gradient.
"""
import numpy as np

from .primitive_table import REGION_PRIMITIVES, fail, primitive
from .primitives_conv import _ints, _pairs, dilate_dim, stride_dim
from .types import TensorType

SELECT_PRIMS = ("ge", "le")


def window_shape(prim, x, window_dimensions, window_strides, padding, base_dilation=None, window_dilation=None,
                 others=()):
    """The shape of a windowed reduction of x, after checking the window parameters against it."""
    t = (x,) + tuple(others)
    n = x.ndim
    dims = _ints(prim, "window_dimensions", window_dimensions, n, t)
    strides = _ints(prim, "window_strides", window_strides, n, t)
    pads = _pairs(prim, padding, n, t)
    bd = _ints(prim, "base_dilation", (1,) * n if base_dilation is None else base_dilation, n, t)
    wd = _ints(prim, "window_dilation", (1,) * n if window_dilation is None else window_dilation, n, t)
    out = []
    for i in range(n):
        size = dilate_dim(x.shape[i], bd[i]) + pads[i][0] + pads[i][1]
        if size < 0:
            fail(prim, f"padding {pads[i]} is more negative than dimension {i} is long", *t)
        out.append(stride_dim(size, dilate_dim(dims[i], wd[i]), strides[i]))
    return tuple(out)


def _monoid(name, numeric_only):
    def rule(x, *, window_dimensions, window_strides, padding, base_dilation, window_dilation):
        if numeric_only and x.dtype == np.bool_:
            fail(name, "expected a numeric operand, got bool", x)
        return [x.update(shape=window_shape(name, x, window_dimensions, window_strides, padding, base_dilation,
                                            window_dilation))]
    primitive(name)(rule)


_monoid("reduce_window_sum", numeric_only=True)
_monoid("reduce_window_max", numeric_only=False)     # booleans: any / all over the window
_monoid("reduce_window_min", numeric_only=False)


def _scalar_body(prim, operands, inits, regions):
    """Check a reduction body: region (accumulators..., elements...) -> accumulators, all scalars."""
    body, = regions
    if not operands or len(operands) != len(inits):
        raise TypeError(f"{prim}: expected n operands then n init values, n >= 1; got {len(operands) + len(inits)} "
                        f"operands")
    if any(i.shape != () or i.dtype != x.dtype for x, i in zip(operands, inits)):
        fail(prim, "init values must be scalars of their operands' dtypes", *operands, *inits)
    scalars = [TensorType((), x.dtype) for x in operands]
    if [a.strong() for a in body.arg_types] != scalars + scalars or \
            [r.strong() for r in body.result_types] != scalars:
        raise TypeError(f"{prim}: the body must map ({', '.join(map(str, scalars + scalars))}) to "
                        f"({', '.join(map(str, scalars))}), got ({', '.join(map(str, body.arg_types))}) -> "
                        f"({', '.join(map(str, body.result_types))})")


REGION_PRIMITIVES.update({"reduce_window", "reduce"})


@primitive("reduce_window")
def _reduce_window(*args, regions, window_dimensions, window_strides, padding, base_dilation, window_dilation):
    operands, inits = args[:len(args) // 2], args[len(args) // 2:]
    _scalar_body("reduce_window", operands, inits, regions)
    if len({x.shape for x in operands}) != 1:
        fail("reduce_window", "operands must have one shape", *operands)
    shape = window_shape("reduce_window", operands[0], window_dimensions, window_strides, padding, base_dilation,
                         window_dilation)
    return [TensorType(shape, x.dtype) for x in operands]


@primitive("reduce")
def _reduce(*args, regions, axes):
    operands, inits = args[:len(args) // 2], args[len(args) // 2:]
    _scalar_body("reduce", operands, inits, regions)
    if len({x.shape for x in operands}) != 1:
        fail("reduce", "operands must have one shape", *operands)
    ndim = operands[0].ndim
    try:
        axes = tuple(int(a) for a in axes)
    except (TypeError, ValueError):
        fail("reduce", f"axes must be integers, got {axes!r}", *operands)
    if any(not 0 <= a < ndim for a in axes) or len(set(axes)) != len(axes):
        fail("reduce", f"axes {list(axes)} invalid for rank {ndim}", *operands)
    shape = tuple(n for i, n in enumerate(operands[0].shape) if i not in axes)
    return [TensorType(shape, x.dtype) for x in operands]


def _select_prim(prim, select_prim, *t):
    if select_prim not in SELECT_PRIMS:
        fail(prim, f"select_prim must be one of {', '.join(SELECT_PRIMS)}, got {select_prim!r}", *t)


@primitive("select_and_gather_add")
def _select_and_gather_add(tangents, operand, *, select_prim, window_dimensions, window_strides, padding,
                           base_dilation, window_dilation):
    prim = "select_and_gather_add"
    _select_prim(prim, select_prim, tangents, operand)
    if tangents.shape != operand.shape or tangents.dtype != operand.dtype or operand.dtype == np.bool_:
        fail(prim, "tangents and operand must have one shape and one numeric dtype", tangents, operand)
    return [tangents.update(shape=window_shape(prim, operand, window_dimensions, window_strides, padding,
                                               base_dilation, window_dilation, others=(tangents,)))]


@primitive("select_and_scatter_add")
def _select_and_scatter_add(source, operand, *, select_prim, window_dimensions, window_strides, padding):
    prim = "select_and_scatter_add"
    _select_prim(prim, select_prim, source, operand)
    if source.dtype != operand.dtype or operand.dtype == np.bool_:
        fail(prim, "source and operand must have one numeric dtype", source, operand)
    if source.shape != window_shape(prim, operand, window_dimensions, window_strides, padding, others=(source,)):
        fail(prim, "source must have the shape of the operand's windows", source, operand)
    return [source.update(shape=operand.shape)]
