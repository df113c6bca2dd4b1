"""Tracing: a Tracer stands for an IR value while a Python function runs.

Every lax operation goes through `bind`. Inside a trace (jit, make_ir, a loop
body) it appends an op to the innermost trace's IR; outside any trace it runs
the primitive at once on the backend (eager mode).
"""
import threading

import numpy as np

from ..ir.builder import Builder, constant_attrs
from ..ir.core import Func
from ..ir.types import TensorType, dtype_name
from ..runtime.array import Array
from ..runtime.dispatch import apply_primitive, device_put
from . import dtypes


class ConcretizationError(TypeError):
    pass


class UnexpectedTracerError(RuntimeError):
    pass


class Tracer:
    """An abstract value inside a trace: it has a type, not a value."""
    __slots__ = ("_trace", "value", "__weakref__")
    __array_priority__ = 100

    def __init__(self, trace, value):
        self._trace = trace
        self.value = value

    type = property(lambda self: self.value.type)
    aval = type
    shape = property(lambda self: self.value.type.shape)
    dtype = property(lambda self: self.value.type.dtype)
    ndim = property(lambda self: len(self.value.type.shape))
    size = property(lambda self: self.value.type.size)
    weak_type = property(lambda self: self.value.type.weak)

    def _concretize(self, what):
        raise ConcretizationError(
            f"Abstract tracer value encountered where a concrete value is expected: {what} of a traced "
            f"{dtype_name(self.dtype)}{list(self.shape)} value. Its value is not known while the function is "
            f"traced (by jit, make_ir or a loop body). If it depends only on a Python value, mark that argument "
            f"static with static_argnums/static_argnames, or use lax.cond/lax.select for value-dependent "
            f"choices.")

    __bool__ = lambda self: self._concretize("bool()")
    __float__ = lambda self: self._concretize("float()")
    __int__ = lambda self: self._concretize("int()")
    __complex__ = lambda self: self._concretize("complex()")
    __index__ = lambda self: self._concretize("use as an index (__index__)")
    __array__ = lambda self, *a, **k: self._concretize("conversion to a NumPy array")
    item = lambda self, *a: self._concretize("item()")
    tolist = lambda self: self._concretize("tolist()")

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object (a 0-d traced array)")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d traced array")
        return (self[i] for i in range(self.shape[0]))

    def __hash__(self):
        raise TypeError("unhashable type: Tracer")

    def __repr__(self):
        return f"Traced<{self.type}>"


class Trace:
    """The IR function being built while a Python function is traced."""

    def __init__(self):
        self.builder = Builder()
        self.captures = {}     # id(outside object) -> (object, block argument standing for it)

    def new_arg(self, type: TensorType) -> Tracer:
        return Tracer(self, self.builder.arg(type))

    def lift(self, x):
        """The IR value standing for `x` in this trace."""
        if isinstance(x, Tracer):
            if x._trace is self:
                return x.value
            if x._trace not in _state.stack:
                raise UnexpectedTracerError(
                    f"a traced {x.type} value escaped the function transformation that created it (for example, "
                    f"it was stored in a global or returned through a side channel) and was used outside it")
            return self._capture(x)
        if isinstance(x, Array):
            return self._capture(x)
        value, weak = host_value(x)
        return self.builder.constant(value, weak=weak)

    def _capture(self, x):
        hit = self.captures.get(id(x))
        if hit is None:
            hit = self.captures[id(x)] = (x, self.builder.arg(x.type))
        return hit[1]

    def finish(self, name, outs, arg_names=None) -> Func:
        """The traced function: explicit arguments first, then captured values."""
        block = self.builder.ret(*[self.lift(o) for o in outs])
        return Func(name, block, arg_names)

    def captured(self):
        return [obj for obj, _ in self.captures.values()]


class _State(threading.local):
    def __init__(self):
        self.stack = []


_state = _State()


class tracing:
    """Context manager: `with tracing() as trace:` makes `trace` the innermost trace."""

    def __init__(self, trace=None):
        self.trace = trace or Trace()

    def __enter__(self):
        _state.stack.append(self.trace)
        return self.trace

    def __exit__(self, *exc):
        _state.stack.pop()


def current_trace():
    return _state.stack[-1] if _state.stack else None


def host_value(x):
    """(numpy value, weak) for a non-array input: Python scalars are weakly typed, as in JAX."""
    if isinstance(x, (bool, int, float, complex)) and not isinstance(x, np.generic):
        d = dtypes.python_scalar_dtype(x)
        if d.kind in "iu":
            info = np.iinfo(d)
            if not info.min <= x <= info.max:
                raise OverflowError(f"Python int {x} is too large for the default integer type "
                                    f"{d.name}; enable_x64 or pass an explicit dtype")
        return np.asarray(x, d), not isinstance(x, bool)
    if isinstance(x, (np.ndarray, np.generic)):
        a = np.asarray(x)
        if a.dtype == object or a.dtype.kind in "USV" and a.dtype != dtypes.float0:
            raise TypeError(f"a NumPy array of dtype {a.dtype} is not a valid Lintra value")
        return a.astype(dtypes.canonicalize_dtype(a.dtype), copy=False), False
    if isinstance(x, (list, tuple)):
        raise TypeError(f"a Python {type(x).__name__} is not an array; use lintra.numpy.asarray({type(x).__name__}) "
                        f"to make one from it")
    raise TypeError(f"value {x!r} of type {type(x).__name__} is not a valid Lintra array or scalar")


def is_value(x):
    return isinstance(x, (Array, Tracer))


def type_of(x) -> TensorType:
    """The static type of an array, tracer or Python/NumPy scalar/array."""
    if isinstance(x, (Array, Tracer)):
        return x.type
    value, weak = host_value(x)
    return TensorType(value.shape, value.dtype, weak)


def to_array(x) -> Array:
    if isinstance(x, Array):
        return x
    value, weak = host_value(x)
    return device_put(value, weak=weak)


def bind(prim, *args, **attrs):
    """Apply primitive `prim`: staged into the innermost trace, or run eagerly when there is none."""
    trace = current_trace()
    if trace is None:
        for a in args:
            if isinstance(a, Tracer):
                trace = a._trace   # an escaped tracer: lift() reports it
                trace.lift(a)
        return apply_primitive(prim, [to_array(a) for a in args], attrs)
    outs = trace.builder.emit(prim, [trace.lift(a) for a in args], attrs)
    return [Tracer(trace, v) for v in outs]


def bind1(prim, *args, **attrs):
    out, = bind(prim, *args, **attrs)
    return out


def constant(value, dtype=None, weak=False):
    """`value` as an array of the current context: an IR constant in a trace, else an Array."""
    trace = current_trace()
    attrs = constant_attrs(value, dtype, weak)
    if trace is None:
        return device_put(attrs["value"], weak=weak)
    return Tracer(trace, trace.builder.emit1("constant", (), attrs))
