"""Dtypes as JAX sees them: canonicalisation without x64, weak types, and the promotion lattice."""
import functools

import ml_dtypes
import numpy as np

from ..ir import types as T
from .config import config

bfloat16 = np.dtype(ml_dtypes.bfloat16)
float0 = T.float0
_NARROW = {np.dtype(np.float64): np.dtype(np.float32), np.dtype(np.int64): np.dtype(np.int32),
           np.dtype(np.uint64): np.dtype(np.uint32), np.dtype(np.complex128): np.dtype(np.complex64)}


class extended(np.generic):
    """Scalar class of extended dtypes (as jax.dtypes.extended): dtypes that are not NumPy's."""


class prng_key(extended):
    """Scalar class of PRNG key dtypes (jax.dtypes.prng_key): issubdtype(keys.dtype, prng_key) is True."""


class KeyTy:
    """The dtype of typed key arrays, `key<fry>` for Threefry-2x32 (JAX's KeyTy). Not a NumPy dtype: a key's
    storage is its two uint32 words, which only lintra.random looks at."""
    type = prng_key
    name = "key<fry>"
    itemsize = 8
    _impl = "threefry2x32"

    def __repr__(self):
        return self.name

    __str__ = __repr__

    def __eq__(self, other):
        return isinstance(other, KeyTy)

    def __hash__(self):
        return hash(KeyTy)


key_fry = KeyTy()


def canonicalize_dtype(d) -> np.dtype:
    """The dtype Lintra uses for `d`: 64-bit types narrow to 32 bits unless x64 is enabled."""
    d = T.user_dtype(d)
    return d if config.enable_x64 else _NARROW.get(d, d)


def default_int():
    return np.dtype(np.int64 if config.enable_x64 else np.int32)


def default_float():
    return np.dtype(np.float64 if config.enable_x64 else np.float32)


def default_complex():
    return np.dtype(np.complex128 if config.enable_x64 else np.complex64)


def python_scalar_dtype(x) -> np.dtype:
    if isinstance(x, (bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(x, int):
        return default_int()
    if isinstance(x, float):
        return default_float()
    if isinstance(x, complex):
        return default_complex()
    raise TypeError(f"{x!r} of type {type(x).__name__} is not a Python scalar")


# JAX's type promotion lattice: an edge a -> b means a promotes to b. 'i*', 'f*', 'c*' are the
# weak (Python scalar) kinds, which sit below every strong type of their kind.
_b1, _u8, _u16, _u32, _u64 = (np.dtype(t) for t in ("bool", "uint8", "uint16", "uint32", "uint64"))
_i8, _i16, _i32, _i64 = (np.dtype(t) for t in ("int8", "int16", "int32", "int64"))
_f16, _f32, _f64, _c64, _c128 = (np.dtype(t) for t in ("float16", "float32", "float64", "complex64", "complex128"))
_SMALL_FLOATS, _SMALL_INTS = tuple(T.SMALL_FLOAT_NAMES), tuple(T.SMALL_INT_NAMES)
_LATTICE = {
    _b1: ["i*"],
    # the 1-, 2- and 4-bit integers sit above the weak int kind only: nothing promotes to or from them
    "i*": [_u8, _i8, *_SMALL_INTS], **{d: [] for d in _SMALL_INTS},
    _u8: [_i16, _u16], _u16: [_i32, _u32], _u32: [_i64, _u64], _u64: ["f*"],
    _i8: [_i16], _i16: [_i32], _i32: [_i64], _i64: ["f*"],
    # so do the 8-, 6- and 4-bit floats above the weak float kind
    "f*": [*_SMALL_FLOATS, bfloat16, _f16, "c*"], **{d: [] for d in _SMALL_FLOATS},
    bfloat16: [_f32], _f16: [_f32], _f32: [_f64, _c64], _f64: [_c128],
    "c*": [_c64], _c64: [_c128], _c128: [],
}


@functools.cache
def _upper_bounds(node):
    out = {node}
    for n in _LATTICE[node]:
        out |= _upper_bounds(n)
    return frozenset(out)


def _node(d, weak):
    d = np.dtype(d)
    if weak:
        return "c*" if T.is_complex(d) else "f*" if T.is_float(d) else "i*" if T.is_int(d) else d
    return d


class TypePromotionError(ValueError):
    """Two dtypes with no implicit promotion between them (as jax.dtypes.TypePromotionError)."""


@functools.cache
def _join(a, b):
    common = _upper_bounds(a) & _upper_bounds(b)
    if not common:
        raise TypePromotionError(_no_promotion_message(a, b))
    # the least upper bound: the common bound that all other common bounds lie above
    (lub,) = [n for n in common if common <= _upper_bounds(n)]
    return lub


_WEAK_NAMES = {"i*": str(int), "f*": str(float), "c*": str(complex)}   # as JAX names its weak nodes


def _no_promotion_message(*nodes):
    """JAX's message for dtypes with no common upper bound, naming the first kind of narrow type it finds."""
    bits = {ml_dtypes.finfo(d).bits for d in nodes if isinstance(d, np.dtype) and T.is_small_float(d)}
    what, to = next(((f"{b}-bit floats", "float32") for b in (8, 6, 4) if b in bits),
                    ("1-bit, 2-bit and 4-bit integers", "int32"))
    names = tuple(_WEAK_NAMES.get(n, str(n)) for n in nodes)
    return (f"Input dtypes {names} have no available implicit dtype promotion path. To avoid unintended promotion, "
            f"{what} do not support implicit promotion. If you'd like your inputs to be promoted to another type, "
            f"you can do so explicitly using e.g. x.astype('{to}')")


def promote(*typed):
    """Result (dtype, weak) of promoting (dtype, weak) pairs as JAX does."""
    node = _node(*typed[0])
    for t in typed[1:]:
        node = _join(node, _node(*t))
    if isinstance(node, str):
        weak_default = {"i*": default_int, "f*": default_float, "c*": default_complex}[node]()
        # a weak kind joined with strong types of its own kind only stays at those types' width
        return weak_default, True
    return canonicalize_dtype(node), False


def promote_types(a, b) -> np.dtype:
    """jnp.promote_types: the dtype two (strong) dtypes promote to."""
    return promote((T.user_dtype(a), False), (T.user_dtype(b), False))[0]

