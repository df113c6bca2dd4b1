"""Shared machinery of lintra.numpy: array conversion, dtype promotion, broadcasting, axis checks."""
import operator
import warnings

import ml_dtypes
import numpy as np

from ...ir import types as T
from .. import dtypes as _dtypes
from ..config import config
from ..core import bind1, constant, host_value, is_value, python_scalar, type_of
from ..words import is_words, refuse

_PY_SCALARS = (bool, int, float, complex)
AxisError = np.exceptions.AxisError


def describe(x) -> str:
    """`f32[2,3]`-style summary of an array-like, for error messages."""
    if isinstance(x, _PY_SCALARS) and not isinstance(x, np.generic):
        return f"Python {type(x).__name__} {x!r}"
    t = type_of(x)
    return f"{'weak ' if t.weak else ''}{t.strong()}"


def is_arraylike(x) -> bool:
    return is_value(x) or isinstance(x, (np.ndarray, np.generic)) or \
        (isinstance(x, _PY_SCALARS) and not isinstance(x, np.generic))


def check_arraylike(name, *xs):
    """As jax.numpy: elementwise functions take arrays and scalars, not Python lists."""
    for i, x in enumerate(xs):
        if is_words(x):
            raise refuse(name, x)
        if not is_arraylike(x):
            hint = f"; use jnp.asarray({type(x).__name__}) first" if isinstance(x, (list, tuple)) else ""
            raise TypeError(f"{name} requires ndarray or scalar arguments, got {type(x).__name__} at position "
                            f"{i}{hint}")


def to_dtype(d) -> np.dtype:
    """A user's dtype argument (np dtype, scalar type, jnp.float32, 'bfloat16', float, ...) as Lintra uses it."""
    return _dtypes.canonicalize_dtype(np_dtype(d))


def np_dtype(d) -> np.dtype:
    if d is None:
        raise TypeError("dtype must not be None here")
    return T.user_dtype(d)


def weak_dtype_pair(x):
    if isinstance(x, _PY_SCALARS) and not isinstance(x, np.generic):
        # not type_of(x): a Python int too big for the default int is fine where it meets a float
        return _dtypes.python_scalar_dtype(x), not isinstance(x, bool)
    t = type_of(x)
    return t.dtype, t.weak


def convert(x, dtype, weak=False):
    """`x` as a value of `dtype` (weakly typed if `weak`); host scalars become constants of that dtype."""
    dtype = np.dtype(dtype)
    if is_value(x):
        t = x.type
        if t.dtype == dtype and t.weak == weak:
            return x
        return bind1("convert_element_type", x, new_dtype=dtype, weak_type=weak)
    if isinstance(x, _PY_SCALARS) and not isinstance(x, np.generic):
        if isinstance(x, complex) and not T.is_complex(dtype):
            x = x.real   # as NumPy, which drops the imaginary part (with a warning)
        if isinstance(x, float) and T.is_int(dtype) and not np.isfinite(x):
            raise OverflowError(f"cannot convert Python float {x} to {dtype.name}")
        value = python_scalar(int(x) if isinstance(x, float) and T.is_int(dtype) else x, dtype)
        return constant(value, weak=weak)
    value, _ = host_value(x)
    return constant(value.astype(dtype), weak=weak)


def asvalue(x):
    """`x` (array, tracer, scalar, NumPy value) as an Array or Tracer, keeping Python scalars weak."""
    if is_value(x):
        return x
    value, weak = host_value(x)
    return constant(value, weak=weak)


def result_type_of(*xs):
    """(dtype, weak) that xs promote to, as JAX's lattice says."""
    return _dtypes.promote(*[weak_dtype_pair(x) for x in xs])


def broadcast_shapes(name, *xs):
    shapes = [shape_of(x) for x in xs]
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"{name}: incompatible shapes for broadcasting: "
                         f"{', '.join(describe(x) for x in xs)} (NumPy broadcasting: trailing dimensions must "
                         f"be equal or 1)") from None


def broadcast_to(x, shape, name="broadcast_to"):
    x = asvalue(x)
    shape = tuple(shape)
    t = x.type
    nd = len(shape)
    if t.ndim > nd or any(a not in (1, b) for a, b in zip(t.shape[::-1], shape[::-1])):
        raise ValueError(f"{name}: cannot broadcast {describe(x)} to shape {shape}")
    if t.shape == shape:
        return x
    return bind1("broadcast_in_dim", x, shape=shape, broadcast_dimensions=tuple(range(nd - t.ndim, nd)))


def full_like_type(like, value):
    """`value` as an array of like's type, shape included."""
    t = type_of(like)
    return broadcast_to(convert(value, t.dtype, t.weak), t.shape)


