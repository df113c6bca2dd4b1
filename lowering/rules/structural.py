"""Lowering of creation, shape, indexing, contraction, reduction, scan and sort primitives."""
import numpy as np

from ...ir import types as T
from ...ir.types import TensorType
from ..registry import rule
from ..mlir import dense_constant, hlo, ir, tensor_type
from .elementwise import compare


def _rtype(op, i=0):
    return tensor_type(op.results[i].type)


def scalar_type(dtype):
    return tensor_type(TensorType((), dtype))


def _body(region, arg_types, build):
    """Fill an op's region with one block of scalar arguments; build(*args) -> the values it returns."""
    block = region.blocks.append(*arg_types)
    with ir.InsertionPoint(block):
        hlo.return_(list(build(*block.arguments)))


def _scalar_const(value, dtype):
    return dense_constant(np.array(value, dtype))


# ---- creation and shape ------------------------------------------------------------------------

@rule("constant")
def _constant(ctx, op):
    return [dense_constant(op.attrs["value"])]


@rule("iota")
def _iota(ctx, op):
    t, dim = op.results[0].type, op.attrs.get("dimension", 0)
    if t.dtype != np.bool_:
        return [hlo.iota(_rtype(op), dim)]
    # stablehlo has no boolean iota: count in i32, then test for nonzero as NumPy's astype(bool) does
    counts = hlo.iota(tensor_type(t.update(dtype=np.int32)), dim)
    zero = hlo.broadcast_in_dim(ir.RankedTensorType(counts.type), _scalar_const(0, np.int32), [])
    return [compare(counts, zero, "NE", np.int32)]


@rule("broadcast_in_dim")
def _broadcast_in_dim(ctx, op, x):
    return [hlo.broadcast_in_dim(_rtype(op), x, list(op.attrs["broadcast_dimensions"]))]


@rule("reshape", "squeeze", "expand_dims")
def _reshape(ctx, op, x):
    return [hlo.reshape(_rtype(op), x)]


@rule("transpose")
def _transpose(ctx, op, x):
    return [hlo.transpose(x, list(op.attrs["permutation"]))]


@rule("rev")
def _rev(ctx, op, x):
    return [hlo.reverse(x, list(op.attrs["dimensions"]))]


@rule("concatenate")
def _concatenate(ctx, op, *xs):
    # empty operands are left out: XLA's simplifier aborts the process (SmallVector unable to grow) on an empty
    # slice at the end of a concatenate whose last operand is empty
    t = op.results[0].type
    if t.size == 0:
        return [dense_constant(np.zeros(t.shape, t.dtype))]
    kept = [x for x, v in zip(xs, op.operands) if v.type.size]     # each empty along the dimension
    return [hlo.concatenate(kept, op.attrs["dimension"]) if len(kept) > 1 else kept[0]]


@rule("pad")
def _pad(ctx, op, x, padding_value):
    lo, hi, interior = zip(*op.attrs["padding_config"]) if op.attrs["padding_config"] else ((), (), ())
    return [hlo.pad(x, padding_value, list(lo), list(hi), list(interior))]


