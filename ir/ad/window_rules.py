"""Derivatives of the windowed reductions and of the general reduction, JAX's rules
(jax/_src/lax/windowed_reductions.py, lax.py):

- reduce_window_sum is linear; its transpose pads the cotangent (strides become interior padding) and sums
  it over windows again, as a convolution with a kernel of ones would be transposed.
- reduce_window_max/min: the tangent at the element each window selects, select_and_gather_add, which is
  linear in the tangent; its transpose scatters the cotangent to those elements, select_and_scatter_add
  (XLA's SelectAndScatter), whose transpose is select_and_gather_add again.
- reduce_window with a body: a reduce_window over (primal, tangent) pairs whose body is the JVP of the body.
  As in JAX it has no transpose: reverse mode through a general windowed reduction is not supported.
- reduce with a body: the reduction as a tree of the body applied to halves of the array, and the JVP of
  that tree; its ops are the body's, so reverse mode works wherever the body's ops have rules.
"""
import numpy as np

from .. import types as T
from ..batch.batch import batch
from ..builder import Builder
from ..core import Func
from .conv_rules import vjp_lhs_padding
from .jvp import JVP_RULES, jvp_block, jvp_rule
from .jvp_rules import Emit, linear_in, primal
from .transpose import transpose_rule
from .transpose_rules import LINEAR
from .util import differentiable, instantiate, tangent_type, zeros

LINEAR.update({"reduce_window_sum", "select_and_gather_add", "select_and_scatter_add"})
JVP_RULES.update({"reduce_window_sum": linear_in(), "select_and_gather_add": linear_in(0),
                  "select_and_scatter_add": linear_in(0)})


def _window(a):
    return {k: a[k] for k in ("window_dimensions", "window_strides", "padding", "base_dilation", "window_dilation")}


@transpose_rule("reduce_window_sum")
def _reduce_window_sum(b, op, cts, operands):
    ct, = cts
    a, t = op.attrs, op.operands[0].type
    o = Emit(b)
    pads = vjp_lhs_padding(t.shape, a["window_dimensions"], a["window_strides"], ct.type.shape, a["padding"],
                           a["base_dilation"], a["window_dilation"])
    config = tuple((lo, hi, s - 1) for (lo, hi), s in zip(pads, a["window_strides"]))
    padded = o.pad(ct, b.constant(np.zeros((), ct.type.dtype)), padding_config=config)
    ones = (1,) * t.ndim
    return [o.reduce_window_sum(padded, window_dimensions=tuple(a["window_dimensions"]),
                                window_strides=tuple(a["base_dilation"]), padding=((0, 0),) * t.ndim,
                                base_dilation=ones, window_dilation=tuple(a["window_dilation"]))]


@jvp_rule("reduce_window_max", "reduce_window_min")
def _reduce_window_chooser(b, op, ps, ts):
    (x,), (t,) = ps, ts
    select = "ge" if op.prim == "reduce_window_max" else "le"
    return primal(b, op, ps), [b.emit1("select_and_gather_add", [t, x], dict(_window(op.attrs), select_prim=select))]


@transpose_rule("select_and_gather_add")
def _select_and_gather_add(b, op, cts, operands):
    ct, = cts
    _, operand = operands
    a = op.attrs
    if any(d != 1 for d in a["window_dilation"]):
        raise NotImplementedError(f"VJP not implemented for select_and_gather (MaxPool) with window dilation, got "
                                  f"window_dilation={tuple(a['window_dilation'])}.")
    o = Emit(b)
    base = tuple(a["base_dilation"])
    dilated = any(d != 1 for d in base)
    if dilated:     # holes between elements hold the selection's identity, so no window selects them
        dtype = operand.type.dtype
        fill = -np.inf if a["select_prim"] == "ge" else np.inf
        identity = np.array(fill, dtype) if T.is_inexact(dtype) else \
            np.array(T.iinfo(dtype).min if a["select_prim"] == "ge" else T.iinfo(dtype).max, dtype)
        operand = o.pad(operand, b.constant(identity), padding_config=tuple((0, 0, d - 1) for d in base))
    out = o.select_and_scatter_add(ct, operand, select_prim=a["select_prim"],
                                   window_dimensions=tuple(a["window_dimensions"]),
                                   window_strides=tuple(a["window_strides"]), padding=tuple(a["padding"]))
    if dilated:
        shape = out.type.shape
        out = o.slice(out, start_indices=(0,) * len(shape), limit_indices=shape, strides=base)
    return [out, None]


