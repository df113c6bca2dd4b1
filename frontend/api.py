"""jit and make_ir: trace a Python function to IR, lower, compile, run."""
import functools
import inspect
import re

from ..ir.core import Func
from ..runtime.array import Array
from ..runtime.dispatch import Executable
from . import tree
from .config import config
from .core import Trace, Tracer, _state, current_trace, to_array, tracing, type_of

_flatten = tree.registry.flatten


def _static_positions(fun, static_argnums, static_argnames):
    nums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums or ())
    names = (static_argnames,) if isinstance(static_argnames, str) else tuple(static_argnames or ())
    try:   # as JAX: a static argument may be named by position or by name
        params = list(inspect.signature(fun).parameters)
        nums += tuple(params.index(n) for n in names if n in params)
        names += tuple(params[i] for i in nums if 0 <= i < len(params))
    except (TypeError, ValueError):
        pass
    return frozenset(nums), frozenset(names)


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


def _arg_names(fun, in_tree):
    try:
        params = list(inspect.signature(fun).parameters)
    except (TypeError, ValueError):
        return None
    n = in_tree.num_leaves
    return params[:n] if len(params) >= n and in_tree == tree.structure((tuple([0] * n), {})) else None


class _Traced:
    """One cache entry of a jit: the traced IR and, once run outside a trace, its executable and the
    device buffers of the values it closes over."""
    __slots__ = ("func", "out_tree", "captured", "executable", "captured_bufs")

    def __init__(self, func, out_tree, captured):
        self.func, self.out_tree, self.captured, self.executable = func, out_tree, captured, None

    def run(self, leaves):
        """Run on concrete leaves (compiling on first use); returns the output tree."""
        exe = self.executable
        if exe is None:
            exe = self.executable = Executable(self.func)
            self.captured_bufs = [to_array(c)._buf for c in self.captured]
        try:
            bufs = [x._buf for x in leaves]
        except AttributeError:     # Python scalars and NumPy arrays go to the device first
            bufs = [to_array(x)._buf for x in leaves]
        if self.captured_bufs:
            bufs += self.captured_bufs
        return self.out_tree.unflatten(exe.run(bufs))


class jit:
    """jit(fun, static_argnums=, static_argnames=, donate_argnums=): trace once per input signature, compile,
    and run the compiled executable; inside another trace the function becomes a `call` op."""

    def __init__(self, fun, static_argnums=(), static_argnames=(), donate_argnums=(), donate_argnames=(),
                 inline=False):
        if not callable(fun):
            raise TypeError(f"jit expects a callable, got {fun!r} of type {type(fun).__name__}")
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.static = _static_positions(fun, static_argnums, static_argnames)
        self.donate_argnums = donate_argnums   # accepted for JAX compatibility; buffers are not donated on CPU
        self.inline = inline
        self._cache = {}
        self._no_statics = not (self.static[0] or self.static[1])

    def _signature(self, args, kwargs):
        if self._no_statics:     # the common case: nothing to split out
            statics = ()
            leaves, in_tree = _flatten((args, kwargs))
        else:
            statics, dargs, dkwargs = _split(args, kwargs, *self.static)
            leaves, in_tree = _flatten((dargs, dkwargs))
        # x64 changes the dtypes a body creates (jnp.zeros, Python scalars), and threefry_partitionable the
        # random bits lintra.random draws, so both are part of the key
        return (in_tree, tuple([x.type if x.__class__ is Array else type_of(x) for x in leaves]), statics,
                config.enable_x64, config.threefry_partitionable), leaves

    def _traced(self, key):
        hit = self._cache.get(key)
        if hit is None:
            in_tree, in_types, statics = key[:3]
            fun = functools.partial(_rebuild_call, self.fun, statics=statics, nums=self.static[0])
            func, out_tree, captured = trace_to_ir(lambda *a, **k: fun(a, k), in_types, in_tree,
                                                   name=ir_name(self.fun),
                                                   arg_names=_arg_names(self.fun, in_tree))
            hit = self._cache[key] = _Traced(func, out_tree, captured)
        return hit

    def __call__(self, *args, **kwargs):
        key, leaves = self._signature(args, kwargs)
        t = self._cache.get(key) or self._traced(key)
        if _state.stack:       # inside another trace: stage a call
            return t.out_tree.unflatten(_call(t, leaves))
        return t.run(leaves)

    def trace_ir(self, *args, **kwargs) -> Func:
        key, _ = self._signature(args, kwargs)
        return self._traced(key).func

    def lower(self, *args, **kwargs):
        from ..lowering.lower import lower, to_text
        return to_text(lower(self.trace_ir(*args, **kwargs)))

    def __get__(self, obj, objtype=None):
        return self if obj is None else functools.partial(self, obj)


def _call(traced, leaves):
    """Stage a call of a traced function into the current trace."""
    trace = current_trace()
    operands = [trace.lift(x) for x in leaves] + [trace.lift(c) for c in traced.captured]
    outs = trace.builder.emit("call", operands, {"callee": traced.func.name}, [traced.func.body])
    return [Tracer(trace, v) for v in outs]


def make_ir(fun, static_argnums=(), static_argnames=()):
    """make_ir(fun)(*args) -> the IR function `fun` traces to for arguments like these."""
    jitted = fun if isinstance(fun, jit) else jit(fun, static_argnums, static_argnames)

    @functools.wraps(fun)
    def make(*args, **kwargs):
        return jitted.trace_ir(*args, **kwargs)
    return make
