"""Rematerialisation (jax.checkpoint / jax.remat, jax.checkpoint_policies, jax.ad_checkpoint.checkpoint_name).

`checkpoint(f)` stages f as one `checkpoint` op. Differentiated, the forward pass keeps only the values the
policy saves, and the backward pass recomputes the rest from the checkpoint's inputs (see
ir/ad/checkpoint_rules.py). Outside any transformation f simply runs.
"""
import functools
import types

from ..ir.ad.checkpoint_rules import saveable
from . import tree
from .api import ir_name, trace_flat
from .core import concrete_value, current_trace, stage


# ---- policies ------------------------------------------------------------------------------------------

class _Policy:
    """Which values the forward pass of a checkpoint may save for the backward pass (the rest is recomputed).
    Called as JAX calls a policy, policy(prim, *avals, **params) says whether an op's outputs are saveable.
    save_from_both_policies holds the (policy, names) pairs it ORs in `parts`."""
    __slots__ = ("name", "names", "parts")

    def __init__(self, name, names=(), parts=()):
        self.name, self.names, self.parts = name, tuple(names), tuple(parts)

    def attrs(self):
        if self.parts:
            return {"policy": self.name, "policies": self.parts}
        named = self.name in ("save_only_these_names", "save_any_names_but_these")
        return {"policy": self.name, "names": self.names} if named else {"policy": self.name}

    def __call__(self, prim, *avals, **params):
        op = types.SimpleNamespace(prim=getattr(prim, "name", prim), attrs=params)
        return saveable(op, self.name, self.names, self.parts)

    def __repr__(self):
        if self.parts:
            return f"{self.name}({', '.join(f'{p}{list(n) if n else str()}' for p, n in self.parts)})"
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


# Offloading (to host memory, on accelerators) saves on CPU, where there is no other memory: the offload
# policies below are their save-only counterparts, as the README says.

def _offload_dot_with_no_batch_dims(offload_src, offload_dst):
    """As dots_with_no_batch_dims_saveable (JAX offloads those dots instead of keeping them on device)."""
    return _dots_no_batch


def _save_and_offload_only_these_names(*, names_which_can_be_saved, names_which_can_be_offloaded, offload_src,
                                       offload_dst):
    """As save_only_these_names of both name sets (JAX offloads the second); they must not intersect."""
    saved, offloaded = set(names_which_can_be_saved), set(names_which_can_be_offloaded)
    if saved & offloaded:
        raise ValueError(f"The names should be exclusive and should not intersect in `names_which_can_be_saved` "
                         f"and `names_which_can_be_offloaded`. Got names_which_can_be_saved={saved}, "
                         f"names_which_can_be_offloaded={offloaded} and the intersection={saved & offloaded}")
    return _names_policy("save_only_these_names")(*sorted(saved | offloaded))


def _save_anything_except_these_names(*names_not_to_save):
    """As JAX 0.10.2's, which saves everything whatever the names (its own TODO says it does not work yet)."""
    return _everything


def _save_from_both_policies(policy_1, policy_2):
    """A value is saveable iff either policy lets it be (their logical OR)."""
    parts = []
    for p in (policy_1, policy_2):
        p = _as_policy(p)
        parts += p.parts or [(p.name, p.names)]
    return _Policy("save_from_both_policies", parts=parts)

checkpoint_policies = types.SimpleNamespace(
    nothing_saveable=_nothing,
    everything_saveable=_everything,
    dots_saveable=_dots,
    checkpoint_dots=_dots,
    dots_with_no_batch_dims_saveable=_dots_no_batch,
    checkpoint_dots_with_no_batch_dims=_dots_no_batch,
    save_only_these_names=_names_policy("save_only_these_names"),
    save_any_names_but_these=_names_policy("save_any_names_but_these"),
    save_anything_except_these_names=_save_anything_except_these_names,
    save_from_both_policies=_save_from_both_policies,
    offload_dot_with_no_batch_dims=_offload_dot_with_no_batch_dims,
    save_and_offload_only_these_names=_save_and_offload_only_these_names,
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

    @functools.wraps(fun, updated=())
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
