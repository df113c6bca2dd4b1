"""Elementwise functions (NumPy's ufuncs) with JAX's promotion: weak Python scalars, ints to float where needed."""
import operator

import numpy as np

from ...ir import types as T
from .. import dtypes as _dtypes
from ..api import jit
from ..core import bind1, constant, type_of
from ..words import wordwise
from ._util import (asvalue, broadcast_shapes, broadcast_to, check_arraylike, convert, describe, promote_args,
                    shape_of, weak_dtype_pair)


def _dtype(x):
    return type_of(x).dtype


def _require(name, xs, ok, what):
    if not ok(_dtype(xs[0])):
        raise TypeError(f"{name}: expected {what} arguments, got {', '.join(describe(x) for x in xs)}")


def _const_like(x, value):
    """A scalar constant of x's dtype, broadcast to x's shape (weakly typed like x)."""
    t = type_of(x)
    return broadcast_to(convert(value, t.dtype, t.weak), t.shape)


def _strong(x):
    """x, strongly typed: where JAX's implementation meets a constant of its own (np.array), which is."""
    t = type_of(x)
    return convert(x, t.dtype) if t.weak else x


def _intbool(d):
    return T.is_int(d) or T.is_bool(d)


def _real(d):
    return not T.is_complex(d)


# ---- arithmetic --------------------------------------------------------------------------------

def _binary(name, prim, kind=None, bool_prim=None, ok=None, what=None):
    def f(x1, x2, /):
        x1, x2 = promote_args(name, x1, x2, kind=kind)
        if bool_prim is not None and T.is_bool(_dtype(x1)):
            return bind1(bool_prim, x1, x2)
        if ok is not None:
            _require(name, (x1, x2), ok, what)
        return bind1(prim, x1, x2)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"jnp.{name}: elementwise, with NumPy broadcasting and JAX's type promotion."
    return f


# as jnp: on booleans, add is logical or and multiply is logical and
add = _binary("add", "add", bool_prim="or")
multiply = _binary("multiply", "mul", bool_prim="and")
true_divide = _binary("true_divide", "div", kind="inexact")
divide = true_divide
maximum = _binary("maximum", "max")
minimum = _binary("minimum", "min")
arctan2 = _binary("arctan2", "atan2", kind="inexact", ok=T.is_float, what="real")
# keys compare word by word: equal when all words are, unequal when any is
equal = wordwise(values=(0, 1), combine=operator.and_)(_binary("equal", "eq"))
not_equal = wordwise(values=(0, 1), combine=operator.or_)(_binary("not_equal", "ne"))


def _ordering(name, prim):
    """As JAX: complex numbers are ordered lexicographically, by real part, then imaginary part."""
    def f(x1, x2, /):
        x1, x2 = promote_args(name, x1, x2)
        if not T.is_complex(_dtype(x1)):
            return bind1(prim, x1, x2)
        r1, r2, i1, i2 = bind1("real", x1), bind1("real", x2), bind1("imag", x1), bind1("imag", x2)
        strict = {"le": "lt", "ge": "gt"}.get(prim, prim)
        return bind1("or", bind1(strict, r1, r2), bind1("and", bind1("eq", r1, r2), bind1(prim, i1, i2)))
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"jnp.{name}: elementwise, with NumPy broadcasting and JAX's type promotion."
    return f


less = _ordering("less", "lt")
less_equal = _ordering("less_equal", "le")
greater = _ordering("greater", "gt")
greater_equal = _ordering("greater_equal", "ge")
bitwise_and = _binary("bitwise_and", "and", ok=_intbool, what="integer or boolean")
bitwise_or = _binary("bitwise_or", "or", ok=_intbool, what="integer or boolean")
bitwise_xor = _binary("bitwise_xor", "xor", ok=_intbool, what="integer or boolean")


def subtract(x1, x2, /):
    x1, x2 = promote_args("subtract", x1, x2)
    if T.is_bool(_dtype(x1)):
        raise TypeError(f"subtract: the boolean subtract (the `-` operator) is not supported for {describe(x1)} and "
                        f"{describe(x2)}; use bitwise_xor (`^`) or logical_xor instead")
    return bind1("sub", x1, x2)


