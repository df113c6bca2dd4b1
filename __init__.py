"""Lintra: a compiler stack for differentiable array programs (JAX's API, IR passes, StableHLO, PJRT)."""
import sys as _sys

from .frontend import lax, numpy, tree
from .frontend import operators as _operators  # noqa: F401  (array operators and methods)
from .frontend.abstract import ShapeDtypeStruct
from .frontend.ad import grad, hessian, jacfwd, jacrev, jvp, linear_transpose, linearize, value_and_grad, vjp
from .frontend.api import jit, make_ir
from .frontend.batching import vmap
from .frontend.custom import custom_jvp, custom_vjp
from .frontend.config import config
from .frontend.core import ConcretizationError, UnexpectedTracerError
from .frontend.devices import (block_until_ready, default_backend, device_count, device_get, device_put,
                               devices, local_devices)
from .runtime.array import Array

# Submodules that live under frontend/ are importable as lintra.numpy, lintra.lax, ...
for _name in ("numpy", "lax", "tree"):
    _sys.modules[f"{__name__}.{_name}"] = globals()[_name]

__version__ = "0.1.0"
