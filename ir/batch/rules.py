"""Batching rules, one per primitive. A rule gets the batch context, the op, its new operands and their
batch dimensions (None: unbatched) and returns the results and their batch dimensions."""
from ..core import Func, LazyBlock
from ..primitives import PRIMITIVES
from .batch import BATCH_RULES, batch, batch_rule


def elementwise(ctx, op, xs, ds):
    """Operands of one shape: if every operand is batched at the same dimension the op applies as it is;
    otherwise batch dims move to the front and unbatched operands are broadcast there."""
    batched = {d for d in ds if d is not None}
    if len(batched) == 1 and None not in ds:
        d, = batched
        return ctx.b.emit(op.prim, xs, op.attrs, op.regions), [d] * len(op.results)
    xs = [ctx.to_front(x, d) for x, d in zip(xs, ds)]
    return ctx.b.emit(op.prim, xs, op.attrs, op.regions), [0] * len(op.results)


ELEMENTWISE = ["add", "sub", "mul", "div", "rem", "pow", "max", "min", "atan2", "nextafter", "and", "or",
               "xor", "shift_left", "shift_right_arithmetic", "shift_right_logical", "eq", "ne", "lt", "le",
               "gt", "ge", "complex", "neg", "sign", "floor", "ceil", "round", "is_finite", "exp", "exp2", "log",
               "log1p", "expm1", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh",
               "acosh", "atanh", "logistic", "sqrt", "rsqrt", "cbrt", "erf", "erfc", "erf_inv", "lgamma",
               "digamma", "square", "reciprocal", "abs", "not", "population_count", "clz", "real", "imag",
               "conj", "copy", "integer_pow", "convert_element_type", "stop_gradient"]
for _name in ELEMENTWISE:
    BATCH_RULES[_name] = elementwise


def _shift(axes, d):
    """Per-example axes as axes of the batched value whose batch dimension is d."""
    return tuple(a + (a >= d) for a in axes)


@batch_rule("reduce_sum", "reduce_prod", "reduce_max", "reduce_min", "reduce_and", "reduce_or", "reduce_xor")
def _reduce(ctx, op, xs, ds):
    (x,), (d,) = xs, ds
    axes = _shift(op.attrs["axes"], d)
    out = ctx.b.emit(op.prim, [x], dict(op.attrs, axes=axes))
    return out, [d - sum(a < d for a in axes)]


@batch_rule("broadcast_in_dim")
def _broadcast_in_dim(ctx, op, xs, ds):
    x = ctx.to_front(xs[0], ds[0])
    attrs = {"shape": (ctx.size,) + tuple(op.attrs["shape"]),
             "broadcast_dimensions": (0,) + tuple(d + 1 for d in op.attrs["broadcast_dimensions"])}
    return ctx.b.emit("broadcast_in_dim", [x], attrs), [0]


@batch_rule("reshape")
def _reshape(ctx, op, xs, ds):
    x = ctx.to_front(xs[0], ds[0])
    return ctx.b.emit("reshape", [x], {"new_sizes": (ctx.size,) + tuple(op.attrs["new_sizes"])}), [0]


@batch_rule("dot_general")
def _dot_general(ctx, op, xs, ds):
    (lhs, rhs), (dl, dr) = xs, ds
    a = op.attrs
    lc, rc, lb, rb = a["lhs_contracting"], a["rhs_contracting"], a.get("lhs_batch", ()), a.get("rhs_batch", ())
    attrs = dict(a)
    if dl is not None and dr is not None:      # a new batch dimension of the dot, which comes first
        lhs, rhs = ctx.to_front(lhs, dl), ctx.to_front(rhs, dr)
        attrs.update(lhs_contracting=_shift(lc, 0), rhs_contracting=_shift(rc, 0),
                     lhs_batch=(0,) + _shift(lb, 0), rhs_batch=(0,) + _shift(rb, 0))
        return ctx.b.emit("dot_general", [lhs, rhs], attrs), [0]
    if dl is not None:                         # a free dimension of lhs: it follows the dot's batch dims
        lhs = ctx.to_front(lhs, dl)
        attrs.update(lhs_contracting=_shift(lc, 0), lhs_batch=_shift(lb, 0))
        return ctx.b.emit("dot_general", [lhs, rhs], attrs), [len(lb)]
    rhs = ctx.to_front(rhs, dr)                # a free dimension of rhs: after lhs's free dims
    attrs.update(rhs_contracting=_shift(rc, 0), rhs_batch=_shift(rb, 0))
    n_lhs_free = op.operands[0].type.ndim - len(lc) - len(lb)
    return ctx.b.emit("dot_general", [lhs, rhs], attrs), [len(lb) + n_lhs_free]


