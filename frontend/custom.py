"""custom_jvp and custom_vjp: user-defined derivative rules, carried in the IR as ops with regions.

Applied inside a trace, the function is traced into region 0 at once; its rules are traced into lazy
regions, built when a pass first needs them (so a rule may call the function it belongs to, and a
rule traced outside jit sees the primal values and may branch on them). The jvp and transpose passes
use the rule regions instead of differentiating the function's body. Applied outside any
transformation, the function simply runs.

As in JAX, a trace that grad/jvp/vjp will differentiate (marked `differentiated` by frontend/ad.py) calls
only the rule: custom_jvp's rule or custom_vjp's fwd is traced at once (on the primal values outside jit),
its primal outputs stand for the function's, and the function's own region is traced only if a pass
needs it. custom_vjp's bwd stays lazy; outside jit the vjp function runs it as Python on the values,
once per call (frontend/ad.py), so it may print or branch on its residuals. Also as in JAX, a call none of
whose inputs can carry a tangent there (each comes from stop_gradient, a constant, an integer op, ...) is an
ordinary call: the function is traced and its rules stay lazy.
"""
import functools
import inspect

import numpy as np

from ..ir.ad.util import differentiable, tangent_type
from ..ir.core import LazyBlock, is_built
from . import tree
from .abstract import ShapeDtypeStruct
from .api import ir_name, trace_flat
from .core import current_trace, stage, type_of
from .perturbed import may_carry_tangent


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
        out.append(v if v is not None else ShapeDtypeStruct.of_type(t))
    return out


def _abstract(types):
    return [ShapeDtypeStruct.of_type(t) for t in types]


def _jax_type(t):
    """A type as JAX's messages write it: float32[3]."""
    return f"{np.dtype(t.dtype).name}[{','.join(map(str, t.shape))}]"


def _rule_name(fun):
    return getattr(fun, "__name__", repr(fun))


class _CustomFunction:
    def __init__(self, fun, nondiff_argnums):
        functools.update_wrapper(self, fun, updated=())
        self.fun, self.nondiff_argnums = fun, tuple(nondiff_argnums)

    def _split(self, args, kwargs):
        args = _resolve(self.fun, args, kwargs)
        nondiff = {i: args[i] for i in self.nondiff_argnums}
        diff = tuple(a for i, a in enumerate(args) if i not in nondiff)
        leaves, in_tree = tree.flatten(diff)
        return nondiff, diff, leaves, in_tree, ir_name(self.fun)

    def _trace_fun(self, nondiff, leaves, in_tree, name, **kw):
        return trace_flat(lambda *d: self.fun(*_merge(nondiff, d)), leaves, in_tree, name, **kw)

    def _lazy_fun(self, nondiff, leaves, in_tree, name, out_types):
        """The function's region when a rule gave its output types: traced only if a pass needs it."""
        stand_ins = _stand_ins(leaves)

        def thunk():
            f_ir, _, _, _ = self._trace_fun(nondiff, stand_ins, in_tree, name, embed_arrays=True)
            got = [r.type for r in f_ir.results]
            if got != list(out_types):
                raise TypeError(f"{name} returns {', '.join(map(_jax_type, got))} but its custom rule's primal "
                                f"outputs are {', '.join(map(_jax_type, out_types))}")
            return f_ir.body
        return LazyBlock(thunk, ([type_of(x) for x in leaves], list(out_types)))

    def _bind(self, prim, leaves, consts, regions, out_tree, out_vals, **attrs):
        values = out_vals if all(v is not None for v in out_vals) else None
        outs = stage(current_trace(), prim, list(leaves) + consts, regions, attrs, values)
        return tree.unflatten(out_tree, outs)


