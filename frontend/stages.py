"""Introspection and ahead-of-time stages, as JAX's: make_jaxpr's ClosedJaxpr, and jit(f).trace(*args) ->
Traced, .lower() -> Lowered, .compile() -> Compiled.

A ClosedJaxpr here is a view of Lintra's IR function (it prints as the IR text); the stages hold one traced
signature of a jit (api._Traced) and ask it for the program a call would run, so a Compiled's executable is
the one the jitted function itself launches. XLA's reports go through runtime/pjrt."""
import inspect

import numpy as np

from ..lowering.lower import lower, to_text
from ..runtime import pjrt
from ..runtime.executable import default_device
from . import tree
from .abstract import ShapeDtypeStruct
from .core import type_of


class Primitive:
    """The primitive of an equation: its name, as JAX's `eqn.primitive.name`."""
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


class JaxprEqn:
    """One op of the IR as JAX's equation: primitive, params (the op's attributes), invars, outvars (IR
    values; `.aval` is the type), and the op's regions (bodies of control flow, calls, custom rules)."""
    __slots__ = ("primitive", "params", "invars", "outvars", "regions")

    def __init__(self, op):
        self.primitive, self.params = Primitive(op.prim), dict(op.attrs)
        self.invars, self.outvars, self.regions = list(op.operands), list(op.results), list(op.regions)

    def __repr__(self):
        return f"JaxprEqn({self.primitive.name}: {[v.type for v in self.invars]} -> {[v.type for v in self.outvars]})"


class Jaxpr:
    """An IR function seen as JAX's Jaxpr: its first `n_in` parameters are invars, the rest (values the
    function closes over) constvars."""

    def __init__(self, func, n_in):
        self.func = func
        self.invars, self.constvars = list(func.args[:n_in]), list(func.args[n_in:])
        self.outvars = list(func.results)
        self.eqns = [JaxprEqn(op) for op in func.body.ops]

    def __str__(self):
        return str(self.func)

    __repr__ = __str__


class ClosedJaxpr:
    """make_jaxpr's result: a Jaxpr with the values of its constvars (`consts`); prints as Lintra's IR."""

    def __init__(self, func, consts):
        self.jaxpr = Jaxpr(func, len(func.args) - len(consts))
        self.consts = list(consts)

    eqns = property(lambda self: self.jaxpr.eqns)
    in_avals = property(lambda self: [v.type for v in self.jaxpr.invars])
    out_avals = property(lambda self: [v.type for v in self.jaxpr.outvars])

    def __str__(self):
        return str(self.jaxpr)

    __repr__ = __str__


def shape_structs(out_tree, types):
    return out_tree.unflatten([ShapeDtypeStruct(t.shape, t.dtype, weak_type=t.weak) for t in types])


