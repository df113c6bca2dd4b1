"""Rematerialisation (jax.checkpoint / jax.remat, jax.checkpoint_policies, jax.ad_checkpoint.checkpoint_name),
and beyond JAX: multi-level checkpointed scans and reverse-differentiable bounded while loops.

`checkpoint(f)` stages f as one `checkpoint` op. Differentiated, the forward pass keeps only the values the
policy saves, and the backward pass recomputes the rest from the checkpoint's inputs (see
ir/ad/checkpoint_rules.py). Outside any transformation f simply runs.
"""
import functools
import math
import operator
import types

import numpy as np

from ..ir.ad.checkpoint_rules import saveable
from . import lax, tree
from .abstract import ShapeDtypeStruct
from .api import ir_name, trace_flat
from .control import cond, scan
from .core import concrete_value, current_trace, stage, type_of


# ---- policies ------------------------------------------------------------------------------------------

class _Policy:
    """Which values the forward pass of a checkpoint may save for the backward pass (the rest is recomputed).
    Called as JAX calls a policy, policy(prim, *avals, **params) says whether an op's outputs are saveable."""
    __slots__ = ("name", "names")

    def __init__(self, name, names=()):
        self.name, self.names = name, tuple(names)

    def attrs(self):
        named = self.name in ("save_only_these_names", "save_any_names_but_these")
        return {"policy": self.name, "names": self.names} if named else {"policy": self.name}

    def __call__(self, prim, *avals, **params):
        return saveable(types.SimpleNamespace(prim=getattr(prim, "name", prim), attrs=params), self.name, self.names)

    def __repr__(self):
        return f"{self.name}({', '.join(map(repr, self.names))})" if self.names else self.name


def _names_policy(kind):
    def make(*names):
        for n in names:
            if not isinstance(n, str):
                raise TypeError(f"{kind}: names must be strings, got {n!r} of type {type(n).__name__}")
        return _Policy(kind, names)
    make.__name__ = kind
    return make


_nothing, _everything = _Policy("nothing_saveable"), _Policy("everything_saveable")
_dots, _dots_no_batch = _Policy("dots_saveable"), _Policy("dots_with_no_batch_dims_saveable")

checkpoint_policies = types.SimpleNamespace(
    nothing_saveable=_nothing,
    everything_saveable=_everything,
    dots_saveable=_dots,
    checkpoint_dots=_dots,
    dots_with_no_batch_dims_saveable=_dots_no_batch,
    checkpoint_dots_with_no_batch_dims=_dots_no_batch,
    save_only_these_names=_names_policy("save_only_these_names"),
    save_any_names_but_these=_names_policy("save_any_names_but_these"),
)


def _as_policy(policy):
    if policy is None:
        return _nothing
    if isinstance(policy, _Policy):
        return policy
    raise TypeError(f"checkpoint: policy must be None or one of lintra.checkpoint_policies (nothing_saveable, "
                    f"everything_saveable, dots_saveable, dots_with_no_batch_dims_saveable, "
                    f"save_only_these_names(...), save_any_names_but_these(...)); got {policy!r}. Policies are "
                    f"IR attributes, so arbitrary Python callables are not supported")


# ---- checkpoint and checkpoint_name ----------------------------------------------------------------------

def checkpoint(fun, prevent_cse=True, policy=None, static_argnums=()):
    """fun, whose derivative saves only what `policy` allows (default: nothing but fun's inputs) and
    recomputes the rest in the backward pass.

    prevent_cse=True (the default, as in JAX) keeps the recomputation from being merged with the forward
    pass: Lintra's cse never merges such checkpoints, and their recomputing copies are lowered with their
    operands behind a StableHLO optimization_barrier. XLA may still fuse and reorder the recomputation.
    static_argnums: positional arguments passed through as Python values (not traced)."""
    if not callable(fun):
        raise TypeError(f"checkpoint expects a callable, got {fun!r} of type {type(fun).__name__}")
    attrs = {**_as_policy(policy).attrs(), "prevent_cse": bool(prevent_cse)}
    nums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
    name = ir_name(fun)

    @functools.wraps(fun)
    def remat_fun(*args, **kwargs):
        if current_trace() is None:        # nothing differentiates it: just run it
            return fun(*args, **kwargs)
        n = len(args)
        for i in nums:
            if not -n <= i < n:
                raise TypeError(f"checkpoint({name}): static_argnums {static_argnums!r} out of range for {n} "
                                f"positional arguments")
        static = {i % n for i in nums}
        leaves, in_tree = tree.flatten((tuple(a for i, a in enumerate(args) if i not in static), kwargs))

        def flat(dyn, kw):
            it = iter(dyn)
            return fun(*[args[i] if i in static else next(it) for i in range(n)], **kw)
        func, out_tree, captured, out_vals = trace_flat(flat, leaves, in_tree, name)
        values = out_vals if all(v is not None for v in out_vals) else None
        outs = stage(current_trace(), "checkpoint", list(leaves) + captured, [func.body], attrs, values)
        return tree.unflatten(out_tree, outs)
    return remat_fun


