"""jax.nn's elementwise activations, in their numerically careful forms.

relu and relu6 have derivative 0 at their kinks (custom JVPs, as JAX); softplus is logaddexp(x, 0) and
log_sigmoid is -softplus(-x), both finite for every finite x; log1mexp has JAX's custom JVP g / expm1(x).
"""
import operator

import numpy as np

from ...ir import types as T
from .. import numpy as jnp
from ..core import bind1
from ..custom import custom_jvp
from ..numpy._util import asvalue, canon_axis, check_arraylike, convert, full_like_type as _c, promote_args, \
    select as _where

__all__ = ["celu", "elu", "gelu", "glu", "hard_sigmoid", "hard_silu", "hard_swish", "hard_tanh", "identity",
           "leaky_relu", "log1mexp", "log_sigmoid", "mish", "relu", "relu6", "selu", "sigmoid", "silu",
           "soft_sign", "softplus", "sparse_plus", "sparse_sigmoid", "squareplus", "swish", "tanh"]


def _inexact(name, x):
    x, = promote_args(name, x, kind="inexact")
    return x


# ---- activations --------------------------------------------------------------------------------------

@custom_jvp
def _relu(x):
    return bind1("max", x, _c(x, 0))


_relu.defjvps(lambda g, ans, x: _where(bind1("gt", x, _c(x, 0)), g, _c(g, 0)))


def relu(x):
    """max(x, 0), with derivative 0 at 0 (as JAX: see Bertoin et al., NeurIPS 2021)."""
    check_arraylike("relu", x)
    return _relu(asvalue(x))


@custom_jvp
def _relu6(x):
    return bind1("min", bind1("max", x, _c(x, 0)), _c(x, 6))


_relu6.defjvps(lambda g, ans, x: _where(bind1("and", bind1("gt", x, _c(x, 0)), bind1("lt", x, _c(x, 6))), g,
                                        _c(g, 0)))


def relu6(x):
    """min(max(x, 0), 6), with derivative 0 at 0 and at 6 (as JAX)."""
    return _relu6(_inexact("relu6", x))


def _floating(name, x):
    """x as a value, which must already be inexact: JAX's sigmoid and silu apply lax.logistic directly,
    which refuses integers rather than promoting them."""
    check_arraylike(name, x)
    x = asvalue(x)
    if not T.is_inexact(x.type.dtype):
        raise TypeError(f"{name}: logistic does not accept dtype {x.type.dtype.name} (an array of type "
                        f"{x.type}); accepted dtypes are subtypes of floating and complexfloating")
    return x


def sigmoid(x):
    """1 / (1 + exp(-x)), by the logistic primitive."""
    return bind1("logistic", _floating("sigmoid", x))


def silu(x):
    """x * sigmoid(x) (also called swish)."""
    x = _floating("silu", x)
    return bind1("mul", x, bind1("logistic", x))


swish = silu


def gelu(x, approximate=True):
    """The Gaussian error linear unit: x * Phi(x), by the tanh approximation (the default, as JAX) or
    exactly through erfc."""
    x = _inexact("gelu", x)
    if approximate:
        inner = bind1("mul", _c(x, np.sqrt(2 / np.pi)),
                      bind1("add", x, bind1("mul", _c(x, 0.044715), bind1("integer_pow", x, y=3))))
        cdf = bind1("mul", _c(x, 0.5), bind1("add", _c(x, 1), bind1("tanh", inner)))
        return bind1("mul", x, cdf)
    cdf = bind1("erfc", bind1("mul", x, _c(x, -np.sqrt(0.5))))
    return bind1("mul", bind1("mul", _c(x, 0.5), x), cdf)


def softplus(x):
    """log(1 + exp(x)) = logaddexp(x, 0): no overflow for large x."""
    return jnp.logaddexp(_inexact("softplus", x), 0)


