"""Transpose rules for linear primitives. A rule gets the cotangents of the op's results (None for a
structural zero) and its operands (a `Linear` marker for the linear ones, IR values for the others)
and returns a cotangent (or None) for each operand.

Complex values follow JAX: the transpose of a linear map is taken without conjugation (mul by c
transposes to mul by c), so grad of a real-valued f of complex z is the conjugate of df/dz-bar times 2,
e.g. grad(|z|^2) = 2 conj(z).
"""
import numpy as np

from .. import types as T
from ..builder import emit_block
from ..core import Func
from .jvp_rules import Emit, gather_of_scatter
from .transpose import is_linear, transpose, transpose_rule
from .util import instantiate, zeros

# Primitives that are linear in some of their operands (call: in the operands its body is linear in).
# Only these have transpose rules.
LINEAR = {
    "add", "sub", "neg", "mul", "div", "copy", "convert_element_type", "reduce_sum", "cumsum",
    "broadcast_in_dim", "reshape", "transpose", "squeeze", "expand_dims", "rev", "slice", "pad", "concatenate",
    "dynamic_slice", "dynamic_update_slice", "gather", "scatter_add", "select_n", "dot_general",
    "real", "imag", "complex", "conj", "call", "custom_vjp_lin", "sharding_constraint", "reshard",
}


def _as_operand(t, *cts):
    """The attributes that make a cotangent's sharding the primal operand's (of type t), as JAX's transpose
    rules pass out_sharding=operand.aval.sharding; none where nothing is sharded (unsharded programs keep
    their IR)."""
    if t.sharding is None and all(c.type.sharding is None for c in cts):
        return {}
    return {"out_sharding": t.sharding or ((),) * t.ndim}


def _scalar_zero(b, t):
    return b.constant(np.zeros((), t.dtype))


# ---- arithmetic ----------------------------------------------------------------------------------------

@transpose_rule("add")
def _add(b, op, cts, operands):
    ct, = cts
    return [ct if is_linear(x) else None for x in operands]


@transpose_rule("sub")
def _sub(b, op, cts, operands):
    ct, = cts
    x, y = operands
    return [ct if is_linear(x) else None, b.emit1("neg", [ct]) if is_linear(y) else None]


@transpose_rule("neg")
def _neg(b, op, cts, operands):
    return [b.emit1("neg", cts)]


@transpose_rule("copy")
def _copy(b, op, cts, operands):
    return [cts[0]]


@transpose_rule("sharding_constraint")
def _sharding_constraint(b, op, cts, operands):
    # as JAX: the cotangent is asked for the same layout as the value
    return [b.emit1("sharding_constraint", cts, op.attrs)]


@transpose_rule("reshard")
def _reshard(b, op, cts, operands):
    # the cotangent goes back to the operand's layout (and type)
    t = op.operands[0].type
    attrs = {k: v for k, v in op.attrs.items() if k != "auto"}
    return [b.emit1("reshard", cts, {**attrs, "spec": t.sharding or ((),) * t.ndim})]


@transpose_rule("mul")
def _mul(b, op, cts, operands):
    ct, = cts
    x, y = operands
    if is_linear(x) and is_linear(y):
        raise TypeError("mul of two linear values is not linear")
    return [b.emit1("mul", [ct, y]), None] if is_linear(x) else [None, b.emit1("mul", [x, ct])]


@transpose_rule("div")
def _div(b, op, cts, operands):
    x, y = operands
    if is_linear(y):
        raise TypeError("div is linear in its numerator only")
    return [b.emit1("div", [cts[0], y]), None]


@transpose_rule("dot_general")
def _dot_general(b, op, cts, operands):
    ct, = cts
    x, y = operands
    if is_linear(x) and is_linear(y):
        raise TypeError("dot_general of two linear values is not linear")
    a = op.attrs
    dims = (a["lhs_contracting"], a["rhs_contracting"], a.get("lhs_batch", ()), a.get("rhs_batch", ()))
    xt, yt = op.operands[0].type, op.operands[1].type
    precision = a.get("precision")
    if is_linear(x):
        return [_dot_transpose_lhs(b, ct, xt, y, dims, swap_ans=False, precision=precision), None]
    lc, rc, lb, rb = dims
    return [None, _dot_transpose_lhs(b, ct, yt, x, (rc, lc, rb, lb), swap_ans=True, precision=precision)]


