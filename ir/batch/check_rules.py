"""Batching checkify's `check`, as JAX's check_batching_rule: per error kind, the batch member reported is
the one jnp.argsort(pred)[-1] picks, i.e. the last member whose predicate is true (the last member when
none is), and the check is emitted once on that member's predicate, code and payload."""
import numpy as np

from ..builder import Builder, emit_block
from ..primitives_check import layout
from .batch import batch_rule

_I32 = np.dtype(np.int32)


def _member(ctx, x, idx):
    """x[idx] for x batched at dimension 0 and a scalar i32 idx."""
    b, t = ctx.b, x.type
    zeros = [b.constant(np.int32(0))] * (t.ndim - 1) if t.ndim > 1 else []
    sliced = b.emit1("dynamic_slice", [x, idx] + zeros, {"slice_sizes": (1,) + t.shape[1:]})
    return b.emit1("reshape", [sliced], {"new_sizes": t.shape[1:]})


@batch_rule("check")
def _check(ctx, op, xs, ds):
    b, size = ctx.b, ctx.size
    xs = [ctx.to_front(x, d) for x, d in zip(xs, ds)]
    out = list(xs)
    for p, c, payload in layout(op.attrs["payloads"]):
        if size == 0:
            raise ValueError("checkify: cannot check an error batched over an axis of size 0")
        # the last true predicate: argmax over the reversed predicates finds the first true one from the end
        as_int = b.emit1("convert_element_type", [xs[p]], {"new_dtype": _I32, "weak_type": False})
        rev = b.emit1("rev", [as_int], {"dimensions": (0,)})
        first = b.emit1("argmax", [rev], {"axes": (0,), "index_dtype": _I32})
        idx = b.emit1("sub", [b.constant(np.int32(size - 1)), first])
        for i in [p, c] + payload:
            out[i] = _member(ctx, xs[i], idx)
    b.emit("check", out, op.attrs)
    return [], []


def masked_while_body(cond, body, n_cond_consts):
    """For a while loop batched with a batched predicate (every member steps until all are done): the
    per-example body, taking (cond consts, body consts, carry), whose checks count only while the member's
    own predicate holds, so a member that is done raises nothing. None when the body holds no check at its
    top level. (Checks nested in the body's own regions are not masked.)"""
    if not any(op.prim == "check" for op in body.ops):
        return None
    b = Builder()
    cc = [b.arg(t) for t in cond.arg_types[:n_cond_consts]]
    args = [b.arg(t) for t in body.arg_types]
    carry = args[len(args) - (len(cond.arg_types) - n_cond_consts):]
    active, = emit_block(b, cond, cc + carry)
    if active.type.weak:
        active = b.emit1("convert_element_type", [active], {"new_dtype": np.dtype(bool), "weak_type": False})
    env = dict(zip(body.args, args))
    for op in body.ops:
        ins = [env[v] for v in op.operands]
        if op.prim == "check":
            for p, _, _ in layout(op.attrs["payloads"]):
                ins[p] = b.emit1("and", [ins[p], active])
        env.update(zip(op.results, b.emit(op.prim, ins, op.attrs, op.regions)))
    b.ret(*[env[v] for v in body.results])
    return b.block
