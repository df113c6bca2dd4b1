"""AD of host callbacks, as JAX: a debug callback sees primal values and has no tangent; pure and io
callbacks have no derivative (wrap them in custom_jvp/custom_vjp). None is linear, so none transposes."""
from .jvp import jvp_rule


@jvp_rule("callback")
def _callback(b, op, primals, tangents):
    kind = op.attrs["kind"]
    if kind == "pure":
        raise ValueError("Pure callbacks do not support JVP. "
                         "Please use `jax.custom_jvp` to use callbacks while taking gradients.")
    if kind == "io":
        raise ValueError("IO callbacks do not support JVP.")
    return b.emit(op.prim, primals, op.attrs), [None] * len(op.results)
