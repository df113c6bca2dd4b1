"""lintra.lax: one function per primitive, with jax.lax's names and signatures."""
import builtins

import numpy as np

from ..ir import types as T
from . import dtypes
from .core import bind, bind1, constant, host_value, is_value, type_of


def _lift_scalars(*xs):
    """Python scalars next to arrays take the arrays' dtype (weakly), as in jax.lax."""
    ref = next((type_of(x) for x in xs if is_value(x) or isinstance(x, (np.ndarray, np.generic))), None)
    if ref is None:
        return xs
    return tuple(constant(x, ref.dtype, weak=True) if isinstance(x, (bool, int, float, complex))
                 and not isinstance(x, np.generic) else x for x in xs)


def _unary(name):
    def f(x):
        return bind1(name, x)
    f.__name__ = name
    return f


def _binary(name):
    def f(x, y):
        return bind1(name, *_lift_scalars(x, y))
    f.__name__ = name
    return f


for _n in ["neg", "sign", "floor", "ceil", "exp", "exp2", "log", "log1p", "expm1", "sin", "cos", "tan", "asin",
           "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "logistic", "sqrt", "rsqrt",
           "cbrt", "erf", "erfc", "erf_inv", "lgamma", "digamma", "is_finite", "square", "reciprocal", "abs",
           "real", "imag", "conj", "population_count", "clz", "copy"]:
    globals()[_n] = _unary(_n)
for _n in ["add", "sub", "mul", "div", "rem", "pow", "max", "min", "atan2", "nextafter", "eq", "ne", "lt",
           "le", "gt", "ge", "shift_left", "shift_right_arithmetic", "shift_right_logical", "complex"]:
    globals()[_n] = _binary(_n)
bitwise_and, bitwise_or, bitwise_xor, bitwise_not = _binary("and"), _binary("or"), _binary("xor"), _unary("not")


class RoundingMethod:
    AWAY_FROM_ZERO = 0
    TO_NEAREST_EVEN = 1


def round(x, rounding_method=RoundingMethod.AWAY_FROM_ZERO):
    return bind1("round", x, rounding_method=int(rounding_method))


def integer_pow(x, y):
    return bind1("integer_pow", x, y=int(y))


def select_n(which, *cases):
    return bind1("select_n", which, *_lift_scalars(*cases))


def select(pred, on_true, on_false):
    return select_n(pred, on_false, on_true)


def clamp(min, x, max):
    return bind1("clamp", *_lift_scalars(min, x, max))


def convert_element_type(operand, new_dtype):
    t = type_of(operand)
    new = dtypes.canonicalize_dtype(new_dtype)
    if t.dtype == new and not t.weak:
        return operand if is_value(operand) else constant(host_value(operand)[0])
    return bind1("convert_element_type", operand, new_dtype=new, weak_type=False)


def bitcast_convert_type(operand, new_dtype):
    return bind1("bitcast_convert_type", operand, new_dtype=T.dtype(new_dtype))


def iota(dtype, size):
    return bind1("iota", dtype=dtypes.canonicalize_dtype(dtype), shape=(int(size),), dimension=0)


def broadcasted_iota(dtype, shape, dimension):
    return bind1("iota", dtype=dtypes.canonicalize_dtype(dtype), shape=tuple(int(d) for d in shape),
                 dimension=int(dimension))


def broadcast_in_dim(operand, shape, broadcast_dimensions):
    shape, dims = tuple(int(d) for d in shape), tuple(int(d) for d in broadcast_dimensions)
    if type_of(operand).shape == shape and dims == tuple(range(len(shape))) and is_value(operand):
        return operand
    return bind1("broadcast_in_dim", operand, shape=shape, broadcast_dimensions=dims)


def broadcast(operand, sizes):
    nd = type_of(operand).ndim
    return broadcast_in_dim(operand, tuple(sizes) + type_of(operand).shape,
                            tuple(range(len(sizes), len(sizes) + nd)))


def reshape(operand, new_sizes, dimensions=None):
    if dimensions is not None:
        operand = transpose(operand, dimensions)
    new_sizes = tuple(int(d) for d in new_sizes)
    if type_of(operand).shape == new_sizes and is_value(operand):
        return operand
    return bind1("reshape", operand, new_sizes=new_sizes)
