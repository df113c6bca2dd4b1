"""Tensor types: a static shape, a dtype, and JAX's weak-type flag."""
import json
from typing import NamedTuple

import ml_dtypes
import numpy as np

# float0 is the dtype of tangents of integer values (as in JAX): zero bytes per element.
float0 = np.dtype([("float0", np.void, 0)])

DTYPE_NAMES = {
    np.dtype(np.bool_): "bool",
    np.dtype(np.int8): "i8", np.dtype(np.int16): "i16", np.dtype(np.int32): "i32", np.dtype(np.int64): "i64",
    np.dtype(np.uint8): "u8", np.dtype(np.uint16): "u16", np.dtype(np.uint32): "u32", np.dtype(np.uint64): "u64",
    np.dtype(np.float16): "f16", np.dtype(ml_dtypes.bfloat16): "bf16",
    np.dtype(np.float32): "f32", np.dtype(np.float64): "f64",
    np.dtype(np.complex64): "c64", np.dtype(np.complex128): "c128",
    float0: "float0",
}
# The narrow floats JAX exposes (ml_dtypes' types): stored, converted and computed in as XLA does, never
# promoted implicitly to or from another type.
SMALL_FLOAT_NAMES = {
    np.dtype(ml_dtypes.float8_e3m4): "f8e3m4", np.dtype(ml_dtypes.float8_e4m3): "f8e4m3",
    np.dtype(ml_dtypes.float8_e4m3b11fnuz): "f8e4m3b11fnuz", np.dtype(ml_dtypes.float8_e4m3fn): "f8e4m3fn",
    np.dtype(ml_dtypes.float8_e4m3fnuz): "f8e4m3fnuz", np.dtype(ml_dtypes.float8_e5m2): "f8e5m2",
    np.dtype(ml_dtypes.float8_e5m2fnuz): "f8e5m2fnuz", np.dtype(ml_dtypes.float8_e8m0fnu): "f8e8m0fnu",
    np.dtype(ml_dtypes.float6_e2m3fn): "f6e2m3fn", np.dtype(ml_dtypes.float6_e3m2fn): "f6e3m2fn",
    np.dtype(ml_dtypes.float4_e2m1fn): "f4e2m1fn",
}
# The 1-, 2- and 4-bit integers JAX exposes, named as JAX's jaxprs print them; never promoted implicitly either.
SMALL_INT_NAMES = {
    np.dtype(ml_dtypes.int1): "i1", np.dtype(ml_dtypes.int2): "i2", np.dtype(ml_dtypes.int4): "i4",
    np.dtype(ml_dtypes.uint1): "u1", np.dtype(ml_dtypes.uint2): "u2", np.dtype(ml_dtypes.uint4): "u4",
}
DTYPE_NAMES.update(SMALL_FLOAT_NAMES)
DTYPE_NAMES.update(SMALL_INT_NAMES)
# NumPy files all of ml_dtypes' types under np.void (kind 'V'), so dtype.kind cannot tell what they are
_ML_FLOATS = frozenset(SMALL_FLOAT_NAMES) | {np.dtype(ml_dtypes.bfloat16)}
_SIGNED_SMALL_INTS = frozenset(d for d in SMALL_INT_NAMES if ml_dtypes.iinfo(d).min < 0)
DTYPES_BY_NAME = {name: dt for dt, name in DTYPE_NAMES.items()}
_ML_NAMES = {d.name: d for d in (*_ML_FLOATS, *SMALL_INT_NAMES)}   # 'float8_e4m3fn', 'int4', ...


def dtype(x) -> np.dtype:
    """The numpy dtype for a dtype-like (numpy dtype, type, or a name like 'f32' or 'float32')."""
    if isinstance(x, str) and x in DTYPES_BY_NAME:
        return DTYPES_BY_NAME[x]
    if isinstance(x, str) and x in _ML_NAMES:
        return np.dtype(getattr(ml_dtypes, x))
    d = np.dtype(x)
    if d not in DTYPE_NAMES:
        raise TypeError(f"dtype {x!r} is not supported by Lintra; supported: {', '.join(DTYPE_NAMES.values())}")
    return d


