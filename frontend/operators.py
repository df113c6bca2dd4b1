"""Operators and methods of arrays, as JAX arrays have them, installed on both Array and Tracer.

Every operator is a lintra.numpy function, so `x + 1` on a device array runs eagerly on the backend and,
inside a trace, stages the same ops: eager and jit agree.
"""
import numpy as np

from ..runtime.array import Array, check_live
from .core import Tracer, python_scalar
from .numpy import creation, indexing, products, reductions, manipulation as shapes, searching, ufuncs
from .numpy import index_arrays, layout, matrices, packing

_ACCEPTED = (bool, int, float, complex, np.generic, np.ndarray, Array, Tracer)


def _binary(fn, symbol, reflected=False):
    def op(self, other):
        if isinstance(other, (list, tuple)):   # as JAX: no implicit conversion of Python sequences
            left, right = (other, self) if reflected else (self, other)
            raise TypeError(f"unsupported operand type(s) for {symbol}: '{type(left).__name__}' and "
                            f"'{type(right).__name__}'; convert the {type(other).__name__} with jnp.asarray first")
        if not isinstance(other, _ACCEPTED):
            return NotImplemented
        if other.__class__ is int and self.dtype.kind in "iu":
            # the compiled function takes the int as a weak value and would wrap it, as JAX does; refuse
            python_scalar(other, self.dtype)
        try:
            return fn(other, self) if reflected else fn(self, other)
        except ValueError:
            check_live((self, other))
            raise
    return op


_BINARY = {
    "add": (ufuncs.add, "+"), "sub": (ufuncs.subtract, "-"), "mul": (ufuncs.multiply, "*"),
    "truediv": (ufuncs.true_divide, "/"), "floordiv": (ufuncs.floor_divide, "//"), "mod": (ufuncs.remainder, "%"),
    "divmod": (ufuncs.divmod, "divmod()"), "pow": (ufuncs.power, "**"), "matmul": (products.matmul, "@"),
    "and": (ufuncs.bitwise_and, "&"), "or": (ufuncs.bitwise_or, "|"), "xor": (ufuncs.bitwise_xor, "^"),
    "lshift": (ufuncs.left_shift, "<<"), "rshift": (ufuncs.right_shift, ">>"),
}
_COMPARISONS = {
    "eq": (ufuncs.equal, "=="), "ne": (ufuncs.not_equal, "!="), "lt": (ufuncs.less, "<"),
    "le": (ufuncs.less_equal, "<="), "gt": (ufuncs.greater, ">"), "ge": (ufuncs.greater_equal, ">="),
}


def _setitem(self, index, value):
    raise TypeError(f"'{type(self).__name__}' object does not support item assignment: Lintra arrays are "
                    f"immutable. Instead of `x[idx] = y`, use `x = x.at[idx].set(y)` (or .add, .multiply, .min, "
                    f".max)")


def _args_or_tuple(args):
    """x.reshape(2, 3) and x.reshape((2, 3)) mean the same (likewise transpose)."""
    return args[0] if len(args) == 1 and (args[0] is None or isinstance(args[0], (tuple, list))) else args


def _reshape(self, *shape, order="C"):
    return shapes.reshape(self, _args_or_tuple(shape), order)


def _transpose(self, *axes):
    return shapes.transpose(self, _args_or_tuple(axes) if axes else None)


_power = _binary(ufuncs.power, "**")


def _pow(self, other, modulo=None):
    out = _power(self, other)
    return out if modulo is None or out is NotImplemented else ufuncs.remainder(out, modulo)


def _matrix_transpose(self):
    if self.ndim < 2:
        raise ValueError(f"x.mT needs an array of at least 2 dimensions, got shape {self.shape}")
    return shapes.swapaxes(self, -1, -2)


METHODS = {
    "__getitem__": indexing.getitem,
    "__setitem__": _setitem,
    "__neg__": ufuncs.negative,
    "__pos__": ufuncs.positive,
    "__abs__": ufuncs.absolute,
    "__invert__": ufuncs.bitwise_not,
    "__round__": lambda self, ndigits=None: ufuncs.round(self, ndigits or 0),
    "__pow__": _pow,
    "reshape": _reshape,
    "transpose": _transpose,
    "swapaxes": shapes.swapaxes,
    "squeeze": shapes.squeeze,
    "ravel": shapes.ravel,
    "flatten": shapes.ravel,
    "astype": creation.astype,
    "sum": reductions.sum,
    "prod": reductions.prod,
    "mean": reductions.mean,
    "var": reductions.var,
    "std": reductions.std,
    "max": reductions.max,
    "min": reductions.min,
    "any": reductions.any,
    "all": reductions.all,
    "argmax": reductions.argmax,
    "argmin": reductions.argmin,
    "cumsum": reductions.cumsum,
    "cumprod": reductions.cumprod,
    "clip": ufuncs.clip,
    "round": ufuncs.round,
    "conj": ufuncs.conjugate,
    "conjugate": ufuncs.conjugate,
    "dot": products.dot,
    "nonzero": searching.nonzero,
    # as JAX's Array: methods that are jnp functions of the array (argument order as NumPy's methods)
    "argsort": searching.argsort,
    "sort": searching.sort,
    "searchsorted": searching.searchsorted,
    "take": searching.take,
    "repeat": layout.repeat,
    "diagonal": matrices.diagonal,
    "trace": matrices.trace,
    "ptp": reductions.ptp,
    "copy": creation.copy,
    "argpartition": packing.argpartition,
    "choose": lambda self, choices, out=None, mode="raise": index_arrays.choose(self, choices, out, mode),
    "compress": lambda self, condition, axis=None, *, size=None, fill_value=0, out=None:
        index_arrays.compress(condition, self, axis, size=size, fill_value=fill_value, out=out),
    "tobytes": lambda self, order="C": np.asarray(self).tobytes(order),
}
PROPERTIES = {
    "T": lambda self: shapes.transpose(self),
    "mT": _matrix_transpose,
    "real": ufuncs.real,
    "imag": ufuncs.imag,
    "at": indexing._IndexUpdateHelper,
}


def install(cls):
    for name, (fn, symbol) in _BINARY.items():
        setattr(cls, f"__{name}__", _binary(fn, symbol))
        setattr(cls, f"__r{name}__", _binary(fn, symbol, reflected=True))
    for name, (fn, symbol) in _COMPARISONS.items():
        setattr(cls, f"__{name}__", _binary(fn, symbol))
    for name, fn in METHODS.items():
        setattr(cls, name, fn)
    for name, fn in PROPERTIES.items():
        setattr(cls, name, property(fn))


for _cls in (Array, Tracer):
    install(_cls)
