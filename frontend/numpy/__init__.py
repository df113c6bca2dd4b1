"""lintra.numpy: NumPy's API on Lintra arrays, with JAX's semantics (type promotion, weak types)."""
import builtins

import numpy as np

from ...ir import types as T
from ...runtime.array import Array
from .. import dtypes as _dtypes, lax
from ..core import Tracer, bind1, constant, host_value, is_value, type_of

ndarray = Array
pi, e, inf, nan, euler_gamma = np.pi, np.e, np.inf, np.nan, np.euler_gamma
newaxis = None
bool_, int8, int16, int32, int64 = np.bool_, np.int8, np.int16, np.int32, np.int64
uint8, uint16, uint32, uint64 = np.uint8, np.uint16, np.uint32, np.uint64
float16, float32, float64, complex64, complex128 = np.float16, np.float32, np.float64, np.complex64, np.complex128
bfloat16 = _dtypes.bfloat16
dtype = np.dtype
promote_types = _dtypes.promote_types


def asarray(a, dtype=None):
    if isinstance(a, (list, tuple)):
        leaves = [type_of(x) for x in _flatten_nested(a)]
        if any(isinstance(x, (Array, Tracer)) for x in _flatten_nested(a)):
            return stack([asarray(x, dtype) for x in a])
        arr = np.asarray(a)
        weak = arr.dtype.kind != "b" and builtins.all(t.weak for t in leaves) and dtype is None
        d = _dtypes.canonicalize_dtype(dtype or (arr.dtype if not weak else
                                                 _dtypes.promote(*[(t.dtype, t.weak) for t in leaves])[0]))
        return constant(arr.astype(d), weak=weak)
    if is_value(a):
        return a if dtype is None else lax.convert_element_type(a, dtype)
    value, weak = host_value(a)
    if dtype is not None:
        value, weak = value.astype(_dtypes.canonicalize_dtype(dtype)), False
    return constant(value, weak=weak)


array = asarray


def _flatten_nested(a):
    for x in a:
        if isinstance(x, (list, tuple)):
            yield from _flatten_nested(x)
        else:
            yield x


def _promote_args(*xs):
    """Promote to a common dtype (JAX's lattice) and broadcast to a common shape."""
    ts = [type_of(x) for x in xs]
    d, weak = _dtypes.promote(*[(t.dtype, t.weak) for t in ts])
    shape = np.broadcast_shapes(*[t.shape for t in ts])
    out = []
    for x, t in zip(xs, ts):
        if t.dtype != d or t.weak != weak:
            x = bind1("convert_element_type", x, new_dtype=d, weak_type=weak)
        out.append(_broadcast_to(x, shape))
    return out


def _broadcast_to(x, shape):
    t = type_of(x)
    if t.shape == tuple(shape):
        return x
    nd = len(shape)
    return lax.broadcast_in_dim(x, shape, tuple(range(nd - t.ndim, nd)))


def _binop(prim):
    def f(x, y):
        return bind1(prim, *_promote_args(x, y))
    f.__name__ = prim
    return f


def _unop(prim, inexact=False):
    def f(x):
        x, = _promote_args(x)
        if inexact and not T.is_inexact(type_of(x).dtype):
            x = lax.convert_element_type(x, _dtypes.default_float())
        return bind1(prim, x)
    f.__name__ = prim
    return f


add, subtract, multiply = _binop("add"), _binop("sub"), _binop("mul")
maximum, minimum = _binop("max"), _binop("min")
equal, not_equal, less, less_equal, greater, greater_equal = (_binop(p) for p in ("eq", "ne", "lt", "le", "gt", "ge"))
negative = _unop("neg")
sin, cos, exp, log, sqrt, tanh = (_unop(p, inexact=True) for p in ("sin", "cos", "exp", "log", "sqrt", "tanh"))


def true_divide(x, y):
    x, y = _promote_args(x, y)
    if not T.is_inexact(type_of(x).dtype):
        x, y = (lax.convert_element_type(v, _dtypes.default_float()) for v in (x, y))
    return bind1("div", x, y)


divide = true_divide


def sum(a, axis=None, dtype=None, keepdims=False):
    a = asarray(a)
    axes = tuple(range(a.ndim)) if axis is None else tuple(ax % a.ndim for ax in np.atleast_1d(axis))
    return bind1("reduce_sum", a, axes=axes)
