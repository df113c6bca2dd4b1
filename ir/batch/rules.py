"""Batching rules, one per primitive. A rule gets the batch context, the op, its new operands and their
batch dimensions (None: unbatched) and returns the results and their batch dimensions.

Rules keep a batch dimension where it is when the primitive allows it, and move it (to the front) only
when they must. Constants and iota have no operands, so the pass never batches them.

Indexing with batched indices follows JAX: dynamic_slice and dynamic_update_slice become gather and
scatter, and gather/scatter pair the batch dimension of operand and indices with
operand_batching_dims / start_indices_batching_dims.
"""
import numpy as np

from .. import types as T
from ..core import Func, LazyBlock, is_built, known_types
from ..primitives import PRIMITIVES
from .batch import BATCH_RULES, batch, batch_rule


def _shift(axes, d):
    """Per-example axes as axes of the batched value whose batch dimension is d."""
    return tuple(a + (a >= d) for a in axes)


def _plus1(axes):
    return tuple(a + 1 for a in axes)


def _out_dim(d, removed):
    """Where batch dimension d ends up once the (batched-value) dimensions `removed` are gone."""
    return d - sum(a < d for a in removed)


def _all_front(ctx, xs, ds):
    return [ctx.to_front(x, d) for x, d in zip(xs, ds)]


def _aligned(ctx, xs, ds):
    """Operands batched at one common dimension: kept there when they all already are, else all moved (or
    broadcast) to the front. Returns (operands, that dimension)."""
    batched = {d for d in ds if d is not None}
    if len(batched) == 1 and None not in ds:
        return list(xs), batched.pop()
    return _all_front(ctx, xs, ds), 0


def _per_example(op, i):
    return op.operands[i].type


# ---- elementwise ---------------------------------------------------------------------------------

def elementwise(ctx, op, xs, ds):
    """Operands of one shape: if every operand is batched at the same dimension the op applies as it is;
    otherwise batch dims move to the front and unbatched operands are broadcast there."""
    xs, d = _aligned(ctx, xs, ds)
    return ctx.b.emit(op.prim, xs, op.attrs, op.regions), [d] * len(op.results)


ELEMENTWISE = ["add", "sub", "mul", "mulhi", "div", "rem", "pow", "max", "min", "atan2", "nextafter", "and", "or",
               "xor", "shift_left", "shift_right_arithmetic", "shift_right_logical", "eq", "ne", "lt", "le",
               "gt", "ge", "complex", "neg", "sign", "floor", "ceil", "round", "is_finite", "exp", "exp2", "log",
               "log1p", "expm1", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh",
               "acosh", "atanh", "logistic", "sqrt", "rsqrt", "cbrt", "erf", "erfc", "erf_inv", "lgamma",
               "digamma", "square", "reciprocal", "abs", "not", "population_count", "clz", "real", "imag",
               "conj", "copy", "integer_pow", "convert_element_type", "stop_gradient", "bessel_i0e", "bessel_i1e",
               "igamma", "igammac", "igamma_grad_a", "random_gamma_grad", "polygamma", "zeta",
               "regularized_incomplete_beta", "reduce_precision"]
for _name in ELEMENTWISE:
    BATCH_RULES[_name] = elementwise


def _scalar_operands(*positions):
    """Elementwise, except that the operands at `positions` may be scalars beside non-scalar operands
    (select_n's predicate, clamp's bounds). An unbatched scalar stays a scalar; a batched one, one scalar
    per example, is broadcast to the full batched shape."""
    def rule(ctx, op, xs, ds):
        shape = op.results[0].type.shape
        xs, ds, keep = list(xs), list(ds), set()
        for i in positions:
            if _per_example(op, i).shape == () and shape != ():
                if ds[i] is None:
                    keep.add(i)
                else:
                    xs[i] = ctx.b.emit1("broadcast_in_dim", [ctx.to_front(xs[i], ds[i])],
                                        {"shape": (ctx.size,) + shape, "broadcast_dimensions": (0,)})
                    ds[i] = 0
        rest = [i for i in range(len(xs)) if i not in keep]
        aligned, d = _aligned(ctx, [xs[i] for i in rest], [ds[i] for i in rest])
        for i, x in zip(rest, aligned):
            xs[i] = x
        return ctx.b.emit(op.prim, xs, op.attrs), [d]
    return rule


