"""JVP rules, one per primitive. A rule emits the primal op and the output tangent, built only from
ops that are linear in the tangents (so the tangent part can be transposed): mul/div by primal values,
add/sub/neg, linear shape and indexing ops, select_n with a primal predicate.

Numerical conventions follow JAX: max/min split ties 0.5/0.5, reductions by max/min average the
tangents of tied elements, abs has derivative 1 at 0 (0 for complex 0), pow's derivative in x is 0
where y == 0 and in y is 0 where x == 0, and cumulative products/extrema are differentiated through a
parallel prefix scan (as jax.lax.associative_scan).
"""
import numpy as np

from .. import types as T
from ..builder import emit_block
from ..core import Func
from .jvp import JVP_RULES, NON_DIFFERENTIABLE, jvp, jvp_rule
from .util import add_tangents, differentiable, full_like, instantiate, tangent_type, zeros


class NotDifferentiableError(NotImplementedError):
    """A derivative JAX does not define either (raised with JAX's message)."""


NON_DIFFERENTIABLE.update({
    "eq", "ne", "lt", "le", "gt", "ge", "and", "or", "not", "xor", "mulhi", "shift_left", "shift_right_arithmetic",
    "shift_right_logical", "population_count", "clz", "is_finite", "iota", "argmax", "argmin", "sign",
    "floor", "ceil", "round", "bitcast_convert_type", "reduce_and", "reduce_or", "reduce_xor",
    "constant", "stop_gradient",
})


class Emit:
    """`o.mul(x, y)` appends a mul op through the builder and returns its result; `o.c(like, v)` is the
    constant v with like's type (shape included)."""

    def __init__(self, b):
        self.b = b

    def __getattr__(self, prim):
        return lambda *xs, **attrs: self.b.emit1(prim, list(xs), attrs)

    def c(self, like, value):
        return full_like(self.b, like.type, value)

    def select(self, pred, on_true, on_false):
        return self.b.emit1("select_n", [pred, on_false, on_true])

    def indicator(self, pred, like):
        """1 where pred holds, else 0, in like's type."""
        return self.select(pred, self.c(like, 1), self.c(like, 0))


def primal(b, op, ps):
    return b.emit(op.prim, ps, op.attrs, op.regions)


# ---- linear primitives: the tangent is the op itself applied to the tangents -------------------------

def linear_in(*positions):
    """JVP of an op linear in the operands at `positions` (all when none are given; the others, like
    indices, are not differentiated): the same op applied to the (instantiated) tangents."""
    def rule(b, op, ps, ts):
        outs = primal(b, op, ps)
        if all(t is None for i, t in enumerate(ts) if i in positions or not positions):
            return outs, [None] * len(outs)
        args = [instantiate(b, t, tangent_type(op.operands[i].type)) if i in positions or not positions else p
                for i, (p, t) in enumerate(zip(ps, ts))]
        touts = b.emit(op.prim, args, op.attrs, op.regions)
        return outs, [t if differentiable(o.type) else None for t, o in zip(touts, op.results)]
    return rule


for _name in ["neg", "copy", "reduce_sum", "broadcast_in_dim", "reshape", "transpose", "squeeze", "expand_dims",
              "rev", "slice", "concatenate", "pad", "real", "imag", "conj", "complex", "cumsum",
              "sharding_constraint", "reshard"]:
    JVP_RULES[_name] = linear_in()
JVP_RULES.update({
    "dynamic_slice": linear_in(0),
    "dynamic_update_slice": linear_in(0, 1),
    "gather": linear_in(0),
    "scatter_add": linear_in(0, 2),
})


@jvp_rule("add", "sub")
def _add_sub(b, op, ps, ts):
    tx, ty = ts
    if tx is None:
        t = ty if op.prim == "add" else b.emit1("neg", [ty])
    elif ty is None:
        t = tx
    else:
        t = b.emit1(op.prim, [tx, ty])
    return primal(b, op, ps), [t]


@jvp_rule("mul")
def _mul(b, op, ps, ts):
    (x, y), (tx, ty) = ps, ts
    t = add_tangents(b, tx and b.emit1("mul", [tx, y]), ty and b.emit1("mul", [x, ty]))
    return primal(b, op, ps), [t]


@jvp_rule("div")
def _div(b, op, ps, ts):
    (x, y), (tx, ty) = ps, ts
    out, = primal(b, op, ps)
    t = tx and b.emit1("div", [tx, y])
    if ty is not None:     # d(x/y) = -(x/y)/y * ty
        t = add_tangents(b, t, b.emit1("mul", [ty, b.emit1("neg", [b.emit1("div", [out, y])])]))
    return [out], [t]


