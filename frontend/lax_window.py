"""lax.reduce_window and lax.reduce, as jax.lax: a reduction given as a Python function of scalars.

Sums, products, maxima and minima with their identity as init value (lax.add with 0, lax.max with -inf, ...)
become the dedicated primitives (reduce_window_sum, reduce_sum, ...), as JAX does; any other computation is
traced once on scalars into the region of a reduce_window / reduce op."""
import operator

import numpy as np

from ..ir import types as T
from ..ir.primitives_conv import dilate_dim, stride_dim
from ..ir.builder import Builder
from . import lax, tree
from .abstract import ShapeDtypeStruct
from .api import ir_name, trace_flat
from .core import bind, bind1, concrete_value, constant, type_of
from .lax_conv import padtype_to_pads


def _identity(kind, dtype):
    dtype = np.dtype(dtype)
    if kind == "sum":
        return np.zeros((), dtype)
    if kind == "prod":
        return np.ones((), dtype)
    if kind in ("or", "and", "xor"):      # bitwise: integers and booleans only
        if not (T.is_int(dtype) or dtype == np.bool_):
            return None
        return np.array(-1).astype(dtype) if kind == "and" else np.zeros((), dtype)
    big = kind == "min"
    if T.is_float(dtype):
        return np.array(np.inf if big else -np.inf, dtype)
    if dtype == np.bool_:
        return np.array(big)
    if T.is_int(dtype):
        info = np.iinfo(dtype)
        return np.array(info.max if big else info.min, dtype)
    return None


_MONOIDS = {lax.add: "sum", lax.mul: "prod", lax.max: "max", lax.min: "min", lax.bitwise_or: "or",
            lax.bitwise_and: "and", lax.bitwise_xor: "xor"}


def _monoid(computation, init, dtype):
    """'sum', 'prod', 'max' or 'min' when `computation` with init value `init` is that monoid, else None."""
    kind = _MONOIDS.get(computation)
    if kind is None or np.ndim(init) != 0:
        return None
    value = concrete_value(init) if not isinstance(init, (bool, int, float, complex, np.generic, np.ndarray)) \
        else np.asarray(init)
    ident = _identity(kind, dtype)
    if value is None or ident is None:
        return None
    return kind if np.asarray(value, ident.dtype) == ident else None


def _as_init(x, dtype, what):
    t = type_of(x)
    if t is None or t.shape != ():
        raise TypeError(f"{what}: init values must be scalars, got {x!r}")
    if isinstance(x, (bool, int, float, complex)):
        return constant(x, dtype)
    if t.dtype != dtype:
        raise TypeError(f"{what}: init value of dtype {T.dtype_name(t.dtype)} for an operand of dtype "
                        f"{T.dtype_name(dtype)}; they must agree")
    return x


def _body(computation, treedef, dtypes, what):
    """The computation traced on scalars: (accumulators..., elements...) -> accumulators, as an IR block."""
    scalars = [ShapeDtypeStruct((), d) for d in dtypes]
    n = len(scalars)
    like = treedef.unflatten([0] * n)
    func, out_tree, _, _ = trace_flat(lambda a, b: computation(a, b), scalars + scalars, tree.structure((like, like)),
                                      ir_name(computation), embed_arrays=True)
    outs = func.results
    if out_tree != treedef or any(r.type.shape != () for r in outs):
        raise TypeError(f"{what}: the computation must return scalars in the operands' structure {treedef}; got "
                        f"{out_tree.unflatten([str(r.type) for r in outs])}")
    block = func.body
    b = Builder(block)
    block.results = [r if r.type == T.TensorType((), d) else
                     b.emit1("convert_element_type", [r], {"new_dtype": np.dtype(d), "weak_type": False})
                     for r, d in zip(block.results, dtypes)]
    return block


def _seq(what, name, value, n, default):
    if value is None:
        return (default,) * n
    try:
        value = tuple(operator.index(v) for v in value)
    except TypeError:
        raise TypeError(f"{what}: {name} must be a sequence of integers, got {value!r}") from None
    if len(value) != n:
        raise TypeError(f"{what}: {name} must have one entry per operand dimension ({n}), got {value!r}")
    return value