def left_shift(x1, x2, /):
    x1, x2 = promote_args("left_shift", x1, x2, kind="numeric")     # as JAX: bools shift as int32
    _require("left_shift", (x1, x2), T.is_int, "integer")
    return bind1("shift_left", x1, x2)


def right_shift(x1, x2, /):
    """Arithmetic shift for signed integers, logical for unsigned (as NumPy)."""
    x1, x2 = promote_args("right_shift", x1, x2, kind="numeric")
    _require("right_shift", (x1, x2), T.is_int, "integer")
    return bind1("shift_right_arithmetic" if T.is_signed(_dtype(x1)) else "shift_right_logical", x1, x2)


bitwise_left_shift, bitwise_right_shift = left_shift, right_shift


def _no_complex(name, *xs):
    if T.is_complex(_dtype(xs[0])):
        raise TypeError(f"{name}: not defined for complex arguments, got {', '.join(describe(x) for x in xs)}")


def floor_divide(x1, x2, /):
    """x1 // x2 rounded towards minus infinity (Python's semantics), for integers and floats."""
    x1, x2 = promote_args("floor_divide", x1, x2, kind="numeric")
    d = _dtype(x1)
    _no_complex("floor_divide", x1, x2)
    if T.is_int(d) and not T.is_signed(d):
        return bind1("div", x1, x2)
    if T.is_int(d):
        quotient = bind1("div", x1, x2)
        # truncation rounds towards zero; step down where the signs differ and the division is inexact
        adjust = bind1("and", bind1("ne", bind1("sign", x1), bind1("sign", x2)),
                       bind1("ne", bind1("rem", x1, x2), _const_like(x1, 0)))
        return bind1("select_n", adjust, quotient, bind1("sub", quotient, _const_like(quotient, 1)))
    return _float_divmod(x1, x2)[0]


def _float_divmod(x1, x2):
    """CPython's float_divmod: a quotient rounded to an integer and a remainder with the divisor's sign."""
    mod = bind1("rem", x1, x2)
    div = bind1("div", bind1("sub", x1, mod), x2)
    ind = bind1("and", bind1("ne", mod, _const_like(mod, 0)), bind1("ne", bind1("sign", x2), bind1("sign", mod)))
    mod = bind1("select_n", ind, mod, bind1("add", mod, x2))
    div = bind1("select_n", ind, div, bind1("sub", div, _const_like(div, 1)))
    return bind1("round", div, rounding_method=1), mod


def remainder(x1, x2, /):
    """x1 - floor(x1 / x2) * x2: the result has the sign of x2 (Python's %), as np.remainder."""
    x1, x2 = promote_args("remainder", x1, x2, kind="numeric")
    _no_complex("remainder", x1, x2)
    zero = _const_like(x1, 0)
    if T.is_int(_dtype(x2)):   # NumPy gives 0 for x % 0; XLA's remainder by zero is undefined
        x2 = bind1("select_n", bind1("eq", x2, zero), x2, _const_like(x2, 1))
    trunc = bind1("rem", x1, x2)
    fix = bind1("and", bind1("ne", bind1("lt", trunc, zero), bind1("lt", x2, zero)), bind1("ne", trunc, zero))
    return bind1("select_n", fix, trunc, bind1("add", trunc, x2))


mod = remainder


def divmod(x1, x2, /):
    return floor_divide(x1, x2), remainder(x1, x2)