@jvp_rule("dot_general")
def _dot_general(b, op, ps, ts):
    (x, y), (tx, ty) = ps, ts
    dot = lambda l, r: b.emit1("dot_general", [l, r], op.attrs)
    return primal(b, op, ps), [add_tangents(b, tx and dot(tx, y), ty and dot(x, ty))]


@jvp_rule("convert_element_type")
def _convert(b, op, ps, ts):
    outs = primal(b, op, ps)
    if not differentiable(op.results[0].type):
        return outs, [None]
    t, = ts
    src = op.operands[0].type
    if T.is_complex(src.dtype) and not T.is_complex(op.results[0].type.dtype):
        t = b.emit1("real", [t])
    return outs, [b.emit1("convert_element_type", [t], op.attrs)]


@jvp_rule("select_n")
def _select_n(b, op, ps, ts):
    outs = primal(b, op, ps)
    if all(t is None for t in ts[1:]):
        return outs, [None]
    cases = [instantiate(b, t, v.type) for t, v in zip(ts[1:], op.operands[1:])]
    return outs, [b.emit1("select_n", [ps[0]] + cases)]


@jvp_rule("nextafter")
def _nextafter(b, op, ps, ts):
    """nextafter(x, y) moves x by one ulp: its derivative is not zero, and JAX defines none."""
    raise NotDifferentiableError(f"Differentiation rule for 'nextafter' not implemented (as in JAX): nextafter of "
                                 f"{op.operands[0].type} values has no derivative")


@jvp_rule("custom_vjp_lin")
def _custom_vjp_lin(b, op, ps, ts):
    """The linear map of a custom_vjp function is linear in its tangents; its residuals are fixed values."""
    n_res = op.attrs["num_res"]
    if any(t is not None for t in ts[:n_res]):
        raise TypeError(f"can't apply forward-mode autodiff (jvp) to a custom_vjp function "
                        f"({op.attrs.get('name', 'f')}) twice: its linear map is known in its tangents only, "
                        f"not in the residuals of fwd")
    return linear_in(*range(n_res, len(ps)))(b, op, ps, ts)


@jvp_rule("integer_pow")
def _integer_pow(b, op, ps, ts):
    (x,), (t,), n = ps, ts, op.attrs["y"]
    outs, o = primal(b, op, ps), Emit(b)
    if n == 0:
        return outs, [None]
    if n == 1:
        return outs, [t]
    jac = o.mul(o.c(x, n), x if n == 2 else o.integer_pow(x, y=n - 1))
    return outs, [o.mul(t, jac)]


@jvp_rule("abs")
def _abs(b, op, ps, ts):
    (x,), (t,) = ps, ts
    (out,), o = primal(b, op, ps), Emit(b)
    if not T.is_complex(x.type.dtype):
        return [out], [o.mul(t, o.select(o.ge(x, o.c(x, 0)), o.c(x, 1), o.c(x, -1)))]
    # d|z| = re(conj(z) dz) / |z|, taken as 0 at z = 0
    mag = o.convert_element_type(out, new_dtype=x.type.dtype, weak_type=x.type.weak)
    mag = o.select(o.eq(mag, o.c(mag, 0)), o.c(mag, 1), mag)
    return [out], [o.real(o.mul(t, o.div(o.conj(x), mag)))]


@jvp_rule("pow")
def _pow(b, op, ps, ts):
    (x, y), (tx, ty) = ps, ts
    (out,), o = primal(b, op, ps), Emit(b)
    t = None
    if tx is not None:     # y * x^(y-1), with x^1 in place of x^-1 where y == 0 (so 0 there, not 0 * inf)
        exponent = o.select(o.eq(y, o.c(y, 0)), o.c(y, 1), o.sub(y, o.c(y, 1)))
        t = o.mul(tx, o.mul(y, o.pow(x, exponent)))
    if ty is not None:     # log(x) * x^y, with log(1) in place of log(0)
        safe_x = o.select(o.eq(x, o.c(x, 0)), o.c(x, 1), x)
        t = add_tangents(b, t, o.mul(ty, o.mul(o.log(safe_x), out)))
    return [out], [t]


def _balanced_eq(o, x, z, y):
    """The share of x's tangent in z = max(x, y) (or min): 1 if x alone attains z, 1/2 on a tie, else 0."""
    return o.div(o.indicator(o.eq(x, z), z), o.select(o.eq(y, z), o.c(z, 2), o.c(z, 1)))


