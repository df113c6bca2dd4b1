"""jit and make_ir: trace a Python function to IR, lower, compile, run.

Tracing to IR (trace_to_ir, trace_flat) is here too: grad, vmap, custom rules and loop bodies all trace
through it, so it sits below every transformation, with the tracing core."""
import functools
import inspect
import logging
import re
import weakref

import numpy as np

from ..ir.core import Block, Func
from ..runtime.array import Array, check_live
from ..lowering.lower import constraint_mesh
from ..runtime import dispatch, pjrt, spmd
from ..runtime.executable import Executable, default_device, placement
from ..runtime.named_sharding import typed
from ..runtime.pjrt import FastpathData, pjit, sharding
from .shardings import flat_in_shardings, flat_out_shardings, check_shardings
from . import tree
from .stages import Traced, arg_names, shape_structs
from .cache_misses import explain as explain_cache_miss
from .config import config, disable_jit
from .core import (Trace, Tracer, UnexpectedTracerError, _state, concrete_value, current_trace, is_value, to_array,
                   tracing, type_of)
from .core import axis_env as named_axes

_flatten = tree.registry.flatten
_log = logging.getLogger("lintra")


def _params(fun):
    try:
        return list(inspect.signature(fun).parameters.values())
    except (TypeError, ValueError):
        return None


def _as_tuple(x, kind):
    return (x,) if isinstance(x, kind) else tuple(x or ())


def _validate(params, nums, names, what):
    """As JAX: argnums past the positional parameters and names of no parameter are errors at jit time."""
    if params is None:
        return
    kinds = {p.kind for p in params}
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if nums and inspect.Parameter.VAR_POSITIONAL not in kinds and \
            (-min(nums) > len(positional) or max(nums) >= len(positional)):
        raise ValueError(f"Jitted function has {what}_argnums={tuple(nums)}, but only accepts {len(positional)} "
                         f"positional arguments.")
    named = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    bad = set(names) - named
    if bad and inspect.Parameter.VAR_KEYWORD not in kinds:
        raise ValueError(f"Jitted function has invalid argnames {bad} in {what}_argnames. Function does not "
                         f"take these args.")


def _argnums_and_names(params, argnums, argnames, what):
    """(positions, names) of the arguments named either way, validated: JAX lets either stand for both."""
    nums, names = _as_tuple(argnums, int), _as_tuple(argnames, str)
    for n in nums:
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"{what}_argnums must be ints, got {n!r} of type {type(n).__name__}")
    _validate(params, nums, names, what)
    if params is not None:
        positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        nums += tuple(positional.index(n) for n in names if n in positional and positional.index(n) not in nums)
        names += tuple(positional[i] for i in nums if -len(positional) <= i < len(positional)
                       and positional[i] not in names)
    return tuple(nums), tuple(names)


def _split(args, kwargs, nums, names):
    n = len(args)
    statics = tuple((i, args[i]) for i in sorted(nums) if -n <= i < n) + \
        tuple(sorted((k, v) for k, v in kwargs.items() if k in names))
    dyn_args = tuple(a for i, a in enumerate(args) if i not in nums and i - n not in nums)
    dyn_kwargs = {k: v for k, v in kwargs.items() if k not in names}
    for _, v in statics:
        try:
            hash(v)
        except TypeError:
            raise ValueError(f"a static argument must be hashable; got {v!r} of type {type(v).__name__}") from None
    return statics, dyn_args, dyn_kwargs


def _rebuild_call(fun, args, kwargs, statics, nums):
    """fun's call with static values put back in their places."""
    args, kwargs = list(args), dict(kwargs)
    pos = {i: v for i, v in statics if isinstance(i, int)}
    full, it = [], iter(args)
    total = len(args) + len(pos)
    for i in range(total):
        full.append(pos[i] if i in pos or i - total in pos else next(it))
    kwargs.update({k: v for k, v in statics if isinstance(k, str)})
    return fun(*full, **kwargs)


def ir_name(fun) -> str:
    """A valid IR symbol for a Python callable's name ('<lambda>' -> 'lambda')."""
    name = re.sub(r"\W", "_", getattr(fun, "__name__", "f")).strip("_") or "f"
    return name if not name[0].isdigit() else "f" + name