BATCH_RULES["select_n"] = _scalar_operands(0)
BATCH_RULES["clamp"] = _scalar_operands(0, 2)


@batch_rule("bitcast_convert_type")
def _bitcast(ctx, op, xs, ds):
    """A narrowing bitcast appends a dimension and a widening one consumes the last: the batch
    dimension must not be the last one when it is consumed."""
    (x,), (d,) = xs, ds
    widening = T.dtype(op.attrs["new_dtype"]).itemsize > x.type.dtype.itemsize
    if widening and d == x.type.ndim - 1:
        x, d = ctx.moveaxis(x, d, 0), 0
    return ctx.b.emit(op.prim, [x], op.attrs), [d]


# ---- reductions and scans --------------------------------------------------------------------------

@batch_rule("reduce_sum", "reduce_prod", "reduce_max", "reduce_min", "reduce_and", "reduce_or", "reduce_xor",
            "argmax", "argmin")
def _reduce(ctx, op, xs, ds):
    (x,), (d,) = xs, ds
    axes = _shift(op.attrs["axes"], d)
    return ctx.b.emit(op.prim, [x], dict(op.attrs, axes=axes)), [_out_dim(d, axes)]


@batch_rule("cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp")
def _cumulative(ctx, op, xs, ds):
    (x,), (d,) = xs, ds
    return ctx.b.emit(op.prim, [x], dict(op.attrs, axis=_shift((op.attrs["axis"],), d)[0])), [d]


@batch_rule("sort")
def _sort(ctx, op, xs, ds):
    """Unbatched operands are broadcast: every output is permuted per example."""
    xs, d = _aligned(ctx, xs, ds)
    attrs = dict(op.attrs, dimension=_shift((op.attrs["dimension"],), d)[0])
    return ctx.b.emit(op.prim, xs, attrs), [d] * len(xs)


# ---- shape ------------------------------------------------------------------------------------------

@batch_rule("broadcast_in_dim")
def _broadcast_in_dim(ctx, op, xs, ds):
    x = ctx.to_front(xs[0], ds[0])
    attrs = {"shape": (ctx.size,) + tuple(op.attrs["shape"]),
             "broadcast_dimensions": (0,) + _plus1(op.attrs["broadcast_dimensions"]),
             **_unsplit_at(op.attrs, 0)}
    return ctx.b.emit("broadcast_in_dim", [x], attrs), [0]


def _unsplit_at(attrs, d):
    """An out_sharding attribute with an unsplit batch dimension inserted at `d` (none when there is none)."""
    if "out_sharding" not in attrs:
        return {}
    s = list(attrs["out_sharding"])
    s.insert(d, ())
    return {"out_sharding": tuple(s)}


@batch_rule("reshape")
def _reshape(ctx, op, xs, ds):
    x = ctx.to_front(xs[0], ds[0])
    return ctx.b.emit("reshape", [x], {"new_sizes": (ctx.size,) + tuple(op.attrs["new_sizes"]),
                                       **_unsplit_at(op.attrs, 0)}), [0]


@batch_rule("transpose")
def _transpose(ctx, op, xs, ds):
    """The batch dimension stays where it is; the others are permuted around it."""
    (x,), (d,) = xs, ds
    perm = list(_shift(op.attrs["permutation"], d))
    perm.insert(d, d)
    return ctx.b.emit("transpose", [x], {"permutation": tuple(perm)}), [d]


@batch_rule("squeeze")
def _squeeze(ctx, op, xs, ds):
    (x,), (d,) = xs, ds
    dims = _shift(op.attrs["dimensions"], d)
    return ctx.b.emit("squeeze", [x], {"dimensions": dims}), [_out_dim(d, dims)]


@batch_rule("expand_dims")
def _expand_dims(ctx, op, xs, ds):
    """The batch dimension goes just before the per-example dimension it preceded (last if none)."""
    (x,), (d,) = xs, ds
    dims = sorted(op.attrs["dimensions"])
    n_out = x.type.ndim - 1 + len(dims)
    kept = [p for p in range(n_out) if p not in dims]   # output positions of the operand's dimensions
    at = kept[d] if d < len(kept) else n_out
    return ctx.b.emit("expand_dims", [x], {"dimensions": tuple(q + (q >= at) for q in dims)}), [at]