@rule("bitcast_convert_type")
def _bitcast(ctx, op, x):
    """A bitcast between types of one width is XLA's; between widths it is spelled with unsigned shifts (the
    narrow pieces of a wide element along a new last dimension, least significant first, as XLA orders them
    on CPU): XLA's simplifier merges two size-changing bitcasts in a row into one its verifier then rejects
    (bf16[1,2] -> u32[1] -> i8[1,4] fails to compile, in JAX 0.10.2 too)."""
    src, dst = op.operands[0].type, op.results[0].type
    if src.dtype.itemsize == dst.dtype.itemsize:
        return [hlo.bitcast_convert(tensor_type(dst), x)]
    unsigned = lambda t: t.update(dtype=np.dtype(f"u{t.dtype.itemsize}"), weak=False)
    narrow, wide = (dst, src) if src.dtype.itemsize > dst.dtype.itemsize else (src, dst)
    pieces = unsigned(wide).update(shape=narrow.shape)      # the narrow shape, holding wide integers
    shifts = hlo.multiply(hlo.iota(tensor_type(pieces), pieces.ndim - 1),
                          hlo.broadcast_in_dim(tensor_type(pieces),
                                               _scalar_const(8 * narrow.dtype.itemsize, pieces.dtype), []))
    if wide is src:
        whole = hlo.bitcast_convert(tensor_type(unsigned(src)), x)
        spread = hlo.broadcast_in_dim(tensor_type(pieces), whole, list(range(src.ndim)))
        parts = hlo.convert(tensor_type(unsigned(dst)), hlo.shift_right_logical(spread, shifts))
        return [hlo.bitcast_convert(tensor_type(dst), parts)]
    parts = hlo.convert(tensor_type(pieces), hlo.bitcast_convert(tensor_type(unsigned(src)), x))
    whole, = reduce(op, [hlo.shift_left(parts, shifts)], [_scalar_const(0, pieces.dtype)], [src.ndim - 1],
                    lambda a, b: [hlo.or_(a[0], b[0])], result_types=[tensor_type(unsigned(dst))])
    return [hlo.bitcast_convert(tensor_type(dst), whole)]


# ---- slicing ------------------------------------------------------------------------------------

@rule("slice")
def _slice(ctx, op, x):
    a = op.attrs
    strides = a.get("strides") or (1,) * len(a["start_indices"])
    return [hlo.slice(x, list(a["start_indices"]), list(a["limit_indices"]), list(strides))]


def _uniform_indices(op, idx, first):
    """Start indices as scalars of one integer type: stablehlo requires it, the IR allows mixed types."""
    if len({v.type.dtype for v in op.operands[first:]}) <= 1:
        return list(idx)
    return [hlo.convert(scalar_type(np.int64), i) for i in idx]


@rule("dynamic_slice")
def _dynamic_slice(ctx, op, x, *idx):
    # stablehlo clamps each start index into [0, dim - size], as JAX specifies
    return [hlo.dynamic_slice(x, _uniform_indices(op, idx, 1), list(op.attrs["slice_sizes"]))]


@rule("dynamic_update_slice")
def _dynamic_update_slice(ctx, op, x, update, *idx):
    return [hlo.dynamic_update_slice(x, update, _uniform_indices(op, idx, 2))]


# ---- gather and scatter (the index vector is the last dimension of the indices) ----------------

@rule("gather")
def _gather(ctx, op, x, idx):
    t = op.results[0].type
    if t.size == 0:
        # nothing is read; StableHLO refuses the slice sizes that may overhang then (vmap over 0 examples)
        return [dense_constant(np.zeros(t.shape, t.dtype))]
    a = op.attrs
    dnums = hlo.GatherDimensionNumbers.get(
        offset_dims=list(a["offset_dims"]), collapsed_slice_dims=list(a["collapsed_slice_dims"]),
        operand_batching_dims=list(a.get("operand_batching_dims", ())),
        start_indices_batching_dims=list(a.get("start_indices_batching_dims", ())),
        start_index_map=list(a["start_index_map"]), index_vector_dim=op.operands[1].type.ndim - 1)
    return [hlo.gather(x, idx, dnums, list(a["slice_sizes"]),
                       indices_are_sorted=bool(a.get("indices_are_sorted", False)))]


def extremum(direction, dtype):
    """The max ("GT") or min ("LT") of two scalars. Complex numbers compare lexicographically (real part, then
    imaginary part) as in JAX and NumPy; XLA's maximum/minimum do not order them so."""
    if not T.is_complex(dtype):
        return hlo.maximum if direction == "GT" else hlo.minimum
    part = T.real_dtype(dtype)

    def pick(x, y):
        rx, ry, ix, iy = hlo.real(x), hlo.real(y), hlo.imag(x), hlo.imag(y)
        take_x = hlo.select(compare(rx, ry, "EQ", part), compare(ix, iy, direction, part),
                            compare(rx, ry, direction, part))
        return hlo.select(take_x, x, y)
    return pick