def trace_to_ir(fun, in_types, in_tree, name=None, arg_names=None):
    """Trace `fun` (which takes the unflattened inputs) on abstract values: (Func, out_tree, captured)."""
    with tracing(Trace()) as trace:
        tracers = [trace.new_arg(t) for t in in_types]
        args, kwargs = in_tree.unflatten(tracers)
        out = fun(*args, **kwargs)
        out_leaves, out_tree = tree.flatten(out)
        for o in out_leaves:
            if not isinstance(o, (Tracer, Array)) and type_of(o) is None:
                raise TypeError(f"function output {o!r} is not an array")
        func = trace.finish(name or ir_name(fun), out_leaves, arg_names)
    return func, out_tree, trace.captured()


def check_leaf(x, what):
    """A TypeError naming `what` unless x is an array, a tracer or a NumPy/Python scalar or array."""
    if not (is_value(x) or isinstance(x, (np.ndarray, np.generic, bool, int, float, complex))):
        raise TypeError(f"{what}: argument {x!r} of type {type(x).__name__} is not a valid array or scalar")


def trace_flat(fun, leaves, in_tree, name="f", embed_arrays=False, abstract=False):
    """Trace fun(*in_tree.unflatten(leaves)) into IR: (func, out_tree, captured, out_values). Inputs that
    have values (outside jit) keep them, so Python control flow on them works; ShapeDtypeStruct leaves
    stay abstract, and with `abstract` the whole trace does. out_values are the outputs' values where
    known, else None."""
    vals = [concrete_value(x) for x in leaves]
    outer = current_trace()
    concrete = not abstract and (any(v is not None for v in vals) if leaves else (outer is None or outer.concrete))
    with tracing(Trace(concrete=concrete, embed_arrays=embed_arrays)) as trace:
        tracers = [trace.new_arg(type_of(x), v) for x, v in zip(leaves, vals)]
        out = fun(*in_tree.unflatten(tracers))
        out_leaves, out_tree = tree.flatten(out)
        for o in out_leaves:
            check_leaf(o, f"output of {name}")
        func = trace.finish(name, out_leaves)
        out_vals = [concrete_value(o) if concrete else None for o in out_leaves]
    if embed_arrays and trace.captures:
        raise UnexpectedTracerError(f"{name} closes over a traced value from an enclosing transformation; "
                                    f"pass it as an argument instead")
    return func, out_tree, trace.captured(), out_vals


def _arg_names(fun, in_tree):
    try:
        params = list(inspect.signature(fun).parameters)
    except (TypeError, ValueError):
        return None
    n = in_tree.num_leaves
    return params[:n] if len(params) >= n and in_tree == tree.structure((tuple([0] * n), {})) else None


def _consts_first(func, n_args):
    """`func` with its captured values as its first parameters, where C++ puts them (const_args)."""
    body = func.body
    if n_args == len(body.args):
        return func
    return Func(func.name, Block(body.args[n_args:] + body.args[:n_args], body.ops, body.results))