@transpose_rule("select_and_scatter_add")
def _select_and_scatter_add(b, op, cts, operands):
    ct, = cts
    a = op.attrs
    ones = (1,) * ct.type.ndim
    return [b.emit1("select_and_gather_add", [ct, operands[1]],
                    dict(select_prim=a["select_prim"], window_dimensions=a["window_dimensions"],
                         window_strides=a["window_strides"], padding=a["padding"], base_dilation=ones,
                         window_dilation=ones)), None]


# ---- reductions with a body ------------------------------------------------------------------------

def _pair_body(region):
    """The JVP of a body (accs, xs) -> accs as a body over pairs ((accs, t_accs), (xs, t_xs)) -> (accs, t_accs)."""
    n = len(region.args) // 2
    b = Builder()
    acc = [b.arg(a.type) for a in region.args[:n]]
    t_acc = [b.arg(tangent_type(a.type)) for a in region.args[:n]]
    xs = [b.arg(a.type) for a in region.args[n:]]
    t_xs = [b.arg(tangent_type(a.type)) for a in region.args[n:]]
    outs, touts = jvp_block(b, region, acc + xs, t_acc + t_xs)
    b.ret(*outs, *[instantiate(b, t, tangent_type(r.type)) for t, r in zip(touts, outs)])
    return b.block


@jvp_rule("reduce_window")
def _reduce_window(b, op, ps, ts):
    n = len(ps) // 2
    if any(t is not None for t in ts[n:]):
        raise TypeError("reduce_window jvp does not support non-zero init_value_tangent.")
    tangents = [instantiate(b, t, tangent_type(v.type)) for t, v in zip(ts[:n], op.operands[:n])]
    init_tangents = [zeros(b, tangent_type(v.type)) for v in op.operands[n:]]
    outs = b.emit("reduce_window", ps[:n] + tangents + ps[n:] + init_tangents, op.attrs, [_pair_body(op.regions[0])])
    return outs[:n], outs[n:]


def _tree_reduce(b, region, operands, inits, tangents, axes):
    """jvp of JAX's _reduce_tree: the reduced axes flattened to the front, then halves combined by the body
    (batched over all their elements) until one row is left. Returns (outputs, output tangents)."""
    o = Emit(b)
    t0 = operands[0].type
    kept = [i for i in range(t0.ndim) if i not in axes]
    n_red = int(np.prod([t0.shape[i] for i in axes], dtype=np.int64))
    rest = tuple(t0.shape[i] for i in kept)
    m = int(np.prod(rest, dtype=np.int64))
    perm = tuple(axes) + tuple(kept)

    def flat(x):
        if perm != tuple(range(len(perm))):
            x = o.transpose(x, permutation=perm)
        return o.reshape(x, new_sizes=(n_red, m))
    xs, ts = [flat(x) for x in operands], [t and flat(t) for t in tangents]
    if n_red == 0:
        full = lambda v: o.broadcast_in_dim(v, shape=rest, broadcast_dimensions=())
        return [full(i) for i in inits], [t and zeros(b, t.type.update(shape=rest)) for t in tangents]
    k = n_red
    while k > 1:
        k1 = (k + 1) // 2

        def halves(v, fill):
            if v is None:
                return None, None
            first = o.slice(v, start_indices=(0, 0), limit_indices=(k1, m))
            second = o.slice(v, start_indices=(k1, 0), limit_indices=(k, m))
            if k - k1 != k1:
                second = o.pad(second, fill, padding_config=((0, 1, 0), (0, 0, 0)))
            return o.reshape(first, new_sizes=(k1 * m,)), o.reshape(second, new_sizes=(k1 * m,))
        x1, x2 = zip(*[halves(x, i) for x, i in zip(xs, inits)])
        t1, t2 = zip(*[halves(t, t and b.constant(np.zeros((), t.type.dtype))) for t in ts])
        body, _ = batch(Func("body", region), [0] * len(region.args), k1 * m, out_dims_at_front=True)
        outs, touts = jvp_block(b, body.body, list(x1 + x2), list(t1 + t2))
        xs = [o.reshape(v, new_sizes=(k1, m)) for v in outs]
        ts = [t and o.reshape(t, new_sizes=(k1, m)) for t in touts]
        k = k1
    return [o.reshape(v, new_sizes=rest) for v in xs], [t and o.reshape(t, new_sizes=rest) for t in ts]


@jvp_rule("reduce")
def _reduce(b, op, ps, ts):
    n = len(ps) // 2
    if any(t is not None for t in ts[n:]):
        raise TypeError("reduce jvp does not support non-zero init_value tangents.")
    tangents = [instantiate(b, t, v.type) if differentiable(v.type) else None for t, v in zip(ts[:n], op.operands[:n])]
    return _tree_reduce(b, op.regions[0], ps[:n], ps[n:], tangents, tuple(op.attrs["axes"]))
