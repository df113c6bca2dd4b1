"""lintra.scipy: SciPy's API on Lintra arrays, in JAX 0.10.2's formulations (jax.scipy)."""
from . import integrate, linalg, optimize, special, stats  # noqa: F401
