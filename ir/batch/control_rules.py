"""Batching rules for structured control flow: cond, while and scan.

Regions are batched by the same pass. Where a result is batched in some branch or iteration, it is made
batched (at dimension 0) in all of them, so the op's result types do not depend on the path taken.
"""
import numpy as np

from ..ad.control_rules import copy_block, split
from ..builder import Builder, emit_block
from ..core import Func
from .batch import BatchContext, batch, batch_rule
from .check_rules import masked_while_body


def _out_dims(ctx, block, in_dims):
    return batch(Func("region", block), in_dims, ctx.size, ctx.axis_name)[1]


def _batched_region(ctx, block, in_dims, front):
    """`block` batched with its arguments at in_dims; results marked in `front` batched at dimension 0
    (broadcast if needed), the others unbatched (the caller knows they are)."""
    f, dims = batch(Func("region", block), in_dims, ctx.size, ctx.axis_name)
    inner = BatchContext(Builder(f.body), ctx.size, ctx.axis_name)
    for d, fr in zip(dims, front):
        assert fr or d is None, "an output the batching rule takes as unbatched is batched"
    f.body.results = [inner.to_front(r, d) if fr else r for r, d, fr in zip(f.body.results, dims, front)]
    return f.body


def _dims(flags):
    return [0 if f else None for f in flags]


def _per_member(b, pred, like):
    """pred (batched at 0) broadcast along the other dimensions of `like`, as select_n needs it."""
    if pred.type.shape == like.type.shape:
        return pred
    return b.emit1("broadcast_in_dim", [pred], {"shape": like.type.shape, "broadcast_dimensions": (0,)})


@batch_rule("cond")
def _cond(ctx, op, xs, ds):
    """A batched index: every branch runs (batched), and select_n picks each member's results. An
    unbatched index: a cond of batched branches."""
    (index, *operands), (index_dim, *dims) = xs, ds
    n_out = len(op.results)
    if index_dim is None:
        front = [any(col) for col in zip(*([d is not None for d in _out_dims(ctx, r, dims)]
                                            for r in op.regions))] if n_out else []
        branches = [_batched_region(ctx, r, dims, front) for r in op.regions]
        return ctx.b.emit("cond", xs, op.attrs, branches), _dims(front)
    o = ctx.b
    index = ctx.to_front(index, index_dim)
    last = o.constant(np.array(len(op.regions) - 1, np.int32))
    index = o.emit1("clamp", [o.constant(np.array(0, np.int32)), index, last])
    results = [emit_block(o, _batched_region(ctx, r, dims, [True] * n_out), operands) for r in op.regions]
    outs = []
    for cases in zip(*results):
        outs.append(o.emit1("select_n", [_per_member(o, index, cases[0]), *cases]))
    return outs, [0] * n_out


def _carry_fixed_point(ctx, body, dims_before, carry_b, dims_after=()):
    """Which carries are batched: those whose initial value is, or that the body batches (iterated)."""
    while True:
        out = _out_dims(ctx, body, dims_before + _dims(carry_b) + list(dims_after))
        new = [c or d is not None for c, d in zip(carry_b, out)]
        if new == carry_b:
            return carry_b, out
        carry_b = new


@batch_rule("while")
def _while(ctx, op, xs, ds):
    """Batched carries stay at dimension 0. With a batched predicate, the loop runs while any member's
    predicate holds, and members that are done keep their carry (select_n); every carry is then batched."""
    ncc, nbc = op.attrs["cond_nconsts"], op.attrs["body_nconsts"]
    cc, bc, init = split(xs, ncc, nbc)
    dcc, dbc, dinit = split(ds, ncc, nbc)
    cond, body = op.regions
    carry_b, _ = _carry_fixed_point(ctx, body, dbc, [d is not None for d in dinit])
    pred_batched = _out_dims(ctx, cond, dcc + _dims(carry_b))[0] is not None
    if pred_batched:
        carry_b = [True] * len(init)
    init = [ctx.to_front(x, d) if b else x for x, d, b in zip(init, dinit, carry_b)]
    masked = masked_while_body(cond, body, ncc) if pred_batched else None
    if masked is not None:      # checkify's checks of members that are done must not fire
        bbody = _batched_region(ctx, masked, dcc + dbc + _dims(carry_b), carry_b)
    else:
        bbody = _batched_region(ctx, body, dbc + _dims(carry_b), carry_b)
    if not pred_batched:
        bcond = _batched_region(ctx, cond, dcc + _dims(carry_b), [False])
        return ctx.b.emit("while", cc + bc + init, op.attrs, [bcond, bbody]), _dims(carry_b)
    bcond = _batched_region(ctx, cond, dcc + _dims(carry_b), [True])
    # cond: does any member go on?
    cb = Builder()
    args = [cb.arg(a.type) for a in bcond.args]
    pred, = emit_block(cb, bcond, args)
    cb.ret(cb.emit1("reduce_or", [pred], {"axes": (0,)}))
    # body: step every member, keep the carry of those whose predicate is false
    bb = Builder()
    c_args, b_args, carry = ([bb.arg(v.type) for v in part] for part in (cc, bc, init))
    pred, = emit_block(bb, copy_block(bcond), c_args + carry)
    new = emit_block(bb, bbody, (c_args if masked is not None else []) + b_args + carry)
    kept = []
    for old, step in zip(carry, new):
        kept.append(bb.emit1("select_n", [_per_member(bb, pred, old), old, step]))
    bb.ret(*kept)
    attrs = {"cond_nconsts": ncc, "body_nconsts": ncc + nbc}
    return ctx.b.emit("while", cc + cc + bc + init, attrs, [cb.block, bb.block]), [0] * len(init)


@batch_rule("scan")
def _scan(ctx, op, xs, ds):
    """The body is batched with x slices batched at 0, so batched xs have their batch dimension at 1 (the
    scan walks axis 0); batched carries are at 0, batched ys at 1."""
    nc, ncar = op.attrs["num_consts"], op.attrs["num_carry"]
    consts, init, seqs = split(xs, nc, ncar)
    dc, dinit, dx = split(ds, nc, ncar)
    seqs = [x if d is None else ctx.to_dim(x, d, 1) for x, d in zip(seqs, dx)]
    x_dims = [None if d is None else 0 for d in dx]
    carry_b, out = _carry_fixed_point(ctx, op.regions[0], dc, [d is not None for d in dinit], x_dims)
    ys_b = [d is not None for d in out[ncar:]]
    body = _batched_region(ctx, op.regions[0], dc + _dims(carry_b) + x_dims, carry_b + ys_b)
    init = [ctx.to_front(x, d) if b else x for x, d, b in zip(init, dinit, carry_b)]
    outs = ctx.b.emit("scan", consts + init + seqs, op.attrs, [body])
    return outs, _dims(carry_b) + [1 if b else None for b in ys_b]