remat = checkpoint


def checkpoint_name(x, name):
    """x (every leaf of a pytree) labelled `name`, for the save_only_these_names and save_any_names_but_these
    policies; the identity otherwise."""
    if not isinstance(name, str):
        raise TypeError(f"checkpoint_name: name must be a string, got {name!r} of type {type(name).__name__}")
    trace = current_trace()
    if trace is None:
        return x
    return tree.map(lambda v: stage(trace, "name", [v], (), {"name": name}, [concrete_value(v)])[0], x)


# ---- multi-level checkpointed scans ----------------------------------------------------------------------

def _checkpoints(checkpoints, length):
    if checkpoints is None:
        return max(2, math.isqrt(max(length - 1, 0)) + 1)    # ceil(sqrt(length)): two levels
    if not isinstance(checkpoints, int) or isinstance(checkpoints, bool) or checkpoints < 2:
        raise TypeError(f"checkpointed_scan: checkpoints must be an int >= 2, got {checkpoints!r}")
    return checkpoints


def _length(x_leaves, length):
    """The scan length, or None when the arguments are inconsistent (scan then reports the error)."""
    if any(type_of(x).ndim == 0 for x in x_leaves):
        return None
    sizes = {type_of(x).shape[0] for x in x_leaves}
    if length is not None:
        try:
            length = operator.index(length)
        except TypeError:
            return None
        return length if sizes <= {length} else None
    return sizes.pop() if len(sizes) == 1 else None