@jvp_rule("max", "min")
def _max_min(b, op, ps, ts):
    (x, y), (tx, ty) = ps, ts
    (out,), o = primal(b, op, ps), Emit(b)
    t = add_tangents(b, tx and o.mul(tx, _balanced_eq(o, x, out, y)), ty and o.mul(ty, _balanced_eq(o, y, out, x)))
    return [out], [t]


@jvp_rule("rem")
def _rem(b, op, ps, ts):
    (x, y), (tx, ty) = ps, ts
    outs, o = primal(b, op, ps), Emit(b)
    t = tx
    if ty is not None:     # rem(x, y) = x - y * trunc(x / y)
        q = o.div(x, y)
        t = add_tangents(b, t, o.mul(o.neg(ty), o.mul(o.sign(q), o.floor(o.abs(q)))))
    return outs, [t]


@jvp_rule("atan2")
def _atan2(b, op, ps, ts):
    (x, y), (tx, ty) = ps, ts
    outs, o = primal(b, op, ps), Emit(b)
    denom = o.add(o.mul(x, x), o.mul(y, y))
    t = add_tangents(b, tx and o.mul(tx, o.div(y, denom)), ty and o.mul(ty, o.div(o.neg(x), denom)))
    return outs, [t]


@jvp_rule("clamp")
def _clamp(b, op, ps, ts):
    """As JAX: the operand's tangent where lo < x < hi, lo's where x < lo (and lo < hi), hi's where x > hi."""
    (lo, x, hi), (tlo, tx, thi) = ps, ts
    outs, o = primal(b, op, ps), Emit(b)
    shape = x.type.shape
    wide = lambda v: v if v.type.shape == shape else o.broadcast_in_dim(v, shape=shape, broadcast_dimensions=())
    lo_b, hi_b, zero = wide(lo), wide(hi), zeros(b, x.type)
    t = None
    if tlo is not None:
        t = o.select(getattr(o, "and")(o.gt(lo_b, x), o.lt(lo_b, hi_b)), wide(tlo), zero)
    if tx is not None:
        t = add_tangents(b, t, o.select(getattr(o, "and")(o.gt(x, lo_b), o.lt(x, hi_b)), tx, zero))
    if thi is not None:
        t = add_tangents(b, t, o.select(o.lt(hi_b, x), wide(thi), zero))
    return outs, [t]


# ---- reductions ----------------------------------------------------------------------------------

@jvp_rule("reduce_max", "reduce_min")
def _reduce_chooser(b, op, ps, ts):
    """The mean of the tangents of the elements that attain the extremum."""
    (x,), (t,) = ps, ts
    (out,), o = primal(b, op, ps), Emit(b)
    axes = op.attrs["axes"]
    kept = tuple(i for i in range(x.type.ndim) if i not in axes)
    hit = o.indicator(o.eq(x, o.broadcast_in_dim(out, shape=x.type.shape, broadcast_dimensions=kept)), x)
    counts = o.reduce_sum(hit, axes=axes)
    return [out], [o.div(o.reduce_sum(o.mul(t, hit), axes=axes), counts)]


@jvp_rule("reduce_prod")
def _reduce_prod(b, op, ps, ts):
    """As JAX: the product rule through a balanced tree of pairwise products (exact where x has zeros)."""
    (x,), (t,) = ps, ts
    (out,), o = primal(b, op, ps), Emit(b)
    axes = tuple(sorted(op.attrs["axes"]))
    shape = x.type.shape
    rest = tuple(i for i in range(len(shape)) if i not in axes)
    n = int(np.prod([shape[a] for a in axes], dtype=np.int64))
    if n == 0:     # an empty product is the constant 1
        return [out], [None]
    flat = (n,) + tuple(shape[i] for i in rest)

    def to_rows(v):
        if axes + rest != tuple(range(len(shape))):
            v = o.transpose(v, permutation=axes + rest)
        return o.reshape(v, new_sizes=flat)
    xs, tx = to_rows(x), to_rows(t)
    one = b.constant(np.ones((), x.type.dtype))
    zero = b.constant(np.zeros((), x.type.dtype))
    cut = lambda v, s, e: _slice_axis(o, v, 0, s, e)
    while xs.type.shape[0] > 1:
        m = xs.type.shape[0]
        h = (m + 1) // 2
        x1, x2, t1, t2 = cut(xs, 0, h), cut(xs, h, m), cut(tx, 0, h), cut(tx, h, m)
        if m - h != h:     # pad the second half with the identity (its tangent with 0)
            config = ((0, 1, 0),) + ((0, 0, 0),) * (len(flat) - 1)
            x2, t2 = o.pad(x2, one, padding_config=config), o.pad(t2, zero, padding_config=config)
        xs, tx = o.mul(x1, x2), o.add(o.mul(t1, x2), o.mul(x1, t2))
    return [out], [o.reshape(tx, new_sizes=out.type.shape)]