def arg_names(fun, args, kwargs, skip=()):
    """JAX's names for the leaves of fun's arguments: the parameter's name and the path inside it ('x',
    'xs[0]', "d['a']"), leaving out the positions in `skip` (static arguments)."""
    try:
        params = [p.name for p in inspect.signature(fun).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    named = [(params[i] if i < len(params) else f"args[{i}]", a) for i, a in enumerate(args)
             if i not in skip and i - len(args) not in skip]
    named += sorted(kwargs.items())
    return [name + tree.keystr(path) for name, a in named for path, _ in tree.flatten_with_path(a)[0]]


def _jax_type(t):
    return f"{np.dtype(t.dtype).name}[{','.join(map(str, t.shape))}]"


class Traced:
    """jit(f).trace(*args): the traced program for these arguments' types (`jaxpr`, `out_info`)."""

    def __init__(self, fun_name, traced, in_tree, in_types, names, donated, shardings, run):
        self.fun_name, self._traced, self.in_tree, self.out_tree = fun_name, traced, in_tree, traced.out_tree
        self._in_types, self._names, self._donated, self._shardings, self._run = \
            in_types, names, donated, shardings, run

    @property
    def jaxpr(self):
        return ClosedJaxpr(self._traced.func, self._traced.captured)

    @property
    def in_avals(self):
        return self.in_tree.unflatten(self._in_types)

    @property
    def out_info(self):
        return shape_structs(self.out_tree, [r.type for r in self._traced.func.results])

    def lower(self):
        return Lowered(self)


class Lowered:
    """The StableHLO program of a traced call: `as_text()`, `compiler_ir()` (the MLIR module), XLA's
    `cost_analysis()` before optimization, and `compile()`."""

    def __init__(self, traced):
        self._t = traced
        self.in_tree, self.out_tree, self.out_info = traced.in_tree, traced.out_tree, traced.out_info
        self._func, self._donated, self._spmd, _ = traced._traced.program(traced._donated, *traced._shardings)

    def compiler_ir(self, dialect=None):
        """The MLIR module ("stablehlo", the default) or XLA's HloModule-bearing XlaComputation ("hlo")."""
        if dialect not in (None, "stablehlo", "hlo"):
            raise ValueError(f"unknown dialect: {dialect}")
        module = lower(self._func, donated=self._donated, spmd=self._spmd)
        return pjrt.hlo_computation(to_text(module)) if dialect == "hlo" else module

    def as_text(self, dialect=None, *, debug_info=False):
        if dialect not in (None, "stablehlo", "hlo"):
            raise ValueError(f"unknown dialect: {dialect}")
        text = to_text(self.compiler_ir())
        return pjrt.hlo_text(text, debug_info) if dialect == "hlo" else text

    def __str__(self):
        return self.as_text()

    def cost_analysis(self):
        return pjrt.hlo_cost_analysis(self.as_text(), default_device())

    def compile(self, compiler_options=None):
        if compiler_options:
            raise NotImplementedError("Lowered.compile: compiler_options are not supported by Lintra")
        return Compiled(self._t)


class Compiled:
    """The compiled program of a traced call, which a call of the jitted function with these arguments'
    types runs: `as_text()` (XLA's optimized HLO), `cost_analysis()`, `memory_analysis()`, its
    input/output shardings, and callable with the (non-static) arguments it was lowered for."""

    def __init__(self, traced):
        self._t = traced
        self.in_tree, self.out_tree = traced.in_tree, traced.out_tree
        self._exe = traced._traced.executable(traced._donated, *traced._shardings)

    def as_text(self):
        return pjrt.optimized_hlo(self._exe.compiled)

    def cost_analysis(self):
        return pjrt.cost_analysis(self._exe.compiled)

    def memory_analysis(self):
        return pjrt.memory_analysis(self._exe.compiled)

    @property
    def input_shardings(self):
        n = len(self._t._traced.captured)
        ins = getattr(self._exe, "in_shardings", None)
        return self.in_tree.unflatten(ins[n:] if ins is not None else
                                      [pjrt.sharding(self._exe.device)] * self.in_tree.num_leaves)

    @property
    def output_shardings(self):
        outs = getattr(self._exe, "out_shardings", None)
        return self.out_tree.unflatten(outs if outs is not None else
                                       [pjrt.sharding(self._exe.device)] * self.out_tree.num_leaves)

    def __call__(self, *args, **kwargs):
        leaves, in_tree = tree.flatten((args, kwargs))
        if in_tree != self.in_tree:
            raise TypeError(f"Function compiled with input pytree does not match the input pytree it was called "
                            f"with: compiled for {self.in_tree}, called with {in_tree}")
        bad = [(n, t, type_of(x)) for n, t, x in zip(self._t._names, self._t._in_types, leaves)
               if (type_of(x).shape, type_of(x).dtype) != (t.shape, t.dtype)]
        if bad:
            raise TypeError("Argument types differ from the types for which this computation was compiled. Perhaps "
                            "you are calling the compiled executable with a different enable_x64 mode than when it "
                            "was AOT compiled? The mismatches are:\n" + "\n".join(
                                f"Argument '{n}' compiled with {_jax_type(t)} and called with {_jax_type(u)}"
                                for n, t, u in bad))
        return self._t._run(leaves)
