"""lintra.scipy.special: SciPy's special functions on Lintra arrays, in JAX's formulations (custom JVPs
where JAX has them, so that derivatives are finite where the naive formula's are not)."""
import numpy as np

from ..ir import types as T
from . import numpy as jnp
from .core import bind1, type_of
from .custom import custom_jvp
from .numpy._util import asvalue, broadcast_to, canon_axes, check_arraylike, convert, promote_args

__all__ = ["erf", "erfc", "erfinv", "gammaln", "digamma", "xlogy", "xlog1py", "expit", "logit", "logsumexp",
           "ndtr", "softmax", "log_softmax"]
from .numpy._util import full_like_type as _c, select as _where


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


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=None):
    """log(sum(b * exp(a))) over axis, computed around the maximum so that it neither overflows nor
    underflows. With return_sign, returns (log|sum|, sign(sum)); otherwise a negative sum gives NaN."""
    check_arraylike("logsumexp", a)
    if where is not None:
        check_arraylike("logsumexp", where)
        a = jnp.where(where, a, 0)
    if b is not None:
        check_arraylike("logsumexp", b)
        a, b = promote_args("logsumexp", a, b, kind="inexact")
        a = _where(bind1("ne", b, _c(b, 0)), a, _c(a, -np.inf))
    else:
        a, = promote_args("logsumexp", a, kind="inexact")
    t = a.type
    axes = canon_axes(axis, t.ndim)
    mask = None if where is None else broadcast_to(asvalue(where), t.shape)
    real = jnp.real(a)
    masked = real if mask is None else _where(mask, real, _c(real, -np.inf))
    amax = bind1("reduce_max", masked, axes=axes) if t.size else \
        broadcast_to(convert(-np.inf, real.type.dtype), tuple(n for i, n in enumerate(t.shape) if i not in axes))
    # the shift does not change the value, so it carries no derivative; infinite maxima shift by 0
    amax = bind1("stop_gradient", _where(bind1("is_finite", amax), amax, _c(amax, 0)))
    amax_b = bind1("broadcast_in_dim", amax, shape=t.shape,
                   broadcast_dimensions=tuple(i for i in range(t.ndim) if i not in axes))
    exp_a = bind1("exp", bind1("sub", a, convert(amax_b, t.dtype)))
    if b is not None:
        exp_a = bind1("mul", exp_a, b)
    if mask is not None:
        exp_a = _where(mask, exp_a, _c(exp_a, 0))
    sumexp = bind1("reduce_sum", exp_a, axes=axes)
    sign = bind1("sign", sumexp)
    if return_sign or not T.is_complex(t.dtype):
        sumexp = bind1("abs", sumexp)
    out = bind1("add", bind1("log", sumexp), convert(amax, sumexp.type.dtype))
    if keepdims:
        kept = tuple(1 if i in axes else n for i, n in enumerate(t.shape))
        out, sign = jnp.reshape(out, kept), jnp.reshape(sign, kept)
    if return_sign:
        return out, sign
    if b is not None and not T.is_complex(out.type.dtype):
        out = _where(bind1("lt", sign, _c(sign, 0)), _c(out, np.nan), out)
    return out


def softmax(x, axis=None):
    """scipy.special.softmax: over all axes by default (lintra.nn.softmax defaults to the last)."""
    from .nn import softmax as _softmax
    return _softmax(x, axis=axis)


def log_softmax(x, axis=None):
    from .nn import log_softmax as _log_softmax
    return _log_softmax(x, axis=axis)