def power(x1, x2, /):
    """x1 ** x2. A concrete integer exponent uses exact repeated multiplication and keeps x1's dtype."""
    check_arraylike("power", x1, x2)
    try:
        y = operator.index(x2) if not shape_of(x2) else None
    except TypeError:   # a float, or a traced exponent (ConcretizationError is a TypeError)
        y = None
    if y is not None:
        x1, = promote_args("power", x1, kind="numeric")
        if y < 0 and T.is_int(_dtype(x1)):
            raise ValueError(f"power: integers cannot be raised to negative integer powers; got {describe(x1)} "
                             f"** {y}")
        return bind1("integer_pow", x1, y=y)
    (d1, _), (d2, w2) = weak_dtype_pair(x1), weak_dtype_pair(x2)
    x1, x2 = promote_args("power", x1, x2, kind="numeric")
    out = bind1("pow", x1, x2)
    # JAX passes an inexact base with an integer exponent to lax.pow unpromoted: the dtypes agree with the
    # promoted ones, but the result is weak only when both operands are ((-1.0) ** int_array is strong)
    if T.is_inexact(d1) and T.is_int(d2) and not w2 and type_of(out).weak:
        out = convert(out, type_of(out).dtype)
    return out


# ---- unary -------------------------------------------------------------------------------------

def _unary_inexact(name, prim):
    def f(x, /):
        x, = promote_args(name, x, kind="inexact")
        return bind1(prim, x)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"jnp.{name}: elementwise; integer and boolean inputs are computed in the default float type."
    return f


sqrt = _unary_inexact("sqrt", "sqrt")
exp = _unary_inexact("exp", "exp")
exp2 = _unary_inexact("exp2", "exp2")
log = _unary_inexact("log", "log")
log1p = _unary_inexact("log1p", "log1p")
expm1 = _unary_inexact("expm1", "expm1")
sin = _unary_inexact("sin", "sin")
cos = _unary_inexact("cos", "cos")
tan = _unary_inexact("tan", "tan")
tanh = _unary_inexact("tanh", "tanh")
sinh = _unary_inexact("sinh", "sinh")
cosh = _unary_inexact("cosh", "cosh")
arcsin = _unary_inexact("arcsin", "asin")
arccos = _unary_inexact("arccos", "acos")
arctan = _unary_inexact("arctan", "atan")
arcsinh = _unary_inexact("arcsinh", "asinh")
arccosh = _unary_inexact("arccosh", "acosh")
arctanh = _unary_inexact("arctanh", "atanh")


def _log_base(name, base):
    def f(x, /):
        x, = promote_args(name, x, kind="inexact")
        return bind1("div", bind1("log", x), bind1("log", _strong(_const_like(x, base))))   # strong, as JAX
    f.__name__ = f.__qualname__ = name
    return f


log2 = _log_base("log2", 2)


def log10(x, /):
    """log(x) * (1 / log 10), as JAX computes it (the constant rounded to x's precision), not log(x) / log(10)."""
    x, = promote_args("log10", x, kind="inexact")
    # JAX's constant is a NumPy array, strongly typed: so is the result
    return _strong(bind1("mul", bind1("log", x), _const_like(x, 0.4342944819032518)))


def negative(x, /):
    x, = promote_args("negative", x)
    if T.is_bool(_dtype(x)):
        raise TypeError(f"negative: the boolean negative (the unary `-` operator) is not supported for "
                        f"{describe(x)}; use logical_not or `~` instead")
    return bind1("neg", x)


def positive(x, /):
    x, = promote_args("positive", x)
    return x


def absolute(x, /):
    x, = promote_args("absolute", x)
    d = _dtype(x)
    if T.is_bool(d) or (T.is_int(d) and not T.is_signed(d)):
        return x
    return bind1("abs", x)


abs = absolute


def sign(x, /):
    x, = promote_args("sign", x)
    d = _dtype(x)
    if T.is_bool(d):
        raise TypeError(f"sign: expected a numeric argument, got {describe(x)}")
    if T.is_int(d) and not T.is_signed(d):
        return convert(bind1("ne", x, _const_like(x, 0)), d, type_of(x).weak)
    return bind1("sign", x)


def _round_like(name, prim):
    def f(x, /):
        x, = promote_args(name, x)
        d = _dtype(x)
        if T.is_int(d) or T.is_bool(d):   # as jnp: integers are their own floor and ceiling
            return x
        _no_complex(name, x)
        return bind1(prim, x)
    f.__name__ = f.__qualname__ = name
    return f


