"""checkify's `check` op. A debug_check compiles to nothing (outside checkify it is dropped, as in JAX); a
check that reaches the compiler was not functionalized by checkify, which JAX 0.10.2 refuses with this
message (it runs checks in compiled code only under its xla_runtime_errors flag, which Lintra lacks)."""
from ..registry import rule

FUNCTIONALIZATION_ERROR = (
    "Cannot abstractly evaluate a checkify.check which was not functionalized. This probably means you tried to "
    "stage (jit/scan/pmap/...) a `check` without functionalizing it through `checkify.checkify`.")


@rule("check")
def _check(ctx, op, *args):
    if op.attrs.get("debug", False):
        return []
    raise ValueError(FUNCTIONALIZATION_ERROR)
