"""Dtypes in jax.numpy: scalar types that make arrays (jnp.float32(1)), promotion queries, finfo/iinfo."""
import ml_dtypes
import numpy as np

from ...ir import types as T
from .. import dtypes as _dtypes
from ..core import is_value, type_of
from .creation import asarray

dtype = np.dtype
generic, number, inexact, floating, complexfloating = np.generic, np.number, np.inexact, np.floating, \
    np.complexfloating
integer, signedinteger, unsignedinteger = np.integer, np.signedinteger, np.unsignedinteger


class _ScalarMeta(type):
    """jnp.float32 and friends: usable as a dtype (np.dtype(jnp.float32)), and calling one makes an array."""

    def __hash__(cls):
        return hash(cls.dtype.type)

    def __eq__(cls, other):
        return cls is other or cls.dtype.type == other

    def __ne__(cls, other):
        return not cls == other

    def __call__(cls, x):
        return asarray(x, dtype=cls.dtype)

    def __instancecheck__(cls, instance):
        return isinstance(instance, cls.dtype.type)

    def __repr__(cls):
        return f"<class 'lintra.numpy.{cls.__name__}'>"


def _scalar_type(name, np_dtype):
    return _ScalarMeta(name, (object,), {"dtype": np.dtype(np_dtype), "__module__": "lintra.numpy"})


bool_ = _scalar_type("bool_", np.bool_)
int8, int16, int32, int64 = (_scalar_type(n, n) for n in ("int8", "int16", "int32", "int64"))
uint8, uint16, uint32, uint64 = (_scalar_type(n, n) for n in ("uint8", "uint16", "uint32", "uint64"))
float16, float32, float64 = (_scalar_type(n, n) for n in ("float16", "float32", "float64"))
bfloat16 = _scalar_type("bfloat16", ml_dtypes.bfloat16)
# the 8-, 6- and 4-bit floats and 1-, 2- and 4-bit integers JAX exposes: never promoted implicitly
float8_e3m4, float8_e4m3, float8_e4m3b11fnuz, float8_e4m3fn, float8_e4m3fnuz, float8_e5m2, float8_e5m2fnuz, \
    float8_e8m0fnu, float6_e2m3fn, float6_e3m2fn, float4_e2m1fn = (_scalar_type(n, getattr(ml_dtypes, n)) for n in (
        "float8_e3m4", "float8_e4m3", "float8_e4m3b11fnuz", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2",
        "float8_e5m2fnuz", "float8_e8m0fnu", "float6_e2m3fn", "float6_e3m2fn", "float4_e2m1fn"))
int1, int2, int4, uint1, uint2, uint4 = (_scalar_type(n, getattr(ml_dtypes, n)) for n in (
    "int1", "int2", "int4", "uint1", "uint2", "uint4"))
complex64, complex128 = _scalar_type("complex64", np.complex64), _scalar_type("complex128", np.complex128)
# as in JAX, the unsized names are the 64-bit types (narrowed to 32 bits where x64 is off)
int_, uint, float_, complex_ = int64, uint64, float64, complex128

_PY_TYPES = {int: "i*", float: "f*", complex: "c*"}


def _as_dtype(x) -> np.dtype:
    if is_value(x) or isinstance(x, np.ndarray):
        return np.dtype(x.dtype)
    return T.user_dtype(x)


def promote_types(a, b) -> np.dtype:
    """The dtype values of dtypes a and b promote to (JAX's lattice; Python int/float/complex are weak).
    Unlike result_type, this does not narrow 64-bit types when x64 is off, as in JAX."""
    def node(d):
        return next((n for t, n in _PY_TYPES.items() if d is t), None) or _as_dtype(d)
    out = _dtypes._join(node(a), node(b))
    return {"i*": np.dtype(np.int64), "f*": np.dtype(np.float64), "c*": np.dtype(np.complex128)}.get(out, out) \
        if isinstance(out, str) else out


def _typed(x):
    if x is bool:
        return np.dtype(np.bool_), False
    if x is int or x is float or x is complex:
        return {int: _dtypes.default_int, float: _dtypes.default_float, complex: _dtypes.default_complex}[x](), True
    if isinstance(x, (np.dtype, type, str, _ScalarMeta)) and not isinstance(x, np.generic):
        return _as_dtype(x), False
    t = type_of(x)
    return t.dtype, t.weak


def result_type(*args, return_weak_type_flag=False):
    """The dtype an operation on these arrays, scalars or dtypes gives (canonicalised, as jnp.result_type)."""
    if not args:
        raise ValueError("at least one array or dtype is required")
    d, weak = _dtypes.promote(*[_typed(a) for a in args])
    return (d, weak) if return_weak_type_flag else d


def issubdtype(arg1, arg2) -> bool:
    """np.issubdtype that knows where bfloat16 and ml_dtypes' narrow floats and integers sit among NumPy's types."""
    a = arg1.dtype if isinstance(arg1, _ScalarMeta) else arg1
    b = arg2.dtype if isinstance(arg2, _ScalarMeta) else arg2
    if isinstance(a, _dtypes.KeyTy) or isinstance(b, _dtypes.KeyTy) or b in (_dtypes.extended, _dtypes.prng_key):
        # key dtypes sit under extended, apart from NumPy's hierarchy (np.issubdtype knows neither)
        a = a.type if isinstance(a, _dtypes.KeyTy) else a
        b = b.type if isinstance(b, _dtypes.KeyTy) else b
        return isinstance(a, type) and isinstance(b, type) and issubclass(a, b) and issubclass(b, np.generic)
    for ml, parents in _ML_PARENTS.items():    # NumPy files ml_dtypes' types under np.void
        if _is_dtype(a, ml):
            return _is_dtype(b, ml) or b in parents
    if any(_is_dtype(b, ml) for ml in _ML_PARENTS):
        return False
    return bool(np.issubdtype(a, b))


_FLOATING = (np.floating, np.inexact, np.number, np.generic)
_ML_PARENTS = {**{d: _FLOATING for d in (np.dtype(ml_dtypes.bfloat16), *T.SMALL_FLOAT_NAMES)},
               **{d: (np.signedinteger if T.is_signed(d) else np.unsignedinteger, np.integer, np.number, np.generic)
                  for d in T.SMALL_INT_NAMES}}


def _is_dtype(x, d):
    if x is d.type:
        return True
    try:
        return isinstance(x, (np.dtype, str)) and T.user_dtype(x) == d
    except TypeError:
        return False


def can_cast(from_, to, casting="safe") -> bool:
    return bool(np.can_cast(_as_dtype(from_), _as_dtype(to), casting))


def finfo(dt):
    """Machine limits of a floating type (ml_dtypes.finfo, which also knows bfloat16)."""
    return ml_dtypes.finfo(_as_dtype(dt))


def iinfo(dt):
    return ml_dtypes.iinfo(_as_dtype(dt))
