"""lintra.dtypes: JAX's `jax.dtypes` names (the public face of frontend/dtypes.py and jnp's dtype queries)."""
import ml_dtypes

from .dtypes import TypePromotionError, canonicalize_dtype, extended, float0, prng_key
from .numpy.dtype_api import finfo, iinfo, issubdtype, result_type

bfloat16 = ml_dtypes.bfloat16   # the scalar type, as jax.dtypes.bfloat16

__all__ = ["TypePromotionError", "bfloat16", "canonicalize_dtype", "extended", "finfo", "float0", "iinfo",
           "issubdtype", "prng_key", "result_type"]
