"""lintra.scipy.optimize: minimize(method='BFGS') with JAX's BFGS and Wolfe line search (jax.scipy.optimize)."""
from ._minimize import OptimizeResults, minimize  # noqa: F401