class _Traced:
    """One traced signature of a jit: its IR and what it closes over, and per (device, donated leaves) the
    executable and the data C++ replays later calls with."""
    __slots__ = ("func", "out_tree", "captured", "_compiled", "ir_mesh", "_spmd")

    def __init__(self, func, out_tree, captured):
        self.func, self.out_tree, self.captured, self._compiled = func, out_tree, captured, {}
        self.ir_mesh = constraint_mesh(func)     # the mesh of its sharding constraints, if any
        self._spmd = {}

    def compiled(self, device, donated):
        hit = self._compiled.get((device, donated))
        if hit is None:
            n_consts = len(self.captured)
            func = _consts_first(self.func, len(self.func.args) - n_consts)
            hit = self._compiled[device, donated] = Executable(func, device, tuple(n_consts + i for i in donated))
        return hit

    def program(self, donated=(), in_shardings=None, out_shardings=None):
        """What a call with uncommitted inputs compiles: (the function with its captured values first, the
        donated positions in it, the SPMD lowering attributes or None, the mesh or None)."""
        n = len(self.captured)
        func = _consts_first(self.func, len(self.func.args) - n)
        ins = [None] * n + list(in_shardings or [None] * (len(func.args) - n))
        outs = list(out_shardings or [None] * len(func.results))
        mesh = spmd.computation_mesh([], ins + outs, self.ir_mesh)
        attrs = None if mesh is None else spmd.spmd_attrs(mesh, ins, outs, func)
        return func, tuple(n + i for i in donated), attrs, mesh

    def executable(self, donated=(), in_shardings=None, out_shardings=None):
        """The executable a call with uncommitted inputs runs (compiled once, into the caches calls use)."""
        func, all_donated, _, mesh = self.program(donated, in_shardings, out_shardings)
        if mesh is None:
            return self.compiled(default_device(), donated)
        n = len(self.captured)
        ins = tuple([None] * n + list(in_shardings or [None] * (len(func.args) - n)))
        outs = tuple(out_shardings or [None] * len(func.results))
        key = (mesh, ins, outs, all_donated)
        if key not in self._spmd:
            self._spmd[key] = spmd.SpmdExecutable(func, mesh, ins, outs, all_donated)
        return self._spmd[key]

    def run(self, leaves, donated=(), in_shardings=None, out_shardings=None):
        """Run on concrete leaves where they are committed (compiling on first use): (outputs, the fast-path
        data for C++, or None where C++ cannot replay the call). With shardings (one per leaf / output, None
        where unspecified), sharded inputs or sharding constraints, as an SPMD program over their mesh."""
        consts = [to_array(c) for c in self.captured]
        arrays = consts + [to_array(x) for x in leaves]
        if in_shardings or out_shardings or self.ir_mesh is not None or any(map(spmd.is_sharded, arrays)):
            ran = self._run_spmd(arrays, len(consts), donated, in_shardings or [None] * len(leaves),
                                 out_shardings or [None] * len(self.func.results))
            if ran is not None:
                return ran
        device, committed = placement(arrays)
        exe = self.compiled(device, donated)
        outs = exe(arrays, committed)
        if exe.float0_in or exe.float0_out:     # float0 values live on the host, where C++ does not look
            return self.out_tree.unflatten(outs), None
        s = [sharding(device)]
        fast = FastpathData(exe.compiled, self.out_tree, s * len(arrays), s * len(outs), exe.out_types,
                            [committed] * len(outs), [True] * len(arrays), [None] * len(arrays), consts)
        return self.out_tree.unflatten(outs), fast

    def _run_spmd(self, arrays, n_consts, donated, in_shardings, out_shardings):
        func = _consts_first(self.func, len(self.func.args) - n_consts)
        ran = spmd.run(func, arrays, n_consts, self._spmd, in_shardings, out_shardings, self.ir_mesh,
                       tuple(n_consts + i for i in donated))
        if ran is None:
            return None
        outs, exe, prepared, committed, replayable = ran
        fast = FastpathData(exe.compiled, self.out_tree, exe.in_shardings, exe.out_shardings, exe.out_types,
                            [committed] * len(outs), [True] * len(arrays), [None] * len(arrays),
                            prepared[:n_consts]) if replayable else None
        return self.out_tree.unflatten(outs), fast


_trace_caches = weakref.WeakKeyDictionary()    # function -> {jit options: {signature: _Traced}}


def _trace_cache(fun, options):
    """The traces of `fun` under these jit options, shared by every jit wrapper of it (as JAX shares one cache
    per function): a second `jit(f)` replays the first one's traces instead of tracing again."""
    try:
        per_fun = _trace_caches.setdefault(fun, {})
    except TypeError:        # not weakly referenceable: its wrappers each keep their own
        return {}
    return per_fun.setdefault(options, {})


def _weak_fun(fun):
    """`fun` for C++ to share executables by (it holds it weakly), or None when it cannot be weakly held."""
    try:
        weakref.ref(fun)
        return fun
    except TypeError:
        return None


