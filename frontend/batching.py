"""vmap: trace the per-example function to IR, run the batch pass over it, evaluate the result.

The function is traced on per-example abstract values (so Python control flow on a batched value raises
ConcretizationError, as in JAX), and the batched IR is evaluated in the caller's context: op by op when
eager, staged into the enclosing trace under jit, grad or another vmap.
"""
import functools

import numpy as np

from ..ir.batch import batch
from . import numpy as jnp, tree
from .abstract import ShapeDtypeStruct
from .api import ir_name, trace_to_ir
from .core import axis_env, current_trace, eval_func, type_of
from .perturbed import may_carry_tangent


def _flatten_axes(what, tree_def_of_values, values, axes):
    """One axis (int or None) per leaf of `values`, from `axes`: an int/None for all, or a pytree prefix."""
    if axes is None or isinstance(axes, int):
        return [axes] * tree_def_of_values.num_leaves
    axes_leaves, axes_tree = tree.flatten(axes, is_leaf=lambda x: x is None)
    try:
        subtrees = axes_tree.flatten_up_to(values)
    except (ValueError, TypeError):
        raise ValueError(f"vmap {what} specification must be a tree prefix of the corresponding value, got "
                         f"specification {axes!r} for value tree {tree_def_of_values}") from None
    out = []
    for ax, sub in zip(axes_leaves, subtrees):
        if ax is not None and not isinstance(ax, int):
            raise TypeError(f"vmap {what} must be ints or None, got {ax!r} of type {type(ax).__name__}")
        out += [ax] * tree.structure(sub).num_leaves
    return out


def _arg_names(fun, n_args):
    import inspect
    try:
        params = list(inspect.signature(fun).parameters)
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"argument {i}" for i in range(n_args)]


def vmap(fun, in_axes=0, out_axes=0, axis_size=None, axis_name=None, spmd_axis_name=None):
    """Vectorise `fun` over a batch axis of its inputs (JAX's semantics for in_axes, out_axes, axis_size,
    axis_name). Keyword arguments are mapped over their axis 0."""
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    if not (in_axes is None or isinstance(in_axes, (int, tuple, dict))):
        raise TypeError(f"vmap in_axes must be an int, None, or a tuple of entries corresponding to the "
                        f"positional arguments passed to the function, but got {in_axes!r}")

    @functools.wraps(fun, updated=())
    def batched(*args, **kwargs):
        name = ir_name(fun)
        if isinstance(in_axes, tuple) and len(in_axes) != len(args):
            raise ValueError(f"vmap in_axes specification must be a tree prefix of the corresponding value, got "
                             f"specification {in_axes!r} for value tree {tree.structure(args)} "
                             f"({len(in_axes)} entries for {len(args)} positional arguments)")
        arg_axes = in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args)
        leaves, dims, origin = [], [], []
        names = _arg_names(fun, len(args))
        for i, (a, ax) in enumerate(zip(args, arg_axes)):
            a_leaves, a_tree = tree.flatten(a)
            leaves += a_leaves
            dims += _flatten_axes("in_axes", a_tree, a, ax)
            origin += [names[i]] * len(a_leaves)
        for k, v in kwargs.items():
            k_leaves, _ = tree.flatten(v)
            leaves += k_leaves
            dims += [0] * len(k_leaves)
            origin += [k] * len(k_leaves)
        types = [type_of(x) for x in leaves]
        size = _batch_size(types, dims, origin, axis_size, name)
        dims = [None if d is None else d % max(t.ndim, 1) if -t.ndim <= d < t.ndim else _bad_axis(d, t, o)
                for d, t, o in zip(dims, types, origin)]
        example = [ShapeDtypeStruct.of_type(t, drop=d) for t, d in zip(types, dims)]
        in_tree = tree.structure((args, kwargs))
        axis_env.names.append((axis_name, size))
        outer = current_trace()
        differentiated = getattr(outer, "differentiated", False)
        no_tangent = [i for i, x in enumerate(leaves) if not may_carry_tangent(outer, [x])] if differentiated else []

        def member(*a, **k):
            # vmap directly under grad/jvp/vjp: custom_jvp/custom_vjp functions trace only their rules, as
            # JAX's batch trace hands them to the JVP trace below it (the function itself is batched lazily),
            # unless no input carries a tangent there
            current_trace().differentiated, current_trace().no_tangent = differentiated, no_tangent
            return fun(*a, **k)
        try:
            # always abstract, even with no inputs: what a collective gives depends on the member
            func, out_tree, captured = trace_to_ir(member, [type_of(e) for e in example], in_tree, name)
        finally:
            axis_env.names.pop()
        batched_func, out_dims = batch(func, dims + [None] * len(captured), size, axis_name)
        outs = eval_func(batched_func, leaves + captured)
        targets = _flatten_axes("out_axes", out_tree, out_tree.unflatten([0] * out_tree.num_leaves), out_axes)
        return tree.unflatten(out_tree, [_move_out(o, d, t, size) for o, d, t in zip(outs, out_dims, targets)])
    return batched


def _bad_axis(d, t, origin):
    raise ValueError(f"vmap was requested to map its argument along axis {d}, which implies that its rank "
                     f"should be at least {d + 1 if d >= 0 else -d}, but is only {t.ndim} (its shape is "
                     f"{t.shape}; argument {origin})")


def _batch_size(types, dims, origin, axis_size, name):
    sizes = {}
    for t, d, o in zip(types, dims, origin):
        if d is None:
            continue
        if not -t.ndim <= d < t.ndim:
            _bad_axis(d, t, o)
        sizes.setdefault(t.shape[d], []).append(f"axis {d} of argument {o} of type {t}")
    if axis_size is not None:
        sizes.setdefault(int(axis_size), []).append(f"axis_size={axis_size}")
    if not sizes:
        raise ValueError(f"vmap of {name} must have at least one non-None value in in_axes, or axis_size")
    if len(sizes) > 1:
        lines = "\n".join(f"  * one axis had size {s}: {'; '.join(w)}" for s, w in sizes.items())
        raise ValueError(f"vmap got inconsistent sizes for array axes to be mapped:\n{lines}")
    (size, _), = sizes.items()
    return size


def _move_out(x, d, target, size):
    t = type_of(x)
    if target is None:
        if d is not None:
            raise ValueError(f"vmap has mapped output (batch dimension {d} of a {t} value) but out_axes is None")
        return x
    nd = t.ndim + (1 if d is None else 0)
    if not -nd <= target < nd:
        raise ValueError(f"vmap out_axes {target} out of range for an output of rank {nd}")
    target %= nd
    if d is None:                      # an unmapped output is broadcast along the new axis, as in JAX
        return jnp.broadcast_to(jnp.expand_dims(x, target), t.shape[:target] + (size,) + t.shape[target:])
    return jnp.moveaxis(x, d, target)
