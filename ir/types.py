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
    """The static type of an IR value. `weak` marks values that came from Python scalars."""
    shape: tuple
    dtype: np.dtype
    weak: bool = False

    @staticmethod
    def of(shape, dt, weak=False) -> "TensorType":
        return TensorType(tuple(int(d) for d in shape), dtype(dt), bool(weak))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def update(self, shape=None, dtype=None, weak=None) -> "TensorType":
        return TensorType(self.shape if shape is None else tuple(shape),
                          self.dtype if dtype is None else np.dtype(dtype),
                          self.weak if weak is None else weak)

    def strong(self) -> "TensorType":
        return self._replace(weak=False) if self.weak else self

    def __str__(self):
        return f"{'~' if self.weak else ''}{DTYPE_NAMES[self.dtype]}[{','.join(map(str, self.shape))}]"

    def __repr__(self):
        return f"TensorType({self})"


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
