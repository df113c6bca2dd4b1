"""lintra.typing, as jax.typing: the annotations libraries write for array arguments and dtypes."""
from typing import Any, Protocol, Union

import numpy as np

from .basearray import Array


class SupportsDType(Protocol):
    @property
    def dtype(self) -> np.dtype: ...


ArrayLike = Union[Array, np.ndarray, np.bool_, np.number, bool, int, float, complex]
DTypeLike = Union[str, type[Any], np.dtype, SupportsDType]

__all__ = ["ArrayLike", "DTypeLike"]