class _Jit:
    """The Python side of a jitted function: its static and donated arguments, traces per signature, and the
    cache miss that C++ calls."""

    def __init__(self, fun, static_argnums, static_argnames, donate_argnums, donate_argnames, inline,
                 in_shardings=None, out_shardings=None):
        if not callable(fun):
            raise TypeError(f"jit expects a callable, got {fun!r} of type {type(fun).__name__}")
        self.fun, self.inline = fun, inline
        self.in_shardings, self.out_shardings = check_shardings(in_shardings, out_shardings)
        params = _params(fun)
        self.static = _argnums_and_names(params, static_argnums, static_argnames, "static")
        self.donate = _argnums_and_names(params, donate_argnums, donate_argnames, "donate")
        both = set(self.static[1]) & set(self.donate[1]) or set(self.static[0]) & set(self.donate[0])
        if both:
            raise ValueError(f"static_argnames and donate_argnames cannot intersect. Argument names "
                             f"{set(self.static[1]) & set(self.donate[1]) or both} appear in both static_argnames "
                             f"and donate_argnames")
        # C++ reads static positions as counted from the front; with one counted from the back it would take
        # that argument as dynamic and replay a trace of another value, so such a jit stays in Python
        self.replayable = all(i >= 0 for i in self.static[0])
        self.static = frozenset(self.static[0]), frozenset(self.static[1])
        self._cache = _trace_cache(fun, (self.static, self.donate, inline, _key_of(in_shardings),
                                         _key_of(out_shardings)))
        self._no_statics = not (self.static[0] or self.static[1])

    def _signature(self, args, kwargs):
        if self._no_statics:     # the common case: nothing to split out
            statics = ()
            leaves, in_tree = _flatten((args, kwargs))
        else:
            statics, dargs, dkwargs = _split(args, kwargs, *self.static)
            leaves, in_tree = _flatten((dargs, dkwargs))
        # the settings that change what a trace produces (x64: the dtypes a body creates; the random bits,
        # the contractions' precision, rank promotion, ...) are part of the key, as are the named axes bound
        # around the trace (vmap's, shard_map's, make_jaxpr's axis_env), whose sizes collectives read
        types = [x.aval if x.__class__ is Array else type_of(x) for x in leaves]
        if self.in_shardings is not None:
            types = self._typed(types, args, kwargs)
        return (in_tree, tuple(types), statics, pjrt.jit_key_values(), tuple(named_axes.names)), leaves

    def _typed(self, types, args, kwargs):
        """The argument types as in_shardings lay the arguments out: split over Explicit mesh axes, the type
        says so (as JAX types jit's arguments by its in_shardings)."""
        dargs, dkwargs = (args, kwargs) if self._no_statics else _split(args, kwargs, *self.static)[1:]
        return [t if s is None else typed(t, s)
                for t, s in zip(types, flat_in_shardings(self.in_shardings, dargs, dkwargs))]

    def traced(self, key):
        hit = self._cache.get(key)
        if hit is None:
            in_tree, in_types, statics = key[:3]
            if config.explain_cache_misses:
                name = getattr(self.fun, "__name__", ir_name(self.fun))
                explain_cache_miss(self.fun, name, list(self._cache), key, _arg_names(self.fun, in_tree))
            fun = functools.partial(_rebuild_call, self.fun, statics=statics, nums=self.static[0])
            func, out_tree, captured = trace_to_ir(lambda *a, **k: fun(a, k), in_types, in_tree,
                                                   name=ir_name(self.fun),
                                                   arg_names=_arg_names(self.fun, in_tree))
            hit = self._cache[key] = _Traced(func, out_tree, captured)
        return hit

    def _donated(self, args, kwargs):
        """Positions, among the flat dynamic leaves, of those donated."""
        nums, names = self.donate
        if not (nums or names):
            return ()
        n, snums, snames = len(args), *self.static
        marks = []
        for i, a in enumerate(args):
            if i not in snums and i - n not in snums:
                marks += [i in nums or i - n in nums] * len(tree.leaves(a))
        for k in sorted(kwargs):
            if k not in snames:
                marks += [k in names] * len(tree.leaves(kwargs[k]))
        return tuple(i for i, m in enumerate(marks) if m)

    def cache_miss(self, *args, **kwargs):
        """Called by C++ for a signature it has not seen (or cannot replay): trace, compile and run in Python."""
        if _state.stack and self.inline:        # inside a trace: the body's ops join it
            return self.fun(*args, **kwargs), None, False
        try:
            key, leaves = self._signature(args, kwargs)
        except TypeError:
            if self.inline:                     # not arrays: the function's own checks say what is wrong
                return self.fun(*args, **kwargs), None, False
            raise
        t = self._cache.get(key) or self.traced(key)
        if _state.stack:                        # inside a trace: stage a call
            return t.out_tree.unflatten(_call(t, leaves)), None, False
        check_live(leaves)
        ins, outs = self._shardings(args, kwargs, t)
        out, fast = t.run(leaves, self._donated(args, kwargs), ins, outs)
        if dispatch.float_checks:               # every call comes back here to be checked
            self._check_floats(out, args, kwargs)
            fast = None
        return out, fast if self.replayable else None, False

    def _check_floats(self, out, args, kwargs):
        """jax_debug_nans/infs: an invalid output re-runs the function op by op, whose eager ops raise naming
        the primitive that produced it, as JAX does."""
        kind = dispatch.invalid_value(tree.leaves(out))
        if kind is None:
            return
        _log.warning("Invalid %s value encountered in the output of a lintra.jit function. Calling the "
                     "de-optimized version.", kind)
        with disable_jit():
            self.fun(*args, **kwargs)
        raise FloatingPointError(
            f"invalid value ({kind}) encountered in jit({ir_name(self.fun)}). Because jax_debug_nans and/or "
            f"jax_debug_infs is set, the de-optimized function (the function as if the `jit` decorator were "
            f"removed) was called in an attempt to get a more precise error message. However, the de-optimized "
            f"function did not produce invalid values during its execution: the jit optimizations may have "
            f"produced them, or they came from an operation on Python values")

    def _shardings(self, args, kwargs, traced):
        """The given in/out shardings, one per dynamic leaf and per output (None where unspecified), or
        (None, None) when none were given."""
        if self.in_shardings is None and self.out_shardings is None:
            return None, None
        if self._no_statics:
            dargs, dkwargs = args, kwargs
        else:
            _, dargs, dkwargs = _split(args, kwargs, *self.static)
        return (flat_in_shardings(self.in_shardings, dargs, dkwargs),
                flat_out_shardings(self.out_shardings, traced.out_tree))

    def trace_ir(self, *args, **kwargs) -> Func:
        key, _ = self._signature(args, kwargs)
        return self.traced(key).func

    def trace(self, *args, **kwargs):
        """jit(f).trace(*args): the Traced stage for arguments like these (arrays or ShapeDtypeStructs)."""
        key, leaves = self._signature(args, kwargs)
        t = self.traced(key)
        donated = self._donated(args, kwargs)
        shardings = self._shardings(args, kwargs, t)
        if shardings[0] is None and any(getattr(x, "type", None) is not None and x.type.sharding is not None
                                        for x in leaves):
            # explicitly sharded arguments: the program is an SPMD one over their mesh, as their types say
            shardings = ([x.sharding if x.type.sharding is not None else None for x in leaves],
                         shardings[1] or [None] * len(t.func.results))

        def run(leaves):
            check_live(leaves)
            return t.run(leaves, donated, *shardings)[0]
        names = arg_names(self.fun, args, {k: v for k, v in kwargs.items() if k not in self.static[1]},
                          self.static[0])
        return Traced(getattr(self.fun, "__name__", ir_name(self.fun)), t, key[0], key[1], names, donated,
                      shardings, run)

    def lower(self, *args, **kwargs):
        """jit(f).lower(*args): the Lowered stage (its StableHLO program; an SPMD one when shardings are
        given); `.compile()` it for the Compiled executable."""
        return self.trace(*args, **kwargs).lower()

    def eval_shape(self, *args, **kwargs):
        """The outputs' shapes and dtypes (ShapeDtypeStructs), from the trace alone."""
        key, _ = self._signature(args, kwargs)
        t = self.traced(key)
        return shape_structs(t.out_tree, [r.type for r in t.func.results])