def _levels(n, k):
    """Segment counts per level, each at most k, over L = ceil(log_k n) levels, whose product covers n:
    n itself when it factors so, else as little more as the greedy choice gives (the rest is padding)."""
    levels = 1
    while k ** levels < n:
        levels += 1

    def exact(m, left):
        if m <= k:
            return [m]
        for c in range(min(k, m // 2), 1, -1):
            rest = exact(m // c, left - 1) if m % c == 0 and left > 1 else None
            if rest is not None:
                return [c] + rest
        return None
    found = exact(n, levels)
    if found is not None:
        return found
    sizes, m = [], n
    for left in range(levels, 0, -1):
        c = 2
        while c ** left < m:
            c += 1
        sizes.append(c)
        m = -(-m // c)
    return sizes


def _nested(step, carry, xs, sizes, unroll):
    """A scan over sizes[0] segments, each a checkpoint (nothing_saveable) of the same nested scan over the
    rest of the sizes; the innermost level is a plain scan."""
    if len(sizes) == 1:
        return scan(step, carry, xs, sizes[0], unroll=unroll)
    x_leaves, x_tree = tree.flatten(xs)
    inner = math.prod(sizes[1:])
    segment = checkpoint(lambda c, x_seg: _nested(step, c, x_seg, sizes[1:], unroll), policy=_nothing)
    split = [lax.reshape(x, (sizes[0], inner) + type_of(x).shape[1:]) for x in x_leaves]
    carry, ys = scan(segment, carry, x_tree.unflatten(split), sizes[0])
    return carry, tree.map(lambda y: lax.reshape(y, (sizes[0] * inner,) + type_of(y).shape[2:]), ys)


def _masked(f, carry, xs, n):
    """f as a step whose carry also counts the steps: from the n-th on (padding) the carry passes through
    and the ys are zeros; a cond, so f never runs on them (nor is differentiated there). The count rides in
    the carry rather than as a mask in the xs, so it costs the backward pass an i32 per saved carry, not a
    residual per step."""
    c_leaves, c_tree = tree.flatten(carry)
    x_leaves, x_tree = tree.flatten(xs)
    abstract = [ShapeDtypeStruct(t.shape, t.dtype, t.weak) for t in map(type_of, c_leaves)] + \
        [ShapeDtypeStruct(t.shape[1:], t.dtype, t.weak) for t in map(type_of, x_leaves)]
    func, out_tree, _, _ = trace_flat(lambda c, x: f(c, x), abstract,
                                      tree.structure((c_tree.unflatten(c_leaves), x_tree.unflatten(x_leaves))))
    if out_tree.num_nodes == 1 or len(out_tree.children()) != 2:
        raise TypeError(f"scan body output must be a pair, got {out_tree}.")
    y_tree = out_tree.children()[1]
    y_types = [r.type for r in func.results[c_tree.num_leaves:]]

    def skip(c, x):
        return c, y_tree.unflatten([lax.full(t.shape, 0, t.dtype) for t in y_types])

    def step(i_c, x):
        i, c = i_c
        c, ys = cond(lax.lt(i, np.int32(n)), f, skip, c, x)
        return (lax.add(i, np.int32(1)), c), ys
    return step


def checkpointed_scan(f, init, xs=None, length=None, checkpoints=None, reverse=False, unroll=1):
    """lax.scan(f, init, xs, length, reverse) with the same results and the same gradients (up to the order
    in which floating-point cotangents are summed), whose reverse-mode derivative stores O(k log_k n) carries
    instead of a set of residuals per step.

    The n steps are arranged as nested segments, L = ceil(log_k n) levels of at most k = `checkpoints` each:
    a scan over k segments, each a checkpoint (nothing_saveable) of the same scan over k sub-segments, and so
    on; the innermost level is a plain scan of at most k steps. When n is not a product of such counts the
    steps are padded to one at the end (at most a few per cent for usual n and k) with masked steps that run
    nothing, each level still one segment function, so the program grows with L only.

    Memory, during the backward pass: k carries per level, plus the per-step residuals of one innermost
    segment (at most k steps); the forward pass keeps only the k top-level carries (and the xs). Compute:
    each level below the top recomputes the forward steps once, so the backward pass costs about L forward
    passes plus one backward pass (plain scan: one backward pass, but n steps of residuals). checkpoints=None
    takes k = ceil(sqrt(n)): two levels, O(sqrt n) memory, one recomputation. Forward mode and evaluation
    are those of a plain scan."""
    x_leaves, x_tree = tree.flatten(xs)
    n = _length(x_leaves, length)
    if n is None:
        return scan(f, init, xs, length, reverse, unroll)
    k = _checkpoints(checkpoints, n)
    if n <= k:
        return scan(f, init, xs, n, reverse, unroll)
    if reverse:      # a reverse scan is a forward scan over the reversed xs, with the ys reversed back
        x_leaves = [lax.rev(x, (0,)) for x in x_leaves]
    sizes = _levels(n, k)
    total = math.prod(sizes)
    seq = x_tree.unflatten(x_leaves)
    if total == n:
        carry, ys = _nested(f, init, seq, sizes, unroll)
    else:
        step = _masked(f, init, seq, n)
        seq = x_tree.unflatten([lax.pad(x, lax.full((), 0, type_of(x).dtype),
                                        [(0, total - n, 0)] + [(0, 0, 0)] * (type_of(x).ndim - 1)) for x in x_leaves])
        (_, carry), ys = _nested(step, (np.int32(0), init), seq, sizes, unroll)
        ys = tree.map(lambda y: lax.slice_in_dim(y, 0, n), ys)
    if reverse:
        ys = tree.map(lambda y: lax.rev(y, (0,)), ys)
    return carry, ys


def bounded_while_loop(cond_fun, body_fun, init_val, max_steps, checkpoints=None):
    """while_loop(cond_fun, body_fun, init_val) run for at most max_steps iterations, reverse-differentiable:
    a checkpointed scan of max_steps steps, each running body_fun while cond_fun holds and keeping the value
    once it fails (a cond, so finished steps cost no body evaluation). Memory and recomputation are those of
    checkpointed_scan (by default O(sqrt(max_steps)) carries); if cond_fun still holds after max_steps
    iterations, the value reached then is returned."""
    if not isinstance(max_steps, int) or isinstance(max_steps, bool) or max_steps < 0:
        raise TypeError(f"while_loop: max_steps must be a non-negative int, got {max_steps!r}")

    def step(val, _):
        return cond(cond_fun(val), body_fun, lambda v: v, val), None
    val, _ = checkpointed_scan(step, init_val, None, max_steps, checkpoints)
    return val