def _dot_transpose_lhs(b, ct, x_type, y, dims, swap_ans, precision=None):
    """The cotangent of dot_general's lhs x (of x_type) given the other operand y, as JAX: contract ct with
    y over y's free dimensions, then put x's dimensions back in order."""
    xc, yc, xb, yb = (list(d) for d in dims)
    x_kept = [i for i in range(x_type.ndim) if i not in xc + xb]
    y_kept = [i for i in range(y.type.ndim) if i not in yc + yb]
    nb = len(xb)
    ans_y = range(nb + len(x_kept), nb + len(x_kept) + len(y_kept)) if not swap_ans else range(nb, nb + len(y_kept))
    o = Emit(b)
    if y.type.dtype != ct.type.dtype:     # a preferred_element_type: contract in it, convert back after
        y = o.convert_element_type(y, new_dtype=ct.type.dtype, weak_type=False)
    kw = {"precision": precision} if precision else {}    # the op's precision carries over (unswapped, as JAX)
    xc_by_y = [xc[i] for i in np.argsort(yc)]
    order = xb + x_kept + xc_by_y          # the x dimension each dimension of the contraction's result is
    sharded = _as_operand(x_type, ct, y)
    if sharded:
        sharded["out_sharding"] = tuple(sharded["out_sharding"][d] for d in order)
    r = o.dot_general(ct, y, lhs_contracting=tuple(ans_y), rhs_contracting=tuple(y_kept),
                      lhs_batch=tuple(range(nb)), rhs_batch=tuple(yb), **kw, **sharded)
    perm = tuple(int(i) for i in np.argsort(order))
    if perm != tuple(range(len(perm))):
        r = o.transpose(r, permutation=perm)
    if r.type.dtype != x_type.dtype:
        r = o.convert_element_type(r, new_dtype=x_type.dtype, weak_type=x_type.weak)
    return r


@transpose_rule("convert_element_type")
def _convert(b, op, cts, operands):
    t = op.operands[0].type
    return [b.emit1("convert_element_type", cts, {"new_dtype": t.dtype, "weak_type": t.weak})]


@transpose_rule("select_n")
def _select_n(b, op, cts, operands):
    ct, = cts
    which, cases = operands[0], operands[1:]
    o, zero = Emit(b), zeros(b, ct.type)
    if which.type.dtype == np.bool_:
        return [None] + [(o.select(which, ct, zero) if i else o.select(which, zero, ct)) if is_linear(c) else None
                         for i, c in enumerate(cases)]
    return [None] + [o.select(o.eq(which, o.c(which, i)), ct, zero) if is_linear(c) else None
                     for i, c in enumerate(cases)]


# ---- complex parts --------------------------------------------------------------------------------------

@transpose_rule("real")
def _real(b, op, cts, operands):
    ct, = cts
    return [b.emit1("complex", [ct, zeros(b, ct.type)])]


@transpose_rule("imag")
def _imag(b, op, cts, operands):
    ct, = cts
    return [b.emit1("complex", [zeros(b, ct.type), b.emit1("neg", [ct])])]


@transpose_rule("complex")
def _complex(b, op, cts, operands):
    ct, = cts
    x, y = operands
    return [b.emit1("real", [ct]) if is_linear(x) else None,
            b.emit1("neg", [b.emit1("imag", [ct])]) if is_linear(y) else None]


@transpose_rule("conj")
def _conj(b, op, cts, operands):
    return [b.emit1("conj", cts) if T.is_complex(op.operands[0].type.dtype) else cts[0]]


# ---- reductions and scans ---------------------------------------------------------------------------------