@batch_rule("rev")
def _rev(ctx, op, xs, ds):
    (x,), (d,) = xs, ds
    return ctx.b.emit("rev", [x], {"dimensions": _shift(op.attrs["dimensions"], d)}), [d]


@batch_rule("slice")
def _slice(ctx, op, xs, ds):
    (x,), (d,) = xs, ds
    a = op.attrs
    attrs = {"start_indices": _insert(a["start_indices"], d, 0),
             "limit_indices": _insert(a["limit_indices"], d, ctx.size)}
    if a.get("strides") is not None:
        attrs["strides"] = _insert(a["strides"], d, 1)
    return ctx.b.emit("slice", [x], attrs), [d]


def _insert(seq, at, value):
    seq = list(seq)
    seq.insert(at, value)
    return tuple(seq)


@batch_rule("concatenate")
def _concatenate(ctx, op, xs, ds):
    xs, d = _aligned(ctx, xs, ds)
    return ctx.b.emit("concatenate", xs, {"dimension": _shift((op.attrs["dimension"],), d)[0]}), [d]


@batch_rule("pad")
def _pad(ctx, op, xs, ds):
    """With one padding value per example, pad with any value and then select the padding value where
    a padded mask (True inside, False in the padding) is False."""
    (x, value), (d, dv) = xs, ds
    config = op.attrs["padding_config"]
    if dv is None:
        return ctx.b.emit("pad", [x, value], {"padding_config": _insert(config, d, (0, 0, 0))}), [d]
    b, t = ctx.b, _per_example(op, 0)
    out_shape = (ctx.size,) + op.results[0].type.shape
    x = ctx.to_front(x, d)
    zero = b.constant(np.zeros((), t.dtype))
    padded = b.emit1("pad", [x, zero], {"padding_config": ((0, 0, 0),) + tuple(config)})
    inside = b.emit1("broadcast_in_dim", [b.constant(np.array(True))], {"shape": t.shape, "broadcast_dimensions": ()})
    mask = b.emit1("pad", [inside, b.constant(np.array(False))], {"padding_config": config})
    mask = b.emit1("broadcast_in_dim", [mask], {"shape": out_shape, "broadcast_dimensions": _plus1(range(t.ndim))})
    value = b.emit1("broadcast_in_dim", [ctx.to_front(value, dv)], {"shape": out_shape, "broadcast_dimensions": (0,)})
    return b.emit("select_n", [mask, value, padded]), [0]


# ---- dynamic slicing -----------------------------------------------------------------------------------

def _index_dtype(op, first):
    """The one dtype of the start indices (int64 when they mix dtypes, as their lowering does)."""
    dts = {v.type.dtype for v in op.operands[first:]}
    return dts.pop() if len(dts) == 1 else np.dtype(np.int64)


def _stacked_indices(ctx, idx, dims, dtype):
    """Scalar start indices, some batched, as one (batch, n) array of index vectors."""
    cols = []
    for i, d in zip(idx, dims):
        if i.type.dtype != dtype:
            i = ctx.b.emit1("convert_element_type", [i], {"new_dtype": dtype, "weak_type": False})
        cols.append(ctx.b.emit1("broadcast_in_dim", [i], {"shape": (ctx.size, 1),
                                                          "broadcast_dimensions": () if d is None else (0,)}))
    return cols[0] if len(cols) == 1 else ctx.b.emit1("concatenate", cols, {"dimension": 1})


@batch_rule("dynamic_slice")
def _dynamic_slice(ctx, op, xs, ds):
    (x, *idx), (d, *idims) = xs, ds
    sizes = tuple(op.attrs["slice_sizes"])
    if all(i is None for i in idims):   # the same slice of every example: start at 0 in the batch dimension
        zero = ctx.b.constant(np.zeros((), _index_dtype(op, 1) if idx else np.int32))
        return ctx.b.emit("dynamic_slice", [x, *_insert(idx, d, zero)],
                          {"slice_sizes": _insert(sizes, d, ctx.size)}), [d]
    # one slice per example: a gather, whose start indices XLA clamps exactly as dynamic_slice does
    n = len(sizes)
    indices = _stacked_indices(ctx, idx, idims, _index_dtype(op, 1))
    attrs = {"offset_dims": tuple(range(1, n + 1)), "collapsed_slice_dims": ()}
    if d is None:
        attrs.update(start_index_map=tuple(range(n)), slice_sizes=sizes)
    else:
        x = ctx.to_front(x, d)
        attrs.update(start_index_map=tuple(range(1, n + 1)), slice_sizes=(1,) + sizes,
                     operand_batching_dims=(0,), start_indices_batching_dims=(0,))
    return ctx.b.emit("gather", [x, indices], attrs), [0]


