"""Tracing: a Tracer stands for an IR value while a Python function runs.

Every lax operation goes through `bind`. Inside a trace (jit, make_ir, a loop
body) it appends an op to the innermost trace's IR; outside any trace it runs
the primitive at once on the backend (eager mode).
"""
import threading

import numpy as np

from ..ir.builder import Builder, constant_attrs
from ..ir.callbacks import without_debug_callbacks
from ..ir.core import Func, is_built
from ..ir.types import DTYPE_NAMES, TensorType, dtype_name, is_int, is_small_int
from ..runtime import pjrt
from ..runtime.array import Array
from ..runtime.dispatch import apply_primitive
from ..runtime.executable import device_put
from . import dtypes
from .abstract import ShapeDtypeStruct


class ConcretizationError(TypeError):
    """A traced value was used where Python needs a concrete one (JAX's ConcretizationTypeError)."""


class TracerBoolConversionError(ConcretizationError):
    pass


class TracerIntegerConversionError(ConcretizationError):
    pass


class TracerArrayConversionError(ConcretizationError):
    pass


class UnexpectedTracerError(RuntimeError):
    pass


class Tracer:
    """A value inside a trace: it always has a type, and in a concrete trace (grad, vjp, jvp outside jit)
    also its value, so Python control flow on it works as in JAX."""
    __slots__ = ("_trace", "value", "val", "__weakref__")
    __array_priority__ = 100

    def __init__(self, trace, value, val=None):
        self._trace = trace
        self.value = value
        self.val = val

    type = property(lambda self: self.value.type)
    aval = type
    shape = property(lambda self: self.value.type.shape)
    dtype = property(lambda self: self.value.type.dtype)
    ndim = property(lambda self: len(self.value.type.shape))
    size = property(lambda self: self.value.type.size)
    weak_type = property(lambda self: self.value.type.weak)

    def _concrete(self, what, error=ConcretizationError):
        if self.val is not None:
            return self.val
        raise error(
            f"Abstract tracer value encountered where a concrete value is expected: {what} of a traced "
            f"{dtype_name(self.dtype)}{list(self.shape)} value. Its value is not known while the function is "
            f"traced (by jit, make_ir or a loop body). If it depends only on a Python value, mark that argument "
            f"static with static_argnums/static_argnames, or use lax.cond/lax.select for value-dependent "
            f"choices.")

    __bool__ = lambda self: bool(self._concrete("bool()", TracerBoolConversionError))
    __float__ = lambda self: float(self._concrete("float()"))
    __int__ = lambda self: int(self._concrete("int()", TracerIntegerConversionError))
    __complex__ = lambda self: complex(self._concrete("complex()"))
    __index__ = lambda self: self._concrete("use as an index (__index__)", TracerIntegerConversionError).__index__()
    __array__ = lambda self, *a, **k: self._concrete("conversion to a NumPy array",
                                                     TracerArrayConversionError).__array__(*a, **k)
    item = lambda self, *a: self._concrete("item()").item(*a)
    tolist = lambda self: self._concrete("tolist()").tolist()

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
    """The IR function being built while a Python function is traced. A concrete trace also computes
    each op's value eagerly whenever all its operands have values."""

    def __init__(self, concrete=False, embed_arrays=False):
        self.builder = Builder()
        self.concrete = concrete
        self.embed_arrays = embed_arrays   # closed-over Arrays become constants instead of captures
        self.captures = {}     # id(outside object) -> (object, block argument standing for it)

    def new_arg(self, type: TensorType, val=None) -> Tracer:
        return Tracer(self, self.builder.arg(type), val)

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
            if self.embed_arrays:
                return self.builder.constant(x._value(), weak=x.weak_type)
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
# Whether this thread is tracing, in every C++ jit signature: a jitted call with concrete arguments made
# inside a trace must reach Python (to be staged), not replay an executable compiled outside one. What it
# stages is the trace made outside one, so the setting does not key jit's traces.
_tracing_key = pjrt.jit_key_config("lintra_tracing", False, changes_traces=False)