def user_dtype(x) -> np.dtype:
    """dtype(x) for a user's dtype argument, read as JAX reads it: a string as NumPy reads it ('i4' is int32 and
    'i8' int64, where the IR's 'i4' is int4 and 'i8' int8); the IR's names only where NumPy knows no dtype Lintra
    supports by that name ('f32', 'bf16', 'f16')."""
    if isinstance(x, str):
        try:
            d = np.dtype(x)
        except (TypeError, ValueError):
            pass
        else:
            if d in DTYPE_NAMES:
                return d
    return dtype(x)


def dtype_name(d) -> str:
    return DTYPE_NAMES[np.dtype(d)]


def is_float(d) -> bool:
    return np.dtype(d).kind == "f" or np.dtype(d) in _ML_FLOATS


def is_small_float(d) -> bool:
    """The 8-, 6- and 4-bit floats, which JAX never promotes implicitly."""
    return np.dtype(d) in SMALL_FLOAT_NAMES


def is_small_int(d) -> bool:
    """The 1-, 2- and 4-bit integers, which JAX never promotes implicitly."""
    return np.dtype(d) in SMALL_INT_NAMES


def is_complex(d) -> bool:
    return np.dtype(d).kind == "c"


def is_inexact(d) -> bool:
    return is_float(d) or is_complex(d)


def is_int(d) -> bool:
    return np.dtype(d).kind in "iu" or np.dtype(d) in SMALL_INT_NAMES


def is_signed(d) -> bool:
    return np.dtype(d).kind == "i" or np.dtype(d) in _SIGNED_SMALL_INTS


def iinfo(d):
    """np.iinfo, which also knows the sub-byte integers."""
    return ml_dtypes.iinfo(d)


def finfo(d):
    """np.finfo, which also knows bfloat16 and the 8-, 6- and 4-bit floats."""
    return ml_dtypes.finfo(d)


def is_bool(d) -> bool:
    return np.dtype(d) == np.bool_


def real_dtype(d) -> np.dtype:
    """complex64 -> float32, complex128 -> float64; real dtypes map to themselves."""
    d = np.dtype(d)
    return {np.dtype(np.complex64): np.dtype(np.float32), np.dtype(np.complex128): np.dtype(np.float64)}.get(d, d)


def complex_dtype(d) -> np.dtype:
    return np.dtype(np.complex128) if np.dtype(d) in (np.float64, np.complex128) else np.dtype(np.complex64)


class TensorType(NamedTuple):
    """The static type of an IR value. `weak` marks values that came from Python scalars. `sharding` is the
    value's layout over a mesh's Explicit axes (JAX's sharding-in-types): per dimension, the tuple of mesh
    axis names splitting it, major first; None when no dimension is split (unsharded, or left to the
    compiler), so unsharded programs have exactly the types they had before. `vma` is the set of manual
    mesh axes the value varies over inside a shard_map with check_vma (JAX's varying manual axes); outside
    one it is empty."""
    shape: tuple
    dtype: np.dtype
    weak: bool = False
    sharding: tuple = None
    vma: frozenset = frozenset()

    @staticmethod
    def of(shape, dt, weak=False, sharding=None, vma=frozenset()) -> "TensorType":
        shape = tuple(int(d) for d in shape)
        return TensorType(shape, dtype(dt), bool(weak), type_sharding(sharding, len(shape)), frozenset(vma))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def update(self, shape=None, dtype=None, weak=None, sharding=None, vma=None) -> "TensorType":
        """A copy with the given fields changed. A new shape drops the sharding (it described the old
        dimensions) unless `sharding` is given too."""
        shape = self.shape if shape is None else tuple(shape)
        if sharding is None:
            sharding = self.sharding if shape == self.shape else None
        return TensorType(shape, self.dtype if dtype is None else np.dtype(dtype),
                          self.weak if weak is None else weak, type_sharding(sharding, len(shape)),
                          self.vma if vma is None else frozenset(vma))

    def strong(self) -> "TensorType":
        return self._replace(weak=False) if self.weak else self

    def unsharded(self) -> "TensorType":
        return self._replace(sharding=None) if self.sharding is not None else self

    def __str__(self):
        dims = map(str, self.shape) if self.sharding is None else \
            (f"{n}{_axes_text(a)}" for n, a in zip(self.shape, self.sharding))
        return f"{'~' if self.weak else ''}{DTYPE_NAMES[self.dtype]}[{','.join(dims)}]" + vma_text(sorted(self.vma))

    def __repr__(self):
        return f"TensorType({self})"


