"""Tensor types: a static shape, a dtype, and JAX's weak-type flag."""
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
DTYPES_BY_NAME = {name: dt for dt, name in DTYPE_NAMES.items()}


def dtype(x) -> np.dtype:
    """The numpy dtype for a dtype-like (numpy dtype, type, or a name like 'f32' or 'float32')."""
    if isinstance(x, str) and x in DTYPES_BY_NAME:
        return DTYPES_BY_NAME[x]
    if isinstance(x, str) and x == "bfloat16":
        return np.dtype(ml_dtypes.bfloat16)
    d = np.dtype(x)
    if d not in DTYPE_NAMES:
        raise TypeError(f"dtype {x!r} is not supported by Lintra; supported: {', '.join(DTYPE_NAMES.values())}")
    return d


def dtype_name(d) -> str:
    return DTYPE_NAMES[np.dtype(d)]


def is_float(d) -> bool:
    return np.dtype(d).kind == "f" or np.dtype(d) == np.dtype(ml_dtypes.bfloat16)


def is_complex(d) -> bool:
    return np.dtype(d).kind == "c"


def is_inexact(d) -> bool:
    return is_float(d) or is_complex(d)


def is_int(d) -> bool:
    return np.dtype(d).kind in "iu"


def is_signed(d) -> bool:
    return np.dtype(d).kind == "i"


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
    compiler), so unsharded programs have exactly the types they had before."""
    shape: tuple
    dtype: np.dtype
    weak: bool = False
    sharding: tuple = None

    @staticmethod
    def of(shape, dt, weak=False, sharding=None) -> "TensorType":
        shape = tuple(int(d) for d in shape)
        return TensorType(shape, dtype(dt), bool(weak), type_sharding(sharding, len(shape)))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def update(self, shape=None, dtype=None, weak=None, sharding=None) -> "TensorType":
        """A copy with the given fields changed. A new shape drops the sharding (it described the old
        dimensions) unless `sharding` is given too."""
        shape = self.shape if shape is None else tuple(shape)
        if sharding is None:
            sharding = self.sharding if shape == self.shape else None
        return TensorType(shape, self.dtype if dtype is None else np.dtype(dtype),
                          self.weak if weak is None else weak, type_sharding(sharding, len(shape)))

    def strong(self) -> "TensorType":
        return self._replace(weak=False) if self.weak else self

    def unsharded(self) -> "TensorType":
        return self._replace(sharding=None) if self.sharding is not None else self

    def __str__(self):
        dims = map(str, self.shape) if self.sharding is None else \
            (f"{n}{_axes_text(a)}" for n, a in zip(self.shape, self.sharding))
        return f"{'~' if self.weak else ''}{DTYPE_NAMES[self.dtype]}[{','.join(dims)}]"

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