class tracing:
    """Context manager: `with tracing() as trace:` makes `trace` the innermost trace."""

    def __init__(self, trace=None):
        self.trace = trace or Trace()

    def __enter__(self):
        if not _state.stack:
            _tracing_key.set_local(True)
        _state.stack.append(self.trace)
        return self.trace

    def __exit__(self, *exc):
        _state.stack.pop()
        if not _state.stack:
            _tracing_key.set_local(pjrt.UNSET)


def current_trace():
    return _state.stack[-1] if _state.stack else None


class _AxisEnv(threading.local):
    def __init__(self):
        self.names = []     # (axis_name, size) of the vmaps being traced, innermost last
        self.checked = []   # the manual axes of the shard_maps with check_vma being traced (vma types)


# Named axes are part of the tracing context: vmap binds them and lax's collectives read their sizes.
axis_env = _AxisEnv()


def axis_size(name):
    for n, size in reversed(axis_env.names):
        if n == name:
            return size
    bound = [n for n, _ in axis_env.names if n is not None]
    raise NameError(f"unbound axis name: {name!r}; the enclosing vmaps, pmaps and shard_maps name "
                    f"{bound or 'no axes'}. Use vmap(..., axis_name={name!r}) or pmap(..., axis_name={name!r}) "
                    f"around the function that uses it, or shard_map over a mesh with that axis")


def host_value(x):
    """(numpy value, weak) for a non-array input: Python scalars are weakly typed, as in JAX."""
    if isinstance(x, (bool, int, float, complex)) and not isinstance(x, np.generic):
        d = dtypes.python_scalar_dtype(x)
        return python_scalar(x, d), not isinstance(x, bool)
    if isinstance(x, (np.ndarray, np.generic)):
        a = np.asarray(x)
        # bfloat16 and float0 are kind "V" too, yet supported
        if a.dtype == object or a.dtype.kind in "USV" and a.dtype not in DTYPE_NAMES:
            raise TypeError(f"a NumPy array of dtype {a.dtype} is not a valid Lintra value")
        return a.astype(dtypes.canonicalize_dtype(a.dtype), copy=False), False
    if isinstance(x, (list, tuple)):
        raise TypeError(f"a Python {type(x).__name__} is not an array; use lintra.numpy.asarray({type(x).__name__}) "
                        f"to make one from it")
    raise TypeError(f"value {x!r} of type {type(x).__name__} is not a valid Lintra array or scalar")


def python_scalar(x, dtype):
    """The Python scalar `x` as a 0-d array of `dtype`, refusing ints that do not fit."""
    dtype = np.dtype(dtype)
    # as JAX, whose check is NumPy's: ml_dtypes' int4 and kin wrap Python ints silently (jnp.int4(9) is -7)
    if is_int(dtype) and not is_small_int(dtype) and isinstance(x, int):
        info = np.iinfo(dtype)
        if not info.min <= x <= info.max:
            raise OverflowError(f"Python int {x} is too large for {dtype.name} (range {info.min}..{info.max}); "
                                f"enable_x64 or pass an explicit dtype")
    return np.asarray(x, dtype)


def is_value(x):
    return isinstance(x, (Array, Tracer))


def type_of(x) -> TensorType:
    """The static type of an array, tracer or Python/NumPy scalar/array."""
    if isinstance(x, (Array, Tracer, ShapeDtypeStruct)):
        return x.type
    value, weak = host_value(x)
    return TensorType(value.shape, value.dtype, weak)


def _like(cls, x):
    """ShapeDtypeStruct.like(x): the shape, dtype and weak type of x (an array, a scalar or a
    ShapeDtypeStruct), and its sharding where x is committed to one (as JAX: an uncommitted array's is left
    unspecified)."""
    t = type_of(x)
    sharding = getattr(x, "sharding", None) if getattr(x, "_committed", True) else None
    return cls(t.shape, t.dtype, sharding=sharding, weak_type=t.weak)


ShapeDtypeStruct.like = classmethod(_like)


def typeof(x) -> TensorType:
    """lintra.typeof(x), as jax.typeof: the abstract value of x (an array, tracer, scalar or
    ShapeDtypeStruct), which in Lintra is its IR type, e.g. TensorType(f32[3]) (JAX's ShapedArray(float32[3]));
    a Python scalar's is weakly typed (TensorType(~f32[]))."""
    return type_of(x)


