"""custom_jvp and custom_vjp: user-defined derivative rules, carried in the IR as ops with regions.

Applied inside a trace, the function is traced into region 0 at once; its rules are traced into lazy
regions, built when a pass first needs them (so a rule may call the function it belongs to, and a
rule traced outside jit sees the primal values and may branch on them). The jvp and transpose passes
use the rule regions instead of differentiating the function's body. Applied outside any
transformation, the function simply runs.
"""
import functools
import inspect

import numpy as np

from ..ir.ad.util import differentiable, tangent_type
from ..ir.core import LazyBlock
from . import tree
from .abstract import ShapeDtypeStruct
from .api import ir_name, trace_flat
from .core import current_trace, stage, type_of


def _resolve(fun, args, kwargs):
    if not kwargs:
        return tuple(args)
    try:
        bound = inspect.signature(fun).bind(*args, **kwargs)
    except TypeError as e:
        raise TypeError(f"{ir_name(fun)}: {e}") from None
    bound.apply_defaults()
    if bound.kwargs:
        raise TypeError(f"{ir_name(fun)}: keyword-only arguments are not supported by custom_jvp/custom_vjp")
    return bound.args


def _merge(nondiff, diff):
    it = iter(diff)
    return [nondiff[i] if i in nondiff else next(it) for i in range(len(nondiff) + len(diff))]


def _stand_ins(leaves):
    """What a lazily traced rule sees for the primal inputs: their values where known, else abstract."""
    out = []
    for x in leaves:
        v = getattr(x, "val", x)
        t = type_of(x)
        out.append(v if v is not None else ShapeDtypeStruct(t.shape, t.dtype, weak_type=t.weak))
    return out


def _abstract(types):
    return [ShapeDtypeStruct(t.shape, t.dtype, weak_type=t.weak) for t in types]


def _lazy(fun, leaves, name):
    """A LazyBlock tracing fun(*leaves) (a flat function) when first used."""
    structure = tree.structure(tuple([0] * len(leaves)))
    return LazyBlock(lambda: trace_flat(fun, leaves, structure, name, embed_arrays=True)[0].body)


class _CustomFunction:
    def __init__(self, fun, nondiff_argnums):
        functools.update_wrapper(self, fun, updated=())
        self.fun, self.nondiff_argnums = fun, tuple(nondiff_argnums)

    def _prepare(self, args, kwargs):
        args = _resolve(self.fun, args, kwargs)
        nondiff = {i: args[i] for i in self.nondiff_argnums}
        diff = tuple(a for i, a in enumerate(args) if i not in nondiff)
        leaves, in_tree = tree.flatten(diff)
        name = ir_name(self.fun)
        f_ir, out_tree, consts, out_vals = trace_flat(lambda *d: self.fun(*_merge(nondiff, d)), leaves, in_tree,
                                                      name)
        return args, nondiff, diff, leaves, in_tree, name, f_ir, out_tree, consts, out_vals

    def _bind(self, prim, leaves, consts, regions, out_tree, out_vals, **attrs):
        values = out_vals if all(v is not None for v in out_vals) else None
        outs = stage(current_trace(), prim, list(leaves) + consts, regions, attrs, values)
        return tree.unflatten(out_tree, outs)


class custom_jvp(_CustomFunction):
    """custom_jvp(fun, nondiff_argnums=()): fun with a JVP rule set by `defjvp` or `defjvps`."""

    def __init__(self, fun, nondiff_argnums=()):
        super().__init__(fun, nondiff_argnums)
        self.jvp = None

    def defjvp(self, jvp, symbolic_zeros=False):
        """jvp(primals, tangents) -> (primal_out, tangent_out); nondiff args come first, as in JAX."""
        self.jvp = jvp
        return jvp

    def defjvps(self, *jvps):
        """One function per argument: jvp_i(tangent_i, primal_out, *primals) -> its tangent contribution;
        None for an argument that does not affect the output."""
        def jvp(primals, tangents):
            out = self.fun(*primals)
            terms = [f(t, out, *primals) for f, t in zip(jvps, tangents) if f is not None]
            if not terms:
                return out, tree.map(lambda o: o * 0, out)
            return out, functools.reduce(lambda a, b: tree.map(lambda x, y: x + y, a, b), terms)
        self.jvp = jvp

    def __call__(self, *args, **kwargs):
        if self.jvp is None:
            raise AttributeError(f"No JVP defined for custom_jvp function {ir_name(self.fun)} using defjvp.")
        if current_trace() is None:        # nothing observes the derivative: just run it
            return self.fun(*_resolve(self.fun, args, kwargs))
        args, nondiff, diff, leaves, in_tree, name, f_ir, out_tree, consts, out_vals = self._prepare(args, kwargs)
        n = len(leaves)
        nd = [nondiff[i] for i in sorted(nondiff)]

        def jvp_flat(*xs):
            primals, tangents = in_tree.unflatten(xs[:n]), in_tree.unflatten(xs[n:])
            out, t_out = self.jvp(*nd, tuple(primals), tuple(tangents))
            o_leaves, o_tree = tree.flatten(out)
            t_leaves, t_tree = tree.flatten(t_out)
            if o_tree != out_tree or t_tree != out_tree:
                raise TypeError(f"custom_jvp rule of {name} must return (primal_out, tangent_out) with the "
                                f"structure of {name}'s output {out_tree}; got {o_tree} and {t_tree}")
            for o, t in zip(o_leaves, t_leaves):
                ot, tt = type_of(o), type_of(t)
                if ot.shape != tt.shape or (differentiable(ot) and tt.dtype != ot.dtype):
                    raise TypeError(f"custom_jvp rule of {name}: primal output {ot} and its tangent {tt} "
                                    f"must have the same shape and dtype")
            return o_leaves + t_leaves
        t_types = [tangent_type(type_of(x)) for x in leaves]
        rule = _lazy(jvp_flat, _stand_ins(leaves) + _abstract(t_types), f"{name}_jvp")
        return self._bind("custom_jvp_call", leaves, consts, [f_ir.body, rule], out_tree, out_vals,
                          num_args=n, name=name)


