"""lintra.scipy.integrate: the composite trapezoidal rule (jax.scipy.integrate.trapezoid)."""
from .. import numpy as jnp
from ..core import type_of
from ..numpy._util import canon_axis, check_arraylike, promote_args


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """sum over `axis` of (x[i+1] - x[i]) (y[i] + y[i+1]) / 2, with spacing dx when x is None; x is 1-D
    (along axis) or has y's shape."""
    check_arraylike("trapezoid", y, *(() if x is None else (x,)))
    if x is None:
        y, = promote_args("trapezoid", y, kind="inexact")
        axis = canon_axis(axis, type_of(y).ndim)
        y = jnp.moveaxis(y, axis, -1)
        return dx * (jnp.sum(y, axis=-1) - (y[..., 0] + y[..., -1]) / 2)
    y, x = jnp.asarray(y), jnp.asarray(x)
    axis = canon_axis(axis, type_of(y).ndim)
    y = jnp.moveaxis(y, axis, -1)
    if type_of(x).ndim == 1:
        if type_of(x).shape[0] != type_of(y).shape[-1]:
            raise ValueError(f"trapezoid: x of shape {type_of(x).shape} does not match y's axis {axis} of length "
                             f"{type_of(y).shape[-1]}")
        dx = x[1:] - x[:-1]
    else:
        x = jnp.moveaxis(x, axis, -1)
        dx = x[..., 1:] - x[..., :-1]
    return 0.5 * jnp.sum(dx * (y[..., 1:] + y[..., :-1]), axis=-1)