floor = _round_like("floor", "floor")
ceil = _round_like("ceil", "ceil")


def round(a, decimals=0, out=None):
    """Round half to even to `decimals` places, as np.round."""
    if out is not None:
        raise ValueError("round: the out argument is not supported (Lintra arrays are immutable)")
    a, = promote_args("round", a)
    d = _dtype(a)
    decimals = operator.index(decimals)
    if T.is_bool(d):
        raise ValueError(f"data type <class 'numpy.bool'> not inexact: round of {describe(a)}")
    if T.is_int(d) and decimals >= 0:
        return a
    if T.is_int(d):
        factor = 10 ** -decimals
        q, r = floor_divide(a, factor), remainder(a, factor)
        # round the quotient half to even, exactly in integers
        twice = multiply(r, 2)
        up = bind1("or", greater(twice, factor),
                   bind1("and", equal(twice, factor), not_equal(remainder(q, 2), 0)))
        return multiply(add(q, convert(up, d)), factor)
    _no_complex("round", a)
    if decimals == 0:
        return bind1("round", a, rounding_method=1)
    comp = np.dtype(np.float32) if d in (np.float16, _dtypes.bfloat16) else d
    x = convert(a, comp, type_of(a).weak)
    factor = _const_like(x, 10.0 ** decimals)
    return convert(bind1("div", bind1("round", bind1("mul", x, factor), rounding_method=1), factor), d,
                   type_of(a).weak)


around = round


def square(x, /):
    x, = promote_args("square", x, kind="numeric")
    return bind1("integer_pow", x, y=2)


def reciprocal(x, /):
    x, = promote_args("reciprocal", x, kind="inexact")
    return bind1("integer_pow", x, y=-1)


def isnan(x, /):
    x, = promote_args("isnan", x)
    d = _dtype(x)
    if T.is_complex(d):
        return bind1("or", isnan(real(x)), isnan(imag(x)))
    if not T.is_float(d):     # weak for a Python int, as JAX's full_like(x, False)
        return broadcast_to(constant(np.array(False), weak=type_of(x).weak), type_of(x).shape)
    return bind1("ne", x, x)


def isinf(x, /):
    x, = promote_args("isinf", x)
    d = _dtype(x)
    if T.is_complex(d):
        return bind1("or", isinf(real(x)), isinf(imag(x)))
    if not T.is_float(d):
        return broadcast_to(constant(np.array(False)), type_of(x).shape)
    return bind1("eq", bind1("abs", x), _strong(_const_like(x, np.inf)))


def isfinite(x, /):
    x, = promote_args("isfinite", x)
    d = _dtype(x)
    if T.is_complex(d):
        return bind1("and", isfinite(real(x)), isfinite(imag(x)))
    if not T.is_float(d):
        return broadcast_to(constant(np.array(True)), type_of(x).shape)
    return bind1("is_finite", x)


def real(x, /):
    x, = promote_args("real", x)
    return bind1("real", x) if T.is_complex(_dtype(x)) else x


def imag(x, /):
    x, = promote_args("imag", x)
    return bind1("imag", x) if T.is_complex(_dtype(x)) else _const_like(x, 0)


def conjugate(x, /):
    x, = promote_args("conjugate", x)
    return bind1("conj", x) if T.is_complex(_dtype(x)) else x


conj = conjugate


# ---- logical and bitwise -------------------------------------------------------------------------

def _as_bool(x):
    x = asvalue(x)
    return x if T.is_bool(_dtype(x)) else bind1("ne", x, _const_like(x, 0))


def _logical(name, prim):
    def f(x1, x2, /):
        check_arraylike(name, x1, x2)
        shape = broadcast_shapes(name, x1, x2)
        return bind1(prim, *(broadcast_to(_as_bool(x), shape) for x in (x1, x2)))
    f.__name__ = f.__qualname__ = name
    return f


logical_and = _logical("logical_and", "and")
logical_or = _logical("logical_or", "or")
logical_xor = _logical("logical_xor", "xor")