@batch_rule("call")
def _call(ctx, op, xs, ds):
    body, out_dims = batch(Func(op.attrs.get("callee", "f"), op.regions[0]), ds, ctx.size, ctx.axis_name)
    return ctx.b.emit("call", xs, {"callee": body.name}, [body.body]), out_dims


def _all_front(ctx, xs, ds):
    return [ctx.to_front(x, d) for x, d in zip(xs, ds)]


def _lazy_batched(ctx, region, n_args):
    """A region batched with every argument and result at dimension 0, traced when first needed."""
    return LazyBlock(lambda: batch(Func("r", region), [0] * n_args, ctx.size, ctx.axis_name,
                                   out_dims_at_front=True)[0].body)


def _batched_region(ctx, region):
    return batch(Func("r", region), [0] * len(region.args), ctx.size, ctx.axis_name, out_dims_at_front=True)[0].body


@batch_rule("custom_jvp_call")
def _custom_jvp_call(ctx, op, xs, ds):
    """Everything batched at the front, so the rule's tangents are batched like its primals."""
    n = op.attrs["num_args"]
    fun = _batched_region(ctx, op.regions[0])
    rule = _lazy_batched(ctx, op.regions[1], 2 * n)
    return ctx.b.emit(op.prim, _all_front(ctx, xs, ds), op.attrs, [fun, rule]), [0] * len(op.results)


@batch_rule("custom_vjp_call")
def _custom_vjp_call(ctx, op, xs, ds):
    n = op.attrs["num_args"]
    fun = _batched_region(ctx, op.regions[0])
    fwd = _lazy_batched(ctx, op.regions[1], n)
    bwd_region = op.regions[2]
    bwd = LazyBlock(lambda: _batched_region(ctx, bwd_region))
    return ctx.b.emit(op.prim, _all_front(ctx, xs, ds), op.attrs, [fun, fwd, bwd]), [0] * len(op.results)


@batch_rule("custom_vjp_lin")
def _custom_vjp_lin(ctx, op, xs, ds):
    bwd_region = op.regions[0]
    bwd = LazyBlock(lambda: _batched_region(ctx, bwd_region))
    return ctx.b.emit(op.prim, _all_front(ctx, xs, ds), op.attrs, [bwd]), [0] * len(op.results)


# ---- named-axis collectives: reduced over the batch dimension when they name the mapped axis ----

@batch_rule("psum", "pmax", "pmin")
def _collective(ctx, op, xs, ds):
    (x,), (d,) = xs, ds
    if op.attrs["axis_name"] != ctx.axis_name:
        return ctx.b.emit(op.prim, [x], op.attrs), [d]
    if d is None:       # the same value in every member
        if op.prim != "psum":
            return [x], [None]
        n = ctx.b.constant(__import__("numpy").array(ctx.size, x.type.dtype))
        if x.type.shape:
            n = ctx.b.emit1("broadcast_in_dim", [n], {"shape": x.type.shape, "broadcast_dimensions": ()})
        return [ctx.b.emit1("mul", [x, n])], [None]
    prim = {"psum": "reduce_sum", "pmax": "reduce_max", "pmin": "reduce_min"}[op.prim]
    return ctx.b.emit(prim, [x], {"axes": (d,)}), [None]


@batch_rule("all_gather")
def _all_gather(ctx, op, xs, ds):
    (x,), (d,) = xs, ds
    axis, tiled = op.attrs.get("axis", 0), op.attrs.get("tiled", False)
    if op.attrs["axis_name"] != ctx.axis_name:
        x = ctx.to_front(x, d)
        return ctx.b.emit(op.prim, [x], dict(op.attrs, axis=axis + 1)), [0]
    out = ctx.to_dim(x, d, axis)             # the members, stacked along `axis`
    if tiled:
        shape = list(op.operands[0].type.shape)
        shape[axis] *= ctx.size
        out = ctx.b.emit1("reshape", [out], {"new_sizes": tuple(shape)})
    return [out], [None]


@batch_rule("axis_index")
def _axis_index(ctx, op, xs, ds):
    if op.attrs["axis_name"] != ctx.axis_name:
        return ctx.b.emit(op.prim, [], op.attrs), [None]
    return ctx.b.emit("iota", [], {"dtype": __import__("numpy").dtype("int32"), "shape": (ctx.size,),
                                   "dimension": 0}), [0]


assert set(BATCH_RULES) <= set(PRIMITIVES), sorted(set(BATCH_RULES) - set(PRIMITIVES))
