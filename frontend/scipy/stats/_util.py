"""What the distribution modules share: argument promotion with the function's name in its errors."""
from ....ir import types as T
from ...dtypes import default_float
from ...numpy._util import check_arraylike, convert, promote_args, result_type_of


def inexact(name, *xs):
    """The arguments as arrays of one inexact dtype (integers become the default float), as JAX's
    promote_args_inexact; broadcasting is left to the arithmetic."""
    return promote_args(name, *xs, kind="inexact")


def inexact_dtype(name, *xs):
    """The arguments converted to one inexact dtype, shapes untouched (for the multivariate families, whose
    arguments have different ranks by design)."""
    check_arraylike(name, *xs)
    d, weak = result_type_of(*xs)
    if not T.is_inexact(d):
        d = default_float()
    return [convert(x, d, weak) for x in xs]