@transpose_rule("reduce_sum")
def _reduce_sum(b, op, cts, operands):
    t = op.operands[0].type
    axes = set(op.attrs["axes"])
    kept = tuple(i for i in range(t.ndim) if i not in axes)
    return [b.emit1("broadcast_in_dim", [cts[0]], {"shape": t.shape, "broadcast_dimensions": kept,
                                                   **_as_operand(t, cts[0])})]


@transpose_rule("cumsum")
def _cumsum(b, op, cts, operands):
    return [b.emit1("cumsum", cts, {"axis": op.attrs["axis"], "reverse": not op.attrs.get("reverse", False)})]


# ---- shape ------------------------------------------------------------------------------------------

@transpose_rule("broadcast_in_dim")
def _broadcast_in_dim(b, op, cts, operands):
    t = op.operands[0].type
    dims = op.attrs["broadcast_dimensions"]
    out_shape = op.attrs["shape"]
    # sum over the new dimensions and over the operand's size-1 dimensions that were expanded
    summed = tuple(sorted(set(range(len(out_shape))) - set(dims)) +
                   [d for i, d in enumerate(dims) if t.shape[i] == 1 and out_shape[d] != 1])
    ct = b.emit1("reduce_sum", [cts[0]], {"axes": tuple(sorted(summed))}) if summed else cts[0]
    if ct.type.shape != t.shape:
        ct = b.emit1("reshape", [ct], {"new_sizes": t.shape})
    return [ct]


@transpose_rule("reshape")
def _reshape(b, op, cts, operands):
    t = op.operands[0].type
    return [b.emit1("reshape", cts, {"new_sizes": t.shape, **_as_operand(t, cts[0])})]


@transpose_rule("transpose")
def _transpose(b, op, cts, operands):
    inverse = tuple(int(i) for i in np.argsort(op.attrs["permutation"]))
    return [b.emit1("transpose", cts, {"permutation": inverse})]


@transpose_rule("squeeze")
def _squeeze(b, op, cts, operands):
    return [b.emit1("expand_dims", cts, {"dimensions": tuple(op.attrs["dimensions"])})]


@transpose_rule("expand_dims")
def _expand_dims(b, op, cts, operands):
    return [b.emit1("squeeze", cts, {"dimensions": tuple(op.attrs["dimensions"])})]


@transpose_rule("rev")
def _rev(b, op, cts, operands):
    return [b.emit1("rev", cts, op.attrs)]


# ---- slicing and padding ------------------------------------------------------------------------------

@transpose_rule("slice")
def _slice(b, op, cts, operands):
    """Pad the cotangent back to the operand's shape; strides become interior padding."""
    ct, = cts
    shape = op.operands[0].type.shape
    starts, limits = op.attrs["start_indices"], op.attrs["limit_indices"]
    strides = op.attrs.get("strides") or (1,) * len(shape)
    config = []
    for n, s, st, m in zip(shape, starts, strides, ct.type.shape):
        real_limit = s + (0 if m == 0 else 1 + (m - 1) * st)
        config.append((s, n - real_limit, st - 1))
    return [b.emit1("pad", [ct, _scalar_zero(b, ct.type)], {"padding_config": tuple(config)})]


@transpose_rule("pad")
def _pad(b, op, cts, operands):
    """The operand's cotangent: undo the edge padding (re-adding zeros where negative padding cut) and take
    every (interior + 1)-th element; the padding value's: everything else, summed."""
    ct, = cts
    x, pv = operands
    config = op.attrs["padding_config"]
    o = Emit(b)
    unpadded = o.pad(ct, _scalar_zero(b, ct.type), padding_config=tuple((-lo, -hi, 0) for lo, hi, _ in config))
    shape = unpadded.type.shape
    t_x = o.slice(unpadded, start_indices=(0,) * len(shape), limit_indices=shape,
                  strides=tuple(i + 1 for _, _, i in config))
    t_pv = None
    if is_linear(pv):
        total = lambda v: o.reduce_sum(v, axes=tuple(range(v.type.ndim)))
        t_pv = o.sub(total(ct), total(t_x))
    return [t_x if is_linear(x) else None, t_pv]


