"""Lintra: a compiler stack for differentiable array programs (JAX's API, IR passes, StableHLO, PJRT)."""
import sys as _sys
import types as _types

if __name__ != "lintra":
    # Imported by file path under another name (pytest imports a test tree's parent package so): resolve
    # relative imports to the installed lintra, whose runtime owns process-wide jaxlib state (the jit
    # configuration, ArrayImpl's methods); a second copy would replace it.
    __package__ = "lintra"

from .frontend import lax_public as lax, numpy
from .frontend import tree_public as tree
from .frontend import random
from .frontend import dtypes_public as dtypes
from .frontend import flatten_util, tree_util
from .frontend import nn, scipy
from .frontend import scipy_signal as _scipy_signal
from .frontend import operators as _operators  # noqa: F401  (array operators and methods)
from .frontend.abstract import ShapeDtypeStruct
from .frontend.ad import (grad, hessian, jacfwd, jacobian, jacrev, jvp, linear_transpose, linearize, value_and_grad,
                          vjp)
from .frontend.ad import residual_bytes
from .frontend import ad_checkpoint
from .frontend.ad_checkpoint import checkpoint, checkpoint_policies, checkpointed_scan, remat
from .frontend.api import eval_shape, jit, make_ir, make_jaxpr
from .frontend.batching import vmap
from .frontend.named_scope import named_scope
from .frontend.custom import custom_jvp, custom_vjp
from .frontend.callbacks import io_callback as _io_callback, pure_callback
from .frontend.config import config, default_matmul_precision, disable_jit, log_compiles
from .frontend.core import ConcretizationError, UnexpectedTracerError, typeof
from .frontend.devices import (Device, block_until_ready, default_backend, device_count, device_get, device_put,
                               devices)
from .frontend import distributed
from .frontend.processes import local_device_count, local_devices, process_count, process_index
from .frontend import multihost_utils as _multihost_utils
from .frontend.basearray import Array
from .frontend import sharding, debug
from .frontend import export
from .frontend import core_public as core, errors, typing
from .frontend.sharding import P, make_mesh, reshard, set_mesh
from .frontend.shard_map import shard_map
from .frontend import shard_map as _shard_map
from .frontend.pmap import pmap
from .frontend import numpy_roots as _numpy_roots, numpy_ufunc as _numpy_ufunc, numpy_vectorize as _numpy_vectorize

# lintra.numpy's function-mapping helpers are built on vmap and scan, a layer above lintra.numpy: placed here
numpy.vectorize, numpy.apply_along_axis = _numpy_vectorize.vectorize, _numpy_vectorize.apply_along_axis
numpy.ufunc, numpy.frompyfunc = _numpy_ufunc.ufunc, _numpy_ufunc.frompyfunc
numpy.roots = _numpy_roots.roots

# Submodules that live under frontend/ are importable as lintra.numpy, lintra.lax, ...
for _name in ("numpy", "lax", "tree", "tree_util", "flatten_util", "random", "ad_checkpoint", "sharding",
              "debug", "dtypes", "export", "core", "errors", "typing"):
    _sys.modules[f"{__name__}.{_name}"] = globals()[_name]
_sys.modules[f"{__name__}.numpy.linalg"] = numpy.linalg
_sys.modules[f"{__name__}.lax.linalg"] = lax.linalg
_sys.modules[f"{__name__}.numpy.fft"] = numpy.fft
_sys.modules[f"{__name__}.nn"] = nn
_sys.modules[f"{__name__}.nn.initializers"] = nn.initializers
# lintra.scipy (frontend/scipy/) and its submodules
scipy.signal = _scipy_signal
_sys.modules[f"{__name__}.scipy"] = scipy
for _name in ("integrate", "linalg", "optimize", "signal", "special", "stats"):
    _sys.modules[f"{__name__}.scipy.{_name}"] = getattr(scipy, _name)
for _name in scipy.stats.DISTRIBUTIONS:
    _sys.modules[f"{__name__}.scipy.stats.{_name}"] = getattr(scipy.stats, _name)
# lintra.experimental holds lintra.experimental.multihost_utils
experimental = _types.ModuleType(f"{__name__}.experimental", "Lintra's analogue of jax.experimental.")
experimental.__path__ = []      # a package, so that importing a submodule it lacks asks the import hooks
experimental.multihost_utils = _multihost_utils
experimental.io_callback = _io_callback
_sys.modules[f"{__name__}.experimental"] = experimental
_sys.modules[f"{__name__}.experimental.multihost_utils"] = _multihost_utils
# lintra.experimental.shard_map.shard_map: JAX 0.10.2 still has it (deprecated), with check_rep and auto
experimental.shard_map = _types.ModuleType(f"{__name__}.experimental.shard_map", "jax.experimental.shard_map")
experimental.shard_map.shard_map = _shard_map.experimental_shard_map
_sys.modules[f"{__name__}.experimental.shard_map"] = experimental.shard_map
from .frontend import checkify as _checkify
experimental.checkify = _sys.modules[f"{__name__}.experimental.checkify"] = _checkify
_sys.modules[f"{__name__}.distributed"] = distributed
from .frontend import example_libraries
_sys.modules[f"{__name__}.example_libraries"] = example_libraries
for _name in ("optimizers", "stax"):
    _sys.modules[f"{__name__}.example_libraries.{_name}"] = getattr(example_libraries, _name)
from .frontend import compat
_sys.modules[f"{__name__}.compat"] = compat

__version__ = "0.1.0"
# the JAX release whose API Lintra follows: libraries compare jax.__version_info__ with JAX versions
__version_info__ = (0, 10, 2)