def _slice_axis(o, v, axis, start, stop, stride=1):
    shape = v.type.shape
    starts = tuple(start if i == axis else 0 for i in range(len(shape)))
    limits = tuple(stop if i == axis else n for i, n in enumerate(shape))
    attrs = {"start_indices": starts, "limit_indices": limits}
    if stride != 1:
        attrs["strides"] = tuple(stride if i == axis else 1 for i in range(len(shape)))
    return o.slice(v, **attrs)


# ---- cumulative reductions: JAX differentiates them through a parallel prefix scan ---------------

def _mul_pair(o, a, b_):
    (xa, ta), (xb, tb) = a, b_
    return o.mul(xa, xb), o.add(o.mul(ta, xb), o.mul(xa, tb))


def _extremum_pair(prim):
    def combine(o, a, b_):
        (xa, ta), (xb, tb) = a, b_
        z = getattr(o, prim)(xa, xb)
        return z, o.add(o.mul(ta, _balanced_eq(o, xa, z, xb)), o.mul(tb, _balanced_eq(o, xb, z, xa)))
    return combine


def _logaddexp_pair(o, a, b_):
    """log(exp(xa) + exp(xb)) and, as jnp.logaddexp's custom JVP, ta e^(xa - z) + tb e^(xb - z) (with +inf
    replaced by 0 in the exponents)."""
    (xa, ta), (xb, tb) = a, b_
    delta = o.sub(xa, xb)
    stable = o.add(o.max(xa, xb), o.log1p(o.exp(o.neg(o.abs(delta)))))
    z = o.select(o.ne(delta, delta), o.add(xa, xb), stable)
    no_inf = lambda v: o.select(o.eq(v, o.c(v, np.inf)), o.c(v, 0), v)
    weight = lambda v: o.exp(o.sub(no_inf(v), no_inf(z)))
    return z, o.add(o.mul(ta, weight(xa)), o.mul(tb, weight(xb)))


def _interleave(o, a, b_, axis):
    """a[0], b[0], a[1], b[1], ... along axis (a has as many elements as b, or one more)."""
    same = a.type.shape[axis] == b_.type.shape[axis]
    cfg = lambda lo, hi: tuple((lo, hi, 1) if i == axis else (0, 0, 0) for i in range(a.type.ndim))
    zero = lambda v: o.b.constant(np.zeros((), v.type.dtype))
    return o.add(o.pad(a, zero(a), padding_config=cfg(0, 1 if same else 0)),
                 o.pad(b_, zero(b_), padding_config=cfg(1, 0 if same else 1)))


def _associative_scan(o, combine, elem, axis):
    """Inclusive scan of (value, tangent) pairs along axis, as jax.lax.associative_scan: combine adjacent
    pairs, scan those recursively, then fill in the even positions."""
    n = elem[0].type.shape[axis]
    if n < 2:
        return elem
    part = lambda e, s, stop, stride=1: tuple(_slice_axis(o, v, axis, s, stop, stride) for v in e)
    odd = _associative_scan(o, combine, combine(o, part(elem, 0, n - 1, 2), part(elem, 1, n, 2)), axis)
    if n > 2:
        m = odd[0].type.shape[axis]
        firsts = odd if n % 2 else part(odd, 0, m - 1)
        even = combine(o, firsts, part(elem, 2, n, 2))
        even = tuple(o.concatenate(f, e, dimension=axis) for f, e in zip(part(elem, 0, 1), even))
    else:
        even = part(elem, 0, 1)
    return tuple(_interleave(o, e, d, axis) for e, d in zip(even, odd))


def _cumulative(combine):
    def rule(b, op, ps, ts):
        (out,), o = primal(b, op, ps), Emit(b)
        axis, reverse = op.attrs["axis"], op.attrs.get("reverse", False)
        x, t = ps[0], ts[0]
        if reverse:
            x, t = o.rev(x, dimensions=(axis,)), o.rev(t, dimensions=(axis,))
        _, tangent = _associative_scan(o, combine, (x, t), axis)
        return [out], [o.rev(tangent, dimensions=(axis,)) if reverse else tangent]
    return rule