class custom_vjp(_CustomFunction):
    """custom_vjp(fun, nondiff_argnums=()): fun with a reverse-mode rule set by `defvjp(fwd, bwd)`."""

    def __init__(self, fun, nondiff_argnums=()):
        super().__init__(fun, nondiff_argnums)
        self.fwd = self.bwd = None

    def defvjp(self, fwd, bwd, symbolic_zeros=False):
        """fwd(*args) -> (out, residuals); bwd(*nondiff, residuals, out_cotangent) -> a tuple with one
        cotangent per differentiable argument (a pytree like it, or None for zero)."""
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args, **kwargs):
        if self.fwd is None:
            raise AttributeError(f"No VJP defined for custom_vjp function {ir_name(self.fun)} using defvjp.")
        if current_trace() is None:
            return self.fun(*_resolve(self.fun, args, kwargs))
        args, nondiff, diff, leaves, in_tree, name, f_ir, out_tree, consts, out_vals = self._prepare(args, kwargs)
        nd = [nondiff[i] for i in sorted(nondiff)]
        n_out = out_tree.num_leaves
        res_tree = []

        def fwd_flat(*xs):
            out, res = self.fwd(*_merge(nondiff, in_tree.unflatten(xs)))
            o_leaves, o_tree = tree.flatten(out)
            if o_tree != out_tree:
                raise TypeError(f"custom_vjp fwd of {name} must return (output, residuals) with output structure "
                                f"{out_tree}; got {o_tree}")
            r_leaves, r_tree = tree.flatten(res)
            res_tree[:] = [r_tree]
            return o_leaves + r_leaves
        fwd = _lazy(fwd_flat, _stand_ins(leaves), f"{name}_fwd")

        def bwd_flat(*xs):
            n_res = len(xs) - n_out
            res, ct = res_tree[0].unflatten(xs[:n_res]), out_tree.unflatten(xs[n_res:])
            cts = self.bwd(*nd, res, ct)
            if not isinstance(cts, (tuple, list)) or len(cts) != len(diff):
                raise TypeError(f"custom_vjp bwd of {name} must return a tuple with one cotangent per "
                                f"differentiable argument ({len(diff)}); got {cts!r}")
            flat = []
            for arg, c in zip(diff, cts):
                a_leaves, a_tree = tree.flatten(arg)
                c_leaves = [None] * len(a_leaves) if c is None else a_tree.flatten_up_to(c)
                for a, cl in zip(a_leaves, c_leaves):
                    t = type_of(a)
                    if cl is not None and type_of(cl).shape != t.shape:
                        raise TypeError(f"custom_vjp bwd of {name} returned a cotangent of shape "
                                        f"{type_of(cl).shape} for an input of shape {t.shape}")
                    flat.append(np.zeros(t.shape, tangent_type(t).dtype) if cl is None else cl)
            return flat
        out_types = [r.type for r in f_ir.results]
        # bwd's inputs are fwd's residuals, whose types are known once fwd is traced
        bwd = LazyBlock(lambda: trace_flat(bwd_flat, _abstract(fwd.result_types[n_out:] + out_types),
                                           tree.structure(tuple([0] * (len(fwd.result_types)))), f"{name}_bwd",
                                           embed_arrays=True)[0].body)
        return self._bind("custom_vjp_call", leaves, consts, [f_ir.body, fwd, bwd], out_tree, out_vals,
                          num_args=len(leaves), name=name)
