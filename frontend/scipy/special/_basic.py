"""The elementary members of lintra.scipy.special (error functions, logistic, xlogy, softmax), in JAX's
formulations (custom JVPs where JAX has them, so that derivatives are finite where the naive formula's are
not)."""
import numpy as np

from ....ir import types as T
from ...core import bind1, type_of
from ...custom import custom_jvp
from ...nn import log_softmax as _log_softmax, logsumexp, softmax as _softmax
from ...numpy._util import promote_args

__all__ = ["erf", "erfc", "erfinv", "gammaln", "digamma", "xlogy", "xlog1py", "expit", "logit", "logsumexp",
           "ndtr", "softmax", "log_softmax"]
from ...numpy._util import full_like_type as _c, select as _where


def _float_unary(name, prim):
    def f(x):
        x, = promote_args(name, x, kind="inexact")
        if not T.is_float(type_of(x).dtype):
            raise TypeError(f"{name}: expected a real floating-point argument, got {type_of(x)}")
        return bind1(prim, x)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"scipy.special.{name}, elementwise (integers are computed in the default float type)."
    return f


erf = _float_unary("erf", "erf")
erfc = _float_unary("erfc", "erfc")
erfinv = _float_unary("erfinv", "erf_inv")
gammaln = _float_unary("gammaln", "lgamma")
digamma = _float_unary("digamma", "digamma")
expit = _float_unary("expit", "logistic")


def ndtr(x):
    """The standard normal CDF: erfc(-x / sqrt(2)) / 2."""
    x, = promote_args("ndtr", x, kind="inexact")
    return bind1("mul", _c(x, 0.5), bind1("erfc", bind1("mul", x, _c(x, -np.sqrt(0.5)))))


@custom_jvp
def _logit(x):
    return bind1("log", bind1("div", x, bind1("sub", _c(x, 1), x)))


_logit.defjvps(lambda g, ans, x: bind1("div", g, bind1("mul", x, bind1("sub", _c(x, 1), x))))


def logit(x):
    """log(x / (1 - x)), the inverse of expit; its derivative is 1 / (x (1 - x))."""
    x, = promote_args("logit", x, kind="inexact")
    return _logit(x)


def _xlog(log, dlog):
    """x * log(y), 0 where x == 0, with the JVP tx log(y) + ty x dlog(y)."""
    @custom_jvp
    def f(x, y):
        return _where(bind1("ne", x, _c(x, 0)), bind1("mul", x, log(y)), _c(x, 0))

    @f.defjvp
    def rule(primals, tangents):
        (x, y), (tx, ty) = primals, tangents
        return f(x, y), bind1("add", bind1("mul", tx, log(y)), bind1("mul", ty, bind1("mul", x, dlog(y))))
    return f


_xlogy = _xlog(lambda y: bind1("log", y), lambda y: bind1("div", _c(y, 1), y))
_xlog1py = _xlog(lambda y: bind1("log1p", y), lambda y: bind1("div", _c(y, 1), bind1("add", y, _c(y, 1))))


def xlogy(x, y):
    """x * log(y), and 0 where x == 0 (even where y == 0)."""
    x, y = promote_args("xlogy", x, y, kind="inexact")
    return _xlogy(x, y)


def xlog1py(x, y):
    """x * log1p(y), and 0 where x == 0 (even where y == -1)."""
    x, y = promote_args("xlog1py", x, y, kind="inexact")
    return _xlog1py(x, y)


def softmax(x, axis=None):
    """scipy.special.softmax: over all axes by default (lintra.nn.softmax defaults to the last)."""
    return _softmax(x, axis=axis)


def log_softmax(x, axis=None):
    return _log_softmax(x, axis=axis)