@batch_rule("dynamic_update_slice")
def _dynamic_update_slice(ctx, op, xs, ds):
    (x, update, *idx), (d, du, *idims) = xs, ds
    if all(i is None for i in idims):
        (x, update), d = _aligned(ctx, [x, update], [d, du])
        zero = ctx.b.constant(np.zeros((), _index_dtype(op, 2) if idx else np.int32))
        return ctx.b.emit("dynamic_update_slice", [x, update, *_insert(idx, d, zero)]), [d]
    # one update per example: a scatter over operand_batching_dims. Scatter drops an update that does not
    # fit where dynamic_update_slice moves it inwards, so the start indices are clamped first.
    b, n = ctx.b, len(idx)
    dtype = _index_dtype(op, 2)
    indices = _stacked_indices(ctx, idx, idims, dtype)
    x_shape, u_shape = _per_example(op, 0).shape, _per_example(op, 1).shape
    upper = np.minimum(np.subtract(x_shape, u_shape), np.iinfo(dtype).max).astype(dtype)
    upper = b.emit1("broadcast_in_dim", [b.constant(upper)], {"shape": (ctx.size, n), "broadcast_dimensions": (1,)})
    indices = b.emit1("clamp", [b.constant(np.zeros((), dtype)), indices, upper])
    x, update = ctx.to_front(x, d), ctx.to_front(update, du)
    attrs = {"update_window_dims": tuple(range(1, n + 1)), "inserted_window_dims": (),
             "scatter_dims_to_operand_dims": tuple(range(1, n + 1)),
             "operand_batching_dims": (0,), "scatter_indices_batching_dims": (0,)}
    return b.emit("scatter", [x, indices, update], attrs), [0]


# ---- gather and scatter ----------------------------------------------------------------------------------

def _unsorted(attrs):
    """Batched indices are no longer sorted as a whole."""
    attrs.pop("indices_are_sorted", None)
    return attrs


def _tidy(attrs, indices_batching):
    """Batching dims are left out when there are none, as the front end leaves them out."""
    if not attrs.get("operand_batching_dims"):
        attrs.pop("operand_batching_dims", None)
        attrs.pop(indices_batching, None)
    return attrs


@batch_rule("gather")
def _gather(ctx, op, xs, ds):
    (x, idx), (dx, di) = xs, ds
    a = op.attrs
    attrs = dict(a, collapsed_slice_dims=_plus1(a["collapsed_slice_dims"]),
                 start_index_map=_plus1(a["start_index_map"]),
                 operand_batching_dims=_plus1(a.get("operand_batching_dims", ())))
    if di is None:      # every example's slices at the same places: the batch becomes an offset dimension
        attrs.update(offset_dims=(0,) + _plus1(a["offset_dims"]), slice_sizes=(ctx.size,) + tuple(a["slice_sizes"]))
        return ctx.b.emit("gather", [ctx.to_front(x, dx), idx], _tidy(attrs, "start_indices_batching_dims")), [0]
    idx = ctx.to_front(idx, di)   # a leading batch dimension of the indices (never the index vector's)
    ibatch = _plus1(a.get("start_indices_batching_dims", ()))
    if dx is None:      # one set of indices per example into the same operand
        attrs = _unsorted(dict(a, offset_dims=_plus1(a["offset_dims"])))
        if ibatch:
            attrs["start_indices_batching_dims"] = ibatch
        return ctx.b.emit("gather", [x, idx], attrs), [0]
    attrs = _unsorted(attrs)    # example k's indices into example k's operand
    # a batch of 0 examples has no slice of size 1 along it (as JAX's rule: size 0 then)
    attrs.update(offset_dims=_plus1(a["offset_dims"]), slice_sizes=(min(ctx.size, 1),) + tuple(a["slice_sizes"]),
                 operand_batching_dims=(0,) + attrs["operand_batching_dims"], start_indices_batching_dims=(0,) + ibatch)
    return ctx.b.emit("gather", [ctx.to_front(x, dx), idx], attrs), [0]