def reduce_window(operand, init_value, computation, window_dimensions, window_strides=None, padding="VALID",
                  base_dilation=None, window_dilation=None):
    """Reduce each window of operand (an array or a pytree of arrays of one shape) with computation, starting
    from init_value (a scalar, or a pytree of scalars like operand). padding: 'VALID', 'SAME', 'SAME_LOWER'
    or (low, high) pairs."""
    what = "reduce_window"
    flat, treedef = tree.flatten(operand)
    inits, init_tree = tree.flatten(init_value)
    if treedef != init_tree:
        raise ValueError(f"Operands must have the same tree structure as init_values: {treedef} vs. {init_tree}")
    if not flat:
        raise ValueError("reduce_window must have at least one operand.")
    shape = type_of(flat[0]).shape
    n = len(shape)
    window_dimensions = _seq(what, "window_dimensions", window_dimensions, n, 1)
    window_strides = _seq(what, "window_strides", window_strides, n, 1)
    base_dilation = _seq(what, "base_dilation", base_dilation, n, 1)
    window_dilation = _seq(what, "window_dilation", window_dilation, n, 1)
    if isinstance(padding, str):
        dilated = [1 + d * (w - 1) for w, d in zip(window_dimensions, window_dilation)]
        padding = padtype_to_pads(shape, dilated, window_strides, padding)
    try:
        padding = tuple((operator.index(lo), operator.index(hi)) for lo, hi in padding)
    except (TypeError, ValueError):
        raise TypeError(f"{what}: padding must be a string or (low, high) integer pairs, got {padding!r}") from None
    attrs = dict(window_dimensions=window_dimensions, window_strides=window_strides, padding=padding,
                 base_dilation=base_dilation, window_dilation=window_dilation)
    dtypes = [type_of(x).dtype for x in flat]
    if len(flat) == 1:
        kind = _monoid(computation, inits[0], dtypes[0])
        if kind in ("sum", "max", "min"):
            return bind1(f"reduce_window_{kind}", flat[0], **attrs)
    inits = [_as_init(i, d, what) for i, d in zip(inits, dtypes)]
    outs = bind("reduce_window", *flat, *inits, regions=[_body(computation, treedef, dtypes, what)], **attrs)
    return treedef.unflatten(outs)


def reduce_window_shape_tuple(operand_shape, window_dimensions, window_strides, padding, base_dilation=None,
                              window_dilation=None):
    """Output shape of reduce_window, from shapes alone; padding: (low, high) pairs."""
    def dilated(shape, factors):
        if factors is None:
            return tuple(shape)
        if any(f < 1 for f in factors):
            raise TypeError(f"All dilations must be positive, got {tuple(factors)}.")
        factors = (1,) * (len(shape) - len(factors)) + tuple(factors)
        return tuple(dilate_dim(n, f) for n, f in zip(shape, factors))
    operand_shape = dilated(operand_shape, base_dilation)
    window_dimensions = dilated(window_dimensions, window_dilation)
    return tuple(stride_dim(int(n) + int(lo) + int(hi), int(w), int(s))
                 for n, (lo, hi), w, s in zip(operand_shape, padding, window_dimensions, window_strides))


_REDUCE_PRIMS = {"sum": lax.reduce_sum, "prod": lax.reduce_prod, "max": lax.reduce_max, "min": lax.reduce_min,
                 "or": lax.reduce_or, "and": lax.reduce_and, "xor": lax.reduce_xor}


def reduce(operands, init_values, computation, dimensions):
    """Reduce operands (an array or a pytree of arrays of one shape) over `dimensions` with computation,
    a function of (accumulators, elements) pytrees like operands, from init_values."""
    what = "reduce"
    flat, treedef = tree.flatten(operands)
    inits, init_tree = tree.flatten(init_values)
    if treedef != init_tree:
        raise ValueError(f"Operands must have the same tree structure as init_values: {treedef} vs. {init_tree}")
    if not flat:
        raise ValueError("reduce must have at least one operand.")
    ndim = type_of(flat[0]).ndim
    dims = tuple(lax._axis(d, ndim, "dimension") for d in dimensions)
    dtypes = [type_of(x).dtype for x in flat]
    if len(flat) == 1:
        kind = _monoid(computation, inits[0], dtypes[0])
        if kind is not None:
            return treedef.unflatten([_REDUCE_PRIMS[kind](flat[0], dims)])
    if len({type_of(x).shape for x in flat}) != 1:
        raise ValueError(f"reduce: operands must have one shape, got {[tuple(type_of(x).shape) for x in flat]}")
    inits = [_as_init(i, d, what) for i, d in zip(inits, dtypes)]
    outs = bind("reduce", *flat, *inits, regions=[_body(computation, treedef, dtypes, what)], axes=dims)
    return treedef.unflatten(outs)
