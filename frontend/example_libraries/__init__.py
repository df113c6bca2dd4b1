"""lintra.example_libraries: JAX's small example libraries, `optimizers` and `stax`, written on Lintra's
public API. Like JAX's, they are examples: optax and flax-style libraries are the full-featured route."""
from . import optimizers, stax