@batch_rule("scatter", "scatter_add", "scatter_mul", "scatter_min", "scatter_max", "scatter_apply")
def _scatter(ctx, op, xs, ds):
    """The result is batched whenever anything is, so operand and updates are batched at the front.
    (scatter_apply's region is a function of one scalar: it stays as it is.)"""
    (x, idx, upd), (dx, di, du) = xs, ds
    a = op.attrs
    x, upd = ctx.to_front(x, dx), ctx.to_front(upd, du)
    attrs = dict(a, inserted_window_dims=_plus1(a["inserted_window_dims"]),
                 scatter_dims_to_operand_dims=_plus1(a["scatter_dims_to_operand_dims"]),
                 operand_batching_dims=_plus1(a.get("operand_batching_dims", ())))
    if di is None:      # the same places in every example: the batch is a window dimension of the updates
        attrs["update_window_dims"] = (0,) + _plus1(a["update_window_dims"])
    else:               # example k's updates at example k's indices
        idx = ctx.to_front(idx, di)
        attrs = _unsorted(attrs)
        attrs.update(update_window_dims=_plus1(a["update_window_dims"]),
                     operand_batching_dims=(0,) + attrs["operand_batching_dims"],
                     scatter_indices_batching_dims=(0,) + _plus1(a.get("scatter_indices_batching_dims", ())))
    return ctx.b.emit(op.prim, [x, idx, upd], _tidy(attrs, "scatter_indices_batching_dims"), op.regions), [0]


# ---- contraction ------------------------------------------------------------------------------------------

@batch_rule("dot_general")
def _dot_general(ctx, op, xs, ds):
    (lhs, rhs), (dl, dr) = xs, ds
    a = op.attrs
    lc, rc, lb, rb = a["lhs_contracting"], a["rhs_contracting"], a.get("lhs_batch", ()), a.get("rhs_batch", ())
    if dl is not None and dr is not None:      # a new batch dimension of the dot, which comes first
        lhs, rhs = ctx.to_front(lhs, dl), ctx.to_front(rhs, dr)
        dims, out = dict(lhs_contracting=_plus1(lc), rhs_contracting=_plus1(rc),
                         lhs_batch=(0,) + _plus1(lb), rhs_batch=(0,) + _plus1(rb)), 0
    elif dl is not None:                       # a free dimension of lhs: it follows the dot's batch dims
        lhs = ctx.to_front(lhs, dl)
        dims, out = dict(lhs_contracting=_plus1(lc), lhs_batch=_plus1(lb)), len(lb)
    else:                                      # a free dimension of rhs: after lhs's free dims
        rhs = ctx.to_front(rhs, dr)
        dims = dict(rhs_contracting=_plus1(rc), rhs_batch=_plus1(rb))
        out = len(lb) + op.operands[0].type.ndim - len(lc) - len(lb)
    attrs = dict(a, **{k: v for k, v in dims.items() if v or k in a}, **_unsplit_at(a, out))
    return ctx.b.emit("dot_general", [lhs, rhs], attrs), [out]


# ---- ops with regions ---------------------------------------------------------------------------------------

@batch_rule("call")
def _call(ctx, op, xs, ds):
    body, out_dims = batch(Func(op.attrs.get("callee", "f"), op.regions[0]), ds, ctx.size, ctx.axis_name)
    return ctx.b.emit("call", xs, {"callee": body.name}, [body.body]), out_dims


def _batched_region(ctx, region):
    """`region` with every argument and result batched at dimension 0."""
    return batch(Func("r", region), [0] * len(region.args), ctx.size, ctx.axis_name, out_dims_at_front=True)[0].body


def _lazy_batched(ctx, region):
    """The same, traced when first needed (custom rules are traced lazily). Its types are known before
    that when the region's are: each with the batch dimension in front."""
    types = known_types(region)
    if types is not None:
        types = tuple([t.update(shape=(ctx.size,) + t.shape) for t in ts] for ts in types)
    return LazyBlock(lambda: _batched_region(ctx, region), types)