def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x)."""
    x = _inexact("log_sigmoid", x)
    return bind1("neg", softplus(bind1("neg", x)))


def soft_sign(x):
    x = _inexact("soft_sign", x)
    return bind1("div", x, bind1("add", bind1("abs", x), _c(x, 1)))


def elu(x, alpha=1.0):
    """x where x > 0, else alpha * expm1(x) (evaluated at a safe point where x > 0)."""
    x = _inexact("elu", x)
    pos = bind1("gt", x, _c(x, 0))
    safe = _where(pos, _c(x, 0), x)
    return _where(pos, x, bind1("mul", _c(x, alpha), bind1("expm1", safe)))


def celu(x, alpha=1.0):
    """max(x, 0) + alpha * min(expm1(x / alpha), 0)."""
    x = _inexact("celu", x)
    neg = bind1("mul", _c(x, alpha), bind1("expm1", bind1("div", x, _c(x, alpha))))
    return bind1("add", bind1("max", x, _c(x, 0)), bind1("min", neg, _c(neg, 0)))


def selu(x):
    """The scaled ELU with the self-normalising constants of Klambauer et al. (2017)."""
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    x = _inexact("selu", x)
    return bind1("mul", _c(x, scale), elu(x, alpha))


def leaky_relu(x, negative_slope=1e-2):
    x = _inexact("leaky_relu", x)
    return _where(bind1("ge", x, _c(x, 0)), x, bind1("mul", _c(x, negative_slope), x))


def hard_tanh(x):
    """x clipped to [-1, 1] (integers stay integers, as JAX); derivative 1 on [-1, 1] itself."""
    check_arraylike("hard_tanh", x)
    return jnp.where(jnp.greater(x, 1), 1, jnp.where(jnp.less(x, -1), -1, x))


def tanh(x):
    return bind1("tanh", _inexact("tanh", x))


def mish(x):
    """x * tanh(softplus(x))."""
    x = _inexact("mish", x)
    return bind1("mul", x, bind1("tanh", softplus(x)))


def glu(x, axis=-1):
    """The gated linear unit: first half * sigmoid(second half) along axis (whose length must be even)."""
    x = asvalue(x)
    ax = canon_axis(axis, x.type.ndim)
    if x.type.shape[ax] % 2:
        raise ValueError(f"glu: axis {ax} of a {x.type} array must have an even length")
    a, b = jnp.split(x, 2, ax)
    return bind1("mul", a, sigmoid(b))




def identity(x):
    """x itself (as an array)."""
    check_arraylike("identity", x)
    return jnp.asarray(x)


def squareplus(x, b=4):
    """(x + sqrt(x**2 + b)) / 2, a smooth ReLU (So, 2021, arXiv:2112.11687)."""
    check_arraylike("squareplus", x, b)
    return jnp.divide(jnp.add(x, jnp.sqrt(jnp.add(jnp.square(x), b))), 2)


def sparse_plus(x):
    """0 for x <= -1, (x + 1)**2 / 4 between, x for x >= 1."""
    check_arraylike("sparse_plus", x)
    return jnp.where(jnp.less_equal(x, -1.0), 0.0,
                     jnp.where(jnp.greater_equal(x, 1.0), x, jnp.divide(jnp.square(jnp.add(x, 1.0)), 4)))


def sparse_sigmoid(x):
    """0.5 * clip(x + 1, 0, 2): the derivative of sparse_plus."""
    check_arraylike("sparse_sigmoid", x)
    return jnp.multiply(0.5, jnp.clip(jnp.add(x, 1.0), 0.0, 2.0))


def hard_sigmoid(x):
    """relu6(x + 3) / 6."""
    check_arraylike("hard_sigmoid", x)
    return jnp.divide(relu6(jnp.add(x, 3.0)), 6.0)


def hard_silu(x):
    """x * hard_sigmoid(x) (also called hard_swish)."""
    check_arraylike("hard_silu", x)
    return jnp.multiply(x, hard_sigmoid(x))


hard_swish = hard_silu


@custom_jvp
def _log1mexp(x):
    # two forms, each accurate on its side of log 2 (Maechler, "Accurately computing log(1 - exp(-|a|))")
    return jnp.where(jnp.less(x, float(np.log(2.0))), jnp.log(jnp.negative(jnp.expm1(jnp.negative(x)))),
                     jnp.log1p(jnp.negative(jnp.exp(jnp.negative(x)))))


_log1mexp.defjvps(lambda g, ans, x: jnp.divide(g, jnp.expm1(x)))


def log1mexp(x):
    """log(1 - exp(-x)) for x >= 0, accurate for small and large x."""
    check_arraylike("log1mexp", x)
    return _log1mexp(jnp.asarray(x))
