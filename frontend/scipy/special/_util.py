"""What several special-function families share: Horner's rule, and running a scalar function (one with
per-element loops, as JAX writes them under jnp.vectorize) over broadcast arrays with vmap."""
from ... import numpy as jnp
from ...batching import vmap
from ...core import type_of


def polyval(coefficients, x):
    """Horner's rule, highest degree first (numpy.polyval)."""
    out = jnp.zeros_like(x)
    for c in coefficients:
        out = out * x + c
    return out


def elementwise(scalar_fun):
    """scalar_fun(*scalars) applied to each element of its broadcast array arguments."""
    def f(*xs):
        xs = jnp.broadcast_arrays(*xs)
        shape = type_of(xs[0]).shape
        if not shape:
            return scalar_fun(*xs)
        return jnp.reshape(vmap(scalar_fun)(*[jnp.ravel(x) for x in xs]), shape)
    f.__name__ = f.__qualname__ = scalar_fun.__name__
    return f