def _batched_fun(ctx, region):
    """A custom function's own region: batched now if it is traced, else when first needed (a function
    differentiated by its rule alone is never traced, as in JAX)."""
    return _batched_region(ctx, region) if is_built(region) else _lazy_batched(ctx, region)


@batch_rule("custom_jvp_call")
def _custom_jvp_call(ctx, op, xs, ds):
    """Everything batched at the front, so the rule's tangents are batched like its primals."""
    fun, rule = op.regions
    return (ctx.b.emit(op.prim, _all_front(ctx, xs, ds), op.attrs, [_batched_fun(ctx, fun), _lazy_batched(ctx, rule)]),
            [0] * len(op.results))


@batch_rule("custom_vjp_call")
def _custom_vjp_call(ctx, op, xs, ds):
    fun, fwd, bwd = op.regions
    regions = [_batched_fun(ctx, fun), _lazy_batched(ctx, fwd), _lazy_batched(ctx, bwd)]
    return ctx.b.emit(op.prim, _all_front(ctx, xs, ds), op.attrs, regions), [0] * len(op.results)


@batch_rule("custom_vjp_lin")
def _custom_vjp_lin(ctx, op, xs, ds):
    return (ctx.b.emit(op.prim, _all_front(ctx, xs, ds), op.attrs, [_lazy_batched(ctx, op.regions[0])]),
            [0] * len(op.results))


# ---- named-axis collectives (JAX's semantics). Over the axis being mapped they become reductions over
# the batch dimension; over another (an enclosing vmap's) axis they apply to each example and are left for
# that vmap's batch pass. ----

def _other_axis(ctx, op):
    return op.attrs["axis_name"] != ctx.axis_name


@batch_rule("psum", "pmax", "pmin")
def _collective(ctx, op, xs, ds):
    (x,), (d,) = xs, ds
    if _other_axis(ctx, op):
        return ctx.b.emit(op.prim, [x], op.attrs), [d]
    if d is None:       # the same value in every member: the sum is size times it, the extrema it
        if op.prim != "psum":
            return [x], [None]
        t = x.type
        n = ctx.b.constant(np.array(ctx.size, t.dtype), weak=t.weak)
        if t.shape:
            n = ctx.b.emit1("broadcast_in_dim", [n], {"shape": t.shape, "broadcast_dimensions": ()})
        return [ctx.b.emit1("mul", [x, n])], [None]
    prim = {"psum": "reduce_sum", "pmax": "reduce_max", "pmin": "reduce_min"}[op.prim]
    return ctx.b.emit(prim, [x], {"axes": (d,)}), [None]


@batch_rule("pvary")
def _pvary(ctx, op, xs, ds):
    """A cast of the type only (which mesh axes the value varies over): the batch stays where it is."""
    return ctx.b.emit("pvary", xs, op.attrs), list(ds)


@batch_rule("all_gather")
def _all_gather(ctx, op, xs, ds):
    (x,), (d,) = xs, ds
    axis, tiled = op.attrs.get("axis", 0), op.attrs.get("tiled", False)
    if _other_axis(ctx, op):
        return ctx.b.emit(op.prim, [ctx.to_front(x, d)], dict(op.attrs, axis=axis + 1)), [0]
    out = ctx.to_dim(x, d, axis)             # the members, stacked along `axis`
    if tiled:                                # ... and concatenated there
        out = ctx.b.emit1("reshape", [out], {"new_sizes": op.results[0].type.shape})
    return [out], [None]


@batch_rule("axis_index")
def _axis_index(ctx, op, xs, ds):
    if _other_axis(ctx, op):
        return ctx.b.emit(op.prim, [], op.attrs), [None]
    return ctx.b.emit("iota", [], {"dtype": np.dtype(np.int32), "shape": (ctx.size,), "dimension": 0}), [0]