def to_array(x) -> Array:
    if isinstance(x, Array):
        return x
    value, weak = host_value(x)
    return device_put(value, weak=weak)


def concrete_value(x):
    """x's value as an Array, or None when it is abstract."""
    if isinstance(x, Tracer):
        return x.val
    if isinstance(x, ShapeDtypeStruct):
        return None
    return to_array(x)


def bind(prim, *args, regions=(), **attrs):
    """Apply primitive `prim`: staged into the innermost trace, or run eagerly when there is none."""
    stack = _state.stack
    if not stack:
        return apply_primitive(prim, [a if a.__class__ is Array else _eager_operand(a) for a in args], attrs,
                               regions)
    return stage(stack[-1], prim, args, regions, attrs)


def _eager_operand(a):
    if isinstance(a, Tracer):
        raise UnexpectedTracerError(
            f"a traced {a.type} value escaped the function transformation that created it (for example, "
            f"it was stored in a global or returned through a side channel) and was used outside it")
    return to_array(a)


def stage(trace, prim, args, regions, attrs, values=None):
    """Append the op to `trace`. In a concrete trace its value is computed too, unless `values` (already
    known outputs, e.g. of a traced region) are given. Debug callbacks do not run then: the traced program
    runs after a concrete trace (grad, jvp and vjp run its primal part), and prints then, once, as JAX."""
    outs = trace.builder.emit(prim, [trace.lift(a) for a in args], attrs, regions)
    if values is None:
        values = [None] * len(outs)
        if trace.concrete:
            ins = [concrete_value(a) for a in args]
            if prim == "callback" and attrs["kind"] == "debug":
                values = []
            elif all(v is not None for v in ins):
                values = _concrete_values(prim, ins, attrs, without_debug_callbacks(regions))
    return [Tracer(trace, v, c) for v, c in zip(outs, values)]


def _concrete_values(prim, ins, attrs, regions):
    """The op's outputs on concrete inputs. A custom_jvp/custom_vjp function not traced itself (only its rule
    was, as JAX does under differentiation, e.g. of a vmap of it) gives its rule's primal outputs: the JVP
    rule's at zero tangents, or fwd's."""
    if prim in ("custom_jvp_call", "custom_vjp_call") and not is_built(regions[0]):
        n_out = len(regions[0].result_types)
        args = ins[:attrs["num_args"]]
        if prim == "custom_jvp_call":
            args += [device_put(np.zeros(t.shape, t.dtype)) for t in regions[1].arg_types[len(args):]]
        return apply_primitive("call", args, {}, [regions[1]])[:n_out]
    return apply_primitive(prim, ins, attrs, regions)


def bind1(prim, *args, regions=(), **attrs):
    out, = bind(prim, *args, regions=regions, **attrs)
    return out


def constant(value, dtype=None, weak=False):
    """`value` as an array of the current context: an IR constant in a trace, else an Array (a scalar may be
    shared with other constants: functions that hand it to the user return it `unshared`)."""
    trace = current_trace()
    if isinstance(value, int) and dtype is not None:
        value = python_scalar(value, dtype)
    attrs = constant_attrs(value, dtype, weak)
    if trace is None:
        return device_put(attrs["value"], weak=weak, shared=True)
    val = device_put(attrs["value"], weak=weak, shared=True) if trace.concrete else None
    return Tracer(trace, trace.builder.emit1("constant", (), attrs), val)


def eval_func(func, args):
    """Evaluate an IR function on arrays/tracers by binding each op in the current context (how every
    transformation runs the IR its passes produce)."""
    env = dict(zip(func.args, args))
    for op in func.body.ops:
        if op.prim == "constant":
            outs = [constant(op.attrs["value"], weak=op.attrs.get("weak", False))]
        else:
            outs = bind(op.prim, *[env[v] for v in op.operands], regions=op.regions, **op.attrs)
        env.update(zip(op.results, outs))
    return [env[v] for v in func.results]