def _scatter_combine(prim, dtype):
    """How a scatter combines the operand's element (old) with an update (new)."""
    boolean = np.dtype(dtype) == np.bool_
    return {"scatter": lambda old, new: new,
            "scatter_add": hlo.or_ if boolean else hlo.add,
            "scatter_mul": hlo.and_ if boolean else hlo.multiply,
            "scatter_min": extremum("LT", dtype), "scatter_max": extremum("GT", dtype)}[prim]


@rule("scatter", "scatter_add", "scatter_mul", "scatter_min", "scatter_max")
def _scatter(ctx, op, x, idx, updates, combine=None):
    a = op.attrs
    dnums = hlo.ScatterDimensionNumbers.get(
        update_window_dims=list(a["update_window_dims"]), inserted_window_dims=list(a["inserted_window_dims"]),
        input_batching_dims=list(a.get("operand_batching_dims", ())),
        scatter_indices_batching_dims=list(a.get("scatter_indices_batching_dims", ())),
        scattered_dims_to_operand_dims=list(a["scatter_dims_to_operand_dims"]),
        index_vector_dim=op.operands[1].type.ndim - 1)
    sc = hlo.ScatterOp([_rtype(op)], [x], idx, [updates], dnums,
                       indices_are_sorted=bool(a.get("indices_are_sorted", False)),
                       unique_indices=bool(a.get("unique_indices", False)))
    dtype = op.operands[0].type.dtype
    combine = combine or _scatter_combine(op.prim, dtype)
    _body(sc.regions[0], [scalar_type(dtype)] * 2, lambda old, new: [combine(old, new)])
    return list(sc.results)


@rule("scatter_apply")
def _scatter_apply(ctx, op, x, idx, updates):
    """A scatter whose combiner is the op's region applied to the old element (the update is ignored), as
    JAX lowers x.at[idx].apply(f): XLA runs it once per update, so a repeated index gets f applied again."""
    f, = op.regions
    (out,), = _scatter(ctx, op, x, idx, updates, combine=lambda old, new: ctx.lower_block(f, [old])[0]),
    return [out]


# ---- contraction ----------------------------------------------------------------------------------

@rule("dot_general")
def _dot_general(ctx, op, lhs, rhs):
    a, out = op.attrs, op.results[0].type
    src = op.operands[0].type.dtype
    boolean = src == np.bool_
    # XLA has no boolean dot (it counts in int32). A preferred element type of the operands' kind is the
    # dot's own result type, as JAX emits it (bf16 x bf16 -> f32 accumulates in f32 without widening the
    # operands); one of another kind is reached by converting the operands first.
    acc = np.dtype(np.int32) if boolean and out.dtype == np.bool_ else out.dtype
    same_kind = (T.is_float(src) and T.is_float(acc)) or (T.is_int(src) and np.dtype(src).kind == np.dtype(acc).kind)
    if acc != src and not same_kind:
        operand_type = lambda t: tensor_type(t.update(dtype=acc))
        lhs = hlo.convert(operand_type(op.operands[0].type), lhs)
        rhs = hlo.convert(operand_type(op.operands[1].type), rhs)
    dnums = hlo.DotDimensionNumbers.get(
        lhs_batching_dimensions=list(a.get("lhs_batch", ())), rhs_batching_dimensions=list(a.get("rhs_batch", ())),
        lhs_contracting_dimensions=list(a["lhs_contracting"]),
        rhs_contracting_dimensions=list(a["rhs_contracting"]))
    # as JAX, always a precision_config (DEFAULT, DEFAULT unless the op or default_matmul_precision says)
    precision = ir.ArrayAttr.get([hlo.PrecisionAttr.get(p) for p in a.get("precision") or ("DEFAULT", "DEFAULT")])
    result = hlo.dot_general(tensor_type(out.update(dtype=acc)), lhs, rhs, dnums, precision_config=precision)
    if acc != out.dtype:   # boolean: any(lhs & rhs) along the contraction
        zero = hlo.broadcast_in_dim(ir.RankedTensorType(result.type), _scalar_const(0, acc), [])
        result = compare(result, zero, "NE", acc)
    return [result]


# ---- reductions -----------------------------------------------------------------------------------