@batch_rule("ppermute")
def _ppermute(ctx, op, xs, ds):
    (x,), (d,) = xs, ds
    if _other_axis(ctx, op):
        return ctx.b.emit(op.prim, [x], op.attrs), [d]
    x = ctx.to_front(x, d)
    src = {dst: s for s, dst in op.attrs["perm"]}
    part = x.type.update(shape=(1,) + x.type.shape[1:])
    zero = None
    members = []
    for j in range(ctx.size):      # member j gets its source's value, or zeros when it is no destination
        if j in src:
            i = src[j]
            members.append(ctx.b.emit1("slice", [x], {"start_indices": (i,) + (0,) * (part.ndim - 1),
                                                      "limit_indices": (i + 1,) + part.shape[1:]}))
        else:
            if zero is None:
                zero = ctx.b.emit1("broadcast_in_dim", [ctx.b.constant(np.zeros((), part.dtype), weak=part.weak)],
                                   {"shape": part.shape, "broadcast_dimensions": ()})
            members.append(zero)
    return [ctx.b.emit1("concatenate", members, {"dimension": 0})], [0]


def _shifted(ctx, op, x, d, **axes):
    """A collective over another axis: batched at the front, its axis attributes moved past it."""
    attrs = dict(op.attrs, **{k: op.attrs.get(k, 0) + 1 for k in axes})
    return ctx.b.emit(op.prim, [ctx.to_front(x, d)], attrs), [0]


@batch_rule("psum_scatter")
def _psum_scatter(ctx, op, xs, ds):
    (x,), (d,) = xs, ds
    if _other_axis(ctx, op):
        return _shifted(ctx, op, x, d, scatter_dimension=True)
    dim, tiled = op.attrs.get("scatter_dimension", 0), op.attrs.get("tiled", False)
    total = ctx.b.emit1("reduce_sum", [ctx.to_front(x, d)], {"axes": (0,)})
    if tiled:                      # member i's part is the i-th of n blocks along dim: split the blocks out
        shape = list(total.type.shape)
        shape[dim:dim + 1] = [ctx.size, shape[dim] // ctx.size]
        total = ctx.b.emit1("reshape", [total], {"new_sizes": tuple(shape)})
    return [total], [dim]


@batch_rule("all_to_all")
def _all_to_all(ctx, op, xs, ds):
    (x,), (d,) = xs, ds
    if _other_axis(ctx, op):
        return _shifted(ctx, op, x, d, split_axis=True, concat_axis=True)
    split, concat, tiled = op.attrs["split_axis"], op.attrs["concat_axis"], op.attrs.get("tiled", False)
    x = ctx.to_front(x, d)                    # [sender j, ...] where dimension 1 + split indexes receivers i
    if tiled:
        shape = list(x.type.shape)
        shape[1 + split:2 + split] = [ctx.size, shape[1 + split] // ctx.size]
        x = ctx.b.emit1("reshape", [x], {"new_sizes": tuple(shape)})
    x = ctx.moveaxis(ctx.moveaxis(x, 1 + split, 0), 1, 1 + concat)   # [receiver i, ..., sender j at concat, ...]
    if tiled:                                 # the senders' blocks, concatenated along concat
        shape = list(x.type.shape)
        shape[1 + concat:3 + concat] = [shape[1 + concat] * shape[2 + concat]]
        x = ctx.b.emit1("reshape", [x], {"new_sizes": tuple(shape)})
    return [x], [0]


assert set(BATCH_RULES) <= set(PRIMITIVES), sorted(set(BATCH_RULES) - set(PRIMITIVES))


@batch_rule("sharding_constraint")
def _sharding_constraint(ctx, op, xs, ds):
    """The constraint on each example, with the batch dimension left unsplit (as JAX's rule does)."""
    (x,), (d,) = xs, ds
    spec = list(op.attrs["spec"]) + [()] * (op.operands[0].type.ndim - len(op.attrs["spec"]))
    spec.insert(d, ())
    return [ctx.b.emit1("sharding_constraint", [x], {**op.attrs, "spec": tuple(spec)})], [d]


@batch_rule("reshard")
def _reshard(ctx, op, xs, ds):
    """Each example resharded, the batch dimension left unsplit (as JAX's rule does)."""
    (x,), (d,) = xs, ds
    spec = list(op.attrs["spec"])
    spec.insert(d, ())
    return [ctx.b.emit1("reshard", [x], {**op.attrs, "spec": tuple(spec)})], [d]