@transpose_rule("concatenate")
def _concatenate(b, op, cts, operands):
    ct, = cts
    dim, out = op.attrs["dimension"], []
    start = 0
    for v, x in zip(op.operands, operands):
        n = v.type.shape[dim]
        if is_linear(x):
            limits = tuple(start + n if i == dim else m for i, m in enumerate(ct.type.shape))
            starts = tuple(start if i == dim else 0 for i in range(ct.type.ndim))
            out.append(b.emit1("slice", [ct], {"start_indices": starts, "limit_indices": limits}))
        else:
            out.append(None)
        start += n
    return out


@transpose_rule("dynamic_slice")
def _dynamic_slice(b, op, cts, operands):
    ct, = cts
    idx = list(operands[1:])
    return [b.emit1("dynamic_update_slice", [zeros(b, op.operands[0].type), ct] + idx)] + [None] * len(idx)


@transpose_rule("dynamic_update_slice")
def _dynamic_update_slice(b, op, cts, operands):
    ct, = cts
    x, u, idx = operands[0], operands[1], list(operands[2:])
    u_type = op.operands[1].type
    t_x = b.emit1("dynamic_update_slice", [ct, zeros(b, u_type)] + idx) if is_linear(x) else None
    t_u = b.emit1("dynamic_slice", [ct] + idx, {"slice_sizes": u_type.shape}) if is_linear(u) else None
    return [t_x, t_u] + [None] * len(idx)


# ---- gather and scatter_add ------------------------------------------------------------------------------

def _start_bounds(b, idx, shape, sizes, index_map):
    """The largest in-bounds window start for each index-vector entry, broadcast to the indices' shape."""
    upper = np.array([shape[d] - sizes[d] for d in index_map], np.int64)
    upper = np.minimum(upper, np.iinfo(idx.type.dtype).max).astype(idx.type.dtype)
    return b.emit1("broadcast_in_dim", [b.constant(upper)], {"shape": idx.type.shape,
                                                             "broadcast_dimensions": (idx.type.ndim - 1,)})


@transpose_rule("gather")
def _gather(b, op, cts, operands):
    """scatter_add of the cotangent into zeros, at the start indices XLA's gather used: clamped so that
    each window fits the operand."""
    ct, = cts
    _, idx = operands
    a, t = op.attrs, op.operands[0].type
    upper = _start_bounds(b, idx, t.shape, a["slice_sizes"], a["start_index_map"])
    idx = b.emit1("clamp", [_scalar_zero(b, idx.type), idx, upper])
    attrs = {"update_window_dims": a["offset_dims"], "inserted_window_dims": a["collapsed_slice_dims"],
             "scatter_dims_to_operand_dims": a["start_index_map"]}
    if a.get("operand_batching_dims"):
        attrs.update(operand_batching_dims=a["operand_batching_dims"],
                     scatter_indices_batching_dims=a["start_indices_batching_dims"])
    return [b.emit1("scatter_add", [zeros(b, t), idx, ct], attrs), None]


@transpose_rule("scatter_add")
def _scatter_add(b, op, cts, operands):
    """The operand's cotangent passes through; the updates' is gathered back from their windows, and 0 for
    updates whose window did not fit the operand (XLA's scatter drops those)."""
    ct, = cts
    x, idx, u = operands
    t_u = None
    if is_linear(u):
        o, a = Emit(b), op.attrs
        u_type, x_type = op.operands[2].type, op.operands[0].type
        g = gather_of_scatter(a, x_type.ndim, u_type.shape)
        t_u = o.gather(ct, idx, **g)
        upper = _start_bounds(b, idx, x_type.shape, g["slice_sizes"], g["start_index_map"])
        ok = o.le(idx, upper)
        if T.is_signed(idx.type.dtype):
            ok = getattr(o, "and")(ok, o.ge(idx, o.c(idx, 0)))
        ok = o.reduce_and(ok, axes=(idx.type.ndim - 1,))
        scatter_dims = tuple(d for d in range(u_type.ndim) if d not in a["update_window_dims"])
        ok = o.broadcast_in_dim(ok, shape=u_type.shape, broadcast_dimensions=scatter_dims)
        t_u = o.select(ok, t_u, zeros(b, t_u.type))
    return [ct if is_linear(x) else None, None, t_u]