def reduce(op, operands, inits, axes, combine, result_types=None):
    """stablehlo.reduce over `axes`; combine(accs, xs) -> new accs builds the body on scalars.
    Result types are op's unless given (for reductions with more operands than the op has results)."""
    types = result_types or [tensor_type(r.type) for r in op.results]
    red = hlo.ReduceOp(types, list(operands), list(inits), ir.DenseI64ArrayAttr.get(list(axes)))
    scalars = [ir.RankedTensorType.get([], ir.RankedTensorType(v.type).element_type) for v in operands]
    n = len(operands)
    _body(red.regions[0], scalars + scalars, lambda *args: combine(list(args[:n]), list(args[n:])))
    return list(red.results)


def _identity(prim, dtype):
    dtype = np.dtype(dtype)
    if prim in ("reduce_sum", "reduce_or", "reduce_xor"):
        return np.zeros((), dtype)
    if prim == "reduce_prod":
        return np.ones((), dtype)
    if prim == "reduce_and":
        return np.array(True) if dtype == np.bool_ else np.array(-1).astype(dtype)
    big = prim == "reduce_min"
    if T.is_complex(dtype):   # extremum() orders complex numbers lexicographically
        return np.array(complex(np.inf, np.inf) if big else complex(-np.inf, -np.inf), dtype)
    if T.is_float(dtype):
        return np.array(np.inf if big else -np.inf, dtype)
    if dtype == np.bool_:
        return np.array(big)
    info = T.iinfo(dtype)
    return np.array(info.max if big else info.min, dtype)


_COMBINE = {"reduce_sum": lambda d: hlo.add, "reduce_prod": lambda d: hlo.multiply,
            "reduce_max": lambda d: extremum("GT", d), "reduce_min": lambda d: extremum("LT", d),
            "reduce_and": lambda d: hlo.and_, "reduce_or": lambda d: hlo.or_, "reduce_xor": lambda d: hlo.xor}


for _prim, _fn in _COMBINE.items():
    @rule(_prim)
    def _reduce(ctx, op, x, _prim=_prim, _fn=_fn):
        dtype = op.operands[0].type.dtype
        fn = _fn(dtype)
        return reduce(op, [x], [dense_constant(_identity(_prim, dtype))], op.attrs["axes"],
                      lambda a, b: [fn(a[0], b[0])])


@rule("argmax", "argmin")
def _argminmax(ctx, op, x):
    t, index_dtype = op.operands[0].type, op.results[0].type.dtype
    axis, = op.attrs["axes"]
    better = "GT" if op.prim == "argmax" else "LT"
    iota = hlo.iota(tensor_type(t.update(dtype=index_dtype)), axis)
    inits = [dense_constant(_identity("reduce_max" if op.prim == "argmax" else "reduce_min", t.dtype)),
             _scalar_const(0, index_dtype)]

    def combine(acc, new):
        # a total preorder (NaN beats everything, as in NumPy), ties broken by the smaller index:
        # commutative and associative, so XLA may reduce in any order
        (av, ai), (bv, bi) = acc, new
        wins, tie = compare(av, bv, better, t.dtype), compare(av, bv, "EQ", t.dtype)
        if T.is_float(t.dtype):
            a_nan, b_nan = compare(av, av, "NE", t.dtype), compare(bv, bv, "NE", t.dtype)
            wins = hlo.or_(wins, hlo.and_(a_nan, hlo.not_(b_nan)))
            tie = hlo.or_(tie, hlo.and_(a_nan, b_nan))
        pick_a = hlo.or_(wins, hlo.and_(tie, compare(ai, bi, "LT", index_dtype)))
        return [hlo.select(pick_a, av, bv), hlo.select(pick_a, ai, bi)]

    types = [tensor_type(op.results[0].type.update(dtype=t.dtype)), _rtype(op)]
    return reduce(op, [x, iota], inits, [axis], combine, result_types=types)[1:]


# ---- cumulative reductions: a window over the whole axis, as JAX lowers them (XLA rewrites such
# ---- windows into a log-depth scan)