JVP_RULES.update({
    "cumprod": _cumulative(_mul_pair),
    "cummax": _cumulative(_extremum_pair("max")),
    "cummin": _cumulative(_extremum_pair("min")),
    "cumlogsumexp": _cumulative(_logaddexp_pair),
})


# ---- sort, gather and scatter ----------------------------------------------------------------------

@jvp_rule("sort")
def _sort(b, op, ps, ts):
    """As JAX: sort an iota along as one more operand; the tangents are permuted by it."""
    dim, shape = op.attrs["dimension"], ps[0].type.shape
    index_dtype = np.int32 if shape[dim] < 2 ** 31 else np.int64
    iota = b.emit1("iota", [], {"dtype": np.dtype(index_dtype), "shape": shape, "dimension": dim})
    outs = b.emit("sort", list(ps) + [iota], op.attrs)
    perm = b.emit1("expand_dims", [outs[-1]], {"dimensions": (len(shape),)})
    others = tuple(i for i in range(len(shape)) if i != dim)
    attrs = {"offset_dims": (), "collapsed_slice_dims": (dim,), "start_index_map": (dim,),
             "slice_sizes": (1,) * len(shape)}
    if others:
        attrs.update(operand_batching_dims=others, start_indices_batching_dims=others)
    touts = [None if t is None else b.emit1("gather", [t, perm], attrs) for t in ts]
    return outs[:-1], touts


@jvp_rule("scatter_apply")
def _scatter_apply(b, op, ps, ts):   # as JAX 0.10.2, which has no derivative for x.at[idx].apply(f)
    if ts[0] is not None:
        raise NotImplementedError("scatter_apply JVP not implemented")
    return b.emit(op.prim, ps, op.attrs, op.regions), [None]


def gather_of_scatter(attrs, operand_ndim, updates_shape):
    """Gather attributes that read back, for each update, the window a scatter with `attrs` writes it to."""
    inserted, obatch = attrs["inserted_window_dims"], attrs.get("operand_batching_dims", ())
    windows = iter(attrs["update_window_dims"])
    sizes = tuple(1 if i in inserted or i in obatch else updates_shape[next(windows)] for i in range(operand_ndim))
    g = {"offset_dims": attrs["update_window_dims"], "collapsed_slice_dims": inserted,
         "start_index_map": attrs["scatter_dims_to_operand_dims"], "slice_sizes": sizes}
    if obatch:
        g.update(operand_batching_dims=obatch, start_indices_batching_dims=attrs["scatter_indices_batching_dims"])
    return g


def _scatter_parts(b, op, ps):
    x, idx, u = ps
    return x, idx, u, op.attrs, gather_of_scatter(op.attrs, x.type.ndim, u.type.shape)


@jvp_rule("scatter")
def _scatter(b, op, ps, ts):
    """As JAX: which update wins among duplicates is unspecified, so scatter an id per update, read the
    ids back, and keep the tangents of the operand elements left in place and of the updates that won."""
    x, idx, u, dn, gdn = _scatter_parts(b, op, ps)
    (tx, _, tu), (out,), o = ts, primal(b, op, ps), Emit(b)
    window = set(dn["update_window_dims"])
    id_shape = tuple(1 if d in window else n for d, n in enumerate(u.type.shape))
    ids = b.emit1("iota", [], {"dtype": np.dtype(np.int32), "shape": (int(np.prod(id_shape, dtype=np.int64)),),
                               "dimension": 0})
    ids = o.reshape(ids, new_sizes=id_shape)
    ids = o.add(o.broadcast_in_dim(ids, shape=u.type.shape, broadcast_dimensions=tuple(range(u.type.ndim))),
                full_like(b, u.type.update(dtype=np.int32, weak=False), 1))
    scattered = b.emit1("scatter", [zeros(b, x.type.update(dtype=np.int32, weak=False)), idx, ids], dn)
    t = None
    if tx is not None:
        t = o.select(o.eq(scattered, o.c(scattered, 0)), tx, zeros(b, x.type))
    if tu is not None:
        won = o.eq(ids, b.emit1("gather", [scattered, idx], gdn))
        base = instantiate(b, t, x.type)
        t = b.emit1("scatter_add", [base, idx, o.select(won, tu, zeros(b, u.type))], dn)
    return [out], [t]