def _differentiated(leaves):
    """Whether the current trace is one grad/jvp/vjp differentiates and some leaf may carry a tangent in it."""
    trace = current_trace()
    return getattr(trace, "differentiated", False) and may_carry_tangent(trace, leaves)


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
        jvp.__name__ = "jvp"
        self.jvp = jvp

    def __call__(self, *args, **kwargs):
        if self.jvp is None:
            raise AttributeError(f"No JVP defined for custom_jvp function {ir_name(self.fun)} using defjvp.")
        if current_trace() is None:        # nothing observes the derivative: just run it
            return self.fun(*_resolve(self.fun, args, kwargs))
        nondiff, diff, leaves, in_tree, name = self._split(args, kwargs)
        n = len(leaves)
        nd = [nondiff[i] for i in sorted(nondiff)]
        out_tree = []     # the rule's primal output structure, once it has run

        def jvp_flat(*xs):
            primals, tangents = in_tree.unflatten(xs[:n]), in_tree.unflatten(xs[n:])
            pair = self.jvp(*nd, tuple(primals), tuple(tangents))
            rule = _rule_name(self.jvp)
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(f"Custom JVP rule {rule} for function {name} must produce a pair (list or tuple of "
                                f"length two) representing primal and tangent outputs, but got {pair}.")
            o_leaves, o_tree = tree.flatten(pair[0])
            t_leaves, t_tree = tree.flatten(pair[1])
            if o_tree != t_tree:
                raise TypeError(f"Custom JVP rule {rule} for function {name} must produce primal and tangent "
                                f"outputs with equal container (pytree) structures, but got {o_tree} and {t_tree} "
                                f"respectively.")
            out_tree[:] = [o_tree]
            for o, t in zip(o_leaves, t_leaves):
                expected, tt = tangent_type(type_of(o)), type_of(t)
                if tt.shape != expected.shape or (differentiable(expected) and tt.dtype != expected.dtype):
                    raise TypeError(f"Custom JVP rule must produce primal and tangent outputs with corresponding "
                                    f"shapes and dtypes. Expected {_jax_type(expected)} (tangent type of "
                                    f"{_jax_type(type_of(o))}) but got {_jax_type(tt)}.")
            return o_leaves + t_leaves
        t_types = [tangent_type(type_of(x)) for x in leaves]
        rule_ins, flat = _stand_ins(leaves) + _abstract(t_types), tree.structure(tuple([0] * (2 * n)))
        if _differentiated(leaves):    # only the rule runs, as in JAX; its primal outputs are the function's
            rule_ir, _, _, rule_vals = trace_flat(jvp_flat, rule_ins, flat, f"{name}_jvp", embed_arrays=True)
            m = len(rule_ir.results) // 2
            fun = self._lazy_fun(nondiff, leaves, in_tree, name, [r.type for r in rule_ir.results[:m]])
            return self._bind("custom_jvp_call", leaves, [], [fun, rule_ir.body], out_tree[0], rule_vals[:m],
                              num_args=n, name=name)
        f_ir, f_tree, consts, out_vals = self._trace_fun(nondiff, leaves, in_tree, name)

        def checked_jvp_flat(*xs):
            outs = jvp_flat(*xs)
            if out_tree[0] != f_tree:
                raise TypeError(f"Custom JVP rule {_rule_name(self.jvp)} for function {name} must produce primal "
                                f"outputs with the structure of {name}'s output {f_tree}; got {out_tree[0]}")
            return outs
        rule = LazyBlock(lambda: trace_flat(checked_jvp_flat, rule_ins, flat, f"{name}_jvp", embed_arrays=True)[0].body)
        return self._bind("custom_jvp_call", leaves, consts, [f_ir.body, rule], f_tree, out_vals, num_args=n,
                          name=name)


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
        nondiff, diff, leaves, in_tree, name = self._split(args, kwargs)
        nd = [nondiff[i] for i in sorted(nondiff)]
        trees = {}      # fwd's output and residual structures, once it has run

        def fwd_flat(*xs):
            pair = self.fwd(*_merge(nondiff, in_tree.unflatten(xs)))
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                fwd = _rule_name(self.fwd)
                raise TypeError(f"Custom VJP fwd rule {fwd} for function {name} must produce a pair (list or "
                                f"tuple of length two) where the first element represents the primal output "
                                f"(equal to those of the custom_vjp-decorated function {name}) and the second "
                                f"element represents residuals (i.e. values stored from the forward pass for use "
                                f"on the backward pass), but instead of a pair the fwd rule {fwd} produced {pair}.")
            o_leaves, trees["out"] = tree.flatten(pair[0])
            r_leaves, trees["res"] = tree.flatten(pair[1])
            return o_leaves + r_leaves
        fwd_ins, flat = _stand_ins(leaves), tree.structure(tuple([0] * len(leaves)))
        if _differentiated(leaves):    # only fwd runs, as in JAX; its primal outputs are the function's
            fwd_ir, _, _, fwd_vals = trace_flat(fwd_flat, fwd_ins, flat, f"{name}_fwd", embed_arrays=True)
            out_tree, consts = trees["out"], []
            m = out_tree.num_leaves
            out_types, out_vals = [r.type for r in fwd_ir.results[:m]], fwd_vals[:m]
            fun = self._lazy_fun(nondiff, leaves, in_tree, name, out_types)
            fwd = fwd_ir.body
        else:
            f_ir, out_tree, consts, out_vals = self._trace_fun(nondiff, leaves, in_tree, name)
            out_types, fun = [r.type for r in f_ir.results], f_ir.body

            def checked_fwd_flat(*xs):
                outs = fwd_flat(*xs)
                if trees["out"] != out_tree:
                    raise TypeError(f"Custom VJP fwd rule {_rule_name(self.fwd)} for function {name} must produce "
                                    f"a primal output with the structure of {name}'s output {out_tree}; got "
                                    f"{trees['out']}")
                return outs
            fwd = LazyBlock(lambda: trace_flat(checked_fwd_flat, fwd_ins, flat, f"{name}_fwd",
                                               embed_arrays=True)[0].body)
        n_out = len(out_types)

        def bwd_flat(*xs):
            n_res = len(xs) - n_out
            res, ct = trees["res"].unflatten(xs[:n_res]), out_tree.unflatten(xs[n_res:])
            cts = self.bwd(*nd, res, ct)
            if isinstance(cts, list):
                cts = tuple(cts)
            if not isinstance(cts, tuple) or len(cts) != len(diff):
                raise TypeError(_BWD_STRUCTURE.format(tree.structure(cts), in_tree))
            flat = []
            for i, (arg, c) in enumerate(zip(diff, cts)):
                a_leaves, a_tree = tree.flatten(arg)
                try:
                    c_leaves = [None] * len(a_leaves) if c is None else a_tree.flatten_up_to(c)
                    if any(cl is not None and tree.structure(cl).num_nodes != 1 for cl in c_leaves):
                        raise ValueError    # a container where the argument has an array
                except (ValueError, TypeError):
                    raise TypeError(_BWD_STRUCTURE.format(tree.structure(cts, is_leaf=lambda x: x is None),
                                                          in_tree)) from None
                for a, cl in zip(a_leaves, c_leaves):
                    t = type_of(a)
                    if cl is not None and type_of(cl).shape != t.shape:
                        raise ValueError(f"Custom VJP bwd rule must produce an output with the same type as the "
                                         f"args tuple of the primal function, but at output[{i}] the bwd rule "
                                         f"produced an output of type {_jax_type(type_of(cl))} corresponding to an "
                                         f"input of type {_jax_type(t)}, so the shapes do not match")
                    flat.append(np.zeros(t.shape, tangent_type(t).dtype) if cl is None else cl)
            return flat
        ct_types = [tangent_type(type_of(x)) for x in leaves]

        def bwd_thunk():   # bwd's inputs are fwd's residuals, whose types are known once fwd is traced
            res_types = fwd.result_types[n_out:]
            return trace_flat(bwd_flat, _abstract(res_types + out_types),
                              tree.structure(tuple([0] * (len(res_types) + n_out))), f"{name}_bwd",
                              embed_arrays=True)[0].body
        types = (fwd.result_types[n_out:] + out_types, ct_types) if is_built(fwd) else None
        bwd = LazyBlock(bwd_thunk, types, eager=bwd_flat)
        return self._bind("custom_vjp_call", leaves, consts, [fun, fwd, bwd], out_tree, out_vals,
                          num_args=len(leaves), name=name)


_BWD_STRUCTURE = ("Custom VJP bwd rule must produce an output with the same container (pytree) structure as the "
                  "args tuple of the primal function, and in particular must produce a tuple of length equal to "
                  "the number of arguments to the primal function, but got bwd output structure {} for primal "
                  "input structure {}.")
