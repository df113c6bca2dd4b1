"""Lintra: a compiler stack for differentiable array programs (JAX's API, IR passes, StableHLO, PJRT)."""
import sys as _sys

from .frontend import lax, numpy, tree
from .frontend.api import jit, make_ir
from .frontend.config import config
from .frontend.core import ConcretizationError, UnexpectedTracerError
from .runtime.array import Array

# Submodules that live under frontend/ are importable as lintra.numpy, lintra.lax, ...
for _name in ("numpy", "lax", "tree"):
    _sys.modules[f"{__name__}.{_name}"] = globals()[_name]

__version__ = "0.1.0"