def select(pred, x, y):
    """x where pred, else y (operands of one shape and dtype)."""
    return bind1("select_n", pred, y, x)


# JAX 0.10.2's dtypes._dtype_to_inexact: the float an integer or bool computes in where a function needs an
# inexact type (narrow integers take float32 even with x64 on; 64-bit integers take float64)
_INEXACT_OF = {np.dtype(np.bool_): np.float32, np.dtype(np.int8): np.float32, np.dtype(np.uint8): np.float32,
               np.dtype(np.int16): np.float32, np.dtype(np.uint16): np.float32, np.dtype(np.int32): np.float32,
               np.dtype(np.uint32): np.float32, np.dtype(np.int64): np.float64, np.dtype(np.uint64): np.float64,
               np.dtype(ml_dtypes.int4): np.float32, np.dtype(ml_dtypes.uint4): np.float32}


def to_inexact(d) -> np.dtype:
    """d if inexact, else the float JAX computes it in (canonicalized: float64 only with x64)."""
    d = np.dtype(d)
    if T.is_inexact(d) or (T.is_small_int(d) and d not in _INEXACT_OF):
        return d        # JAX's table has no float for int1/int2: it leaves them be, and sqrt and kin refuse them
    return _dtypes.canonicalize_dtype(_INEXACT_OF.get(d, np.float64))


def promote_args(name, *xs, kind=None):
    """Promote xs to one dtype (JAX's lattice, weak types) and broadcast them to one shape.

    kind: None keeps the promoted dtype; "inexact" makes integers and bools a float (to_inexact);
    "numeric" makes bool int32 (as jnp.floor_divide, jnp.power, ...)."""
    check_arraylike(name, *xs)
    d, weak = result_type_of(*xs)
    if len(xs) == 1 and kind is None:     # nothing to promote against: JAX keeps the operand's weak type
        weak = weak_dtype_pair(xs[0])[1]
    if kind == "inexact" and not T.is_inexact(d):
        d = to_inexact(d)
    elif kind == "numeric" and T.is_bool(d):
        d = np.dtype(np.int32)
    shape = broadcast_shapes(name, *xs)
    _check_rank_promotion(name, xs)
    return [broadcast_to(convert(x, d, weak), shape, name) for x in xs]


def _check_rank_promotion(name, xs):
    """jax_numpy_rank_promotion: 'warn' or 'raise' where operands of different nonzero ranks broadcast."""
    mode = config.numpy_rank_promotion
    if mode == "allow":
        return
    shapes = [shape_of(x) for x in xs]
    if len({len(s) for s in shapes if s}) < 2:
        return
    shown = " ".join(str(s) for s in shapes)
    if mode == "raise":
        raise ValueError(f"Operands could not be broadcast together for {name} on shapes {shown} and with the "
                         f"config option jax_numpy_rank_promotion='raise'.")
    warnings.warn(f"Following NumPy automatic rank promotion for {name} on shapes {shown}. Set the "
                  f"jax_numpy_rank_promotion config option to 'allow' to disable this warning.", stacklevel=3)


def canon_axis(axis, ndim, name="axis"):
    """A static axis in range(ndim); negative axes count from the end, as in NumPy."""
    if isinstance(axis, (bool, np.bool_)):
        raise TypeError(f"{name} must be an integer, got {axis!r}")
    try:
        a = operator.index(axis)
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {axis!r} of type {type(axis).__name__}") from None
    if not -ndim <= a < ndim:
        raise AxisError(a, ndim)
    return a % ndim


def canon_axes(axis, ndim):
    """axis=None, an int or a sequence of ints, as a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    out = tuple(canon_axis(a, ndim) for a in axes)
    if len(set(out)) != len(out):
        raise ValueError(f"repeated axis in {axis!r}")
    return tuple(sorted(out))


def canon_shape(shape, name="shape"):
    """A shape as a tuple of Python ints (anything with __index__); negative sizes are refused by the type
    rule of the op that makes the array, with JAX's message."""
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        return tuple(operator.index(s) for s in shape)
    except TypeError:
        raise TypeError(f"Shapes must be 1D sequences of concrete values of integer type, got {shape!r}.") from None


def shape_of(x):
    return () if isinstance(x, _PY_SCALARS) else type_of(x).shape


def prod_int(xs):
    return int(np.prod(xs, dtype=np.int64))


def ensure_value_list(name, arrays):
    if is_value(arrays) or isinstance(arrays, np.ndarray):
        return [arrays[i] for i in range(shape_of(arrays)[0])]
    if not isinstance(arrays, (list, tuple)):
        raise TypeError(f"{name} expects a sequence of arrays, got {type(arrays).__name__}")
    return list(arrays)

