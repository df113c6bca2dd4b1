"""lintra.lax, the public namespace: jax.lax's names gathered from the levels of frontend/ they live on.

One function per primitive (lax.py), the linear algebra and FFT primitives (lax_linalg.py, lax_fft.py)
sit below lintra.numpy; structured control flow (control.py) and the implicitly differentiated solves
(custom_solve.py) are transformations, above it. Code inside frontend/ imports those modules, never this one.
"""
from .lax import *  # noqa: F401,F403

del pvary   # noqa: F821  (JAX 0.10 removed lax.pvary; lax.pcast(x, axes, to='varying') is the public cast)


def __getattr__(name):
    if name == "pvary":
        raise AttributeError("jax.lax.pvary was deprecated in JAX v0.8.2 and removed in JAX v0.10.0; use "
                             "`jax.lax.pcast(..., to='varying')")
    raise AttributeError(f"module 'lintra.lax' has no attribute {name!r}")
from . import lax_linalg as linalg  # noqa: F401  (lintra.lax.linalg)
from .control import associative_scan, cond, fori_loop, map, scan, switch, while_loop  # noqa: F401
from .custom_solve import custom_linear_solve, custom_root  # noqa: F401
from .lax_fft import FftType, fft  # noqa: F401
from .lax_products import batch_matmul  # noqa: F401
from .sharding import with_sharding_constraint  # noqa: F401
from .lax_conv import (ConvDimensionNumbers, conv, conv_dimension_numbers, conv_general_dilated,  # noqa: F401
                       conv_general_dilated_patches, conv_general_permutations, conv_general_shape_tuple,
                       conv_shape_tuple, conv_transpose, conv_transpose_shape_tuple, conv_with_general_padding,
                       padtype_to_pads)
from .lax_window import reduce, reduce_window, reduce_window_shape_tuple  # noqa: F401
from .lax_precision import reduce_precision  # noqa: F401
from .lax_topk import approx_max_k, approx_min_k, top_k  # noqa: F401
