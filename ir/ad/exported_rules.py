"""AD of calls of exported functions. An exported module is opaque StableHLO, so the op itself has no
derivative: Exported.call wraps it in a custom_vjp whose backward pass calls the exported VJP (as JAX
does), and only a call without one reaches this rule."""
from .jvp import jvp_rule


@jvp_rule("exported_call")
def _exported_call(b, op, primals, tangents):
    raise ValueError(
        f"cannot differentiate the exported function {op.attrs['fun_name']}: it was called without its VJP. "
        f"Reverse mode (grad, vjp) works on an Exported made by lintra.export.export, or deserialized from "
        f"serialize(vjp_order=1) or more; forward mode (jvp, jacfwd) is not defined for exported functions")