def jit(fun=None, /, *, in_shardings=None, out_shardings=None, static_argnums=(), static_argnames=(),
        donate_argnums=(), donate_argnames=(), inline=False, keep_unused=False):
    """jit(fun, in_shardings=, out_shardings=, static_argnums=, static_argnames=, donate_argnums=,
    donate_argnames=): trace once per input signature, compile, and run the compiled executable; later calls
    with that signature are one C++ call. in/out_shardings: a sharding for all, or pytree prefixes of the
    positional arguments / outputs with None where XLA (or a committed input) decides.
    Inside another trace the function becomes a `call` op (with inline=True, its ops join the trace).
    Without `fun`, a decorator. Unused arguments are always passed to the executable (keep_unused=True);
    JAX's default would let it drop them, which changes no result."""
    if fun is None:
        return functools.partial(jit, in_shardings=in_shardings, out_shardings=out_shardings,
                                 static_argnums=static_argnums, static_argnames=static_argnames,
                                 donate_argnums=donate_argnums, donate_argnames=donate_argnames, inline=inline)
    j = _Jit(fun, static_argnums, static_argnames, donate_argnums, donate_argnames, inline, in_shardings,
             out_shardings)
    snums = tuple(sorted(i for i in j.static[0] if i >= 0))
    key = (snums, tuple(sorted(j.static[1])), j.donate, inline, _key_of(in_shardings), _key_of(out_shardings))
    f = pjit(ir_name(fun), _weak_fun(fun), j.cache_miss, snums, tuple(sorted(j.static[1])), key, tree.registry)
    functools.update_wrapper(f, fun, updated=())
    f._jit, f._cache, f.trace_ir, f.eval_shape = j, j._cache, j.trace_ir, j.eval_shape
    f.trace, f.lower = j.trace, j.lower
    return _explaining_deleted_inputs(f) if j.donate != ((), ()) else f