def logical_not(x, /):
    check_arraylike("logical_not", x)
    return bind1("not", _as_bool(x))


def bitwise_not(x, /):
    """~x: bitwise for integers, logical for booleans."""
    x, = promote_args("bitwise_not", x)
    _require("bitwise_not", (x,), _intbool, "integer or boolean")
    return bind1("not", x)


invert = bitwise_invert = bitwise_not


# ---- selection and comparison ----------------------------------------------------------------------

def clip(arr, min=None, max=None, *, a_min=None, a_max=None):
    """Limit arr to [min, max] (either may be None)."""
    min = a_min if min is None else min
    max = a_max if max is None else max
    check_arraylike("clip", arr)
    if any(v is not None and T.is_complex(type_of(v).dtype) for v in (arr, min, max)):
        raise ValueError("Clip received a complex value either through the input or the min/max keywords. "
                         "Complex values have no ordering and cannot be clipped. Please convert to a real value "
                         "or array by taking the real or imaginary components via lintra.numpy.real/imag "
                         "respectively.")
    if min is not None:
        arr = maximum(min, arr)
    if max is not None:
        arr = minimum(max, arr)
    return asvalue(arr)


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|a - b| <= atol + rtol * |b|, elementwise, with infinities equal to themselves."""
    a, b = promote_args("isclose", a, b, kind="inexact")
    abs_b = absolute(b)   # real even for complex b
    tol = bind1("add", _const_like(abs_b, atol), bind1("mul", _const_like(abs_b, rtol), abs_b))
    out = bind1("le", absolute(subtract(a, b)), tol)
    a_inf, b_inf = isinf(a), isinf(b)
    out = bind1("and", out, bind1("not", bind1("or", a_inf, b_inf)))
    out = bind1("or", out, bind1("and", bind1("and", a_inf, b_inf), bind1("eq", a, b)))
    a_nan, b_nan = isnan(a), isnan(b)
    out = bind1("and", out, bind1("not", bind1("or", a_nan, b_nan)))
    if equal_nan:
        out = bind1("or", out, bind1("and", a_nan, b_nan))
    return _strong(out)


def _all(x):
    t = type_of(x)
    return _strong(bind1("reduce_and", x, axes=tuple(range(t.ndim))))


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return _all(isclose(a, b, rtol, atol, equal_nan))


@wordwise(values=(0, 1), combine=operator.and_)
def array_equal(a1, a2, equal_nan=False):
    """True when a1 and a2 have the same shape and elements (a 0-d boolean array)."""
    check_arraylike("array_equal", a1, a2)
    if type_of(a1).shape != type_of(a2).shape:
        return constant(np.array(False))
    eq = equal(a1, a2)
    if equal_nan:
        eq = bind1("or", eq, bind1("and", isnan(a1), isnan(a2)))
    return _all(eq)


def array_equiv(a1, a2):
    check_arraylike("array_equiv", a1, a2)
    try:
        broadcast_shapes("array_equiv", a1, a2)
    except ValueError:
        return constant(np.array(False))
    return _all(equal(a1, a2))


# Called eagerly, each of these runs as one compiled function per argument signature, replayed by C++ (so
# promotion and broadcasting run once per signature, as in JAX); inside a trace its ops join the trace.
_ELEMENTWISE = """add multiply true_divide divide maximum minimum arctan2 equal not_equal less less_equal greater
greater_equal bitwise_and bitwise_or bitwise_xor subtract left_shift right_shift bitwise_left_shift
bitwise_right_shift floor_divide remainder mod sqrt exp exp2 log log1p expm1 sin cos tan tanh sinh cosh arcsin
arccos arctan arcsinh arccosh arctanh log2 log10 negative positive absolute abs sign floor ceil square reciprocal
isnan isinf isfinite real imag conjugate conj logical_and logical_or logical_xor logical_not bitwise_not invert
bitwise_invert""".split()
_compiled = {}
for _name in _ELEMENTWISE:
    _f = globals()[_name]
    globals()[_name] = _compiled.get(_f) or _compiled.setdefault(_f, jit(_f, inline=True))