# ---- ops with regions ---------------------------------------------------------------------------------------

@transpose_rule("call")
def _call(b, op, cts, operands):
    linear = [is_linear(x) for x in operands]
    body = op.regions[0]
    cts = [instantiate(b, c, r.type) for c, r in zip(cts, op.results)]
    f_t = transpose(Func(op.attrs.get("callee", "f"), body), linear)
    outs = iter(b.emit("call", [x for x in operands if not is_linear(x)] + cts, {"callee": f_t.name}, [f_t.body]))
    return [next(outs) if lin else None for lin in linear]


@transpose_rule("custom_vjp_lin")
def _custom_vjp_lin(b, op, cts, operands):
    """The user's bwd: residuals and output cotangents in, input cotangents out. A call of bwd's region
    rather than its ops inlined: the region stays untraced until something needs its ops, so that outside
    jit the vjp function can run bwd as Python on the values instead (frontend/ad.py), as JAX does."""
    n_res, n_out = op.attrs["num_res"], op.attrs["num_out"]
    bwd = op.regions[0]
    cts = [instantiate(b, c, t) for c, t in zip(cts, bwd.arg_types[n_res:n_res + n_out])]
    return [None] * n_res + b.emit("call", list(operands[:n_res]) + cts,
                                   {"callee": f"{op.attrs.get('name', 'f')}_bwd"}, [bwd])


# ---- named-axis collectives -------------------------------------------------------------------------------

LINEAR.update({"psum", "all_gather", "ppermute", "psum_scatter", "all_to_all"})


@transpose_rule("psum")
def _psum(b, op, cts, operands):
    """Every member's output is the sum of all inputs: the map is symmetric, its transpose itself."""
    return [b.emit1("psum", cts, op.attrs)]


@transpose_rule("all_gather")
def _all_gather(b, op, cts, operands):
    """Each member's input appears in every member's output: sum the cotangents over the members, then
    take this member's part (its index along `axis`)."""
    ct, = cts
    a, t = op.attrs, op.operands[0].type
    axis, tiled = a.get("axis", 0), a.get("tiled", False)
    total = b.emit1("psum", [ct], {"axis_name": a["axis_name"]})
    me = b.emit1("axis_index", [], {"axis_name": a["axis_name"]})
    width = t.shape[axis] if tiled else 1
    if width != 1:
        me = b.emit1("mul", [me, b.constant(np.array(width, np.int32))])
    zero = b.constant(np.zeros((), np.int32))
    starts = [me if i == axis else zero for i in range(ct.type.ndim)]
    sizes = tuple(width if i == axis else n for i, n in enumerate(ct.type.shape))
    part = b.emit1("dynamic_slice", [total] + starts, {"slice_sizes": sizes})
    return [part if tiled else b.emit1("reshape", [part], {"new_sizes": t.shape})]


@transpose_rule("ppermute")
def _ppermute(b, op, cts, operands):
    """A permutation's transpose is its inverse: send each cotangent back to where its value came from."""
    return [b.emit1("ppermute", cts, dict(op.attrs, perm=tuple((d, s) for s, d in op.attrs["perm"])))]


@transpose_rule("psum_scatter")
def _psum_scatter(b, op, cts, operands):
    """Each member's part of the sum reaches every member's input: gather the parts."""
    a = op.attrs
    return [b.emit1("all_gather", cts, {"axis_name": a["axis_name"], "axis_size": a["axis_size"],
                                        "axis": a.get("scatter_dimension", 0), "tiled": a.get("tiled", False)})]


@transpose_rule("all_to_all")
def _all_to_all(b, op, cts, operands):
    """all_to_all moves data without combining it; the exchange with split and concat swapped undoes it."""
    a = op.attrs
    return [b.emit1("all_to_all", cts, dict(a, split_axis=a["concat_axis"], concat_axis=a["split_axis"]))]