def _axes_text(axes):
    """A dimension's sharding as JAX writes it in types: '' (not split), '@x', '@(x,y)'."""
    if not axes:
        return ""
    return f"@{axes[0]}" if len(axes) == 1 else f"@({','.join(axes)})"


class TypeSharding(tuple):
    """A type's sharding: per dimension, the tuple of mesh axis names splitting it (a plain tuple otherwise).
    `.spec` reads it as JAX's PartitionSpec entries (None, 'x' or ('x', 'y')), so that
    `typeof(x).sharding.spec == P('data', None)` holds as in JAX."""
    __slots__ = ()

    @property
    def spec(self):
        return tuple(None if not a else a[0] if len(a) == 1 else a for a in self)


def type_sharding(sharding, ndim):
    """The canonical form of a type's sharding for a rank-`ndim` value: a tuple of `ndim` tuples of axis names
    (one per dimension; an entry may also be None, a name or a tuple of names, as in a PartitionSpec, and
    missing trailing entries are unsplit), or None when no dimension is split."""
    if sharding is None:
        return None
    entries = tuple(sharding)
    if len(entries) > ndim:
        raise TypeError(f"sharding {sharding!r} has {len(entries)} entries, more than the rank {ndim} of the value")
    out = []
    for e in entries + (None,) * (ndim - len(entries)):
        axes = () if e is None else (e,) if isinstance(e, str) else tuple(e)
        if not all(isinstance(a, str) for a in axes):
            raise TypeError(f"sharding {sharding!r}: each entry must be None, a mesh axis name or a tuple of names")
        out.append(axes)
    named = [a for axes in out for a in axes]
    if len(set(named)) != len(named):
        raise TypeError(f"sharding {sharding!r} names a mesh axis more than once")
    return TypeSharding(out) if named else None
def vma_text(axes) -> str:
    """JAX's suffix for varying manual axes, in the order given: '', '{V:i}' or '{V:(i,j)}'."""
    if not axes:
        return ""
    names = [a if isinstance(a, str) and a.isidentifier() else json.dumps(str(a)) for a in axes]
    return "{V:" + (names[0] if len(names) == 1 else f"({','.join(names)})") + "}"


MAX_BYTES = 2 ** 63 - 1   # XLA counts elements and bytes in int64; beyond it, it aborts the process


def check_size(t: TensorType, what: str) -> TensorType:
    """t; a TypeError for a negative size, a ValueError when no device could hold a value of type t (its
    byte size overflows int64)."""
    n = 1
    for d in t.shape:
        if d < 0:
            raise TypeError(f"{what} shape must have every element be nonnegative, got {t.shape}.")
        n *= d
    if n * max(t.dtype.itemsize, 1) > MAX_BYTES:
        raise ValueError(f"{what}: an array of shape {t.shape} and dtype {t.dtype.name} would have {n} elements "
                         f"({n * t.dtype.itemsize} bytes), more than any device can hold (at most 2**63 - 1 "
                         f"bytes)")
    return t