def _key_of(x):
    """x in C++'s cache key (jits of one function with different shardings must not share executables)."""
    try:
        hash(x)
        return x
    except TypeError:
        return repr(x)


def _explaining_deleted_inputs(f):
    """f, saying which input was donated when a call passes one again. C++ launches without looking; the
    Python frame around it costs ~0.2 us a call, so only jits that donate (where the mistake arises) pay."""
    @functools.wraps(f)
    def call(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except ValueError as e:
            if "deleted or donated" in str(e):
                check_live(tree.leaves((args, kwargs)))
            raise
    call._cache_size, call._clear_cache = f._cache_size, f._clear_cache
    return call


def eval_shape(fun, *args, **kwargs):
    """fun's outputs as ShapeDtypeStructs, for arguments like these (arrays or ShapeDtypeStructs), without
    computing anything."""
    return jit(fun).eval_shape(*args, **kwargs)


def is_jit(f):
    return "_jit" in getattr(f, "__dict__", ())


def _call(traced, leaves):
    """Stage a call of a traced function into the current trace."""
    trace = current_trace()
    operands = [trace.lift(x) for x in leaves] + [trace.lift(c) for c in traced.captured]
    outs = trace.builder.emit("call", operands, {"callee": traced.func.name}, [traced.func.body])
    return [Tracer(trace, v) for v in outs]


def make_ir(fun, static_argnums=(), static_argnames=()):
    """make_ir(fun)(*args) -> the IR function `fun` traces to for arguments like these."""
    jitted = fun if is_jit(fun) else jit(fun, static_argnums=static_argnums, static_argnames=static_argnames)

    @functools.wraps(fun, updated=())
    def make(*args, **kwargs):
        return jitted.trace_ir(*args, **kwargs)
    return make


def _axis_env_pairs(axis_env):
    """axis_env as a list of (name, size), or a clear error naming the entry that is not such a pair."""
    pairs = []
    for entry in axis_env or ():
        ok = isinstance(entry, (tuple, list)) and len(entry) == 2
        size = entry[1] if ok else None
        if not ok or isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise TypeError(f"make_jaxpr axis_env must be a sequence of (axis name, size) pairs with a positive "
                            f"int size, got the entry {entry!r} in {axis_env!r}")
        try:
            hash(entry[0])
        except TypeError:
            raise TypeError(f"make_jaxpr axis_env: the axis name {entry[0]!r} is not hashable") from None
        pairs.append((entry[0], int(size)))
    return pairs


def make_jaxpr(fun, static_argnums=(), axis_env=None, return_shape=False):
    """make_jaxpr(fun, static_argnums=, axis_env=, return_shape=)(*args): fun traced for arguments like these,
    as a ClosedJaxpr (a view of the IR function: it prints as Lintra's IR); with return_shape=True, the pair
    (ClosedJaxpr, the outputs' ShapeDtypeStructs). axis_env: [(axis name, size), ...], named axes bound
    while tracing, so collectives over them trace as they would inside pmap or shard_map."""
    bound = _axis_env_pairs(axis_env)
    jitted = fun if is_jit(fun) else jit(fun, static_argnums=static_argnums)

    @functools.wraps(fun, updated=())
    def make(*args, **kwargs):
        named_axes.names.extend(bound)
        try:
            traced = jitted.trace(*args, **kwargs)
        finally:
            del named_axes.names[len(named_axes.names) - len(bound):]
        closed = traced.jaxpr
        return (closed, traced.out_info) if return_shape else closed
    return make