@jvp_rule("scatter_mul")
def _scatter_mul(b, op, ps, ts):
    x, idx, u, dn, _ = _scatter_parts(b, op, ps)
    (tx, _, tu), (out,), o = ts, primal(b, op, ps), Emit(b)
    if tu is not None and not dn.get("unique_indices", False):
        raise NotDifferentiableError("scatter_mul gradients are only implemented if `unique_indices=True`")
    t = tx and o.mul(tx, b.emit1("scatter_mul", [o.c(x, 1), idx, u], dn))
    if tu is not None:
        t = add_tangents(b, t, o.mul(x, b.emit1("scatter_add", [zeros(b, x.type), idx, tu], dn)))
    return [out], [t]


@jvp_rule("scatter_min", "scatter_max")
def _scatter_extremal(b, op, ps, ts):
    """As JAX: where several values (the operand's and updates') attain the result, the tangent is the
    mean of theirs."""
    x, idx, u, dn, gdn = _scatter_parts(b, op, ps)
    (tx, _, tu), (out,), o = ts, primal(b, op, ps), Emit(b)
    u_hit = o.indicator(o.eq(u, b.emit1("gather", [out, idx], gdn)), u)
    x_hit = o.indicator(o.eq(x, out), x)
    count = o.add(x_hit, b.emit1("scatter_add", [zeros(b, x.type), idx, u_hit], dn))
    t = tx and o.mul(tx, x_hit)
    if tu is not None:
        t = b.emit1("scatter_add", [instantiate(b, t, x.type), idx, o.mul(tu, u_hit)], dn)
    return [out], [o.div(t, count)]


# ---- ops with regions --------------------------------------------------------------------------------

@jvp_rule("call")
def _call(b, op, ps, ts):
    nonzero = [t is not None for t in ts]
    f_jvp, out_nonzero = jvp(Func(op.attrs.get("callee", "f"), op.regions[0]), nonzero)
    outs = b.emit("call", ps + [t for t in ts if t is not None], {"callee": f_jvp.name}, [f_jvp.body])
    n = len(op.results)
    tangents = iter(outs[n:])
    return outs[:n], [next(tangents) if nz else None for nz in out_nonzero]


@jvp_rule("custom_jvp_call")
def _custom_jvp_call(b, op, ps, ts):
    """Use the rule the user defined: emit its JVP region on the primals and (instantiated) tangents."""
    n = op.attrs["num_args"]
    tangents = [instantiate(b, t, tangent_type(v.type)) for t, v in zip(ts[:n], op.operands[:n])]
    outs = emit_block(b, op.regions[1], ps[:n] + tangents)
    m = len(op.results)
    return outs[:m], [t if differentiable(r.type) else None for t, r in zip(outs[m:], op.results)]


@jvp_rule("custom_vjp_call")
def _custom_vjp_call(b, op, ps, ts):
    """Primal outputs and residuals from fwd; the tangent map is custom_vjp_lin, whose transpose is bwd."""
    n, m = op.attrs["num_args"], len(op.results)
    fwd, bwd = op.regions[1], op.regions[2]
    fwd_out = emit_block(b, fwd, ps[:n])
    outs, res = fwd_out[:m], fwd_out[m:]
    tangents = [instantiate(b, t, tangent_type(v.type)) for t, v in zip(ts[:n], op.operands[:n])]
    touts = b.emit("custom_vjp_lin", res + tangents, {"num_res": len(res), "num_out": m,
                                                      "name": op.attrs.get("name", "f")}, [bwd])
    return outs, [t if differentiable(r.type) else None for t, r in zip(touts, op.results)]


# ---- named-axis collectives -------------------------------------------------------------------------------
# psum and all_gather are linear; pmax and pmin have no JVP in JAX either (differentiate outside the vmap
# that binds the axis, where they are reductions); axis_index is an integer.

JVP_RULES["psum"] = linear_in()
JVP_RULES["all_gather"] = linear_in()
for _prim in ("ppermute", "psum_scatter", "all_to_all"):
    JVP_RULES[_prim] = linear_in()
NON_DIFFERENTIABLE.add("axis_index")


@jvp_rule("pmax", "pmin")
def _pmax_pmin(b, op, ps, ts):
    raise NotDifferentiableError(
        f"Differentiation rule for '{op.prim}' not implemented (as in JAX): {op.prim} over axis "
        f"{op.attrs['axis_name']!r} of a {op.operands[0].type} value. Differentiate outside the vmap that binds "
        f"the axis (grad(vmap(f)) rather than vmap(grad(f))), where it is a reduction")