def _logaddexp(x, y):
    """log(exp(x) + exp(y)), stable; x + y where x - y is NaN (a NaN, or infinities of one sign)."""
    delta = hlo.subtract(x, y)
    big = hlo.maximum(x, y)
    stable = hlo.add(big, hlo.log_plus_one(hlo.exponential(hlo.negate(hlo.abs(delta)))))
    return hlo.select(hlo.compare(delta, delta, hlo.ComparisonDirectionAttr.get("NE")), hlo.add(x, y), stable)


_CUMULATIVE = {"cumsum": "reduce_sum", "cumprod": "reduce_prod", "cummax": "reduce_max", "cummin": "reduce_min",
               "cumlogsumexp": "reduce_max"}   # the reduction whose identity starts the window; -inf for logsumexp


@rule(*_CUMULATIVE)
def _cumulative(ctx, op, x):
    t, axis = op.operands[0].type, op.attrs["axis"]
    n = t.shape[axis]
    if t.size == 0:
        return [x]
    identity = _CUMULATIVE[op.prim]
    combine = _logaddexp if op.prim == "cumlogsumexp" else _COMBINE[identity](t.dtype)
    if t.dtype == np.bool_ and op.prim in ("cumsum", "cumprod"):
        combine = hlo.or_ if op.prim == "cumsum" else hlo.and_
    window, padding = [1] * t.ndim, np.zeros((t.ndim, 2), np.int64)
    window[axis] = n
    padding[axis] = (0, n - 1) if op.attrs.get("reverse", False) else (n - 1, 0)
    rw = hlo.ReduceWindowOp([_rtype(op)], [x], [dense_constant(_identity(identity, t.dtype))], window,
                            window_strides=[1] * t.ndim, padding=ir.DenseIntElementsAttr.get(padding))
    _body(rw.regions[0], [scalar_type(t.dtype)] * 2, lambda a, b: [combine(a, b)])
    return list(rw.results)


# ---- sort ------------------------------------------------------------------------------------------

def _total_lt(x, y, dtype):
    kind = "TOTALORDER" if T.is_float(dtype) else "SIGNED" if T.is_signed(dtype) else "UNSIGNED"
    return hlo.compare(x, y, hlo.ComparisonDirectionAttr.get("LT"), compare_type=hlo.ComparisonTypeAttr.get(kind))


def _canonical_float(x, dtype):
    """-0.0 -> 0.0 and every NaN -> +NaN: under a total order they then tie with 0.0 and sort last, as in JAX."""
    zero, nan = _scalar_const(0, dtype), _scalar_const(np.nan, dtype)
    x = hlo.select(compare(x, zero, "EQ", dtype), zero, x)
    return hlo.select(compare(x, x, "NE", dtype), nan, x)


def _sort_keys(lhs, rhs, dtype):
    """(lhs key, rhs key, key dtype) triples for one operand: complex numbers sort by (real, imag)."""
    if T.is_complex(dtype):
        part = T.real_dtype(dtype)
        return [(_canonical_float(f(lhs), part), _canonical_float(f(rhs), part), part) for f in (hlo.real, hlo.imag)]
    if T.is_float(dtype):
        return [(_canonical_float(lhs, dtype), _canonical_float(rhs, dtype), dtype)]
    return [(lhs, rhs, dtype)]


@rule("sort")
def _sort(ctx, op, *xs):
    a = op.attrs
    dts = [v.type.dtype for v in op.operands]
    sort = hlo.SortOp([tensor_type(r.type) for r in op.results], list(xs), dimension=a["dimension"],
                      is_stable=bool(a.get("is_stable", True)))

    def less(*args):   # lexicographic over the first num_keys operands
        keys = [k for i in range(a.get("num_keys", 1)) for k in _sort_keys(args[2 * i], args[2 * i + 1], dts[i])]
        lt = None
        for l, r, dt in reversed(keys):
            here = _total_lt(l, r, dt)
            lt = here if lt is None else hlo.or_(here, hlo.and_(hlo.not_(_total_lt(r, l, dt)), lt))
        return [lt]
    _body(sort.regions[0], [scalar_type(d) for d in dts for _ in (0, 1)], less)
    return list(sort.results)
